/* Fuzz-style robustness of the ONNX loader: truncated and randomly mutated
 * copies of the example models must load or fail with a recorded message,
 * never crash (run under ASan+UBSan with the unit label). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"

static uint8_t *slurp(const char *rel, size_t *len) {
  char p[1024];
  const char *src = getenv("CF_SOURCE_DIR");
  snprintf(p, sizeof p, "%s/%s", src ? src : ".", rel);
  FILE *f = fopen(p, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(*len);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, *len, f), *len);
  fclose(f);
  return b;
}

/* Loads buf; on success also runs the model on a small input. */
static int try_load(const uint8_t *buf, size_t len) {
  cf_clear_error();
  cf_model *m = NULL;
  cf_status st = cf_onnx_load_buffer(buf, len, "fuzz", &m);
  if (st != CF_OK) {
    assert_null(m);
    assert_true(strlen(cf_last_error()) > 0);
    return 0;
  }
  size_t in = cf_shape_size(&m->tensors[m->input].shape);
  size_t out = cf_shape_size(&m->tensors[m->output].shape);
  double *x = calloc(in, sizeof(double)), *y = calloc(out, sizeof(double));
  assert_non_null(x);
  assert_non_null(y);
  for (size_t i = 0; i < in; i++)
    x[i] = 0.5;
  (void)cf_model_eval(m, x, y, CF_EVAL_EXACT, NULL, NULL);
  free(x), free(y);
  cf_model_free(m);
  return 1;
}

static void fuzz_file(const char *rel) {
  size_t len;
  uint8_t *orig = slurp(rel, &len);
  assert_int_equal(try_load(orig, len), 1);
  /* Every truncation of the first 256 bytes, then a stride over the rest. */
  int ok = 0, n = 0;
  for (size_t cut = 0; cut < len; cut += cut < 256 ? 1 : 1 + len / 512, n++)
    ok += try_load(orig, cut);
  printf("%s: %d truncations, %d still loaded\n", rel, n, ok);
  unsigned seed = (unsigned)time(NULL);
  printf("%s: mutation seed %u\n", rel, seed);
  srand(seed);
  uint8_t *buf = malloc(len);
  assert_non_null(buf);
  ok = 0;
  for (int it = 0; it < 1500; it++) {
    memcpy(buf, orig, len);
    int flips = 1 + rand() % 4;
    for (int k = 0; k < flips; k++) {
      size_t at = (size_t)rand() % len;
      switch (rand() % 3) {
      case 0: buf[at] ^= (uint8_t)(1u << (rand() % 8)); break;
      case 1: buf[at] = (uint8_t)rand(); break;
      default: buf[at] = (uint8_t)(rand() % 2 ? 0xff : 0x00); break;
      }
    }
    ok += try_load(buf, len);
  }
  printf("%s: 1500 mutations, %d still loaded\n", rel, ok);
  free(buf);
  free(orig);
}

static void truncated_and_mutated_mlp(void **state) {
  (void)state;
  fuzz_file("examples/digits/digits_mlp.onnx");
}

static void truncated_and_mutated_cnn(void **state) {
  (void)state;
  fuzz_file("examples/digits/digits_cnn.onnx");
}

/* Replaces the first occurrence of from (same length) in buf. */
static void patch(uint8_t *buf, size_t len, const char *from, const char *to) {
  size_t n = strlen(from);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(buf + i, from, n) == 0) {
      memcpy(buf + i, to, n);
      return;
    }
  fail_msg("'%s' not found", from);
}

static void unsupported_operator_names_node_and_operator(void **state) {
  (void)state;
  size_t len;
  uint8_t *b = slurp("examples/digits/digits_cnn.onnx", &len);
  patch(b, len, "Sigmoid", "Softmax");
  cf_model *m;
  assert_int_equal(cf_onnx_load_buffer(b, len, "patched", &m), CF_EUNSUPPORTED);
  assert_non_null(strstr(cf_last_error(), "silu_sigmoid"));
  assert_non_null(strstr(cf_last_error(), "Softmax"));
  free(b);
}

static void unsupported_attribute_is_an_error(void **state) {
  (void)state;
  size_t len;
  uint8_t *b = slurp("examples/digits/digits_cnn.onnx", &len);
  patch(b, len, "strides", "stridez");
  cf_model *m;
  assert_int_equal(cf_onnx_load_buffer(b, len, "patched", &m), CF_EUNSUPPORTED);
  assert_non_null(strstr(cf_last_error(), "stridez"));
  free(b);
}

static void missing_file_is_an_io_error(void **state) {
  (void)state;
  cf_model *m;
  assert_int_equal(cf_onnx_load("no/such/model.onnx", &m), CF_EIO);
  assert_non_null(strstr(cf_last_error(), "no/such/model.onnx"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(truncated_and_mutated_mlp),
      cmocka_unit_test(truncated_and_mutated_cnn),
      cmocka_unit_test(unsupported_operator_names_node_and_operator),
      cmocka_unit_test(unsupported_attribute_is_an_error),
      cmocka_unit_test(missing_file_is_an_io_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
