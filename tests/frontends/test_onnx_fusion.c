/*
 * ONNX graphs built here with protobuf-c and random weights, checking what
 * the single-operator test data cannot: elementwise chains fused into one
 * activation (GELU from Erf, SiLU from Sigmoid * x), MatMul + Add and
 * BatchNormalization folded into the linear layer, Reshape, residual Add,
 * GlobalAveragePool. Each forward pass is compared with a naive evaluation
 * written in this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <math.h>

#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"
#include "onnx.pb-c.h"

static double urand(double lo, double hi) { return lo + (hi - lo) * rand() / (double)RAND_MAX; }

/* A tiny arena so the test frees everything at once. */
static void *keep[4096];
static int nkeep;
static void *hold(void *p) {
  assert_non_null(p);
  assert_true(nkeep < 4096);
  keep[nkeep++] = p;
  return p;
}
static void release_all(void) {
  while (nkeep)
    free(keep[--nkeep]);
}

static Onnx__TensorProto *tensor(const char *name, const float *v, const int64_t *dims, int rank) {
  Onnx__TensorProto *t = hold(malloc(sizeof *t));
  onnx__tensor_proto__init(t);
  t->name = (char *)name;
  t->n_dims = (size_t)rank;
  t->dims = hold(malloc(sizeof(int64_t) * (size_t)(rank ? rank : 1)));
  size_t n = 1;
  for (int i = 0; i < rank; i++)
    t->dims[i] = dims[i], n *= (size_t)dims[i];
  t->has_data_type = 1, t->data_type = 1;
  t->n_float_data = n;
  t->float_data = hold(malloc(sizeof(float) * n));
  memcpy(t->float_data, v, sizeof(float) * n);
  return t;
}

static float *rand_f(size_t n, double a) {
  float *v = hold(malloc(sizeof(float) * n));
  for (size_t i = 0; i < n; i++)
    v[i] = (float)urand(-a, a);
  return v;
}

static Onnx__NodeProto *node(const char *op, const char *name, int nin, const char **in,
                             const char *out) {
  Onnx__NodeProto *n = hold(malloc(sizeof *n));
  onnx__node_proto__init(n);
  n->op_type = (char *)op, n->name = (char *)name;
  n->n_input = (size_t)nin;
  n->input = hold(malloc(sizeof(char *) * (size_t)nin));
  for (int i = 0; i < nin; i++)
    n->input[i] = (char *)in[i];
  n->n_output = 1;
  n->output = hold(malloc(sizeof(char *)));
  n->output[0] = (char *)out;
  n->attribute = hold(calloc(8, sizeof(void *)));
  return n;
}

static void attr_int(Onnx__NodeProto *n, const char *name, int64_t v) {
  Onnx__AttributeProto *a = hold(malloc(sizeof *a));
  onnx__attribute_proto__init(a);
  a->name = (char *)name, a->has_type = 1, a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  a->has_i = 1, a->i = v;
  assert_true(n->n_attribute < 8);
  n->attribute[n->n_attribute++] = a;
}

static Onnx__ValueInfoProto *value(const char *name, const int64_t *dims, int rank) {
  Onnx__ValueInfoProto *v = hold(malloc(sizeof *v));
  onnx__value_info_proto__init(v);
  v->name = (char *)name;
  Onnx__TypeProto *tp = hold(malloc(sizeof *tp));
  onnx__type_proto__init(tp);
  Onnx__TypeProto__Tensor *tt = hold(malloc(sizeof *tt));
  onnx__type_proto__tensor__init(tt);
  Onnx__TensorShapeProto *sh = hold(malloc(sizeof *sh));
  onnx__tensor_shape_proto__init(sh);
  sh->n_dim = (size_t)rank;
  sh->dim = hold(malloc(sizeof(void *) * (size_t)rank));
  for (int i = 0; i < rank; i++) {
    Onnx__TensorShapeProto__Dimension *d = hold(malloc(sizeof *d));
    onnx__tensor_shape_proto__dimension__init(d);
    d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    d->dim_value = dims[i];
    sh->dim[i] = d;
  }
  tt->has_elem_type = 1, tt->elem_type = 1, tt->shape = sh;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, tp->tensor_type = tt;
  v->type = tp;
  return v;
}

static cf_model *load(Onnx__NodeProto **nodes, int nn, Onnx__TensorProto **inits, int ni,
                      Onnx__ValueInfoProto *in, Onnx__ValueInfoProto *out) {
  Onnx__GraphProto g;
  onnx__graph_proto__init(&g);
  g.n_node = (size_t)nn, g.node = nodes, g.n_initializer = (size_t)ni, g.initializer = inits;
  g.n_input = 1, g.input = &in, g.n_output = 1, g.output = &out;
  Onnx__OperatorSetIdProto op;
  onnx__operator_set_id_proto__init(&op);
  op.domain = (char *)"", op.has_version = 1, op.version = 17;
  Onnx__OperatorSetIdProto *ops = &op;
  Onnx__ModelProto mp;
  onnx__model_proto__init(&mp);
  mp.has_ir_version = 1, mp.ir_version = 8, mp.n_opset_import = 1, mp.opset_import = &ops;
  mp.graph = &g;
  size_t len = onnx__model_proto__get_packed_size(&mp);
  uint8_t *buf = hold(malloc(len));
  onnx__model_proto__pack(&mp, buf);
  cf_model *m;
  if (cf_onnx_load_buffer(buf, len, "built", &m) != CF_OK) fail_msg("%s", cf_last_error());
  return m;
}

static double gelu(double x) { return 0.5 * x * (1 + erf(x / sqrt(2.0))); }

/*
 * x[8] -> MatMul W1 (8x6) -> Add b1 -> h; GELU written as
 * 0.5 * h * (1 + Erf(h / 1.41421356)) -> g; MatMul W2 (6x6) -> u;
 * u * Sigmoid(u) -> s; s + g (residual) -> y.
 */
static void mlp_chain_fuses_and_folds(void **state) {
  (void)state;
  srand((unsigned)time(NULL));
  float *w1 = rand_f(48, 1), *b1 = rand_f(6, 1), *w2 = rand_f(36, 1);
  float sq2 = 1.41421356f, half = 0.5f, one = 1.0f;
  int64_t d86[] = {8, 6}, d6[] = {6}, d66[] = {6, 6}, din[] = {1, 8}, dout[] = {1, 6};
  Onnx__TensorProto *inits[] = {tensor("W1", w1, d86, 2),       tensor("b1", b1, d6, 1),
                                tensor("W2", w2, d66, 2),       tensor("sq2", &sq2, NULL, 0),
                                tensor("half", &half, NULL, 0), tensor("one", &one, NULL, 0)};
  const char *i0[] = {"x", "W1"}, *i1[] = {"xw", "b1"}, *i2[] = {"h", "sq2"}, *i3[] = {"hd"},
             *i4[] = {"e", "one"}, *i5[] = {"h", "ep1"}, *i6[] = {"hp", "half"},
             *i7[] = {"g", "W2"}, *i8[] = {"u"}, *i9[] = {"u", "su"}, *i10[] = {"s", "g"};
  Onnx__NodeProto *nodes[] = {
      node("MatMul", "mm1", 2, i0, "xw"),  node("Add", "bias1", 2, i1, "h"),
      node("Div", "gd", 2, i2, "hd"),      node("Erf", "gerf", 1, i3, "e"),
      node("Add", "gadd", 2, i4, "ep1"),   node("Mul", "gmul", 2, i5, "hp"),
      node("Mul", "ghalf", 2, i6, "g"),    node("MatMul", "mm2", 2, i7, "u"),
      node("Sigmoid", "sig", 1, i8, "su"), node("Mul", "silu", 2, i9, "s"),
      node("Add", "res", 2, i10, "y")};
  cf_model *m = load(nodes, 11, inits, 6, value("x", din, 2), value("y", dout, 2));
  /* dense (bias folded), activation, dense, activation, add */
  const cf_layer_kind want[] = {CF_LAYER_DENSE, CF_LAYER_ACTIVATION, CF_LAYER_DENSE,
                                CF_LAYER_ACTIVATION, CF_LAYER_ADD};
  assert_int_equal(m->nlayers, 5);
  for (int i = 0; i < 5; i++)
    assert_int_equal(m->layers[i].kind, want[i]);
  for (int trial = 0; trial < 50; trial++) {
    double x[8], h[6], g[6], u[6], y[6], ref[6];
    for (int i = 0; i < 8; i++)
      x[i] = urand(-2, 2);
    for (int j = 0; j < 6; j++) {
      h[j] = b1[j];
      for (int i = 0; i < 8; i++)
        h[j] += (double)w1[i * 6 + j] * x[i];
      g[j] = gelu(h[j]);
    }
    for (int j = 0; j < 6; j++) {
      u[j] = 0;
      for (int i = 0; i < 6; i++)
        u[j] += (double)w2[i * 6 + j] * g[i];
      ref[j] = u[j] / (1 + exp(-u[j])) + g[j];
    }
    assert_int_equal(cf_model_eval(m, x, y, CF_EVAL_EXACT, NULL, NULL), CF_OK);
    for (int j = 0; j < 6; j++)
      assert_true(fabs(y[j] - ref[j]) < 1e-5 * (1 + fabs(ref[j])));
  }
  cf_model_free(m);
  release_all();
}

/* x[2x5x5] -> Conv 3x2x3x3 (no padding: 3x3 out) -> BatchNormalization -> Mul by per-channel
 * constant [3,1,1] -> GlobalAveragePool -> Reshape [1, 3]. */
static void conv_bn_scale_pool_reshape(void **state) {
  (void)state;
  float *w = rand_f(54, 1), *b = rand_f(3, 1), *sc = rand_f(3, 1), *bb = rand_f(3, 1);
  float *mean = rand_f(3, 1), *var = rand_f(3, 1), *k = rand_f(3, 2);
  for (int i = 0; i < 3; i++)
    var[i] = var[i] * var[i] + 0.1f;
  float shape[] = {1, 3};
  int64_t dw[] = {3, 2, 3, 3}, d3[] = {3}, dk[] = {3, 1, 1}, d2[] = {2}, din[] = {1, 2, 5, 5},
          dout[] = {1, 3};
  Onnx__TensorProto *inits[] = {tensor("w", w, dw, 4),       tensor("b", b, d3, 1),
                                tensor("sc", sc, d3, 1),     tensor("bb", bb, d3, 1),
                                tensor("mean", mean, d3, 1), tensor("var", var, d3, 1),
                                tensor("k", k, dk, 3),       tensor("shape", shape, d2, 1)};
  inits[7]->data_type = 7; /* the Reshape target must be INT64 */
  int64_t *sh64 = hold(malloc(sizeof(int64_t) * 2));
  sh64[0] = 1, sh64[1] = 3;
  inits[7]->n_float_data = 0, inits[7]->n_int64_data = 2, inits[7]->int64_data = sh64;
  const char *i0[] = {"x", "w", "b"}, *i1[] = {"c", "sc", "bb", "mean", "var"}, *i2[] = {"n", "k"},
             *i3[] = {"s"}, *i4[] = {"p", "shape"};
  Onnx__NodeProto *nodes[] = {
      node("Conv", "conv", 3, i0, "c"), node("BatchNormalization", "bn", 5, i1, "n"),
      node("Mul", "scale", 2, i2, "s"), node("GlobalAveragePool", "gap", 1, i3, "p"),
      node("Reshape", "flat", 2, i4, "y")};
  attr_int(nodes[0], "group", 1);
  cf_model *m = load(nodes, 5, inits, 8, value("x", din, 4), value("y", dout, 2));
  /* batch norm and the per-channel scale both fold into the convolution */
  assert_int_equal(m->nlayers, 3);
  assert_int_equal(m->layers[0].kind, CF_LAYER_CONV2D);
  assert_int_equal(m->layers[1].kind, CF_LAYER_AVGPOOL);
  assert_int_equal(m->layers[2].kind, CF_LAYER_RESHAPE);
  for (int trial = 0; trial < 20; trial++) {
    double x[50], y[3];
    for (int i = 0; i < 50; i++)
      x[i] = urand(-1, 1);
    assert_int_equal(cf_model_eval(m, x, y, CF_EVAL_EXACT, NULL, NULL), CF_OK);
    for (int co = 0; co < 3; co++) {
      double sum = 0;
      for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++) {
          double c = b[co];
          for (int ci = 0; ci < 2; ci++)
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++) {
                int iy = oy + ky, ix = ox + kx;
                c += (double)w[((co * 2 + ci) * 3 + ky) * 3 + kx] * x[(ci * 5 + iy) * 5 + ix];
              }
          double n = (double)sc[co] * (c - mean[co]) / sqrt((double)var[co] + 1e-5) + bb[co];
          sum += n * k[co];
        }
      assert_true(fabs(y[co] - sum / 9) < 1e-5 * (1 + fabs(sum / 9)));
    }
  }
  cf_model_free(m);
  release_all();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mlp_chain_fuses_and_folds),
      cmocka_unit_test(conv_bn_scale_pool_reshape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
