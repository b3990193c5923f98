/*
 * AVX2 + FMA one-limb NTT for primes q < 2^50, four butterflies per vector.
 *
 * AVX2 has no 64x64-bit multiply, so the lazy product y*w mod q is computed
 * in double precision, exactly:
 *   qhat = floor(y * (w/q))            y < 4q < 2^52 is exact as a double;
 *                                      the estimate is within [-2, +1] of
 *                                      floor(y*w/q), so r below is in [-q, 3q)
 *   r    = (y*w - qhat*q)              each product split into a rounded
 *                                      high part and its exact FMA residual;
 *                                      high parts cancel exactly (Sterbenz,
 *                                      or both are integers below 2^53)
 * and r is corrected into [0, q] (within the [0, 2q) contract of the
 * portable lazy Shoup product). Outputs are fully reduced, so they equal the portable
 * transform bit for bit. Stages whose half-size is below 4 run scalar.
 */
#include "kernels/cpu/ntt.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include "kernels/cpu/ntt_simd.h"

#define TARGET __attribute__((target("avx2,fma")))

typedef struct vconst {
  __m256i q, q2, qm1, q2m1, magic;
  __m256d dq, dqinv, dmagic;
} vconst;

TARGET static inline vconst make_consts(uint64_t q) {
  vconst c;
  c.q = _mm256_set1_epi64x((long long)q);
  c.q2 = _mm256_set1_epi64x((long long)(2 * q));
  c.qm1 = _mm256_set1_epi64x((long long)(q - 1));
  c.q2m1 = _mm256_set1_epi64x((long long)(2 * q - 1));
  c.magic = _mm256_set1_epi64x(0x4330000000000000ll); /* bits of 2^52 */
  c.dq = _mm256_set1_pd((double)q);
  c.dqinv = _mm256_set1_pd(1.0 / (double)q);
  c.dmagic = _mm256_castsi256_pd(c.magic);
  return c;
}

/* y < 2^52 -> exact double */
TARGET static inline __m256d to_double(__m256i y, const vconst *c) {
  return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(y, c->magic)), c->dmagic);
}

/* integer-valued d in [0, 2^52) -> word */
TARGET static inline __m256i to_word(__m256d d, const vconst *c) {
  return _mm256_xor_si256(_mm256_castpd_si256(_mm256_add_pd(d, c->dmagic)), c->magic);
}

/* y * w mod q in [0, 2q) for y < 4q; dw = w, dwq = w/q as doubles. */
TARGET static inline __m256i mul_lazy(__m256i y, __m256d dw, __m256d dwq, const vconst *c) {
  __m256d yd = to_double(y, c);
  __m256d qh = _mm256_floor_pd(_mm256_mul_pd(yd, dwq));
  __m256d ph = _mm256_mul_pd(yd, dw);
  __m256d pl = _mm256_fmsub_pd(yd, dw, ph);
  __m256d sh = _mm256_mul_pd(qh, c->dq);
  __m256d sl = _mm256_fmsub_pd(qh, c->dq, sh);
  __m256d r = _mm256_add_pd(_mm256_sub_pd(ph, sh), _mm256_sub_pd(pl, sl));
  /* r in [-q, 3q): subtract floor(r/q)*q. r/q is off by under 3*2^-52 while
   * non-multiples of q sit at least 2^-50 from an integer, so the floor is
   * exact except possibly at multiples, where it leaves r = q: [0, q]. */
  __m256d k = _mm256_floor_pd(_mm256_mul_pd(r, c->dqinv));
  return to_word(_mm256_fnmadd_pd(k, c->dq, r), c);
}

/* x - 2q where x >= 2q (x < 2^63) */
TARGET static inline __m256i reduce_2q(__m256i x, const vconst *c) {
  return _mm256_sub_epi64(x, _mm256_and_si256(_mm256_cmpgt_epi64(x, c->q2m1), c->q2));
}

TARGET static inline __m256i reduce_q(__m256i x, const vconst *c) {
  return _mm256_sub_epi64(x, _mm256_and_si256(_mm256_cmpgt_epi64(x, c->qm1), c->q));
}

/*
 * Stages with half-size 1 or 2 are vectorised by regrouping: two loads of
 * four words hold the x and y operands of 2 (half 2) or 4 (half 1)
 * butterflies, and the twiddles are spread to match.
 */
TARGET static inline void split(__m256i A, __m256i B, size_t half, __m256i *X, __m256i *Y) {
  if (half == 2) {
    *X = _mm256_permute2x128_si256(A, B, 0x20); /* a0 a1 a4 a5 */
    *Y = _mm256_permute2x128_si256(A, B, 0x31); /* a2 a3 a6 a7 */
  } else {
    *X = _mm256_unpacklo_epi64(A, B); /* a0 a4 a2 a6 */
    *Y = _mm256_unpackhi_epi64(A, B); /* a1 a5 a3 a7 */
  }
}

TARGET static inline void join(__m256i X, __m256i Y, size_t half, __m256i *A, __m256i *B) {
  if (half == 2) {
    *A = _mm256_permute2x128_si256(X, Y, 0x20);
    *B = _mm256_permute2x128_si256(X, Y, 0x31);
  } else {
    *A = _mm256_unpacklo_epi64(X, Y);
    *B = _mm256_unpackhi_epi64(X, Y);
  }
}

/* Twiddles of the groups in one 8-word block, in the lane order of split(). */
TARGET static inline __m256d twiddles(const uint64_t *w, size_t half, const vconst *c,
                                      __m256d *dwq) {
  __m256i v = half == 2
                  ? _mm256_permute4x64_epi64(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)w)), 0x50)
                  : _mm256_permute4x64_epi64(_mm256_loadu_si256((const __m256i *)w), 0xD8);
  __m256d dw = to_double(v, c);
  *dwq = _mm256_div_pd(dw, c->dq);
  return dw;
}

/* One forward stage with half-size 1 or 2 over n >= 8 words. */
TARGET static void forward_small(const cf_ntt_table *t, uint64_t *a, size_t m, size_t half,
                                 const vconst *c) {
  for (size_t b = 0; b < t->n; b += 8) {
    __m256d dwq, dw = twiddles(t->fwd + m + b / (2 * half), half, c, &dwq);
    __m256i X, Y, A = _mm256_loadu_si256((const __m256i *)(a + b)),
                  B = _mm256_loadu_si256((const __m256i *)(a + b + 4));
    split(A, B, half, &X, &Y);
    __m256i u = reduce_2q(X, c), v = mul_lazy(Y, dw, dwq, c);
    join(_mm256_add_epi64(u, v), _mm256_add_epi64(_mm256_sub_epi64(u, v), c->q2), half, &A, &B);
    _mm256_storeu_si256((__m256i *)(a + b), A);
    _mm256_storeu_si256((__m256i *)(a + b + 4), B);
  }
}

/* One inverse stage with half-size 1 or 2 over n >= 8 words. */
TARGET static void inverse_small(const cf_ntt_table *t, uint64_t *a, size_t m, size_t half,
                                 const vconst *c) {
  for (size_t b = 0; b < t->n; b += 8) {
    __m256d dwq, dw = twiddles(t->inv + m + b / (2 * half), half, c, &dwq);
    __m256i X, Y, A = _mm256_loadu_si256((const __m256i *)(a + b)),
                  B = _mm256_loadu_si256((const __m256i *)(a + b + 4));
    split(A, B, half, &X, &Y);
    __m256i s = reduce_2q(_mm256_add_epi64(X, Y), c);
    __m256i d = mul_lazy(_mm256_add_epi64(_mm256_sub_epi64(X, Y), c->q2), dw, dwq, c);
    join(s, d, half, &A, &B);
    _mm256_storeu_si256((__m256i *)(a + b), A);
    _mm256_storeu_si256((__m256i *)(a + b + 4), B);
  }
}

TARGET void cf_ntt_forward_avx2(const cf_ntt_table *t, uint64_t *a) {
  const size_t n = t->n;
  const uint64_t q = t->mod.q, q2 = 2 * q;
  const double dq = (double)q;
  const vconst c = make_consts(q);
  size_t half = n >> 1;
  for (size_t m = 1; m < n; m <<= 1, half >>= 1) {
    if (half < 4 && n >= 8) {
      forward_small(t, a, m, half, &c);
      continue;
    }
    for (size_t i = 0; i < m; i++) {
      const uint64_t w = t->fwd[m + i], wp = t->fwd_sh[m + i];
      uint64_t *x = a + 2 * i * half, *y = x + half;
      if (half >= 4) {
        const __m256d dw = _mm256_set1_pd((double)w), dwq = _mm256_set1_pd((double)w / dq);
        for (size_t j = 0; j < half; j += 4) {
          __m256i u = reduce_2q(_mm256_loadu_si256((const __m256i *)(x + j)), &c);
          __m256i v = mul_lazy(_mm256_loadu_si256((const __m256i *)(y + j)), dw, dwq, &c);
          _mm256_storeu_si256((__m256i *)(x + j), _mm256_add_epi64(u, v));
          _mm256_storeu_si256((__m256i *)(y + j),
                              _mm256_add_epi64(_mm256_sub_epi64(u, v), c.q2));
        }
      } else {
        for (size_t j = 0; j < half; j++) {
          uint64_t u = x[j];
          u -= (u >= q2) ? q2 : 0;
          uint64_t v = cf_mul_shoup_lazy(y[j], w, wp, q);
          x[j] = u + v;
          y[j] = u - v + q2;
        }
      }
    }
  }
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256i u = _mm256_loadu_si256((const __m256i *)(a + j));
    _mm256_storeu_si256((__m256i *)(a + j), reduce_q(reduce_2q(u, &c), &c));
  }
  for (; j < n; j++) {
    uint64_t u = a[j];
    u -= (u >= q2) ? q2 : 0;
    a[j] = u - ((u >= q) ? q : 0);
  }
}

TARGET void cf_ntt_inverse_avx2(const cf_ntt_table *t, uint64_t *a) {
  const size_t n = t->n;
  const uint64_t q = t->mod.q, q2 = 2 * q;
  const double dq = (double)q;
  const vconst c = make_consts(q);
  size_t half = 1;
  for (size_t m = n >> 1; m > 1; m >>= 1, half <<= 1) {
    if (half < 4 && n >= 8) {
      inverse_small(t, a, m, half, &c);
      continue;
    }
    for (size_t i = 0; i < m; i++) {
      const uint64_t w = t->inv[m + i], wp = t->inv_sh[m + i];
      uint64_t *x = a + 2 * i * half, *y = x + half;
      if (half >= 4) {
        const __m256d dw = _mm256_set1_pd((double)w), dwq = _mm256_set1_pd((double)w / dq);
        for (size_t j = 0; j < half; j += 4) {
          __m256i u = _mm256_loadu_si256((const __m256i *)(x + j));
          __m256i v = _mm256_loadu_si256((const __m256i *)(y + j));
          _mm256_storeu_si256((__m256i *)(x + j), reduce_2q(_mm256_add_epi64(u, v), &c));
          __m256i d = _mm256_add_epi64(_mm256_sub_epi64(u, v), c.q2);
          _mm256_storeu_si256((__m256i *)(y + j), mul_lazy(d, dw, dwq, &c));
        }
      } else {
        for (size_t j = 0; j < half; j++) {
          uint64_t u = x[j], v = y[j];
          uint64_t s = u + v;
          s -= (s >= q2) ? q2 : 0;
          x[j] = s;
          y[j] = cf_mul_shoup_lazy(u - v + q2, w, wp, q);
        }
      }
    }
  }
  const uint64_t ni = t->n_inv, nip = t->n_inv_sh, li = t->last_inv, lip = t->last_inv_sh;
  uint64_t *x = a, *y = a + half;
  size_t j = 0;
  if (half >= 4) {
    const __m256d dn = _mm256_set1_pd((double)ni), dnq = _mm256_set1_pd((double)ni / dq);
    const __m256d dl = _mm256_set1_pd((double)li), dlq = _mm256_set1_pd((double)li / dq);
    for (; j + 4 <= half; j += 4) {
      __m256i u = _mm256_loadu_si256((const __m256i *)(x + j));
      __m256i v = _mm256_loadu_si256((const __m256i *)(y + j));
      __m256i s = mul_lazy(_mm256_add_epi64(u, v), dn, dnq, &c);
      __m256i d = mul_lazy(_mm256_add_epi64(_mm256_sub_epi64(u, v), c.q2), dl, dlq, &c);
      _mm256_storeu_si256((__m256i *)(x + j), reduce_q(s, &c));
      _mm256_storeu_si256((__m256i *)(y + j), reduce_q(d, &c));
    }
  }
  for (; j < half; j++) {
    uint64_t u = x[j], v = y[j];
    x[j] = cf_mul_shoup(u + v, ni, nip, q);
    y[j] = cf_mul_shoup(u - v + q2, li, lip, q);
  }
}

#else
typedef int cf_ntt_avx2_unused; /* not an x86-64 GNU compiler: no AVX2 variant */
#endif
