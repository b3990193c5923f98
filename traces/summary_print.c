/* Text, JSON and side-by-side renderings of a cf_tr_summary. */
#include <inttypes.h>
#include <string.h>

#include "traces/json_out.h"
#include "traces/summary.h"

/* "12.345 ms" with a unit chosen for the value. */
static const char *dur(char *buf, size_t len, uint64_t ns) {
  if (ns >= 1000000000u)
    snprintf(buf, len, "%.3f s", (double)ns / 1e9);
  else if (ns >= 1000000u)
    snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
  else if (ns >= 1000u)
    snprintf(buf, len, "%.3f us", (double)ns / 1e3);
  else
    snprintf(buf, len, "%" PRIu64 " ns", ns);
  return buf;
}

static const char *size(char *buf, size_t len, uint64_t b) {
  if (b >= (1u << 30))
    snprintf(buf, len, "%.2f GiB", (double)b / (1u << 30));
  else if (b >= (1u << 20))
    snprintf(buf, len, "%.2f MiB", (double)b / (1u << 20));
  else if (b >= 1024u)
    snprintf(buf, len, "%.2f KiB", (double)b / 1024);
  else
    snprintf(buf, len, "%" PRIu64 " B", b);
  return buf;
}

static double pct(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static const char *worker_name(const cf_trace *t, int id) {
  return id >= 0 && id < CF_TRACE_MAX_WORKERS && t->workers[id].name ? t->workers[id].name : "?";
}

/* What the task that ended a gap waited for: the dependency or the copy into
 * its node that finished last. */
static const char *gap_reason(const cf_trace *t, const cf_tr_snap *s, const cf_tr_gap *g, char *buf,
                              size_t len) {
  if (g->next < 0) return "end of the run";
  const cf_trace_task *n = &s->tasks[g->next];
  const cf_tr_transfer *copy = g->last_copy >= 0 ? &s->transfers[g->last_copy] : NULL;
  const cf_trace_task *w = g->waited_for >= 0 ? &s->tasks[g->waited_for] : NULL;
  char c[32];
  if (copy && (!w || copy->end > w->end_ns)) {
    char n1[32], n2[32], sz[32];
    snprintf(buf, len, "waited for a copy %s -> %s of %s, done %s before it started",
             cf_tr_node_name(t, copy->src, n1, sizeof n1),
             cf_tr_node_name(t, copy->dst, n2, sizeof n2), size(sz, sizeof sz, copy->bytes),
             dur(c, sizeof c, n->start_ns - copy->end));
  } else if (w) {
    snprintf(buf, len, "waited for task %" PRIu64 " %s on %s, done %s before it started", w->id,
             w->kernel, worker_name(t, w->worker),
             dur(c, sizeof c, n->start_ns >= w->end_ns ? n->start_ns - w->end_ns : 0));
  } else if (n->ndeps == 0) {
    snprintf(buf, len, "no recorded dependency");
  } else {
    snprintf(buf, len, "its dependencies are not in the trace");
  }
  return buf;
}

static void print_gap(FILE *f, const cf_trace *t, const cf_tr_snap *s, const cf_tr_summary *m,
                      const cf_tr_gap *g) {
  char a[32], b[32];
  fprintf(f, "  %-10s %12s idle from +%s", worker_name(t, g->worker), dur(a, sizeof a, g->len_ns),
          dur(b, sizeof b, g->start_ns - m->t0));
  if (g->next < 0) {
    fprintf(f, " to the end of the run\n");
    return;
  }
  const cf_trace_task *n = &s->tasks[g->next];
  fprintf(f, "; next: task %" PRIu64 " %s", n->id, n->kernel);
  if (n->op) fprintf(f, " (%s)", n->op);
  char why[160];
  fprintf(f, ", %s\n", gap_reason(t, s, g, why, sizeof why));
}

void cf_tr_summary_print(FILE *f, const cf_trace *t, const cf_tr_snap *s, const cf_tr_summary *m) {
  char a[32], b[32], c[32];
  static const char *keys[] = {"program", "params", "policy", "grain", "host"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *v = cf_trace_get_meta(t, keys[i]);
    if (v) fprintf(f, "%-9s %s\n", keys[i], v);
  }
  if (m->aggregated)
    fprintf(f, "warning: this trace was aggregated at export; figures are approximate\n");
  if (m->dropped)
    fprintf(f, "warning: %" PRIu64 " events were dropped while recording\n", m->dropped);
  fprintf(f, "makespan  %s, %zu tasks, %zu workers, work %s (average parallelism %.2f)\n",
          dur(a, sizeof a, m->makespan_ns), m->ntasks, m->nworkers, dur(b, sizeof b, m->work_ns),
          m->makespan_ns ? (double)m->work_ns / (double)m->makespan_ns : 0.0);
  if (m->have_deps)
    fprintf(f, "critical path %s = %.1f%% of the makespan, %zu tasks\n",
            dur(a, sizeof a, m->critical_ns), pct(m->critical_ns, m->makespan_ns), m->ncritical);
  else
    fprintf(f, "critical path unavailable: the trace records no dependencies\n");
  if (m->unknown_deps || m->late_deps)
    fprintf(f, "  (ignored %zu dependencies on unknown tasks, %zu on tasks that started later)\n",
            m->unknown_deps, m->late_deps);
  fprintf(f, "\nworkers              busy          idle   busy%%  tasks\n");
  for (size_t i = 0; i < m->nworkers; i++) {
    const cf_tr_worker_stat *w = &m->workers[i];
    fprintf(f, "  %-10s %12s  %12s  %5.1f  %5zu\n", worker_name(t, w->id),
            dur(a, sizeof a, w->busy_ns), dur(b, sizeof b, w->idle_ns),
            pct(w->busy_ns, m->makespan_ns), w->ntasks);
  }
  fprintf(f, "\nby kernel            time  share%%  count          mean\n");
  for (size_t i = 0; i < m->nkernels; i++) {
    const cf_tr_group_stat *g = &m->kernels[i];
    fprintf(f, "  %-12s %10s  %6.1f  %5zu  %12s\n", g->name, dur(a, sizeof a, g->total_ns),
            pct(g->total_ns, m->work_ns), g->count, dur(b, sizeof b, g->total_ns / g->count));
  }
  fprintf(f, "\nby HE op             time  share%%  count\n");
  for (size_t i = 0; i < m->nops; i++) {
    const cf_tr_group_stat *g = &m->ops[i];
    fprintf(f, "  %-12s %10s  %6.1f  %5zu\n", g->name, dur(a, sizeof a, g->total_ns),
            pct(g->total_ns, m->work_ns), g->count);
  }
  if (m->nlinks) fprintf(f, "\nlinks                         bytes  copies          busy\n");
  for (size_t i = 0; i < m->nlinks; i++) {
    const cf_tr_link_stat *l = &m->links[i];
    char n1[32], n2[32], name[80];
    snprintf(name, sizeof name, "%s -> %s", cf_tr_node_name(t, l->src, n1, sizeof n1),
             cf_tr_node_name(t, l->dst, n2, sizeof n2));
    fprintf(f, "  %-20s %12s  %6zu  %12s\n", name, size(a, sizeof a, l->bytes), l->count,
            dur(b, sizeof b, l->busy_ns));
  }
  if (m->nnodes) fprintf(f, "\nmemory                 peak  evictions       evicted\n");
  for (size_t i = 0; i < m->nnodes; i++) {
    const cf_tr_node_stat *n = &m->nodes[i];
    char n1[32];
    fprintf(f, "  %-12s %12s  %9zu  %12s\n", cf_tr_node_name(t, n->node, n1, sizeof n1),
            size(a, sizeof a, n->peak_bytes), n->evictions, size(c, sizeof c, n->evicted_bytes));
  }
  if (m->ngaps) fprintf(f, "\nlongest idle gaps\n");
  for (size_t i = 0; i < m->ngaps; i++)
    print_gap(f, t, s, m, &m->gaps[i]);
}

static void json_groups(FILE *f, const char *key, const cf_tr_group_stat *g, size_t n) {
  fprintf(f, ",\"%s\":[", key);
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "%s{\"name\":", i ? "," : "");
    cf_tr_json_str(f, g[i].name);
    fprintf(f, ",\"total_ns\":%" PRIu64 ",\"count\":%zu}", g[i].total_ns, g[i].count);
  }
  fputc(']', f);
}

void cf_tr_summary_json(FILE *f, const cf_trace *t, const cf_tr_snap *s, const cf_tr_summary *m) {
  fprintf(f,
          "{\"makespan_ns\":%" PRIu64 ",\"t0_ns\":%" PRIu64 ",\"work_ns\":%" PRIu64
          ",\"tasks\":%zu,\"aggregated\":%s,\"dropped\":%" PRIu64 ",\"critical_path\":",
          m->makespan_ns, m->t0, m->work_ns, m->ntasks, m->aggregated ? "true" : "false",
          m->dropped);
  if (m->have_deps) {
    fprintf(f, "{\"ns\":%" PRIu64 ",\"tasks\":[", m->critical_ns);
    for (size_t i = 0; i < m->ncritical; i++)
      fprintf(f, "%s%" PRIu64, i ? "," : "", s->tasks[m->critical[i]].id);
    fputs("]}", f);
  } else {
    fputs("null", f);
  }
  fputs(",\"workers\":[", f);
  for (size_t i = 0; i < m->nworkers; i++) {
    const cf_tr_worker_stat *w = &m->workers[i];
    fprintf(f, "%s{\"id\":%d,\"name\":", i ? "," : "", w->id);
    cf_tr_json_str(f, worker_name(t, w->id));
    fprintf(f, ",\"busy_ns\":%" PRIu64 ",\"idle_ns\":%" PRIu64 ",\"tasks\":%zu}", w->busy_ns,
            w->idle_ns, w->ntasks);
  }
  fputc(']', f);
  json_groups(f, "kernels", m->kernels, m->nkernels);
  json_groups(f, "ops", m->ops, m->nops);
  fputs(",\"links\":[", f);
  for (size_t i = 0; i < m->nlinks; i++) {
    const cf_tr_link_stat *l = &m->links[i];
    fprintf(f,
            "%s{\"src\":%d,\"dst\":%d,\"bytes\":%" PRIu64 ",\"count\":%zu,\"busy_ns\":%" PRIu64 "}",
            i ? "," : "", l->src, l->dst, l->bytes, l->count, l->busy_ns);
  }
  fputs("],\"memory\":[", f);
  for (size_t i = 0; i < m->nnodes; i++) {
    const cf_tr_node_stat *n = &m->nodes[i];
    char b[32];
    fprintf(f, "%s{\"node\":%d,\"name\":", i ? "," : "", n->node);
    cf_tr_json_str(f, cf_tr_node_name(t, n->node, b, sizeof b));
    fprintf(f, ",\"peak_bytes\":%" PRIu64 ",\"evictions\":%zu,\"evicted_bytes\":%" PRIu64 "}",
            n->peak_bytes, n->evictions, n->evicted_bytes);
  }
  fputs("],\"gaps\":[", f);
  for (size_t i = 0; i < m->ngaps; i++) {
    const cf_tr_gap *g = &m->gaps[i];
    fprintf(f, "%s{\"worker\":%d,\"start_ns\":%" PRIu64 ",\"len_ns\":%" PRIu64 ",\"next\":",
            i ? "," : "", g->worker, g->start_ns, g->len_ns);
    if (g->next >= 0)
      fprintf(f, "%" PRIu64, s->tasks[g->next].id);
    else
      fputs("null", f);
    fputs(",\"waited_for\":", f);
    if (g->waited_for >= 0)
      fprintf(f, "%" PRIu64, s->tasks[g->waited_for].id);
    else
      fputs("null", f);
    char why[160];
    fputs(",\"reason\":", f);
    cf_tr_json_str(f, gap_reason(t, s, g, why, sizeof why));
    fputs(",\"last_copy_end_ns\":", f);
    if (g->last_copy >= 0)
      fprintf(f, "%" PRIu64, s->transfers[g->last_copy].end);
    else
      fputs("null", f);
    fputc('}', f);
  }
  fputs("]}", f);
}

static void row(FILE *f, const char *label, uint64_t a, uint64_t b, bool bytes) {
  char x[32], y[32], d[40];
  uint64_t diff = a > b ? a - b : b - a;
  char sign = b >= a ? '+' : '-';
  if (bytes) {
    size(x, sizeof x, a);
    size(y, sizeof y, b);
    d[0] = sign;
    size(d + 1, sizeof d - 1, diff);
  } else {
    dur(x, sizeof x, a);
    dur(y, sizeof y, b);
    d[0] = sign;
    dur(d + 1, sizeof d - 1, diff);
  }
  if (a)
    fprintf(f, "  %-24s %14s %14s %15s %+8.1f%%\n", label, x, y, d,
            100.0 * ((double)b - (double)a) / (double)a);
  else
    fprintf(f, "  %-24s %14s %14s %15s %9s\n", label, x, y, d, "");
}

static uint64_t group_total(const cf_tr_group_stat *g, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(g[i].name, name) == 0) return g[i].total_ns;
  return 0;
}

static void diff_groups(FILE *f, const char *title, const cf_tr_group_stat *ga, size_t na,
                        const cf_tr_group_stat *gb, size_t nb) {
  fprintf(f, "%s\n", title);
  for (size_t i = 0; i < na; i++)
    row(f, ga[i].name, ga[i].total_ns, group_total(gb, nb, ga[i].name), false);
  for (size_t i = 0; i < nb; i++)
    if (!group_total(ga, na, gb[i].name) && gb[i].total_ns)
      row(f, gb[i].name, 0, gb[i].total_ns, false);
}

static const cf_tr_node_stat *find_node(const cf_tr_summary *m, int node) {
  for (size_t i = 0; i < m->nnodes; i++)
    if (m->nodes[i].node == node) return &m->nodes[i];
  return NULL;
}

/* Peak memory and evicted bytes per node present in either summary. */
static void diff_memory(FILE *f, const cf_trace *ta, const cf_tr_summary *a, const cf_trace *tb,
                        const cf_tr_summary *b) {
  fprintf(f, "memory per node (peak, evicted)\n");
  for (int node = 0; node < CF_TRACE_MAX_NODES; node++) {
    const cf_tr_node_stat *x = find_node(a, node), *y = find_node(b, node);
    if (!x && !y) continue;
    char nb[32], label[64];
    const char *name = cf_tr_node_name(x ? ta : tb, node, nb, sizeof nb);
    snprintf(label, sizeof label, "%s peak", name);
    row(f, label, x ? x->peak_bytes : 0, y ? y->peak_bytes : 0, true);
    snprintf(label, sizeof label, "%s evicted", name);
    row(f, label, x ? x->evicted_bytes : 0, y ? y->evicted_bytes : 0, true);
  }
}

void cf_tr_summary_diff(FILE *f, const char *name_a, const cf_trace *ta, const cf_tr_summary *a,
                        const char *name_b, const cf_trace *tb, const cf_tr_summary *b) {
  fprintf(f, "A: %s\nB: %s\n", name_a, name_b);
  static const char *keys[] = {"program", "params", "policy", "grain", "host"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *va = cf_trace_get_meta(ta, keys[i]), *vb = cf_trace_get_meta(tb, keys[i]);
    if (va || vb)
      fprintf(f, "  %-8s A=%s  B=%s%s\n", keys[i], va ? va : "-", vb ? vb : "-",
              va && vb && strcmp(va, vb) == 0 ? "" : "  (differs)");
  }
  fprintf(f, "\n  %-24s %14s %14s %15s %9s\n", "", "A", "B", "B-A", "change");
  row(f, "makespan", a->makespan_ns, b->makespan_ns, false);
  row(f, "work (sum of tasks)", a->work_ns, b->work_ns, false);
  if (a->have_deps && b->have_deps)
    row(f, "critical path", a->critical_ns, b->critical_ns, false);
  else
    fprintf(f, "  %-24s unavailable (no dependencies in %s)\n", "critical path",
            a->have_deps   ? "B"
            : b->have_deps ? "A"
                           : "either");
  fprintf(f, "  %-24s %14zu %14zu %+15lld\n", "tasks", a->ntasks, b->ntasks,
          (long long)b->ntasks - (long long)a->ntasks);
  fprintf(f, "workers (busy)\n");
  for (size_t i = 0; i < a->nworkers; i++) {
    uint64_t other = 0;
    for (size_t j = 0; j < b->nworkers; j++)
      if (b->workers[j].id == a->workers[i].id) other = b->workers[j].busy_ns;
    row(f, worker_name(ta, a->workers[i].id), a->workers[i].busy_ns, other, false);
  }
  for (size_t j = 0; j < b->nworkers; j++) {
    bool found = false;
    for (size_t i = 0; i < a->nworkers; i++)
      found |= a->workers[i].id == b->workers[j].id;
    if (!found) row(f, worker_name(tb, b->workers[j].id), 0, b->workers[j].busy_ns, false);
  }
  diff_groups(f, "by kernel", a->kernels, a->nkernels, b->kernels, b->nkernels);
  diff_groups(f, "by HE op", a->ops, a->nops, b->ops, b->nops);
  fprintf(f, "bytes per link\n");
  for (size_t i = 0; i < a->nlinks; i++) {
    uint64_t other = 0;
    for (size_t j = 0; j < b->nlinks; j++)
      if (b->links[j].src == a->links[i].src && b->links[j].dst == a->links[i].dst)
        other = b->links[j].bytes;
    char n1[32], n2[32], name[80];
    snprintf(name, sizeof name, "%s -> %s", cf_tr_node_name(ta, a->links[i].src, n1, sizeof n1),
             cf_tr_node_name(ta, a->links[i].dst, n2, sizeof n2));
    row(f, name, a->links[i].bytes, other, true);
  }
  for (size_t j = 0; j < b->nlinks; j++) {
    bool found = false;
    for (size_t i = 0; i < a->nlinks; i++)
      found |= a->links[i].src == b->links[j].src && a->links[i].dst == b->links[j].dst;
    if (found) continue;
    char n1[32], n2[32], name[80];
    snprintf(name, sizeof name, "%s -> %s", cf_tr_node_name(tb, b->links[j].src, n1, sizeof n1),
             cf_tr_node_name(tb, b->links[j].dst, n2, sizeof n2));
    row(f, name, 0, b->links[j].bytes, true);
  }
  diff_memory(f, ta, a, tb, b);
}
