/* Builder: typing, misuse caught with messages naming node and reason,
 * exact scale management, and the simulator against naive slot formulas. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/graph/helpers.h"

static void expect_error(cf_status st, cf_status want, const char *a, const char *b) {
  assert_int_equal(st, want);
  const char *m = cf_last_error();
  if (!strstr(m, a) || (b && !strstr(m, b)))
    fail_msg("error '%s' lacks '%s' / '%s'", m, a, b ? b : "");
}

static void test_misuse(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &p), CF_OK);
  cf_value x, y, z, w, k, r;
  assert_int_equal(cf_prog_input(p, "x", 3, 0, 16, &x), CF_OK);
  assert_int_equal(cf_prog_input(p, "y", 2, 0, 16, &y), CF_OK);
  expect_error(cf_prog_add(p, x, y, &r), CF_ELEVEL, "node %2 add", "different levels");
  assert_int_equal(cf_prog_mul(p, x, x, &z), CF_OK);      /* %2 */
  assert_int_equal(cf_prog_relinearize(p, z, &z), CF_OK); /* %3 */
  expect_error(cf_prog_add(p, x, z, &r), CF_ESCALE, "node %4 add", "different scales");
  expect_error(cf_prog_rotate(p, z, 16, &r), CF_EINVAL, "node %4 rotate", "rotation by zero");
  expect_error(cf_prog_rotate(p, z, 0, &r), CF_EINVAL, "rotation by zero", NULL);
  assert_int_equal(cf_prog_plaintext_random(p, "w", 16, 1, &w), CF_OK); /* %4 */
  expect_error(cf_prog_rotate(p, w, 1, &r), CF_EINVAL, "node %5 rotate", "wrong value kind");
  expect_error(cf_prog_mul(p, w, w, &r), CF_EINVAL, "node %5 mul", "wrong value kind");
  expect_error(cf_prog_linear(p, x, 1, (int[]){1}, &x, &r), CF_EINVAL, "node %5 linear",
               "not a plaintext");
  assert_int_equal(cf_prog_level_drop(p, y, 0, &y), CF_OK); /* %5 */
  expect_error(cf_prog_rescale(p, y, &r), CF_ELEVEL, "node %6 rescale", "level exhausted");
  expect_error(cf_prog_level_drop(p, y, 0, &r), CF_ELEVEL, "node %6 level_drop", "target level");
  cf_value t;
  assert_int_equal(cf_prog_mul(p, x, x, &t), CF_OK); /* 3 polys */
  expect_error(cf_prog_rotate(p, t, 1, &r), CF_EINVAL, "relinearize", NULL);
  expect_error(cf_prog_add(p, 99, x, &r), CF_EINVAL, "%99", "not a value");
  expect_error(cf_prog_input(p, "bad name", 1, 0, 16, &r), CF_EINVAL, "input name", NULL);
  expect_error(cf_prog_input(p, "z", 1, 0, 12, &r), CF_EINVAL, "slots 12", NULL);
  expect_error(cf_prog_input(p, "z", 99, 0, 16, &r), CF_ELEVEL, "input level 99", NULL);
  expect_error(cf_prog_bootstrap(p, x, 0, &r), CF_ELEVEL, "bootstrap", "target level");
  /* scale exceeding the modulus: x^2 with a huge scale at level 0 */
  cf_value h;
  assert_int_equal(cf_prog_input(p, "h", 0, 30, 16, &h), CF_OK);
  expect_error(cf_prog_mul(p, h, h, &r), CF_ELEVEL, "level exhausted", "does not fit");
  assert_int_equal(cf_prog_const(p, 2.0, &k), CF_OK);
  expect_error(cf_prog_output(p, "k", k), CF_EINVAL, "not a ciphertext", NULL);
  assert_int_equal(cf_prog_output(p, "x", x), CF_OK);
  expect_error(cf_prog_output(p, "x", x), CF_EINVAL, "declared twice", NULL);
  cf_program_destroy(p);

  /* auto mode: level exhaustion at build time */
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  assert_int_equal(cf_prog_input(p, "x", 1, 0, 16, &x), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, x, &y), CF_OK);
  expect_error(cf_prog_mul(p, y, y, &r), CF_ELEVEL, "mul", "level exhausted");
  double co[9] = {0, 1, 0, 1, 0, 1, 0, 1, 1};
  expect_error(cf_prog_poly(p, x, CF_BASIS_POWER, -1, 1, 9, co, &r), CF_ELEVEL, "poly",
               "cannot be evaluated");
  cf_program_destroy(p);
}

/* Auto management: adds of operands at different levels and scales give
 * operands of exactly equal type, and x^2 + x has the hand-derived shape. */
static void test_auto_scale(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, y;
  assert_int_equal(cf_prog_input(p, "x", 7, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, x, &y), CF_OK);
  /* mul, relin, rescale */
  assert_int_equal(p->n, 4);
  assert_int_equal(p->nodes[1].op, CF_OP_MUL);
  assert_int_equal(p->nodes[2].op, CF_OP_RELIN);
  assert_int_equal(p->nodes[3].op, CF_OP_RESCALE);
  cf_scale want;
  cf_scale_pow2(&want, 80);
  cf_scale_mul_q(&want, 7, -1);
  assert_true(cf_scale_eq(&p->nodes[y].type.scale, &want));
  assert_int_equal(p->nodes[y].type.level, 6);
  cf_value z;
  assert_int_equal(cf_prog_add(p, y, x, &z), CF_OK);
  const cf_node *n = &p->nodes[z];
  assert_int_equal(n->op, CF_OP_ADD);
  const cf_type *a = &p->nodes[n->args[0]].type, *b = &p->nodes[n->args[1]].type;
  assert_true(cf_type_eq(a, b));
  assert_int_equal(n->type.level, 6); /* x adjusted from level 7 without costing y a level */
  /* numeric scale of the adjusted operand equals y's */
  assert_true(cf_scale_value(&c, &a->scale) == cf_scale_value(&c, &b->scale));
  /* many alternating adds and muls keep every add exact */
  cf_value acc = z;
  for (int i = 0; i < 4; i++) {
    cf_value t;
    assert_int_equal(cf_prog_mul(p, acc, x, &t), CF_OK);
    assert_int_equal(cf_prog_add(p, t, acc, &acc), CF_OK);
  }
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *m = &p->nodes[i];
    if ((m->op == CF_OP_ADD || m->op == CF_OP_SUB) && p->nodes[m->args[1]].type.kind == CF_KIND_CT)
      assert_true(cf_type_eq(&p->nodes[m->args[0]].type, &p->nodes[m->args[1]].type));
  }
  cf_program_destroy(p);
}

/* The simulator against slot formulas computed here. */
static void test_simulator(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  uint64_t s = test_seed();
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  enum { M = 16 };
  double xr[M], xi[M], w[M];
  for (int i = 0; i < M; i++)
    xr[i] = rnd_unit(&s), xi[i] = rnd_unit(&s), w[i] = rnd_unit(&s);
  int k = 1 + (int)(rnd(&s) % (M - 1));
  cf_value x, pw, r, cj, m, lin, py;
  assert_int_equal(cf_prog_input(p, "x", 7, 0, M, &x), CF_OK);
  assert_int_equal(cf_prog_plaintext(p, "w", w, M, &pw), CF_OK);
  assert_int_equal(cf_prog_rotate(p, x, k, &r), CF_OK);
  assert_int_equal(cf_prog_conjugate(p, x, &cj), CF_OK);
  assert_int_equal(cf_prog_mul(p, r, pw, &m), CF_OK);
  assert_int_equal(cf_prog_sub(p, m, cj, &m), CF_OK);
  int rots[2] = {0, -k};
  cf_value pts[2] = {pw, pw};
  assert_int_equal(cf_prog_linear(p, x, 2, rots, pts, &lin), CF_OK);
  double co[4] = {0.5, -1, 0.25, 2};
  assert_int_equal(cf_prog_poly(p, x, CF_BASIS_POWER, -1, 1, 4, co, &py), CF_OK);
  assert_int_equal(cf_prog_output(p, "m", m), CF_OK);
  assert_int_equal(cf_prog_output(p, "lin", lin), CF_OK);
  assert_int_equal(cf_prog_output(p, "py", py), CF_OK);
  cf_executor *ex;
  assert_int_equal(cf_executor_create_sim(&ex), CF_OK);
  assert_int_equal(cf_executor_prepare(ex, p), CF_OK);
  assert_int_equal(cf_executor_run(ex), CF_ENOTFOUND); /* input not given */
  assert_int_equal(cf_executor_set_input(ex, "x", xr, xi, M), CF_OK);
  assert_int_equal(cf_executor_run(ex), CF_OK);
  double ore[M], oim[M];
  assert_int_equal(cf_executor_get_output(ex, "m", ore, oim, M), CF_OK);
  for (int i = 0; i < M; i++) {
    int j = (i + k) % M;
    assert_true(fabs(ore[i] - (xr[j] * w[i] - xr[i])) < 1e-12);
    assert_true(fabs(oim[i] - (xi[j] * w[i] + xi[i])) < 1e-12);
  }
  assert_int_equal(cf_executor_get_output(ex, "lin", ore, oim, M), CF_OK);
  for (int i = 0; i < M; i++) {
    int j = ((i - k) % M + M) % M;
    assert_true(fabs(ore[i] - (xr[i] * w[i] + xr[j] * w[i])) < 1e-12);
  }
  assert_int_equal(cf_executor_get_output(ex, "py", ore, oim, M), CF_OK);
  for (int i = 0; i < M; i++) {
    double complex z = xr[i] + xi[i] * I, v = 0.5 - z + 0.25 * z * z + 2 * z * z * z;
    assert_true(cabs(ore[i] + oim[i] * I - v) < 1e-12);
  }
  assert_int_equal(cf_executor_get_output(ex, "nope", ore, oim, M), CF_ENOTFOUND);
  assert_int_equal(cf_executor_get_output(ex, "m", ore, oim, M - 1), CF_EINVAL);
  cf_executor_destroy(ex);
  cf_program_destroy(p);
}

static void test_chain_checks(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  uint64_t m = 2ull << c.log_n;
  for (uint32_t i = 0; i < c.nq; i++)
    assert_int_equal(c.q[i] % m, 1);
  cf_chain d = c;
  d.q[3] = d.q[2];
  assert_int_equal(cf_chain_check(&d), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "appears twice"));
  d = c;
  d.p[0] = 1ull << 40;
  assert_int_equal(cf_chain_check(&d), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "p0"));
  d = c;
  d.dnum = 0;
  assert_int_equal(cf_chain_check(&d), CF_EINVAL);
  /* galois elements: 5^k mod 2N computed by repeated multiplication */
  uint64_t g = 1;
  for (int k = 1; k < 20; k++) {
    g = g * 5 % m;
    assert_int_equal(cf_galois_rotation(&c, k), g);
  }
  assert_int_equal(cf_galois_rotation(&c, -1), cf_galois_rotation(&c, (int)(m / 4) - 1));
}

/* Sum of log2 of primes lo..hi of a list, and its size in whole bits. */
static int bits_of(const uint64_t *v, uint32_t lo, uint32_t hi) {
  double l = 0;
  for (uint32_t i = lo; i <= hi; i++)
    l += log2((double)v[i]);
  return (int)ceil(l - 1e-9);
}

/* Special primes cover the largest key-switching digit: generated chains
 * get enough of them, and a chain with too few is refused, naming both
 * sizes, by the check, the program builder and the parser. */
static void test_chain_special_primes(void **state) {
  (void)state;
  uint64_t s = test_seed();
  for (int t = 0; t < 12; t++) {
    unsigned nq = 2 + (unsigned)(rnd(&s) % 14), dnum = 1 + (unsigned)(rnd(&s) % nq);
    unsigned qb = 30 + (unsigned)(rnd(&s) % 21), pb = 30 + (unsigned)(rnd(&s) % 31);
    cf_chain c;
    cf_status st = cf_chain_generate(&c, 11, nq, 55, qb, 1, pb, dnum, 40);
    uint32_t alpha = (nq + dnum - 1) / dnum;
    int need = 0;
    for (uint32_t f = 0; f < nq; f += alpha) {
      int b = bits_of(c.q, f, f + alpha - 1 < nq ? f + alpha - 1 : nq - 1);
      need = b > need ? b : need;
    }
    if (st != CF_OK) { /* only when even 16 special primes cannot cover the digit */
      assert_true(need > 16 * (int)pb);
      assert_non_null(strstr(cf_last_error(), "larger dnum"));
      cf_clear_error();
      continue;
    }
    int have = bits_of(c.p, 0, c.np - 1);
    assert_true(have >= need);
    if (c.np > 1) assert_true(bits_of(c.p, 0, c.np - 2) < need); /* no more than needed */
  }
  /* 10 primes (60 + 9 x 40 bits), dnum 3: digits of 4 primes, 180 bits */
  cf_chain c;
  assert_int_equal(cf_chain_generate(&c, 12, 10, 60, 40, 2, 60, 3, 40), CF_OK);
  assert_int_equal(c.np, 3);
  cf_chain d = c;
  d.np = 2; /* 120 bits */
  assert_int_equal(cf_chain_check(&d), CF_EINVAL);
  const char *e = cf_last_error();
  assert_non_null(strstr(e, "P have 120 bits"));
  assert_non_null(strstr(e, "q0..q3"));
  assert_non_null(strstr(e, "180 bits"));
  cf_program *p = NULL;
  assert_int_equal(cf_program_create(&d, CF_MANAGE_AUTO, &p), CF_EINVAL);
  assert_null(p);
  d.dnum = 5; /* digits of 2 primes: 100 bits */
  assert_int_equal(cf_chain_check(&d), CF_OK);
  /* the parser */
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x;
  assert_int_equal(cf_prog_input(p, "x", 9, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_output(p, "x", x), CF_OK);
  char *text;
  assert_int_equal(cf_program_print(p, &text), CF_OK);
  char *line = strstr(text, "\np ") + 1, *eol = strchr(line, '\n'), *sp = eol;
  while (sp[-1] != ' ')
    sp--;
  memmove(sp - 1, eol, strlen(eol) + 1); /* drop the last special prime */
  cf_program *q = NULL;
  assert_int_equal(cf_program_parse(text, strlen(text), &q), CF_EINVAL);
  assert_null(q);
  e = cf_last_error();
  assert_non_null(strstr(e, "lines 2-4"));
  assert_non_null(strstr(e, "P have 120 bits"));
  cf_clear_error();
  cf_program_destroy(p);
  free(text);
}

/* Repeated squaring doubles the exponents of the exact scale: the numeric
 * value stays finite and equal to the recursion s' = s^2 / q_l computed in
 * long double, and past the exponent bound the builder refuses the node
 * with a message instead of wrapping around. */
static void test_scale_growth(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(cf_chain_generate(&c, 10, 20, 55, 40, 2, 55, 10, 40), CF_OK);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x;
  assert_int_equal(cf_prog_input(p, "x", 19, 0, 8, &x), CF_OK);
  long double want = 0x1p40L;
  cf_status st = CF_OK;
  int k = 0;
  for (; k < 19 && st == CF_OK; k++) {
    int level = p->nodes[x].type.level;
    st = cf_prog_mul(p, x, x, &x);
    if (st != CF_OK) break;
    want = want * want / (long double)c.q[level];
    double got = cf_scale_value(&c, &p->nodes[x].type.scale);
    assert_true(isfinite(got));
    assert_true(fabsl(got / want - 1) < 1e-12L);
  }
  assert_int_equal(st, CF_ESCALE);
  assert_int_equal(k, 14); /* the 15th product would hold q_19^-16384, past 16000 */
  assert_non_null(strstr(cf_last_error(), "exact scale out of range"));
  cf_clear_error();
  cf_program_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_misuse),
      cmocka_unit_test(test_auto_scale),
      cmocka_unit_test(test_simulator),
      cmocka_unit_test(test_chain_checks),
      cmocka_unit_test(test_chain_special_primes),
      cmocka_unit_test(test_scale_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
