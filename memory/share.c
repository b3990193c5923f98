#include "memory/share.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* Ancestors are tracked over the last WINDOW tasks before each task (a
 * bitset per task, WINDOW / 8 bytes): a store whose last occupant lies
 * further back is simply not passed on, which costs memory, never
 * correctness. Smaller for very large DAGs, to bound the bitsets to
 * BITS_BUDGET bytes. */
enum { WINDOW = 4096, MIN_WINDOW = 256 };
#define BITS_BUDGET ((size_t)64 << 20)

typedef struct planner {
  const cf_dag *dag;
  size_t nb, nt;
  long *first, *last; /* task index of each buffer's first and last access, or -1 */
  uint32_t *toff;     /* per buffer: its tasks at tasks[toff[b] .. toff[b + 1]) */
  uint32_t *tasks;
  size_t words;  /* per task bitset: bit d set when task t - 1 - d is an ancestor */
  uint64_t *anc; /* nt x words */
} planner;

static bool is_ancestor(const planner *p, uint32_t a, uint32_t t) {
  if (a >= t) return false;
  size_t d = t - 1 - a;
  return d < p->words * 64 && (p->anc[t * p->words + d / 64] >> (d % 64) & 1);
}

/* anc[t] = union over predecessors p of {p} and anc[p], shifted by t - p. */
static cf_status ancestors(planner *p) {
  size_t w = WINDOW / 64;
  while (w > MIN_WINDOW / 64 && p->nt * w * sizeof(uint64_t) > BITS_BUDGET)
    w /= 2;
  p->words = w;
  p->anc = calloc(p->nt * w + 1, sizeof *p->anc);
  if (!p->anc) return CF_FAIL(CF_ENOMEM, "memory sharing: ancestor sets of %zu tasks", p->nt);
  for (size_t t = 0; t < p->nt; t++) {
    uint64_t *at = p->anc + t * w;
    size_t np = 0;
    const uint32_t *pr = cf_dag_preds(p->dag, t, &np);
    for (size_t k = 0; k < np; k++) {
      if (pr[k] >= t) return CF_FAIL(CF_EINVAL, "task %zu depends on later task %u", t, pr[k]);
      size_t delta = t - pr[k]; /* p's bit d is t's bit d + delta; p itself is bit delta - 1 */
      if (delta - 1 >= w * 64) continue;
      at[(delta - 1) / 64] |= 1ull << ((delta - 1) % 64);
      const uint64_t *ap = p->anc + (size_t)pr[k] * w;
      size_t ws = delta / 64, bs = delta % 64;
      for (size_t j = w; j-- > ws;) {
        uint64_t v = ap[j - ws] << bs;
        if (bs && j - ws > 0) v |= ap[j - ws - 1] >> (64 - bs);
        at[j] |= v;
      }
    }
  }
  return CF_OK;
}

/* Each buffer's tasks in DAG order (count, then fill). */
static cf_status buffer_tasks(planner *p) {
  p->toff = calloc(p->nb + 2, sizeof *p->toff);
  if (!p->toff) return CF_FAIL(CF_ENOMEM, "memory sharing: task lists of %zu buffers", p->nb);
  for (size_t i = 0; i < p->nt; i++) {
    const cf_dag_task *t = cf_dag_task_at(p->dag, i);
    for (unsigned k = 0; k < t->npieces; k++) {
      uint32_t b = t->pieces[k].buffer;
      if (p->last[b] == (long)i) continue; /* a task naming a buffer twice */
      if (p->first[b] < 0) p->first[b] = (long)i;
      p->last[b] = (long)i;
      p->toff[b + 2]++;
    }
  }
  for (size_t b = 0; b < p->nb; b++)
    p->toff[b + 2] += p->toff[b + 1];
  p->tasks = malloc((p->toff[p->nb + 1] ? p->toff[p->nb + 1] : 1) * sizeof *p->tasks);
  if (!p->tasks) return CF_FAIL(CF_ENOMEM, "memory sharing: %u task entries", p->toff[p->nb + 1]);
  /* toff[b + 1] counts up from b's start to its end; last[b] tells a
   * task naming b twice, and ends where the counting pass left it */
  for (size_t b = 0; b < p->nb; b++)
    p->last[b] = -1;
  for (size_t i = 0; i < p->nt; i++) {
    const cf_dag_task *t = cf_dag_task_at(p->dag, i);
    for (unsigned k = 0; k < t->npieces; k++) {
      uint32_t b = t->pieces[k].buffer;
      if (p->last[b] == (long)i) continue;
      p->last[b] = (long)i;
      p->tasks[p->toff[b + 1]++] = (uint32_t)i;
    }
  }
  return CF_OK;
}

/* The tasks that touch a limb of buffer b first: after a store changes
 * hands, StarPU orders exactly these after the old occupant's accesses. */
static size_t entry_tasks(const planner *p, uint32_t b, uint8_t *seen, uint32_t *out) {
  uint32_t nl = cf_dag_buffer_at(p->dag, b)->nlimbs;
  memset(seen, 0, nl);
  size_t n = 0;
  for (uint32_t k = p->toff[b]; k < p->toff[b + 1]; k++) {
    const cf_dag_task *t = cf_dag_task_at(p->dag, p->tasks[k]);
    bool entry = false;
    for (unsigned q = 0; q < t->npieces; q++) {
      const cf_dag_piece *pc = &t->pieces[q];
      if (pc->buffer != b) continue;
      for (uint32_t l = pc->first_limb; l < (uint32_t)pc->first_limb + pc->nlimbs; l++)
        if (!seen[l]) seen[l] = 1, entry = true;
    }
    if (entry) out[n++] = p->tasks[k];
  }
  return n;
}

/* Whether every task touching a is an ancestor of every entry task: then
 * handing a's store to the new buffer adds no order the DAG lacks. The
 * latest tasks of a are checked first, the likeliest to fail. */
static bool implied(const planner *p, uint32_t a, const uint32_t *entry, size_t ne) {
  for (uint32_t k = p->toff[a + 1]; k-- > p->toff[a];)
    for (size_t e = 0; e < ne; e++)
      if (!is_ancestor(p, p->tasks[k], entry[e])) return false;
  return true;
}

typedef struct slot {
  uint32_t occupant; /* the buffer holding it last */
  uint32_t cap;      /* limbs: the largest occupant */
} slot;

/* Greedy in DAG order: a shareable buffer takes, at its first access, a free
 * slot whose last occupant's every access is an ancestor of its entry
 * tasks: the smallest one that fits (the most recently freed among equals,
 * still warm in cache), else the largest one, which grows, else a new slot.
 * A slot freed more than the ancestor window ago can never pass that test
 * again, so it leaves the list of live slots for good: the candidates stay
 * few however large the DAG. */
static cf_status assign(planner *p, const uint8_t *share, uint32_t *slot_of, uint32_t *nslots) {
  size_t maxl = 1;
  for (size_t b = 0; b < p->nb; b++)
    if (cf_dag_buffer_at(p->dag, b)->nlimbs > maxl) maxl = cf_dag_buffer_at(p->dag, b)->nlimbs;
  slot *s = malloc((p->nb ? p->nb : 1) * sizeof *s);
  uint32_t *live = malloc((p->nb ? p->nb : 1) * sizeof *live);
  uint8_t *seen = malloc(maxl);
  uint32_t *entry = malloc(maxl * sizeof *entry);
  cf_status st = s && live && seen && entry ? CF_OK : CF_FAIL(CF_ENOMEM, "memory sharing: slots");
  uint32_t ns = 0, nlive = 0;
  long window = (long)(p->words * 64);
  for (size_t i = 0; st == CF_OK && i < p->nt; i++) {
    const cf_dag_task *t = cf_dag_task_at(p->dag, i);
    for (unsigned k = 0; k < t->npieces; k++) {
      uint32_t b = t->pieces[k].buffer;
      if (!share[b] || p->first[b] != (long)i || slot_of[b] != UINT32_MAX) continue;
      uint32_t need = cf_dag_buffer_at(p->dag, b)->nlimbs;
      size_t ne = 0;
      long j = -1, best = 0;
      for (uint32_t q = 0; q < nlive;) {
        uint32_t x = live[q];
        long last = p->last[s[x].occupant];
        if (last < (long)i - window) { /* out of reach from now on */
          live[q] = live[--nlive];
          continue;
        }
        q++;
        if (last >= (long)i) continue;
        /* fits: smallest capacity, then latest freed; else largest first */
        long key = s[x].cap >= need ? (long)s[x].cap * (long)p->nt - last
                                    : (long)(maxl + 1) * (long)p->nt + (long)(maxl - s[x].cap);
        if (j >= 0 && key >= best) continue;
        if (!ne) ne = entry_tasks(p, b, seen, entry);
        if (implied(p, s[x].occupant, entry, ne)) j = x, best = key;
      }
      if (j < 0) {
        j = ns++;
        s[j].cap = 0;
        live[nlive++] = (uint32_t)j;
      }
      s[j].occupant = b;
      if (s[j].cap < need) s[j].cap = need;
      slot_of[b] = (uint32_t)j;
    }
  }
  free(s), free(live), free(seen), free(entry);
  *nslots = ns;
  return st;
}

static cf_status plan(planner *p, const uint8_t *keep, uint32_t *store, uint32_t *nstores) {
  CF_TRY(buffer_tasks(p));
  CF_TRY(ancestors(p));
  uint8_t *share = calloc(p->nb ? p->nb : 1, 1);
  if (!share) return CF_FAIL(CF_ENOMEM, "memory sharing: %zu flags", p->nb);
  for (size_t b = 0; b < p->nb; b++)
    share[b] = cf_dag_buffer_at(p->dag, b)->role == CF_BUFFER_TEMP && p->first[b] >= 0 &&
               !(keep && keep[b]);
  for (size_t i = 0; i < cf_dag_noutputs(p->dag); i++) {
    const cf_dag_output *o = cf_dag_output_at(p->dag, i);
    for (int k = 0; k < o->npolys; k++)
      if (o->buffers[k] < p->nb) share[o->buffers[k]] = 0;
  }
  for (size_t b = 0; b < p->nb; b++)
    store[b] = UINT32_MAX;
  uint32_t nslots = 0;
  cf_status st = assign(p, share, store, &nslots);
  /* Slots are stores 0..nslots-1; every other buffer has one of its own. */
  uint32_t next = nslots;
  for (size_t b = 0; st == CF_OK && b < p->nb; b++)
    if (store[b] == UINT32_MAX) store[b] = next++;
  *nstores = next;
  free(share);
  return st;
}

cf_status cf_mem_plan_sharing(const cf_dag *dag, const uint8_t *keep, uint32_t *store,
                              uint32_t *nstores) {
  if (!dag || !store || !nstores) return CF_FAIL(CF_EINVAL, "memory sharing: NULL argument");
  planner p = {.dag = dag, .nb = cf_dag_nbuffers(dag), .nt = cf_dag_ntasks(dag)};
  p.first = malloc((p.nb ? p.nb : 1) * sizeof *p.first);
  p.last = malloc((p.nb ? p.nb : 1) * sizeof *p.last);
  cf_status st = p.first && p.last ? CF_OK : CF_FAIL(CF_ENOMEM, "memory sharing: lifetimes");
  for (size_t b = 0; st == CF_OK && b < p.nb; b++)
    p.first[b] = p.last[b] = -1;
  if (st == CF_OK) st = plan(&p, keep, store, nstores);
  free(p.first), free(p.last), free(p.toff), free(p.tasks), free(p.anc);
  return st;
}
