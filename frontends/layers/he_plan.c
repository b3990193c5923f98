#include "frontends/layers/he_plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "frontends/approx/chebyshev.h"
#include "frontends/model_eval.h"

static void free_step(cf_step *s) {
  for (int d = 0; d < s->ndiag; d++)
    free(s->diags[d]);
  free(s->diags);
  free(s->offsets);
  free(s->bias);
}

void cf_he_plan_free(cf_he_plan *p) {
  if (!p) return;
  for (int i = 0; i < p->nsteps; i++)
    free_step(&p->steps[i]);
  free(p->steps);
  free(p->value_level);
  free(p);
}

static int is_linear(cf_layer_kind k) {
  return k == CF_LAYER_DENSE || k == CF_LAYER_CONV2D || k == CF_LAYER_AVGPOOL ||
         k == CF_LAYER_AFFINE;
}

/* The layer's matrix, column by column from unit vectors, and its bias. */
static cf_status linear_step(const cf_model *m, const cf_layer *l, const cf_he_plan *p,
                             cf_step *s) {
  int in_n = (int)cf_shape_size(&m->tensors[l->in[0]].shape);
  int out_n = (int)cf_shape_size(&m->tensors[l->out].shape);
  int span = 2 * p->block - 1; /* offsets -(block-1) .. block-1 */
  double *x = calloc((size_t)in_n, sizeof *x), *y = malloc(sizeof *y * (size_t)out_n);
  double *b = malloc(sizeof *b * (size_t)out_n);
  double **by_off = calloc((size_t)span, sizeof *by_off);
  cf_status st =
      (!x || !y || !b || !by_off) ? CF_FAIL(CF_ENOMEM, "no memory for '%s'", l->name) : CF_OK;
  if (st == CF_OK) st = cf_layer_apply(m, l, x, NULL, b, CF_EVAL_EXACT);
  for (int i = 0; i < in_n && st == CF_OK; i++) {
    x[i] = 1;
    st = cf_layer_apply(m, l, x, NULL, y, CF_EVAL_EXACT);
    x[i] = 0;
    for (int j = 0; j < out_n && st == CF_OK; j++) {
      double v = y[j] - b[j];
      if (v == 0) continue;
      int k = i - j + p->block - 1;
      if (!by_off[k] && !(by_off[k] = calloc((size_t)p->slots, sizeof(double))))
        st = CF_FAIL(CF_ENOMEM, "no memory for a diagonal of '%s'", l->name);
      for (int smp = 0; st == CF_OK && smp < p->batch; smp++)
        by_off[k][(size_t)smp * p->block + j] = v;
    }
  }
  int nd = 0;
  for (int k = 0; k < span; k++)
    nd += by_off && by_off[k] != NULL;
  if (st == CF_OK) {
    s->offsets = malloc(sizeof(int) * (size_t)(nd ? nd : 1));
    s->diags = malloc(sizeof(double *) * (size_t)(nd ? nd : 1));
    if (!s->offsets || !s->diags) st = CF_FAIL(CF_ENOMEM, "no memory for '%s'", l->name);
  }
  for (int k = 0; by_off && k < span; k++) {
    if (!by_off[k]) continue;
    if (st == CF_OK) {
      s->offsets[s->ndiag] = k - (p->block - 1);
      s->diags[s->ndiag++] = by_off[k];
    } else {
      free(by_off[k]);
    }
  }
  int has_bias = 0;
  for (int j = 0; st == CF_OK && j < out_n; j++)
    has_bias |= b[j] != 0;
  if (st == CF_OK && has_bias) {
    s->bias = calloc((size_t)p->slots, sizeof(double));
    if (!s->bias) st = CF_FAIL(CF_ENOMEM, "no memory for '%s'", l->name);
    for (int smp = 0; st == CF_OK && smp < p->batch; smp++)
      memcpy(s->bias + (size_t)smp * p->block, b, sizeof(double) * (size_t)out_n);
  }
  free(x), free(y), free(b), free(by_off);
  s->kind = CF_STEP_LINEAR;
  s->levels = 1;
  return st;
}

static void commit_step(cf_he_plan *p) {
  cf_step *s = &p->steps[p->nsteps++];
  int lv = p->value_level[s->in];
  if (s->in2 >= 0 && p->value_level[s->in2] > lv) lv = p->value_level[s->in2];
  p->value_level[s->out] = lv + s->levels;
}

static cf_step *power_step(cf_he_plan *p, const char *layer, int in, int out, const double *c,
                           int degree) {
  cf_step *s = &p->steps[p->nsteps];
  s->layer = layer, s->kind = CF_STEP_POLY, s->power = 1;
  s->in = in, s->in2 = -1, s->out = out;
  s->cheb = c, s->degree = degree;
  s->levels = cf_poly_depth(degree);
  commit_step(p);
  return s;
}

/* relu(x) = x (1 + sign(x / B)) / 2 with sign a composition of f_n stages;
 * the 1 / B scaling is folded into the first stage's coefficients and
 * (1 + s) / 2 into the last one's, so each stage is one polynomial step. */
static void relu_steps(cf_he_plan *p, const cf_layer *l, int x, int out) {
  const cf_layer_approx *a = &l->approx;
  int deg = 2 * a->sign.n + 1, v = x;
  for (int k = 0; k < a->sign.nstages; k++) {
    int w = p->nvalues++;
    cf_step *s = power_step(p, l->name, v, w, NULL, deg);
    for (int i = 0; i <= deg; i++)
      s->own[i] = a->sign.coef[i] * (k == 0 ? pow(a->bound, -i) : 1);
    if (k == a->sign.nstages - 1) {
      for (int i = 0; i <= deg; i++)
        s->own[i] *= 0.5;
      s->own[0] += 0.5;
    }
    s->cheb = s->own;
    v = w;
  }
  cf_step *s = &p->steps[p->nsteps];
  s->layer = l->name, s->kind = CF_STEP_MUL, s->in = x, s->in2 = v, s->out = out, s->levels = 1;
  commit_step(p);
}

cf_status cf_he_plan_build(const cf_model *m, const cf_plan_opts *o, cf_he_plan **out) {
  *out = NULL;
  if (o->slots < 2 || (o->slots & (o->slots - 1)))
    return CF_FAIL(CF_EINVAL, "slot count %d is not a power of two", o->slots);
  int maxsize = 1;
  for (int t = 0; t < m->ntensors; t++) {
    int n = (int)cf_shape_size(&m->tensors[t].shape);
    if (n > maxsize) maxsize = n;
  }
  int block = 1;
  while (block < maxsize)
    block *= 2;
  if (block > o->slots)
    return CF_FAIL(CF_EUNSUPPORTED, "a tensor of %d values does not fit in %d slots", maxsize,
                   o->slots);
  cf_he_plan *p = calloc(1, sizeof *p);
  int *val = malloc(sizeof(int) * (size_t)m->ntensors);
  /* A composite ReLU takes up to CF_SIGN_MAX_STAGES + 1 steps and extra values. */
  size_t maxsteps = (size_t)m->nlayers * (CF_SIGN_MAX_STAGES + 1) + 1;
  if (!p || !val || !(p->steps = calloc(maxsteps, sizeof(cf_step))) ||
      !(p->value_level = calloc((size_t)m->ntensors + maxsteps, sizeof(int)))) {
    free(val);
    cf_he_plan_free(p);
    return CF_FAIL(CF_ENOMEM, "no memory for an HE plan");
  }
  p->slots = o->slots, p->block = block, p->batch = o->slots / block;
  p->nvalues = m->ntensors;
  p->input = m->input;
  p->in_size = (int)cf_shape_size(&m->tensors[m->input].shape);
  p->out_size = (int)cf_shape_size(&m->tensors[m->output].shape);
  for (int t = 0; t < m->ntensors; t++)
    val[t] = t;
  cf_status st = CF_OK;
  for (int i = 0; i < m->nlayers && st == CF_OK; i++) {
    const cf_layer *l = &m->layers[i];
    if (l->kind == CF_LAYER_RESHAPE) { /* same slots, new shape */
      val[l->out] = val[l->in[0]];
      continue;
    }
    cf_step *s = &p->steps[p->nsteps];
    s->layer = l->name;
    s->in = val[l->in[0]], s->in2 = -1, s->out = val[l->out];
    if (is_linear(l->kind)) {
      st = linear_step(m, l, p, s);
    } else if (l->kind == CF_LAYER_ACTIVATION && l->approx.composite) {
      relu_steps(p, l, val[l->in[0]], val[l->out]);
      continue;
    } else if (l->kind == CF_LAYER_ACTIVATION) {
      if (!l->approx.set) {
        st = CF_FAIL(CF_EINVAL, "activation '%s' has no polynomial approximation", l->name);
        break;
      }
      s->kind = CF_STEP_POLY;
      s->cheb = l->approx.cheb, s->degree = l->approx.degree;
      s->lo = l->approx.lo, s->hi = l->approx.hi;
      /* + 1 for mapping [lo, hi] onto [-1, 1] before the Chebyshev basis */
      s->levels = cf_poly_depth(s->degree) + 1;
    } else {
      s->kind = CF_STEP_ADD;
      s->in2 = val[l->in[1]];
      s->levels = 0;
    }
    commit_step(p);
  }
  p->output = val[m->output];
  p->depth = p->value_level[p->output];
  free(val);
  if (st == CF_OK && o->max_levels > 0 && p->depth > o->max_levels) {
    char acct[1024];
    size_t n = 0;
    for (int i = 0; i < p->nsteps && n < sizeof acct - 64; i++)
      n += (size_t)snprintf(acct + n, sizeof acct - n, "%s%s %d", i ? ", " : "", p->steps[i].layer,
                            p->steps[i].levels);
    st = CF_FAIL(CF_ELEVEL,
                 "the model needs %d levels but the parameters give %d (per layer: %s); "
                 "use parameters with more levels or lower activation degrees",
                 p->depth, o->max_levels, acct);
  }
  if (st != CF_OK) {
    cf_he_plan_free(p);
    return st;
  }
  *out = p;
  return CF_OK;
}

void cf_he_plan_pack(const cf_he_plan *p, const double *samples, int n, double *slots) {
  memset(slots, 0, sizeof(double) * (size_t)p->slots);
  for (int k = 0; k < n && k < p->batch; k++)
    memcpy(slots + (size_t)k * p->block, samples + (size_t)k * p->in_size,
           sizeof(double) * (size_t)p->in_size);
}

void cf_he_plan_unpack(const cf_he_plan *p, const double *slots, int n, double *outputs) {
  for (int k = 0; k < n && k < p->batch; k++)
    memcpy(outputs + (size_t)k * p->out_size, slots + (size_t)k * p->block,
           sizeof(double) * (size_t)p->out_size);
}

cf_status cf_he_plan_simulate(const cf_he_plan *p, const double *in, double *out) {
  size_t S = (size_t)p->slots;
  double **v = calloc((size_t)p->nvalues, sizeof *v);
  if (!v) return CF_FAIL(CF_ENOMEM, "no memory");
  cf_status st = CF_OK;
  for (int i = 0; i < p->nvalues && st == CF_OK; i++)
    if (!(v[i] = calloc(S, sizeof(double)))) st = CF_FAIL(CF_ENOMEM, "no memory");
  if (st == CF_OK) memcpy(v[p->input], in, sizeof(double) * S);
  for (int i = 0; i < p->nsteps && st == CF_OK; i++) {
    const cf_step *s = &p->steps[i];
    const double *x = v[s->in];
    double *y = v[s->out];
    switch (s->kind) {
    case CF_STEP_LINEAR:
      for (size_t j = 0; j < S; j++)
        y[j] = s->bias ? s->bias[j] : 0;
      for (int d = 0; d < s->ndiag; d++) {
        size_t r = (size_t)((s->offsets[d] % p->slots + p->slots) % p->slots);
        for (size_t j = 0; j < S; j++)
          y[j] += s->diags[d][j] * x[(j + r) % S];
      }
      break;
    case CF_STEP_POLY:
      for (size_t j = 0; j < S; j++) {
        if (!s->power) {
          y[j] = cf_cheb_eval(s->cheb, s->degree, s->lo, s->hi, x[j]);
          continue;
        }
        double acc = 0;
        for (int k = s->degree; k >= 0; k--)
          acc = acc * x[j] + s->cheb[k];
        y[j] = acc;
      }
      break;
    case CF_STEP_ADD:
      for (size_t j = 0; j < S; j++)
        y[j] = x[j] + v[s->in2][j];
      break;
    case CF_STEP_MUL:
      for (size_t j = 0; j < S; j++)
        y[j] = x[j] * v[s->in2][j];
      break;
    }
  }
  if (st == CF_OK) memcpy(out, v[p->output], sizeof(double) * S);
  for (int i = 0; i < p->nvalues; i++)
    free(v[i]);
  free(v);
  return st;
}

void cf_he_plan_print(const cf_he_plan *p, void *fp) {
  FILE *f = fp;
  fprintf(f, "HE plan: %d slots, block %d, %d samples per ciphertext, estimated depth %d\n",
          p->slots, p->block, p->batch, p->depth);
  for (int i = 0; i < p->nsteps; i++) {
    const cf_step *s = &p->steps[i];
    fprintf(f, "  %-16s ", s->layer);
    if (s->kind == CF_STEP_LINEAR)
      fprintf(f, "linear transform, %d diagonals%s", s->ndiag, s->bias ? " + bias" : "");
    else if (s->kind == CF_STEP_POLY && s->power)
      fprintf(f, "polynomial degree %d (power basis)", s->degree);
    else if (s->kind == CF_STEP_POLY)
      fprintf(f, "polynomial degree %d on [%.3g, %.3g]", s->degree, s->lo, s->hi);
    else
      fprintf(f, s->kind == CF_STEP_ADD ? "add" : "multiply");
    fprintf(f, ", ~%d level%s (estimate; total %d)\n", s->levels, s->levels == 1 ? "" : "s",
            p->value_level[s->out]);
  }
}
