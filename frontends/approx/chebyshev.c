#include "frontends/approx/chebyshev.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static cf_status check_interval(double lo, double hi, int degree) {
  if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
    return CF_FAIL(CF_EINVAL, "interval [%g, %g] is empty or not finite", lo, hi);
  if (degree < 0 || degree > CF_CHEB_MAX_DEGREE)
    return CF_FAIL(CF_EINVAL, "degree %d outside 0..%d", degree, CF_CHEB_MAX_DEGREE);
  return CF_OK;
}

cf_status cf_cheb_fit(cf_real_fn f, const void *ctx, double lo, double hi, int degree, double *c) {
  CF_TRY(check_interval(lo, hi, degree));
  int n = degree + 1;
  double fv[CF_CHEB_MAX_DEGREE + 1];
  for (int j = 0; j < n; j++) {
    double t = cos(M_PI * (j + 0.5) / n);
    fv[j] = f(0.5 * (hi - lo) * t + 0.5 * (hi + lo), ctx);
    if (!isfinite(fv[j]))
      return CF_FAIL(CF_EINVAL, "function is not finite at x = %g",
                     0.5 * (hi - lo) * t + 0.5 * (hi + lo));
  }
  for (int k = 0; k < n; k++) {
    double s = 0;
    for (int j = 0; j < n; j++)
      s += fv[j] * cos(M_PI * k * (j + 0.5) / n);
    c[k] = (k == 0 ? 1.0 : 2.0) * s / n;
  }
  return CF_OK;
}

double cf_cheb_eval(const double *c, int degree, double lo, double hi, double x) {
  double t = (2 * x - lo - hi) / (hi - lo);
  double b1 = 0, b2 = 0;
  for (int k = degree; k >= 1; k--) {
    double b0 = 2 * t * b1 - b2 + c[k];
    b2 = b1, b1 = b0;
  }
  return t * b1 - b2 + c[0];
}

double cf_cheb_max_error(cf_real_fn f, const void *ctx, const double *c, int degree, double lo,
                         double hi, int samples) {
  double worst = 0;
  for (int i = 0; i < samples; i++) {
    double x = lo + (hi - lo) * i / (samples - 1);
    double e = fabs(f(x, ctx) - cf_cheb_eval(c, degree, lo, hi, x));
    if (e > worst || isnan(e)) worst = e;
  }
  return worst;
}

cf_status cf_cheb_fit_tol(cf_real_fn f, const void *ctx, double lo, double hi, double tol,
                          int max_degree, double *c, int *degree, double *err) {
  CF_TRY(check_interval(lo, hi, max_degree));
  double best = INFINITY, tmp[CF_CHEB_MAX_DEGREE + 1];
  int best_d = -1;
  for (int d = 1; d <= max_degree; d++) {
    CF_TRY(cf_cheb_fit(f, ctx, lo, hi, d, tmp));
    double e = cf_cheb_max_error(f, ctx, tmp, d, lo, hi, 4096);
    if (e < best) {
      best = e, best_d = d;
      memcpy(c, tmp, sizeof(double) * (size_t)(d + 1));
    }
    if (e <= tol) break;
  }
  *degree = best_d, *err = best;
  if (best > tol)
    return CF_FAIL(CF_EINVAL, "no degree up to %d approximates within %g on [%g, %g] (best %g)",
                   max_degree, tol, lo, hi, best);
  return CF_OK;
}

cf_status cf_cheb_to_power(const double *c, int degree, double lo, double hi, double *p) {
  CF_TRY(check_interval(lo, hi, degree));
  int n = degree + 1;
  /* T_k as power series in t, then substitute t = a x + b. */
  double *tk = calloc((size_t)n * n, sizeof(double)), *pt = calloc((size_t)n, sizeof(double));
  if (!tk || !pt) {
    free(tk), free(pt);
    return CF_FAIL(CF_ENOMEM, "no memory for degree %d", degree);
  }
  tk[0] = 1;
  if (n > 1) tk[n + 1] = 1;
  for (int k = 2; k < n; k++)
    for (int i = 0; i <= k; i++)
      tk[k * n + i] = (i > 0 ? 2 * tk[(k - 1) * n + i - 1] : 0) - tk[(k - 2) * n + i];
  for (int k = 0; k < n; k++)
    for (int i = 0; i <= k; i++)
      pt[i] += c[k] * tk[k * n + i];
  double a = 2 / (hi - lo), b = -(hi + lo) / (hi - lo);
  memset(p, 0, sizeof(double) * (size_t)n);
  /* Horner in t with t = a x + b, on power-series coefficients. */
  for (int i = n - 1; i >= 0; i--) {
    for (int j = n - 1; j >= 1; j--)
      p[j] = p[j] * b + p[j - 1] * a;
    p[0] = p[0] * b + pt[i];
  }
  free(tk), free(pt);
  return CF_OK;
}

int cf_poly_depth(int degree) {
  int d = 0;
  while ((1 << d) < degree + 1)
    d++;
  return d;
}
