/*
 * A model lowered to slot operations on one ciphertext per tensor: the layer
 * library. Every tensor uses the same layout: sample k of a batch occupies
 * slots [k * block, k * block + size) in row-major tensor order, block being
 * a power of two at least the largest tensor, so batch = slots / block
 * samples share each ciphertext.
 *
 * Linear layers (dense, convolution, average pooling, non-folded affine)
 * become one linear transform each, by the diagonal method on the whole slot
 * vector: y = sum_d diag_d * rot(x, d) with rot(x, d)[j] = x[j + d mod slots].
 * A diagonal only reads input positions of the same sample (its other
 * entries are zero), so samples never mix and slots outside a tensor may hold
 * anything. All-zero diagonals are dropped. The graph's hoisted
 * rotate-multiply-accumulate node takes exactly this (offsets, diagonals)
 * list and chooses its baby-step giant-step split.
 *
 * Activations become polynomial steps (Chebyshev coefficients on an interval)
 * for the graph's polynomial node; ReLU by composite sign becomes a scaling,
 * one power-basis step per sign stage, (1 + s) / 2 and a product with x.
 * Biases are plaintext additions.
 */
#ifndef CF_FRONTENDS_LAYERS_HE_PLAN_H
#define CF_FRONTENDS_LAYERS_HE_PLAN_H

#include "cipherflow/status.h"
#include "frontends/model.h"

typedef enum cf_step_kind {
  CF_STEP_LINEAR, /* out = sum_d diag[d] * rot(in, offset[d]) (+ bias) */
  CF_STEP_POLY,   /* out = p(in), Chebyshev on [lo, hi] or power basis */
  CF_STEP_ADD,    /* out = in + in2 */
  CF_STEP_MUL,    /* out = in * in2 (ciphertext product) */
} cf_step_kind;

typedef struct cf_step {
  cf_step_kind kind;
  const char *layer; /* model layer name (points into the model) */
  int in, in2, out;  /* value ids */
  /* LINEAR */
  int ndiag;
  int *offsets;   /* rotation of each diagonal, in (-slots, slots) */
  double **diags; /* ndiag vectors of slots values */
  double *bias;   /* slots values, or NULL */
  /* POLY */
  int power;          /* 0: Chebyshev on [lo, hi]; 1: power basis in x */
  const double *cheb; /* coefficients (degree + 1), in the model or in small */
  int degree;
  double lo, hi;
  double own[2 * CF_SIGN_MAX_N + 2]; /* coefficients this step owns */
  int levels;                        /* multiplicative levels this step consumes */
} cf_step;

typedef struct cf_he_plan {
  int slots, block, batch;
  int in_size, out_size; /* values per sample */
  int nvalues, input, output;
  int nsteps;
  cf_step *steps;
  int depth;        /* levels along the longest path */
  int *value_level; /* levels consumed before each value is ready */
} cf_he_plan;

typedef struct cf_plan_opts {
  int slots;      /* power of two */
  int max_levels; /* levels the parameters give; 0: no limit */
} cf_plan_opts;

/*
 * Lowers a model whose activations all carry an approximation (see
 * cf_model_fit_activations). Fails with CF_ELEVEL and a per-layer account if
 * the model needs more than max_levels levels, CF_EUNSUPPORTED if a tensor
 * does not fit in the slots.
 */
cf_status cf_he_plan_build(const cf_model *m, const cf_plan_opts *o, cf_he_plan **out);
void cf_he_plan_free(cf_he_plan *p);

/* Packs n <= batch samples (in_size values each) into a slots-long vector. */
void cf_he_plan_pack(const cf_he_plan *p, const double *samples, int n, double *slots);
/* Reads n samples' outputs (out_size values each) from a slots-long vector. */
void cf_he_plan_unpack(const cf_he_plan *p, const double *slots, int n, double *outputs);

/*
 * Runs the plan on slot vectors in double precision (the plaintext-slot
 * semantics of every step, rotations as cyclic shifts). in and out are
 * slots-long.
 */
cf_status cf_he_plan_simulate(const cf_he_plan *p, const double *in, double *out);

/* Writes per-step levels and rotation counts to f (a FILE*). */
void cf_he_plan_print(const cf_he_plan *p, void *f);

#endif
