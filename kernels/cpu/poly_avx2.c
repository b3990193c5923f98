/*
 * AVX2 + FMA pointwise products for moduli q < 2^50, exact in double
 * precision (the method of ntt_avx2.c): a, b < q are exact doubles, the
 * product a*b is split into a rounded high part and its FMA residual,
 * qhat = floor(a*b/q) is estimated within one, r = a*b - qhat*q is formed
 * exactly in [-q, 2q) and brought to [0, q) with one more floor and a
 * compare. Results equal the portable ones bit for bit.
 */
#include "kernels/cpu/poly_simd.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include "kernels/cpu/avx2_exact.h"

#define TARGET CF_AVX2_TARGET

TARGET static inline __m256i mulmod(__m256i a, __m256i b, const cf_avx2_mod *c) {
  __m256d ad = cf_avx2_to_double(a, c), bd = cf_avx2_to_double(b, c);
  __m256d ph = _mm256_mul_pd(ad, bd);
  __m256d pl = _mm256_fmsub_pd(ad, bd, ph);
  __m256d qh = _mm256_floor_pd(_mm256_mul_pd(ph, c->dqinv));
  __m256d sh = _mm256_mul_pd(qh, c->dq);
  __m256d sl = _mm256_fmsub_pd(qh, c->dq, sh);
  __m256d r = _mm256_add_pd(_mm256_sub_pd(ph, sh), _mm256_sub_pd(pl, sl)); /* [-q, 2q) */
  __m256d k = _mm256_floor_pd(_mm256_mul_pd(r, c->dqinv));
  __m256i w = cf_avx2_to_word(_mm256_fnmadd_pd(k, c->dq, r), c); /* [0, q] */
  return _mm256_sub_epi64(w, _mm256_and_si256(_mm256_cmpgt_epi64(w, c->qm1), c->q));
}

TARGET void cf_limb_mul_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                             const cf_modulus *m) {
  const cf_avx2_mod c = cf_avx2_mod_make(m->q);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(a + j));
    __m256i y = _mm256_loadu_si256((const __m256i *)(b + j));
    _mm256_storeu_si256((__m256i *)(out + j), mulmod(x, y, &c));
  }
  for (; j < n; j++)
    out[j] = cf_mul_mod_red(a[j], b[j], m);
}

TARGET void cf_limb_mul_acc_avx2(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                                 const cf_modulus *m) {
  const cf_avx2_mod c = cf_avx2_mod_make(m->q);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(a + j));
    __m256i y = _mm256_loadu_si256((const __m256i *)(b + j));
    __m256i s = _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(acc + j)), mulmod(x, y, &c));
    s = _mm256_sub_epi64(s, _mm256_and_si256(_mm256_cmpgt_epi64(s, c.qm1), c.q));
    _mm256_storeu_si256((__m256i *)(acc + j), s);
  }
  for (; j < n; j++)
    acc[j] = cf_reduce_prod((cf_u128)a[j] * b[j] + acc[j], m);
}

/* y * s mod q in [0, q) for y < 2q, s < q; ds = s, dsq = s/q as doubles. */
TARGET static inline __m256i mulconst(__m256i y, __m256d ds, __m256d dsq, const cf_avx2_mod *c) {
  __m256d yd = cf_avx2_to_double(y, c);
  __m256d qh =
      _mm256_round_pd(_mm256_mul_pd(yd, dsq), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d ph = _mm256_mul_pd(yd, ds);
  __m256d pl = _mm256_fmsub_pd(yd, ds, ph);
  __m256d sh = _mm256_mul_pd(qh, c->dq);
  __m256d sl = _mm256_fmsub_pd(qh, c->dq, sh);
  __m256d r = _mm256_add_pd(_mm256_sub_pd(ph, sh), _mm256_sub_pd(pl, sl)); /* |r| <= 3q/2 */
  __m256d k = _mm256_floor_pd(_mm256_mul_pd(r, c->dqinv));
  __m256i w = cf_avx2_to_word(_mm256_fnmadd_pd(k, c->dq, r), c); /* [0, q] */
  return _mm256_sub_epi64(w, _mm256_and_si256(_mm256_cmpgt_epi64(w, c->qm1), c->q));
}

TARGET void cf_limb_sub_mul_const_avx2(uint64_t *out, const uint64_t *a, const uint64_t *b,
                                       uint64_t s, uint64_t sp, size_t n, const cf_modulus *m) {
  const cf_avx2_mod c = cf_avx2_mod_make(m->q);
  const __m256d ds = _mm256_set1_pd((double)s), dsq = _mm256_set1_pd((double)s / (double)m->q);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(a + j));
    if (b) /* a - b + q in [1, 2q) */
      x = _mm256_add_epi64(_mm256_sub_epi64(x, _mm256_loadu_si256((const __m256i *)(b + j))), c.q);
    _mm256_storeu_si256((__m256i *)(out + j), mulconst(x, ds, dsq, &c));
  }
  if (j < n) cf_limb_sub_mul_const_portable(out + j, a + j, b ? b + j : NULL, s, sp, n - j, m);
}

#else
typedef int cf_poly_avx2_unused; /* not an x86-64 GNU compiler: no AVX2 variant */
#endif
