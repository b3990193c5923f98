/*
 * ONNX import: reads an ONNX model (protobuf, opset <= 17 as Debian's ONNX
 * 1.12 schema knows it) into a cf_model.
 *
 * Supported operators: Gemm, MatMul, Conv, AveragePool, GlobalAveragePool,
 * BatchNormalization (folded into the preceding Conv/Gemm/MatMul when there
 * is one), Flatten, Reshape, Identity, Dropout, Constant, the elementwise
 * Add, Sub, Mul, Div, Pow, Neg (with scalar or broadcast constants, or between
 * functions of one tensor), Relu, Sigmoid, Tanh, Erf, Exp, Sqrt and Gelu.
 * Chains of elementwise operators on one tensor become one activation layer.
 * Anything else (an operator, attribute or shape outside this set) is an
 * error naming the node and operator.
 */
#ifndef CF_FRONTENDS_ONNX_IMPORT_H
#define CF_FRONTENDS_ONNX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "frontends/model.h"

/* Reads the ONNX file at path into a new model (free with cf_model_free). */
cf_status cf_onnx_load(const char *path, cf_model **out);

/* Same from memory; what names the source in error messages. */
cf_status cf_onnx_load_buffer(const uint8_t *data, size_t len, const char *what, cf_model **out);

#endif
