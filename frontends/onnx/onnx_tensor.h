/* Constant tensors of an ONNX file (initializers, Constant nodes) as doubles. */
#ifndef CF_FRONTENDS_ONNX_TENSOR_H
#define CF_FRONTENDS_ONNX_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "onnx.pb-c.h"

enum { CF_ONNX_MAX_DIMS = 8 };

typedef struct cf_onnx_const {
  int rank;
  int64_t dims[CF_ONNX_MAX_DIMS];
  size_t count;
  double *data; /* owned */
} cf_onnx_const;

/* Decodes t (FLOAT, DOUBLE, INT32 or INT64; raw or typed fields). */
cf_status cf_onnx_const_decode(const Onnx__TensorProto *t, const char *what, cf_onnx_const *out);

#endif
