/*
 * Chrome Trace Event JSON. Layout (see docs/traces.md):
 *   pid 1 "workers":   one tid per worker, "X" slices for tasks, "i" for
 *                      scheduler decisions, optional "s"/"f" flows per edge
 *   pid 2 "transfers": one tid per link and lane, "X" slices for copies
 *   pid 3 "memory":    "C" counters "memory <node>", "i" evictions
 * Timestamps are relative to otherData.origin_ns so they stay exact.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "traces/aggregate.h"
#include "traces/json_out.h"

enum { PID_WORKERS = 1, PID_TRANSFERS = 2, PID_MEMORY = 3, TID_LINK_BASE = 1000 };

void cf_tr_json_str(FILE *f, const char *s) {
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\t': fputs("\\t", f); break;
    case '\r': fputs("\\r", f); break;
    case '<': fputs("\\u003c", f); break;
    case '>': fputs("\\u003e", f); break;
    default:
      if (*p < 0x20)
        fprintf(f, "\\u%04x", *p);
      else
        fputc(*p, f);
    }
  }
  fputc('"', f);
}

void cf_tr_json_us(FILE *f, uint64_t ns) {
  fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

static void write_ts(FILE *f, uint64_t ns, uint64_t origin) {
  fputs("\"ts\":", f);
  cf_tr_json_us(f, ns - origin);
}

typedef struct writer {
  FILE *f;
  bool first;
  uint64_t origin;
} writer;

static void next(writer *w) {
  fputs(w->first ? "\n" : ",\n", w->f);
  w->first = false;
}

static void write_metadata(writer *w, const cf_trace *t, const cf_tr_snap *s, int nlanes_links,
                           const int *lane_src, const int *lane_dst, const int *lane_no) {
  FILE *f = w->f;
  const char *procs[] = {NULL, "workers", "transfers", "memory"};
  for (int p = PID_WORKERS; p <= PID_MEMORY; p++) {
    next(w);
    fprintf(f,
            "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":", p);
    cf_tr_json_str(f, procs[p]);
    fputs("}}", f);
  }
  for (size_t i = 0; i < s->nworkers; i++) {
    int id = s->worker_ids[i];
    const cf_tr_worker *wk = &t->workers[id];
    next(w);
    fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":",
            PID_WORKERS, id);
    cf_tr_json_str(f, wk->name);
    fprintf(f, ",\"worker\":%d,\"kind\":\"%s\",\"memnode\":%d}}", id,
            wk->kind == CF_TRACE_CUDA ? "cuda" : "cpu", wk->memnode);
    next(w);
    fprintf(f,
            "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"name\":\"thread_sort_index\","
            "\"args\":{\"sort_index\":%d}}",
            PID_WORKERS, id, id);
  }
  for (int l = 0; l < nlanes_links; l++) {
    char a[32], b[32], name[96];
    snprintf(name, sizeof name, "%s -> %s", cf_tr_node_name(t, lane_src[l], a, sizeof a),
             cf_tr_node_name(t, lane_dst[l], b, sizeof b));
    if (lane_no[l] > 0) {
      size_t len = strlen(name);
      snprintf(name + len, sizeof name - len, " #%d", lane_no[l] + 1);
    }
    next(w);
    fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":",
            PID_TRANSFERS, TID_LINK_BASE + l);
    cf_tr_json_str(f, name);
    fputs("}}", f);
  }
}

static void write_task(writer *w, const cf_trace_task *k, uint32_t count) {
  FILE *f = w->f;
  next(w);
  fputs("{\"ph\":\"X\",\"cat\":\"task\",\"name\":", f);
  cf_tr_json_str(f, k->kernel);
  fprintf(f, ",\"pid\":%d,\"tid\":%d,", PID_WORKERS, k->worker);
  write_ts(f, k->start_ns, w->origin);
  fputs(",\"dur\":", f);
  cf_tr_json_us(f, k->end_ns - k->start_ns);
  fprintf(f, ",\"args\":{\"id\":%" PRIu64 ",\"kernel\":", k->id);
  cf_tr_json_str(f, k->kernel);
  fputs(",\"op\":", f);
  cf_tr_json_str(f, k->op);
  fprintf(f, ",\"node\":%" PRId64 ",\"limbs\":[%d,%d],\"level\":%d", k->node, k->limb_begin,
          k->limb_end, k->level);
  if (count > 1) fprintf(f, ",\"count\":%u", count);
  fputs(",\"deps\":[", f);
  for (uint32_t d = 0; d < k->ndeps; d++)
    fprintf(f, "%s%" PRIu64, d ? "," : "", k->deps[d]);
  fputs("]}}", f);
}

/* Lane per transfer so that slices on one track never overlap. */
static cf_status assign_lanes(const cf_tr_transfer *tr, size_t n, int *lane_of, int **src,
                              int **dst, int **no, int *nlanes) {
  size_t cap = 16;
  int *s = malloc(cap * sizeof *s), *d = malloc(cap * sizeof *d), *k = malloc(cap * sizeof *k);
  uint64_t *busy_until = malloc(cap * sizeof *busy_until);
  int nl = 0;
  if (!s || !d || !k || !busy_until) goto oom;
  for (size_t i = 0; i < n; i++) {
    int found = -1, per_link = 0;
    for (int l = 0; l < nl; l++) {
      if (s[l] != tr[i].src || d[l] != tr[i].dst) continue;
      per_link++;
      if (busy_until[l] <= tr[i].start) {
        found = l;
        break;
      }
    }
    if (found < 0) {
      if ((size_t)nl == cap) {
        cap *= 2;
        int *s2 = realloc(s, cap * sizeof *s);
        if (s2) s = s2;
        int *d2 = realloc(d, cap * sizeof *d);
        if (d2) d = d2;
        int *k2 = realloc(k, cap * sizeof *k);
        if (k2) k = k2;
        uint64_t *b2 = realloc(busy_until, cap * sizeof *busy_until);
        if (b2) busy_until = b2;
        if (!s2 || !d2 || !k2 || !b2) goto oom;
      }
      found = nl++;
      s[found] = tr[i].src;
      d[found] = tr[i].dst;
      k[found] = per_link;
    }
    busy_until[found] = tr[i].end;
    lane_of[i] = found;
  }
  free(busy_until);
  *src = s;
  *dst = d;
  *no = k;
  *nlanes = nl;
  return CF_OK;
oom:
  free(s);
  free(d);
  free(k);
  free(busy_until);
  return CF_FAIL(CF_ENOMEM, "trace export: no memory for transfer lanes");
}

static void write_other_data(writer *w, const cf_trace *t, const cf_tr_snap *s, bool aggregated) {
  FILE *f = w->f;
  fprintf(f,
          "\"otherData\":{\"format\":\"cipherflow-trace\",\"version\":1,\"origin_ns\":\"%" PRIu64
          "\",\"dropped_events\":%" PRIu64 ",\"dropped_dependencies\":%" PRIu64
          ",\"aggregated\":%s,\"memnodes\":[",
          w->origin, cf_trace_dropped(t), (uint64_t)atomic_load(&((cf_trace *)t)->dropped_deps),
          aggregated ? "true" : "false");
  bool first = true;
  for (int n = 0; n < CF_TRACE_MAX_NODES; n++) {
    if (!t->memnodes[n]) continue;
    fprintf(f, "%s{\"id\":%d,\"name\":", first ? "" : ",", n);
    cf_tr_json_str(f, t->memnodes[n]);
    fputc('}', f);
    first = false;
  }
  fputs("],\"meta\":{", f);
  for (size_t i = 0; i < t->nmeta; i++) {
    if (i) fputc(',', f);
    cf_tr_json_str(f, t->meta[i].key);
    fputc(':', f);
    cf_tr_json_str(f, t->meta[i].value);
  }
  fputs("}}", f);
  (void)s;
}

cf_status cf_tr_write_chrome(const cf_trace *t, const cf_tr_snap *s_in, FILE *f,
                             const cf_trace_export_options *opt) {
  cf_trace_export_options o = opt ? *opt : (cf_trace_export_options){0};
  cf_tr_agg agg;
  CF_TRY(cf_tr_aggregate(s_in, o.max_events, &agg));
  const cf_tr_snap *s = &agg.snap;
  bool flows = o.flows && !agg.aggregated;
  int *lane_of = malloc((s->ntransfers + 1) * sizeof *lane_of);
  int *lsrc = NULL, *ldst = NULL, *lno = NULL, nlanes = 0;
  cf_status st = lane_of ? CF_OK : CF_FAIL(CF_ENOMEM, "trace export: no memory");
  if (st == CF_OK)
    st = assign_lanes(s->transfers, s->ntransfers, lane_of, &lsrc, &ldst, &lno, &nlanes);
  cf_tr_index ix = {0};
  if (st == CF_OK && flows) st = cf_tr_index_build(s, &ix);
  if (st != CF_OK) {
    free(lane_of);
    cf_tr_agg_free(&agg);
    return st;
  }
  writer w = {.f = f, .first = true, .origin = s_in->t_min};
  fputs("{\"displayTimeUnit\":\"ns\",\n", f);
  write_other_data(&w, t, s, agg.aggregated);
  fputs(",\n\"traceEvents\":[", f);
  write_metadata(&w, t, s, nlanes, lsrc, ldst, lno);
  for (size_t i = 0; i < s->ntasks; i++)
    write_task(&w, &s->tasks[i], agg.task_count ? agg.task_count[i] : 1);
  for (size_t i = 0; i < s->ntransfers; i++) {
    const cf_tr_transfer *x = &s->transfers[i];
    char a[32], b[32];
    next(&w);
    fputs("{\"ph\":\"X\",\"cat\":\"transfer\",\"name\":", f);
    char name[80];
    snprintf(name, sizeof name, "%s -> %s", cf_tr_node_name(t, x->src, a, sizeof a),
             cf_tr_node_name(t, x->dst, b, sizeof b));
    cf_tr_json_str(f, name);
    fprintf(f, ",\"pid\":%d,\"tid\":%d,", PID_TRANSFERS, TID_LINK_BASE + lane_of[i]);
    write_ts(f, x->start, w.origin);
    fputs(",\"dur\":", f);
    cf_tr_json_us(f, x->end - x->start);
    fprintf(f, ",\"args\":{\"src\":%d,\"dst\":%d,\"bytes\":%" PRIu64 "}}", x->src, x->dst,
            x->bytes);
  }
  for (size_t i = 0; i < s->nsamples; i++) {
    const cf_tr_sample *x = &s->samples[i];
    char a[32], name[64];
    snprintf(name, sizeof name, "memory %s", cf_tr_node_name(t, x->node, a, sizeof a));
    next(&w);
    fputs("{\"ph\":\"C\",\"cat\":\"memory\",\"name\":", f);
    cf_tr_json_str(f, name);
    fprintf(f, ",\"pid\":%d,\"tid\":0,", PID_MEMORY);
    write_ts(f, x->ts, w.origin);
    fprintf(f, ",\"args\":{\"bytes\":%" PRIu64 "}}", x->bytes);
  }
  for (size_t i = 0; i < s->nevictions; i++) {
    const cf_tr_eviction *x = &s->evictions[i];
    next(&w);
    fprintf(f,
            "{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"eviction\",\"name\":\"evict\",\"pid\":%d,"
            "\"tid\":0,",
            PID_MEMORY);
    write_ts(f, x->ts, w.origin);
    fprintf(f, ",\"args\":{\"from\":%d,\"to\":%d,\"bytes\":%" PRIu64 "}}", x->from, x->to,
            x->bytes);
  }
  for (size_t i = 0; i < s->nscheds; i++) {
    const cf_tr_sched *x = &s->scheds[i];
    next(&w);
    fprintf(f,
            "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"sched\",\"name\":\"sched\",\"pid\":%d,"
            "\"tid\":%d,",
            PID_WORKERS, x->worker);
    write_ts(f, x->ts, w.origin);
    fprintf(f, ",\"args\":{\"task\":%" PRIu64 ",\"reason\":", x->task);
    cf_tr_json_str(f, x->reason);
    fputs("}}", f);
  }
  if (flows) {
    uint64_t edge = 0;
    for (size_t i = 0; i < s->ntasks; i++) {
      const cf_trace_task *c = &s->tasks[i];
      for (uint32_t d = 0; d < c->ndeps; d++) {
        long p = cf_tr_index_find(&ix, c->deps[d]);
        if (p < 0) continue;
        const cf_trace_task *pr = &s->tasks[p];
        edge++;
        /* A flow cannot fork: one s/f pair per edge, the start inside the producer. */
        next(&w);
        fprintf(f,
                "{\"ph\":\"s\",\"cat\":\"dep\",\"name\":\"dep\",\"id\":%" PRIu64
                ",\"pid\":%d,\"tid\":%d,",
                edge, PID_WORKERS, pr->worker);
        write_ts(f, pr->start_ns + (pr->end_ns - pr->start_ns) / 2, w.origin);
        fputc('}', f);
        next(&w);
        fprintf(f,
                "{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"dep\",\"name\":\"dep\",\"id\":%" PRIu64
                ",\"pid\":%d,\"tid\":%d,",
                edge, PID_WORKERS, c->worker);
        write_ts(f, c->start_ns, w.origin);
        fputc('}', f);
      }
    }
  }
  fputs("\n]}\n", f);
  cf_tr_index_free(&ix);
  free(lane_of);
  free(lsrc);
  free(ldst);
  free(lno);
  cf_tr_agg_free(&agg);
  if (ferror(f)) return CF_FAIL(CF_EIO, "trace export: write failed");
  return CF_OK;
}

cf_status cf_trace_export_json(const cf_trace *t, const char *path,
                               const cf_trace_export_options *opt) {
  if (!t || !path) return CF_FAIL(CF_EINVAL, "cf_trace_export_json: NULL argument");
  cf_tr_snap s;
  CF_TRY(cf_tr_snapshot(t, &s));
  FILE *f = fopen(path, "w");
  if (!f) {
    int e = errno;
    cf_tr_snap_free(&s);
    return CF_FAIL(CF_EIO, "cannot write trace '%s': %s", path, strerror(e));
  }
  cf_status st = cf_tr_write_chrome(t, &s, f, opt);
  if (fclose(f) != 0 && st == CF_OK) st = CF_FAIL(CF_EIO, "cannot write trace '%s'", path);
  cf_tr_snap_free(&s);
  return st;
}
