/*
 * The NTT variants behind cf_ntt_forward / cf_ntt_inverse, callable
 * directly so tests and benchmarks can compare them. The AVX2 ones need a
 * processor with AVX2 and FMA (cf_cpu_avx2_available) and q < 2^50
 * (CF_SIMD_MAX_BITS); they exist only on x86-64 builds.
 */
#ifndef CF_KERNELS_CPU_NTT_SIMD_H
#define CF_KERNELS_CPU_NTT_SIMD_H

#include "kernels/cpu/ntt.h"

#ifdef __cplusplus
extern "C" {
#endif

void cf_ntt_forward_portable(const cf_ntt_table *t, uint64_t *a);
void cf_ntt_inverse_portable(const cf_ntt_table *t, uint64_t *a);

#if defined(__x86_64__) && defined(__GNUC__)
#define CF_HAVE_AVX2_NTT 1
void cf_ntt_forward_avx2(const cf_ntt_table *t, uint64_t *a);
void cf_ntt_inverse_avx2(const cf_ntt_table *t, uint64_t *a);

/*
 * AVX-512 variants (cf_cpu_avx512_available), every q the table accepts
 * (q < 2^61): IFMA arithmetic when the table has 52-bit companions
 * (q < 2^50), else 64-bit Shoup arithmetic on 32x32 products.
 */
#define CF_HAVE_AVX512_NTT 1
void cf_ntt_forward_avx512(const cf_ntt_table *t, uint64_t *a);
void cf_ntt_inverse_avx512(const cf_ntt_table *t, uint64_t *a);
#endif

#ifdef __cplusplus
}
#endif
#endif
