/*
 * AVX-512 fast basis conversion for every modulus size (below 2^61), 32
 * coefficients (four vectors) per block:
 *   y_i   = [x_i * (A/a_i)^-1]_{a_i} by Shoup (IFMA or 64-bit), canonical;
 *   out_j = [sum_i y_i * w_ij]_{b_j}, w_ij = [A/a_i]_{b_j}, with the sum
 *           accumulated exactly and unreduced as 52-bit IFMA digits: with
 *           y = y0 + 2^52 y1 and w = w0 + 2^52 w1 (y1, w1 < 2^9, zero for
 *           moduli below 2^52),
 *             L0 += lo(y0 w0)
 *             L1 += hi(y0 w0) + lo(y0 w1) + lo(y1 w0)
 *             L2 += hi(y0 w1) + hi(y1 w0) + lo(y1 w1)
 *           so X = L0 + 2^52 L1 + 2^104 L2 is the exact sum (below
 *           na * 2^122 <= 2^129; no digit overflows a word for na <= 128).
 * Each row is reduced once: after carrying the digits (L0, L1 < 2^52,
 * L2 < 2^25), X' = L0 + L1 [2^52]_b + L2 [2^104]_b = X mod b is below
 * 2^(bits(b) + 53), and the 64-bit Barrett step of avx512_arith.h brings
 * it to [0, b). Every output is fully reduced, hence equal to the portable
 * conversion.
 */
#include "kernels/cpu/rns_simd.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include "kernels/cpu/avx512_arith.h"

#define TARGET CF_AVX512_TARGET
#define INLINE __attribute__((always_inline)) inline
#define VECS   4
#define BLOCK  (8 * VECS)

TARGET static inline __mmask8 lane_mask(size_t blk, size_t v) {
  if (blk <= 8 * v) return 0;
  size_t left = blk - 8 * v;
  return left >= 8 ? (__mmask8)0xff : (__mmask8)((1u << left) - 1);
}

/*
 * The digit sums of one target row. ywide: some y_i may reach 2^52, those
 * with yw[i] set (only they pay for the high digit); wwide: the w_ij may.
 */
TARGET static INLINE void accumulate(const __m512i *y, const __m512i *yh, const uint64_t *w,
                                     const unsigned char *yw, size_t na, int ywide, int wwide,
                                     __m512i *l0, __m512i *l1, __m512i *l2) {
  for (size_t i = 0; i < na; i++) {
    const __m512i w0 = _mm512_set1_epi64((long long)w[i]);
    const __m512i w1 = _mm512_set1_epi64((long long)(w[i] >> 52));
#pragma GCC unroll 4
    for (size_t v = 0; v < VECS; v++) {
      const __m512i y0 = y[i * VECS + v];
      l0[v] = _mm512_madd52lo_epu64(l0[v], y0, w0);
      l1[v] = _mm512_madd52hi_epu64(l1[v], y0, w0);
      if (wwide) {
        l1[v] = _mm512_madd52lo_epu64(l1[v], y0, w1);
        l2[v] = _mm512_madd52hi_epu64(l2[v], y0, w1);
      }
      if (ywide && yw[i]) {
        const __m512i y1 = yh[i * VECS + v];
        l1[v] = _mm512_madd52lo_epu64(l1[v], y1, w0);
        l2[v] = _mm512_madd52hi_epu64(l2[v], y1, w0);
        if (wwide) l2[v] = _mm512_madd52lo_epu64(l2[v], y1, w1);
      }
    }
  }
}

/* [L0 + 2^52 L1 + 2^104 L2]_b; f = {[2^52]_b, [2^104]_b, Barrett mu}. */
TARGET static inline __m512i finish(__m512i l0, __m512i l1, __m512i l2, const uint64_t *f,
                                    int wwide, const cf_avx512_mod *cb) {
  const __m512i m52 = _mm512_set1_epi64((long long)CF_M52), z = _mm512_setzero_si512();
  l1 = _mm512_add_epi64(l1, _mm512_srli_epi64(l0, 52));
  l0 = _mm512_and_si512(l0, m52);
  l2 = _mm512_add_epi64(l2, _mm512_srli_epi64(l1, 52));
  l1 = _mm512_and_si512(l1, m52);
  const __m512i c2 = _mm512_set1_epi64((long long)f[1]);
  /* X' = d0 + 2^52 d1 = l0 + l1 [2^52]_b + l2 [2^104]_b (l2 [2^104]_b < 2^(25 + bits)) */
  __m512i d0, d1;
  if (wwide) { /* b > 2^52: [2^52]_b = 2^52, and [2^104]_b has a high digit below 2^9 */
    const __m512i c2h = _mm512_set1_epi64((long long)(f[1] >> 52));
    d0 = _mm512_madd52lo_epu64(l0, l2, c2);
    d1 = _mm512_madd52lo_epu64(_mm512_madd52hi_epu64(l1, l2, c2), l2, c2h);
  } else {
    const __m512i c1 = _mm512_set1_epi64((long long)f[0]);
    d0 = _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(l0, l1, c1), l2, c2);
    d1 = _mm512_madd52hi_epu64(_mm512_madd52hi_epu64(z, l1, c1), l2, c2);
  }
  d1 = _mm512_add_epi64(d1, _mm512_srli_epi64(d0, 52));
  d0 = _mm512_and_si512(d0, m52);
  __m512i lo = _mm512_or_si512(d0, _mm512_slli_epi64(d1, 52));
  __m512i hi = _mm512_srli_epi64(d1, 12);
  return cf_avx512_reduce64(hi, lo, cb);
}

TARGET static INLINE void row(const cf_baseconv_table *t, const __m512i *y, const __m512i *yh,
                              const unsigned char *yw, size_t j, int ywide, int wwide,
                              const __mmask8 *km, uint64_t *o) {
  const cf_modulus *bj = &t->b[j];
  const uint64_t *f = t->fold + 3 * j;
  cf_avx512_mod cb = cf_avx512_mod_shoup(bj);
  cb.mu = _mm512_set1_epi64((long long)f[2]);
  cb.sh_lo = _mm_cvtsi32_si128(bj->bits - 1);
  cb.sh_hi = _mm_cvtsi32_si128(65 - bj->bits);
  __m512i l0[VECS], l1[VECS], l2[VECS];
  for (size_t v = 0; v < VECS; v++)
    l0[v] = l1[v] = l2[v] = _mm512_setzero_si512();
  accumulate(y, yh, t->ahat_mod_b + j * t->na, yw, t->na, ywide, wwide, l0, l1, l2);
  for (size_t v = 0; v < VECS; v++)
    _mm512_mask_storeu_epi64(o + 8 * v, km[v], finish(l0[v], l1[v], l2[v], f, wwide, &cb));
}

TARGET void cf_baseconv_block_avx512(const cf_baseconv_table *t, const uint64_t *in, size_t n,
                                     size_t c0, size_t blk, size_t limb_begin, size_t limb_end,
                                     uint64_t *out, size_t ostride) {
  const size_t na = t->na;
  __m512i y[CF_RNS_MAX_LIMBS * VECS], yh[CF_RNS_MAX_LIMBS * VECS];
  unsigned char yw[CF_RNS_MAX_LIMBS];
  __mmask8 km[VECS];
  for (size_t v = 0; v < VECS; v++)
    km[v] = lane_mask(blk, v);
  int ywide = 0;
  for (size_t i = 0; i < na; i++) {
    const cf_modulus *ai = &t->a[i];
    const cf_avx512_mod c = cf_avx512_mod_shoup(ai);
    const uint64_t *x = in + i * n + c0;
    const __m512i s = _mm512_set1_epi64((long long)t->ahat_inv[i]);
    const __m512i sp52 = _mm512_set1_epi64((long long)(t->ahat_inv_sh[i] >> 12));
    const __m512i sp64 = _mm512_set1_epi64((long long)t->ahat_inv_sh[i]);
    for (size_t v = 0; v < VECS; v++) {
      __m512i xv = _mm512_maskz_loadu_epi64(km[v], x + 8 * v);
      __m512i yv =
          c.ifma ? cf_avx512_mulshoup52(xv, s, sp52, &c) : cf_avx512_mulshoup64(xv, s, sp64, &c);
      y[i * VECS + v] = yv;
      yh[i * VECS + v] = _mm512_srli_epi64(yv, 52);
    }
    yw[i] = ai->bits > 52;
    ywide |= yw[i];
  }
  for (size_t j = limb_begin; j < limb_end; j++) {
    uint64_t *o = out + (j - limb_begin) * ostride;
    int wwide = t->b[j].bits > 52;
    if (ywide && wwide)
      row(t, y, yh, yw, j, 1, 1, km, o);
    else if (ywide)
      row(t, y, yh, yw, j, 1, 0, km, o);
    else if (wwide)
      row(t, y, yh, yw, j, 0, 1, km, o);
    else
      row(t, y, yh, yw, j, 0, 0, km, o);
  }
}

TARGET size_t cf_rescale_lift_row_avx512(const cf_rescale_table *t, uint64_t *w,
                                         const uint64_t *last, size_t cnt, size_t i) {
  const uint64_t ql = t->q[t->l].q;
  const cf_modulus *qi = &t->q[i];
  const __m512i vql = _mm512_set1_epi64((long long)ql), h = _mm512_set1_epi64((long long)t->half);
  const __m512i q = _mm512_set1_epi64((long long)qi->q),
                hm = _mm512_set1_epi64((long long)t->half_mod[i]);
  const __m512i ratio = _mm512_set1_epi64((long long)qi->ratio64);
  const int red = ql > qi->q;
  size_t c = 0;
  for (; c + 8 <= cnt; c += 8) {
    /* [x + h]_{q_l}: x, h < q_l */
    __m512i v = cf_avx512_csub(_mm512_add_epi64(_mm512_loadu_si512(last + c), h), vql);
    if (red) { /* cf_reduce64: one-word Barrett, remainder in [0, 2q) */
      __m512i qh = cf_avx512_mulhi(v, ratio);
      v = cf_avx512_csub(_mm512_sub_epi64(v, _mm512_mullo_epi64(qh, q)), q);
    }
    /* - h mod q_i */
    __m512i d = _mm512_sub_epi64(v, hm);
    d = _mm512_mask_add_epi64(d, _mm512_cmplt_epu64_mask(v, hm), d, q);
    _mm512_storeu_si512(w + c, d);
  }
  return c;
}

TARGET void cf_baseconv_avx512(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in,
                               size_t n, size_t limb_begin, size_t limb_end) {
  if (limb_end > t->nb) limb_end = t->nb;
  if (limb_begin >= limb_end) return;
  for (size_t c0 = 0; c0 < n; c0 += BLOCK) {
    size_t blk = n - c0 < BLOCK ? n - c0 : BLOCK;
    cf_baseconv_block_avx512(t, in, n, c0, blk, limb_begin, limb_end, out + limb_begin * n + c0, n);
  }
}

#else
typedef int cf_rns_avx512_unused; /* not an x86-64 GNU compiler: no AVX-512 variant */
#endif
