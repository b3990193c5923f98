/*
 * A neural network as the frontend sees it: a list of layers in execution
 * order over numbered tensors, weights in double precision. Importers (ONNX)
 * build it; the plaintext evaluator and the HE layer library read it.
 *
 * Tensor shapes leave out the batch dimension: rank 1 (features) or rank 3
 * (channels, height, width), stored row-major. Every elementwise non-linear
 * function (activation) is kept as a small expression tree in one variable,
 * so a chain like x * sigmoid(x) or 0.25 x^2 + 0.5 x is one layer that is
 * evaluated exactly here and approximated by a polynomial for HE.
 */
#ifndef CF_FRONTENDS_MODEL_H
#define CF_FRONTENDS_MODEL_H

#include <stddef.h>

#include "cipherflow/status.h"
#include "frontends/approx/sign.h"

enum { CF_MODEL_MAX_RANK = 3, CF_EXPR_MAX_NODES = 64, CF_MODEL_NAME_LEN = 64 };

typedef struct cf_shape {
  int rank;                    /* 1 or 3 */
  int dims[CF_MODEL_MAX_RANK]; /* (n) or (c, h, w) */
} cf_shape;

size_t cf_shape_size(const cf_shape *s);

typedef enum cf_expr_op {
  CF_EX_VAR,   /* the layer's input element */
  CF_EX_CONST, /* value */
  CF_EX_ADD,
  CF_EX_SUB,
  CF_EX_MUL,
  CF_EX_DIV,
  CF_EX_POW, /* a ^ b */
  CF_EX_NEG,
  CF_EX_SIGMOID,
  CF_EX_TANH,
  CF_EX_ERF,
  CF_EX_RELU,
  CF_EX_EXP,
  CF_EX_SQRT,
} cf_expr_op;

/* One node of an expression; a and b index earlier nodes of the same tree. */
typedef struct cf_expr_node {
  cf_expr_op op;
  int a, b;
  double value;
} cf_expr_node;

/* A univariate function; the last node is the root. */
typedef struct cf_expr {
  int n;
  cf_expr_node nodes[CF_EXPR_MAX_NODES];
} cf_expr;

double cf_expr_eval(const cf_expr *e, double x);

/*
 * If e is a polynomial in x (only +, -, *, constant integer powers, division
 * by constants), writes its power-basis coefficients c[0..*degree] and
 * returns 1; returns 0 otherwise or if the degree exceeds max_degree.
 */
int cf_expr_as_poly(const cf_expr *e, int max_degree, double *c, int *degree);

/* Short text of the function, e.g. "x*sigmoid(x)"; returns buf. */
const char *cf_expr_str(const cf_expr *e, char *buf, size_t len);

typedef enum cf_layer_kind {
  CF_LAYER_DENSE,      /* y = W x + b on the flattened input */
  CF_LAYER_CONV2D,     /* 2-D cross-correlation, zero padding */
  CF_LAYER_AVGPOOL,    /* average pooling, padding counted as zeros */
  CF_LAYER_ACTIVATION, /* elementwise expression */
  CF_LAYER_AFFINE,     /* elementwise y = scale[i] x + shift[i] */
  CF_LAYER_ADD,        /* y = x0 + x1 (residual) */
  CF_LAYER_RESHAPE,    /* same data, new shape (Flatten, Reshape) */
} cf_layer_kind;

const char *cf_layer_kind_name(cf_layer_kind k);

/* A polynomial replacement of an activation, set by the approximation pass:
 * one Chebyshev series, or for ReLU optionally x (1 + sign(x / bound)) / 2
 * with a composite sign. */
typedef struct cf_layer_approx {
  int set;
  double lo, hi; /* interval it was fitted on */
  int degree;
  double *cheb;     /* Chebyshev coefficients on [lo, hi], degree + 1 of them */
  double max_error; /* measured on [lo, hi] */
  int composite;    /* 1: ReLU by composite sign (cheb unused) */
  double bound;
  cf_sign_approx sign;
} cf_layer_approx;

typedef struct cf_layer {
  cf_layer_kind kind;
  char name[CF_MODEL_NAME_LEN]; /* ONNX node that produced it */
  int in[2];                    /* input tensor ids (in[1] only for ADD, else -1) */
  int out;                      /* output tensor id */
  /* DENSE: w is out x in row-major. CONV2D: w is cout x cin x kh x kw. */
  double *w, *b;
  int kh, kw, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right;
  /* AFFINE: one scale and shift per element of the input. */
  double *scale, *shift;
  cf_expr act; /* ACTIVATION */
  cf_layer_approx approx;
} cf_layer;

typedef struct cf_tensor_info {
  char name[CF_MODEL_NAME_LEN];
  cf_shape shape;
} cf_tensor_info;

typedef struct cf_model {
  int ntensors, nlayers;
  cf_tensor_info *tensors;
  cf_layer *layers; /* in execution order */
  int input, output;
  int batch; /* batch size the file declares (1 if symbolic); evaluation is per sample */
  /* Activation input ranges, from a calibration file (lo > hi: unknown). */
  double *range_lo, *range_hi; /* per tensor */
} cf_model;

/* Frees everything the model owns, then the model. NULL is fine. */
void cf_model_free(cf_model *m);

/* Empty model with room to grow; used by importers. */
cf_status cf_model_new(cf_model **out);
/* Appends a tensor and returns its id in *id. */
cf_status cf_model_add_tensor(cf_model *m, const char *name, const cf_shape *shape, int *id);
/* Appends a zeroed layer of kind k and returns a pointer valid until the next append. */
cf_status cf_model_add_layer(cf_model *m, cf_layer_kind k, const char *name, cf_layer **out);

/* Looks a tensor up by name; -1 if absent. */
int cf_model_find_tensor(const cf_model *m, const char *name);

/*
 * Reads a calibration file ("NAME MIN MAX" lines, '#' comments) and stores
 * the ranges on the named tensors. An unknown name or a bad line is an error.
 */
cf_status cf_model_load_calibration(cf_model *m, const char *path);

/* Writes a one-line-per-layer summary to f (a FILE*). */
void cf_model_print(const cf_model *m, void *f);

#endif
