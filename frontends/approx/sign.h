/*
 * sign(x) on [-1, -eps] U [eps, 1] as a composition of odd polynomials from
 * the f_n family f_n(x) = sum_{i=0..n} C(2i, i) / 4^i * x (1 - x^2)^i (each
 * stage pushes values towards +-1 and keeps [-1, 1] in place), and ReLU on
 * [-B, B] as x (1 + sign(x / B)) / 2. Stages are power-basis odd polynomials
 * that the graph's polynomial node evaluates one after the other.
 */
#ifndef CF_FRONTENDS_APPROX_SIGN_H
#define CF_FRONTENDS_APPROX_SIGN_H

#include "cipherflow/status.h"

enum { CF_SIGN_MAX_STAGES = 24, CF_SIGN_MAX_N = 7 };

typedef struct cf_sign_approx {
  int nstages;
  int n;                              /* every stage is f_n, degree 2n + 1 */
  double coef[2 * CF_SIGN_MAX_N + 2]; /* power basis of f_n */
  double eps;                         /* inputs with |x| < eps are not covered */
  double max_error;                   /* max |sign(x) - p(x)| on the covered set */
} cf_sign_approx;

/* Power-basis coefficients c[0..2n+1] of f_n. */
void cf_sign_fn_coeffs(int n, double *c);

/*
 * Picks n in 1..CF_SIGN_MAX_N and the number of stages so that the
 * composition is within tol of sign on [eps, 1] (odd, so also on [-1, -eps])
 * at the smallest multiplicative depth. CF_EINVAL if no choice within
 * CF_SIGN_MAX_STAGES stages reaches tol.
 */
cf_status cf_sign_composite(double eps, double tol, cf_sign_approx *out);

double cf_sign_eval(const cf_sign_approx *s, double x);

/* Depth: stages * ceil(log2(2n + 2)). */
int cf_sign_depth(const cf_sign_approx *s);

/* x (1 + sign(x / bound)) / 2: ReLU on [-bound, bound]. */
double cf_relu_eval(const cf_sign_approx *s, double bound, double x);

#endif
