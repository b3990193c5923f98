/* Polynomial evaluation expanded into multiplications and additions:
 * baby steps B_1..B_k (k a power of two near sqrt(degree)), giant steps
 * B_k, B_2k, B_4k, ..., and a recursive split p = q * B_g + r on the largest
 * giant step g (Paterson-Stockmeyer style), which keeps the depth close to
 * log2(degree) + 1. Linear combinations fold the coefficient into a constant
 * encoded at exactly the scale that makes all terms meet, so summing them
 * costs one level and no scale adjustment. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

typedef struct pctx {
  cf_program *p;
  int cheb;
  cf_value *baby; /* baby[1..k] */
  int k;
  cf_value *giant; /* giant[j] = B_{k 2^j} */
  int ngiant;
} pctx;

static const cf_type *ty(const cf_program *p, cf_value v) { return &p->nodes[v].type; }

static cf_status konst(cf_program *p, double c, cf_value *out) { return cf_prog_const(p, c, out); }

/* a*b (Chebyshev: 2ab - c) */
static cf_status combine(pctx *x, cf_value a, cf_value b, cf_value c, cf_value *out) {
  cf_value m;
  CF_TRY(cf_b_mul(x->p, a, b, CF_MANAGE_AUTO, &m));
  if (!x->cheb) {
    *out = m;
    return CF_OK;
  }
  CF_TRY(cf_b_add(x->p, CF_OP_ADD, m, m, CF_MANAGE_AUTO, &m));
  if (c < 0) {
    cf_value one;
    CF_TRY(konst(x->p, 1.0, &one));
    return cf_b_add(x->p, CF_OP_SUB, m, one, CF_MANAGE_AUTO, out);
  }
  return cf_b_add(x->p, CF_OP_SUB, m, c, CF_MANAGE_AUTO, out);
}

/* sum_i c[i] B_i + c[0], optionally landing on (tlevel, tscale). */
static cf_status lincomb(pctx *x, const double *c, int d, const cf_type *target, cf_value *out) {
  cf_program *p = x->p;
  int first = -1, level = INT32_MAX;
  for (int i = 1; i <= d; i++) {
    if (c[i] == 0.0) continue;
    if (first < 0 || ty(p, x->baby[i])->level < level) first = i, level = ty(p, x->baby[i])->level;
  }
  if (first < 0) first = 1, level = ty(p, x->baby[1])->level; /* constant: 0 * B_1 + c0 */
  cf_scale ts = ty(p, x->baby[first])->scale;
  int lv = level;
  if (target && target->level + 1 <= level) lv = target->level + 1, ts = target->scale;
  if (lv < 1)
    return CF_FAIL(CF_ELEVEL, "level exhausted: polynomial terms reach level 0 before their "
                              "coefficients are applied");
  bool allzero = true;
  for (int i = 1; i <= d; i++)
    allzero = allzero && c[i] == 0.0;
  cf_value acc = -1;
  for (int i = 1; i <= (d < 1 ? 1 : d); i++) {
    double ci = i <= d ? c[i] : 0.0; /* d == 0: a constant, built as 0 * B_1 + c0 */
    if (ci == 0.0 && !(allzero && i == 1)) continue;
    cf_value v = x->baby[i];
    if (ty(p, v)->level > lv) CF_TRY(cf_b_unary(p, CF_OP_LEVEL_DROP, v, lv, &v));
    cf_scale ps;
    cf_scale_div(&ps, &ts, &ty(p, v)->scale);
    cf_scale_mul_q(&ps, lv, 1);
    CF_TRY(cf_b_mul_const_scaled(p, v, ci, &ps, &v));
    CF_TRY(cf_b_unary(p, CF_OP_RESCALE, v, 0, &v));
    if (acc < 0)
      acc = v;
    else
      CF_TRY(cf_b_add(p, CF_OP_ADD, acc, v, CF_MANAGE_AUTO, &acc));
  }
  if (c[0] != 0.0) {
    cf_value k;
    CF_TRY(konst(p, c[0], &k));
    CF_TRY(cf_b_add(p, CF_OP_ADD, acc, k, CF_MANAGE_AUTO, &acc));
  }
  *out = acc;
  return CF_OK;
}

static cf_status rec(pctx *x, const double *c, int d, const cf_type *target, cf_value *out) {
  while (d > 0 && c[d] == 0.0)
    d--;
  if (d < x->k) return lincomb(x, c, d, target, out);
  int m = 0;
  while (m + 1 < x->ngiant && (x->k << (m + 1)) <= d)
    m++;
  int g = x->k << m;
  double *q = calloc((size_t)(d - g + 1), sizeof *q), *r = malloc((size_t)g * sizeof *r);
  if (!q || !r) {
    free(q), free(r);
    return CF_FAIL(CF_ENOMEM, "polynomial split");
  }
  memcpy(r, c, (size_t)g * sizeof *r);
  q[0] = c[g];
  for (int j = 1; j <= d - g; j++) {
    if (x->cheb) {
      q[j] = 2 * c[g + j];
      r[g - j] -= c[g + j];
    } else {
      q[j] = c[g + j];
    }
  }
  cf_value qv, prod, rv;
  cf_status st = rec(x, q, d - g, NULL, &qv);
  if (st == CF_OK) st = cf_b_mul(x->p, qv, x->giant[m], CF_MANAGE_AUTO, &prod);
  if (st == CF_OK) {
    cf_type pt = *ty(x->p, prod);
    st = rec(x, r, g - 1, &pt, &rv);
  }
  if (st == CF_OK) st = cf_b_add(x->p, CF_OP_ADD, prod, rv, CF_MANAGE_AUTO, out);
  free(q), free(r);
  return st;
}

cf_status cf_poly_expand(cf_program *p, cf_value x, const cf_node *poly, cf_value *out) {
  pctx c = {.p = p, .cheb = poly->basis == CF_BASIS_CHEBYSHEV};
  int d = (int)poly->ncoeffs - 1;
  while (d > 1 && poly->coeffs[d] == 0.0)
    d--;
  cf_value t = x;
  if (c.cheb && !(poly->a == -1.0 && poly->b == 1.0)) {
    cf_value k;
    CF_TRY(konst(p, 2.0 / (poly->b - poly->a), &k));
    CF_TRY(cf_b_mul(p, t, k, CF_MANAGE_AUTO, &t));
    CF_TRY(konst(p, -(poly->a + poly->b) / (poly->b - poly->a), &k));
    CF_TRY(cf_b_add(p, CF_OP_ADD, t, k, CF_MANAGE_AUTO, &t));
  }
  int k = 2;
  while ((k * k) < d + 1)
    k *= 2;
  if (k > d) k = d < 1 ? 1 : d;
  c.k = k;
  c.baby = calloc((size_t)k + 1, sizeof *c.baby);
  c.giant = calloc(32, sizeof *c.giant);
  if (!c.baby || !c.giant) {
    free(c.baby), free(c.giant);
    return CF_FAIL(CF_ENOMEM, "polynomial bases");
  }
  cf_status st = CF_OK;
  c.baby[1] = t;
  for (int i = 2; i <= k && st == CF_OK; i++) {
    if (i % 2 == 0)
      st = combine(&c, c.baby[i / 2], c.baby[i / 2], -1, &c.baby[i]);
    else
      st = combine(&c, c.baby[i / 2 + 1], c.baby[i / 2], c.baby[1], &c.baby[i]);
  }
  if (st == CF_OK) {
    c.giant[0] = c.baby[k];
    c.ngiant = 1;
    while (st == CF_OK && c.ngiant < 31 && ((long)k << c.ngiant) <= d) {
      st = combine(&c, c.giant[c.ngiant - 1], c.giant[c.ngiant - 1], -1, &c.giant[c.ngiant]);
      c.ngiant++;
    }
  }
  if (st == CF_OK) st = rec(&c, poly->coeffs, d, NULL, out);
  free(c.baby), free(c.giant);
  return st;
}

cf_status cf_pass_expand_poly(const cf_program *in, cf_program **out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  cf_program *p;
  CF_TRY(cf_program_new_like(in, &p));
  cf_value *map = malloc((in->n + 1) * sizeof *map);
  if (!map) {
    cf_program_destroy(p);
    return CF_FAIL(CF_ENOMEM, "value map");
  }
  cf_status st = CF_OK;
  for (size_t i = 0; i < in->n && st == CF_OK; i++) {
    const cf_node *n = &in->nodes[i];
    cf_value args[2] = {n->nargs > 0 ? map[n->args[0]] : -1, n->nargs > 1 ? map[n->args[1]] : -1};
    if (n->op == CF_OP_POLY) {
      st = cf_poly_expand(p, args[0], n, &map[i]);
    } else {
      st = cf_program_append_mapped(p, n, map, &map[i]);
    }
  }
  for (size_t i = 0; i < in->nout && st == CF_OK; i++)
    st = cf_program_add_output(p, in->outs[i].name, map[in->outs[i].v]);
  free(map);
  if (st != CF_OK) {
    cf_program_destroy(p);
    return st;
  }
  *out = p;
  return CF_OK;
}
