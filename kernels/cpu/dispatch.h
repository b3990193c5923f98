/*
 * Run-time choice between the portable kernels and SIMD variants.
 *
 * The choice is made once when the library loads, from CPUID, and never
 * changes: CF_CPU_AVX512 when the processor has AVX-512 F/DQ/BW/VL and IFMA
 * (as well as AVX2 and FMA), else CF_CPU_AVX2 when it has AVX2 and FMA, else
 * CF_CPU_PORTABLE. The environment can lower the choice, never raise it:
 * CIPHERFLOW_PORTABLE=1 forces the portable path and CIPHERFLOW_CPU=portable,
 * avx2 or avx512 caps it. Paths are ordered: a kernel without a variant for
 * the active path uses the best lower one it has. Every SIMD variant returns
 * bit-identical results to the portable one (outputs are fully reduced,
 * hence unique), so the choice affects speed only.
 *
 * Which kernels have an AVX2 variant, all for moduli q < 2^50
 * (CF_SIMD_MAX_BITS) and computed exactly in double precision with FMA: the
 * one-limb NTT (forward and inverse); the pointwise products cf_poly_mul /
 * cf_poly_mul_acc; multiplication by a per-limb constant (cf_poly_mul_scalar
 * and the last step of rescale and ModDown); and fast basis conversion
 * (cf_baseconv, and inside cf_moddown) when all its moduli are below 2^50.
 * The AVX-512 variants cover every modulus size (below 2^61), with IFMA
 * arithmetic for q < 2^50 (CF_IFMA_MAX_BITS) and 64-bit integer arithmetic
 * above: the one-limb NTT (ntt_simd.h), the pointwise products, the
 * per-limb constant product, add / sub / neg / add_scalar (poly_simd.h),
 * basis conversion, also inside cf_moddown (rns_simd.h), and the NTT-form
 * automorphism. Every other kernel, and on the AVX2 path every limb with a
 * larger prime, runs portable C on 64-bit words with 128-bit products.
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
  CF_CPU_AVX512 = 2,
} cf_cpu_path;

/* Largest prime size (bits) the double-precision SIMD NTT handles exactly. */
#define CF_SIMD_MAX_BITS 50

/* Largest prime size (bits) of the AVX-512 IFMA (52-bit Shoup) NTT: needs 4q < 2^52. */
#define CF_IFMA_MAX_BITS 50

/* The path in use (fixed for the life of the process). */
cf_cpu_path cf_cpu_path_active(void);

/* Whether this processor can run the AVX2 variants at all (ignores the environment). */
bool cf_cpu_avx2_available(void);

/*
 * Whether this processor can run the AVX-512 variants (F, DQ, BW, VL, IFMA,
 * plus AVX2 and FMA); ignores the environment.
 */
bool cf_cpu_avx512_available(void);

/* "portable", "avx2" or "avx512". */
const char *cf_cpu_path_name(cf_cpu_path path);

#ifdef __cplusplus
}
#endif
#endif
