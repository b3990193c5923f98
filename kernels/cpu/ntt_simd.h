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
#endif

#ifdef __cplusplus
}
#endif
#endif
