/*
 * The lowered HE plan, run on slot vectors in double precision, against the
 * model's own forward pass: example models on the test split (batched), and
 * random models built in memory (strided padded convolution, pooling, dense,
 * residual add) on random inputs.
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

#include "frontends/approx/fit_model.h"
#include "frontends/dataset.h"
#include "frontends/layers/he_plan.h"
#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"

static double urand(double lo, double hi) { return lo + (hi - lo) * rand() / (double)RAND_MAX; }

static void path_of(char *buf, size_t len, const char *rel) {
  const char *src = getenv("CF_SOURCE_DIR");
  snprintf(buf, len, "%s/%s", src ? src : ".", rel);
}

/* Runs every sample through the plan in batches; returns the max deviation. */
static double plan_vs_model(const cf_model *m, const cf_he_plan *p, const double *x, int n,
                            int *agree_exact) {
  double *slots = malloc(sizeof(double) * (size_t)p->slots);
  double *res = malloc(sizeof(double) * (size_t)p->slots);
  double *outs = malloc(sizeof(double) * (size_t)p->batch * p->out_size);
  double *ref = malloc(sizeof(double) * (size_t)p->out_size);
  double *ex = malloc(sizeof(double) * (size_t)p->out_size);
  assert_true(slots && res && outs && ref && ex);
  double worst = 0;
  *agree_exact = 0;
  for (int base = 0; base < n; base += p->batch) {
    int k = n - base < p->batch ? n - base : p->batch;
    cf_he_plan_pack(p, x + (size_t)base * p->in_size, k, slots);
    assert_int_equal(cf_he_plan_simulate(p, slots, res), CF_OK);
    cf_he_plan_unpack(p, res, k, outs);
    for (int s = 0; s < k; s++) {
      const double *in = x + (size_t)(base + s) * p->in_size;
      assert_int_equal(cf_model_eval(m, in, ref, CF_EVAL_APPROX, NULL, NULL), CF_OK);
      assert_int_equal(cf_model_eval(m, in, ex, CF_EVAL_EXACT, NULL, NULL), CF_OK);
      int a = 0, b = 0;
      for (int j = 0; j < p->out_size; j++) {
        worst = fmax(worst, fabs(outs[(size_t)s * p->out_size + j] - ref[j]));
        if (outs[(size_t)s * p->out_size + j] > outs[(size_t)s * p->out_size + a]) a = j;
        if (ex[j] > ex[b]) b = j;
      }
      *agree_exact += a == b;
    }
  }
  free(slots), free(res), free(outs), free(ref), free(ex);
  return worst;
}

static void example(const char *stem, int slots) {
  char rel[256], full[1200];
  snprintf(rel, sizeof rel, "examples/digits/%s.onnx", stem);
  path_of(full, sizeof full, rel);
  cf_model *m;
  assert_int_equal(cf_onnx_load(full, &m), CF_OK);
  snprintf(rel, sizeof rel, "examples/digits/%s.calib", stem);
  path_of(full, sizeof full, rel);
  assert_int_equal(cf_model_load_calibration(m, full), CF_OK);
  cf_fit_opts fo = {.tol = 1e-3, .margin = 0.1, .max_degree = 63};
  assert_int_equal(cf_model_fit_activations(m, &fo), CF_OK);
  cf_plan_opts po = {.slots = slots, .max_levels = 0};
  cf_he_plan *p;
  assert_int_equal(cf_he_plan_build(m, &po, &p), CF_OK);
  cf_he_plan_print(p, stdout);
  cf_dataset test;
  path_of(full, sizeof full, "examples/digits/digits_test.cfts");
  assert_int_equal(cf_dataset_load(full, &test), CF_OK);
  int agree;
  double worst = plan_vs_model(m, p, test.rows, test.count, &agree);
  printf("%s: slots %d, %d per ciphertext, depth %d: max |plan - model| = %.3g; "
         "argmax agreement with the exact model %d/%d\n",
         stem, slots, p->batch, p->depth, worst, agree, test.count);
  assert_true(worst < 1e-6);
  assert_true(agree >= test.count * 95 / 100);
  /* One level short must be refused, naming the level count. */
  po.max_levels = p->depth - 1;
  cf_he_plan *q;
  assert_int_equal(cf_he_plan_build(m, &po, &q), CF_ELEVEL);
  assert_non_null(strstr(cf_last_error(), "levels"));
  cf_he_plan_free(p);
  cf_dataset_free(&test);
  cf_model_free(m);
}

static void digits_mlp(void **state) {
  (void)state;
  example("digits_mlp", 1024);
}

static void digits_cnn(void **state) {
  (void)state;
  example("digits_cnn", 2048);
}

static double *rand_vec(size_t n, double a) {
  double *v = malloc(sizeof(double) * n);
  assert_non_null(v);
  for (size_t i = 0; i < n; i++)
    v[i] = urand(-a, a);
  return v;
}

/* input 2x7x6 -> conv 3x3x3 stride 2 pad (1,0,2,1) -> avgpool 2x2 stride 1
 * -> flatten -> dense 5, plus a residual add of an affine copy. */
static void random_linear_layers(void **state) {
  (void)state;
  srand((unsigned)time(NULL));
  for (int trial = 0; trial < 5; trial++) {
    cf_model *m;
    assert_int_equal(cf_model_new(&m), CF_OK);
    cf_shape s_in = {3, {2, 7, 6}};
    int t_in, t_c, t_p, t_f, t_d, t_a, t_s;
    assert_int_equal(cf_model_add_tensor(m, "in", &s_in, &t_in), CF_OK);
    int oh = (7 + 1 + 2 - 3) / 2 + 1, ow = (6 + 0 + 1 - 3) / 2 + 1;
    cf_shape s_c = {3, {3, oh, ow}}, s_p = {3, {3, oh - 1, ow - 1}};
    cf_shape s_f = {1, {3 * (oh - 1) * (ow - 1)}}, s_d = {1, {5}};
    assert_int_equal(cf_model_add_tensor(m, "c", &s_c, &t_c), CF_OK);
    assert_int_equal(cf_model_add_tensor(m, "p", &s_p, &t_p), CF_OK);
    assert_int_equal(cf_model_add_tensor(m, "f", &s_f, &t_f), CF_OK);
    assert_int_equal(cf_model_add_tensor(m, "d", &s_d, &t_d), CF_OK);
    assert_int_equal(cf_model_add_tensor(m, "a", &s_d, &t_a), CF_OK);
    assert_int_equal(cf_model_add_tensor(m, "s", &s_d, &t_s), CF_OK);
    m->input = t_in, m->output = t_s;
    cf_layer *l;
    assert_int_equal(cf_model_add_layer(m, CF_LAYER_CONV2D, "conv", &l), CF_OK);
    l->in[0] = t_in, l->out = t_c, l->kh = l->kw = 3, l->stride_h = l->stride_w = 2;
    l->pad_top = 1, l->pad_left = 0, l->pad_bottom = 2, l->pad_right = 1;
    l->w = rand_vec(3 * 2 * 9, 1), l->b = rand_vec(3, 1);
    assert_int_equal(cf_model_add_layer(m, CF_LAYER_AVGPOOL, "pool", &l), CF_OK);
    l->in[0] = t_c, l->out = t_p, l->kh = l->kw = 2, l->stride_h = l->stride_w = 1;
    assert_int_equal(cf_model_add_layer(m, CF_LAYER_RESHAPE, "flat", &l), CF_OK);
    l->in[0] = t_p, l->out = t_f;
    assert_int_equal(cf_model_add_layer(m, CF_LAYER_DENSE, "fc", &l), CF_OK);
    l->in[0] = t_f, l->out = t_d;
    l->w = rand_vec((size_t)5 * s_f.dims[0], 1), l->b = rand_vec(5, 1);
    assert_int_equal(cf_model_add_layer(m, CF_LAYER_AFFINE, "aff", &l), CF_OK);
    l->in[0] = t_d, l->out = t_a, l->scale = rand_vec(5, 2), l->shift = rand_vec(5, 2);
    assert_int_equal(cf_model_add_layer(m, CF_LAYER_ADD, "res", &l), CF_OK);
    l->in[0] = t_d, l->in[1] = t_a, l->out = t_s;
    cf_plan_opts po = {.slots = 512, .max_levels = 0};
    cf_he_plan *p;
    assert_int_equal(cf_he_plan_build(m, &po, &p), CF_OK);
    assert_int_equal(p->depth, 4); /* conv, pool, fc, affine; add is free */
    int n = 3 * p->batch + 1, agree;
    double *x = rand_vec((size_t)n * p->in_size, 3);
    double worst = plan_vs_model(m, p, x, n, &agree);
    assert_true(worst < 1e-9);
    free(x);
    cf_he_plan_free(p);
    cf_model_free(m);
  }
}

static void tensor_larger_than_slots_is_refused(void **state) {
  (void)state;
  cf_model *m;
  assert_int_equal(cf_model_new(&m), CF_OK);
  cf_shape s = {1, {300}};
  int a, b;
  assert_int_equal(cf_model_add_tensor(m, "a", &s, &a), CF_OK);
  assert_int_equal(cf_model_add_tensor(m, "b", &s, &b), CF_OK);
  m->input = a, m->output = b;
  cf_layer *l;
  assert_int_equal(cf_model_add_layer(m, CF_LAYER_AFFINE, "aff", &l), CF_OK);
  l->in[0] = a, l->out = b, l->scale = rand_vec(300, 1), l->shift = rand_vec(300, 1);
  cf_plan_opts po = {.slots = 256};
  cf_he_plan *p;
  assert_int_equal(cf_he_plan_build(m, &po, &p), CF_EUNSUPPORTED);
  cf_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(digits_mlp),
      cmocka_unit_test(digits_cnn),
      cmocka_unit_test(random_linear_layers),
      cmocka_unit_test(tensor_larger_than_slots_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
