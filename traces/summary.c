/* Computes cf_tr_summary from a snapshot. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "traces/summary.h"

void cf_tr_summary_free(cf_tr_summary *m) {
  if (!m) return;
  free(m->workers);
  free(m->kernels);
  free(m->ops);
  free(m->links);
  free(m->nodes);
  free(m->critical);
  free(m->gaps);
  memset(m, 0, sizeof *m);
}

static int cmp_group(const void *pa, const void *pb) {
  const cf_tr_group_stat *a = pa, *b = pb;
  if (a->total_ns != b->total_ns) return a->total_ns > b->total_ns ? -1 : 1;
  return strcmp(a->name, b->name);
}

static void add_group(cf_tr_group_stat *g, size_t *n, const char *name, uint64_t dur) {
  for (size_t i = 0; i < *n; i++) {
    if (strcmp(g[i].name, name) == 0) {
      g[i].total_ns += dur;
      g[i].count++;
      return;
    }
  }
  g[(*n)++] = (cf_tr_group_stat){name, dur, 1};
}

static int cmp_gap(const void *pa, const void *pb) {
  const cf_tr_gap *a = pa, *b = pb;
  if (a->len_ns != b->len_ns) return a->len_ns > b->len_ns ? -1 : 1;
  if (a->worker != b->worker) return a->worker - b->worker;
  return a->start_ns < b->start_ns ? -1 : a->start_ns > b->start_ns;
}

static void per_worker(const cf_trace *t, const cf_tr_snap *s, cf_tr_summary *m, cf_tr_gap *gaps,
                       size_t *ngaps, const cf_tr_index *ix) {
  for (size_t w = 0; w < s->nworkers; w++) {
    int id = s->worker_ids[w];
    cf_tr_worker_stat *ws = &m->workers[w];
    ws->id = id;
    uint64_t cursor = m->t0; /* end of the union of intervals so far */
    for (size_t i = 0; i < s->ntasks; i++) {
      const cf_trace_task *k = &s->tasks[i];
      if (k->worker != id) continue;
      ws->ntasks++;
      if (k->start_ns > cursor) {
        cf_tr_gap g = {.worker = id,
                       .start_ns = cursor,
                       .len_ns = k->start_ns - cursor,
                       .next = (long)i,
                       .waited_for = -1,
                       .last_copy = -1};
        uint64_t best = 0;
        for (uint32_t d = 0; d < k->ndeps; d++) {
          long p = cf_tr_index_find(ix, k->deps[d]);
          if (p >= 0 && (g.waited_for < 0 || s->tasks[p].end_ns > best)) {
            g.waited_for = p;
            best = s->tasks[p].end_ns;
          }
        }
        gaps[(*ngaps)++] = g;
        ws->busy_ns += k->end_ns - k->start_ns;
        cursor = k->end_ns;
      } else if (k->end_ns > cursor) {
        ws->busy_ns += k->end_ns - cursor;
        cursor = k->end_ns;
      }
    }
    if (cursor < m->t1 && m->ntasks)
      gaps[(*ngaps)++] = (cf_tr_gap){.worker = id,
                                     .start_ns = cursor,
                                     .len_ns = m->t1 - cursor,
                                     .next = -1,
                                     .waited_for = -1,
                                     .last_copy = -1};
    ws->idle_ns = m->makespan_ns - ws->busy_ns;
  }
}

/* Copies into the worker's memory node that ended inside each reported gap
 * (only those: transfers x gaps would be quadratic on big traces). */
static void copies_into_gaps(const cf_trace *t, const cf_tr_snap *s, cf_tr_gap *gaps, size_t n) {
  for (size_t i = 0; i < n; i++) {
    cf_tr_gap *g = &gaps[i];
    if (g->next < 0) continue;
    int node = t->workers[g->worker].memnode;
    uint64_t until = s->tasks[g->next].start_ns;
    for (size_t x = 0; x < s->ntransfers; x++) {
      const cf_tr_transfer *c = &s->transfers[x];
      if (c->dst != node || c->end <= g->start_ns || c->end > until) continue;
      g->transfers_in++;
      if (g->last_copy < 0 || c->end > s->transfers[g->last_copy].end) g->last_copy = (long)x;
    }
  }
}

/* Longest chain in start order: a dependency counts only if it comes earlier
 * in that order, which keeps the graph acyclic whatever the file says. */
static cf_status critical_path(const cf_tr_snap *s, const cf_tr_index *ix, cf_tr_summary *m) {
  size_t n = s->ntasks;
  uint64_t *best = calloc(n + 1, sizeof *best);
  long *prev = malloc((n + 1) * sizeof *prev);
  if (!best || !prev) {
    free(best);
    free(prev);
    return CF_FAIL(CF_ENOMEM, "trace summary: no memory for the critical path of %zu tasks", n);
  }
  long last = -1;
  for (size_t i = 0; i < n; i++) {
    const cf_trace_task *k = &s->tasks[i];
    prev[i] = -1;
    uint64_t before = 0;
    for (uint32_t d = 0; d < k->ndeps; d++) {
      m->have_deps = true;
      long p = cf_tr_index_find(ix, k->deps[d]);
      if (p < 0) {
        m->unknown_deps++;
        continue;
      }
      if ((size_t)p >= i) {
        m->late_deps++;
        continue;
      }
      if (prev[i] < 0 || best[p] > before) {
        before = best[p];
        prev[i] = p;
      }
    }
    best[i] = before + (k->end_ns - k->start_ns);
    if (last < 0 || best[i] > best[last]) last = (long)i;
  }
  if (m->have_deps && last >= 0) {
    m->critical_ns = best[last];
    size_t len = 0;
    for (long c = last; c >= 0; c = prev[c])
      len++;
    m->critical = malloc(len * sizeof *m->critical);
    if (!m->critical) {
      free(best);
      free(prev);
      return CF_FAIL(CF_ENOMEM, "trace summary: no memory");
    }
    m->ncritical = len;
    for (long c = last; c >= 0; c = prev[c])
      m->critical[--len] = (size_t)c;
  }
  free(best);
  free(prev);
  return CF_OK;
}

static cf_status groups_links_nodes(const cf_tr_snap *s, cf_tr_summary *m) {
  size_t n = s->ntasks;
  m->kernels = calloc(n + 1, sizeof *m->kernels);
  m->ops = calloc(n + 1, sizeof *m->ops);
  m->links = calloc(s->ntransfers + 1, sizeof *m->links);
  m->nodes = calloc(CF_TRACE_MAX_NODES, sizeof *m->nodes);
  if (!m->kernels || !m->ops || !m->links || !m->nodes)
    return CF_FAIL(CF_ENOMEM, "trace summary: no memory for %zu tasks", n);
  for (size_t i = 0; i < n; i++) {
    const cf_trace_task *k = &s->tasks[i];
    uint64_t d = k->end_ns - k->start_ns;
    add_group(m->kernels, &m->nkernels, k->kernel, d);
    add_group(m->ops, &m->nops, k->op ? k->op : "(none)", d);
  }
  qsort(m->kernels, m->nkernels, sizeof *m->kernels, cmp_group);
  qsort(m->ops, m->nops, sizeof *m->ops, cmp_group);
  for (size_t i = 0; i < s->ntransfers; i++) {
    const cf_tr_transfer *x = &s->transfers[i];
    size_t l = 0;
    while (l < m->nlinks && (m->links[l].src != x->src || m->links[l].dst != x->dst))
      l++;
    if (l == m->nlinks) m->links[m->nlinks++] = (cf_tr_link_stat){.src = x->src, .dst = x->dst};
    m->links[l].bytes += x->bytes;
    m->links[l].busy_ns += x->end - x->start;
    m->links[l].count++;
  }
  bool seen[CF_TRACE_MAX_NODES] = {false};
  cf_tr_node_stat tmp[CF_TRACE_MAX_NODES] = {{0}};
  for (size_t i = 0; i < s->nsamples; i++) {
    cf_tr_node_stat *ns = &tmp[s->samples[i].node];
    seen[s->samples[i].node] = true;
    if (s->samples[i].bytes > ns->peak_bytes) ns->peak_bytes = s->samples[i].bytes;
  }
  for (size_t i = 0; i < s->nevictions; i++) {
    cf_tr_node_stat *ns = &tmp[s->evictions[i].from];
    seen[s->evictions[i].from] = true;
    ns->evictions++;
    ns->evicted_bytes += s->evictions[i].bytes;
  }
  for (int nd = 0; nd < CF_TRACE_MAX_NODES; nd++) {
    if (!seen[nd]) continue;
    tmp[nd].node = nd;
    m->nodes[m->nnodes++] = tmp[nd];
  }
  return CF_OK;
}

cf_status cf_tr_summarize(const cf_trace *t, const cf_tr_snap *s, size_t max_gaps,
                          cf_tr_summary *m) {
  if (!t || !s || !m) return CF_FAIL(CF_EINVAL, "trace summary: NULL argument");
  memset(m, 0, sizeof *m);
  m->ntasks = s->ntasks;
  m->aggregated = cf_trace_get_meta(t, "aggregated") != NULL;
  m->dropped = cf_trace_dropped(t);
  for (size_t i = 0; i < s->ntasks; i++) {
    const cf_trace_task *k = &s->tasks[i];
    if (i == 0 || k->start_ns < m->t0) m->t0 = k->start_ns;
    if (i == 0 || k->end_ns > m->t1) m->t1 = k->end_ns;
    m->work_ns += k->end_ns - k->start_ns;
  }
  m->makespan_ns = m->t1 - m->t0;
  cf_tr_index ix;
  CF_TRY(cf_tr_index_build(s, &ix));
  /* At most one gap per task plus one trailing gap per worker. */
  cf_tr_gap *gaps = calloc(s->ntasks + s->nworkers + 1, sizeof *gaps);
  m->workers = calloc(s->nworkers + 1, sizeof *m->workers);
  cf_status st = gaps && m->workers ? CF_OK : CF_FAIL(CF_ENOMEM, "trace summary: no memory");
  if (st == CF_OK) {
    m->nworkers = s->nworkers;
    size_t ngaps = 0;
    per_worker(t, s, m, gaps, &ngaps, &ix);
    qsort(gaps, ngaps, sizeof *gaps, cmp_gap);
    m->ngaps = ngaps < max_gaps ? ngaps : max_gaps;
    copies_into_gaps(t, s, gaps, m->ngaps);
    m->gaps = gaps;
    gaps = NULL;
    st = critical_path(s, &ix, m);
  }
  if (st == CF_OK) st = groups_links_nodes(s, m);
  free(gaps);
  cf_tr_index_free(&ix);
  if (st != CF_OK) cf_tr_summary_free(m);
  return st;
}
