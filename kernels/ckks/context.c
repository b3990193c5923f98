/* The CKKS context: NTT tables per prime, key-switching and rescale tables
 * per level and digit, encoder roots. Built once, then read-only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"

void cf_ckks_identity_primes(uint16_t *primes, int first, int count) {
  for (int i = 0; i < count; i++)
    primes[i] = (uint16_t)(first + i);
}

static void free_level(cf_ckks_level *lv) {
  if (lv->digits) {
    for (int j = 0; j < lv->ndigits; j++) {
      free(lv->digits[j].ext_primes);
      cf_baseconv_free(&lv->digits[j].conv);
    }
    free(lv->digits);
  }
  cf_moddown_free(&lv->moddown);
  if (lv->has_rescale) cf_rescale_free(&lv->rescale);
}

void cf_ckks_context_destroy(cf_ckks_context *ctx) {
  if (!ctx) return;
  if (ctx->ntt)
    for (int i = 0; i < ctx->nprimes; i++)
      cf_ntt_table_free(&ctx->ntt[i]);
  if (ctx->levels)
    for (int l = 0; l <= ctx->L; l++)
      free_level(&ctx->levels[l]);
  free(ctx->levels);
  free(ctx->ntt);
  free(ctx->mods);
  free(ctx->p_mod_q);
  free(ctx->ksi);
  free(ctx->rot);
  free(ctx->fft_tw);
  cf_ckks_scratch_destroy(ctx->scratch);
  free(ctx);
}

static cf_status build_level(cf_ckks_context *ctx, int l) {
  cf_ckks_level *lv = &ctx->levels[l];
  const uint64_t *pr = ctx->params.primes;
  int K = ctx->K;
  CF_TRY(cf_moddown_init(&lv->moddown, pr, (size_t)l + 1, pr + ctx->L + 1, (size_t)K));
  if (l >= 1) {
    CF_TRY(cf_rescale_init(&lv->rescale, pr, (size_t)l + 1));
    lv->has_rescale = 1;
  }
  int nd = (l + 1 + ctx->alpha - 1) / ctx->alpha;
  lv->digits = calloc((size_t)nd, sizeof *lv->digits);
  if (!lv->digits) return CF_FAIL(CF_ENOMEM, "allocating digit tables");
  lv->ndigits = nd;
  for (int j = 0; j < nd; j++) {
    cf_ckks_digit *d = &lv->digits[j];
    d->first = j * ctx->alpha;
    d->count = d->first + ctx->alpha <= l + 1 ? ctx->alpha : l + 1 - d->first;
    d->next = (size_t)(l + 1 - d->count + K);
    d->ext_primes = malloc(d->next * sizeof *d->ext_primes);
    uint64_t *ext = malloc(d->next * sizeof *ext);
    if (!d->ext_primes || !ext) {
      free(ext);
      return CF_FAIL(CF_ENOMEM, "allocating digit tables");
    }
    size_t t = 0;
    for (int i = 0; i <= l; i++)
      if (i < d->first || i >= d->first + d->count) d->ext_primes[t++] = (uint16_t)i;
    for (int k = 0; k < K; k++)
      d->ext_primes[t++] = (uint16_t)(ctx->L + 1 + k);
    for (size_t r = 0; r < d->next; r++)
      ext[r] = pr[d->ext_primes[r]];
    cf_status st = cf_baseconv_init(&d->conv, pr + d->first, (size_t)d->count, ext, d->next);
    free(ext);
    CF_TRY(st);
  }
  return CF_OK;
}

static cf_status build(cf_ckks_context *ctx) {
  size_t n = ctx->n;
  ctx->mods = calloc((size_t)ctx->nprimes, sizeof *ctx->mods);
  ctx->ntt = calloc((size_t)ctx->nprimes, sizeof *ctx->ntt);
  ctx->p_mod_q = calloc((size_t)ctx->L + 1, sizeof *ctx->p_mod_q);
  ctx->levels = calloc((size_t)ctx->L + 1, sizeof *ctx->levels);
  ctx->ksi = malloc((2 * n + 1) * sizeof *ctx->ksi);
  ctx->rot = malloc(n / 2 * sizeof *ctx->rot);
  ctx->fft_tw = malloc(n / 2 * sizeof *ctx->fft_tw);
  if (!ctx->mods || !ctx->ntt || !ctx->p_mod_q || !ctx->levels || !ctx->ksi || !ctx->rot ||
      !ctx->fft_tw)
    return CF_FAIL(CF_ENOMEM, "allocating CKKS context tables for N=%zu", n);
  for (int i = 0; i < ctx->nprimes; i++) {
    CF_TRY(cf_modulus_init(&ctx->mods[i], ctx->params.primes[i]));
    CF_TRY(cf_ntt_table_init(&ctx->ntt[i], n, ctx->params.primes[i]));
  }
  for (int i = 0; i <= ctx->L; i++) {
    uint64_t v = 1;
    for (int k = 0; k < ctx->K; k++)
      v = cf_mul_mod(v, cf_reduce64(ctx->params.primes[ctx->L + 1 + k], &ctx->mods[i]),
                     &ctx->mods[i]);
    ctx->p_mod_q[i] = v;
  }
  for (int l = 0; l <= ctx->L; l++)
    CF_TRY(build_level(ctx, l));
  /* Encoder roots: cos/sin of 2 pi k / 2N directly (no recurrence drift). */
  size_t m = 2 * n;
  for (size_t k = 0; k <= m; k++) {
    double a = 2.0 * M_PI * (double)k / (double)m;
    ctx->ksi[k] = cos(a) + I * sin(a);
  }
  uint64_t r = 1;
  for (size_t j = 0; j < n / 2; j++) {
    ctx->rot[j] = r;
    r = (r * 5) % m;
  }
  for (size_t lenh = 1; lenh < n / 2; lenh <<= 1) {
    size_t lenq = 8 * lenh, gap = m / lenq;
    for (size_t j = 0; j < lenh; j++)
      ctx->fft_tw[lenh + j] = ctx->ksi[(ctx->rot[j] % lenq) * gap];
  }
  return CF_OK;
}

cf_status cf_ckks_context_create(const cf_ckks_params *params, cf_ckks_context **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_context_create: out is NULL");
  *out = NULL;
  if (!params) return CF_FAIL(CF_EINVAL, "cf_ckks_context_create: params is NULL");
  cf_ckks_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return CF_FAIL(CF_ENOMEM, "allocating CKKS context");
  ctx->params = *params;
  ctx->n = params->n;
  ctx->logn = params->logn;
  ctx->L = params->spec.nq - 1;
  ctx->K = params->spec.np;
  ctx->nprimes = params->spec.nq + params->spec.np;
  ctx->alpha = (params->spec.nq + params->spec.dnum - 1) / params->spec.dnum;
  /* Room for about two key switches' temporaries (one is ~8 x nprimes rows). */
  cf_status st =
      cf_ckks_scratch_create(16 * cf_ckks_rows_bytes(ctx, (size_t)ctx->nprimes), &ctx->scratch);
  if (st == CF_OK) st = build(ctx);
  if (st != CF_OK) {
    cf_ckks_context_destroy(ctx);
    return st;
  }
  *out = ctx;
  return CF_OK;
}

const cf_ckks_params *cf_ckks_context_params(const cf_ckks_context *ctx) {
  return ctx ? &ctx->params : NULL;
}
