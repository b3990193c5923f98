#include "frontends/model_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "frontends/approx/chebyshev.h"

static void dense(const cf_layer *l, const double *x, int k, double *y, int n) {
  for (int o = 0; o < n; o++) {
    double s = l->b[o];
    for (int i = 0; i < k; i++)
      s += l->w[(size_t)o * k + i] * x[i];
    y[o] = s;
  }
}

/* Conv (with w) or average pool (w == NULL, one channel at a time). */
static void window(const cf_layer *l, const cf_shape *is, const cf_shape *os, const double *x,
                   double *y) {
  int cin = is->dims[0], h = is->dims[1], w = is->dims[2];
  for (int co = 0; co < os->dims[0]; co++)
    for (int oy = 0; oy < os->dims[1]; oy++)
      for (int ox = 0; ox < os->dims[2]; ox++) {
        double s = l->w ? l->b[co] : 0;
        for (int ci = l->w ? 0 : co; ci < (l->w ? cin : co + 1); ci++)
          for (int ky = 0; ky < l->kh; ky++)
            for (int kx = 0; kx < l->kw; kx++) {
              int iy = oy * l->stride_h - l->pad_top + ky, ix = ox * l->stride_w - l->pad_left + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              double v = x[((size_t)ci * h + iy) * w + ix];
              s += l->w ? l->w[(((size_t)co * cin + ci) * l->kh + ky) * l->kw + kx] * v : v;
            }
        y[((size_t)co * os->dims[1] + oy) * os->dims[2] + ox] = l->w ? s : s / (l->kh * l->kw);
      }
}

cf_status cf_layer_apply(const cf_model *m, const cf_layer *l, const double *x, const double *x2,
                         double *y, cf_eval_mode mode) {
  const cf_shape *is = &m->tensors[l->in[0]].shape, *os = &m->tensors[l->out].shape;
  size_t n = cf_shape_size(os);
  switch (l->kind) {
  case CF_LAYER_DENSE: dense(l, x, (int)cf_shape_size(is), y, (int)n); break;
  case CF_LAYER_CONV2D:
  case CF_LAYER_AVGPOOL: window(l, is, os, x, y); break;
  case CF_LAYER_AFFINE:
    for (size_t k = 0; k < n; k++)
      y[k] = l->scale[k] * x[k] + l->shift[k];
    break;
  case CF_LAYER_ADD:
    for (size_t k = 0; k < n; k++)
      y[k] = x[k] + x2[k];
    break;
  case CF_LAYER_RESHAPE: memcpy(y, x, sizeof(double) * n); break;
  case CF_LAYER_ACTIVATION:
    if (mode == CF_EVAL_APPROX && !l->approx.set)
      return CF_FAIL(CF_EINVAL, "activation '%s' has no approximation", l->name);
    for (size_t k = 0; k < n; k++)
      y[k] = mode != CF_EVAL_APPROX ? cf_expr_eval(&l->act, x[k])
             : l->approx.composite
                 ? cf_relu_eval(&l->approx.sign, l->approx.bound, x[k])
                 : cf_cheb_eval(l->approx.cheb, l->approx.degree, l->approx.lo, l->approx.hi, x[k]);
    break;
  }
  return CF_OK;
}

cf_status cf_model_eval(const cf_model *m, const double *input, double *out, cf_eval_mode mode,
                        double *act_in_lo, double *act_in_hi) {
  if (m->input < 0 || m->output < 0) return CF_FAIL(CF_EINVAL, "model has no input or output");
  double **v = calloc((size_t)m->ntensors, sizeof *v);
  if (!v) return CF_FAIL(CF_ENOMEM, "no memory for %d tensors", m->ntensors);
  cf_status st = CF_OK;
  for (int t = 0; t < m->ntensors && st == CF_OK; t++) {
    v[t] = malloc(sizeof(double) * cf_shape_size(&m->tensors[t].shape));
    if (!v[t]) st = CF_FAIL(CF_ENOMEM, "no memory for tensor '%s'", m->tensors[t].name);
  }
  if (st == CF_OK)
    memcpy(v[m->input], input, sizeof(double) * cf_shape_size(&m->tensors[m->input].shape));
  for (int i = 0; i < m->nlayers && st == CF_OK; i++) {
    const cf_layer *l = &m->layers[i];
    st = cf_layer_apply(m, l, v[l->in[0]], l->in[1] >= 0 ? v[l->in[1]] : NULL, v[l->out], mode);
    if (st != CF_OK || l->kind != CF_LAYER_ACTIVATION) continue;
    size_t n = cf_shape_size(&m->tensors[l->in[0]].shape);
    for (size_t k = 0; k < n; k++) {
      double x = v[l->in[0]][k];
      if (act_in_lo && x < act_in_lo[l->in[0]]) act_in_lo[l->in[0]] = x;
      if (act_in_hi && x > act_in_hi[l->in[0]]) act_in_hi[l->in[0]] = x;
    }
  }
  if (st == CF_OK)
    memcpy(out, v[m->output], sizeof(double) * cf_shape_size(&m->tensors[m->output].shape));
  for (int t = 0; t < m->ntensors; t++)
    free(v[t]);
  free(v);
  return st;
}
