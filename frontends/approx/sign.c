#include "frontends/approx/sign.h"

#include <math.h>
#include <string.h>

#include "base/error.h"
#include "frontends/approx/chebyshev.h"

void cf_sign_fn_coeffs(int n, double *c) {
  memset(c, 0, sizeof(double) * (size_t)(2 * n + 2));
  double w = 1; /* C(2i, i) / 4^i */
  for (int i = 0; i <= n; i++) {
    if (i > 0) w *= (2.0 * i - 1) / (2.0 * i);
    /* x (1 - x^2)^i = sum_j C(i, j) (-1)^j x^(2j + 1) */
    double b = 1;
    for (int j = 0; j <= i; j++) {
      c[2 * j + 1] += w * b * (j % 2 ? -1 : 1);
      b = b * (i - j) / (j + 1);
    }
  }
}

static double horner(const double *c, int deg, double x) {
  double s = 0;
  for (int i = deg; i >= 0; i--)
    s = s * x + c[i];
  return s;
}

double cf_sign_eval(const cf_sign_approx *s, double x) {
  for (int k = 0; k < s->nstages; k++)
    x = horner(s->coef, 2 * s->n + 1, x);
  return x;
}

int cf_sign_depth(const cf_sign_approx *s) { return s->nstages * cf_poly_depth(2 * s->n + 1); }

double cf_relu_eval(const cf_sign_approx *s, double bound, double x) {
  return 0.5 * x * (1 + cf_sign_eval(s, x / bound));
}

enum { GRID = 4096 };

cf_status cf_sign_composite(double eps, double tol, cf_sign_approx *out) {
  if (!(eps > 0 && eps < 1) || !(tol > 0 && tol < 1))
    return CF_FAIL(CF_EINVAL, "need 0 < eps < 1 and 0 < tol < 1, got eps %g tol %g", eps, tol);
  int best_depth = 1 << 30;
  cf_sign_approx cand;
  for (int n = 1; n <= CF_SIGN_MAX_N; n++) {
    memset(&cand, 0, sizeof cand);
    cand.n = n, cand.eps = eps;
    cf_sign_fn_coeffs(n, cand.coef);
    /* Log-spaced grid on [eps, 1]: the error is worst at the small end. */
    double v[GRID];
    for (int i = 0; i < GRID; i++)
      v[i] = eps * pow(1 / eps, (double)i / (GRID - 1));
    for (int k = 1; k <= CF_SIGN_MAX_STAGES; k++) {
      double worst = 0;
      for (int i = 0; i < GRID; i++) {
        v[i] = horner(cand.coef, 2 * n + 1, v[i]);
        worst = fmax(worst, fabs(1 - v[i]));
      }
      if (worst <= tol) {
        cand.nstages = k, cand.max_error = worst;
        if (cf_sign_depth(&cand) < best_depth) best_depth = cf_sign_depth(&cand), *out = cand;
        break;
      }
    }
  }
  if (best_depth == 1 << 30)
    return CF_FAIL(CF_EINVAL, "no f_n composition of up to %d stages reaches %g on [%g, 1]",
                   CF_SIGN_MAX_STAGES, tol, eps);
  return CF_OK;
}
