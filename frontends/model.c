#include "frontends/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

size_t cf_shape_size(const cf_shape *s) {
  size_t n = 1;
  for (int i = 0; i < s->rank; i++)
    n *= (size_t)s->dims[i];
  return n;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

double cf_expr_eval(const cf_expr *e, double x) {
  double v[CF_EXPR_MAX_NODES];
  for (int i = 0; i < e->n; i++) {
    const cf_expr_node *n = &e->nodes[i];
    double a = n->a >= 0 ? v[n->a] : 0, b = n->b >= 0 ? v[n->b] : 0;
    switch (n->op) {
    case CF_EX_VAR: v[i] = x; break;
    case CF_EX_CONST: v[i] = n->value; break;
    case CF_EX_ADD: v[i] = a + b; break;
    case CF_EX_SUB: v[i] = a - b; break;
    case CF_EX_MUL: v[i] = a * b; break;
    case CF_EX_DIV: v[i] = a / b; break;
    case CF_EX_POW: v[i] = pow(a, b); break;
    case CF_EX_NEG: v[i] = -a; break;
    case CF_EX_SIGMOID: v[i] = sigmoid(a); break;
    case CF_EX_TANH: v[i] = tanh(a); break;
    case CF_EX_ERF: v[i] = erf(a); break;
    case CF_EX_RELU: v[i] = a > 0 ? a : 0; break;
    case CF_EX_EXP: v[i] = exp(a); break;
    case CF_EX_SQRT: v[i] = sqrt(a); break;
    }
  }
  return e->n > 0 ? v[e->n - 1] : x;
}

enum { POLY_CAP = 64 };
typedef struct poly {
  int deg; /* -1: not a polynomial */
  double c[POLY_CAP];
} poly;

static void poly_mul(const poly *p, const poly *q, poly *r, int max_degree) {
  poly t = {.deg = p->deg + q->deg};
  if (p->deg < 0 || q->deg < 0 || t.deg > max_degree || t.deg >= POLY_CAP) {
    r->deg = -1;
    return;
  }
  memset(t.c, 0, sizeof t.c);
  for (int i = 0; i <= p->deg; i++)
    for (int j = 0; j <= q->deg; j++)
      t.c[i + j] += p->c[i] * q->c[j];
  *r = t;
}

int cf_expr_as_poly(const cf_expr *e, int max_degree, double *c, int *degree) {
  if (max_degree >= POLY_CAP) max_degree = POLY_CAP - 1;
  static const poly none = {.deg = -1};
  poly *v = malloc(sizeof(poly) * (size_t)(e->n > 0 ? e->n : 1));
  if (!v) return 0;
  for (int i = 0; i < e->n; i++) {
    const cf_expr_node *n = &e->nodes[i];
    const poly *a = n->a >= 0 ? &v[n->a] : &none, *b = n->b >= 0 ? &v[n->b] : &none;
    poly *r = &v[i];
    memset(r, 0, sizeof *r);
    switch (n->op) {
    case CF_EX_VAR: r->deg = 1, r->c[1] = 1; break;
    case CF_EX_CONST: r->deg = 0, r->c[0] = n->value; break;
    case CF_EX_ADD:
    case CF_EX_SUB:
      if (a->deg < 0 || b->deg < 0) {
        r->deg = -1;
        break;
      }
      r->deg = a->deg > b->deg ? a->deg : b->deg;
      for (int k = 0; k <= r->deg; k++)
        r->c[k] = (k <= a->deg ? a->c[k] : 0) +
                  (n->op == CF_EX_ADD ? 1 : -1) * (k <= b->deg ? b->c[k] : 0);
      break;
    case CF_EX_MUL: poly_mul(a, b, r, max_degree); break;
    case CF_EX_DIV:
      if (a->deg < 0 || b->deg != 0 || b->c[0] == 0) {
        r->deg = -1;
        break;
      }
      *r = *a;
      for (int k = 0; k <= r->deg; k++)
        r->c[k] /= b->c[0];
      break;
    case CF_EX_NEG:
      *r = *a;
      for (int k = 0; k <= r->deg; k++)
        r->c[k] = -r->c[k];
      break;
    case CF_EX_POW: {
      double p = b->deg == 0 ? b->c[0] : -1;
      if (a->deg < 0 || p < 0 || p != floor(p) || p > max_degree) {
        r->deg = -1;
        break;
      }
      poly acc = {.deg = 0, .c = {1}};
      for (int k = 0; k < (int)p && acc.deg >= 0; k++)
        poly_mul(&acc, a, &acc, max_degree);
      *r = acc;
      break;
    }
    default: r->deg = -1; break;
    }
  }
  int ok = e->n > 0 && v[e->n - 1].deg >= 0;
  if (ok) {
    const poly *r = &v[e->n - 1];
    int d = r->deg;
    while (d > 0 && r->c[d] == 0)
      d--;
    *degree = d;
    memcpy(c, r->c, sizeof(double) * (size_t)(d + 1));
  }
  free(v);
  return ok;
}

static const char *expr_fn_name(cf_expr_op op) {
  switch (op) {
  case CF_EX_SIGMOID: return "sigmoid";
  case CF_EX_TANH: return "tanh";
  case CF_EX_ERF: return "erf";
  case CF_EX_RELU: return "relu";
  case CF_EX_EXP: return "exp";
  case CF_EX_SQRT: return "sqrt";
  default: return NULL;
  }
}

static void expr_str_at(const cf_expr *e, int i, char *buf, size_t len) {
  const cf_expr_node *n = &e->nodes[i];
  char a[256] = "", b[256] = "";
  if (n->a >= 0) expr_str_at(e, n->a, a, sizeof a);
  if (n->b >= 0) expr_str_at(e, n->b, b, sizeof b);
  static const char ops[] = {[CF_EX_ADD] = '+',
                             [CF_EX_SUB] = '-',
                             [CF_EX_MUL] = '*',
                             [CF_EX_DIV] = '/',
                             [CF_EX_POW] = '^'};
  switch (n->op) {
  case CF_EX_VAR: snprintf(buf, len, "x"); break;
  case CF_EX_CONST: snprintf(buf, len, "%.6g", n->value); break;
  case CF_EX_NEG: snprintf(buf, len, "-(%s)", a); break;
  case CF_EX_ADD:
  case CF_EX_SUB:
  case CF_EX_MUL:
  case CF_EX_DIV:
  case CF_EX_POW: snprintf(buf, len, "(%s%c%s)", a, ops[n->op], b); break;
  default: snprintf(buf, len, "%s(%s)", expr_fn_name(n->op), a); break;
  }
}

const char *cf_expr_str(const cf_expr *e, char *buf, size_t len) {
  if (len == 0) return buf;
  if (e->n == 0)
    snprintf(buf, len, "x");
  else
    expr_str_at(e, e->n - 1, buf, len);
  return buf;
}

const char *cf_layer_kind_name(cf_layer_kind k) {
  switch (k) {
  case CF_LAYER_DENSE: return "dense";
  case CF_LAYER_CONV2D: return "conv2d";
  case CF_LAYER_AVGPOOL: return "avgpool";
  case CF_LAYER_ACTIVATION: return "activation";
  case CF_LAYER_AFFINE: return "affine";
  case CF_LAYER_ADD: return "add";
  case CF_LAYER_RESHAPE: return "reshape";
  }
  return "?";
}

void cf_model_free(cf_model *m) {
  if (!m) return;
  for (int i = 0; i < m->nlayers; i++) {
    cf_layer *l = &m->layers[i];
    free(l->w);
    free(l->b);
    free(l->scale);
    free(l->shift);
    free(l->approx.cheb);
  }
  free(m->layers);
  free(m->tensors);
  free(m->range_lo);
  free(m->range_hi);
  free(m);
}

cf_status cf_model_new(cf_model **out) {
  *out = calloc(1, sizeof **out);
  if (!*out) return CF_FAIL(CF_ENOMEM, "no memory for a model");
  (*out)->input = (*out)->output = -1;
  (*out)->batch = 1;
  return CF_OK;
}

static void copy_name(char *dst, const char *src) {
  snprintf(dst, CF_MODEL_NAME_LEN, "%s", src ? src : "");
}

cf_status cf_model_add_tensor(cf_model *m, const char *name, const cf_shape *shape, int *id) {
  if (shape->rank != 1 && shape->rank != 3)
    return CF_FAIL(CF_EUNSUPPORTED, "tensor '%s' has rank %d; only 1 or 3 (without batch)", name,
                   shape->rank);
  for (int i = 0; i < shape->rank; i++)
    if (shape->dims[i] <= 0 || shape->dims[i] > (1 << 20))
      return CF_FAIL(CF_EUNSUPPORTED, "tensor '%s' has dimension %d of size %d", name, i,
                     shape->dims[i]);
  if (cf_shape_size(shape) > (1u << 24))
    return CF_FAIL(CF_EUNSUPPORTED, "tensor '%s' has %zu elements, more than 2^24", name,
                   cf_shape_size(shape));
  int n = m->ntensors + 1;
  cf_tensor_info *t = realloc(m->tensors, sizeof *t * (size_t)n);
  double *lo = realloc(m->range_lo, sizeof *lo * (size_t)n);
  if (lo) m->range_lo = lo;
  double *hi = realloc(m->range_hi, sizeof *hi * (size_t)n);
  if (hi) m->range_hi = hi;
  if (t) m->tensors = t;
  if (!t || !lo || !hi) return CF_FAIL(CF_ENOMEM, "no memory for tensor '%s'", name);
  copy_name(t[n - 1].name, name);
  t[n - 1].shape = *shape;
  lo[n - 1] = 1, hi[n - 1] = 0;
  *id = m->ntensors++;
  return CF_OK;
}

cf_status cf_model_add_layer(cf_model *m, cf_layer_kind k, const char *name, cf_layer **out) {
  cf_layer *l = realloc(m->layers, sizeof *l * (size_t)(m->nlayers + 1));
  if (!l) return CF_FAIL(CF_ENOMEM, "no memory for layer '%s'", name);
  m->layers = l;
  l = &m->layers[m->nlayers++];
  memset(l, 0, sizeof *l);
  l->kind = k;
  copy_name(l->name, name);
  l->in[0] = l->in[1] = l->out = -1;
  *out = l;
  return CF_OK;
}

int cf_model_find_tensor(const cf_model *m, const char *name) {
  for (int i = 0; i < m->ntensors; i++)
    if (strncmp(m->tensors[i].name, name, CF_MODEL_NAME_LEN - 1) == 0) return i;
  return -1;
}

cf_status cf_model_load_calibration(cf_model *m, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return CF_FAIL(CF_EIO, "cannot open calibration file %s: %s", path, strerror(errno));
  char line[512];
  int lineno = 0;
  cf_status st = CF_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char name[256];
    double lo, hi;
    char *p = line + strspn(line, " \t");
    if (*p == '#' || *p == '\n' || *p == 0) continue;
    if (sscanf(p, "%255s %lf %lf", name, &lo, &hi) != 3 || !(lo <= hi) || !isfinite(lo) ||
        !isfinite(hi)) {
      st = CF_FAIL(CF_EFORMAT, "%s:%d: expected 'TENSOR MIN MAX' with MIN <= MAX", path, lineno);
      break;
    }
    int id = cf_model_find_tensor(m, name);
    if (id < 0) {
      st = CF_FAIL(CF_ENOTFOUND, "%s:%d: no tensor named '%s' in the model", path, lineno, name);
      break;
    }
    m->range_lo[id] = lo, m->range_hi[id] = hi;
  }
  fclose(f);
  return st;
}

void cf_model_print(const cf_model *m, void *fp) {
  FILE *f = fp;
  for (int i = 0; i < m->nlayers; i++) {
    const cf_layer *l = &m->layers[i];
    const cf_shape *s = &m->tensors[l->out].shape;
    fprintf(f, "  %-10s %-16s -> %-12s [", cf_layer_kind_name(l->kind), l->name,
            m->tensors[l->out].name);
    for (int d = 0; d < s->rank; d++)
      fprintf(f, "%s%d", d ? "x" : "", s->dims[d]);
    fprintf(f, "]");
    if (l->kind == CF_LAYER_ACTIVATION) {
      char buf[256];
      fprintf(f, " f(x) = %s", cf_expr_str(&l->act, buf, sizeof buf));
    }
    fprintf(f, "\n");
  }
}
