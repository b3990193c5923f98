/* Imports the example models and checks the double-precision forward pass
 * against the logits onnx.reference computed when the models were made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "frontends/dataset.h"
#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"

static void path_of(char *buf, size_t len, const char *rel) {
  const char *src = getenv("CF_SOURCE_DIR");
  snprintf(buf, len, "%s/%s", src ? src : ".", rel);
}

static void check_model_in(const char *dir, const char *data, const char *stem,
                           const cf_layer_kind *kinds, int nkinds, int nout) {
  char p[1024];
  snprintf(p, sizeof p, "examples/%s/%s.onnx", dir, stem);
  char full[1200];
  path_of(full, sizeof full, p);
  cf_model *m;
  cf_status st = cf_onnx_load(full, &m);
  if (st != CF_OK) fail_msg("%s", cf_last_error());
  assert_int_equal(m->nlayers, nkinds);
  for (int i = 0; i < nkinds; i++)
    assert_int_equal(m->layers[i].kind, kinds[i]);
  snprintf(p, sizeof p, "examples/%s/%s.calib", dir, stem);
  path_of(full, sizeof full, p);
  assert_int_equal(cf_model_load_calibration(m, full), CF_OK);

  cf_dataset test, ref;
  snprintf(p, sizeof p, "examples/%s/%s", dir, data);
  path_of(full, sizeof full, p);
  assert_int_equal(cf_dataset_load(full, &test), CF_OK);
  snprintf(p, sizeof p, "examples/%s/%s.ref.cfts", dir, stem);
  path_of(full, sizeof full, p);
  assert_int_equal(cf_dataset_load(full, &ref), CF_OK);
  assert_int_equal(test.count, ref.count);
  assert_int_equal(ref.width, nout);
  double worst = 0;
  int correct = 0;
  for (int i = 0; i < test.count; i++) {
    double out[10];
    assert_int_equal(
        cf_model_eval(m, &test.rows[(size_t)i * test.width], out, CF_EVAL_EXACT, NULL, NULL),
        CF_OK);
    int best = 0;
    for (int k = 0; k < 10; k++) {
      double e = fabs(out[k] - ref.rows[(size_t)i * 10 + k]);
      if (e > worst) worst = e;
      if (out[k] > out[best]) best = k;
    }
    assert_int_equal(best, ref.labels[i]);
    correct += best == test.labels[i];
  }
  printf("%s: %d layers, max |logit - onnx.reference| = %.3g, accuracy %.2f%% (%d/%d)\n", stem,
         m->nlayers, worst, 100.0 * correct / test.count, correct, test.count);
  /* onnx.reference computes in float32; our weights are the same floats in double. */
  assert_true(worst < 1e-4);
  cf_dataset_free(&test);
  cf_dataset_free(&ref);
  cf_model_free(m);
}

static void check_model(const char *stem, const cf_layer_kind *kinds, int nkinds) {
  check_model_in("digits", "digits_test.cfts", stem, kinds, nkinds, 10);
}

static void fashion_matches_reference(void **state) {
  (void)state;
  const cf_layer_kind k[] = {CF_LAYER_CONV2D, CF_LAYER_ACTIVATION, CF_LAYER_RESHAPE,
                             CF_LAYER_DENSE};
  check_model_in("fashion", "fashion_test.cfts", "fashion_cnn", k, 4, 10);
}

static void mlp_matches_reference(void **state) {
  (void)state;
  const cf_layer_kind k[] = {CF_LAYER_DENSE, CF_LAYER_ACTIVATION, CF_LAYER_DENSE};
  check_model("digits_mlp", k, 3);
}

static void cnn_matches_reference(void **state) {
  (void)state;
  /* BatchNormalization is folded into the convolution. */
  const cf_layer_kind k[] = {CF_LAYER_CONV2D, CF_LAYER_ACTIVATION, CF_LAYER_AVGPOOL,
                             CF_LAYER_RESHAPE, CF_LAYER_DENSE};
  check_model("digits_cnn", k, 5);
}

static void mlp_activation_is_the_exported_polynomial(void **state) {
  (void)state;
  char full[1200];
  path_of(full, sizeof full, "examples/digits/digits_mlp.onnx");
  cf_model *m;
  assert_int_equal(cf_onnx_load(full, &m), CF_OK);
  double c[8];
  int deg;
  assert_true(cf_expr_as_poly(&m->layers[1].act, 7, c, &deg));
  assert_int_equal(deg, 2);
  assert_true(fabs(c[0]) < 1e-12 && fabs(c[1] - 0.5) < 1e-7 && fabs(c[2] - 0.25) < 1e-7);
  cf_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mlp_matches_reference),
      cmocka_unit_test(cnn_matches_reference),
      cmocka_unit_test(fashion_matches_reference),
      cmocka_unit_test(mlp_activation_is_the_exported_polynomial),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
