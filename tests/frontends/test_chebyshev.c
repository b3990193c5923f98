/* Chebyshev interpolation against libm on random intervals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>
#include <math.h>

#include "frontends/approx/chebyshev.h"

static double f_exp(double x, const void *c) {
  (void)c;
  return exp(x);
}
static double f_sigmoid(double x, const void *c) {
  (void)c;
  return 1 / (1 + exp(-x));
}
static double f_silu(double x, const void *c) {
  (void)c;
  return x / (1 + exp(-x));
}
static double f_gelu(double x, const void *c) {
  (void)c;
  return 0.5 * x * (1 + erf(x * M_SQRT1_2));
}
static double f_tanh(double x, const void *c) {
  (void)c;
  return tanh(x);
}

static double urand(double lo, double hi) { return lo + (hi - lo) * rand() / (double)RAND_MAX; }

static void interpolant_error_meets_target(void **state) {
  (void)state;
  srand((unsigned)time(NULL));
  const cf_real_fn fns[] = {f_exp, f_sigmoid, f_silu, f_gelu, f_tanh};
  for (int trial = 0; trial < 20; trial++) {
    cf_real_fn f = fns[trial % 5];
    double lo = urand(-8, -1), hi = urand(1, 8), tol = pow(10, -urand(3, 7));
    double c[CF_CHEB_MAX_DEGREE + 1];
    int d;
    double err;
    assert_int_equal(cf_cheb_fit_tol(f, NULL, lo, hi, tol, 120, c, &d, &err), CF_OK);
    /* Independent check at fresh random points, not the fitting grid. */
    for (int k = 0; k < 2000; k++) {
      double x = urand(lo, hi);
      assert_true(fabs(cf_cheb_eval(c, d, lo, hi, x) - f(x, NULL)) <= tol * 1.05);
    }
    /* One degree less must not reach the target (degree is minimal). */
    if (d > 1) {
      double c2[CF_CHEB_MAX_DEGREE + 1];
      assert_int_equal(cf_cheb_fit(f, NULL, lo, hi, d - 1, c2), CF_OK);
      assert_true(cf_cheb_max_error(f, NULL, c2, d - 1, lo, hi, 4096) > tol);
    }
  }
}

static void power_basis_agrees_with_clenshaw(void **state) {
  (void)state;
  for (int trial = 0; trial < 10; trial++) {
    double lo = urand(-3, -0.5), hi = urand(0.5, 3);
    int d = 2 + rand() % 10;
    double c[16], p[16];
    assert_int_equal(cf_cheb_fit(f_silu, NULL, lo, hi, d, c), CF_OK);
    assert_int_equal(cf_cheb_to_power(c, d, lo, hi, p), CF_OK);
    for (int k = 0; k < 100; k++) {
      double x = urand(lo, hi), s = 0;
      for (int i = d; i >= 0; i--)
        s = s * x + p[i];
      assert_true(fabs(s - cf_cheb_eval(c, d, lo, hi, x)) < 1e-9);
    }
  }
}

static void report_activation_degrees(void **state) {
  (void)state;
  struct {
    const char *name;
    cf_real_fn f;
    double lo, hi;
  } cases[] = {{"sigmoid", f_sigmoid, -8, 8},
               {"silu", f_silu, -8, 8},
               {"gelu", f_gelu, -8, 8},
               {"silu", f_silu, -12, 12},
               {"gelu", f_gelu, -12, 12}};
  const double tols[] = {1e-2, 1e-3, 1e-4};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (int t = 0; t < 3; t++) {
      double c[CF_CHEB_MAX_DEGREE + 1], err;
      int d;
      assert_int_equal(
          cf_cheb_fit_tol(cases[i].f, NULL, cases[i].lo, cases[i].hi, tols[t], 200, c, &d, &err),
          CF_OK);
      printf("%-8s on [%g, %g]: target %.0e -> degree %3d, depth %d, max error %.3g\n",
             cases[i].name, cases[i].lo, cases[i].hi, tols[t], d, cf_poly_depth(d), err);
    }
}

static void bad_intervals_are_rejected(void **state) {
  (void)state;
  double c[4];
  assert_int_equal(cf_cheb_fit(f_exp, NULL, 1, 1, 3, c), CF_EINVAL);
  assert_int_equal(cf_cheb_fit(f_exp, NULL, 0, 1, -1, c), CF_EINVAL);
  assert_int_equal(cf_cheb_fit(f_exp, NULL, 0, NAN, 3, c), CF_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(interpolant_error_meets_target),
      cmocka_unit_test(power_basis_agrees_with_clenshaw),
      cmocka_unit_test(report_activation_degrees),
      cmocka_unit_test(bad_intervals_are_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
