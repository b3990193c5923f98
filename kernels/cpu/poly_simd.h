/*
 * One-limb pointwise products behind cf_poly_mul / cf_poly_mul_acc, callable
 * directly so tests and benchmarks can compare them. The AVX2 ones need AVX2
 * and FMA (cf_cpu_avx2_available) and a modulus below 2^CF_SIMD_MAX_BITS.
 * Inputs in [0, q), outputs fully reduced, so the variants agree bit for bit.
 */
#ifndef CF_KERNELS_CPU_POLY_SIMD_H
#define CF_KERNELS_CPU_POLY_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu/modarith.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[j] = a[j] * b[j] mod q */
void cf_limb_mul_portable(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                          const cf_modulus *m);
/* acc[j] = acc[j] + a[j] * b[j] mod q */
void cf_limb_mul_acc_portable(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                              const cf_modulus *m);

/*
 * out[j] = (a[j] - b[j]) * s mod q, or a[j] * s mod q when b is NULL; s < q
 * and sp = cf_shoup_prep(s, q). The last step of rescale, ModDown and
 * cf_poly_mul_scalar. out may equal a or b.
 */
void cf_limb_sub_mul_const_portable(uint64_t *out, const uint64_t *a, const uint64_t *b, uint64_t s,
                                    uint64_t sp, size_t n, const cf_modulus *m);

/* The variant cf_limb_sub_mul_const picks for this modulus and CPU. */
void cf_limb_sub_mul_const(uint64_t *out, const uint64_t *a, const uint64_t *b, uint64_t s,
                           uint64_t sp, size_t n, const cf_modulus *m);

#if defined(__x86_64__) && defined(__GNUC__)
#define CF_HAVE_AVX2_POLY 1
void cf_limb_sub_mul_const_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b, uint64_t s,
                                uint64_t sp, size_t n, const cf_modulus *m);
void cf_limb_mul_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                      const cf_modulus *m);
void cf_limb_mul_acc_avx2(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                          const cf_modulus *m);
#endif

#ifdef __cplusplus
}
#endif
#endif
