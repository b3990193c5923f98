#include "kernels/cpu/rns.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/poly_simd.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns_simd.h"

/* Coefficients converted per block: y for a block of all A limbs stays in L1. */
#define CONV_BLOCK 16

static cf_status init_moduli(cf_modulus **out, const uint64_t *p, size_t count, const char *what) {
  if (!p || count == 0 || count > CF_RNS_MAX_LIMBS)
    return CF_FAIL(CF_EINVAL, "%s basis has %zu primes (need 1..%d)", what, count,
                   CF_RNS_MAX_LIMBS);
  cf_modulus *m = calloc(count, sizeof *m);
  if (!m) return CF_FAIL(CF_ENOMEM, "%s basis of %zu primes", what, count);
  for (size_t i = 0; i < count; i++) {
    cf_status s = cf_modulus_init(&m[i], p[i]);
    if (s != CF_OK) {
      free(m);
      return s;
    }
  }
  *out = m;
  return CF_OK;
}

static int max_bits(const cf_modulus *m, size_t count) {
  int b = 0;
  for (size_t i = 0; i < count; i++)
    b = m[i].bits > b ? m[i].bits : b;
  return b;
}

cf_status cf_baseconv_init(cf_baseconv_table *t, const uint64_t *a, size_t na, const uint64_t *b,
                           size_t nb) {
  memset(t, 0, sizeof *t);
  CF_TRY(init_moduli(&t->a, a, na, "source"));
  cf_status s = init_moduli(&t->b, b, nb, "target");
  if (s != CF_OK) {
    cf_baseconv_free(t);
    return s;
  }
  t->na = na;
  t->nb = nb;
  t->ahat_inv = malloc(na * sizeof *t->ahat_inv);
  t->ahat_inv_sh = malloc(na * sizeof *t->ahat_inv_sh);
  t->ahat_mod_b = malloc(na * nb * sizeof *t->ahat_mod_b);
  if (!t->ahat_inv || !t->ahat_inv_sh || !t->ahat_mod_b) {
    cf_baseconv_free(t);
    return CF_FAIL(CF_ENOMEM, "basis conversion tables %zu -> %zu", na, nb);
  }
  for (size_t i = 0; i < na; i++) {
    const cf_modulus *ai = &t->a[i];
    uint64_t prod = 1;
    for (size_t k = 0; k < na; k++) {
      if (k == i) continue;
      if (a[k] == a[i]) {
        cf_baseconv_free(t);
        return CF_FAIL(CF_EINVAL, "source prime %llu appears twice", (unsigned long long)a[i]);
      }
      prod = cf_mul_mod(prod, cf_reduce64(a[k], ai), ai);
    }
    if (!cf_inv_mod(prod, ai->q, &t->ahat_inv[i])) {
      cf_baseconv_free(t);
      return CF_FAIL(CF_EINVAL, "source moduli are not coprime (at %llu)",
                     (unsigned long long)a[i]);
    }
    t->ahat_inv_sh[i] = cf_shoup_prep(t->ahat_inv[i], ai->q);
    for (size_t j = 0; j < nb; j++) {
      const cf_modulus *bj = &t->b[j];
      uint64_t pj = 1 % bj->q;
      for (size_t k = 0; k < na; k++)
        if (k != i) pj = cf_mul_mod(pj, cf_reduce64(a[k], bj), bj);
      t->ahat_mod_b[j * na + i] = pj;
    }
  }
  int bits = max_bits(t->a, na) + max_bits(t->b, nb);
  /* acc < 2^(bits) after a reduction, plus T products < 2^bits each: (T+1) 2^bits <= 2^128. */
  int room = 128 - bits;
  t->acc_terms = room >= 20 ? (1 << 20) : (1 << room) - 1;
  bool pow2 = false;
  for (size_t j = 0; j < nb; j++)
    pow2 |= (b[j] & (b[j] - 1)) == 0;
  if (!pow2) {
    t->fold = malloc(3 * nb * sizeof *t->fold);
    if (!t->fold) {
      cf_baseconv_free(t);
      return CF_FAIL(CF_ENOMEM, "basis conversion tables %zu -> %zu", na, nb);
    }
    for (size_t j = 0; j < nb; j++) {
      const cf_modulus *bj = &t->b[j];
      uint64_t c52 = cf_reduce64(1ull << 52, bj);
      t->fold[3 * j] = c52;
      t->fold[3 * j + 1] = cf_mul_mod(c52, c52, bj);
      t->fold[3 * j + 2] = (uint64_t)(((cf_u128)1 << (63 + bj->bits)) / bj->q);
    }
  }
  if (max_bits(t->a, na) <= CF_SIMD_MAX_BITS && max_bits(t->b, nb) <= CF_SIMD_MAX_BITS) {
    t->w_d = malloc(na * nb * sizeof *t->w_d);
    t->w_dq = malloc(na * nb * sizeof *t->w_dq);
    if (!t->w_d || !t->w_dq) {
      cf_baseconv_free(t);
      return CF_FAIL(CF_ENOMEM, "basis conversion tables %zu -> %zu", na, nb);
    }
    for (size_t j = 0; j < nb; j++)
      for (size_t i = 0; i < na; i++) {
        t->w_d[j * na + i] = (double)t->ahat_mod_b[j * na + i];
        t->w_dq[j * na + i] = t->w_d[j * na + i] / (double)t->b[j].q;
      }
  }
  return CF_OK;
}

void cf_baseconv_free(cf_baseconv_table *t) {
  if (!t) return;
  free(t->a);
  free(t->b);
  free(t->ahat_inv);
  free(t->ahat_inv_sh);
  free(t->ahat_mod_b);
  free(t->w_d);
  free(t->w_dq);
  free(t->fold);
  memset(t, 0, sizeof *t);
}

/* y[i*CONV_BLOCK + c] = [x_i * (A/a_i)^-1]_{a_i} for coefficients c0..c0+blk. */
static void conv_prepare(const cf_baseconv_table *t, const uint64_t *in, size_t n, size_t c0,
                         size_t blk, uint64_t *y) {
  for (size_t i = 0; i < t->na; i++) {
    const uint64_t q = t->a[i].q, w = t->ahat_inv[i], wp = t->ahat_inv_sh[i];
    const uint64_t *x = in + i * n + c0;
    uint64_t *yi = y + i * CONV_BLOCK;
    for (size_t c = 0; c < blk; c++)
      yi[c] = cf_mul_shoup(x[c], w, wp, q);
  }
}

/*
 * out[c] = [sum_i y_i * [A/a_i]_{b_j}]_{b_j} for one target limb j. The sum
 * for one coefficient stays in registers; it is reduced every acc_terms
 * products so the 128-bit accumulator cannot overflow.
 */
static void conv_row(const cf_baseconv_table *t, const uint64_t *y, size_t blk, size_t j,
                     uint64_t *out) {
  const cf_modulus *bj = &t->b[j];
  const uint64_t *w = t->ahat_mod_b + j * t->na;
  const size_t na = t->na, chunk = (size_t)t->acc_terms;
  if (na <= chunk) {
    for (size_t c = 0; c < blk; c++) {
      cf_u128 acc = 0;
      for (size_t i = 0; i < na; i++)
        acc += (cf_u128)y[i * CONV_BLOCK + c] * w[i];
      out[c] = cf_reduce128(acc, bj);
    }
    return;
  }
  for (size_t c = 0; c < blk; c++) {
    cf_u128 acc = 0;
    for (size_t i = 0; i < na; i++) {
      if (i > 0 && i % chunk == 0) acc = cf_reduce128(acc, bj);
      acc += (cf_u128)y[i * CONV_BLOCK + c] * w[i];
    }
    out[c] = cf_reduce128(acc, bj);
  }
}

static bool conv_avx2(const cf_baseconv_table *t) {
#ifdef CF_HAVE_AVX2_RNS
  return t->w_d && cf_cpu_path_active() >= CF_CPU_AVX2;
#else
  (void)t;
  return false;
#endif
}

void cf_baseconv_portable(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                          size_t limb_begin, size_t limb_end) {
  uint64_t y[CF_RNS_MAX_LIMBS * CONV_BLOCK];
  if (limb_end > t->nb) limb_end = t->nb;
  if (limb_begin >= limb_end) return;
  for (size_t c0 = 0; c0 < n; c0 += CONV_BLOCK) {
    size_t blk = n - c0 < CONV_BLOCK ? n - c0 : CONV_BLOCK;
    conv_prepare(t, in, n, c0, blk, y);
    for (size_t j = limb_begin; j < limb_end; j++)
      conv_row(t, y, blk, j, out + j * n + c0);
  }
}

static bool conv_avx512(const cf_baseconv_table *t) {
#ifdef CF_HAVE_AVX512_RNS
  return t->fold && cf_cpu_path_active() >= CF_CPU_AVX512;
#else
  (void)t;
  return false;
#endif
}

void cf_baseconv(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                 size_t limb_begin, size_t limb_end) {
#ifdef CF_HAVE_AVX512_RNS
  if (conv_avx512(t)) {
    cf_baseconv_avx512(t, out, in, n, limb_begin, limb_end);
    return;
  }
#endif
#ifdef CF_HAVE_AVX2_RNS
  if (conv_avx2(t)) {
    cf_baseconv_avx2(t, out, in, n, limb_begin, limb_end);
    return;
  }
#endif
  cf_baseconv_portable(t, out, in, n, limb_begin, limb_end);
}

/* ---- rescale ---- */

cf_status cf_rescale_init(cf_rescale_table *t, const uint64_t *q, size_t count) {
  memset(t, 0, sizeof *t);
  if (count < 2) return CF_FAIL(CF_EINVAL, "rescale needs at least 2 primes, got %zu", count);
  CF_TRY(init_moduli(&t->q, q, count, "rescale"));
  size_t l = count - 1;
  t->l = l;
  t->half = q[l] >> 1;
  t->half_mod = malloc(l * sizeof *t->half_mod);
  t->ql_inv = malloc(l * sizeof *t->ql_inv);
  t->ql_inv_sh = malloc(l * sizeof *t->ql_inv_sh);
  if (!t->half_mod || !t->ql_inv || !t->ql_inv_sh) {
    cf_rescale_free(t);
    return CF_FAIL(CF_ENOMEM, "rescale tables for %zu primes", count);
  }
  for (size_t i = 0; i < l; i++) {
    const cf_modulus *qi = &t->q[i];
    t->half_mod[i] = cf_reduce64(t->half, qi);
    if (!cf_inv_mod(cf_reduce64(q[l], qi), qi->q, &t->ql_inv[i])) {
      cf_rescale_free(t);
      return CF_FAIL(CF_EINVAL, "last prime %llu not invertible mod %llu", (unsigned long long)q[l],
                     (unsigned long long)q[i]);
    }
    t->ql_inv_sh[i] = cf_shoup_prep(t->ql_inv[i], qi->q);
  }
  return CF_OK;
}

void cf_rescale_free(cf_rescale_table *t) {
  if (!t) return;
  free(t->q);
  free(t->half_mod);
  free(t->ql_inv);
  free(t->ql_inv_sh);
  memset(t, 0, sizeof *t);
}

/* [ [x_l + h]_{q_l} ]_{q_i}, the lifted last residue of one coefficient. */
static inline uint64_t lift_last(uint64_t xl, uint64_t h, uint64_t ql, const cf_modulus *qi,
                                 int need_reduce) {
  uint64_t v = xl + h;
  v -= v >= ql ? ql : 0;
  return need_reduce ? cf_reduce64(v, qi) : v;
}

/* Coefficients lifted per block in cf_rescale (stack scratch). */
#define LIFT_BLOCK 256

static void lift_block(const cf_rescale_table *t, uint64_t *w, const uint64_t *last, size_t cnt,
                       size_t i) {
  const uint64_t ql = t->q[t->l].q, h = t->half;
  const cf_modulus *qi = &t->q[i];
  const uint64_t q = qi->q, hm = t->half_mod[i];
  const int red = ql > q;
  size_t c = 0;
#ifdef CF_HAVE_AVX512_RNS
  if (cf_cpu_path_active() >= CF_CPU_AVX512) c = cf_rescale_lift_row_avx512(t, w, last, cnt, i);
#endif
  for (; c < cnt; c++)
    w[c] = cf_sub_mod(lift_last(last[c], h, ql, qi, red), hm, q);
}

void cf_rescale(const cf_rescale_table *t, uint64_t *out, const uint64_t *in, const uint64_t *last,
                size_t n, size_t limb_begin, size_t limb_end) {
  uint64_t w[LIFT_BLOCK];
  if (limb_end > t->l) limb_end = t->l;
  for (size_t i = limb_begin; i < limb_end; i++) {
    for (size_t c0 = 0; c0 < n; c0 += LIFT_BLOCK) {
      size_t cnt = n - c0 < LIFT_BLOCK ? n - c0 : LIFT_BLOCK;
      lift_block(t, w, last + c0, cnt, i);
      cf_limb_sub_mul_const(out + i * n + c0, in + i * n + c0, w, t->ql_inv[i], t->ql_inv_sh[i],
                            cnt, &t->q[i]);
    }
  }
}

void cf_rescale_lift(const cf_rescale_table *t, uint64_t *w, const uint64_t *last, size_t n,
                     size_t limb_begin, size_t limb_end) {
  if (limb_end > t->l) limb_end = t->l;
  for (size_t i = limb_begin; i < limb_end; i++)
    lift_block(t, w + i * n, last, n, i);
}

void cf_rescale_finish(const cf_rescale_table *t, uint64_t *out, const uint64_t *in,
                       const uint64_t *w, size_t n, size_t limb_begin, size_t limb_end) {
  if (limb_end > t->l) limb_end = t->l;
  for (size_t i = limb_begin; i < limb_end; i++)
    cf_limb_sub_mul_const(out + i * n, in + i * n, w + i * n, t->ql_inv[i], t->ql_inv_sh[i], n,
                          &t->q[i]);
}

/* ---- ModDown ---- */

cf_status cf_moddown_init(cf_moddown_table *t, const uint64_t *q, size_t nq, const uint64_t *p,
                          size_t np) {
  memset(t, 0, sizeof *t);
  CF_TRY(cf_baseconv_init(&t->conv, p, np, q, nq));
  t->p_inv = malloc(nq * sizeof *t->p_inv);
  t->p_inv_sh = malloc(nq * sizeof *t->p_inv_sh);
  if (!t->p_inv || !t->p_inv_sh) {
    cf_moddown_free(t);
    return CF_FAIL(CF_ENOMEM, "ModDown tables for %zu + %zu primes", nq, np);
  }
  for (size_t i = 0; i < nq; i++) {
    const cf_modulus *qi = &t->conv.b[i];
    uint64_t pm = 1 % qi->q;
    for (size_t k = 0; k < np; k++)
      pm = cf_mul_mod(pm, cf_reduce64(p[k], qi), qi);
    if (!cf_inv_mod(pm, qi->q, &t->p_inv[i])) {
      cf_moddown_free(t);
      return CF_FAIL(CF_EINVAL, "P is not invertible mod q_%zu = %llu", i,
                     (unsigned long long)qi->q);
    }
    t->p_inv_sh[i] = cf_shoup_prep(t->p_inv[i], qi->q);
  }
  return CF_OK;
}

void cf_moddown_free(cf_moddown_table *t) {
  if (!t) return;
  cf_baseconv_free(&t->conv);
  free(t->p_inv);
  free(t->p_inv_sh);
  memset(t, 0, sizeof *t);
}

/* Coefficients per ModDown block on the AVX2 path (stack: limbs x block words). */
#define MODDOWN_BLOCK 32

void cf_moddown(const cf_moddown_table *t, uint64_t *out, const uint64_t *in_q,
                const uint64_t *in_p, size_t n, size_t limb_begin, size_t limb_end) {
  const cf_baseconv_table *cv = &t->conv;
  if (limb_end > cv->nb) limb_end = cv->nb;
  if (limb_begin >= limb_end) return;
#ifdef CF_HAVE_AVX512_RNS
  if (conv_avx512(cv)) {
    uint64_t w[CF_RNS_MAX_LIMBS * CF_BASECONV_AVX512_BLOCK];
    const size_t bs = CF_BASECONV_AVX512_BLOCK;
    for (size_t c0 = 0; c0 < n; c0 += bs) {
      size_t blk = n - c0 < bs ? n - c0 : bs;
      cf_baseconv_block_avx512(cv, in_p, n, c0, blk, limb_begin, limb_end, w, bs);
      for (size_t i = limb_begin; i < limb_end; i++)
        cf_limb_sub_mul_const(out + i * n + c0, in_q + i * n + c0, w + (i - limb_begin) * bs,
                              t->p_inv[i], t->p_inv_sh[i], blk, &cv->b[i]);
    }
    return;
  }
#endif
#ifdef CF_HAVE_AVX2_RNS
  if (conv_avx2(cv)) {
    uint64_t w[CF_RNS_MAX_LIMBS * MODDOWN_BLOCK];
    for (size_t c0 = 0; c0 < n; c0 += MODDOWN_BLOCK) {
      size_t blk = n - c0 < MODDOWN_BLOCK ? n - c0 : MODDOWN_BLOCK;
      for (size_t s = 0; s < blk; s += CONV_BLOCK)
        cf_baseconv_block_avx2(cv, in_p, n, c0 + s, blk - s < CONV_BLOCK ? blk - s : CONV_BLOCK,
                               limb_begin, limb_end, w + s, MODDOWN_BLOCK);
      for (size_t i = limb_begin; i < limb_end; i++)
        cf_limb_sub_mul_const(out + i * n + c0, in_q + i * n + c0,
                              w + (i - limb_begin) * MODDOWN_BLOCK, t->p_inv[i], t->p_inv_sh[i],
                              blk, &cv->b[i]);
    }
    return;
  }
#endif
  uint64_t y[CF_RNS_MAX_LIMBS * CONV_BLOCK], w[CONV_BLOCK];
  for (size_t c0 = 0; c0 < n; c0 += CONV_BLOCK) {
    size_t blk = n - c0 < CONV_BLOCK ? n - c0 : CONV_BLOCK;
    conv_prepare(cv, in_p, n, c0, blk, y);
    for (size_t i = limb_begin; i < limb_end; i++) {
      conv_row(cv, y, blk, i, w);
      cf_limb_sub_mul_const(out + i * n + c0, in_q + i * n + c0, w, t->p_inv[i], t->p_inv_sh[i],
                            blk, &cv->b[i]);
    }
  }
}

void cf_moddown_finish(const cf_moddown_table *t, uint64_t *out, const uint64_t *in_q,
                       const uint64_t *w, size_t n, size_t limb_begin, size_t limb_end) {
  if (limb_end > t->conv.nb) limb_end = t->conv.nb;
  for (size_t i = limb_begin; i < limb_end; i++)
    cf_limb_sub_mul_const(out + i * n, in_q + i * n, w + i * n, t->p_inv[i], t->p_inv_sh[i], n,
                          &t->conv.b[i]);
}
