/*
 * Shared pieces of the AVX-512 kernels (poly_avx512.c, rns_avx512.c): exact
 * 64-bit and 52-bit (IFMA) modular arithmetic on eight lanes. Include only
 * from files compiled for x86-64 with GCC-compatible compilers.
 *
 * Two ways to multiply, chosen per modulus:
 * - q < 2^50: IFMA (vpmadd52luq/huq) gives the low and high 52 bits of a
 *   product of two words below 2^52 exactly; Barrett with a 52-bit constant
 *   leaves a remainder below 3q < 2^52, so everything stays in 52-bit words.
 * - larger q (up to 2^61): 64x64 -> 128-bit products assembled from four
 *   32x32 -> 64-bit ones (vpmuludq), Barrett with a 64-bit constant.
 * Remainders are corrected with min(r, r - q) (unsigned), which subtracts q
 * exactly when r >= q because r - q then does not wrap.
 */
#ifndef CF_KERNELS_CPU_AVX512_ARITH_H
#define CF_KERNELS_CPU_AVX512_ARITH_H

#include <immintrin.h>
#include <stdint.h>

#include "kernels/cpu/modarith.h"

#define CF_AVX512_TARGET                                                                           \
  __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512ifma,avx2,fma")))

/* Largest modulus size (bits) the IFMA routines handle: keeps 3q < 2^52. */
#define CF_AVX512_IFMA_MAX_BITS 50

#define CF_M52 ((1ull << 52) - 1)

/* r in [0, 2q) -> [0, q) */
CF_AVX512_TARGET static inline __m512i cf_avx512_csub(__m512i r, __m512i q) {
  return _mm512_min_epu64(r, _mm512_sub_epi64(r, q));
}

/* floor(a * b / 2^64) for any words. */
CF_AVX512_TARGET static inline __m512i cf_avx512_mulhi(__m512i a, __m512i b) {
  const __m512i m32 = _mm512_set1_epi64(0xffffffffll);
  __m512i ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
  __m512i ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
  __m512i hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
  __m512i t = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32)); /* < 2^64: no carry */
  __m512i u = _mm512_add_epi64(lh, _mm512_and_si512(t, m32));
  return _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t, 32)), _mm512_srli_epi64(u, 32));
}

/* The full 128-bit product a * b as *hi, *lo. */
CF_AVX512_TARGET static inline void cf_avx512_mul128(__m512i a, __m512i b, __m512i *hi,
                                                     __m512i *lo) {
  const __m512i m32 = _mm512_set1_epi64(0xffffffffll);
  __m512i ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
  __m512i ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
  __m512i hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
  __m512i t = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));
  __m512i u = _mm512_add_epi64(lh, _mm512_and_si512(t, m32));
  *hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t, 32)), _mm512_srli_epi64(u, 32));
  /* low word: high half of u above the low half of ll (odd 32-bit lanes from u << 32) */
  *lo = _mm512_mask_blend_epi32(0xAAAA, ll, _mm512_slli_epi64(u, 32));
}

/*
 * Barrett constants for one modulus q (not a power of two, so q > 2^(bits-1)):
 *   IFMA (bits <= 50): mu = floor(2^(51+bits) / q) < 2^52;
 *   64-bit: mu = floor(2^(63+bits) / q) < 2^64.
 */
typedef struct cf_avx512_mod {
  __m512i q, nq52, mu;  /* nq52 = 2^52 - q (IFMA only) */
  __m128i sh_lo, sh_hi; /* shift counts: bits - 1 and 53 - bits (IFMA) or 65 - bits */
  int ifma;
} cf_avx512_mod;

/* The constants the Shoup routines need (no division). */
CF_AVX512_TARGET static inline cf_avx512_mod cf_avx512_mod_shoup(const cf_modulus *m) {
  cf_avx512_mod c;
  c.ifma = m->bits <= CF_AVX512_IFMA_MAX_BITS;
  c.q = _mm512_set1_epi64((long long)m->q);
  c.nq52 = _mm512_set1_epi64((long long)((1ull << 52) - m->q));
  c.mu = _mm512_setzero_si512();
  c.sh_lo = c.sh_hi = _mm_setzero_si128();
  return c;
}

CF_AVX512_TARGET static inline cf_avx512_mod cf_avx512_mod_make(const cf_modulus *m) {
  cf_avx512_mod c = cf_avx512_mod_shoup(m);
  int e = c.ifma ? 51 : 63;
  c.mu = _mm512_set1_epi64((long long)(uint64_t)(((cf_u128)1 << (e + m->bits)) / m->q));
  c.sh_lo = _mm_cvtsi32_si128(m->bits - 1);
  c.sh_hi = _mm_cvtsi32_si128((c.ifma ? 53 : 65) - m->bits);
  return c;
}

/*
 * IFMA: x mod q for x = hi * 2^52 + lo < 2^(2 bits), lo < 2^64. x1 =
 * floor(x / 2^(bits-1)) < 2^(bits+1) and qhat = floor(x1 * mu / 2^52) is at
 * most two below floor(x / q) (the dropped fractions cost less than
 * x / 2^(bits+51) + 2^(bits-1) / q < 2), so r = x - qhat*q is in [0, 3q),
 * below 2^52, and is determined by its value mod 2^52.
 */
CF_AVX512_TARGET static inline __m512i cf_avx512_reduce52(__m512i hi, __m512i lo,
                                                          const cf_avx512_mod *c) {
  __m512i x1 = _mm512_add_epi64(_mm512_sll_epi64(hi, c->sh_hi), _mm512_srl_epi64(lo, c->sh_lo));
  __m512i qh = _mm512_madd52hi_epu64(_mm512_setzero_si512(), x1, c->mu);
  __m512i r = _mm512_and_si512(_mm512_madd52lo_epu64(lo, qh, c->nq52), _mm512_set1_epi64(CF_M52));
  return cf_avx512_csub(cf_avx512_csub(r, c->q), c->q);
}

/*
 * 64-bit: x mod q for x = hi * 2^64 + lo < 2^(bits+63) (so hi < 2^(bits-1)).
 * x1 = floor(x / 2^(bits-1)) < 2^64 and qhat = floor(x1 * mu / 2^64) is at
 * most two below floor(x / q) (lost: x / 2^(bits+63) + 2^(bits-1) / q < 2),
 * so r is in [0, 3q) and is determined by its value mod 2^64.
 */
CF_AVX512_TARGET static inline __m512i cf_avx512_reduce64(__m512i hi, __m512i lo,
                                                          const cf_avx512_mod *c) {
  __m512i x1 = _mm512_or_si512(_mm512_sll_epi64(hi, c->sh_hi), _mm512_srl_epi64(lo, c->sh_lo));
  __m512i qh = cf_avx512_mulhi(x1, c->mu);
  __m512i r = _mm512_sub_epi64(lo, _mm512_mullo_epi64(qh, c->q));
  return cf_avx512_csub(cf_avx512_csub(r, c->q), c->q);
}

/* (a * b + acc) mod q for a, b, acc < q (acc = 0 for a plain product); q < 2^50. */
CF_AVX512_TARGET static inline __m512i cf_avx512_mulmod52(__m512i a, __m512i b, __m512i acc,
                                                          const cf_avx512_mod *c) {
  __m512i lo = _mm512_madd52lo_epu64(acc, a, b); /* < 2^53 */
  __m512i hi = _mm512_madd52hi_epu64(_mm512_setzero_si512(), a, b);
  return cf_avx512_reduce52(hi, lo, c);
}

/* The same for any q < 2^61 (64-bit arithmetic). */
CF_AVX512_TARGET static inline __m512i cf_avx512_mulmod64(__m512i a, __m512i b, __m512i acc,
                                                          const cf_avx512_mod *c) {
  __m512i hi, lo;
  cf_avx512_mul128(a, b, &hi, &lo);
  lo = _mm512_add_epi64(lo, acc);
  __mmask8 carry = _mm512_cmplt_epu64_mask(lo, acc);
  hi = _mm512_mask_add_epi64(hi, carry, hi, _mm512_set1_epi64(1));
  return cf_avx512_reduce64(hi, lo, c);
}

/*
 * Shoup: y * s mod q in [0, q) for s < q and y < 2q. IFMA (q < 2^50): sp52 =
 * floor(s * 2^52 / q), which is floor(sp / 2^12) for the 64-bit companion
 * sp; qhat = floor(y * sp52 / 2^52) is at most one below floor(y s / q)
 * since y < 2^52, so y s - qhat q is in [0, 2q) and below 2^52.
 */
CF_AVX512_TARGET static inline __m512i cf_avx512_mulshoup52(__m512i y, __m512i s, __m512i sp52,
                                                            const cf_avx512_mod *c) {
  __m512i qh = _mm512_madd52hi_epu64(_mm512_setzero_si512(), y, sp52);
  __m512i r =
      _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(_mm512_setzero_si512(), y, s), qh, c->nq52);
  return cf_avx512_csub(_mm512_and_si512(r, _mm512_set1_epi64(CF_M52)), c->q);
}

/* 64-bit Shoup (cf_mul_shoup) with sp = floor(s * 2^64 / q), y < 2q. */
CF_AVX512_TARGET static inline __m512i cf_avx512_mulshoup64(__m512i y, __m512i s, __m512i sp,
                                                            const cf_avx512_mod *c) {
  __m512i qh = cf_avx512_mulhi(y, sp);
  __m512i r = _mm512_sub_epi64(_mm512_mullo_epi64(y, s), _mm512_mullo_epi64(qh, c->q));
  return cf_avx512_csub(r, c->q);
}

/* Whether the Barrett routines apply (q must not be a power of two). */
static inline int cf_avx512_barrett_ok(const cf_modulus *m) { return (m->q & (m->q - 1)) != 0; }

#endif
