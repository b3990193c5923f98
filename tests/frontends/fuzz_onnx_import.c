/* libFuzzer harness for the ONNX importer (configure with CF_FUZZ=ON and
 * CMAKE_C_COMPILER=clang). Every input must load or fail with a recorded
 * message; a loaded model is also evaluated once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_model *m = NULL;
  if (cf_onnx_load_buffer(data, size, "fuzz", &m) != CF_OK) {
    if (m || cf_last_error()[0] == 0) abort();
    return 0;
  }
  size_t in = cf_shape_size(&m->tensors[m->input].shape);
  size_t out = cf_shape_size(&m->tensors[m->output].shape);
  double *x = calloc(in, sizeof(double)), *y = calloc(out, sizeof(double));
  if (x && y) (void)cf_model_eval(m, x, y, CF_EVAL_EXACT, NULL, NULL);
  free(x);
  free(y);
  cf_model_free(m);
  return 0;
}
