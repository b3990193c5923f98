/*
 * Walks the nodes of an ONNX graph (topologically sorted, as the format
 * requires) keeping a symbol for every named value: a constant, or an
 * elementwise expression of one model tensor. Elementwise operators only grow
 * expressions; an operator that needs a real tensor (Gemm, Conv, ...) turns
 * the expression into an activation layer first. Affine layers from
 * BatchNormalization or constant Add/Mul are folded into the Conv or dense
 * layer before them at the end.
 */
#include "frontends/onnx/onnx_import.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "frontends/onnx/onnx_tensor.h"

enum { MAX_OPSET = 17 };

typedef enum sym_kind { SYM_CONST, SYM_EXPR } sym_kind;

typedef struct sym {
  const char *name;
  sym_kind kind;
  cf_onnx_const c; /* SYM_CONST */
  int src;         /* SYM_EXPR: model tensor the expression is a function of */
  cf_expr expr;    /* SYM_EXPR; a lone VAR node is the tensor itself */
  int tensor;      /* model tensor holding the value once materialized, else -1 */
} sym;

typedef struct importer {
  cf_model *m;
  sym *syms;
  int nsyms, cap;
  const Onnx__NodeProto *node; /* node being converted, for messages */
} importer;

#define NODE_FAIL(im, st, fmt, ...)                                                                \
  CF_FAIL(st, "node '%s' (%s): " fmt, (im)->node->name ? (im)->node->name : "",                    \
          (im)->node->op_type ? (im)->node->op_type : "", __VA_ARGS__)

static sym *find_sym(importer *im, const char *name) {
  for (int i = im->nsyms - 1; i >= 0; i--)
    if (strcmp(im->syms[i].name, name) == 0) return &im->syms[i];
  return NULL;
}

static cf_status push_sym(importer *im, const sym *s) {
  if (im->nsyms == im->cap) {
    int cap = im->cap ? 2 * im->cap : 64;
    sym *p = realloc(im->syms, sizeof *p * (size_t)cap);
    if (!p) return CF_FAIL(CF_ENOMEM, "no memory for ONNX symbols");
    im->syms = p, im->cap = cap;
  }
  im->syms[im->nsyms++] = *s;
  return CF_OK;
}

static cf_status push_tensor_sym(importer *im, const char *name, int tensor) {
  sym s = {.name = name, .kind = SYM_EXPR, .src = tensor, .tensor = tensor};
  s.expr.n = 1;
  s.expr.nodes[0] = (cf_expr_node){CF_EX_VAR, -1, -1, 0};
  return push_sym(im, &s);
}

/* ---- attributes ---------------------------------------------------------- */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name) {
  for (size_t i = 0; i < n->n_attribute; i++)
    if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0) return n->attribute[i];
  return NULL;
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name, int64_t def) {
  const Onnx__AttributeProto *a = attr(n, name);
  return a && a->has_i ? a->i : def;
}

static double attr_float(const Onnx__NodeProto *n, const char *name, double def) {
  const Onnx__AttributeProto *a = attr(n, name);
  return a && a->has_f ? a->f : def;
}

/* Copies an INTS attribute of exactly want entries (or leaves def). */
static cf_status attr_ints(importer *im, const char *name, int want, int *out) {
  const Onnx__AttributeProto *a = attr(im->node, name);
  if (!a) return CF_OK;
  if ((int)a->n_ints != want)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "attribute %s has %zu values, expected %d", name,
                     a->n_ints, want);
  for (int i = 0; i < want; i++) {
    if (a->ints[i] < 0 || a->ints[i] > 4096)
      return NODE_FAIL(im, CF_EUNSUPPORTED, "attribute %s[%d] = %lld out of range", name, i,
                       (long long)a->ints[i]);
    out[i] = (int)a->ints[i];
  }
  return CF_OK;
}

/* Only the attributes listed may appear: an ignored attribute could change the meaning. */
static cf_status check_attrs(importer *im, const char *const *known) {
  for (size_t i = 0; i < im->node->n_attribute; i++) {
    const char *name = im->node->attribute[i]->name ? im->node->attribute[i]->name : "";
    int ok = 0;
    for (const char *const *k = known; *k; k++)
      ok |= strcmp(*k, name) == 0;
    if (!ok) return NODE_FAIL(im, CF_EUNSUPPORTED, "attribute '%s' is not supported", name);
  }
  return CF_OK;
}

/* ---- operands ------------------------------------------------------------ */

static cf_status input_sym(importer *im, size_t i, sym **out) {
  if (i >= im->node->n_input || !im->node->input[i] || !im->node->input[i][0])
    return NODE_FAIL(im, CF_EFORMAT, "missing input %zu", i);
  *out = find_sym(im, im->node->input[i]);
  if (!*out)
    return NODE_FAIL(im, CF_EFORMAT, "input '%s' is not produced by any earlier node",
                     im->node->input[i]);
  return CF_OK;
}

static cf_status input_const(importer *im, size_t i, const cf_onnx_const **out) {
  sym *s;
  CF_TRY(input_sym(im, i, &s));
  if (s->kind != SYM_CONST)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "input '%s' must be a constant (initializer)", s->name);
  *out = &s->c;
  return CF_OK;
}

static const cf_shape *tshape(importer *im, int t) { return &im->m->tensors[t].shape; }

/* Makes the value of s a model tensor, adding an activation layer if needed. */
static cf_status materialize(importer *im, sym *s, int *tensor) {
  if (s->kind == SYM_CONST)
    return NODE_FAIL(im, CF_EUNSUPPORTED,
                     "'%s' is a constant where a data tensor is needed (constant folding "
                     "of whole layers is not supported)",
                     s->name);
  if (s->tensor < 0) {
    int out;
    cf_shape shape = *tshape(im, s->src);
    CF_TRY(cf_model_add_tensor(im->m, s->name, &shape, &out));
    cf_layer *l;
    /* Named after the tensor it computes: the chain may span several nodes. */
    CF_TRY(cf_model_add_layer(im->m, CF_LAYER_ACTIVATION, s->name, &l));
    l->in[0] = s->src;
    l->out = out;
    l->act = s->expr;
    s->tensor = out;
  }
  *tensor = s->tensor;
  return CF_OK;
}

static cf_status input_tensor(importer *im, size_t i, int *tensor) {
  sym *s;
  CF_TRY(input_sym(im, i, &s));
  return materialize(im, s, tensor);
}

static cf_status output_name(importer *im, size_t i, const char **name) {
  if (im->node->n_output <= i || !im->node->output[i] || !im->node->output[i][0])
    return NODE_FAIL(im, CF_EFORMAT, "missing output %zu", i);
  if (im->node->n_output > 1 && i == 0) {
    for (size_t k = 1; k < im->node->n_output; k++)
      if (im->node->output[k] && im->node->output[k][0])
        return NODE_FAIL(im, CF_EUNSUPPORTED, "only the first output is supported, '%s' is used",
                         im->node->output[k]);
  }
  *name = im->node->output[i];
  return CF_OK;
}

static cf_status new_layer(importer *im, cf_layer_kind k, int in, const cf_shape *shape,
                           cf_layer **out) {
  const char *name = NULL;
  CF_TRY(output_name(im, 0, &name));
  int t;
  CF_TRY(cf_model_add_tensor(im->m, name, shape, &t));
  CF_TRY(push_tensor_sym(im, name, t));
  CF_TRY(cf_model_add_layer(im->m, k, im->node->name, out));
  (*out)->in[0] = in;
  (*out)->out = t;
  return CF_OK;
}

static double *alloc_doubles(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

/* ---- elementwise: expressions, affine layers, residual adds --------------- */

static cf_status expr_append(importer *im, cf_expr *dst, const cf_expr *src, int *root) {
  if (dst->n + src->n > CF_EXPR_MAX_NODES)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "elementwise chain longer than %d operations",
                     CF_EXPR_MAX_NODES);
  int off = dst->n;
  for (int i = 0; i < src->n; i++) {
    cf_expr_node n = src->nodes[i];
    if (n.a >= 0) n.a += off;
    if (n.b >= 0) n.b += off;
    dst->nodes[dst->n++] = n;
  }
  *root = dst->n - 1;
  return CF_OK;
}

static cf_status push_node(importer *im, cf_expr *e, cf_expr_op op, int a, int b) {
  if (e->n >= CF_EXPR_MAX_NODES)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "elementwise chain longer than %d operations",
                     CF_EXPR_MAX_NODES);
  e->nodes[e->n++] = (cf_expr_node){op, a, b, 0};
  return CF_OK;
}

static void const_expr(cf_expr *e, double v) {
  e->n = 1;
  e->nodes[0] = (cf_expr_node){CF_EX_CONST, -1, -1, v};
}

static cf_status emit_expr(importer *im, int src, const cf_expr *e) {
  const char *name = NULL;
  CF_TRY(output_name(im, 0, &name));
  sym s = {.name = name, .kind = SYM_EXPR, .src = src, .expr = *e, .tensor = -1};
  return push_sym(im, &s);
}

static cf_status unary(importer *im, cf_expr_op op) {
  sym *a;
  CF_TRY(input_sym(im, 0, &a));
  if (a->kind == SYM_CONST)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "operator on constant '%s' only", a->name);
  cf_expr e = a->expr;
  CF_TRY(push_node(im, &e, op, e.n - 1, -1));
  return emit_expr(im, a->src, &e);
}

/* Broadcasts constant c (ONNX numpy rules, batch dimension included) onto shape s. */
static cf_status broadcast(importer *im, const cf_onnx_const *c, const cf_shape *s, double *dst) {
  int64_t full[CF_MODEL_MAX_RANK + 1] = {1};
  int frank = s->rank + 1;
  for (int i = 0; i < s->rank; i++)
    full[i + 1] = s->dims[i];
  if (c->rank > frank)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "constant of rank %d broadcast to rank %d", c->rank,
                     frank);
  int64_t cd[CF_MODEL_MAX_RANK + 1];
  for (int i = 0; i < frank; i++) {
    int j = i - (frank - c->rank);
    cd[i] = j >= 0 ? c->dims[j] : 1;
    if (cd[i] != 1 && cd[i] != full[i])
      return NODE_FAIL(im, CF_EUNSUPPORTED, "constant dimension %lld does not broadcast to %lld",
                       (long long)cd[i], (long long)full[i]);
  }
  size_t n = cf_shape_size(s);
  for (size_t idx = 0; idx < n; idx++) {
    size_t rem = idx, ci = 0, stride = 1;
    for (int i = frank - 1; i >= 0; i--) {
      size_t coord = rem % (size_t)full[i];
      rem /= (size_t)full[i];
      if (cd[i] != 1) ci += coord * stride;
      stride *= (size_t)cd[i];
    }
    dst[idx] = c->data[ci];
  }
  return CF_OK;
}

/* y = scale * x + shift with full-size vectors; takes ownership of both. */
static cf_status affine_layer(importer *im, int in, double *scale, double *shift) {
  cf_layer *l;
  cf_shape shape = *tshape(im, in);
  cf_status st = new_layer(im, CF_LAYER_AFFINE, in, &shape, &l);
  if (st != CF_OK) {
    free(scale), free(shift);
    return st;
  }
  l->scale = scale, l->shift = shift;
  return CF_OK;
}

static cf_status binary(importer *im, cf_expr_op op) {
  sym *a, *b;
  CF_TRY(input_sym(im, 0, &a));
  CF_TRY(input_sym(im, 1, &b));
  if (a->kind == SYM_CONST && b->kind == SYM_CONST)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "both inputs '%s' and '%s' are constants", a->name,
                     b->name);
  int a_scalar = a->kind == SYM_CONST && a->c.count == 1;
  int b_scalar = b->kind == SYM_CONST && b->c.count == 1;
  /* Both sides functions of one tensor (or a scalar): grow the expression. */
  if ((a->kind == SYM_EXPR || a_scalar) && (b->kind == SYM_EXPR || b_scalar) &&
      (a_scalar || b_scalar || a->src == b->src)) {
    int src = a->kind == SYM_EXPR ? a->src : b->src;
    cf_expr e = {0}, tmp;
    int ra, rb;
    if (a_scalar) const_expr(&tmp, a->c.data[0]);
    CF_TRY(expr_append(im, &e, a_scalar ? &tmp : &a->expr, &ra));
    if (b_scalar) const_expr(&tmp, b->c.data[0]);
    CF_TRY(expr_append(im, &e, b_scalar ? &tmp : &b->expr, &rb));
    CF_TRY(push_node(im, &e, op, ra, rb));
    return emit_expr(im, src, &e);
  }
  if (a->kind == SYM_EXPR && b->kind == SYM_EXPR) {
    if (op != CF_EX_ADD && op != CF_EX_SUB)
      return NODE_FAIL(im, CF_EUNSUPPORTED,
                       "elementwise product of two different tensors '%s' and '%s'", a->name,
                       b->name);
    int ta, tb;
    CF_TRY(materialize(im, a, &ta));
    CF_TRY(materialize(im, b, &tb));
    const cf_shape *sa = tshape(im, ta), *sb = tshape(im, tb);
    if (cf_shape_size(sa) != cf_shape_size(sb) || sa->rank != sb->rank)
      return NODE_FAIL(im, CF_EUNSUPPORTED, "residual add of differently shaped '%s' and '%s'",
                       a->name, b->name);
    if (op == CF_EX_SUB) {
      double *sc = alloc_doubles(cf_shape_size(sb)), *sh = alloc_doubles(cf_shape_size(sb));
      if (!sc || !sh) {
        free(sc), free(sh);
        return CF_FAIL(CF_ENOMEM, "no memory");
      }
      for (size_t i = 0; i < cf_shape_size(sb); i++)
        sc[i] = -1;
      /* The negation is named after this node's output until the add replaces it. */
      CF_TRY(affine_layer(im, tb, sc, sh));
      tb = im->m->layers[im->m->nlayers - 1].out;
      im->nsyms--; /* the add below binds the output name */
    }
    cf_layer *l;
    cf_shape shape = *sa;
    CF_TRY(new_layer(im, CF_LAYER_ADD, ta, &shape, &l));
    l->in[1] = tb;
    return CF_OK;
  }
  /* A tensor and a non-scalar constant: an elementwise affine layer. */
  int const_first = a->kind == SYM_CONST;
  sym *x = const_first ? b : a;
  const cf_onnx_const *c = const_first ? &a->c : &b->c;
  int t;
  CF_TRY(materialize(im, x, &t));
  size_t n = cf_shape_size(tshape(im, t));
  double *cv = alloc_doubles(n), *sc = alloc_doubles(n), *sh = alloc_doubles(n);
  cf_status st = (!cv || !sc || !sh) ? CF_FAIL(CF_ENOMEM, "no memory") : CF_OK;
  if (st == CF_OK) st = broadcast(im, c, tshape(im, t), cv);
  for (size_t i = 0; st == CF_OK && i < n; i++) {
    switch (op) {
    case CF_EX_ADD: sc[i] = 1, sh[i] = cv[i]; break;
    case CF_EX_SUB: sc[i] = const_first ? -1 : 1, sh[i] = const_first ? cv[i] : -cv[i]; break;
    case CF_EX_MUL: sc[i] = cv[i], sh[i] = 0; break;
    case CF_EX_DIV:
      if (const_first || cv[i] == 0)
        st = NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "division by a tensor or by zero");
      else
        sc[i] = 1 / cv[i], sh[i] = 0;
      break;
    default: st = NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "exponent must be a scalar constant"); break;
    }
  }
  free(cv);
  if (st != CF_OK) {
    free(sc), free(sh);
    return st;
  }
  return affine_layer(im, t, sc, sh);
}

/* ---- layers --------------------------------------------------------------- */

static cf_status op_dense(importer *im, int is_gemm) {
  /* broadcast (opset < 7) only allowed what numpy broadcasting does now. */
  static const char *const gemm_attrs[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
  static const char *const no_attrs[] = {NULL};
  CF_TRY(check_attrs(im, is_gemm ? gemm_attrs : no_attrs));
  int x;
  CF_TRY(input_tensor(im, 0, &x));
  const cf_onnx_const *w = NULL;
  CF_TRY(input_const(im, 1, &w));
  const cf_shape *xs = tshape(im, x);
  if (xs->rank != 1)
    return NODE_FAIL(im, CF_EUNSUPPORTED,
                     "input '%s' has rank %d (with batch: %d); flatten it "
                     "first",
                     im->m->tensors[x].name, xs->rank, xs->rank + 1);
  if (is_gemm && attr_int(im->node, "transA", 0) != 0)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "transA = 1");
  int transb = is_gemm ? (int)attr_int(im->node, "transB", 0) : 0;
  double alpha = is_gemm ? attr_float(im->node, "alpha", 1) : 1;
  double beta = is_gemm ? attr_float(im->node, "beta", 1) : 1;
  if (w->rank != 2) return NODE_FAIL(im, CF_EUNSUPPORTED, "weight of rank %d, expected 2", w->rank);
  int64_t k = transb ? w->dims[1] : w->dims[0], n = transb ? w->dims[0] : w->dims[1];
  if (k != xs->dims[0])
    return NODE_FAIL(im, CF_EFORMAT, "weight expects %lld inputs, tensor has %d", (long long)k,
                     xs->dims[0]);
  cf_shape os = {1, {(int)n}};
  cf_layer *l;
  CF_TRY(new_layer(im, CF_LAYER_DENSE, x, &os, &l));
  l->w = alloc_doubles((size_t)(n * k));
  l->b = alloc_doubles((size_t)n);
  if (!l->w || !l->b) return CF_FAIL(CF_ENOMEM, "no memory for dense weights");
  for (int64_t o = 0; o < n; o++)
    for (int64_t i = 0; i < k; i++)
      l->w[o * k + i] = alpha * w->data[transb ? o * k + i : i * n + o];
  if (is_gemm && im->node->n_input > 2 && im->node->input[2][0]) {
    const cf_onnx_const *c = NULL;
    CF_TRY(input_const(im, 2, &c));
    cf_status st = broadcast(im, c, &os, l->b);
    if (st != CF_OK) return st;
    for (int64_t o = 0; o < n; o++)
      l->b[o] *= beta;
  }
  return CF_OK;
}

static cf_status op_conv(importer *im) {
  static const char *const known[] = {"kernel_shape", "strides",  "pads", "dilations",
                                      "group",        "auto_pad", NULL};
  CF_TRY(check_attrs(im, known));
  int x;
  CF_TRY(input_tensor(im, 0, &x));
  const cf_onnx_const *w = NULL;
  CF_TRY(input_const(im, 1, &w));
  const cf_shape *xs = tshape(im, x);
  if (xs->rank != 3 || w->rank != 4)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "only 2-D convolution of a C x H x W tensor");
  if (attr_int(im->node, "group", 1) != 1)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "group = %lld",
                     (long long)attr_int(im->node, "group", 1));
  const Onnx__AttributeProto *ap = attr(im->node, "auto_pad");
  if (ap && ap->has_s && !(ap->s.len == 6 && memcmp(ap->s.data, "NOTSET", 6) == 0) &&
      !(ap->s.len == 5 && memcmp(ap->s.data, "VALID", 5) == 0))
    return NODE_FAIL(im, CF_EUNSUPPORTED, "auto_pad = %.*s", (int)ap->s.len, ap->s.data);
  int ks[2] = {(int)w->dims[2], (int)w->dims[3]}, st[2] = {1, 1}, dil[2] = {1, 1};
  int pads[4] = {0, 0, 0, 0};
  CF_TRY(attr_ints(im, "kernel_shape", 2, ks));
  CF_TRY(attr_ints(im, "strides", 2, st));
  CF_TRY(attr_ints(im, "dilations", 2, dil));
  CF_TRY(attr_ints(im, "pads", 4, pads));
  if (dil[0] != 1 || dil[1] != 1)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "dilations %d x %d", dil[0], dil[1]);
  if (ks[0] != w->dims[2] || ks[1] != w->dims[3] || w->dims[1] != xs->dims[0] || st[0] < 1 ||
      st[1] < 1)
    return NODE_FAIL(im, CF_EFORMAT, "%s", "kernel, stride or channel count inconsistent");
  int oh = (xs->dims[1] + pads[0] + pads[2] - ks[0]) / st[0] + 1;
  int ow = (xs->dims[2] + pads[1] + pads[3] - ks[1]) / st[1] + 1;
  if (oh < 1 || ow < 1 || w->dims[0] < 1 || w->dims[0] > 4096)
    return NODE_FAIL(im, CF_EFORMAT, "output would be %d x %d", oh, ow);
  cf_shape os = {3, {(int)w->dims[0], oh, ow}};
  cf_layer *l;
  CF_TRY(new_layer(im, CF_LAYER_CONV2D, x, &os, &l));
  l->kh = ks[0], l->kw = ks[1], l->stride_h = st[0], l->stride_w = st[1];
  l->pad_top = pads[0], l->pad_left = pads[1], l->pad_bottom = pads[2], l->pad_right = pads[3];
  l->w = alloc_doubles(w->count);
  l->b = alloc_doubles((size_t)w->dims[0]);
  if (!l->w || !l->b) return CF_FAIL(CF_ENOMEM, "no memory for conv weights");
  memcpy(l->w, w->data, sizeof(double) * w->count);
  if (im->node->n_input > 2 && im->node->input[2][0]) {
    const cf_onnx_const *b = NULL;
    CF_TRY(input_const(im, 2, &b));
    if (b->count != (size_t)w->dims[0])
      return NODE_FAIL(im, CF_EFORMAT, "bias has %zu values for %lld channels", b->count,
                       (long long)w->dims[0]);
    memcpy(l->b, b->data, sizeof(double) * b->count);
  }
  return CF_OK;
}

static cf_status op_pool(importer *im, int global) {
  static const char *const known[] = {"kernel_shape",      "strides",  "pads", "ceil_mode",
                                      "count_include_pad", "auto_pad", NULL};
  static const char *const none[] = {NULL};
  CF_TRY(check_attrs(im, global ? none : known));
  int x;
  CF_TRY(input_tensor(im, 0, &x));
  const cf_shape *xs = tshape(im, x);
  if (xs->rank != 3) return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "input is not C x H x W");
  int ks[2] = {xs->dims[1], xs->dims[2]}, st[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
  if (!global) {
    if (!attr(im->node, "kernel_shape"))
      return NODE_FAIL(im, CF_EFORMAT, "%s", "kernel_shape is required");
    CF_TRY(attr_ints(im, "kernel_shape", 2, ks));
    CF_TRY(attr_ints(im, "strides", 2, st));
    CF_TRY(attr_ints(im, "pads", 4, pads));
    const Onnx__AttributeProto *ap = attr(im->node, "auto_pad");
    if (ap && ap->has_s && !(ap->s.len == 6 && memcmp(ap->s.data, "NOTSET", 6) == 0))
      return NODE_FAIL(im, CF_EUNSUPPORTED, "auto_pad = %.*s", (int)ap->s.len, ap->s.data);
    if (attr_int(im->node, "ceil_mode", 0) != 0)
      return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "ceil_mode = 1");
    if ((pads[0] | pads[1] | pads[2] | pads[3]) && attr_int(im->node, "count_include_pad", 0) == 0)
      return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "padding with count_include_pad = 0");
  }
  if (ks[0] < 1 || ks[1] < 1 || st[0] < 1 || st[1] < 1)
    return NODE_FAIL(im, CF_EFORMAT, "kernel %d x %d, stride %d x %d", ks[0], ks[1], st[0], st[1]);
  int oh = (xs->dims[1] + pads[0] + pads[2] - ks[0]) / st[0] + 1;
  int ow = (xs->dims[2] + pads[1] + pads[3] - ks[1]) / st[1] + 1;
  if (oh < 1 || ow < 1) return NODE_FAIL(im, CF_EFORMAT, "output would be %d x %d", oh, ow);
  cf_shape os = {3, {xs->dims[0], oh, ow}};
  cf_layer *l;
  CF_TRY(new_layer(im, CF_LAYER_AVGPOOL, x, &os, &l));
  l->kh = ks[0], l->kw = ks[1], l->stride_h = st[0], l->stride_w = st[1];
  l->pad_top = pads[0], l->pad_left = pads[1], l->pad_bottom = pads[2], l->pad_right = pads[3];
  return CF_OK;
}

static cf_status op_batchnorm(importer *im) {
  static const char *const known[] = {"epsilon", "momentum", "training_mode",
                                      "spatial", "is_test",  NULL};
  CF_TRY(check_attrs(im, known));
  if (attr_int(im->node, "training_mode", 0) != 0 || attr_int(im->node, "is_test", 1) == 0)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "batch norm in training mode");
  if (attr_int(im->node, "spatial", 1) != 1)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "spatial = 0");
  int x;
  CF_TRY(input_tensor(im, 0, &x));
  const cf_onnx_const *p[4];
  for (int i = 0; i < 4; i++)
    CF_TRY(input_const(im, (size_t)i + 1, &p[i]));
  const cf_shape *xs = tshape(im, x);
  int c = xs->dims[0];
  size_t per = cf_shape_size(xs) / (size_t)c;
  for (int i = 0; i < 4; i++)
    if (p[i]->count != (size_t)c)
      return NODE_FAIL(im, CF_EFORMAT, "parameter %d has %zu values for %d channels", i + 1,
                       p[i]->count, c);
  double eps = attr_float(im->node, "epsilon", 1e-5);
  size_t n = cf_shape_size(xs);
  double *sc = alloc_doubles(n), *sh = alloc_doubles(n);
  if (!sc || !sh) {
    free(sc), free(sh);
    return CF_FAIL(CF_ENOMEM, "no memory");
  }
  for (int ch = 0; ch < c; ch++) {
    double var = p[3]->data[ch] + eps;
    if (!(var > 0)) {
      free(sc), free(sh);
      return NODE_FAIL(im, CF_EFORMAT, "variance + epsilon = %g for channel %d", var, ch);
    }
    double s = p[0]->data[ch] / sqrt(var), b = p[1]->data[ch] - p[2]->data[ch] * s;
    for (size_t i = 0; i < per; i++)
      sc[ch * per + i] = s, sh[ch * per + i] = b;
  }
  return affine_layer(im, x, sc, sh);
}

static cf_status reshape_to(importer *im, int x, const cf_shape *os) {
  if (cf_shape_size(os) != cf_shape_size(tshape(im, x)))
    return NODE_FAIL(im, CF_EFORMAT, "reshape of %zu elements to %zu", cf_shape_size(tshape(im, x)),
                     cf_shape_size(os));
  cf_layer *l;
  cf_shape s = *os;
  return new_layer(im, CF_LAYER_RESHAPE, x, &s, &l);
}

static cf_status op_flatten(importer *im) {
  static const char *const known[] = {"axis", NULL};
  CF_TRY(check_attrs(im, known));
  int x;
  CF_TRY(input_tensor(im, 0, &x));
  int64_t axis = attr_int(im->node, "axis", 1);
  if (axis != 1 && axis != 0)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "axis = %lld (batch must stay first)", (long long)axis);
  cf_shape os = {1, {(int)cf_shape_size(tshape(im, x))}};
  return reshape_to(im, x, &os);
}

static cf_status op_reshape(importer *im) {
  static const char *const known[] = {"allowzero", NULL};
  CF_TRY(check_attrs(im, known));
  int x;
  CF_TRY(input_tensor(im, 0, &x));
  const cf_onnx_const *shp = NULL;
  CF_TRY(input_const(im, 1, &shp));
  const cf_shape *xs = tshape(im, x);
  int64_t in[CF_MODEL_MAX_RANK + 1] = {im->m->batch}, out[CF_MODEL_MAX_RANK + 1];
  for (int i = 0; i < xs->rank; i++)
    in[i + 1] = xs->dims[i];
  int r = (int)shp->count, infer = -1;
  if (r != 2 && r != 4)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "target rank %d (need 2 or 4 with batch)", r);
  int64_t known_prod = 1;
  for (int i = 0; i < r; i++) {
    double v = shp->data[i];
    if (v == 0 && i <= xs->rank)
      out[i] = in[i];
    else if (v == -1 && infer < 0)
      infer = i, out[i] = 1;
    else if (v >= 1 && v <= (1 << 24))
      out[i] = (int64_t)v;
    else
      return NODE_FAIL(im, CF_EUNSUPPORTED, "target dimension %d is %g", i, v);
    known_prod *= out[i];
  }
  size_t total = cf_shape_size(xs) * (size_t)im->m->batch;
  if (infer >= 0) {
    if (known_prod <= 0 || total % (size_t)known_prod)
      return NODE_FAIL(im, CF_EFORMAT, "cannot infer a dimension of %zu elements", total);
    out[infer] = (int64_t)total / known_prod;
  }
  if (out[0] != im->m->batch)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "first (batch) dimension becomes %lld, not %d",
                     (long long)out[0], im->m->batch);
  cf_shape os = {r - 1, {0}};
  for (int i = 1; i < r; i++)
    os.dims[i - 1] = (int)out[i];
  return reshape_to(im, x, &os);
}

static cf_status op_alias(importer *im) {
  sym *a;
  CF_TRY(input_sym(im, 0, &a));
  const char *name;
  CF_TRY(output_name(im, 0, &name));
  if (a->kind == SYM_EXPR) return emit_expr(im, a->src, &a->expr);
  sym s = {.name = name, .kind = SYM_CONST, .tensor = -1, .c = a->c};
  s.c.data = alloc_doubles(a->c.count);
  if (!s.c.data) return CF_FAIL(CF_ENOMEM, "no memory");
  memcpy(s.c.data, a->c.data, sizeof(double) * a->c.count);
  cf_status st = push_sym(im, &s);
  if (st != CF_OK) free(s.c.data);
  return st;
}

static cf_status op_constant(importer *im) {
  const char *name;
  CF_TRY(output_name(im, 0, &name));
  if (im->node->n_attribute != 1)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "%zu attributes (expected one value)",
                     im->node->n_attribute);
  const Onnx__AttributeProto *a = im->node->attribute[0];
  const char *an = a->name ? a->name : "";
  sym s = {.name = name, .kind = SYM_CONST, .tensor = -1};
  if (strcmp(an, "value") == 0 && a->t) {
    char what[160];
    snprintf(what, sizeof what, "node '%s' (Constant)", im->node->name ? im->node->name : "");
    CF_TRY(cf_onnx_const_decode(a->t, what, &s.c));
  } else if ((strcmp(an, "value_float") == 0 && a->has_f) ||
             (strcmp(an, "value_int") == 0 && a->has_i)) {
    s.c.count = 1;
    s.c.data = alloc_doubles(1);
    if (!s.c.data) return CF_FAIL(CF_ENOMEM, "no memory");
    s.c.data[0] = a->has_f && an[6] == 'f' ? a->f : (double)a->i;
  } else if (strcmp(an, "value_floats") == 0 || strcmp(an, "value_ints") == 0) {
    int fl = an[6] == 'f';
    size_t n = fl ? a->n_floats : a->n_ints;
    s.c.rank = 1, s.c.dims[0] = (int64_t)n, s.c.count = n;
    s.c.data = alloc_doubles(n);
    if (!s.c.data) return CF_FAIL(CF_ENOMEM, "no memory");
    for (size_t i = 0; i < n; i++)
      s.c.data[i] = fl ? a->floats[i] : (double)a->ints[i];
  } else {
    return NODE_FAIL(im, CF_EUNSUPPORTED, "attribute '%s'", an);
  }
  cf_status st = push_sym(im, &s);
  if (st != CF_OK) free(s.c.data);
  return st;
}

static cf_status op_gelu(importer *im) {
  static const char *const known[] = {"approximate", NULL};
  CF_TRY(check_attrs(im, known));
  const Onnx__AttributeProto *ap = attr(im->node, "approximate");
  if (ap && ap->has_s && !(ap->s.len == 4 && memcmp(ap->s.data, "none", 4) == 0))
    return NODE_FAIL(im, CF_EUNSUPPORTED, "approximate = %.*s", (int)ap->s.len, ap->s.data);
  sym *a;
  CF_TRY(input_sym(im, 0, &a));
  if (a->kind == SYM_CONST) return NODE_FAIL(im, CF_EUNSUPPORTED, "%s", "constant input");
  /* 0.5 x (1 + erf(x / sqrt 2)) */
  cf_expr e = a->expr;
  int x = e.n - 1, b = e.n;
  if (e.n + 8 > CF_EXPR_MAX_NODES)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "elementwise chain longer than %d operations",
                     CF_EXPR_MAX_NODES);
  e.nodes[b + 0] = (cf_expr_node){CF_EX_CONST, -1, -1, M_SQRT1_2};
  e.nodes[b + 1] = (cf_expr_node){CF_EX_MUL, x, b + 0, 0};
  e.nodes[b + 2] = (cf_expr_node){CF_EX_ERF, b + 1, -1, 0};
  e.nodes[b + 3] = (cf_expr_node){CF_EX_CONST, -1, -1, 1};
  e.nodes[b + 4] = (cf_expr_node){CF_EX_ADD, b + 2, b + 3, 0};
  e.nodes[b + 5] = (cf_expr_node){CF_EX_CONST, -1, -1, 0.5};
  e.nodes[b + 6] = (cf_expr_node){CF_EX_MUL, b + 4, b + 5, 0};
  e.nodes[b + 7] = (cf_expr_node){CF_EX_MUL, x, b + 6, 0};
  e.n = b + 8;
  return emit_expr(im, a->src, &e);
}

static cf_status convert_node(importer *im) {
  const char *op = im->node->op_type ? im->node->op_type : "";
  if (im->node->domain && im->node->domain[0] && strcmp(im->node->domain, "ai.onnx") != 0)
    return NODE_FAIL(im, CF_EUNSUPPORTED, "operator domain '%s'", im->node->domain);
  static const struct {
    const char *name;
    cf_expr_op op;
  } unaries[] = {{"Relu", CF_EX_RELU}, {"Sigmoid", CF_EX_SIGMOID}, {"Tanh", CF_EX_TANH},
                 {"Erf", CF_EX_ERF},   {"Exp", CF_EX_EXP},         {"Sqrt", CF_EX_SQRT},
                 {"Neg", CF_EX_NEG}},
    binaries[] = {{"Add", CF_EX_ADD},
                  {"Sub", CF_EX_SUB},
                  {"Mul", CF_EX_MUL},
                  {"Div", CF_EX_DIV},
                  {"Pow", CF_EX_POW}};
  for (size_t i = 0; i < sizeof unaries / sizeof unaries[0]; i++)
    if (strcmp(op, unaries[i].name) == 0) {
      static const char *const none[] = {NULL};
      CF_TRY(check_attrs(im, none));
      return unary(im, unaries[i].op);
    }
  for (size_t i = 0; i < sizeof binaries / sizeof binaries[0]; i++)
    if (strcmp(op, binaries[i].name) == 0) {
      static const char *const none[] = {NULL};
      CF_TRY(check_attrs(im, none));
      return binary(im, binaries[i].op);
    }
  if (strcmp(op, "Gemm") == 0) return op_dense(im, 1);
  if (strcmp(op, "MatMul") == 0) return op_dense(im, 0);
  if (strcmp(op, "Conv") == 0) return op_conv(im);
  if (strcmp(op, "AveragePool") == 0) return op_pool(im, 0);
  if (strcmp(op, "GlobalAveragePool") == 0) return op_pool(im, 1);
  if (strcmp(op, "BatchNormalization") == 0) return op_batchnorm(im);
  if (strcmp(op, "Flatten") == 0) return op_flatten(im);
  if (strcmp(op, "Reshape") == 0) return op_reshape(im);
  if (strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0) return op_alias(im);
  if (strcmp(op, "Constant") == 0) return op_constant(im);
  if (strcmp(op, "Gelu") == 0) return op_gelu(im);
  return NODE_FAIL(im, CF_EUNSUPPORTED, "operator %s is not supported", op);
}

/* ---- graph inputs and the fold pass -------------------------------------- */

static cf_status graph_input(importer *im, const Onnx__ValueInfoProto *v) {
  const char *name = v->name ? v->name : "";
  const Onnx__TypeProto *tp = v->type;
  if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type ||
      !tp->tensor_type->shape)
    return CF_FAIL(CF_EUNSUPPORTED, "graph input '%s' is not a tensor of known shape", name);
  const Onnx__TensorShapeProto *s = tp->tensor_type->shape;
  if (s->n_dim != 2 && s->n_dim != 4)
    return CF_FAIL(CF_EUNSUPPORTED, "graph input '%s' has rank %zu (need N x F or N x C x H x W)",
                   name, s->n_dim);
  cf_shape shape = {(int)s->n_dim - 1, {0}};
  for (size_t i = 0; i < s->n_dim; i++) {
    const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
    int fixed = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    if (i == 0) {
      if (fixed && (d->dim_value < 1 || d->dim_value > (1 << 16)))
        return CF_FAIL(CF_EUNSUPPORTED, "graph input '%s' has batch size %lld", name,
                       (long long)d->dim_value);
      im->m->batch = fixed ? (int)d->dim_value : 1;
      continue;
    }
    if (!fixed || d->dim_value < 1 || d->dim_value > (1 << 20))
      return CF_FAIL(CF_EUNSUPPORTED, "graph input '%s' dimension %zu is not a fixed size", name,
                     i);
    shape.dims[i - 1] = (int)d->dim_value;
  }
  int t;
  CF_TRY(cf_model_add_tensor(im->m, name, &shape, &t));
  im->m->input = t;
  return push_tensor_sym(im, name, t);
}

static int uses(const cf_model *m, int tensor) {
  int n = m->output == tensor;
  for (int i = 0; i < m->nlayers; i++)
    n += (m->layers[i].in[0] == tensor) + (m->layers[i].in[1] == tensor);
  return n;
}

/* Folds an affine layer into the dense or conv layer producing its input. */
static void fold_affine(cf_model *m) {
  for (int i = 0; i < m->nlayers; i++) {
    cf_layer *a = &m->layers[i];
    if (a->kind != CF_LAYER_AFFINE) continue;
    cf_layer *p = NULL;
    for (int j = 0; j < i; j++)
      if (m->layers[j].out == a->in[0]) p = &m->layers[j];
    if (!p || uses(m, a->in[0]) != 1) continue;
    if (p->kind == CF_LAYER_DENSE) {
      int n = m->tensors[p->out].shape.dims[0];
      int k = (int)cf_shape_size(&m->tensors[p->in[0]].shape);
      for (int o = 0; o < n; o++) {
        for (int x = 0; x < k; x++)
          p->w[(size_t)o * k + x] *= a->scale[o];
        p->b[o] = p->b[o] * a->scale[o] + a->shift[o];
      }
    } else if (p->kind == CF_LAYER_CONV2D) {
      const cf_shape *os = &m->tensors[p->out].shape;
      size_t per = (size_t)os->dims[1] * os->dims[2];
      int uniform = 1;
      for (int c = 0; c < os->dims[0]; c++)
        for (size_t q = 1; q < per; q++)
          uniform &= a->scale[c * per + q] == a->scale[c * per] &&
                     a->shift[c * per + q] == a->shift[c * per];
      if (!uniform) continue;
      size_t wper = (size_t)m->tensors[p->in[0]].shape.dims[0] * p->kh * p->kw;
      for (int c = 0; c < os->dims[0]; c++) {
        for (size_t q = 0; q < wper; q++)
          p->w[c * wper + q] *= a->scale[c * per];
        p->b[c] = p->b[c] * a->scale[c * per] + a->shift[c * per];
      }
    } else {
      continue;
    }
    /* The producer now writes the affine layer's output tensor (it keeps the
     * later name, which calibration files refer to). */
    p->out = a->out;
    free(a->scale), free(a->shift), free(a->w), free(a->b), free(a->approx.cheb);
    memmove(a, a + 1, sizeof *a * (size_t)(m->nlayers - i - 1));
    m->nlayers--;
    i--;
  }
}

static cf_status import_graph(importer *im, const Onnx__ModelProto *mp, const char *what) {
  if (!mp->graph) return CF_FAIL(CF_EFORMAT, "%s: no graph", what);
  int opset = -1;
  for (size_t i = 0; i < mp->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
    if (!o->domain || !o->domain[0] || strcmp(o->domain, "ai.onnx") == 0)
      opset = o->has_version ? (int)o->version : -1;
  }
  if (opset < 1 || opset > MAX_OPSET)
    return CF_FAIL(CF_EVERSION, "%s: default-domain opset %d (supported: 1..%d)", what, opset,
                   MAX_OPSET);
  const Onnx__GraphProto *g = mp->graph;
  for (size_t i = 0; i < g->n_initializer; i++) {
    const Onnx__TensorProto *t = g->initializer[i];
    char w[160];
    snprintf(w, sizeof w, "%s: initializer '%s'", what, t->name ? t->name : "");
    if (!t->name) return CF_FAIL(CF_EFORMAT, "%s has no name", w);
    sym s = {.name = t->name, .kind = SYM_CONST, .tensor = -1};
    CF_TRY(cf_onnx_const_decode(t, w, &s.c));
    cf_status st = push_sym(im, &s);
    if (st != CF_OK) {
      free(s.c.data);
      return st;
    }
  }
  int ninputs = 0;
  for (size_t i = 0; i < g->n_input; i++) {
    if (!g->input[i]->name) return CF_FAIL(CF_EFORMAT, "%s: graph input without a name", what);
    if (find_sym(im, g->input[i]->name)) continue; /* an initializer listed as input */
    if (++ninputs > 1)
      return CF_FAIL(CF_EUNSUPPORTED, "%s: more than one data input ('%s')", what,
                     g->input[i]->name);
    CF_TRY(graph_input(im, g->input[i]));
  }
  if (ninputs == 0) return CF_FAIL(CF_EFORMAT, "%s: the graph has no data input", what);
  for (size_t i = 0; i < g->n_node; i++) {
    im->node = g->node[i];
    if (!im->node->op_type) return CF_FAIL(CF_EFORMAT, "%s: node %zu has no operator", what, i);
    Onnx__NodeProto *n = g->node[i];
    for (size_t k = 0; k < n->n_input; k++)
      if (!n->input[k]) return CF_FAIL(CF_EFORMAT, "%s: node %zu has a null input", what, i);
    CF_TRY(convert_node(im));
  }
  if (g->n_output != 1 || !g->output[0]->name)
    return CF_FAIL(CF_EUNSUPPORTED, "%s: %zu graph outputs (exactly one supported)", what,
                   g->n_output);
  sym *o = find_sym(im, g->output[0]->name);
  if (!o) return CF_FAIL(CF_EFORMAT, "%s: output '%s' is never produced", what, g->output[0]->name);
  static const Onnx__NodeProto out_node = {.name = "(graph output)", .op_type = "Output"};
  im->node = &out_node;
  CF_TRY(materialize(im, o, &im->m->output));
  if (im->m->output == im->m->input)
    return CF_FAIL(CF_EUNSUPPORTED, "%s: the model computes nothing", what);
  fold_affine(im->m);
  return CF_OK;
}

cf_status cf_onnx_load_buffer(const uint8_t *data, size_t len, const char *what, cf_model **out) {
  *out = NULL;
  Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, data);
  if (!mp) return CF_FAIL(CF_EFORMAT, "%s: not a valid ONNX protobuf (%zu bytes)", what, len);
  importer im = {0};
  cf_status st = cf_model_new(&im.m);
  if (st == CF_OK) st = import_graph(&im, mp, what);
  for (int i = 0; i < im.nsyms; i++)
    if (im.syms[i].kind == SYM_CONST) free(im.syms[i].c.data);
  free(im.syms);
  onnx__model_proto__free_unpacked(mp, NULL);
  if (st != CF_OK) {
    cf_model_free(im.m);
    return st;
  }
  *out = im.m;
  return CF_OK;
}

cf_status cf_onnx_load(const char *path, cf_model **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return CF_FAIL(CF_EIO, "cannot open %s: %s", path, strerror(errno));
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  cf_status st = CF_OK;
  for (;;) {
    if (len == cap) {
      cap = cap ? 2 * cap : 1 << 16;
      if (cap > ((size_t)1 << 31)) {
        st = CF_FAIL(CF_EUNSUPPORTED, "%s is larger than 2 GiB", path);
        break;
      }
      uint8_t *p = realloc(buf, cap);
      if (!p) {
        st = CF_FAIL(CF_ENOMEM, "no memory to read %s", path);
        break;
      }
      buf = p;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) st = CF_FAIL(CF_EIO, "error reading %s", path);
      break;
    }
  }
  fclose(f);
  if (st == CF_OK) st = cf_onnx_load_buffer(buf, len, path, out);
  free(buf);
  return st;
}
