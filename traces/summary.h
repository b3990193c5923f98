/*
 * Figures computed from a trace: makespan, busy/idle per worker, time per
 * kernel and HE op, the critical path of the executed DAG, bytes per link,
 * memory peaks and the longest idle gaps with what they waited for.
 */
#ifndef CF_TRACES_SUMMARY_H
#define CF_TRACES_SUMMARY_H

#include <stdio.h>

#include "traces/model.h"

typedef struct cf_tr_worker_stat {
  int id;
  uint64_t busy_ns, idle_ns; /* idle = makespan - busy */
  size_t ntasks;
} cf_tr_worker_stat;

typedef struct cf_tr_group_stat {
  const char *name; /* kernel or HE op */
  uint64_t total_ns;
  size_t count;
} cf_tr_group_stat;

typedef struct cf_tr_link_stat {
  int src, dst;
  uint64_t bytes, busy_ns;
  size_t count;
} cf_tr_link_stat;

typedef struct cf_tr_node_stat {
  int node;
  uint64_t peak_bytes, evicted_bytes;
  size_t evictions;
} cf_tr_node_stat;

typedef struct cf_tr_gap {
  int worker;
  uint64_t start_ns, len_ns;
  long next;           /* task index that ended the gap, -1 at the end of the run */
  long waited_for;     /* dependency of next that finished last, -1 if none known */
  size_t transfers_in; /* copies into the worker's node that ended inside the gap */
  long last_copy;      /* the one of them that ended last (transfer index), -1 if none */
} cf_tr_gap;

typedef struct cf_tr_summary {
  uint64_t t0, t1, makespan_ns, work_ns; /* work: sum of task durations */
  size_t ntasks;
  cf_tr_worker_stat *workers;
  size_t nworkers;
  cf_tr_group_stat *kernels, *ops; /* by total time, descending */
  size_t nkernels, nops;
  cf_tr_link_stat *links;
  size_t nlinks;
  cf_tr_node_stat *nodes;
  size_t nnodes;
  bool have_deps;       /* any dependency recorded */
  uint64_t critical_ns; /* longest chain of task durations along dependencies */
  size_t *critical;     /* task indices, first to last */
  size_t ncritical;
  size_t unknown_deps; /* ids that name no task in the trace */
  size_t late_deps;    /* dependencies that started after the dependant */
  cf_tr_gap *gaps;     /* longest first */
  size_t ngaps;
  bool aggregated;
  uint64_t dropped;
} cf_tr_summary;

cf_status cf_tr_summarize(const cf_trace *t, const cf_tr_snap *s, size_t max_gaps,
                          cf_tr_summary *out);
void cf_tr_summary_free(cf_tr_summary *sum);

/* Human-readable report. */
void cf_tr_summary_print(FILE *f, const cf_trace *t, const cf_tr_snap *s, const cf_tr_summary *m);
/* The same figures as one JSON object (the viewer embeds it). */
void cf_tr_summary_json(FILE *f, const cf_trace *t, const cf_tr_snap *s, const cf_tr_summary *m);
/* Two summaries side by side with differences. */
void cf_tr_summary_diff(FILE *f, const char *name_a, const cf_trace *ta, const cf_tr_summary *a,
                        const char *name_b, const cf_trace *tb, const cf_tr_summary *b);

#endif
