/* Passes: hand-checked small programs, and on random programs the simulated
 * outputs must not change. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/graph/helpers.h"

typedef cf_status (*pass_fn)(const cf_program *, cf_program **);

static size_t count_op(const cf_program *p, cf_op op) {
  size_t n = 0;
  for (size_t i = 0; i < p->n; i++)
    n += p->nodes[i].op == op;
  return n;
}

static cf_program *run(pass_fn f, const cf_program *p) {
  cf_program *q = NULL;
  if (f(p, &q) != CF_OK) fail_msg("pass failed: %s", cf_last_error());
  return q;
}

static void test_cse_dce(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y, a, b, d, e;
  assert_int_equal(cf_prog_input(p, "x", 6, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_input(p, "y", 6, 0, 8, &y), CF_OK);
  assert_int_equal(cf_prog_rotate(p, x, 2, &a), CF_OK);
  assert_int_equal(cf_prog_rotate(p, x, 2, &b), CF_OK); /* duplicate */
  assert_int_equal(cf_prog_add(p, a, y, &d), CF_OK);
  assert_int_equal(cf_prog_add(p, b, y, &e), CF_OK); /* duplicate after renaming */
  cf_value unused;
  assert_int_equal(cf_prog_mul(p, x, y, &unused), CF_OK); /* mul, relin, rescale: dead */
  cf_value s;
  assert_int_equal(cf_prog_sub(p, d, e, &s), CF_OK);
  assert_int_equal(cf_prog_output(p, "s", s), CF_OK);
  cf_program *q = run(cf_pass_cse, p);
  assert_int_equal(q->n, p->n - 2);
  assert_int_equal(count_op(q, CF_OP_ROTATE), 1);
  const cf_node *sub = &q->nodes[q->outs[0].v];
  assert_int_equal(sub->args[0], sub->args[1]); /* d - d */
  cf_program *r = run(cf_pass_dce, q);
  assert_int_equal(count_op(r, CF_OP_MUL), 0);
  assert_int_equal(count_op(r, CF_OP_RELIN), 0);
  assert_int_equal(r->n, q->n - 3);
  assert_true(sim_compare(p, r, test_seed()) < 1e-12);
  /* the unused input y stays: it is an operand of d */
  assert_int_equal(count_op(r, CF_OP_INPUT), 2);
  cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(r);
}

static void test_hoist_and_keys(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y, r1, r2, r3, t, u;
  assert_int_equal(cf_prog_input(p, "x", 6, 0, 16, &x), CF_OK);
  assert_int_equal(cf_prog_input(p, "y", 6, 0, 16, &y), CF_OK);
  assert_int_equal(cf_prog_rotate(p, x, 1, &r1), CF_OK);
  assert_int_equal(cf_prog_rotate(p, y, 3, &t), CF_OK);
  assert_int_equal(cf_prog_add(p, r1, t, &u), CF_OK);
  assert_int_equal(cf_prog_rotate(p, x, 5, &r2), CF_OK);
  assert_int_equal(cf_prog_conjugate(p, x, &r3), CF_OK);
  assert_int_equal(cf_prog_add(p, u, r2, &u), CF_OK);
  assert_int_equal(cf_prog_add(p, u, r3, &u), CF_OK);
  assert_int_equal(cf_prog_output(p, "u", u), CF_OK);
  cf_program *q = run(cf_pass_hoist_rotations, p);
  /* the three rotations of x are adjacent and flagged; y's single one is not */
  int first = -1, flagged = 0;
  for (size_t i = 0; i < q->n; i++) {
    const cf_node *n = &q->nodes[i];
    if ((n->op == CF_OP_ROTATE || n->op == CF_OP_CONJ) && n->hoist) {
      assert_int_equal(n->args[0], 0);
      if (first < 0) first = (int)i;
      assert_int_equal((int)i, first + flagged);
      flagged++;
    }
    if (n->op == CF_OP_ROTATE && n->args[0] == 1) assert_int_equal(n->hoist, 0);
  }
  assert_int_equal(flagged, 3);
  assert_true(sim_compare(p, q, test_seed()) < 1e-12);
  uint64_t *g;
  size_t ng;
  int relin;
  assert_int_equal(cf_program_rotation_keys(q, &g, &ng, &relin), CF_OK);
  /* 5^1, 5^3, 5^5 mod 2N and 2N-1, sorted */
  uint64_t m = 2ull << c.log_n, want[4] = {5, 125, 3125 % m, m - 1};
  assert_int_equal(ng, 4);
  for (int i = 0; i < 4; i++)
    assert_int_equal(g[i], want[i]);
  assert_int_equal(relin, 0);
  free(g);
  cf_program_destroy(p), cf_program_destroy(q);
}

static void test_depth(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y;
  assert_int_equal(cf_prog_input(p, "x", 7, 0, 8, &x), CF_OK);
  y = x;
  for (int i = 0; i < 3; i++)
    assert_int_equal(cf_prog_mul(p, y, y, &y), CF_OK); /* x^8 */
  assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
  int md, lv;
  assert_int_equal(cf_program_depth(p, &md, &lv), CF_OK);
  assert_int_equal(md, 3);
  assert_int_equal(lv, 3);
  assert_int_equal(p->nodes[y].type.level, 4);
  cf_program_destroy(p);
}

/* Re-managing a hand-managed program: same values, fully typed, and the
 * lazy manual rescale becomes eager (one rescale per multiplication). */
static void test_manage_pass(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &p), CF_OK);
  cf_value x, a, b, s;
  assert_int_equal(cf_prog_input(p, "x", 6, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, x, &a), CF_OK);
  assert_int_equal(cf_prog_relinearize(p, a, &a), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, x, &b), CF_OK);
  assert_int_equal(cf_prog_relinearize(p, b, &b), CF_OK);
  assert_int_equal(cf_prog_add(p, a, b, &s), CF_OK); /* added before rescaling */
  assert_int_equal(cf_prog_rescale(p, s, &s), CF_OK);
  assert_int_equal(cf_prog_output(p, "s", s), CF_OK);
  cf_program *q = run(cf_pass_manage_scale, p);
  assert_int_equal(count_op(q, CF_OP_RESCALE), 2);
  assert_int_equal(count_op(q, CF_OP_RELIN), 2);
  assert_true(sim_compare(p, q, test_seed()) < 1e-12);
  cf_program_destroy(p), cf_program_destroy(q);
}

/* Polynomial expansion: against the function it approximates (independent
 * reference) and against the unexpanded node. */
static void test_poly_expand(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  for (int basis = 0; basis < 2; basis++) {
    for (int deg = 1; deg <= 15; deg += 2) {
      cf_program *p;
      assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
      double co[16];
      uint64_t s = test_seed() + (uint64_t)deg;
      for (int i = 0; i <= deg; i++)
        co[i] = rnd_unit(&s);
      cf_value x, y;
      assert_int_equal(cf_prog_input(p, "x", 7, 0, 8, &x), CF_OK);
      assert_int_equal(cf_prog_poly(p, x, basis, -3, 2, (size_t)deg + 1, co, &y), CF_OK);
      assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
      cf_program *q = run(cf_pass_expand_poly, p);
      assert_int_equal(count_op(q, CF_OP_POLY), 0);
      assert_true(cf_type_eq(&p->nodes[y].type, &q->nodes[q->outs[0].v].type));
      double err = sim_compare(p, q, s);
      if (err > 1e-9) fail_msg("basis %d degree %d: relative error %g", basis, deg, err);
      cf_program_destroy(p), cf_program_destroy(q);
    }
  }
  /* Chebyshev interpolant of exp on [-1, 3] evaluated by the expansion vs exp */
  enum { D = 12 };
  double co[D];
  for (int k = 0; k < D; k++) {
    double sum = 0;
    for (int j = 0; j < D; j++) {
      double th = M_PI * (j + 0.5) / D;
      sum += cos(k * th) * exp(1 + 2 * cos(th));
    }
    co[k] = (k ? 2.0 : 1.0) * sum / D;
  }
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y;
  assert_int_equal(cf_prog_input(p, "x", 7, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_poly(p, x, CF_BASIS_CHEBYSHEV, -1, 3, D, co, &y), CF_OK);
  assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
  cf_program *q = run(cf_pass_expand_poly, p);
  cf_executor *ex;
  assert_int_equal(cf_executor_create_sim(&ex), CF_OK);
  assert_int_equal(cf_executor_prepare(ex, q), CF_OK);
  double in[8], out[8];
  uint64_t s = test_seed();
  for (int i = 0; i < 8; i++)
    in[i] = 1 + 2 * rnd_unit(&s);
  assert_int_equal(cf_executor_set_input(ex, "x", in, NULL, 8), CF_OK);
  assert_int_equal(cf_executor_run(ex), CF_OK);
  assert_int_equal(cf_executor_get_output(ex, "y", out, NULL, 8), CF_OK);
  for (int i = 0; i < 8; i++)
    assert_true(fabs(out[i] - exp(in[i])) < 1e-6 * exp(in[i]));
  int md, lv;
  assert_int_equal(cf_program_depth(q, &md, &lv), CF_OK);
  assert_true(lv <= 6); /* degree 11: log2(12) rounded up, + map + coefficients */
  cf_executor_destroy(ex);
  cf_program_destroy(p), cf_program_destroy(q);
}

static double silu(double x) { return x / (1 + exp(-x)); }

static int ceil_log2(int v) {
  int r = 0;
  while ((1 << r) < v)
    r++;
  return r;
}

/* Chained polynomial nodes: each result has exactly the scale of the input
 * (no growth of the exact scale from one polynomial to the next), uses
 * ceil(log2(d + 1)) levels plus one for the interval map, and the expanded
 * program computes the composition (double-precision reference). */
static void test_poly_chained(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(cf_chain_generate(&c, 10, 20, 55, 40, 2, 55, 10, 40), CF_OK);
  enum { D = 30 }; /* degree 29, as the SiLU activations of the frontends */
  double co1[D];
  const double co2[4] = {0.1, 0.5, 0.0, -0.01}; /* power basis, no interval map */
  cheb_interp(silu, -8, 8, D, co1);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y[3];
  assert_int_equal(cf_prog_input(p, "x", 19, 0, 16, &x), CF_OK);
  assert_int_equal(cf_prog_poly(p, x, CF_BASIS_CHEBYSHEV, -8, 8, D, co1, &y[0]), CF_OK);
  assert_int_equal(cf_prog_poly(p, y[0], CF_BASIS_CHEBYSHEV, -8, 8, D, co1, &y[1]), CF_OK);
  assert_int_equal(cf_prog_poly(p, y[1], CF_BASIS_POWER, -1, 1, 4, co2, &y[2]), CF_OK);
  assert_int_equal(cf_prog_output(p, "y", y[2]), CF_OK);
  cf_scale s40;
  cf_scale_pow2(&s40, 40);
  const int want_level[3] = {19 - 6, 19 - 12, 19 - 14};
  for (int i = 0; i < 3; i++) {
    assert_true(cf_scale_eq(&p->nodes[y[i]].type.scale, &s40));
    assert_int_equal(p->nodes[y[i]].type.level, want_level[i]);
  }
  cf_program *q = run(cf_pass_expand_poly, p);
  const cf_type *t = &q->nodes[q->outs[0].v].type;
  assert_true(cf_scale_eq(&t->scale, &s40));
  assert_int_equal(t->level, want_level[2]);
  /* the expansion's text form reads back */
  char *text;
  cf_program *r;
  assert_int_equal(cf_program_print(q, &text), CF_OK);
  if (cf_program_parse(text, strlen(text), &r) != CF_OK) fail_msg("parse: %s", cf_last_error());
  free(text);
  cf_executor *ex;
  assert_int_equal(cf_executor_create_sim(&ex), CF_OK);
  assert_int_equal(cf_executor_prepare(ex, r), CF_OK);
  double in[16], out[16];
  uint64_t s = test_seed();
  for (int i = 0; i < 16; i++)
    in[i] = 8 * rnd_unit(&s);
  assert_int_equal(cf_executor_set_input(ex, "x", in, NULL, 16), CF_OK);
  assert_int_equal(cf_executor_run(ex), CF_OK);
  assert_int_equal(cf_executor_get_output(ex, "y", out, NULL, 16), CF_OK);
  for (int i = 0; i < 16; i++) {
    double a = cheb_eval(co1, D, -8, 8, in[i]);
    double b = cheb_eval(co1, D, -8, 8, a);
    double want = co2[0] + b * (co2[1] + b * (co2[2] + b * co2[3]));
    if (fabs(out[i] - want) > 1e-9) fail_msg("x=%g: %.12g, reference %.12g", in[i], out[i], want);
  }
  cf_executor_destroy(ex);
  cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(r);
}

/* Levels of the expansion for every degree up to 64, both bases. */
static void test_poly_levels(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(cf_chain_generate(&c, 10, 10, 55, 40, 2, 55, 5, 40), CF_OK);
  uint64_t s = test_seed();
  for (int basis = 0; basis < 2; basis++)
    for (int d = 1; d <= 64; d++) {
      double co[65];
      for (int i = 0; i <= d; i++)
        co[i] = rnd_unit(&s);
      cf_program *p;
      assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
      cf_value x, y;
      assert_int_equal(cf_prog_input(p, "x", 9, 0, 8, &x), CF_OK);
      if (cf_prog_poly(p, x, basis, -2, 2, (size_t)d + 1, co, &y) != CF_OK)
        fail_msg("basis %d degree %d: %s", basis, d, cf_last_error());
      int used = 9 - p->nodes[y].type.level, want = ceil_log2(d + 1) + basis;
      if (used > want) fail_msg("basis %d degree %d: %d levels, want %d", basis, d, used, want);
      cf_program_destroy(p);
    }
}

/* Every pass on random programs keeps the simulated outputs. */
static void test_random_programs(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  pass_fn passes[] = {cf_pass_cse,         cf_pass_dce,          cf_pass_hoist_rotations,
                      cf_pass_expand_poly, cf_pass_manage_scale, cf_pass_bsgs};
  const char *names[] = {"cse", "dce", "hoist", "expand_poly", "manage_scale", "bsgs"};
  uint64_t seed = test_seed();
  for (int k = 0; k < 40; k++) {
    cf_program *p = random_program(&c, seed + (uint64_t)k, 30, true);
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
      cf_program *q = NULL;
      cf_status st = passes[i](p, &q);
      if (st == CF_ELEVEL && i == 4) continue; /* re-management may need more levels */
      if (st != CF_OK) fail_msg("program %d pass %s: %s", k, names[i], cf_last_error());
      double err = sim_compare(p, q, seed + 99);
      if (err > 1e-9) fail_msg("program %d pass %s changed outputs (%g)", k, names[i], err);
      cf_program_destroy(q);
    }
    cf_program_destroy(p);
  }
}

/* A 32-diagonal linear transform: BSGS keeps the values and needs 7 baby and
 * 3 giant keys instead of 31 (g = 8 for 32 terms is 6 x 8: g^2 >= 32). */
static void test_bsgs(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  enum { S = 64, T = 32 };
  cf_value x, y, pts[T];
  int rots[T];
  assert_int_equal(cf_prog_input(p, "x", 6, 0, S, &x), CF_OK);
  uint64_t s = test_seed();
  for (int t = 0; t < T; t++) {
    char name[16];
    snprintf(name, sizeof name, "d%d", t);
    rots[t] = t;
    if (t % 3 == 0) /* a mix of supplied and generated weights */
      assert_int_equal(cf_prog_plaintext(p, name, NULL, S, &pts[t]), CF_OK);
    else
      assert_int_equal(cf_prog_plaintext_random(p, name, S, rnd(&s), &pts[t]), CF_OK);
  }
  assert_int_equal(cf_prog_linear(p, x, T, rots, pts, &y), CF_OK);
  assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
  cf_program *q = run(cf_pass_bsgs, p);
  assert_true(sim_compare(p, q, s) < 1e-12);
  uint64_t *g1, *g2;
  size_t n1, n2;
  assert_int_equal(cf_program_rotation_keys(p, &g1, &n1, NULL), CF_OK);
  assert_int_equal(cf_program_rotation_keys(q, &g2, &n2, NULL), CF_OK);
  assert_int_equal(n1, 31);
  assert_int_equal(n2, 7 + 3); /* baby 1..7, giant 8, 16, 24 */
  assert_int_equal(count_op(q, CF_OP_LINEAR), 4);
  assert_int_equal(count_op(q, CF_OP_ROTATE), 3);
  assert_true(cf_type_eq(&p->nodes[y].type, &q->nodes[q->outs[0].v].type));
  free(g1), free(g2);
  /* printed and parsed back exactly, shifted plaintexts included */
  char *t1, *t2;
  cf_program *r;
  assert_int_equal(cf_program_print(q, &t1), CF_OK);
  assert_non_null(strstr(t1, "{shift=-8}"));
  assert_int_equal(cf_program_parse(t1, strlen(t1), &r), CF_OK);
  assert_int_equal(cf_program_print(r, &t2), CF_OK);
  assert_string_equal(t1, t2);
  free(t1), free(t2);
  cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cse_dce),     cmocka_unit_test(test_hoist_and_keys),
      cmocka_unit_test(test_depth),       cmocka_unit_test(test_manage_pass),
      cmocka_unit_test(test_poly_expand), cmocka_unit_test(test_poly_chained),
      cmocka_unit_test(test_poly_levels), cmocka_unit_test(test_random_programs),
      cmocka_unit_test(test_bsgs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
