/* Hybrid key switching from the steps (see keyswitch.h for the recipe). */
#include "kernels/ckks/keyswitch.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

void cf_ckks_decomp_free(cf_ckks_decomp *dc) {
  for (int j = 0; j < dc->ndigits; j++) {
    cf_ckks_tmp_free(dc->ctx, dc->ext[j]);
    dc->ext[j] = NULL;
  }
  dc->ndigits = 0;
}

cf_status cf_ckks_ks_decompose(const cf_ckks_exec *x, int level, const uint64_t *d,
                               cf_ckks_decomp *out) {
  const cf_ckks_context *ctx = x->ctx;
  const cf_ckks_level *lv = &ctx->levels[level];
  size_t n = ctx->n, rows = (size_t)level + 1;
  memset(out, 0, sizeof *out);
  out->ctx = ctx;
  out->level = level;
  out->d = d;
  out->ndigits = lv->ndigits;
  uint64_t *t = cf_ckks_tmp_rows(ctx, rows);
  bool ok = t != NULL;
  for (int j = 0; ok && j < lv->ndigits; j++)
    ok = (out->ext[j] = cf_ckks_tmp_rows(ctx, lv->digits[j].next)) != NULL;
  if (!ok) {
    cf_ckks_tmp_free(ctx, t);
    cf_ckks_decomp_free(out);
    return CF_FAIL(CF_ENOMEM, "allocating a key-switching decomposition at level %d", level);
  }
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)rows);
  cf_ckks_x_copy(x, t, d, rows);
  cf_ckks_x_intt(x, t, pr, rows);
  for (int j = 0; j < lv->ndigits; j++) {
    const cf_ckks_digit *dg = &lv->digits[j];
    cf_ckks_x_modup(x, level, j, out->ext[j], t + (size_t)dg->first * n, dg->next);
    cf_ckks_x_ntt(x, out->ext[j], dg->ext_primes, dg->next);
  }
  cf_ckks_tmp_free(ctx, t);
  return CF_OK;
}

void cf_ckks_ks_work_give(cf_ckks_ks_work *w) {
  uint64_t **bufs[] = {&w->acc0, &w->acc1, &w->src, &w->et, &w->w};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
    cf_ckks_tmp_free(w->ctx, *bufs[i]);
    *bufs[i] = NULL;
  }
}

cf_status cf_ckks_ks_work_take(const cf_ckks_context *ctx, int level, bool galois,
                               cf_ckks_ks_work *w) {
  size_t qrows = (size_t)level + 1, erows = qrows + (size_t)ctx->K;
  memset(w, 0, sizeof *w);
  w->ctx = ctx;
  w->acc0 = cf_ckks_tmp_rows(ctx, erows);
  w->acc1 = cf_ckks_tmp_rows(ctx, erows);
  w->w = cf_ckks_tmp_rows(ctx, qrows);
  if (galois) {
    w->src = cf_ckks_tmp_rows(ctx, qrows);
    w->et = cf_ckks_tmp_rows(ctx, erows);
  }
  if (!w->acc0 || !w->acc1 || !w->w || (galois && (!w->src || !w->et))) {
    cf_ckks_ks_work_give(w);
    return CF_FAIL(CF_ENOMEM, "allocating key-switching accumulators at level %d", level);
  }
  return CF_OK;
}

cf_status cf_ckks_ks_check(const cf_ckks_context *ctx, int level, const cf_ckks_kskey *key) {
  int need = ctx->levels[level].ndigits;
  if (need > key->dnum)
    return CF_FAIL(CF_EMISMATCH, "key has %d digits, level %d needs %d", key->dnum, level, need);
  return CF_OK;
}

/* Digit 0 initialises the accumulators with MUL, later digits add with KS_INNER. */
static void inner(const cf_ckks_exec *x, int first, uint64_t *acc0, uint64_t *acc1,
                  const uint64_t *d, const uint64_t *k0, const uint64_t *k1, const uint16_t *pr,
                  size_t count) {
  if (first) {
    cf_ckks_x_mul(x, acc0, d, k0, pr, count);
    cf_ckks_x_mul(x, acc1, d, k1, pr, count);
  } else {
    cf_ckks_x_ks_inner(x, acc0, acc1, d, k0, k1, pr, count);
  }
}

cf_status cf_ckks_ks_apply(const cf_ckks_exec *x, const cf_ckks_decomp *dc,
                           const cf_automorph_table *g, const cf_ckks_kskey *key,
                           cf_ckks_ks_work *w) {
  const cf_ckks_context *ctx = x->ctx;
  int l = dc->level, L = ctx->L, K = ctx->K;
  size_t n = ctx->n, qrows = (size_t)l + 1;
  size_t krows = (size_t)ctx->nprimes;
  const cf_ckks_level *lv = &ctx->levels[l];
  CF_TRY(cf_ckks_ks_check(ctx, l, key));
  uint64_t *acc0 = w->acc0, *acc1 = w->acc1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)qrows);
  cf_ckks_identity_primes(pr + qrows, L + 1, K);
  for (int j = 0; j < lv->ndigits; j++) {
    const cf_ckks_digit *dg = &lv->digits[j];
    size_t f = (size_t)dg->first, c = (size_t)dg->count;
    const uint64_t *b = key->b + (size_t)j * krows * n, *a = key->a + (size_t)j * krows * n;
    const uint64_t *s = dc->d + f * n, *e = dc->ext[j];
    if (g) {
      cf_ckks_x_automorph(x, g, w->src, s, c);
      cf_ckks_x_automorph(x, g, w->et, e, dg->next);
      s = w->src;
      e = w->et;
    }
    /* digit's own rows */
    inner(x, j == 0, acc0 + f * n, acc1 + f * n, s, b + f * n, a + f * n, pr + f, c);
    /* Q rows below the digit */
    inner(x, j == 0, acc0, acc1, e, b, a, pr, f);
    /* Q rows above the digit */
    size_t above = qrows - f - c;
    inner(x, j == 0, acc0 + (f + c) * n, acc1 + (f + c) * n, e + f * n, b + (f + c) * n,
          a + (f + c) * n, pr + f + c, above);
    /* P rows */
    size_t eoff = (qrows - c) * n, koff = (size_t)(L + 1) * n;
    inner(x, j == 0, acc0 + qrows * n, acc1 + qrows * n, e + eoff, b + koff, a + koff, pr + qrows,
          (size_t)K);
  }
  uint64_t *accs[2] = {acc0, acc1};
  for (int i = 0; i < 2; i++) {
    cf_ckks_x_intt(x, accs[i] + qrows * n, pr + qrows, (size_t)K);
    cf_ckks_x_moddown(x, l, accs[i], accs[i] + qrows * n, w->w);
  }
  return CF_OK;
}
