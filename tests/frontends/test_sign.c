/* Composite sign and ReLU approximations against the exact functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>
#include <math.h>

#include "frontends/approx/sign.h"

static double urand(double lo, double hi) { return lo + (hi - lo) * rand() / (double)RAND_MAX; }

static void fn_coefficients_match_definition(void **state) {
  (void)state;
  srand((unsigned)time(NULL));
  for (int n = 1; n <= CF_SIGN_MAX_N; n++) {
    double c[2 * CF_SIGN_MAX_N + 2];
    cf_sign_fn_coeffs(n, c);
    for (int k = 0; k < 50; k++) {
      double x = urand(-1, 1), ref = 0, w = 1, p = 0;
      for (int i = 0; i <= n; i++) {
        if (i > 0) w *= (2.0 * i - 1) / (2.0 * i);
        ref += w * x * pow(1 - x * x, i);
      }
      for (int i = 2 * n + 1; i >= 0; i--)
        p = p * x + c[i];
      assert_true(fabs(p - ref) < 1e-12);
    }
    /* f_n(1) = 1 and f_n is odd. */
    double one = 0;
    for (int i = 0; i <= 2 * n + 1; i++)
      one += c[i];
    assert_true(fabs(one - 1) < 1e-12);
    for (int i = 0; i <= 2 * n + 1; i += 2)
      assert_true(c[i] == 0);
  }
}

static void composite_sign_meets_target(void **state) {
  (void)state;
  const double eps[] = {1.0 / 16, 1.0 / 64, 1.0 / 256}, tols[] = {1e-2, 1e-4};
  for (int e = 0; e < 3; e++)
    for (int t = 0; t < 2; t++) {
      cf_sign_approx s;
      assert_int_equal(cf_sign_composite(eps[e], tols[t], &s), CF_OK);
      for (int k = 0; k < 5000; k++) {
        double x = urand(eps[e], 1) * (rand() % 2 ? 1 : -1);
        assert_true(fabs(cf_sign_eval(&s, x) - (x > 0 ? 1 : -1)) <= tols[t]);
      }
      /* ReLU on [-B, B]: error at most B * eps / 2 inside the gap, tol * B / 2 outside. */
      double B = urand(1, 20), worst = 0;
      for (int k = 0; k < 5000; k++) {
        double x = urand(-B, B);
        worst = fmax(worst, fabs(cf_relu_eval(&s, B, x) - fmax(x, 0)));
      }
      assert_true(worst <= B * fmax(eps[e], tols[t]) / 2 + 1e-12);
      printf("sign on |x| in [%.4g, 1], target %.0e: f_%d x %d stages (degree %d each), depth %d, "
             "max error %.2g; ReLU on [-%.1f, %.1f] max error %.3g\n",
             eps[e], tols[t], s.n, s.nstages, 2 * s.n + 1, cf_sign_depth(&s), s.max_error, B, B,
             worst);
    }
}

static void unreachable_targets_are_errors(void **state) {
  (void)state;
  cf_sign_approx s;
  assert_int_equal(cf_sign_composite(0, 1e-3, &s), CF_EINVAL);
  assert_int_equal(cf_sign_composite(1e-3, 2, &s), CF_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fn_coefficients_match_definition),
      cmocka_unit_test(composite_sign_meets_target),
      cmocka_unit_test(unreachable_targets_are_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
