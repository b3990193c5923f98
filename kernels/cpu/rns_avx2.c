/*
 * AVX2 + FMA fast basis conversion for moduli below 2^50, exact in double
 * precision (the method of ntt_avx2.c):
 *   y_i   = [x_i * (A/a_i)^-1]_{a_i}, brought to the canonical [0, a_i)
 *           because the conversion's result depends on the representative;
 *   out_j = [sum_i y_i * [A/a_i]_{b_j}]_{b_j}, each product reduced to a
 *           signed representative of size <= 3b_j/2 + 1 and summed exactly
 *           (the running sum is re-centred every 4 terms so it stays below
 *           2^53), then fully reduced.
 * Every output is fully reduced, so it equals the portable conversion.
 */
#include "kernels/cpu/rns_simd.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx2,fma")))
#define ROUND  (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define BLOCK  16 /* coefficients per block: 4 vectors */
#define TERMS  4  /* products summed between re-centrings */

TARGET static inline __m256d to_double(__m256i y) {
  const __m256i magic = _mm256_set1_epi64x(0x4330000000000000ll);
  return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(y, magic)), _mm256_castsi256_pd(magic));
}

/* integer-valued x in [0, q] with q < 2^50 -> word */
TARGET static inline __m256i to_word(__m256d x) {
  const __m256i magic = _mm256_set1_epi64x(0x4330000000000000ll);
  return _mm256_xor_si256(_mm256_castpd_si256(_mm256_add_pd(x, _mm256_castsi256_pd(magic))), magic);
}

/* y * w mod q, signed, |result| <= 3q/2 + 1, for |y| < 2^51 and 0 <= w < q. */
TARGET static inline __m256d mulmod(__m256d y, __m256d w, __m256d wq, __m256d q) {
  __m256d qh = _mm256_round_pd(_mm256_mul_pd(y, wq), ROUND);
  __m256d ph = _mm256_mul_pd(y, w);
  __m256d pl = _mm256_fmsub_pd(y, w, ph);
  __m256d sh = _mm256_mul_pd(qh, q);
  __m256d sl = _mm256_fmsub_pd(qh, q, sh);
  return _mm256_add_pd(_mm256_sub_pd(ph, sh), _mm256_sub_pd(pl, sl));
}

/* integer-valued x with |x| < 2^53 -> [-q/2 - 1, q/2 + 1] */
TARGET static inline __m256d centre(__m256d x, __m256d q, __m256d qinv) {
  return _mm256_fnmadd_pd(_mm256_round_pd(_mm256_mul_pd(x, qinv), ROUND), q, x);
}

/* integer-valued x with |x| < 2^53 -> [0, q) */
TARGET static inline __m256d canonical(__m256d x, __m256d q, __m256d qinv) {
  __m256d r = _mm256_fnmadd_pd(_mm256_floor_pd(_mm256_mul_pd(x, qinv)), q, x); /* [0, q] */
  return _mm256_sub_pd(r, _mm256_and_pd(_mm256_cmp_pd(r, q, _CMP_GE_OQ), q));
}

TARGET void cf_baseconv_block_avx2(const cf_baseconv_table *t, const uint64_t *in, size_t n,
                                   size_t c0, size_t blk, size_t limb_begin, size_t limb_end,
                                   uint64_t *out, size_t ostride) {
  const size_t na = t->na;
  __m256d y[CF_RNS_MAX_LIMBS * 4];
  uint64_t pad[BLOCK];
  for (size_t i = 0; i < na; i++) {
    const double aq = (double)t->a[i].q, v = (double)t->ahat_inv[i];
    const __m256d q = _mm256_set1_pd(aq), qinv = _mm256_set1_pd(1.0 / aq);
    const __m256d w = _mm256_set1_pd(v), wq = _mm256_set1_pd(v / aq);
    const uint64_t *x = in + i * n + c0;
    if (blk < BLOCK) { /* a short last block: zero-padded copy */
      memset(pad, 0, sizeof pad);
      memcpy(pad, x, blk * sizeof *x);
      x = pad;
    }
    for (size_t v4 = 0; v4 < 4; v4++) {
      __m256d xd = to_double(_mm256_loadu_si256((const __m256i *)(x + 4 * v4)));
      y[i * 4 + v4] = canonical(mulmod(xd, w, wq, q), q, qinv);
    }
  }
  for (size_t j = limb_begin; j < limb_end; j++) {
    const double bq = (double)t->b[j].q;
    const __m256d q = _mm256_set1_pd(bq), qinv = _mm256_set1_pd(1.0 / bq);
    const double *wd = t->w_d + j * na, *wdq = t->w_dq + j * na;
    __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(),
                      _mm256_setzero_pd()};
    for (size_t i = 0; i < na; i++) {
      if (i > 0 && i % TERMS == 0)
        for (size_t v4 = 0; v4 < 4; v4++)
          acc[v4] = centre(acc[v4], q, qinv);
      const __m256d w = _mm256_set1_pd(wd[i]), wq = _mm256_set1_pd(wdq[i]);
      for (size_t v4 = 0; v4 < 4; v4++)
        acc[v4] = _mm256_add_pd(acc[v4], mulmod(y[i * 4 + v4], w, wq, q));
    }
    uint64_t *o = out + (j - limb_begin) * ostride;
    uint64_t res[BLOCK];
    uint64_t *dst = blk < BLOCK ? res : o;
    for (size_t v4 = 0; v4 < 4; v4++)
      _mm256_storeu_si256((__m256i *)(dst + 4 * v4), to_word(canonical(acc[v4], q, qinv)));
    if (blk < BLOCK) memcpy(o, res, blk * sizeof *o);
  }
}

TARGET void cf_baseconv_avx2(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in,
                             size_t n, size_t limb_begin, size_t limb_end) {
  if (limb_end > t->nb) limb_end = t->nb;
  if (limb_begin >= limb_end) return;
  for (size_t c0 = 0; c0 < n; c0 += BLOCK) {
    size_t blk = n - c0 < BLOCK ? n - c0 : BLOCK;
    cf_baseconv_block_avx2(t, in, n, c0, blk, limb_begin, limb_end, out + limb_begin * n + c0, n);
  }
}

#else
typedef int cf_rns_avx2_unused; /* not an x86-64 GNU compiler: no AVX2 variant */
#endif
