/* Polynomial evaluation expanded into multiplications and additions:
 * baby steps B_1..B_k (k a power of two), giant steps B_k, B_2k, B_4k, ...,
 * and a recursive split p = q * B_g + r on the largest giant step g
 * (Paterson-Stockmeyer style).
 *
 * Levels and scales are planned top-down: every sub-polynomial is built to
 * land on an exact (level, scale) target. Leaves fold their coefficients
 * into constants encoded at exactly target * q_l / scale(B_i), so their
 * terms meet without adjustment; a quotient q is aimed at
 * target * q_l / scale(B_g), so q * B_g rescales onto the target. The
 * result therefore has exactly the scale of the (interval-mapped) input:
 * chained polynomials keep the scale they started with, instead of the
 * exponents of the exact scale doubling with every product. The number of
 * baby steps is chosen to use the fewest levels: ceil(log2(d + 1)) for a
 * degree-d polynomial, plus one for the interval map. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

enum { MAX_GIANT = 31 };

typedef struct pctx {
  cf_program *p;
  int cheb;
  int k;          /* leaves have degree < k */
  int nbaby;      /* B_1..B_nbaby (nbaby = min(k, degree)) */
  int ngiant;     /* giant[j] = B_{k 2^j}, j < ngiant */
  cf_value *baby; /* [nbaby + 1] */
  int *bl;        /* level of baby[i] (planned, then actual) */
  cf_value giant[MAX_GIANT];
  int gl[MAX_GIANT];
} pctx;

typedef struct target {
  int level;
  cf_scale scale;
} target;

static const cf_type *ty(const cf_program *p, cf_value v) { return &p->nodes[v].type; }

static int strip(const double *c, int d) {
  while (d > 0 && c[d] == 0.0)
    d--;
  return d;
}

static int ceil_log2(int v) {
  int r = 0;
  while ((1 << r) < v)
    r++;
  return r;
}

/* p = q * B_g + r on the largest giant g <= d; q has degree d - g, r g - 1. */
static cf_status split(const pctx *x, const double *c, int d, int *gm, double **qo, double **ro) {
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
    if (x->cheb) { /* T_{g+j} = 2 T_g T_j - T_{g-j} */
      q[j] = 2 * c[g + j];
      r[g - j] -= c[g + j];
    } else {
      q[j] = c[g + j];
    }
  }
  *gm = m, *qo = q, *ro = r;
  return CF_OK;
}

/* The highest level at which the expansion of sum c_i B_i can land. */
static cf_status level_of(const pctx *x, const double *c, int d, int *out) {
  d = strip(c, d);
  if (d < x->k) {
    int l = INT_MAX;
    for (int i = 1; i <= d; i++)
      if (c[i] != 0.0 && x->bl[i] < l) l = x->bl[i];
    if (l == INT_MAX) l = x->bl[1]; /* constant: built as 0 * B_1 + c0 */
    *out = l - 1;
    return CF_OK;
  }
  int m, lq = INT_MAX, lr = INT_MAX;
  double *q, *r;
  CF_TRY(split(x, c, d, &m, &q, &r));
  int g = x->k << m;
  cf_status st = CF_OK;
  if (strip(q, d - g) > 0) st = level_of(x, q, d - g, &lq);
  if (st == CF_OK && strip(r, g - 1) > 0) st = level_of(x, r, g - 1, &lr);
  free(q), free(r);
  int lp = (lq < x->gl[m] ? lq : x->gl[m]) - 1;
  *out = lp < lr ? lp : lr;
  return st;
}

/* a*b (Chebyshev: 2ab - c; c < 0 means the constant 1) */
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
    CF_TRY(cf_prog_const(x->p, 1.0, &one));
    return cf_b_add(x->p, CF_OP_SUB, m, one, CF_MANAGE_AUTO, out);
  }
  return cf_b_add(x->p, CF_OP_SUB, m, c, CF_MANAGE_AUTO, out);
}

/* v * c rescaled onto t: v is dropped to t.level + 1 and c encoded at
 * t.scale * q_{t.level+1} / scale(v). */
static cf_status scaled_term(pctx *x, cf_value v, double c, const target *t, cf_value *out) {
  cf_program *p = x->p;
  int lv = t->level + 1;
  if (ty(p, v)->level < lv)
    return CF_FAIL(CF_EINTERNAL, "polynomial plan: %%%d at level %d, needed at %d", v,
                   ty(p, v)->level, lv);
  if (ty(p, v)->level > lv) CF_TRY(cf_b_unary(p, CF_OP_LEVEL_DROP, v, lv, &v));
  cf_scale ps;
  if (!cf_scale_div(&ps, &t->scale, &ty(p, v)->scale) || !cf_scale_mul_q(&ps, lv, 1))
    return CF_FAIL(CF_ESCALE, "polynomial coefficient: exact scale out of range");
  CF_TRY(cf_b_mul_const_scaled(p, v, c, &ps, &v));
  return cf_b_unary(p, CF_OP_RESCALE, v, 0, out);
}

static cf_status add_const(cf_program *p, cf_value acc, double c, cf_value *out) {
  if (c == 0.0) {
    *out = acc;
    return CF_OK;
  }
  cf_value k;
  CF_TRY(cf_prog_const(p, c, &k));
  return cf_b_add(p, CF_OP_ADD, acc, k, CF_MANAGE_AUTO, out);
}

/* sum_{i>=1} c[i] B_i + c[0] at exactly (t.level, t.scale). */
static cf_status lincomb(pctx *x, const double *c, int d, const target *t, cf_value *out) {
  cf_program *p = x->p;
  cf_value acc = -1;
  for (int i = 1; i <= d; i++) {
    if (c[i] == 0.0) continue;
    cf_value v;
    CF_TRY(scaled_term(x, x->baby[i], c[i], t, &v));
    if (acc < 0)
      acc = v;
    else
      CF_TRY(cf_b_add(p, CF_OP_ADD, acc, v, CF_MANAGE_AUTO, &acc));
  }
  if (acc < 0) CF_TRY(scaled_term(x, x->baby[1], 0.0, t, &acc)); /* a constant */
  return add_const(p, acc, c[0], out);
}

static cf_status check_landed(const cf_program *p, cf_value v, const target *t) {
  const cf_type *ty_v = ty(p, v);
  if (ty_v->level != t->level || !cf_scale_eq(&ty_v->scale, &t->scale))
    return CF_FAIL(CF_EINTERNAL, "polynomial plan: %%%d missed its target level %d", v, t->level);
  return CF_OK;
}

static cf_status rec(pctx *x, const double *c, int d, const target *t, cf_value *out) {
  d = strip(c, d);
  if (d < x->k) {
    CF_TRY(lincomb(x, c, d, t, out));
    return check_landed(x->p, *out, t);
  }
  int m;
  double *q, *r;
  CF_TRY(split(x, c, d, &m, &q, &r));
  int g = x->k << m, dq = strip(q, d - g), dr = strip(r, g - 1), lv = t->level + 1;
  cf_program *p = x->p;
  cf_value gv = x->giant[m], prod = -1, rv;
  cf_status st = CF_OK;
  if (dq == 0) {
    st = scaled_term(x, gv, q[0], t, &prod);
  } else {
    target tq = {.level = lv};
    if (!cf_scale_div(&tq.scale, &t->scale, &ty(p, gv)->scale) || !cf_scale_mul_q(&tq.scale, lv, 1))
      st = CF_FAIL(CF_ESCALE, "polynomial split: exact scale out of range");
    cf_value qv;
    if (st == CF_OK) st = rec(x, q, dq, &tq, &qv);
    if (st == CF_OK && ty(p, gv)->level > lv) st = cf_b_unary(p, CF_OP_LEVEL_DROP, gv, lv, &gv);
    if (st == CF_OK) st = cf_b_mul(p, qv, gv, CF_MANAGE_AUTO, &prod);
  }
  if (st == CF_OK) st = check_landed(p, prod, t);
  if (st == CF_OK) {
    if (dr == 0) {
      st = add_const(p, prod, r[0], out);
    } else {
      st = rec(x, r, dr, t, &rv);
      if (st == CF_OK) st = cf_b_add(p, CF_OP_ADD, prod, rv, CF_MANAGE_AUTO, out);
    }
  }
  free(q), free(r);
  return st;
}

/* Baby and giant counts for k baby steps on a degree-d polynomial, and the
 * levels the bases will have when B_1 is at level l1. */
static void shape(pctx *x, int k, int d, int l1) {
  x->k = k > d ? d + 1 : k;
  x->nbaby = k > d ? d : k;
  x->ngiant = 0;
  for (int i = 1; i <= x->nbaby; i++)
    x->bl[i] = l1 - ceil_log2(i);
  if (k > d) return;
  while (x->ngiant < MAX_GIANT && ((long)k << x->ngiant) <= d) {
    x->gl[x->ngiant] = l1 - ceil_log2(k) - x->ngiant;
    x->ngiant++;
  }
}

cf_status cf_poly_expand(cf_program *p, cf_value x, const cf_node *poly, cf_value *out) {
  pctx c = {.p = p, .cheb = poly->basis == CF_BASIS_CHEBYSHEV};
  int d = (int)poly->ncoeffs - 1;
  while (d > 1 && poly->coeffs[d] == 0.0)
    d--;
  cf_value t = x;
  if (c.cheb && !(poly->a == -1.0 && poly->b == 1.0)) {
    cf_value k;
    CF_TRY(cf_prog_const(p, 2.0 / (poly->b - poly->a), &k));
    CF_TRY(cf_b_mul(p, t, k, CF_MANAGE_AUTO, &t));
    CF_TRY(cf_prog_const(p, -(poly->a + poly->b) / (poly->b - poly->a), &k));
    CF_TRY(cf_b_add(p, CF_OP_ADD, t, k, CF_MANAGE_AUTO, &t));
  }
  const int l1 = ty(p, t)->level;
  int kmax = 2;
  while (kmax * kmax < d + 1)
    kmax *= 2;
  c.baby = calloc((size_t)kmax + 2, sizeof *c.baby);
  c.bl = calloc((size_t)kmax + 2, sizeof *c.bl);
  if (!c.baby || !c.bl) {
    free(c.baby), free(c.bl);
    return CF_FAIL(CF_ENOMEM, "polynomial bases");
  }
  /* Fewest levels first; among equals the most baby steps (fewest products). */
  cf_status st = CF_OK;
  int best_k = kmax, best_level = INT_MIN;
  for (int k = 2; k <= kmax && st == CF_OK; k *= 2) {
    int lv;
    shape(&c, k, d, l1);
    st = level_of(&c, poly->coeffs, d, &lv);
    if (st == CF_OK && lv >= best_level) best_level = lv, best_k = k;
  }
  if (st == CF_OK) {
    shape(&c, best_k, d, l1);
    c.baby[1] = t;
    for (int i = 2; i <= c.nbaby && st == CF_OK; i++) {
      if (i % 2 == 0)
        st = combine(&c, c.baby[i / 2], c.baby[i / 2], -1, &c.baby[i]);
      else
        st = combine(&c, c.baby[i / 2 + 1], c.baby[i / 2], c.baby[1], &c.baby[i]);
    }
    if (st == CF_OK && c.ngiant) c.giant[0] = c.baby[c.k];
    for (int j = 1; j < c.ngiant && st == CF_OK; j++)
      st = combine(&c, c.giant[j - 1], c.giant[j - 1], -1, &c.giant[j]);
  }
  /* the levels the bases actually have */
  for (int i = 1; st == CF_OK && i <= c.nbaby; i++)
    c.bl[i] = ty(p, c.baby[i])->level;
  for (int j = 0; st == CF_OK && j < c.ngiant; j++)
    c.gl[j] = ty(p, c.giant[j])->level;
  target tg = {.scale = ty(p, t)->scale};
  if (st == CF_OK) st = level_of(&c, poly->coeffs, d, &tg.level);
  if (st == CF_OK && tg.level < 0)
    st = CF_FAIL(CF_ELEVEL,
                 "level exhausted: a degree-%d polynomial needs %d levels below level %d, "
                 "%d are left",
                 d, l1 - tg.level, l1, l1);
  if (st == CF_OK) st = rec(&c, poly->coeffs, d, &tg, out);
  free(c.baby), free(c.bl);
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
