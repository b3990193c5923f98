#include "frontends/approx/fit_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "frontends/approx/chebyshev.h"

static double eval_expr(double x, const void *ctx) { return cf_expr_eval(ctx, x); }

cf_status cf_model_fit_activations(cf_model *m, const cf_fit_opts *o) {
  for (int i = 0; i < m->nlayers; i++) {
    cf_layer *l = &m->layers[i];
    if (l->kind != CF_LAYER_ACTIVATION) continue;
    double pc[CF_CHEB_MAX_DEGREE + 1];
    int pdeg;
    double lo = m->range_lo[l->in[0]], hi = m->range_hi[l->in[0]];
    int is_poly = cf_expr_as_poly(&l->act, o->max_degree, pc, &pdeg);
    if (!(lo <= hi)) {
      if (!is_poly)
        return CF_FAIL(CF_EINVAL,
                       "activation '%s' is not a polynomial and its input '%s' has no "
                       "calibrated range (load a calibration file)",
                       l->name, m->tensors[l->in[0]].name);
      lo = -1, hi = 1; /* any interval represents a polynomial exactly */
    }
    double w = hi - lo > 0 ? hi - lo : 1;
    lo -= o->margin * w, hi += o->margin * w;
    int is_relu =
        l->act.n == 2 && l->act.nodes[0].op == CF_EX_VAR && l->act.nodes[1].op == CF_EX_RELU;
    if (is_relu && o->relu_eps > 0) {
      double bound = fmax(fabs(lo), fabs(hi));
      cf_layer_approx a = {.set = 1, .lo = -bound, .hi = bound, .composite = 1, .bound = bound};
      /* sign error e costs at most e * bound / 2 in the ReLU */
      CF_TRY(cf_sign_composite(o->relu_eps, fmin(0.5, 2 * o->tol / bound), &a.sign));
      for (int k = 0; k <= 8192; k++) {
        double x = -bound + 2 * bound * k / 8192;
        a.max_error = fmax(a.max_error, fabs(cf_relu_eval(&a.sign, bound, x) - fmax(x, 0)));
      }
      free(l->approx.cheb);
      l->approx = a;
      continue;
    }
    double *c = malloc(sizeof(double) * (size_t)(o->max_degree + 1));
    if (!c) return CF_FAIL(CF_ENOMEM, "no memory");
    int deg;
    double err;
    cf_status st;
    if (is_poly) {
      /* Interpolating a degree-d polynomial at d + 1 points reproduces it. */
      deg = pdeg < 1 ? 1 : pdeg;
      st = cf_cheb_fit(eval_expr, &l->act, lo, hi, deg, c);
      err = st == CF_OK ? cf_cheb_max_error(eval_expr, &l->act, c, deg, lo, hi, 4096) : 0;
    } else {
      st = cf_cheb_fit_tol(eval_expr, &l->act, lo, hi, o->tol, o->max_degree, c, &deg, &err);
      if (st != CF_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", cf_last_error());
        free(c);
        return CF_FAIL(st, "activation '%s' on [%g, %g]: %s", l->name, lo, hi, why);
      }
    }
    if (st != CF_OK) {
      free(c);
      return st;
    }
    free(l->approx.cheb);
    l->approx =
        (cf_layer_approx){.set = 1, .lo = lo, .hi = hi, .degree = deg, .cheb = c, .max_error = err};
  }
  return CF_OK;
}
