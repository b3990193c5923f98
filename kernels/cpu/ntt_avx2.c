/*
 * AVX2 + FMA one-limb NTT for primes q < 2^50, four butterflies per vector.
 *
 * AVX2 has no 64x64-bit multiply, so the transform runs in double precision
 * on exact integers: the words are converted to doubles once, every stage
 * works on signed representatives, and the result is converted back fully
 * reduced, so it equals the portable transform bit for bit.
 *
 * Invariants (q < 2^50, so every value below is an exact double):
 *   - stage inputs satisfy |x| <= 2q;
 *   - reduce(x) = x - q*round(x/q) lies in [-q/2 - 1, q/2 + 1];
 *   - mul(y, w) for |y| <= 3q, 0 <= w < q: qhat = round(y * (w/q)) is within
 *     one of round(y*w/q) (|y*w/q| < 2^52, relative error < 2^-51), and
 *     r = y*w - qhat*q is formed exactly from the rounded products and their
 *     FMA residuals (the high parts cancel exactly: Sterbenz, or both are
 *     integers below 2^53), so |r| <= 3q/2 + 1.
 * Forward (Cooley-Tukey): u = reduce(x), v = mul(y, w), outputs u + v and
 * u - v, both within 2q + 2 < 2^52. Inverse (Gentleman-Sande): reduce(x + y)
 * and mul(x - y, w^-1).
 */
#include "kernels/cpu/ntt.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include "kernels/cpu/avx2_exact.h"
#include "kernels/cpu/ntt_simd.h"

#define TARGET CF_AVX2_TARGET
#define ROUND  (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* integer-valued |x| <= 2^51 + ... -> fully reduced word in [0, q) */
TARGET static inline __m256i to_reduced_word(__m256d x, const cf_avx2_mod *c) {
  __m256d k = _mm256_floor_pd(_mm256_mul_pd(x, c->dqinv));
  __m256d r = _mm256_fnmadd_pd(k, c->dq, x); /* [0, q]: only exact multiples can land on q */
  __m256i w = cf_avx2_to_word(r, c);
  return _mm256_sub_epi64(w, _mm256_and_si256(_mm256_cmpgt_epi64(w, c->qm1), c->q));
}

TARGET static inline __m256d reduce(__m256d x, const cf_avx2_mod *c) {
  __m256d k = _mm256_round_pd(_mm256_mul_pd(x, c->dqinv), ROUND);
  return _mm256_fnmadd_pd(k, c->dq, x);
}

/* y * w mod q as a signed representative, |result| <= 3q/2 + 1; dwq = w/q. */
TARGET static inline __m256d mul(__m256d y, __m256d dw, __m256d dwq, const cf_avx2_mod *c) {
  __m256d qh = _mm256_round_pd(_mm256_mul_pd(y, dwq), ROUND);
  __m256d ph = _mm256_mul_pd(y, dw);
  __m256d pl = _mm256_fmsub_pd(y, dw, ph);
  __m256d sh = _mm256_mul_pd(qh, c->dq);
  __m256d sl = _mm256_fmsub_pd(qh, c->dq, sh);
  return _mm256_add_pd(_mm256_sub_pd(ph, sh), _mm256_sub_pd(pl, sl));
}

TARGET static inline __m256d load(const uint64_t *p) { return _mm256_loadu_pd((const double *)p); }
TARGET static inline void store(uint64_t *p, __m256d v) { _mm256_storeu_pd((double *)p, v); }

/*
 * Stages with half-size 1 or 2 are vectorised by regrouping: two loads of
 * four values hold the x and y operands of 2 (half 2) or 4 (half 1)
 * butterflies, and the twiddles are spread to match.
 */
TARGET static inline void split(__m256d A, __m256d B, size_t half, __m256d *X, __m256d *Y) {
  if (half == 2) {
    *X = _mm256_permute2f128_pd(A, B, 0x20); /* a0 a1 a4 a5 */
    *Y = _mm256_permute2f128_pd(A, B, 0x31); /* a2 a3 a6 a7 */
  } else {
    *X = _mm256_unpacklo_pd(A, B); /* a0 a4 a2 a6 */
    *Y = _mm256_unpackhi_pd(A, B); /* a1 a5 a3 a7 */
  }
}

TARGET static inline void join(__m256d X, __m256d Y, size_t half, __m256d *A, __m256d *B) {
  if (half == 2) {
    *A = _mm256_permute2f128_pd(X, Y, 0x20);
    *B = _mm256_permute2f128_pd(X, Y, 0x31);
  } else {
    *A = _mm256_unpacklo_pd(X, Y);
    *B = _mm256_unpackhi_pd(X, Y);
  }
}

/* Twiddles of the groups in one 8-value block, in the lane order of split(). */
TARGET static inline __m256d twiddles(const uint64_t *w, size_t half, const cf_avx2_mod *c,
                                      __m256d *dwq) {
  __m256i v = half == 2 ? _mm256_permute4x64_epi64(
                              _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)w)), 0x50)
                        : _mm256_permute4x64_epi64(_mm256_loadu_si256((const __m256i *)w), 0xD8);
  __m256d dw = cf_avx2_to_double(v, c);
  *dwq = _mm256_div_pd(dw, c->dq);
  return dw;
}

TARGET static void to_doubles(uint64_t *a, size_t n, const cf_avx2_mod *c) {
  for (size_t j = 0; j < n; j += 4)
    store(a + j, cf_avx2_to_double(_mm256_loadu_si256((const __m256i *)(a + j)), c));
}

TARGET static void to_words(uint64_t *a, size_t n, const cf_avx2_mod *c) {
  for (size_t j = 0; j < n; j += 4)
    _mm256_storeu_si256((__m256i *)(a + j), to_reduced_word(load(a + j), c));
}

TARGET void cf_ntt_forward_avx2(const cf_ntt_table *t, uint64_t *a) {
  const size_t n = t->n;
  if (n < 8) {
    cf_ntt_forward_portable(t, a);
    return;
  }
  const double dq = (double)t->mod.q;
  const cf_avx2_mod c = cf_avx2_mod_make(t->mod.q);
  to_doubles(a, n, &c);
  size_t half = n >> 1;
  for (size_t m = 1; m < n; m <<= 1, half >>= 1) {
    if (half >= 4) {
      for (size_t i = 0; i < m; i++) {
        const uint64_t w = t->fwd[m + i];
        const __m256d dw = _mm256_set1_pd((double)w), dwq = _mm256_set1_pd((double)w / dq);
        uint64_t *x = a + 2 * i * half, *y = x + half;
        for (size_t j = 0; j < half; j += 4) {
          __m256d u = reduce(load(x + j), &c), v = mul(load(y + j), dw, dwq, &c);
          store(x + j, _mm256_add_pd(u, v));
          store(y + j, _mm256_sub_pd(u, v));
        }
      }
    } else {
      for (size_t b = 0; b < n; b += 8) {
        __m256d dwq, dw = twiddles(t->fwd + m + b / (2 * half), half, &c, &dwq);
        __m256d X, Y, A, B;
        split(load(a + b), load(a + b + 4), half, &X, &Y);
        __m256d u = reduce(X, &c), v = mul(Y, dw, dwq, &c);
        join(_mm256_add_pd(u, v), _mm256_sub_pd(u, v), half, &A, &B);
        store(a + b, A);
        store(a + b + 4, B);
      }
    }
  }
  to_words(a, n, &c);
}

TARGET void cf_ntt_inverse_avx2(const cf_ntt_table *t, uint64_t *a) {
  const size_t n = t->n;
  if (n < 8) {
    cf_ntt_inverse_portable(t, a);
    return;
  }
  const double dq = (double)t->mod.q;
  const cf_avx2_mod c = cf_avx2_mod_make(t->mod.q);
  to_doubles(a, n, &c);
  size_t half = 1;
  for (size_t m = n >> 1; m > 1; m >>= 1, half <<= 1) {
    if (half >= 4) {
      for (size_t i = 0; i < m; i++) {
        const uint64_t w = t->inv[m + i];
        const __m256d dw = _mm256_set1_pd((double)w), dwq = _mm256_set1_pd((double)w / dq);
        uint64_t *x = a + 2 * i * half, *y = x + half;
        for (size_t j = 0; j < half; j += 4) {
          __m256d u = load(x + j), v = load(y + j);
          store(x + j, reduce(_mm256_add_pd(u, v), &c));
          store(y + j, mul(_mm256_sub_pd(u, v), dw, dwq, &c));
        }
      }
    } else {
      for (size_t b = 0; b < n; b += 8) {
        __m256d dwq, dw = twiddles(t->inv + m + b / (2 * half), half, &c, &dwq);
        __m256d X, Y, A, B;
        split(load(a + b), load(a + b + 4), half, &X, &Y);
        join(reduce(_mm256_add_pd(X, Y), &c), mul(_mm256_sub_pd(X, Y), dw, dwq, &c), half, &A, &B);
        store(a + b, A);
        store(a + b + 4, B);
      }
    }
  }
  /* Last stage with N^-1 folded in, converting back to reduced words. */
  const uint64_t ni = t->n_inv, li = t->last_inv;
  const __m256d dn = _mm256_set1_pd((double)ni), dnq = _mm256_set1_pd((double)ni / dq);
  const __m256d dl = _mm256_set1_pd((double)li), dlq = _mm256_set1_pd((double)li / dq);
  uint64_t *x = a, *y = a + half;
  for (size_t j = 0; j < half; j += 4) {
    __m256d u = load(x + j), v = load(y + j);
    __m256d s = mul(_mm256_add_pd(u, v), dn, dnq, &c);
    __m256d d = mul(_mm256_sub_pd(u, v), dl, dlq, &c);
    _mm256_storeu_si256((__m256i *)(x + j), to_reduced_word(s, &c));
    _mm256_storeu_si256((__m256i *)(y + j), to_reduced_word(d, &c));
  }
}

#else
typedef int cf_ntt_avx2_unused; /* not an x86-64 GNU compiler: no AVX2 variant */
#endif
