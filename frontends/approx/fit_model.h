/* Attaches a Chebyshev approximation to every activation layer of a model. */
#ifndef CF_FRONTENDS_APPROX_FIT_MODEL_H
#define CF_FRONTENDS_APPROX_FIT_MODEL_H

#include "cipherflow/status.h"
#include "frontends/model.h"

typedef struct cf_fit_opts {
  double tol;      /* max |f - p| on the interval, e.g. 1e-3 */
  double margin;   /* widen calibrated ranges by this fraction of their width, e.g. 0.1 */
  int max_degree;  /* e.g. 63 */
  double relu_eps; /* > 0: ReLU by composite sign, exact outside |x| < relu_eps * bound;
                    * 0: ReLU by a Chebyshev fit like other activations */
} cf_fit_opts;

/*
 * Activations that are polynomials (x^2 + x forms) are converted exactly and
 * need no range. Others need a calibrated range on their input tensor (see
 * cf_model_load_calibration); a missing range or an unreachable tolerance is
 * an error naming the layer.
 */
cf_status cf_model_fit_activations(cf_model *m, const cf_fit_opts *o);

#endif
