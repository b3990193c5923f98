/* Plaintext forward pass of a cf_model in double precision: the reference
 * the HE program is checked against. */
#ifndef CF_FRONTENDS_MODEL_EVAL_H
#define CF_FRONTENDS_MODEL_EVAL_H

#include "cipherflow/status.h"
#include "frontends/model.h"

typedef enum cf_eval_mode {
  CF_EVAL_EXACT,  /* activations with libm */
  CF_EVAL_APPROX, /* activations by their polynomial approximation (must be set) */
} cf_eval_mode;

/*
 * Runs the model on one input (size of the input tensor) and writes the
 * output tensor to out. If act_in_lo/act_in_hi are not NULL they receive,
 * per tensor id, the min and max of every value that entered an activation.
 */
cf_status cf_model_eval(const cf_model *m, const double *input, double *out, cf_eval_mode mode,
                        double *act_in_lo, double *act_in_hi);

/* One layer: y = layer(x) (x2: second input of ADD, else unused). */
cf_status cf_layer_apply(const cf_model *m, const cf_layer *l, const double *x, const double *x2,
                         double *y, cf_eval_mode mode);

#endif
