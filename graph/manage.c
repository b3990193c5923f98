/* Automatic scale and level management. The builder calls these in
 * CF_MANAGE_AUTO mode; cf_pass_manage_scale replays a whole program through
 * them. Policy: relinearize and rescale right after every multiplication;
 * plaintexts and constants are encoded at the scale q_l of the prime the
 * rescale removes, so they leave the scale unchanged; operands of add are
 * brought to the lower level, and a scale mismatch is fixed exactly by
 * multiplying by 1 encoded at scale target * q_l / current and rescaling. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

static cf_status check_value(const cf_program *p, cf_value v) {
  if (v < 0 || (size_t)v >= p->n)
    return CF_FAIL(CF_EINVAL, "node %%%zu: operand %%%d is not a value of the program", p->n, v);
  return CF_OK;
}

cf_status cf_b_unary(cf_program *p, cf_op op, cf_value a, int arg, cf_value *out) {
  CF_TRY(check_value(p, a));
  cf_node n;
  cf_node_init(&n, op);
  n.nargs = 1;
  n.args[0] = a;
  if (op == CF_OP_ROTATE) n.k = arg;
  if (op == CF_OP_LEVEL_DROP || op == CF_OP_BOOTSTRAP) n.level_to = arg;
  return cf_program_append(p, &n, out);
}

cf_status cf_b_mul_const_scaled(cf_program *p, cf_value x, double c, const cf_scale *pscale,
                                cf_value *out) {
  cf_value k;
  cf_node n;
  cf_node_init(&n, CF_OP_CONST);
  n.cval = c;
  CF_TRY(cf_program_append(p, &n, &k));
  cf_node_init(&n, CF_OP_MUL);
  n.nargs = 2, n.args[0] = x, n.args[1] = k;
  n.pscale = *pscale;
  return cf_program_append(p, &n, out);
}

static const cf_type *ty(const cf_program *p, cf_value v) { return &p->nodes[v].type; }

cf_status cf_manage_after_mul(cf_program *p, cf_value v, cf_value *out) {
  if (ty(p, v)->polys == 3) CF_TRY(cf_b_unary(p, CF_OP_RELIN, v, 0, &v));
  return cf_b_unary(p, CF_OP_RESCALE, v, 0, out);
}

static cf_status drop_to(cf_program *p, cf_value v, int level, cf_value *out) {
  if (ty(p, v)->level == level) {
    *out = v;
    return CF_OK;
  }
  return cf_b_unary(p, CF_OP_LEVEL_DROP, v, level, out);
}

cf_status cf_manage_align_to(cf_program *p, cf_value a, int level, const cf_scale *scale,
                             cf_value *out) {
  const cf_type *t = ty(p, a);
  if (t->polys == 3) CF_TRY(cf_b_unary(p, CF_OP_RELIN, a, 0, &a));
  if (cf_scale_eq(&ty(p, a)->scale, scale)) return drop_to(p, a, level, out);
  if (level + 1 > ty(p, a)->level || level < 0)
    return CF_FAIL(CF_ELEVEL,
                   "node %%%zu: level exhausted: aligning the scale of %%%d (level %d) to level "
                   "%d needs one more level",
                   p->n, a, ty(p, a)->level, level);
  CF_TRY(drop_to(p, a, level + 1, &a));
  cf_scale ps;
  if (!cf_scale_div(&ps, scale, &ty(p, a)->scale) || !cf_scale_mul_q(&ps, level + 1, 1))
    return CF_FAIL(CF_ESCALE, "node %%%zu: exact scale out of range aligning %%%d", p->n, a);
  CF_TRY(cf_b_mul_const_scaled(p, a, 1.0, &ps, &a));
  return cf_b_unary(p, CF_OP_RESCALE, a, 0, out);
}

cf_status cf_b_add(cf_program *p, cf_op op, cf_value a, cf_value b, int manage, cf_value *out) {
  CF_TRY(check_value(p, a));
  CF_TRY(check_value(p, b));
  if (op == CF_OP_ADD && ty(p, a)->kind != CF_KIND_CT && ty(p, b)->kind == CF_KIND_CT) {
    cf_value t = a;
    a = b, b = t;
  }
  if (manage == CF_MANAGE_AUTO && ty(p, a)->kind == CF_KIND_CT && ty(p, b)->kind == CF_KIND_CT) {
    if (ty(p, a)->polys == 3) CF_TRY(cf_b_unary(p, CF_OP_RELIN, a, 0, &a));
    if (ty(p, b)->polys == 3) CF_TRY(cf_b_unary(p, CF_OP_RELIN, b, 0, &b));
    int level = ty(p, a)->level < ty(p, b)->level ? ty(p, a)->level : ty(p, b)->level;
    if (!cf_scale_eq(&ty(p, a)->scale, &ty(p, b)->scale)) {
      /* Adjust the operand with more levels left, so the result keeps the most. */
      if (ty(p, b)->level < ty(p, a)->level) {
        cf_scale s = ty(p, b)->scale;
        CF_TRY(cf_manage_align_to(p, a, level, &s, &a));
        CF_TRY(drop_to(p, b, level, &b));
      } else {
        cf_scale s = ty(p, a)->scale;
        level = ty(p, b)->level > ty(p, a)->level ? ty(p, a)->level : ty(p, a)->level - 1;
        CF_TRY(cf_manage_align_to(p, b, level, &s, &b));
        CF_TRY(drop_to(p, a, level, &a));
      }
    } else {
      CF_TRY(drop_to(p, a, level, &a));
      CF_TRY(drop_to(p, b, level, &b));
    }
  }
  cf_node n;
  cf_node_init(&n, op);
  n.nargs = 2, n.args[0] = a, n.args[1] = b;
  return cf_program_append(p, &n, out);
}

cf_status cf_b_mul(cf_program *p, cf_value a, cf_value b, int manage, cf_value *out) {
  CF_TRY(check_value(p, a));
  CF_TRY(check_value(p, b));
  if (ty(p, a)->kind != CF_KIND_CT && ty(p, b)->kind == CF_KIND_CT) {
    cf_value t = a;
    a = b, b = t;
  }
  bool ctct = ty(p, b)->kind == CF_KIND_CT;
  if (manage == CF_MANAGE_AUTO && ty(p, a)->kind == CF_KIND_CT) {
    if (ty(p, a)->polys == 3) CF_TRY(cf_b_unary(p, CF_OP_RELIN, a, 0, &a));
    if (ctct) {
      if (ty(p, b)->polys == 3) CF_TRY(cf_b_unary(p, CF_OP_RELIN, b, 0, &b));
      int level = ty(p, a)->level < ty(p, b)->level ? ty(p, a)->level : ty(p, b)->level;
      CF_TRY(drop_to(p, a, level, &a));
      CF_TRY(drop_to(p, b, level, &b));
    }
    if (ty(p, a)->level < 1)
      return CF_FAIL(
          CF_ELEVEL,
          "node %%%zu mul: level exhausted: %%%d is at level 0, no level left to rescale", p->n, a);
  }
  cf_node n;
  cf_node_init(&n, CF_OP_MUL);
  n.nargs = 2, n.args[0] = a, n.args[1] = b;
  if (!ctct && ty(p, a)->kind == CF_KIND_CT) (void)cf_scale_mul_q(&n.pscale, ty(p, a)->level, 1);
  cf_value v;
  CF_TRY(cf_program_append(p, &n, &v));
  if (manage == CF_MANAGE_AUTO) return cf_manage_after_mul(p, v, out);
  *out = v;
  return CF_OK;
}

cf_status cf_b_linear(cf_program *p, cf_value x, size_t nt, const int *rots, const cf_value *pts,
                      int manage, cf_value *out) {
  CF_TRY(check_value(p, x));
  if (nt < 1 || !rots || !pts)
    return CF_FAIL(CF_EINVAL, "node %%%zu linear: needs at least one term", p->n);
  if (manage == CF_MANAGE_AUTO && ty(p, x)->kind == CF_KIND_CT && ty(p, x)->level < 1)
    return CF_FAIL(CF_ELEVEL, "node %%%zu linear: level exhausted: %%%d is at level 0", p->n, x);
  cf_node n;
  cf_node_init(&n, CF_OP_LINEAR);
  n.nargs = 1, n.args[0] = x;
  n.nterms = nt;
  n.rots = malloc(nt * sizeof *n.rots);
  n.pts = malloc(nt * sizeof *n.pts);
  if (!n.rots || !n.pts) {
    cf_node_free(&n);
    return CF_FAIL(CF_ENOMEM, "linear terms");
  }
  memcpy(n.rots, rots, nt * sizeof *rots);
  memcpy(n.pts, pts, nt * sizeof *pts);
  if (ty(p, x)->kind == CF_KIND_CT) (void)cf_scale_mul_q(&n.pscale, ty(p, x)->level, 1);
  cf_value v;
  CF_TRY(cf_program_append(p, &n, &v));
  if (manage == CF_MANAGE_AUTO) return cf_b_unary(p, CF_OP_RESCALE, v, 0, out);
  *out = v;
  return CF_OK;
}

/* Replays the program with management re-derived: explicit relinearize,
 * rescale and level-drop nodes are identities on values, so they are dropped
 * and the auto builder inserts what is needed. */
cf_status cf_pass_manage_scale(const cf_program *in, cf_program **out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  cf_program *p;
  CF_TRY(cf_program_create(&in->chain, CF_MANAGE_AUTO, &p));
  cf_value *map = malloc((in->n + 1) * sizeof *map);
  if (!map) {
    cf_program_destroy(p);
    return CF_FAIL(CF_ENOMEM, "value map");
  }
  cf_status st = CF_OK;
  for (size_t i = 0; i < in->n && st == CF_OK; i++) {
    const cf_node *n = &in->nodes[i];
    cf_value a = n->nargs > 0 ? map[n->args[0]] : -1, b = n->nargs > 1 ? map[n->args[1]] : -1;
    switch (n->op) {
    case CF_OP_RELIN:
    case CF_OP_RESCALE:
    case CF_OP_LEVEL_DROP: map[i] = a; break;
    case CF_OP_ADD:
    case CF_OP_SUB: st = cf_b_add(p, n->op, a, b, CF_MANAGE_AUTO, &map[i]); break;
    case CF_OP_MUL: st = cf_b_mul(p, a, b, CF_MANAGE_AUTO, &map[i]); break;
    case CF_OP_LINEAR: {
      cf_value *pts = malloc(n->nterms * sizeof *pts);
      if (!pts) {
        st = CF_FAIL(CF_ENOMEM, "linear terms");
        break;
      }
      for (size_t t = 0; t < n->nterms; t++)
        pts[t] = map[n->pts[t]];
      st = cf_b_linear(p, a, n->nterms, n->rots, pts, CF_MANAGE_AUTO, &map[i]);
      free(pts);
      break;
    }
    default: {
      cf_value args[2] = {a, b};
      st = cf_program_append_copy(p, n, args, &map[i]);
    }
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
