/*
 * Run-time choice between the portable kernels and SIMD variants.
 *
 * The choice is made once when the library loads, from CPUID, and never
 * changes: CF_CPU_AVX2 when the processor has AVX2 and FMA, unless the
 * environment variable CIPHERFLOW_PORTABLE=1 forces CF_CPU_PORTABLE. Every
 * SIMD variant returns bit-identical results to the portable one (outputs
 * are fully reduced, hence unique), so the choice affects speed only.
 *
 * Which kernels have a SIMD variant, all for moduli q < 2^50
 * (CF_SIMD_MAX_BITS) and computed exactly in double precision with FMA: the
 * one-limb NTT (forward and inverse); the pointwise products cf_poly_mul /
 * cf_poly_mul_acc; multiplication by a per-limb constant (cf_poly_mul_scalar
 * and the last step of rescale and ModDown); and fast basis conversion
 * (cf_baseconv, and inside cf_moddown) when all its moduli are below 2^50.
 * Limbs with larger primes, and every other kernel, run portable C on 64-bit
 * words with 128-bit products. There is no AVX-512 path.
 */
#ifndef CF_KERNELS_CPU_DISPATCH_H
#define CF_KERNELS_CPU_DISPATCH_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_cpu_path {
  CF_CPU_PORTABLE = 0,
  CF_CPU_AVX2 = 1,
} cf_cpu_path;

/* Largest prime size (bits) the double-precision SIMD NTT handles exactly. */
#define CF_SIMD_MAX_BITS 50

/* The path in use (fixed for the life of the process). */
cf_cpu_path cf_cpu_path_active(void);

/* Whether this processor can run the AVX2 variants at all (ignores the environment). */
bool cf_cpu_avx2_available(void);

/* "portable" or "avx2". */
const char *cf_cpu_path_name(cf_cpu_path path);

#ifdef __cplusplus
}
#endif
#endif
