/*
 * The basis-conversion variants behind cf_baseconv (and the conversion
 * inside cf_moddown), callable directly so tests and benchmarks can compare
 * them. The AVX2 one needs AVX2 and FMA (cf_cpu_avx2_available) and a table
 * whose moduli are all below 2^CF_SIMD_MAX_BITS (t->w_d != NULL). The
 * AVX-512 one needs cf_cpu_avx512_available() and t->fold != NULL (any
 * moduli below 2^61 except a power of two among the targets). All produce
 * the same bits.
 */
#ifndef CF_KERNELS_CPU_RNS_SIMD_H
#define CF_KERNELS_CPU_RNS_SIMD_H

#include "kernels/cpu/rns.h"

#ifdef __cplusplus
extern "C" {
#endif

void cf_baseconv_portable(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                          size_t limb_begin, size_t limb_end);

#if defined(__x86_64__) && defined(__GNUC__)
#define CF_HAVE_AVX2_RNS 1
void cf_baseconv_avx2(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                      size_t limb_begin, size_t limb_end);

/*
 * Target limbs [limb_begin, limb_end) of the coefficients [c0, c0 + blk),
 * blk <= 16: row j goes to out + (j - limb_begin) * ostride. The building
 * block of cf_baseconv_avx2 and of ModDown.
 */
void cf_baseconv_block_avx2(const cf_baseconv_table *t, const uint64_t *in, size_t n, size_t c0,
                            size_t blk, size_t limb_begin, size_t limb_end, uint64_t *out,
                            size_t ostride);

#define CF_HAVE_AVX512_RNS 1
/* The rescale lift of row i for the first cnt - cnt % 8 coefficients of
 * last (see cf_rescale_lift); returns how many it wrote, the same bits as
 * the portable lift. */
size_t cf_rescale_lift_row_avx512(const cf_rescale_table *t, uint64_t *w, const uint64_t *last,
                                  size_t cnt, size_t i);
void cf_baseconv_avx512(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                        size_t limb_begin, size_t limb_end);

/* As cf_baseconv_block_avx2 with blk <= CF_BASECONV_AVX512_BLOCK. */
#define CF_BASECONV_AVX512_BLOCK 32
void cf_baseconv_block_avx512(const cf_baseconv_table *t, const uint64_t *in, size_t n, size_t c0,
                              size_t blk, size_t limb_begin, size_t limb_end, uint64_t *out,
                              size_t ostride);
#endif

#ifdef __cplusplus
}
#endif
#endif
