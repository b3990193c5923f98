/*
 * Launch wrappers of the CUDA kernels (built only when nvcc is found). They
 * mirror kernels/cpu's functions and give bit-identical results with the
 * same tables, uploaded to the device.
 *
 * Conventions (as kernels/cpu/poly.h): polynomials are limb-major, limb i
 * at p + i * n; data pointers point at limb 0 and only limbs
 * [limb_begin, limb_end) are touched; limb i uses mods[i] / tables[i].
 * Every pointer is a device pointer, including those inside the tables
 * (a device mirror of the kernels/cpu tables). Calls are asynchronous on
 * `stream` and return CF_OK once the kernels are queued; bad arguments give
 * CF_EINVAL before anything is launched, launch failures CF_ENODEV (no
 * usable device) or CF_ERUNTIME, with the CUDA error in cf_last_error().
 *
 * The same functions, prefixed cf_emu_ and without a stream, run on the
 * host through the emulation (emu_kernels.h).
 */
#ifndef CF_KERNELS_CUDA_CUDA_KERNELS_H
#define CF_KERNELS_CUDA_CUDA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cpu/modarith.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/rns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A cudaStream_t, without requiring the CUDA headers; NULL is the default stream. */
typedef struct CUstream_st *cf_cuda_stream;

/* out = a + b, a - b, a .* b, out + a .* b; out may alias a or b (not for mul_acc). */
cf_status cf_cuda_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                      size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                      cf_cuda_stream stream);
cf_status cf_cuda_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                      size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                      cf_cuda_stream stream);
cf_status cf_cuda_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                      size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                      cf_cuda_stream stream);
cf_status cf_cuda_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                          size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                          cf_cuda_stream stream);
/* out = a * scalars[i] on limb i; unlike cf_poly_mul_scalar the Shoup
 * companions scalars_sh[i] = cf_shoup_prep(scalars[i], q_i) are passed in. */
cf_status cf_cuda_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars,
                             const uint64_t *scalars_sh, size_t n, size_t limb_begin,
                             size_t limb_end, const cf_modulus *mods, cf_cuda_stream stream);

/* In-place forward / inverse negacyclic NTT (kernels/cpu/ntt.h) of limbs
 * [limb_begin, limb_end). `tables` is a device array of cf_ntt_table whose
 * arrays are on the device; n is their common ring degree (2 .. 2^17). */
cf_status cf_cuda_ntt_forward(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                              size_t limb_begin, size_t limb_end, cf_cuda_stream stream);
cf_status cf_cuda_ntt_inverse(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                              size_t limb_begin, size_t limb_end, cf_cuda_stream stream);

/* NTT-form automorphism X -> X^galois (odd, taken mod 2n), as
 * cf_automorph_ntt; the permutation is computed on the fly. Out of place. */
cf_status cf_cuda_automorph_ntt(uint64_t *out, const uint64_t *in, size_t n, uint64_t galois,
                                size_t limb_begin, size_t limb_end, cf_cuda_stream stream);

/* Output limbs [limb_begin, limb_end) of cf_baseconv. `t` is a host struct
 * whose arrays are device arrays (na, nb are read on the host). */
cf_status cf_cuda_baseconv(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                           size_t limb_begin, size_t limb_end, cf_cuda_stream stream);

/* Device mirrors of kernels/cpu tables (synchronous copies, for setup).
 * *dev becomes a device array of `count` cf_ntt_table whose arrays are on
 * the device, in one allocation freed by cf_cuda_ntt_tables_free. */
cf_status cf_cuda_ntt_tables_upload(const cf_ntt_table *host, size_t count, cf_ntt_table **dev);
void cf_cuda_ntt_tables_free(cf_ntt_table *dev);
/* *mirror becomes a host struct equal to *host but with device arrays. */
cf_status cf_cuda_baseconv_upload(const cf_baseconv_table *host, cf_baseconv_table *mirror);
void cf_cuda_baseconv_free(cf_baseconv_table *mirror);

#ifdef __cplusplus
}
#endif
#endif
