#include "frontends/layers/to_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static cf_status step_fail(const cf_step *s, cf_status st) {
  char why[512];
  snprintf(why, sizeof why, "%s", cf_last_error());
  return CF_FAIL(st, "layer '%s': %s", s->layer, why);
}

/*
 * Baby-step giant-step: with d = dmin + g * n1 + b (0 <= b < n1),
 *   y = sum_g rot( sum_b rot(diag_d, -g n1) * rot(x, dmin + b), g n1 ),
 * each inner sum one hoisted cf_prog_linear. Rotation keys: about 2 sqrt(D)
 * for D diagonals instead of D.
 */
static cf_status emit_linear(cf_program *prog, const cf_he_plan *p, const cf_step *s, cf_value x,
                             cf_value *out) {
  int S = p->slots, nd = s->ndiag;
  int dmin = s->offsets[0], dmax = s->offsets[0];
  for (int d = 1; d < nd; d++) {
    if (s->offsets[d] < dmin) dmin = s->offsets[d];
    if (s->offsets[d] > dmax) dmax = s->offsets[d];
  }
  int span = dmax - dmin + 1, n1 = 1;
  while (n1 * n1 < span)
    n1++;
  int ng = (span + n1 - 1) / n1;
  cf_value *pts = malloc(sizeof *pts * (size_t)(n1 ? n1 : 1));
  int *rots = malloc(sizeof *rots * (size_t)(n1 ? n1 : 1));
  double *buf = malloc(sizeof(double) * (size_t)S);
  cf_status st = (!pts || !rots || !buf) ? CF_FAIL(CF_ENOMEM, "no memory") : CF_OK;
  cf_value acc = -1;
  for (int g = 0; g < ng && st == CF_OK; g++) {
    int nt = 0;
    for (int d = 0; d < nd && st == CF_OK; d++) {
      int rel = s->offsets[d] - dmin;
      if (rel / n1 != g) continue;
      int shift = g * n1; /* buf = rot(diag, -shift) */
      for (int j = 0; j < S; j++)
        buf[j] = s->diags[d][((j - shift) % S + S) % S];
      char name[96];
      snprintf(name, sizeof name, "%s.diag%d", s->layer, s->offsets[d]);
      rots[nt] = ((dmin + rel % n1) % S + S) % S;
      st = cf_prog_plaintext(prog, name, buf, (uint32_t)S, &pts[nt]);
      nt++;
    }
    if (nt == 0 || st != CF_OK) continue;
    cf_value inner;
    st = cf_prog_linear(prog, x, (size_t)nt, rots, pts, &inner);
    if (st == CF_OK && g > 0) st = cf_prog_rotate(prog, inner, (g * n1) % S, &inner);
    if (st == CF_OK) st = acc < 0 ? (acc = inner, CF_OK) : cf_prog_add(prog, acc, inner, &acc);
  }
  if (st == CF_OK && acc < 0) st = CF_FAIL(CF_EINVAL, "linear layer without diagonals");
  if (st == CF_OK && s->bias) {
    char name[96];
    snprintf(name, sizeof name, "%s.bias", s->layer);
    cf_value b;
    st = cf_prog_plaintext(prog, name, s->bias, (uint32_t)S, &b);
    if (st == CF_OK) st = cf_prog_add(prog, acc, b, &acc);
  }
  if (st == CF_OK) *out = acc;
  free(pts), free(rots), free(buf);
  return st;
}

static cf_status build(const cf_he_plan *p, const cf_chain *chain, cf_program **out,
                       int *step_levels, int *total) {
  *out = NULL;
  if (chain->slots != (uint32_t)p->slots)
    return CF_FAIL(CF_EMISMATCH, "chain has %u slots, the plan was laid out for %d", chain->slots,
                   p->slots);
  cf_program *prog;
  CF_TRY(cf_program_create(chain, CF_MANAGE_AUTO, &prog));
  cf_value *val = malloc(sizeof *val * (size_t)p->nvalues);
  if (!val) {
    cf_program_destroy(prog);
    return CF_FAIL(CF_ENOMEM, "no memory");
  }
  for (int i = 0; i < p->nvalues; i++)
    val[i] = -1;
  cf_status st =
      cf_prog_input(prog, "x", (int)chain->nq - 1, 0, (uint32_t)p->slots, &val[p->input]);
  for (int i = 0; i < p->nsteps && st == CF_OK; i++) {
    const cf_step *s = &p->steps[i];
    cf_value x = val[s->in], y;
    switch (s->kind) {
    case CF_STEP_LINEAR: st = emit_linear(prog, p, s, x, &y); break;
    case CF_STEP_POLY:
      if (s->power)
        st = cf_prog_poly(prog, x, CF_BASIS_POWER, -1, 1, (size_t)s->degree + 1, s->cheb, &y);
      else
        st = cf_prog_poly(prog, x, CF_BASIS_CHEBYSHEV, s->lo, s->hi, (size_t)s->degree + 1, s->cheb,
                          &y);
      break;
    case CF_STEP_ADD: st = cf_prog_add(prog, x, val[s->in2], &y); break;
    case CF_STEP_MUL: st = cf_prog_mul(prog, x, val[s->in2], &y); break;
    }
    if (st != CF_OK) {
      st = step_fail(s, st);
      break;
    }
    val[s->out] = y;
    if (step_levels) {
      cf_value_info a, b;
      st = cf_program_value_info(prog, x, &a);
      if (st == CF_OK) st = cf_program_value_info(prog, y, &b);
      step_levels[i] = a.level - b.level;
    }
  }
  if (st == CF_OK && total) {
    cf_value_info a;
    st = cf_program_value_info(prog, val[p->output], &a);
    *total = (int)chain->nq - 1 - a.level;
  }
  if (st == CF_OK) st = cf_prog_output(prog, "y", val[p->output]);
  free(val);
  if (st != CF_OK) {
    cf_program_destroy(prog);
    return st;
  }
  *out = prog;
  return CF_OK;
}

cf_status cf_he_plan_to_program(const cf_he_plan *p, const cf_chain *chain, cf_program **out) {
  return build(p, chain, out, NULL, NULL);
}

cf_status cf_he_plan_measure_levels(const cf_he_plan *p, int *step_levels, int *total) {
  cf_chain c;
  CF_TRY(cf_he_plan_chain(p, CF_CHAIN_MAX_Q - 1, &c));
  cf_program *prog;
  CF_TRY(build(p, &c, &prog, step_levels, total));
  cf_program_destroy(prog);
  return CF_OK;
}

cf_status cf_he_plan_chain(const cf_he_plan *p, int levels, cf_chain *out) {
  unsigned log_n = 1;
  while ((1 << (log_n - 1)) < p->slots)
    log_n++;
  if (levels < 1 || levels > CF_CHAIN_MAX_Q - 1)
    return CF_FAIL(CF_EINVAL, "%d levels (1..%d)", levels, CF_CHAIN_MAX_Q - 1);
  /* one prime per key-switching digit, so one special prime covers it */
  CF_TRY(
      cf_chain_generate(out, log_n, (unsigned)levels + 1, 60, 40, 1, 60, (unsigned)levels + 1, 40));
  out->slots = (uint32_t)p->slots;
  return CF_OK;
}
