/*
 * AVX-512 elementwise limb kernels for every modulus size (q < 2^61, not a
 * power of two), eight coefficients per vector, the tail through masked
 * loads and stores. Products use IFMA for q < 2^50 and emulated 64x64-bit
 * products above (avx512_arith.h). Outputs are fully reduced, so they equal
 * the portable ones bit for bit.
 */
#include "kernels/cpu/poly_simd.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include "kernels/cpu/avx512_arith.h"

#define TARGET CF_AVX512_TARGET

TARGET static inline __mmask8 tail_mask(size_t left) {
  return left >= 8 ? (__mmask8)0xff : (__mmask8)((1u << left) - 1);
}

TARGET static inline __m512i load(const uint64_t *p, __mmask8 k) {
  return _mm512_maskz_loadu_epi64(k, p);
}

TARGET static inline void store(uint64_t *p, __mmask8 k, __m512i v) {
  _mm512_mask_storeu_epi64(p, k, v);
}

/* One loop per arithmetic width, so the per-vector body has no branch. */
#define LIMB_LOOP(n, body)                                                                         \
  for (size_t j = 0; j < (n); j += 8) {                                                            \
    const __mmask8 k = tail_mask((n)-j);                                                           \
    body;                                                                                          \
  }

TARGET void cf_limb_mul_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                               const cf_modulus *m) {
  if (!cf_avx512_barrett_ok(m)) {
    cf_limb_mul_portable(out, a, b, n, m);
    return;
  }
  const cf_avx512_mod c = cf_avx512_mod_make(m);
  const __m512i z = _mm512_setzero_si512();
  if (c.ifma)
    LIMB_LOOP(n, store(out + j, k, cf_avx512_mulmod52(load(a + j, k), load(b + j, k), z, &c)))
  else
    LIMB_LOOP(n, store(out + j, k, cf_avx512_mulmod64(load(a + j, k), load(b + j, k), z, &c)))
}

TARGET void cf_limb_mul_acc_avx512(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                                   const cf_modulus *m) {
  if (!cf_avx512_barrett_ok(m)) {
    cf_limb_mul_acc_portable(acc, a, b, n, m);
    return;
  }
  const cf_avx512_mod c = cf_avx512_mod_make(m);
  /* acc + a*b <= q^2 - q < 2^(2 bits): one reduction, as in the portable code. */
  if (c.ifma)
    LIMB_LOOP(n, store(acc + j, k,
                       cf_avx512_mulmod52(load(a + j, k), load(b + j, k), load(acc + j, k), &c)))
  else
    LIMB_LOOP(n, store(acc + j, k,
                       cf_avx512_mulmod64(load(a + j, k), load(b + j, k), load(acc + j, k), &c)))
}

/* a - b + q in [1, 2q), or a when b is NULL: congruent to the portable [a - b]_q. */
TARGET static inline __m512i sub_or_load(const uint64_t *a, const uint64_t *b, size_t j, __mmask8 k,
                                         __m512i q) {
  __m512i x = load(a + j, k);
  return b ? _mm512_add_epi64(_mm512_sub_epi64(x, load(b + j, k)), q) : x;
}

TARGET void cf_limb_sub_mul_const_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b,
                                         uint64_t s, uint64_t sp, size_t n, const cf_modulus *m) {
  const cf_avx512_mod c = cf_avx512_mod_make(m);
  const __m512i vs = _mm512_set1_epi64((long long)s);
  if (c.ifma) {
    const __m512i vsp = _mm512_set1_epi64((long long)(sp >> 12));
    LIMB_LOOP(n, store(out + j, k, cf_avx512_mulshoup52(sub_or_load(a, b, j, k, c.q), vs, vsp, &c)))
  } else {
    const __m512i vsp = _mm512_set1_epi64((long long)sp);
    LIMB_LOOP(n, store(out + j, k, cf_avx512_mulshoup64(sub_or_load(a, b, j, k, c.q), vs, vsp, &c)))
  }
}

TARGET void cf_limb_add_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                               uint64_t q) {
  const __m512i vq = _mm512_set1_epi64((long long)q);
  LIMB_LOOP(n,
            store(out + j, k, cf_avx512_csub(_mm512_add_epi64(load(a + j, k), load(b + j, k)), vq)))
}

TARGET void cf_limb_sub_avx512(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                               uint64_t q) {
  const __m512i vq = _mm512_set1_epi64((long long)q);
  /* a - b wraps above q exactly when a < b, and then a - b + q is the smaller one. */
  LIMB_LOOP(n, {
    __m512i d = _mm512_sub_epi64(load(a + j, k), load(b + j, k));
    store(out + j, k, _mm512_min_epu64(d, _mm512_add_epi64(d, vq)));
  })
}

TARGET void cf_limb_neg_avx512(uint64_t *out, const uint64_t *a, size_t n, uint64_t q) {
  const __m512i vq = _mm512_set1_epi64((long long)q);
  LIMB_LOOP(n, {
    __m512i x = load(a + j, k);
    store(out + j, k, _mm512_maskz_sub_epi64(_mm512_test_epi64_mask(x, x), vq, x));
  })
}

TARGET void cf_limb_add_scalar_avx512(uint64_t *out, const uint64_t *a, uint64_t s, size_t n,
                                      uint64_t q) {
  const __m512i vq = _mm512_set1_epi64((long long)q), vs = _mm512_set1_epi64((long long)s);
  LIMB_LOOP(n, store(out + j, k, cf_avx512_csub(_mm512_add_epi64(load(a + j, k), vs), vq)))
}

#else
typedef int cf_poly_avx512_unused; /* not an x86-64 GNU compiler: no AVX-512 variant */
#endif
