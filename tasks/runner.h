/*
 * What executes one DAG task's arithmetic, independent of who schedules it.
 *
 * Both executors (sequential and StarPU) hand the same runner the rows of
 * each piece of a task; the runner does the kernel (kernels/ckks steps). A
 * piece's rows are given as pointers because StarPU may hold the segments
 * of one polynomial in separate allocations.
 */
#ifndef CF_TASKS_RUNNER_H
#define CF_TASKS_RUNNER_H

#include <stdint.h>

#include "cipherflow/status.h"
#include "graph/dag.h"

typedef struct cf_limb_span {
  uint64_t *const *rows; /* nlimbs pointers to n words each */
  uint32_t nlimbs;
  const uint16_t *primes; /* prime indices of those rows */
  /* Row 0 of the piece's buffer when the whole buffer is one contiguous
   * allocation (rows[l] == base + (first_limb + l) * n), else NULL. Lets a
   * kernel address the buffer from row 0 without staging a copy. */
  uint64_t *base;
} cf_limb_span;

/* Runs task on its pieces (span[i] for task->pieces[i]). Called from worker
 * threads concurrently for independent tasks: must be reentrant. */
typedef cf_status (*cf_kernel_fn)(void *ctx, const cf_dag *dag, const cf_dag_task *task,
                                  const cf_limb_span *span);

typedef struct cf_kernel_runner {
  cf_kernel_fn run;
  void *ctx;
  uint32_t n; /* ring degree: words per row */
  /* Set by the CKKS runner: its context, whose tables device
   * implementations mirror (tasks/codelets_cuda.h). NULL for other runners,
   * whose tasks then stay on CPU workers. */
  const struct cf_ckks_context *ckks;
} cf_kernel_runner;

#endif
