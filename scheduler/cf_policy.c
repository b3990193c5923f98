#include "scheduler/cf_policy.h"

#include <stdatomic.h>
#include <stdlib.h>

/* A binary max-heap of tasks by (priority, submission order): equal
 * priorities keep FIFO order so results do not depend on heap shape. */
typedef struct heap_item {
  int prio;
  uint64_t seq;
  struct starpu_task *task;
} heap_item;

typedef struct task_heap {
  starpu_pthread_mutex_t mtx;
  heap_item *items;
  size_t n, cap;
  atomic_int top_prio; /* priority of items[0] or INT_MIN, read without the lock */
  atomic_size_t size;
} task_heap;

typedef struct policy_data {
  bool affinity;
  atomic_uint_fast64_t seq;
  int nworkers;
  int workers[STARPU_NMAXWORKERS];
  task_heap heaps[STARPU_NMAXWORKERS]; /* indexed by worker id */
} policy_data;

static atomic_bool prefetch_on = true;

void cf_sched_own_set_prefetch(bool on) { atomic_store(&prefetch_on, on); }

static bool before(const heap_item *a, const heap_item *b) {
  return a->prio > b->prio || (a->prio == b->prio && a->seq < b->seq);
}

static int heap_push(task_heap *h, heap_item it) {
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 64;
    heap_item *p = realloc(h->items, cap * sizeof *p);
    if (!p) return -1;
    h->items = p, h->cap = cap;
  }
  size_t i = h->n++;
  while (i > 0 && before(&it, &h->items[(i - 1) / 2])) {
    h->items[i] = h->items[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->items[i] = it;
  return 0;
}

static struct starpu_task *heap_pop(task_heap *h) {
  if (h->n == 0) return NULL;
  struct starpu_task *t = h->items[0].task;
  heap_item last = h->items[--h->n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && before(&h->items[c + 1], &h->items[c])) c++;
    if (!before(&h->items[c], &last)) break;
    h->items[i] = h->items[c];
    i = c;
  }
  if (h->n) h->items[i] = last;
  return t;
}

static void heap_publish(task_heap *h) {
  atomic_store(&h->top_prio, h->n ? h->items[0].prio : INT32_MIN);
  atomic_store(&h->size, h->n);
}

static void init_common(unsigned ctx, bool affinity) {
  policy_data *d = calloc(1, sizeof *d);
  STARPU_ASSERT_MSG(d, "cipherflow policy: out of memory for its state");
  d->affinity = affinity;
  for (int w = 0; w < STARPU_NMAXWORKERS; w++) {
    STARPU_PTHREAD_MUTEX_INIT(&d->heaps[w].mtx, NULL);
    atomic_init(&d->heaps[w].top_prio, INT32_MIN);
    atomic_init(&d->heaps[w].size, 0);
  }
  starpu_sched_ctx_set_min_priority(ctx, 0);
  starpu_sched_ctx_set_max_priority(ctx, CF_SCHED_OWN_MAX_PRIO);
  starpu_sched_ctx_set_policy_data(ctx, d);
}

static void init_affinity(unsigned ctx) { init_common(ctx, true); }
static void init_critpath(unsigned ctx) { init_common(ctx, false); }

static void deinit(unsigned ctx) {
  policy_data *d = starpu_sched_ctx_get_policy_data(ctx);
  for (int w = 0; w < STARPU_NMAXWORKERS; w++) {
    STARPU_PTHREAD_MUTEX_DESTROY(&d->heaps[w].mtx);
    free(d->heaps[w].items);
  }
  free(d);
}

static void add_workers(unsigned ctx, int *ids, unsigned n) {
  policy_data *d = starpu_sched_ctx_get_policy_data(ctx);
  for (unsigned i = 0; i < n && d->nworkers < STARPU_NMAXWORKERS; i++)
    d->workers[d->nworkers++] = ids[i];
}

static void remove_workers(unsigned ctx, int *ids, unsigned n) {
  policy_data *d = starpu_sched_ctx_get_policy_data(ctx);
  for (unsigned i = 0; i < n; i++)
    for (int k = 0; k < d->nworkers; k++)
      if (d->workers[k] == ids[i]) {
        d->workers[k] = d->workers[--d->nworkers];
        break;
      }
}

static int pick_worker(policy_data *d, struct starpu_task *t) {
  uintptr_t hint = (uintptr_t)t->sched_data;
  if (d->affinity && hint) {
    /* Same group -> same worker, as long as that worker can run the task. */
    for (int k = 0; k < d->nworkers; k++) {
      int w = d->workers[(hint - 1 + (uintptr_t)k) % (uintptr_t)d->nworkers];
      if (starpu_worker_can_execute_task(w, t, 0)) return w;
    }
    return -1;
  }
  int best = -1;
  size_t best_size = SIZE_MAX;
  for (int k = 0; k < d->nworkers; k++) {
    int w = d->workers[k];
    size_t s = atomic_load(&d->heaps[w].size);
    if (s < best_size && starpu_worker_can_execute_task(w, t, 0)) best = w, best_size = s;
  }
  return best;
}

static int push_task(struct starpu_task *t) {
  policy_data *d = starpu_sched_ctx_get_policy_data(t->sched_ctx);
  int w = pick_worker(d, t);
  if (w < 0) return -ENODEV;
  task_heap *h = &d->heaps[w];
  heap_item it = {t->priority, atomic_fetch_add(&d->seq, 1), t};
  /* Before the task becomes visible: once in the heap, another worker may
   * pop, run and free it before this function returns. */
  if (atomic_load(&prefetch_on)) starpu_prefetch_task_input_for(t, w);
  STARPU_PTHREAD_MUTEX_LOCK(&h->mtx);
  int rc = heap_push(h, it);
  if (rc == 0) {
    heap_publish(h);
    starpu_push_task_end(t); /* must precede the unlock (StarPU's contract) */
  }
  STARPU_PTHREAD_MUTEX_UNLOCK(&h->mtx);
  if (rc != 0) return -ENOMEM;
  starpu_wake_worker_relax_light(w);
  return 0;
}

static struct starpu_task *take(task_heap *h, unsigned me) {
  if (atomic_load(&h->size) == 0) return NULL;
  STARPU_PTHREAD_MUTEX_LOCK(&h->mtx);
  struct starpu_task *t = NULL;
  if (h->n && starpu_worker_can_execute_task_first_impl(me, h->items[0].task, NULL)) {
    t = heap_pop(h);
    heap_publish(h);
  }
  STARPU_PTHREAD_MUTEX_UNLOCK(&h->mtx);
  return t;
}

static struct starpu_task *pop_task(unsigned ctx) {
  policy_data *d = starpu_sched_ctx_get_policy_data(ctx);
  unsigned me = (unsigned)starpu_worker_get_id_check();
  struct starpu_task *t = take(&d->heaps[me], me);
  while (!t) {
    /* Steal the most urgent task among the other workers' tops. */
    int victim = -1, best = INT32_MIN;
    for (int k = 0; k < d->nworkers; k++) {
      int w = d->workers[k];
      if ((unsigned)w == me || atomic_load(&d->heaps[w].size) == 0) continue;
      int p = atomic_load(&d->heaps[w].top_prio);
      if (victim < 0 || p > best) victim = w, best = p;
    }
    if (victim < 0) return NULL;
    t = take(&d->heaps[victim], me);
    if (!t && atomic_load(&d->heaps[victim].size) != 0) return NULL; /* not for us: retry later */
  }
  return t;
}

struct starpu_sched_policy cf_sched_affinity_policy = {
    .init_sched = init_affinity,
    .deinit_sched = deinit,
    .add_workers = add_workers,
    .remove_workers = remove_workers,
    .push_task = push_task,
    .pop_task = pop_task,
    .policy_name = "cf-affinity",
    .policy_description = "cipherflow: critical-path priority, limb-group worker affinity, "
                          "priority-ordered stealing",
    .worker_type = STARPU_WORKER_LIST,
};

struct starpu_sched_policy cf_sched_critpath_policy = {
    .init_sched = init_critpath,
    .deinit_sched = deinit,
    .add_workers = add_workers,
    .remove_workers = remove_workers,
    .push_task = push_task,
    .pop_task = pop_task,
    .policy_name = "cf-critpath",
    .policy_description = "cipherflow: critical-path priority, load-balanced, no affinity",
    .worker_type = STARPU_WORKER_LIST,
};
