#include "frontends/onnx/onnx_tensor.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

enum { T_FLOAT = 1, T_INT32 = 6, T_INT64 = 7, T_DOUBLE = 11 };

/* ONNX raw_data is little-endian; so is every target this builds for. */
static double raw_at(const uint8_t *p, int type, size_t i) {
  switch (type) {
  case T_FLOAT: {
    float f;
    memcpy(&f, p + 4 * i, 4);
    return f;
  }
  case T_DOUBLE: {
    double d;
    memcpy(&d, p + 8 * i, 8);
    return d;
  }
  case T_INT32: {
    int32_t v;
    memcpy(&v, p + 4 * i, 4);
    return v;
  }
  default: {
    int64_t v;
    memcpy(&v, p + 8 * i, 8);
    return (double)v;
  }
  }
}

cf_status cf_onnx_const_decode(const Onnx__TensorProto *t, const char *what, cf_onnx_const *out) {
  memset(out, 0, sizeof *out);
  if (t->n_dims > CF_ONNX_MAX_DIMS)
    return CF_FAIL(CF_EUNSUPPORTED, "%s: tensor of rank %zu (at most %d)", what, t->n_dims,
                   CF_ONNX_MAX_DIMS);
  size_t count = 1;
  for (size_t i = 0; i < t->n_dims; i++) {
    if (t->dims[i] < 0 || t->dims[i] > (1 << 26))
      return CF_FAIL(CF_EFORMAT, "%s: dimension %zu is %lld", what, i, (long long)t->dims[i]);
    count *= (size_t)t->dims[i];
    if (count > (1u << 26)) return CF_FAIL(CF_EUNSUPPORTED, "%s: more than 2^26 elements", what);
    out->dims[i] = t->dims[i];
  }
  out->rank = (int)t->n_dims;
  if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    return CF_FAIL(CF_EUNSUPPORTED, "%s: weights in external files are not supported", what);
  int type = t->has_data_type ? t->data_type : 0;
  size_t esize = type == T_FLOAT || type == T_INT32    ? 4
                 : type == T_INT64 || type == T_DOUBLE ? 8
                                                       : 0;
  if (esize == 0)
    return CF_FAIL(CF_EUNSUPPORTED, "%s: element type %d (need FLOAT, DOUBLE, INT32 or INT64)",
                   what, type);
  size_t have;
  if (t->has_raw_data)
    have = t->raw_data.len / esize;
  else if (type == T_FLOAT)
    have = t->n_float_data;
  else if (type == T_DOUBLE)
    have = t->n_double_data;
  else if (type == T_INT32)
    have = t->n_int32_data;
  else
    have = t->n_int64_data;
  if (have != count || (t->has_raw_data && t->raw_data.len != count * esize))
    return CF_FAIL(CF_EFORMAT, "%s: shape says %zu elements, data holds %zu", what, count, have);
  out->data = malloc(sizeof(double) * (count ? count : 1));
  if (!out->data) return CF_FAIL(CF_ENOMEM, "%s: no memory for %zu elements", what, count);
  for (size_t i = 0; i < count; i++) {
    if (t->has_raw_data)
      out->data[i] = raw_at(t->raw_data.data, type, i);
    else if (type == T_FLOAT)
      out->data[i] = t->float_data[i];
    else if (type == T_DOUBLE)
      out->data[i] = t->double_data[i];
    else if (type == T_INT32)
      out->data[i] = t->int32_data[i];
    else
      out->data[i] = (double)t->int64_data[i];
  }
  out->count = count;
  return CF_OK;
}
