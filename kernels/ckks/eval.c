/*
 * The evaluator. Every operation is a composition of the steps of steps.h
 * (through exec.h). Results are written into the output's own buffer when
 * it is large enough and aliases no input, else into fresh storage that is
 * then moved into the output, so outputs may alias inputs. Temporaries come
 * from the context's scratch pool (scratch.h).
 */
#include "kernels/ckks/eval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/keyswitch.h"

#define POLY(ct, i) ((ct)->data + (size_t)(i) * (size_t)((ct)->level + 1) * (ct)->ctx->n)

static cf_ckks_exec whole(const cf_ckks_context *ctx) {
  cf_ckks_exec x = {ctx, SIZE_MAX};
  return x;
}

static cf_status check_ct(const cf_ckks_context *ctx, const cf_ckks_ciphertext *c,
                          const char *what) {
  if (!c) return CF_FAIL(CF_EINVAL, "%s: ciphertext is NULL", what);
  if (c->size < 2) return CF_FAIL(CF_EINVAL, "%s: ciphertext is empty", what);
  if (c->ctx != ctx) return CF_FAIL(CF_EMISMATCH, "%s: ciphertext from another context", what);
  return CF_OK;
}

static cf_status check_scales(double a, double b, const char *what) {
  if (fabs(a / b - 1.0) > 0x1p-20)
    return CF_FAIL(CF_ESCALE, "%s: scales differ (2^%.4f vs 2^%.4f)", what, log2(a), log2(b));
  return CF_OK;
}

static void qprimes(uint16_t *pr, int level) { cf_ckks_identity_primes(pr, 0, level + 1); }

/* ---- add, sub, negate ---- */

static cf_status addsub(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                        const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out, int sub) {
  const char *what = sub ? "cf_ckks_sub" : "cf_ckks_add";
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "%s: NULL argument", what);
  CF_TRY(check_ct(ctx, a, what));
  CF_TRY(check_ct(ctx, b, what));
  if (a->level != b->level)
    return CF_FAIL(CF_ELEVEL, "%s: levels differ (%d vs %d)", what, a->level, b->level);
  CF_TRY(check_scales(a->scale, b->scale, what));
  cf_ckks_exec x = whole(ctx);
  int size = a->size > b->size ? a->size : b->size;
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, b, size, a->level, &t));
  for (int i = 0; i < size; i++) {
    if (i < a->size && i < b->size) {
      if (sub)
        cf_ckks_x_sub(&x, POLY(&t, i), POLY(a, i), POLY(b, i), pr, rows);
      else
        cf_ckks_x_add(&x, POLY(&t, i), POLY(a, i), POLY(b, i), pr, rows);
    } else if (i < a->size) {
      cf_ckks_x_copy(&x, POLY(&t, i), POLY(a, i), rows);
    } else if (sub) {
      cf_ckks_x_neg(&x, POLY(&t, i), POLY(b, i), pr, rows);
    } else {
      cf_ckks_x_copy(&x, POLY(&t, i), POLY(b, i), rows);
    }
  }
  t.scale = a->scale;
  t.slots = a->slots > b->slots ? a->slots : b->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

cf_status cf_ckks_add(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                      const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out) {
  return addsub(ctx, a, b, out, 0);
}

cf_status cf_ckks_sub(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                      const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out) {
  return addsub(ctx, a, b, out, 1);
}

cf_status cf_ckks_negate(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                         cf_ckks_ciphertext *out) {
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_negate: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_negate"));
  cf_ckks_exec x = whole(ctx);
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, NULL, a->size, a->level, &t));
  for (int i = 0; i < a->size; i++)
    cf_ckks_x_neg(&x, POLY(&t, i), POLY(a, i), pr, rows);
  t.scale = a->scale;
  t.slots = a->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

/* ---- with plaintexts ---- */

static cf_status check_pt(const cf_ckks_ciphertext *a, const cf_ckks_plaintext *p,
                          const char *what) {
  if (!p) return CF_FAIL(CF_EINVAL, "%s: plaintext is NULL", what);
  if (p->level < a->level)
    return CF_FAIL(CF_ELEVEL, "%s: plaintext level %d below ciphertext level %d", what, p->level,
                   a->level);
  return CF_OK;
}

static cf_status addsub_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                              const cf_ckks_plaintext *p, cf_ckks_ciphertext *out, int sub) {
  const char *what = sub ? "cf_ckks_sub_plain" : "cf_ckks_add_plain";
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "%s: NULL argument", what);
  CF_TRY(check_ct(ctx, a, what));
  CF_TRY(check_pt(a, p, what));
  CF_TRY(check_scales(a->scale, p->scale, what));
  cf_ckks_exec x = whole(ctx);
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, NULL, a->size, a->level, &t));
  if (sub)
    cf_ckks_x_sub(&x, POLY(&t, 0), POLY(a, 0), p->data, pr, rows);
  else
    cf_ckks_x_add(&x, POLY(&t, 0), POLY(a, 0), p->data, pr, rows);
  for (int i = 1; i < a->size; i++)
    cf_ckks_x_copy(&x, POLY(&t, i), POLY(a, i), rows);
  t.scale = a->scale;
  t.slots = a->slots > p->slots ? a->slots : p->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

cf_status cf_ckks_add_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                            const cf_ckks_plaintext *p, cf_ckks_ciphertext *out) {
  return addsub_plain(ctx, a, p, out, 0);
}

cf_status cf_ckks_sub_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                            const cf_ckks_plaintext *p, cf_ckks_ciphertext *out) {
  return addsub_plain(ctx, a, p, out, 1);
}

static cf_status mul_poly(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                          const uint64_t *p, double scale, size_t slots, cf_ckks_ciphertext *out) {
  cf_ckks_exec x = whole(ctx);
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, NULL, a->size, a->level, &t));
  for (int i = 0; i < a->size; i++)
    cf_ckks_x_mul(&x, POLY(&t, i), POLY(a, i), p, pr, rows);
  t.scale = a->scale * scale;
  t.slots = a->slots > slots ? a->slots : slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

cf_status cf_ckks_mul_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                            const cf_ckks_plaintext *p, cf_ckks_ciphertext *out) {
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_mul_plain: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_mul_plain"));
  CF_TRY(check_pt(a, p, "cf_ckks_mul_plain"));
  return mul_poly(ctx, a, p->data, p->scale, p->slots, out);
}

static uint64_t signed_residue(int64_t c, const cf_modulus *m) {
  if (c >= 0) return cf_reduce64((uint64_t)c, m);
  uint64_t r = cf_reduce64((uint64_t)(-(c + 1)) + 1, m);
  return r ? m->q - r : 0;
}

cf_status cf_ckks_mul_const(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a, double re,
                            double im, double cscale, cf_ckks_ciphertext *out) {
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_mul_const: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_mul_const"));
  if (!(cscale >= 1.0) || !isfinite(re) || !isfinite(im))
    return CF_FAIL(CF_EINVAL, "cf_ckks_mul_const: bad constant %g%+gi or scale %g", re, im, cscale);
  double cr = round(re * cscale), ci = round(im * cscale);
  if (fabs(cr) >= 0x1p62 || fabs(ci) >= 0x1p62)
    return CF_FAIL(CF_ESCALE, "cf_ckks_mul_const: constant * scale exceeds 2^62");
  int64_t vr = (int64_t)cr, vi = (int64_t)ci;
  if (vi == 0) {
    cf_ckks_exec x = whole(ctx);
    uint64_t c[CF_CKKS_NPRIMES_MAX] = {0};
    for (int i = 0; i <= a->level; i++)
      c[i] = signed_residue(vr, &ctx->mods[i]);
    size_t rows = (size_t)a->level + 1;
    uint16_t pr[CF_CKKS_NPRIMES_MAX];
    qprimes(pr, a->level);
    cf_ckks_ciphertext t;
    CF_TRY(cf_ckks_ct_begin(ctx, out, a, NULL, a->size, a->level, &t));
    for (int i = 0; i < a->size; i++)
      cf_ckks_x_mul_const(&x, POLY(&t, i), POLY(a, i), c, pr, rows);
    t.scale = a->scale * cscale;
    t.slots = a->slots;
    cf_ckks_ct_move(out, &t);
    return CF_OK;
  }
  /* vr + vi X^(N/2): X^(N/2) evaluates to i at every slot root zeta^(5^j). */
  size_t rows = (size_t)a->level + 1, n = ctx->n;
  uint64_t *p = calloc(rows * n, sizeof *p);
  if (!p) return CF_FAIL(CF_ENOMEM, "allocating a constant polynomial");
  for (size_t r = 0; r < rows; r++) {
    p[r * n] = signed_residue(vr, &ctx->mods[r]);
    p[r * n + n / 2] = signed_residue(vi, &ctx->mods[r]);
  }
  cf_ckks_exec x = whole(ctx);
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  cf_ckks_x_ntt(&x, p, pr, rows);
  cf_status st = mul_poly(ctx, a, p, cscale, a->slots, out);
  free(p);
  return st;
}

/* ---- multiplication and relinearization ---- */

static cf_status check_mul(const cf_ckks_ciphertext *a, const cf_ckks_ciphertext *b) {
  if (a->size != 2 || b->size != 2)
    return CF_FAIL(CF_EINVAL, "multiplication needs size-2 inputs (got %d and %d)", a->size,
                   b->size);
  if (a->level != b->level)
    return CF_FAIL(CF_ELEVEL, "multiplication: levels differ (%d vs %d)", a->level, b->level);
  return CF_OK;
}

/* a * b (checked by check_mul) into t, whose buffer holds 3 polys at a's level. */
static void tensor(const cf_ckks_exec *x, const cf_ckks_ciphertext *a, const cf_ckks_ciphertext *b,
                   cf_ckks_ciphertext *t) {
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  cf_ckks_x_mul(x, POLY(t, 0), POLY(a, 0), POLY(b, 0), pr, rows);
  cf_ckks_x_mul(x, POLY(t, 1), POLY(a, 0), POLY(b, 1), pr, rows);
  cf_ckks_x_mul_acc(x, POLY(t, 1), POLY(a, 1), POLY(b, 0), pr, rows);
  cf_ckks_x_mul(x, POLY(t, 2), POLY(a, 1), POLY(b, 1), pr, rows);
  t->scale = a->scale * b->scale;
  t->slots = a->slots > b->slots ? a->slots : b->slots;
}

/* (d0, d1, d2) -> (d0 + ks0(d2), d1 + ks1(d2)) into r (size 2, its own buffer). */
static cf_status relin(const cf_ckks_exec *x, const cf_ckks_relin_key *rlk,
                       const cf_ckks_ciphertext *a, cf_ckks_ciphertext *r) {
  const cf_ckks_context *ctx = x->ctx;
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  CF_TRY(cf_ckks_ks_check(ctx, a->level, &rlk->ks));
  cf_ckks_ks_work w;
  CF_TRY(cf_ckks_ks_work_take(ctx, a->level, false, &w));
  cf_ckks_decomp dc;
  cf_status st = cf_ckks_ks_decompose(x, a->level, POLY(a, 2), &dc);
  if (st == CF_OK) {
    st = cf_ckks_ks_apply(x, &dc, NULL, &rlk->ks, &w);
    cf_ckks_decomp_free(&dc);
  }
  if (st == CF_OK) {
    cf_ckks_x_add(x, POLY(r, 0), POLY(a, 0), w.acc0, pr, rows);
    cf_ckks_x_add(x, POLY(r, 1), POLY(a, 1), w.acc1, pr, rows);
    r->scale = a->scale;
    r->slots = a->slots;
  }
  cf_ckks_ks_work_give(&w);
  return st;
}

cf_status cf_ckks_mul_norelin(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                              const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out) {
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_mul_norelin: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_mul_norelin"));
  CF_TRY(check_ct(ctx, b, "cf_ckks_mul_norelin"));
  CF_TRY(check_mul(a, b));
  cf_ckks_exec x = whole(ctx);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, b, 3, a->level, &t));
  tensor(&x, a, b, &t);
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

cf_status cf_ckks_relinearize(const cf_ckks_context *ctx, const cf_ckks_relin_key *rlk,
                              const cf_ckks_ciphertext *a, cf_ckks_ciphertext *out) {
  if (!ctx || !out || !rlk) return CF_FAIL(CF_EINVAL, "cf_ckks_relinearize: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_relinearize"));
  if (a->size == 2) return cf_ckks_ciphertext_copy(a, out);
  cf_ckks_exec x = whole(ctx);
  cf_ckks_ciphertext r;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, NULL, 2, a->level, &r));
  cf_status st = relin(&x, rlk, a, &r);
  if (st != CF_OK) {
    cf_ckks_ct_abort(out, &r);
    return st;
  }
  cf_ckks_ct_move(out, &r);
  return CF_OK;
}

cf_status cf_ckks_x_mul_ct(const cf_ckks_exec *x, const cf_ckks_relin_key *rlk,
                           const cf_ckks_ciphertext *a, const cf_ckks_ciphertext *b,
                           cf_ckks_ciphertext *out) {
  const cf_ckks_context *ctx = x->ctx;
  CF_TRY(check_mul(a, b));
  size_t rows = (size_t)a->level + 1;
  cf_ckks_ciphertext t = {.ctx = ctx, .level = a->level, .size = 3, .cap = 3 * rows * ctx->n};
  t.data = cf_ckks_tmp_rows(ctx, 3 * rows);
  if (!t.data) return CF_FAIL(CF_ENOMEM, "allocating a tensor product of 3 x %zu limbs", rows);
  tensor(x, a, b, &t);
  cf_ckks_ciphertext r;
  cf_status st = cf_ckks_ct_begin(ctx, out, a, b, 2, a->level, &r);
  if (st == CF_OK) {
    st = relin(x, rlk, &t, &r);
    if (st != CF_OK) cf_ckks_ct_abort(out, &r);
  }
  cf_ckks_tmp_free(ctx, t.data);
  CF_TRY(st);
  cf_ckks_ct_move(out, &r);
  return CF_OK;
}

cf_status cf_ckks_mul(const cf_ckks_context *ctx, const cf_ckks_relin_key *rlk,
                      const cf_ckks_ciphertext *a, const cf_ckks_ciphertext *b,
                      cf_ckks_ciphertext *out) {
  if (!ctx || !out || !rlk) return CF_FAIL(CF_EINVAL, "cf_ckks_mul: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_mul"));
  CF_TRY(check_ct(ctx, b, "cf_ckks_mul"));
  cf_ckks_exec x = whole(ctx);
  return cf_ckks_x_mul_ct(&x, rlk, a, b, out);
}

/* ---- levels ---- */

cf_status cf_ckks_x_rescale_ct(const cf_ckks_exec *x, const cf_ckks_ciphertext *a,
                               cf_ckks_ciphertext *out) {
  const cf_ckks_context *ctx = x->ctx;
  int l = a->level;
  if (l < 1) return CF_FAIL(CF_ELEVEL, "cf_ckks_rescale: ciphertext is at level 0");
  size_t n = ctx->n, rows = (size_t)l;
  uint16_t top_prime = (uint16_t)l;
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(x->ctx, out, a, NULL, a->size, l - 1, &t));
  uint64_t *top = cf_ckks_tmp_rows(ctx, 1), *w = cf_ckks_tmp_rows(ctx, rows);
  if (!top || !w) {
    cf_ckks_tmp_free(ctx, top);
    cf_ckks_tmp_free(ctx, w);
    cf_ckks_ct_abort(out, &t);
    return CF_FAIL(CF_ENOMEM, "allocating rescale buffers");
  }
  /* Out of place: the rows below the top one are read where they are. */
  for (int i = 0; i < a->size; i++) {
    cf_ckks_x_copy(x, top, POLY(a, i) + rows * n, 1);
    cf_ckks_x_intt(x, top, &top_prime, 1);
    cf_ckks_x_rescale(x, l, POLY(&t, i), POLY(a, i), top, w);
  }
  cf_ckks_tmp_free(ctx, top);
  cf_ckks_tmp_free(ctx, w);
  t.scale = a->scale / (double)ctx->params.primes[l];
  t.slots = a->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

cf_status cf_ckks_rescale(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                          cf_ckks_ciphertext *out) {
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_rescale: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_rescale"));
  cf_ckks_exec x = whole(ctx);
  return cf_ckks_x_rescale_ct(&x, a, out);
}

cf_status cf_ckks_drop_level(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a, int level,
                             cf_ckks_ciphertext *out) {
  if (!ctx || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_drop_level: NULL argument");
  CF_TRY(check_ct(ctx, a, "cf_ckks_drop_level"));
  if (level < 0 || level > a->level)
    return CF_FAIL(CF_ELEVEL, "cf_ckks_drop_level: target level %d outside [0, %d]", level,
                   a->level);
  cf_ckks_exec x = whole(ctx);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, a, NULL, a->size, level, &t));
  for (int i = 0; i < a->size; i++)
    cf_ckks_x_copy(&x, POLY(&t, i), POLY(a, i), (size_t)level + 1);
  t.scale = a->scale;
  t.slots = a->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

/* ---- rotations ---- */

cf_status cf_ckks_x_rotate_hoisted(const cf_ckks_exec *x, const cf_ckks_galois_key *gk,
                                   const cf_ckks_ciphertext *a, const uint64_t *galois,
                                   size_t count, cf_ckks_ciphertext *const *outs) {
  const cf_ckks_context *ctx = x->ctx;
  if (a->size != 2)
    return CF_FAIL(CF_EINVAL, "rotation needs a size-2 ciphertext (got %d); relinearize first",
                   a->size);
  const cf_ckks_galois_entry **es = calloc(count ? count : 1, sizeof *es);
  if (!es) return CF_FAIL(CF_ENOMEM, "allocating rotation list");
  for (size_t i = 0; i < count; i++) {
    if (galois[i] == 1) continue;
    es[i] = cf_ckks_galois_find(gk, galois[i]);
    if (!es[i]) {
      free(es);
      return CF_FAIL(CF_ENOTFOUND, "no Galois key for element %llu", (unsigned long long)galois[i]);
    }
  }
  for (size_t i = 0; i < count; i++)
    if (es[i]) {
      cf_status st = cf_ckks_ks_check(ctx, a->level, &es[i]->ks);
      if (st != CF_OK) {
        free(es);
        return st;
      }
    }
  size_t rows = (size_t)a->level + 1;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  qprimes(pr, a->level);
  /*
   * Everything that can fail (allocation) happens before the first result is
   * written, so the outputs are either all rotated or all left untouched.
   * Results go into the outputs' own buffers when they do not alias the input.
   */
  cf_ckks_ciphertext *res = calloc(count ? count : 1, sizeof *res);
  cf_ckks_ks_work w = {.ctx = ctx};
  cf_ckks_decomp dc = {.ctx = ctx};
  cf_status st = res ? CF_OK : CF_FAIL(CF_ENOMEM, "allocating rotation results");
  size_t begun = 0;
  for (; st == CF_OK && begun < count; begun++)
    st = cf_ckks_ct_begin(ctx, outs[begun], a, NULL, 2, a->level, &res[begun]);
  if (st == CF_OK) st = cf_ckks_ks_work_take(ctx, a->level, true, &w);
  if (st == CF_OK) st = cf_ckks_ks_decompose(x, a->level, POLY(a, 1), &dc);
  for (size_t i = 0; st == CF_OK && i < count; i++) {
    res[i].scale = a->scale;
    res[i].slots = a->slots;
    if (!es[i]) {
      cf_ckks_x_copy(x, res[i].data, a->data, 2 * rows);
      continue;
    }
    cf_ckks_ks_apply(x, &dc, &es[i]->table, &es[i]->ks, &w); /* checked above: cannot fail */
    cf_ckks_x_automorph(x, &es[i]->table, POLY(&res[i], 0), POLY(a, 0), rows);
    cf_ckks_x_add(x, POLY(&res[i], 0), POLY(&res[i], 0), w.acc0, pr, rows);
    cf_ckks_x_copy(x, POLY(&res[i], 1), w.acc1, rows);
  }
  cf_ckks_decomp_free(&dc);
  cf_ckks_ks_work_give(&w);
  for (size_t i = 0; res && i < begun; i++) {
    if (st == CF_OK)
      cf_ckks_ct_move(outs[i], &res[i]);
    else
      cf_ckks_ct_abort(outs[i], &res[i]);
  }
  free(res);
  free(es);
  return st;
}

static cf_status rotate_common(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                               const cf_ckks_ciphertext *a, const uint64_t *g, size_t count,
                               cf_ckks_ciphertext *const *outs, const char *what) {
  if (!ctx || (count && !outs)) return CF_FAIL(CF_EINVAL, "%s: NULL argument", what);
  CF_TRY(check_ct(ctx, a, what));
  for (size_t i = 0; i < count; i++) {
    if (!outs[i]) return CF_FAIL(CF_EINVAL, "%s: output %zu is NULL", what, i);
    /* rotations by 0 (Galois element 1) are copies and need no key */
    if (!gk && g[i] != 1) return CF_FAIL(CF_EINVAL, "%s: Galois keys are NULL", what);
  }
  cf_ckks_exec x = whole(ctx);
  return cf_ckks_x_rotate_hoisted(&x, gk, a, g, count, outs);
}

cf_status cf_ckks_rotate(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                         const cf_ckks_ciphertext *a, int step, cf_ckks_ciphertext *out) {
  if (!ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_rotate: ctx is NULL");
  uint64_t g = cf_ckks_galois_for_step(ctx, step);
  return rotate_common(ctx, gk, a, &g, 1, &out, "cf_ckks_rotate");
}

cf_status cf_ckks_conjugate(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                            const cf_ckks_ciphertext *a, cf_ckks_ciphertext *out) {
  if (!ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_conjugate: ctx is NULL");
  uint64_t g = 2 * ctx->n - 1;
  return rotate_common(ctx, gk, a, &g, 1, &out, "cf_ckks_conjugate");
}

cf_status cf_ckks_rotate_hoisted(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                                 const cf_ckks_ciphertext *a, const int *steps, size_t nsteps,
                                 cf_ckks_ciphertext *const *outs) {
  if (!ctx || (nsteps && !steps))
    return CF_FAIL(CF_EINVAL, "cf_ckks_rotate_hoisted: NULL argument");
  uint64_t *g = malloc((nsteps ? nsteps : 1) * sizeof *g);
  if (!g) return CF_FAIL(CF_ENOMEM, "allocating Galois elements");
  for (size_t i = 0; i < nsteps; i++)
    g[i] = cf_ckks_galois_for_step(ctx, steps[i]);
  cf_status st = rotate_common(ctx, gk, a, g, nsteps, outs, "cf_ckks_rotate_hoisted");
  free(g);
  return st;
}
