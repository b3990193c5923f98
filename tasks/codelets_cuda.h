/*
 * CUDA implementations of the kernel codelets (tasks/codelets.h), compiled
 * when StarPU was built with CUDA and kernels/cuda was built (nvcc found);
 * otherwise these functions are stubs and every codelet is CPU-only.
 *
 * A CUDA implementation calls the kernels/cuda launch wrappers on the
 * worker's StarPU stream (STARPU_CUDA_ASYNC) with device mirrors of the CKKS
 * context's tables: uploaded once per device and parameter set, on first
 * use, and freed by cf_sp_cuda_release. It needs the run's runner to be the
 * CKKS runner (cf_kernel_runner.ckks); for any other runner, can_execute
 * keeps the task off CUDA workers.
 *
 * Kinds with a CUDA implementation: NTT, INTT, ADD, SUB, NEG, MUL, MUL_ACC,
 * MUL_CONST, COPY, AUTOMORPH, KS_INNER, MODUP, MODDOWN. CPU only: RESCALE
 * (its lift [x_l + h]_{q_l} - h has no kernels/cuda counterpart) and FUSED.
 */
#ifndef CF_TASKS_CODELETS_CUDA_H
#define CF_TASKS_CODELETS_CUDA_H

#include <stdbool.h>

#include <starpu.h>

#include "cipherflow/ckks.h"
#include "graph/dag.h"

/* Whether this build has a CUDA implementation of kind. */
bool cf_sp_cuda_has_kind(cf_kernel_kind kind);

/* Fills cl's CUDA slot for kind (cuda_funcs, cuda_flags, can_execute); a
 * no-op for CPU-only kinds and in builds without CUDA. */
void cf_sp_cuda_codelet_init(struct starpu_codelet *cl, cf_kernel_kind kind);

/* Uploads (once) the device mirrors of ctx's tables to the calling thread's
 * current CUDA device. CF_ENODEV without a usable device, CF_EUNSUPPORTED in
 * builds without CUDA. Thread-safe; exposed for tests. */
cf_status cf_sp_cuda_tables_prepare(const cf_ckks_context *ctx);

/* Frees every device mirror; call before starpu_shutdown. */
void cf_sp_cuda_release(void);

#endif
