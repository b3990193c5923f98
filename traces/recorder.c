/* The recorder: setup calls under a mutex, record calls lock-free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "traces/model.h"

/* Serial numbers of traces, so per-thread slot caches never mistake a new
 * trace for a destroyed one at the same address. */
static atomic_uint_fast64_t trace_serials = 1;

static cf_status store_init(cf_tr_store *s, size_t elem_size, uint64_t cap) {
  s->elem_size = elem_size;
  s->cap = cap;
  s->nchunks = (size_t)((cap + CF_TR_CHUNK - 1) >> CF_TR_CHUNK_SHIFT);
  s->chunks = calloc(s->nchunks ? s->nchunks : 1, sizeof *s->chunks);
  if (!s->chunks) return CF_FAIL(CF_ENOMEM, "trace: no memory for %zu chunk pointers", s->nchunks);
  atomic_init(&s->next, 0);
  return CF_OK;
}

static void store_free(cf_tr_store *s) {
  if (!s->chunks) return;
  for (size_t i = 0; i < s->nchunks; i++)
    free(atomic_load(&s->chunks[i]));
  free(s->chunks);
  s->chunks = NULL;
}

/* Address of slot i, allocating its chunk if no thread has yet. */
static void *store_slot(cf_tr_store *s, uint64_t i) {
  size_t c = (size_t)(i >> CF_TR_CHUNK_SHIFT);
  void *chunk = atomic_load_explicit(&s->chunks[c], memory_order_acquire);
  if (!chunk) {
    void *fresh = calloc(CF_TR_CHUNK, s->elem_size);
    if (!fresh) return NULL;
    void *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(&s->chunks[c], &expected, fresh,
                                                memory_order_acq_rel, memory_order_acquire)) {
      chunk = fresh;
    } else {
      free(fresh); /* another thread installed this chunk first */
      chunk = expected;
    }
  }
  return (char *)chunk + (size_t)(i & (CF_TR_CHUNK - 1)) * s->elem_size;
}

/* Slot i of a store for reading, NULL if never touched. */
static const void *store_peek(const cf_tr_store *s, uint64_t i) {
  void *chunk = atomic_load_explicit(&s->chunks[i >> CF_TR_CHUNK_SHIFT], memory_order_acquire);
  if (!chunk) return NULL;
  return (const char *)chunk + (size_t)(i & (CF_TR_CHUNK - 1)) * s->elem_size;
}

const cf_tr_event *cf_tr_event_at(const cf_trace *t, uint64_t i) {
  const cf_tr_event *e = store_peek(&t->events, i);
  if (!e || !atomic_load_explicit(&((cf_tr_event *)e)->ready, memory_order_acquire)) return NULL;
  return e;
}

const uint64_t *cf_tr_dep_at(const cf_trace *t, uint64_t i) { return store_peek(&t->deps, i); }

/* Allocates and touches the chunks for slots [0, n) so that recording them
 * later takes no allocation and no page fault. */
static cf_status store_reserve(cf_tr_store *s, uint64_t n) {
  if (n > s->cap) n = s->cap;
  size_t chunks = (size_t)((n + CF_TR_CHUNK - 1) >> CF_TR_CHUNK_SHIFT);
  for (size_t c = 0; c < chunks; c++) {
    if (atomic_load(&s->chunks[c])) continue;
    void *fresh = malloc((size_t)CF_TR_CHUNK * s->elem_size);
    if (!fresh)
      return CF_FAIL(CF_ENOMEM, "trace: no memory to reserve %llu events", (unsigned long long)n);
    memset(fresh, 0, (size_t)CF_TR_CHUNK * s->elem_size);
    void *expected = NULL;
    if (!atomic_compare_exchange_strong(&s->chunks[c], &expected, fresh)) free(fresh);
  }
  return CF_OK;
}

cf_status cf_trace_reserve(cf_trace *t, uint64_t events) {
  if (!t) return CF_FAIL(CF_EINVAL, "cf_trace_reserve: trace is NULL");
  CF_TRY(store_reserve(&t->events, events));
  return store_reserve(&t->deps, events * 2);
}

cf_status cf_trace_create(cf_trace **out, uint64_t max_events) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_trace_create: out is NULL");
  *out = NULL;
  if (max_events == 0) max_events = CF_TRACE_DEFAULT_MAX_EVENTS;
  if (max_events > ((uint64_t)1 << 34))
    return CF_FAIL(CF_EINVAL, "cf_trace_create: max_events %llu exceeds 2^34",
                   (unsigned long long)max_events);
  cf_trace *t = calloc(1, sizeof *t);
  if (!t) return CF_FAIL(CF_ENOMEM, "cf_trace_create: no memory");
  cf_status st = store_init(&t->events, sizeof(cf_tr_event), max_events);
  /* Dependencies: room for four per event on average. */
  if (st == CF_OK) st = store_init(&t->deps, sizeof(uint64_t), max_events * 4);
  if (st != CF_OK) {
    store_free(&t->events);
    free(t);
    return st;
  }
  t->serial = atomic_fetch_add(&trace_serials, 1);
  atomic_init(&t->dropped, 0);
  atomic_init(&t->dropped_deps, 0);
  pthread_mutex_init(&t->setup_lock, NULL);
  *out = t;
  return CF_OK;
}

void cf_trace_destroy(cf_trace *t) {
  if (!t) return;
  store_free(&t->events);
  store_free(&t->deps);
  for (int i = 0; i < CF_TRACE_MAX_WORKERS; i++)
    free(t->workers[i].name);
  for (int i = 0; i < CF_TRACE_MAX_NODES; i++)
    free(t->memnodes[i]);
  for (size_t i = 0; i < t->nmeta; i++) {
    free(t->meta[i].key);
    free(t->meta[i].value);
  }
  free(t->meta);
  for (size_t i = 0; i < t->nstrings; i++)
    free(t->strings[i]);
  free(t->strings);
  pthread_mutex_destroy(&t->setup_lock);
  free(t);
}

cf_status cf_trace_set_meta(cf_trace *t, const char *key, const char *value) {
  if (!t || !key || !value) return CF_FAIL(CF_EINVAL, "cf_trace_set_meta: NULL argument");
  if (!*key) return CF_FAIL(CF_EINVAL, "cf_trace_set_meta: empty key");
  char *v = strdup(value);
  if (!v) return CF_FAIL(CF_ENOMEM, "cf_trace_set_meta: no memory for '%s'", key);
  pthread_mutex_lock(&t->setup_lock);
  for (size_t i = 0; i < t->nmeta; i++) {
    if (strcmp(t->meta[i].key, key) == 0) {
      free(t->meta[i].value);
      t->meta[i].value = v;
      pthread_mutex_unlock(&t->setup_lock);
      return CF_OK;
    }
  }
  cf_tr_meta *m = realloc(t->meta, (t->nmeta + 1) * sizeof *m);
  char *k = strdup(key);
  if (!m || !k) {
    if (m) t->meta = m;
    free(k);
    free(v);
    pthread_mutex_unlock(&t->setup_lock);
    return CF_FAIL(CF_ENOMEM, "cf_trace_set_meta: no memory for '%s'", key);
  }
  t->meta = m;
  t->meta[t->nmeta++] = (cf_tr_meta){k, v};
  pthread_mutex_unlock(&t->setup_lock);
  return CF_OK;
}

const char *cf_trace_get_meta(const cf_trace *t, const char *key) {
  if (!t || !key) return NULL;
  for (size_t i = 0; i < t->nmeta; i++)
    if (strcmp(t->meta[i].key, key) == 0) return t->meta[i].value;
  return NULL;
}

cf_status cf_trace_add_memnode(cf_trace *t, int node, const char *name) {
  if (!t || !name) return CF_FAIL(CF_EINVAL, "cf_trace_add_memnode: NULL argument");
  if (node < 0 || node >= CF_TRACE_MAX_NODES)
    return CF_FAIL(CF_EINVAL, "memory node id %d outside 0..%d", node, CF_TRACE_MAX_NODES - 1);
  char *n = strdup(name);
  if (!n) return CF_FAIL(CF_ENOMEM, "cf_trace_add_memnode: no memory");
  pthread_mutex_lock(&t->setup_lock);
  free(t->memnodes[node]);
  t->memnodes[node] = n;
  pthread_mutex_unlock(&t->setup_lock);
  return CF_OK;
}

cf_status cf_trace_add_worker(cf_trace *t, int id, const char *name, cf_trace_worker_kind kind,
                              int memnode) {
  if (!t || !name) return CF_FAIL(CF_EINVAL, "cf_trace_add_worker: NULL argument");
  if (id < 0 || id >= CF_TRACE_MAX_WORKERS)
    return CF_FAIL(CF_EINVAL, "worker id %d outside 0..%d", id, CF_TRACE_MAX_WORKERS - 1);
  if (kind != CF_TRACE_CPU && kind != CF_TRACE_CUDA)
    return CF_FAIL(CF_EINVAL, "worker %d: unknown kind %d", id, (int)kind);
  if (memnode < 0 || memnode >= CF_TRACE_MAX_NODES)
    return CF_FAIL(CF_EINVAL, "worker %d: memory node %d outside 0..%d", id, memnode,
                   CF_TRACE_MAX_NODES - 1);
  char *n = strdup(name);
  if (!n) return CF_FAIL(CF_ENOMEM, "cf_trace_add_worker: no memory");
  pthread_mutex_lock(&t->setup_lock);
  free(t->workers[id].name);
  t->workers[id] = (cf_tr_worker){.used = true, .name = n, .kind = kind, .memnode = memnode};
  pthread_mutex_unlock(&t->setup_lock);
  return CF_OK;
}

cf_status cf_trace_intern(cf_trace *t, const char *s, const char **out) {
  if (!t || !s || !out) return CF_FAIL(CF_EINVAL, "cf_trace_intern: NULL argument");
  pthread_mutex_lock(&t->setup_lock);
  size_t lo = 0, hi = t->nstrings;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(t->strings[mid], s);
    if (c == 0) {
      *out = t->strings[mid];
      pthread_mutex_unlock(&t->setup_lock);
      return CF_OK;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  char **grown = realloc(t->strings, (t->nstrings + 1) * sizeof *grown);
  char *copy = strdup(s);
  if (!grown || !copy) {
    if (grown) t->strings = grown;
    free(copy);
    pthread_mutex_unlock(&t->setup_lock);
    return CF_FAIL(CF_ENOMEM, "cf_trace_intern: no memory");
  }
  t->strings = grown;
  memmove(&grown[lo + 1], &grown[lo], (t->nstrings - lo) * sizeof *grown);
  grown[lo] = copy;
  t->nstrings++;
  *out = copy;
  pthread_mutex_unlock(&t->setup_lock);
  return CF_OK;
}

uint64_t cf_trace_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Slots are handed out to each thread in blocks of CF_TR_BLOCK: one atomic
 * add per block, and a thread's events sit on its own cache lines. A small
 * per-thread cache remembers the current block of the last few traces,
 * recognised by a serial number that is never reused. Unused slots at the
 * end of a block stay unpublished and are skipped by readers. */
enum { CF_TR_BLOCK = 64, CF_TR_TL_WAYS = 4 };

typedef struct tl_block {
  uint64_t serial, next, end;
} tl_block;

static _Thread_local tl_block tl_blocks[CF_TR_TL_WAYS];
static _Thread_local unsigned tl_victim;

/* Claims a slot; NULL with *st == CF_OK when over the cap (counted dropped). */
static cf_tr_event *claim(cf_trace *t, cf_status *st) {
  *st = CF_OK;
  tl_block *b = NULL;
  for (int w = 0; w < CF_TR_TL_WAYS; w++)
    if (tl_blocks[w].serial == t->serial) b = &tl_blocks[w];
  if (!b || b->next == b->end) {
    if (!b) {
      b = &tl_blocks[tl_victim++ % CF_TR_TL_WAYS];
      b->serial = t->serial;
    }
    b->next = atomic_fetch_add_explicit(&t->events.next, CF_TR_BLOCK, memory_order_relaxed);
    b->end = b->next + CF_TR_BLOCK;
  }
  uint64_t i = b->next++;
  if (i >= t->events.cap) {
    atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
    return NULL;
  }
  cf_tr_event *e = store_slot(&t->events, i);
  if (!e) *st = CF_FAIL(CF_ENOMEM, "trace: no memory for an event chunk");
  return e;
}

uint64_t cf_tr_slot_count(const cf_trace *t) {
  uint64_t n = atomic_load(&((cf_trace *)t)->events.next);
  return n < t->events.cap ? n : t->events.cap;
}

static void publish(cf_tr_event *e, cf_tr_kind kind) {
  e->kind = (uint8_t)kind;
  atomic_store_explicit(&e->ready, 1, memory_order_release);
}

static bool node_ok(int node) { return node >= 0 && node < CF_TRACE_MAX_NODES; }

cf_status cf_trace_record_task(cf_trace *t, const cf_trace_task *task) {
  if (!t || !task) return CF_FAIL(CF_EINVAL, "cf_trace_record_task: NULL argument");
  if (task->worker < 0 || task->worker >= CF_TRACE_MAX_WORKERS || !t->workers[task->worker].used)
    return CF_FAIL(CF_EINVAL, "task %llu: worker %d is not registered",
                   (unsigned long long)task->id, task->worker);
  if (task->end_ns < task->start_ns)
    return CF_FAIL(CF_EINVAL, "task %llu ends (%llu ns) before it starts (%llu ns)",
                   (unsigned long long)task->id, (unsigned long long)task->end_ns,
                   (unsigned long long)task->start_ns);
  if (!task->kernel)
    return CF_FAIL(CF_EINVAL, "task %llu: kernel name is NULL", (unsigned long long)task->id);
  if (task->ndeps && !task->deps)
    return CF_FAIL(CF_EINVAL, "task %llu: %u dependencies but deps is NULL",
                   (unsigned long long)task->id, task->ndeps);
  cf_status st;
  cf_tr_event *e = claim(t, &st);
  if (!e) return st;
  uint32_t nd = task->ndeps;
  uint64_t first = 0;
  if (nd) {
    first = atomic_fetch_add_explicit(&t->deps.next, nd, memory_order_relaxed);
    if (first + nd > t->deps.cap) {
      atomic_fetch_add_explicit(&t->dropped_deps, nd, memory_order_relaxed);
      nd = 0;
    }
    for (uint32_t k = 0; k < nd; k++) {
      uint64_t *slot = store_slot(&t->deps, first + k);
      if (!slot) return CF_FAIL(CF_ENOMEM, "trace: no memory for a dependency chunk");
      *slot = task->deps[k];
    }
  }
  e->a = task->worker;
  e->b = task->limb_begin;
  e->c = task->limb_end;
  e->d = task->level;
  e->id = task->id;
  e->t0 = task->start_ns;
  e->t1 = task->end_ns;
  e->node = task->node;
  e->name = task->kernel;
  e->op = task->op;
  e->ndeps = nd;
  e->dep_first = first;
  publish(e, CF_TR_TASK);
  return CF_OK;
}

cf_status cf_trace_record_transfer(cf_trace *t, int src_node, int dst_node, uint64_t bytes,
                                   uint64_t start_ns, uint64_t end_ns) {
  if (!t) return CF_FAIL(CF_EINVAL, "cf_trace_record_transfer: trace is NULL");
  if (!node_ok(src_node) || !node_ok(dst_node))
    return CF_FAIL(CF_EINVAL, "transfer %d -> %d: node outside 0..%d", src_node, dst_node,
                   CF_TRACE_MAX_NODES - 1);
  if (end_ns < start_ns)
    return CF_FAIL(CF_EINVAL, "transfer %d -> %d ends before it starts", src_node, dst_node);
  cf_status st;
  cf_tr_event *e = claim(t, &st);
  if (!e) return st;
  e->a = src_node;
  e->b = dst_node;
  e->u = bytes;
  e->t0 = start_ns;
  e->t1 = end_ns;
  publish(e, CF_TR_TRANSFER);
  return CF_OK;
}

cf_status cf_trace_record_memory(cf_trace *t, int node, uint64_t ts_ns, uint64_t bytes_used) {
  if (!t) return CF_FAIL(CF_EINVAL, "cf_trace_record_memory: trace is NULL");
  if (!node_ok(node))
    return CF_FAIL(CF_EINVAL, "memory sample: node %d outside 0..%d", node, CF_TRACE_MAX_NODES - 1);
  cf_status st;
  cf_tr_event *e = claim(t, &st);
  if (!e) return st;
  e->a = node;
  e->t0 = e->t1 = ts_ns;
  e->u = bytes_used;
  publish(e, CF_TR_MEMORY);
  return CF_OK;
}

cf_status cf_trace_record_eviction(cf_trace *t, int from_node, int to_node, uint64_t bytes,
                                   uint64_t ts_ns) {
  if (!t) return CF_FAIL(CF_EINVAL, "cf_trace_record_eviction: trace is NULL");
  if (!node_ok(from_node) || (to_node != -1 && !node_ok(to_node)))
    return CF_FAIL(CF_EINVAL, "eviction %d -> %d: node outside 0..%d (or -1 for dropped)",
                   from_node, to_node, CF_TRACE_MAX_NODES - 1);
  cf_status st;
  cf_tr_event *e = claim(t, &st);
  if (!e) return st;
  e->a = from_node;
  e->b = to_node;
  e->u = bytes;
  e->t0 = e->t1 = ts_ns;
  publish(e, CF_TR_EVICTION);
  return CF_OK;
}

cf_status cf_trace_record_sched(cf_trace *t, uint64_t ts_ns, uint64_t task_id, int worker,
                                const char *reason) {
  if (!t || !reason) return CF_FAIL(CF_EINVAL, "cf_trace_record_sched: NULL argument");
  if (worker < 0 || worker >= CF_TRACE_MAX_WORKERS || !t->workers[worker].used)
    return CF_FAIL(CF_EINVAL, "scheduler event for task %llu: worker %d is not registered",
                   (unsigned long long)task_id, worker);
  cf_status st;
  cf_tr_event *e = claim(t, &st);
  if (!e) return st;
  e->c = worker;
  e->id = task_id;
  e->t0 = e->t1 = ts_ns;
  e->name = reason;
  publish(e, CF_TR_SCHED);
  return CF_OK;
}

uint64_t cf_trace_event_count(const cf_trace *t) {
  if (!t) return 0;
  uint64_t n = cf_tr_slot_count(t), published = 0;
  for (uint64_t i = 0; i < n; i++)
    published += cf_tr_event_at(t, i) != NULL;
  return published;
}

uint64_t cf_trace_dropped(const cf_trace *t) {
  return t ? atomic_load(&((cf_trace *)t)->dropped) : 0;
}

const char *cf_tr_node_name(const cf_trace *t, int node, char *buf, size_t len) {
  if (node >= 0 && node < CF_TRACE_MAX_NODES && t->memnodes[node]) return t->memnodes[node];
  snprintf(buf, len, "node %d", node);
  return buf;
}
