/*
 * One-limb kernels behind cf_poly_mul / cf_poly_mul_acc / the per-limb
 * constant products (and, for AVX-512, add / sub / neg / add_scalar),
 * callable directly so tests and benchmarks can compare them.
 * - AVX2 (mul, mul_acc, sub_mul_const): needs AVX2 and FMA
 *   (cf_cpu_avx2_available) and a modulus below 2^CF_SIMD_MAX_BITS.
 * - AVX-512 (all of them): needs cf_cpu_avx512_available(); any modulus
 *   below 2^61 (IFMA arithmetic below 2^50, 64-bit above; a power-of-two
 *   modulus falls back to the portable code inside).
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

#define CF_HAVE_AVX512_POLY 1
void cf_limb_mul_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                        const cf_modulus *m);
void cf_limb_mul_acc_avx512(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                            const cf_modulus *m);
void cf_limb_sub_mul_const_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, uint64_t s,
                                  uint64_t sp, size_t n, const cf_modulus *m);
/* out[j] = a[j] + b[j], a[j] - b[j], -a[j], a[j] + s mod q (s < q); out may equal a or b. */
void cf_limb_add_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, uint64_t q);
void cf_limb_sub_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, uint64_t q);
void cf_limb_neg_avx512(uint64_t *out, const uint64_t *a, size_t n, uint64_t q);
void cf_limb_add_scalar_avx512(uint64_t *out, const uint64_t *a, uint64_t s, size_t n, uint64_t q);
#endif

#ifdef __cplusplus
}
#endif
#endif
