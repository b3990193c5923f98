/*
 * One StarPU codelet per kernel kind.
 *
 * Each codelet takes a variable number of buffers: the segments of its
 * pieces in piece order (memory/handles.h), so tasks beyond StarPU's
 * NMAXBUFS work through dynamic handle arrays. The CPU implementation
 * rebuilds the row pointers of each piece and calls the run's kernel
 * runner. Kinds that kernels/cuda can run also get a CUDA implementation
 * when StarPU has CUDA (tasks/codelets_cuda.h).
 *
 * Each codelet has a history-based performance model, symbol "cf_<kind>",
 * whose footprint is (kind, ring degree, limbs touched), so tasks of one
 * kind and size share timings whatever buffers they touch.
 */
#ifndef CF_TASKS_CODELETS_H
#define CF_TASKS_CODELETS_H

#include <stdatomic.h>
#include <stdbool.h>

#include <starpu.h>

#include "tasks/runner.h"
#include "tasks/trace_hook.h"

/* State shared by the tasks of one run. */
typedef struct cf_sp_run {
  const cf_dag *dag;
  const cf_kernel_runner *runner;
  atomic_size_t done;
  atomic_uint_fast64_t last_done_ns; /* CLOCK_MONOTONIC of the latest completion */
  atomic_int status;                 /* first kernel failure, CF_OK if none */
  atomic_size_t failed_at;           /* its task index */
  cf_trace_log *trace;               /* or NULL */
  bool contiguous;                   /* each buffer's segments are one block */
} cf_sp_run;

/* What a StarPU task carries (cl_arg): one per DAG task. */
typedef struct cf_sp_task_arg {
  cf_sp_run *run;
  const cf_dag_task *task;
  uint32_t index;
  uint32_t limbs;                   /* rows over all pieces */
  uint32_t nseg[CF_DAG_MAX_PIECES]; /* segments per piece */
} cf_sp_task_arg;

struct starpu_codelet *cf_sp_codelet(cf_kernel_kind kind);
struct starpu_perfmodel *cf_sp_perfmodel(cf_kernel_kind kind);

/* The rows of each piece of a task from its StarPU buffers (host or device
 * pointers, whichever the worker was given): span[p] for piece p, row
 * pointers in stack_rows when nstack suffice, else in a malloc'ed array
 * (returned; free it if != stack_rows). NULL when out of memory. */
uint64_t **cf_sp_task_spans(const cf_sp_task_arg *a, void *buffers[], uint64_t **stack_rows,
                            size_t nstack, cf_limb_span *span);
/* Records the run's first failure. */
void cf_sp_task_fail(cf_sp_run *run, uint32_t index, cf_status st);

/* Completion callback (arg: cf_sp_task_arg): counts and records the task. */
void cf_sp_task_done(void *arg);

#endif
