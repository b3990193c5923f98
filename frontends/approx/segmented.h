/*
 * Activations on a wide interval [-B, B] in pieces: a Chebyshev fit on the
 * middle [-T, T] (widened by a small overlap) and the function's asymptote
 * outside it (x or 0 for GELU and SiLU, 1 or 0 for sigmoid), blended by
 * composite-sign window functions:
 *   f(x) ~ w(x) p(clip(x)) + (1 - w(x)) tail(x),  w = (sign(x + T) - sign(x - T)) / 2
 *   tail(x) = hi_tail(x) (1 + sign(x)) / 2 + lo_tail(x) (1 - sign(x)) / 2.
 * With the f_n-family sign this is deeper than one Chebyshev fit on [-B, B]
 * for B up to about 40 (the test prints both); it pays off for larger B or
 * with better sign polynomials.
 */
#ifndef CF_FRONTENDS_APPROX_SEGMENTED_H
#define CF_FRONTENDS_APPROX_SEGMENTED_H

#include "cipherflow/status.h"
#include "frontends/approx/chebyshev.h"
#include "frontends/approx/sign.h"

typedef enum cf_seg_fn { CF_SEG_SIGMOID, CF_SEG_SILU, CF_SEG_GELU } cf_seg_fn;

typedef struct cf_segmented {
  cf_seg_fn fn;
  double bound, middle; /* B and T */
  double lo, hi;        /* interval of the middle fit */
  int degree;
  double cheb[CF_CHEB_MAX_DEGREE + 1];
  cf_sign_approx sign; /* on inputs scaled by 1 / (2B) */
  double max_error;    /* measured on [-B, B] */
} cf_segmented;

double cf_seg_exact(cf_seg_fn fn, double x);

/*
 * Picks the smallest middle T whose tails are within tol / 4 of f, fits the
 * middle piece to tol / 2 and a composite sign; the blend's error on
 * [-bound, bound] is measured and reported in max_error (not guaranteed).
 */
cf_status cf_segmented_fit(cf_seg_fn fn, double bound, double tol, cf_segmented *out);

double cf_segmented_eval(const cf_segmented *s, double x);

/* Depth: sign stages, the clip's product, the middle polynomial, the blend. */
int cf_segmented_depth(const cf_segmented *s);

#endif
