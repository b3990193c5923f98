/* Segmented GELU / SiLU / sigmoid against libm, compared with one Chebyshev fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>
#include <math.h>

#include "frontends/approx/segmented.h"

static double exact_cb(double x, const void *ctx) {
  return cf_seg_exact(*(const cf_seg_fn *)ctx, x);
}

static void segmented_error_is_measured_honestly(void **state) {
  (void)state;
  srand((unsigned)time(NULL));
  const char *names[] = {"sigmoid", "silu", "gelu"};
  for (int f = 0; f < 3; f++) {
    cf_seg_fn fn = (cf_seg_fn)f;
    double B = 40;
    cf_segmented s;
    assert_int_equal(cf_segmented_fit(fn, B, 1e-2, &s), CF_OK);
    /* Fresh random points, not the grid used inside the fit. */
    double worst = 0;
    for (int k = 0; k < 20000; k++) {
      double x = -B + 2 * B * rand() / (double)RAND_MAX;
      worst = fmax(worst, fabs(cf_segmented_eval(&s, x) - cf_seg_exact(fn, x)));
    }
    assert_true(worst <= s.max_error * 1.5 + 1e-12);
    assert_true(worst < 2e-2);
    /* One polynomial on [-B, B] to the same error, for comparison. */
    double c[CF_CHEB_MAX_DEGREE + 1], err;
    int d;
    cf_status st = cf_cheb_fit_tol(exact_cb, &fn, -B, B, worst, 255, c, &d, &err);
    printf("%-7s on [-%g, %g]: segmented (middle [-%g, %g] degree %d, sign f_%d x %d) depth %d, "
           "max error "
           "%.3g; single Chebyshev to that error: %s degree %d, depth %d\n",
           names[f], B, B, s.middle, s.middle, s.degree, s.sign.n, s.sign.nstages,
           cf_segmented_depth(&s), worst, st == CF_OK ? "" : "not reached by", d,
           cf_poly_depth(d) + 1);
  }
}

static void bad_arguments(void **state) {
  (void)state;
  cf_segmented s;
  assert_int_equal(cf_segmented_fit(CF_SEG_GELU, 1, 1e-3, &s), CF_EINVAL);
  assert_int_equal(cf_segmented_fit(CF_SEG_GELU, 8, 0, &s), CF_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(segmented_error_is_measured_honestly),
      cmocka_unit_test(bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
