/* The direct CKKS evaluator against the slot simulator on random programs
 * (toy parameters), and the chain description of parameter presets. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/ckks_exec.h"
#include "graph/lower.h"
#include "tests/graph/helpers.h"

static void test_chain_from_params(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  assert_int_equal(1u << c.log_n, cf_ckks_params_n(pr));
  assert_int_equal(c.nq, cf_ckks_params_nq(pr));
  assert_int_equal(c.np, cf_ckks_params_np(pr));
  assert_int_equal(c.dnum, cf_ckks_params_dnum(pr));
  for (uint32_t i = 0; i < c.nq; i++)
    assert_int_equal(c.q[i], cf_ckks_params_prime(pr, (int)i));
  assert_int_equal(c.scale_log2, 40);
  cf_ckks_params_destroy(pr);
}

/* Runs p on both executors with the same inputs; returns the largest
 * absolute error relative to max(1, largest magnitude). */
static double compare(const cf_ckks_params *pr, const cf_program *p, uint64_t seed) {
  cf_executor *ex[2];
  assert_int_equal(cf_executor_create_sim(&ex[0]), CF_OK);
  assert_int_equal(cf_executor_create_ckks(pr, &ex[1]), CF_OK);
  double worst = 0;
  for (int e = 0; e < 2; e++) {
    if (cf_executor_prepare(ex[e], p) != CF_OK) fail_msg("prepare: %s", cf_last_error());
    for (size_t i = 0; i < p->n; i++) {
      const cf_node *n = &p->nodes[i];
      if (n->op != CF_OP_INPUT && !(n->op == CF_OP_PLAINTEXT && n->data_kind == CF_DATA_EXTERNAL))
        continue;
      uint64_t s = seed + i;
      double re[4096], im[4096];
      for (uint32_t j = 0; j < n->type.slots; j++)
        re[j] = rnd_unit(&s), im[j] = n->op == CF_OP_INPUT ? rnd_unit(&s) * 0.5 : 0;
      assert_int_equal(cf_executor_set_input(ex[e], n->name, re, im, n->type.slots), CF_OK);
    }
    if (cf_executor_run(ex[e]) != CF_OK) fail_msg("run: %s", cf_last_error());
  }
  for (size_t o = 0; o < p->nout; o++) {
    size_t m = p->nodes[p->outs[o].v].type.slots;
    double a[2][2][4096];
    for (int e = 0; e < 2; e++)
      assert_int_equal(cf_executor_get_output(ex[e], p->outs[o].name, a[e][0], a[e][1], m), CF_OK);
    double mag = 1;
    for (size_t j = 0; j < m; j++)
      mag = fmax(mag, fmax(fabs(a[0][0][j]), fabs(a[0][1][j])));
    for (size_t j = 0; j < m; j++)
      worst = fmax(worst, fmax(fabs(a[0][0][j] - a[1][0][j]), fabs(a[0][1][j] - a[1][1][j])) / mag);
  }
  cf_executor_destroy(ex[0]);
  cf_executor_destroy(ex[1]);
  return worst;
}

static void test_random_programs(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  uint64_t seed = test_seed();
  for (int k = 0; k < 6; k++) {
    cf_program *p = random_program(&c, seed + 17u * (uint64_t)k, 12, true), *q;
    assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
    double err = compare(pr, q, seed + (uint64_t)k);
    if (err > 1e-4) fail_msg("program %d: CKKS differs from the simulator by %g", k, err);
    cf_program_destroy(p), cf_program_destroy(q);
  }
  cf_ckks_params_destroy(pr);
}

/* A 16-term linear transform in baby-step giant-step form, with supplied
 * and pre-rotated plaintexts: CKKS agrees with the simulator. */
static void test_bsgs_linear(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  cf_program *p, *q;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y, pts[16];
  int rots[16];
  assert_int_equal(cf_prog_input(p, "x", 3, 0, 16, &x), CF_OK);
  for (int t = 0; t < 16; t++) {
    char name[16];
    snprintf(name, sizeof name, "d%d", t);
    rots[t] = t;
    if (t % 2)
      assert_int_equal(cf_prog_plaintext(p, name, NULL, 16, &pts[t]), CF_OK);
    else
      assert_int_equal(cf_prog_plaintext_random(p, name, 16, (uint64_t)t, &pts[t]), CF_OK);
  }
  assert_int_equal(cf_prog_linear(p, x, 16, rots, pts, &y), CF_OK);
  assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
  assert_int_equal(cf_pass_bsgs(p, &q), CF_OK);
  double err = compare(pr, q, test_seed());
  if (err > 1e-4) fail_msg("CKKS differs from the simulator by %g", err);
  err = compare(pr, p, test_seed());
  if (err > 1e-4) fail_msg("CKKS differs from the simulator by %g (plain linear)", err);
  cf_program_destroy(p), cf_program_destroy(q);
  cf_ckks_params_destroy(pr);
}

/* The lowered DAG run with the step functions gives the evaluator's
 * ciphertexts word for word, for every grain and with fusion. */
static void feed_inputs(cf_executor *ex, const cf_program *p, uint64_t seed) {
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    if (n->op != CF_OP_INPUT && !(n->op == CF_OP_PLAINTEXT && n->data_kind == CF_DATA_EXTERNAL))
      continue;
    uint64_t s = seed + i;
    double re[4096], im[4096];
    for (uint32_t j = 0; j < n->type.slots; j++)
      re[j] = rnd_unit(&s), im[j] = n->op == CF_OP_INPUT ? rnd_unit(&s) * 0.5 : 0.0;
    assert_int_equal(cf_executor_set_input(ex, n->name, re, im, n->type.slots), CF_OK);
  }
}

static void check_dag_identical(const cf_ckks_params *pr, const cf_program *p, uint64_t seed) {
  cf_executor *ex;
  assert_int_equal(cf_executor_create_ckks(pr, &ex), CF_OK);
  if (cf_executor_prepare(ex, p) != CF_OK) fail_msg("prepare: %s", cf_last_error());
  feed_inputs(ex, p, seed);
  const unsigned grains[4] = {1, 2, 3, 0};
  const bool fuse[4] = {false, true, false, true};
  for (int v = 0; v < 4; v++) {
    cf_lower_options o;
    cf_lower_options_default(&o);
    o.grain = grains[v], o.fuse = fuse[v];
    size_t diff = 1;
    if (cf_ckks_exec_compare_dag(ex, &o, &diff) != CF_OK) fail_msg("compare: %s", cf_last_error());
    if (diff) fail_msg("grain %u fuse %d: %zu output words differ", grains[v], fuse[v], diff);
  }
  cf_executor_destroy(ex);
}

/* The DAG executor decrypts to what the simulator computes. */
static void dag_vs_sim(const cf_ckks_params *pr, const cf_chain *cc, uint64_t seed) {
  const cf_chain c = *cc;
  cf_program *p = random_program(&c, seed + 1000, 12, false);
  cf_executor *ex[2];
  cf_lower_options o;
  cf_lower_options_default(&o);
  o.grain = 2, o.fuse = true;
  assert_int_equal(cf_executor_create_sim(&ex[0]), CF_OK);
  assert_int_equal(cf_executor_create_ckks_dag(pr, &o, &ex[1]), CF_OK);
  double out[2][4096];
  size_t m = p->nodes[p->outs[0].v].type.slots;
  for (int e = 0; e < 2; e++) {
    assert_int_equal(cf_executor_prepare(ex[e], p), CF_OK);
    feed_inputs(ex[e], p, seed);
    if (cf_executor_run(ex[e]) != CF_OK) fail_msg("run: %s", cf_last_error());
    assert_int_equal(cf_executor_get_output(ex[e], p->outs[0].name, out[e], NULL, m), CF_OK);
  }
  double mag = 1;
  for (size_t j = 0; j < m; j++)
    mag = fmax(mag, fabs(out[0][j]));
  for (size_t j = 0; j < m; j++)
    assert_true(fabs(out[0][j] - out[1][j]) < 1e-4 * mag);
  cf_executor_destroy(ex[0]), cf_executor_destroy(ex[1]);
  cf_program_destroy(p);
}

static void test_dag_bit_identical(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  uint64_t seed = test_seed();
  for (int k = 0; k < 4; k++) {
    cf_program *p = random_program(&c, seed + 29u * (uint64_t)k, 12, true), *q, *h;
    assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
    assert_int_equal(cf_pass_hoist_rotations(q, &h), CF_OK);
    check_dag_identical(pr, q, seed + (uint64_t)k);
    check_dag_identical(pr, h, seed + (uint64_t)k);
    cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(h);
  }
  dag_vs_sim(pr, &c, seed);
  cf_ckks_params_destroy(pr);
}

/* Seed 920808955 draws a program whose output multiplies by a plaintext
 * supplied at execution. The test used to feed it complex values, which the
 * simulator used and the CKKS executors silently dropped (plaintexts are
 * real); now the feed is real and executors refuse complex plaintexts. */
static void test_real_plaintexts(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  dag_vs_sim(pr, &c, 920808955u);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, w, y;
  assert_int_equal(cf_prog_input(p, "x", 2, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_plaintext(p, "w", NULL, 8, &w), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, w, &y), CF_OK);
  assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
  double re[8], im[8] = {0};
  uint64_t s = test_seed();
  for (int i = 0; i < 8; i++)
    re[i] = rnd_unit(&s);
  im[(s >> 8) % 8] = 0.25;
  for (int e = 0; e < 2; e++) {
    cf_executor *ex;
    assert_int_equal(e ? cf_executor_create_ckks(pr, &ex) : cf_executor_create_sim(&ex), CF_OK);
    assert_int_equal(cf_executor_prepare(ex, p), CF_OK);
    assert_int_equal(cf_executor_set_input(ex, "x", re, NULL, 8), CF_OK);
    assert_int_equal(cf_executor_set_input(ex, "w", re, im, 8), CF_OK);
    assert_int_equal(cf_executor_run(ex), CF_EINVAL);
    assert_non_null(strstr(cf_last_error(), "plaintext 'w' takes real values"));
    cf_clear_error();
    cf_executor_destroy(ex);
  }
  cf_program_destroy(p);
  cf_ckks_params_destroy(pr);
}

static double silu(double x) { return x / (1 + exp(-x)); }

/* Two degree-29 Chebyshev SiLU approximations in a row (the activations of
 * the digits CNN), encrypted, against the double-precision composition of
 * the same series; each result has exactly the input's scale. */
static void test_poly_chained(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(cf_chain_generate(&c, 11, 14, 50, 40, 2, 50, 7, 40), CF_OK);
  cf_ckks_params *pr = params_for_chain(&c);
  enum { D = 30, S = 32 };
  double co[D];
  cheb_interp(silu, -8, 8, D, co);
  cf_program *p, *q;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y1, y2;
  assert_int_equal(cf_prog_input(p, "x", 13, 0, S, &x), CF_OK);
  assert_int_equal(cf_prog_poly(p, x, CF_BASIS_CHEBYSHEV, -8, 8, D, co, &y1), CF_OK);
  assert_int_equal(cf_prog_poly(p, y1, CF_BASIS_CHEBYSHEV, -8, 8, D, co, &y2), CF_OK);
  assert_int_equal(cf_prog_output(p, "y1", y1), CF_OK);
  assert_int_equal(cf_prog_output(p, "y2", y2), CF_OK);
  assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
  cf_scale s40;
  cf_scale_pow2(&s40, 40);
  for (size_t o = 0; o < 2; o++) {
    assert_true(cf_scale_eq(&q->nodes[q->outs[o].v].type.scale, &s40));
    assert_int_equal(q->nodes[q->outs[o].v].type.level, 13 - 6 * (int)(o + 1));
  }
  cf_executor *ex;
  assert_int_equal(cf_executor_create_ckks(pr, &ex), CF_OK);
  if (cf_executor_prepare(ex, q) != CF_OK) fail_msg("prepare: %s", cf_last_error());
  double in[S], out[2][S];
  uint64_t s = test_seed();
  for (int i = 0; i < S; i++)
    in[i] = 8 * rnd_unit(&s);
  assert_int_equal(cf_executor_set_input(ex, "x", in, NULL, S), CF_OK);
  if (cf_executor_run(ex) != CF_OK) fail_msg("run: %s", cf_last_error());
  assert_int_equal(cf_executor_get_output(ex, "y1", out[0], NULL, S), CF_OK);
  assert_int_equal(cf_executor_get_output(ex, "y2", out[1], NULL, S), CF_OK);
  double worst = 0;
  for (int i = 0; i < S; i++) {
    double a = cheb_eval(co, D, -8, 8, in[i]), b = cheb_eval(co, D, -8, 8, a);
    worst = fmax(worst, fmax(fabs(out[0][i] - a), fabs(out[1][i] - b)));
  }
  fprintf(stderr, "chained SiLU, CKKS vs double: largest error 2^%.1f\n", log2(worst));
  if (worst > 0x1p-14) fail_msg("CKKS differs from the reference by %g", worst);
  cf_executor_destroy(ex);
  cf_program_destroy(p), cf_program_destroy(q);
  cf_ckks_params_destroy(pr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chain_from_params), cmocka_unit_test(test_random_programs),
      cmocka_unit_test(test_bsgs_linear),       cmocka_unit_test(test_dag_bit_identical),
      cmocka_unit_test(test_real_plaintexts),   cmocka_unit_test(test_poly_chained),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
