/*
 * The evaluator with an explicit executor (exec.h): the public functions of
 * include/cipherflow/ckks.h call these with grain = SIZE_MAX; tests call
 * them with small grains to check that split steps give identical bits.
 */
#ifndef CF_KERNELS_CKKS_EVAL_H
#define CF_KERNELS_CKKS_EVAL_H

#include "kernels/ckks/exec.h"

cf_status cf_ckks_x_mul_ct(const cf_ckks_exec *x, const cf_ckks_relin_key *rlk,
                           const cf_ckks_ciphertext *a, const cf_ckks_ciphertext *b,
                           cf_ckks_ciphertext *out);
cf_status cf_ckks_x_rescale_ct(const cf_ckks_exec *x, const cf_ckks_ciphertext *a,
                               cf_ckks_ciphertext *out);
cf_status cf_ckks_x_rotate_hoisted(const cf_ckks_exec *x, const cf_ckks_galois_key *gk,
                                   const cf_ckks_ciphertext *a, const uint64_t *galois,
                                   size_t count, cf_ckks_ciphertext *const *outs);

#endif
