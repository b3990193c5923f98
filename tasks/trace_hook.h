/*
 * Per-task execution records, for traces/ to turn into timelines later.
 *
 * When a run asks for them, StarPU profiling is switched on and each task's
 * completion callback copies worker and start/end times out of
 * task->profiling_info into slot [task id] of a preallocated array: no lock,
 * no allocation on the worker threads. Times are StarPU's monotonic clock in
 * ns; t0_ns is the earliest start, for rebasing.
 */
#ifndef CF_TASKS_TRACE_HOOK_H
#define CF_TASKS_TRACE_HOOK_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "graph/dag.h"

typedef struct cf_task_record {
  uint32_t task; /* index in the DAG */
  cf_kernel_kind kind;
  int he_node;
  int level;
  int worker; /* StarPU worker id, -1 if the task never ran */
  uint64_t start_ns, end_ns;
} cf_task_record;

typedef struct cf_trace_log {
  cf_task_record *records; /* one per DAG task, in DAG order */
  size_t n;
  uint64_t t0_ns;
  int nworkers;
  char (*worker_names)[64];  /* nworkers names ("CPU 0") */
  int *worker_memnode;       /* nworkers StarPU memory nodes */
  int nmemnodes;             /* StarPU memory nodes (1 on a CPU-only run: RAM) */
  char (*memnode_names)[16]; /* nmemnodes names ("RAM", "CUDA0", "disk") */
} cf_trace_log;

cf_status cf_trace_log_init(cf_trace_log *log, const cf_dag *dag);
void cf_trace_log_free(cf_trace_log *log);

/* Feeds the records into a traces/ recorder: the run's memory nodes and
 * workers (with their nodes), and one task event per executed task with its
 * kernel, HE node, limb range (of its first piece), level and the DAG edges
 * it waited for (cf_dag_preds). */
typedef struct cf_trace cf_trace;
cf_status cf_trace_log_record(const cf_trace_log *log, const cf_dag *dag, cf_trace *t);

typedef struct cf_program cf_program;
typedef struct cf_trace_feed_opts {
  const cf_program *prog; /* the lowered program: names each task's HE op; NULL: none */
  uint64_t id_offset;     /* added to task ids, so several runs share one trace */
  int64_t entry_dep;      /* a task id every task without DAG predecessors waited for
                             (the host's encryption); -1: none */
} cf_trace_feed_opts;
cf_status cf_trace_log_record_opts(const cf_trace_log *log, const cf_dag *dag,
                                   const cf_trace_feed_opts *o, cf_trace *t);

/* Name of a kernel kind ("ntt", "ks_inner"); "?" if out of range. */
const char *cf_kernel_kind_name(cf_kernel_kind kind);

#endif
