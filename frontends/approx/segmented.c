#include "frontends/approx/segmented.h"

#include <math.h>
#include <stdio.h>

#include "base/error.h"

double cf_seg_exact(cf_seg_fn fn, double x) {
  switch (fn) {
  case CF_SEG_SIGMOID: return 1 / (1 + exp(-x));
  case CF_SEG_SILU: return x / (1 + exp(-x));
  case CF_SEG_GELU: return 0.5 * x * (1 + erf(x * M_SQRT1_2));
  }
  return NAN;
}

static double exact_cb(double x, const void *ctx) {
  return cf_seg_exact(*(const cf_seg_fn *)ctx, x);
}

static double tail_hi(cf_seg_fn fn, double x) { return fn == CF_SEG_SIGMOID ? 1 : x; }

double cf_segmented_eval(const cf_segmented *s, double x) {
  double k = 1 / (2 * s->bound);
  double sp = cf_sign_eval(&s->sign, (x + s->middle) * k);
  double sm = cf_sign_eval(&s->sign, (x - s->middle) * k);
  double s0 = cf_sign_eval(&s->sign, x * k);
  double w = (sp - sm) / 2;
  double tail = tail_hi(s->fn, x) * (1 + s0) / 2; /* the low tail is 0 for all three */
  /* p is evaluated on x clipped to about [-T - 3o, T + 3o] (clip(x) = x -
   * relu(x - c) + relu(-x - c), c = T + 2o, ReLU from the same sign): the
   * window never cancels p exactly, and p extrapolated to +-B is huge. */
  double c = s->hi + (s->hi - s->middle);
  double r1 = (x - c) * (1 + cf_sign_eval(&s->sign, (x - c) * k)) / 2;
  double r2 = (-x - c) * (1 + cf_sign_eval(&s->sign, (-x - c) * k)) / 2;
  double xc = x - r1 + r2;
  return w * cf_cheb_eval(s->cheb, s->degree, s->lo, s->hi, xc) + (1 - w) * tail;
}

int cf_segmented_depth(const cf_segmented *s) {
  /* sign, ReLU product of the clip, polynomial, blend product */
  return cf_sign_depth(&s->sign) + 1 + cf_poly_depth(s->degree) + 1 + 1;
}

/* Smallest T (step 1/4) whose tails are within tol of f beyond T - overlap. */
static double pick_middle(cf_seg_fn fn, double bound, double overlap, double tol) {
  for (double t = overlap + 0.25; t < bound; t += 0.25) {
    double worst = 0;
    for (double x = t - overlap; x <= bound; x += 1.0 / 64) {
      worst = fmax(worst, fabs(tail_hi(fn, x) - cf_seg_exact(fn, x)));
      worst = fmax(worst, fabs(cf_seg_exact(fn, -x)));
    }
    if (worst <= tol) return t;
  }
  return -1;
}

cf_status cf_segmented_fit(cf_seg_fn fn, double bound, double tol, cf_segmented *out) {
  if (!(bound > 2) || !(tol > 0 && tol < 1))
    return CF_FAIL(CF_EINVAL, "need bound > 2 and 0 < tol < 1 (bound %g, tol %g)", bound, tol);
  /* The window switches within about eps * 2B of +-T; the middle fit and the
   * tails both have to be accurate across that overlap. */
  double overlap = 1.0, middle = pick_middle(fn, bound, overlap, tol / 4);
  if (middle < 0)
    return CF_FAIL(CF_EINVAL, "on [-%g, %g] the tails never come within %g of the function", bound,
                   bound, tol / 4);
  out->fn = fn, out->bound = bound, out->middle = middle;
  out->lo = -middle - overlap, out->hi = middle + overlap;
  double err;
  CF_TRY(cf_cheb_fit_tol(exact_cb, &fn, out->lo, out->hi, tol / 2, CF_CHEB_MAX_DEGREE, out->cheb,
                         &out->degree, &err));
  double eps = overlap / (2 * bound);
  /* Window errors multiply p (bounded on the clipped input) and the tails. */
  double pmax = 0, reach = middle + 4 * overlap;
  if (reach >= bound) return CF_FAIL(CF_EINVAL, "bound %g too small for middle %g", bound, middle);
  for (int i = 0; i <= 2000; i++)
    pmax = fmax(pmax, fabs(cf_cheb_eval(out->cheb, out->degree, out->lo, out->hi,
                                        -reach + 2 * reach * i / 2000.0)));
  CF_TRY(cf_sign_composite(eps, tol / (4 * (pmax + bound + 1)), &out->sign));
  double worst = 0;
  for (int i = 0; i <= 20000; i++) {
    double x = -bound + 2 * bound * i / 20000.0;
    worst = fmax(worst, fabs(cf_segmented_eval(out, x) - cf_seg_exact(fn, x)));
  }
  out->max_error = worst;
  return CF_OK;
}
