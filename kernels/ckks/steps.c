/* The evaluator's step functions (see steps.h): thin wrappers over the CPU
 * kernels that fix row layouts and table choice. */
#include "kernels/ckks/steps.h"

#include "base/error.h"
#include "kernels/ckks/internal.h"
#include "kernels/cpu/poly.h"

#define ROW(p, t) ((p) + (size_t)(t)*ctx->n)

void cf_ckks_step_ntt(const cf_ckks_context *ctx, uint64_t *rows, const uint16_t *primes,
                      size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_ntt_forward(&ctx->ntt[primes[t]], ROW(rows, t));
}

void cf_ckks_step_intt(const cf_ckks_context *ctx, uint64_t *rows, const uint16_t *primes,
                       size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_ntt_inverse(&ctx->ntt[primes[t]], ROW(rows, t));
}

void cf_ckks_step_add(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_poly_add(ROW(out, t), ROW(a, t), ROW(b, t), ctx->n, 0, 1, &ctx->mods[primes[t]]);
}

void cf_ckks_step_sub(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_poly_sub(ROW(out, t), ROW(a, t), ROW(b, t), ctx->n, 0, 1, &ctx->mods[primes[t]]);
}

void cf_ckks_step_neg(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_poly_neg(ROW(out, t), ROW(a, t), ctx->n, 0, 1, &ctx->mods[primes[t]]);
}

void cf_ckks_step_mul(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_poly_mul(ROW(out, t), ROW(a, t), ROW(b, t), ctx->n, 0, 1, &ctx->mods[primes[t]]);
}

void cf_ckks_step_mul_acc(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                          const uint64_t *b, const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_poly_mul_acc(ROW(out, t), ROW(a, t), ROW(b, t), ctx->n, 0, 1, &ctx->mods[primes[t]]);
}

void cf_ckks_step_copy(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a, size_t count) {
  cf_poly_copy(out, a, ctx->n, 0, count);
}

void cf_ckks_step_mul_const(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                            const uint64_t *c, const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++)
    cf_poly_mul_scalar(ROW(out, t), ROW(a, t), &c[primes[t]], ctx->n, 0, 1, &ctx->mods[primes[t]]);
}

void cf_ckks_step_automorph(const cf_ckks_context *ctx, const cf_automorph_table *t, uint64_t *out,
                            const uint64_t *a, size_t count) {
  (void)ctx;
  cf_automorph_ntt(t, out, a, 0, count);
}

void cf_ckks_step_ks_inner(const cf_ckks_context *ctx, uint64_t *acc0, uint64_t *acc1,
                           const uint64_t *digit, const uint64_t *key0, const uint64_t *key1,
                           const uint16_t *primes, size_t count) {
  for (size_t t = 0; t < count; t++) {
    const cf_modulus *m = &ctx->mods[primes[t]];
    cf_poly_mul_acc(ROW(acc0, t), ROW(digit, t), ROW(key0, t), ctx->n, 0, 1, m);
    cf_poly_mul_acc(ROW(acc1, t), ROW(digit, t), ROW(key1, t), ctx->n, 0, 1, m);
  }
}

int cf_ckks_ndigits(const cf_ckks_context *ctx, int level) {
  if (!ctx || level < 0 || level > ctx->L) return 0;
  return ctx->levels[level].ndigits;
}

cf_status cf_ckks_digit_info(const cf_ckks_context *ctx, int level, int digit, int *first,
                             int *count, size_t *next, const uint16_t **ext_primes) {
  if (!ctx || level < 0 || level > ctx->L)
    return CF_FAIL(CF_ELEVEL, "level %d outside [0, %d]", level, ctx ? ctx->L : -1);
  const cf_ckks_level *lv = &ctx->levels[level];
  if (digit < 0 || digit >= lv->ndigits)
    return CF_FAIL(CF_EINVAL, "digit %d outside [0, %d) at level %d", digit, lv->ndigits, level);
  const cf_ckks_digit *d = &lv->digits[digit];
  if (first) *first = d->first;
  if (count) *count = d->count;
  if (next) *next = d->next;
  if (ext_primes) *ext_primes = d->ext_primes;
  return CF_OK;
}

void cf_ckks_step_modup(const cf_ckks_context *ctx, int level, int digit, uint64_t *ext,
                        const uint64_t *in, size_t row_begin, size_t row_end) {
  const cf_ckks_digit *d = &ctx->levels[level].digits[digit];
  cf_baseconv(&d->conv, ext, in, ctx->n, row_begin, row_end);
}

void cf_ckks_step_moddown(const cf_ckks_context *ctx, int level, uint64_t *q, const uint64_t *p,
                          uint64_t *w, size_t row_begin, size_t row_end) {
  const cf_moddown_table *t = &ctx->levels[level].moddown;
  cf_baseconv(&t->conv, w, p, ctx->n, row_begin, row_end);
  for (size_t i = row_begin; i < row_end; i++)
    cf_ntt_forward(&ctx->ntt[i], ROW(w, i));
  cf_moddown_finish(t, q, q, w, ctx->n, row_begin, row_end);
}

void cf_ckks_step_rescale(const cf_ckks_context *ctx, int level, uint64_t *out, const uint64_t *in,
                          const uint64_t *top, uint64_t *w, size_t row_begin, size_t row_end) {
  const cf_rescale_table *t = &ctx->levels[level].rescale;
  cf_rescale_lift(t, w, top, ctx->n, row_begin, row_end);
  for (size_t i = row_begin; i < row_end; i++)
    cf_ntt_forward(&ctx->ntt[i], ROW(w, i));
  cf_rescale_finish(t, out, in, w, ctx->n, row_begin, row_end);
}

uint64_t *cf_ckks_ciphertext_poly(cf_ckks_ciphertext *ct, int i) {
  if (!ct || i < 0 || i >= ct->size) return NULL;
  return ct->data + (size_t)i * (size_t)(ct->level + 1) * ct->ctx->n;
}

const uint64_t *cf_ckks_plaintext_poly(const cf_ckks_plaintext *pt) { return pt ? pt->data : NULL; }

static const uint64_t *kspoly(const cf_ckks_context *ctx, const cf_ckks_kskey *k, int digit,
                              int which) {
  if (!ctx || digit < 0 || digit >= k->dnum || which < 0 || which > 1) return NULL;
  return (which ? k->a : k->b) + (size_t)digit * (size_t)ctx->nprimes * ctx->n;
}

const uint64_t *cf_ckks_relin_key_poly(const cf_ckks_context *ctx, const cf_ckks_relin_key *k,
                                       int digit, int which) {
  return k ? kspoly(ctx, &k->ks, digit, which) : NULL;
}

const uint64_t *cf_ckks_galois_key_poly(const cf_ckks_context *ctx, const cf_ckks_galois_key *k,
                                        uint64_t galois, int digit, int which) {
  const cf_ckks_galois_entry *e = cf_ckks_galois_find(k, galois);
  return e ? kspoly(ctx, &e->ks, digit, which) : NULL;
}

const cf_automorph_table *cf_ckks_galois_key_table(const cf_ckks_galois_key *k, uint64_t galois) {
  const cf_ckks_galois_entry *e = cf_ckks_galois_find(k, galois);
  return e ? &e->table : NULL;
}

uint64_t cf_ckks_galois_element(const cf_ckks_context *ctx, int step) {
  return ctx ? cf_ckks_galois_for_step(ctx, step) : 0;
}

uint64_t cf_ckks_conjugation_element(const cf_ckks_context *ctx) {
  return ctx ? 2 * ctx->n - 1 : 0;
}
