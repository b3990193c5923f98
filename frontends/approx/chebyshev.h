/*
 * Chebyshev interpolation of a function on [lo, hi]: coefficients c[0..d] of
 * p(x) = sum c_k T_k(t), t = (2x - lo - hi) / (hi - lo). These are what the
 * graph's polynomial-evaluation node consumes; the node owns the evaluation
 * plan (baby-step giant-step) and its depth.
 */
#ifndef CF_FRONTENDS_APPROX_CHEBYSHEV_H
#define CF_FRONTENDS_APPROX_CHEBYSHEV_H

#include "cipherflow/status.h"

enum { CF_CHEB_MAX_DEGREE = 255 };

typedef double (*cf_real_fn)(double x, const void *ctx);

/* Interpolates f at the degree + 1 Chebyshev points of the first kind. */
cf_status cf_cheb_fit(cf_real_fn f, const void *ctx, double lo, double hi, int degree, double *c);

/* Clenshaw evaluation of the interpolant at x (any x; outside [lo, hi] it extrapolates). */
double cf_cheb_eval(const double *c, int degree, double lo, double hi, double x);

/* Max |f(x) - p(x)| over a uniform grid of samples points on [lo, hi]. */
double cf_cheb_max_error(cf_real_fn f, const void *ctx, const double *c, int degree, double lo,
                         double hi, int samples);

/*
 * The smallest degree <= max_degree whose interpolant is within tol of f on
 * [lo, hi] (measured on a grid of 4096 points). Writes the coefficients (room
 * for max_degree + 1), the degree and the measured error. CF_EINVAL if no
 * degree up to max_degree reaches tol (the best one is still written).
 */
cf_status cf_cheb_fit_tol(cf_real_fn f, const void *ctx, double lo, double hi, double tol,
                          int max_degree, double *c, int *degree, double *err);

/* Power-basis coefficients in x of the interpolant (fine for low degree only). */
cf_status cf_cheb_to_power(const double *c, int degree, double lo, double hi, double *p);

/* Multiplicative depth of evaluating a degree-d polynomial with baby-step giant-step. */
int cf_poly_depth(int degree);

#endif
