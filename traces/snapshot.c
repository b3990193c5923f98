/* Copies a finished trace's events into sorted arrays. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "traces/model.h"

static int cmp_task(const void *pa, const void *pb) {
  const cf_trace_task *a = pa, *b = pb;
  if (a->start_ns != b->start_ns) return a->start_ns < b->start_ns ? -1 : 1;
  if (a->worker != b->worker) return a->worker < b->worker ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}
static int cmp_transfer(const void *pa, const void *pb) {
  const cf_tr_transfer *a = pa, *b = pb;
  if (a->start != b->start) return a->start < b->start ? -1 : 1;
  if (a->src != b->src) return a->src - b->src;
  return a->dst - b->dst;
}
static int cmp_sample(const void *pa, const void *pb) {
  const cf_tr_sample *a = pa, *b = pb;
  if (a->node != b->node) return a->node - b->node;
  return a->ts < b->ts ? -1 : a->ts > b->ts;
}
static int cmp_eviction(const void *pa, const void *pb) {
  const cf_tr_eviction *a = pa, *b = pb;
  return a->ts < b->ts ? -1 : a->ts > b->ts;
}
static int cmp_sched(const void *pa, const void *pb) {
  const cf_tr_sched *a = pa, *b = pb;
  if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
  return a->task < b->task ? -1 : a->task > b->task;
}

void cf_tr_snap_free(cf_tr_snap *s) {
  if (!s) return;
  free(s->tasks);
  free(s->dep_store);
  free(s->transfers);
  free(s->samples);
  free(s->evictions);
  free(s->scheds);
  free(s->worker_ids);
  memset(s, 0, sizeof *s);
}

cf_status cf_tr_snapshot(const cf_trace *t, cf_tr_snap *out) {
  if (!t || !out) return CF_FAIL(CF_EINVAL, "trace snapshot: NULL argument");
  memset(out, 0, sizeof *out);
  uint64_t n = cf_tr_slot_count(t);
  size_t counts[CF_TR_SCHED + 1] = {0};
  uint64_t ndeps = 0;
  for (uint64_t i = 0; i < n; i++) {
    const cf_tr_event *e = cf_tr_event_at(t, i);
    if (!e) continue;
    counts[e->kind]++;
    if (e->kind == CF_TR_TASK) ndeps += e->ndeps;
  }
  out->tasks = calloc(counts[CF_TR_TASK] + 1, sizeof *out->tasks);
  out->dep_store = calloc(ndeps + 1, sizeof *out->dep_store);
  out->transfers = calloc(counts[CF_TR_TRANSFER] + 1, sizeof *out->transfers);
  out->samples = calloc(counts[CF_TR_MEMORY] + 1, sizeof *out->samples);
  out->evictions = calloc(counts[CF_TR_EVICTION] + 1, sizeof *out->evictions);
  out->scheds = calloc(counts[CF_TR_SCHED] + 1, sizeof *out->scheds);
  out->worker_ids = calloc(CF_TRACE_MAX_WORKERS, sizeof *out->worker_ids);
  if (!out->tasks || !out->dep_store || !out->transfers || !out->samples || !out->evictions ||
      !out->scheds || !out->worker_ids) {
    cf_tr_snap_free(out);
    return CF_FAIL(CF_ENOMEM, "trace snapshot: no memory for %llu events", (unsigned long long)n);
  }
  for (int w = 0; w < CF_TRACE_MAX_WORKERS; w++)
    if (t->workers[w].used) out->worker_ids[out->nworkers++] = w;
  uint64_t dpos = 0;
  bool any = false;
  for (uint64_t i = 0; i < n; i++) {
    const cf_tr_event *e = cf_tr_event_at(t, i);
    if (!e) continue;
    if (!any || e->t0 < out->t_min) out->t_min = e->t0;
    if (!any || e->t1 > out->t_max) out->t_max = e->t1;
    any = true;
    switch ((cf_tr_kind)e->kind) {
    case CF_TR_TASK: {
      /* Deps are stored as offsets first; turned into pointers once the store is final. */
      for (uint32_t k = 0; k < e->ndeps; k++) {
        const uint64_t *d = cf_tr_dep_at(t, e->dep_first + k);
        out->dep_store[dpos + k] = d ? *d : 0;
      }
      out->tasks[out->ntasks++] = (cf_trace_task){.id = e->id,
                                                  .worker = e->a,
                                                  .start_ns = e->t0,
                                                  .end_ns = e->t1,
                                                  .kernel = e->name,
                                                  .op = e->op,
                                                  .node = e->node,
                                                  .limb_begin = e->b,
                                                  .limb_end = e->c,
                                                  .level = e->d,
                                                  .deps = (const uint64_t *)(uintptr_t)dpos,
                                                  .ndeps = e->ndeps};
      dpos += e->ndeps;
      break;
    }
    case CF_TR_TRANSFER:
      out->transfers[out->ntransfers++] =
          (cf_tr_transfer){.src = e->a, .dst = e->b, .bytes = e->u, .start = e->t0, .end = e->t1};
      break;
    case CF_TR_MEMORY:
      out->samples[out->nsamples++] = (cf_tr_sample){.node = e->a, .ts = e->t0, .bytes = e->u};
      break;
    case CF_TR_EVICTION:
      out->evictions[out->nevictions++] =
          (cf_tr_eviction){.from = e->a, .to = e->b, .bytes = e->u, .ts = e->t0};
      break;
    case CF_TR_SCHED:
      out->scheds[out->nscheds++] =
          (cf_tr_sched){.ts = e->t0, .task = e->id, .worker = e->c, .reason = e->name};
      break;
    }
  }
  for (size_t i = 0; i < out->ntasks; i++)
    out->tasks[i].deps = out->dep_store + (uintptr_t)out->tasks[i].deps;
  qsort(out->tasks, out->ntasks, sizeof *out->tasks, cmp_task);
  qsort(out->transfers, out->ntransfers, sizeof *out->transfers, cmp_transfer);
  qsort(out->samples, out->nsamples, sizeof *out->samples, cmp_sample);
  qsort(out->evictions, out->nevictions, sizeof *out->evictions, cmp_eviction);
  qsort(out->scheds, out->nscheds, sizeof *out->scheds, cmp_sched);
  return CF_OK;
}

typedef struct id_pos {
  uint64_t id;
  size_t pos;
} id_pos;

static int cmp_id_pos(const void *pa, const void *pb) {
  const id_pos *a = pa, *b = pb;
  if (a->id != b->id) return a->id < b->id ? -1 : 1;
  return a->pos < b->pos ? -1 : a->pos > b->pos;
}

cf_status cf_tr_index_build(const cf_tr_snap *s, cf_tr_index *out) {
  memset(out, 0, sizeof *out);
  id_pos *tmp = malloc((s->ntasks + 1) * sizeof *tmp);
  out->ids = malloc((s->ntasks + 1) * sizeof *out->ids);
  out->pos = malloc((s->ntasks + 1) * sizeof *out->pos);
  if (!tmp || !out->ids || !out->pos) {
    free(tmp);
    cf_tr_index_free(out);
    return CF_FAIL(CF_ENOMEM, "trace index: no memory for %zu tasks", s->ntasks);
  }
  for (size_t i = 0; i < s->ntasks; i++)
    tmp[i] = (id_pos){s->tasks[i].id, i};
  qsort(tmp, s->ntasks, sizeof *tmp, cmp_id_pos);
  for (size_t i = 0; i < s->ntasks; i++) {
    out->ids[i] = tmp[i].id;
    out->pos[i] = tmp[i].pos;
  }
  out->n = s->ntasks;
  free(tmp);
  return CF_OK;
}

long cf_tr_index_find(const cf_tr_index *ix, uint64_t id) {
  size_t lo = 0, hi = ix->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ix->ids[mid] < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < ix->n && ix->ids[lo] == id) return (long)ix->pos[lo];
  return -1;
}

void cf_tr_index_free(cf_tr_index *ix) {
  free(ix->ids);
  free(ix->pos);
  ix->ids = NULL;
  ix->pos = NULL;
  ix->n = 0;
}
