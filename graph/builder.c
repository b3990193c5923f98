/* The public builder API: argument checks, then the typed node builders. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

#define CHECK_PO(p, out)                                                                           \
  do {                                                                                             \
    if (!(p) || !(out)) return CF_FAIL(CF_EINVAL, "program or output pointer is NULL");            \
  } while (0)

cf_status cf_prog_input(cf_program *p, const char *name, int level, int scale_log2, uint32_t slots,
                        cf_value *out) {
  CHECK_PO(p, out);
  cf_type t;
  memset(&t, 0, sizeof t);
  t.kind = CF_KIND_CT, t.polys = 2, t.slots = slots;
  if (level < -1 || level > 32767) return CF_FAIL(CF_ELEVEL, "input level %d out of range", level);
  t.level = (int16_t)level;
  cf_scale_pow2(&t.scale, scale_log2 ? scale_log2 : p->chain.scale_log2);
  return cf_program_input_typed(p, name ? name : "", &t, out);
}

static cf_status plaintext(cf_program *p, const char *name, const double *data, uint32_t slots,
                           int kind, uint64_t seed, cf_value *out) {
  CHECK_PO(p, out);
  cf_node n;
  cf_node_init(&n, CF_OP_PLAINTEXT);
  n.type.kind = CF_KIND_PT, n.type.slots = slots;
  n.data_kind = kind, n.seed = seed;
  n.name = strdup(name ? name : "");
  if (!n.name) return CF_FAIL(CF_ENOMEM, "plaintext name");
  if (data && slots > 0 && slots <= p->chain.slots) {
    n.data = malloc(slots * sizeof *n.data);
    if (!n.data) {
      cf_node_free(&n);
      return CF_FAIL(CF_ENOMEM, "plaintext data");
    }
    memcpy(n.data, data, slots * sizeof *data);
  }
  return cf_program_append(p, &n, out);
}

cf_status cf_prog_plaintext(cf_program *p, const char *name, const double *data, uint32_t slots,
                            cf_value *out) {
  return plaintext(p, name, data, slots, data ? CF_DATA_INLINE : CF_DATA_EXTERNAL, 0, out);
}

cf_status cf_prog_plaintext_random(cf_program *p, const char *name, uint32_t slots, uint64_t seed,
                                   cf_value *out) {
  return plaintext(p, name, NULL, slots, CF_DATA_RANDOM, seed, out);
}

cf_status cf_prog_const(cf_program *p, double value, cf_value *out) {
  CHECK_PO(p, out);
  cf_node n;
  cf_node_init(&n, CF_OP_CONST);
  n.cval = value;
  return cf_program_append(p, &n, out);
}

cf_status cf_prog_add(cf_program *p, cf_value a, cf_value b, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_add(p, CF_OP_ADD, a, b, p->manage, out);
}

cf_status cf_prog_sub(cf_program *p, cf_value a, cf_value b, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_add(p, CF_OP_SUB, a, b, p->manage, out);
}

cf_status cf_prog_negate(cf_program *p, cf_value a, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_NEG, a, 0, out);
}

cf_status cf_prog_mul(cf_program *p, cf_value a, cf_value b, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_mul(p, a, b, p->manage, out);
}

cf_status cf_prog_relinearize(cf_program *p, cf_value a, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_RELIN, a, 0, out);
}

cf_status cf_prog_rescale(cf_program *p, cf_value a, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_RESCALE, a, 0, out);
}

cf_status cf_prog_level_drop(cf_program *p, cf_value a, int level, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_LEVEL_DROP, a, level, out);
}

cf_status cf_prog_rotate(cf_program *p, cf_value a, int k, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_ROTATE, a, k, out);
}

cf_status cf_prog_conjugate(cf_program *p, cf_value a, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_CONJ, a, 0, out);
}

cf_status cf_prog_linear(cf_program *p, cf_value x, size_t nterms, const int *rots,
                         const cf_value *pts, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_linear(p, x, nterms, rots, pts, p->manage, out);
}

cf_status cf_prog_poly(cf_program *p, cf_value x, cf_poly_basis basis, double a, double b,
                       size_t ncoeffs, const double *coeffs, cf_value *out) {
  CHECK_PO(p, out);
  if (x < 0 || (size_t)x >= p->n)
    return CF_FAIL(CF_EINVAL, "node %%%zu poly: operand %%%d is not defined", p->n, x);
  if (!coeffs || ncoeffs == 0 || ncoeffs > 1025)
    return CF_FAIL(CF_EINVAL, "node %%%zu poly: needs 2..1025 coefficients, got %zu", p->n,
                   ncoeffs);
  cf_node n;
  cf_node_init(&n, CF_OP_POLY);
  n.nargs = 1, n.args[0] = x;
  n.basis = basis, n.a = a, n.b = b, n.ncoeffs = ncoeffs;
  n.coeffs = malloc(ncoeffs * sizeof *coeffs);
  if (!n.coeffs) return CF_FAIL(CF_ENOMEM, "coefficients");
  memcpy(n.coeffs, coeffs, ncoeffs * sizeof *coeffs);
  return cf_program_append(p, &n, out);
}

cf_status cf_prog_bootstrap(cf_program *p, cf_value x, int level, cf_value *out) {
  CHECK_PO(p, out);
  return cf_b_unary(p, CF_OP_BOOTSTRAP, x, level, out);
}

cf_status cf_prog_output(cf_program *p, const char *name, cf_value v) {
  if (!p) return CF_FAIL(CF_EINVAL, "program is NULL");
  return cf_program_add_output(p, name ? name : "", v);
}
