/* Event budget: tasks 70 %, transfers 15 %, memory samples 10 %, evictions
 * 5 %; a category under its share is kept whole. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "traces/aggregate.h"

static uint64_t total(const cf_tr_snap *s) {
  return s->ntasks + s->ntransfers + s->nsamples + s->nevictions + s->nscheds + 3 + 2 * s->nworkers;
}

static int cmp_worker_start(const void *pa, const void *pb) {
  const cf_trace_task *a = pa, *b = pb;
  if (a->worker != b->worker) return a->worker < b->worker ? -1 : 1;
  return a->start_ns < b->start_ns ? -1 : a->start_ns > b->start_ns;
}

static int cmp_start(const void *pa, const void *pb) {
  const cf_trace_task *a = pa, *b = pb;
  if (a->start_ns != b->start_ns) return a->start_ns < b->start_ns ? -1 : 1;
  return a->worker - b->worker;
}

/* Groups of up to g consecutive tasks on one worker become one slice named
 * after the kernel if they share it, else "mixed". */
static cf_status merge_tasks(const cf_tr_snap *s, size_t budget, cf_tr_agg *agg) {
  size_t n = s->ntasks;
  size_t g = budget ? (n + budget - 1) / budget : n;
  if (g < 1) g = 1;
  cf_trace_task *sorted = malloc((n + 1) * sizeof *sorted);
  cf_trace_task *out = malloc((n + 1) * sizeof *out);
  uint32_t *count = malloc((n + 1) * sizeof *count);
  if (!sorted || !out || !count) {
    free(sorted);
    free(out);
    free(count);
    return CF_FAIL(CF_ENOMEM, "trace aggregation: no memory for %zu tasks", n);
  }
  memcpy(sorted, s->tasks, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, cmp_worker_start);
  size_t m = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    cf_trace_task merged = sorted[i];
    merged.deps = NULL;
    merged.ndeps = 0;
    while (j < n && j - i < g && sorted[j].worker == sorted[i].worker) {
      if (sorted[j].end_ns > merged.end_ns) merged.end_ns = sorted[j].end_ns;
      if (strcmp(sorted[j].kernel, merged.kernel) != 0) merged.kernel = "mixed";
      if (merged.op && (!sorted[j].op || strcmp(sorted[j].op, merged.op) != 0)) merged.op = NULL;
      j++;
    }
    if (j - i > 1) {
      merged.node = -1;
      merged.limb_begin = merged.limb_end = -1;
    }
    count[m] = (uint32_t)(j - i);
    out[m++] = merged;
    i = j;
  }
  free(sorted);
  /* Keep the counts aligned with the slices while re-sorting by start. */
  typedef struct pair {
    cf_trace_task t;
    uint32_t c;
  } pair;
  pair *p = malloc((m + 1) * sizeof *p);
  if (!p) {
    free(out);
    free(count);
    return CF_FAIL(CF_ENOMEM, "trace aggregation: no memory");
  }
  for (size_t i = 0; i < m; i++)
    p[i] = (pair){out[i], count[i]};
  qsort(p, m, sizeof *p, cmp_start); /* cf_trace_task is the first member */
  for (size_t i = 0; i < m; i++) {
    out[i] = p[i].t;
    count[i] = p[i].c;
  }
  free(p);
  agg->snap.tasks = out;
  agg->snap.ntasks = m;
  agg->task_count = count;
  return CF_OK;
}

static cf_status merge_transfers(const cf_tr_snap *s, size_t budget, cf_tr_agg *agg) {
  size_t n = s->ntransfers, g = budget ? (n + budget - 1) / budget : n;
  cf_tr_transfer *out = malloc((n + 1) * sizeof *out);
  if (!out) return CF_FAIL(CF_ENOMEM, "trace aggregation: no memory for %zu transfers", n);
  size_t m = 0;
  /* Per link, groups of g in start order; links are few, so a pass per link. */
  bool *done = calloc(n + 1, sizeof *done);
  if (!done) {
    free(out);
    return CF_FAIL(CF_ENOMEM, "trace aggregation: no memory");
  }
  for (size_t i = 0; i < n; i++) {
    if (done[i]) continue;
    cf_tr_transfer cur = s->transfers[i];
    size_t in_group = 0;
    for (size_t j = i; j < n; j++) {
      const cf_tr_transfer *x = &s->transfers[j];
      if (done[j] || x->src != cur.src || x->dst != cur.dst) continue;
      done[j] = true;
      if (in_group == g) {
        out[m++] = cur;
        cur = *x;
        in_group = 1;
        continue;
      }
      if (in_group) {
        cur.bytes += x->bytes;
        if (x->end > cur.end) cur.end = x->end;
      }
      in_group++;
    }
    out[m++] = cur;
  }
  free(done);
  agg->snap.transfers = out;
  agg->snap.ntransfers = m;
  return CF_OK;
}

static cf_status thin_samples(const cf_tr_snap *s, size_t budget, cf_tr_agg *agg) {
  size_t n = s->nsamples;
  cf_tr_sample *out = malloc((n + 1) * sizeof *out);
  if (!out) return CF_FAIL(CF_ENOMEM, "trace aggregation: no memory for %zu samples", n);
  size_t g = budget ? (n + budget - 1) / budget : n, m = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    cf_tr_sample peak = s->samples[i];
    while (j < n && j - i < g && s->samples[j].node == s->samples[i].node) {
      if (s->samples[j].bytes > peak.bytes) peak = s->samples[j];
      j++;
    }
    out[m++] = peak;
    i = j;
  }
  agg->snap.samples = out;
  agg->snap.nsamples = m;
  return CF_OK;
}

cf_status cf_tr_aggregate(const cf_tr_snap *s, uint64_t max_events, cf_tr_agg *agg) {
  memset(agg, 0, sizeof *agg);
  agg->src = s;
  agg->snap = *s;
  if (max_events == 0 || total(s) <= max_events) return CF_OK;
  agg->aggregated = true;
  agg->snap.tasks = NULL;
  agg->snap.transfers = NULL;
  agg->snap.samples = NULL;
  agg->snap.nscheds = 0;
  size_t b = max_events > 16 ? (size_t)max_events : 16;
  size_t bt = b * 70 / 100, bx = b * 15 / 100, bm = b * 10 / 100, be = b * 5 / 100;
  if (bx < 1) bx = 1;
  if (bm < 1) bm = 1;
  cf_status st = merge_tasks(s, bt, agg);
  if (st == CF_OK) st = merge_transfers(s, bx, agg);
  if (st == CF_OK) st = thin_samples(s, bm, agg);
  if (agg->snap.nevictions > be) agg->snap.nevictions = be;
  if (st != CF_OK) cf_tr_agg_free(agg);
  return st;
}

void cf_tr_agg_free(cf_tr_agg *agg) {
  if (agg->aggregated) {
    free(agg->snap.tasks);
    free(agg->snap.transfers);
    free(agg->snap.samples);
    free(agg->task_count);
  }
  memset(agg, 0, sizeof *agg);
}
