/*
 * The kernel runner backed by the CKKS step functions (kernels/ckks/steps.h):
 * what both executors call to do a DAG task's arithmetic for real.
 *
 * Limb-local kinds call their step once per run of rows that is contiguous
 * in every piece (a whole segment, usually the whole piece). The kinds where
 * limbs meet need their inputs contiguous and address outputs by row index
 * from the start of the polynomial, so pieces that are split or offset are
 * staged through task-local scratch.
 */
#ifndef CF_TASKS_CKKS_RUNNER_H
#define CF_TASKS_CKKS_RUNNER_H

#include "cipherflow/ckks.h"
#include "tasks/runner.h"

typedef struct cf_ckks_runner cf_ckks_runner;

/* Precomputes what dag's tasks need (automorphism tables). ctx must outlive it. */
cf_status cf_ckks_runner_create(const cf_ckks_context *ctx, const cf_dag *dag,
                                cf_ckks_runner **out);
cf_kernel_runner cf_ckks_runner_get(cf_ckks_runner *r);
void cf_ckks_runner_destroy(cf_ckks_runner *r);

#endif
