/*
 * Shared pieces of the AVX2 + FMA kernels (ntt_avx2.c, poly_avx2.c): per-modulus
 * constants and the exact conversions between 64-bit words below 2^52 and
 * doubles, done by OR-ing the word into the mantissa of 2^52. Include only from
 * files compiled for x86-64 with GCC-compatible compilers.
 */
#ifndef CF_KERNELS_CPU_AVX2_EXACT_H
#define CF_KERNELS_CPU_AVX2_EXACT_H

#include <immintrin.h>
#include <stdint.h>

#define CF_AVX2_TARGET __attribute__((target("avx2,fma")))

typedef struct cf_avx2_mod {
  __m256i magic, q, qm1;
  __m256d dq, dqinv, dmagic;
} cf_avx2_mod;

CF_AVX2_TARGET static inline cf_avx2_mod cf_avx2_mod_make(uint64_t q) {
  cf_avx2_mod c;
  c.magic = _mm256_set1_epi64x(0x4330000000000000ll); /* bits of 2^52 */
  c.q = _mm256_set1_epi64x((long long)q);
  c.qm1 = _mm256_set1_epi64x((long long)(q - 1));
  c.dq = _mm256_set1_pd((double)q);
  c.dqinv = _mm256_set1_pd(1.0 / (double)q);
  c.dmagic = _mm256_castsi256_pd(c.magic);
  return c;
}

/* word < 2^52 -> the same integer as an exact double */
CF_AVX2_TARGET static inline __m256d cf_avx2_to_double(__m256i y, const cf_avx2_mod *c) {
  return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(y, c->magic)), c->dmagic);
}

/* integer-valued double in [0, 2^52) -> the same integer as a word */
CF_AVX2_TARGET static inline __m256i cf_avx2_to_word(__m256d d, const cf_avx2_mod *c) {
  return _mm256_xor_si256(_mm256_castpd_si256(_mm256_add_pd(d, c->dmagic)), c->magic);
}

#endif
