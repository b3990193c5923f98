/* Program storage and strict typing: every node is checked when built. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

static const char *const op_names[CF_OP_COUNT] = {
    "input",   "plaintext",  "const",  "add",  "sub",    "neg",  "mul",      "relin",
    "rescale", "level_drop", "rotate", "conj", "linear", "poly", "bootstrap"};

const char *cf_op_name(cf_op op) { return op < CF_OP_COUNT ? op_names[op] : "?"; }

int cf_op_from_name(const char *s, size_t len) {
  for (int i = 0; i < CF_OP_COUNT; i++)
    if (strlen(op_names[i]) == len && memcmp(op_names[i], s, len) == 0) return i;
  return -1;
}

cf_status cf_program_create(const cf_chain *chain, int manage, cf_program **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "output pointer is NULL");
  *out = NULL;
  CF_TRY(cf_chain_check(chain));
  if (manage != CF_MANAGE_NONE && manage != CF_MANAGE_AUTO)
    return CF_FAIL(CF_EINVAL, "manage must be CF_MANAGE_NONE or CF_MANAGE_AUTO, got %d", manage);
  cf_program *p = calloc(1, sizeof *p);
  if (!p) return CF_FAIL(CF_ENOMEM, "program");
  p->chain = *chain;
  p->manage = manage;
  *out = p;
  return CF_OK;
}

cf_status cf_program_new_like(const cf_program *in, cf_program **out) {
  return cf_program_create(&in->chain, in->manage, out);
}

void cf_node_free(cf_node *n) {
  free(n->name);
  free(n->data);
  free(n->rots);
  free(n->pts);
  free(n->coeffs);
  n->name = NULL, n->data = NULL, n->rots = NULL, n->pts = NULL, n->coeffs = NULL;
}

void cf_program_destroy(cf_program *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n; i++)
    cf_node_free(&p->nodes[i]);
  for (size_t i = 0; i < p->nout; i++)
    free(p->outs[i].name);
  free(p->nodes);
  free(p->outs);
  free(p);
}

const cf_chain *cf_program_chain(const cf_program *p) { return p ? &p->chain : NULL; }
size_t cf_program_nnodes(const cf_program *p) { return p ? p->n : 0; }

void cf_node_init(cf_node *n, cf_op op) {
  memset(n, 0, sizeof *n);
  n->op = op;
  n->args[0] = n->args[1] = -1;
}

static void *dup_mem(const void *src, size_t bytes) {
  if (!src || !bytes) return NULL;
  void *d = malloc(bytes);
  if (d) memcpy(d, src, bytes);
  return d;
}

cf_status cf_node_clone_data(cf_node *dst, const cf_node *src) {
  dst->name = src->name ? dup_mem(src->name, strlen(src->name) + 1) : NULL;
  dst->data = dup_mem(src->data, src->data ? src->type.slots * sizeof(double) : 0);
  dst->rots = dup_mem(src->rots, src->nterms * sizeof(int));
  dst->pts = dup_mem(src->pts, src->nterms * sizeof(cf_value));
  dst->coeffs = dup_mem(src->coeffs, src->ncoeffs * sizeof(double));
  if ((src->name && !dst->name) || (src->data && !dst->data) || (src->rots && !dst->rots) ||
      (src->pts && !dst->pts) || (src->coeffs && !dst->coeffs)) {
    cf_node_free(dst);
    return CF_FAIL(CF_ENOMEM, "node attributes");
  }
  return CF_OK;
}

static bool valid_name(const char *s) {
  if (!s || !*s || strlen(s) > 128) return false;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  }
  return true;
}

#define NODE_FAIL(st, p, n, ...) node_fail((st), __FILE__, __LINE__, (p), (n), __VA_ARGS__)

static cf_status node_fail(cf_status st, const char *file, int line, const cf_program *p,
                           const cf_node *n, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#include <stdarg.h>
#include <stdio.h>
static cf_status node_fail(cf_status st, const char *file, int line, const cf_program *p,
                           const cf_node *n, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return cf_error_at(st, file, line, "node %%%zu %s: %s", p->n, cf_op_name(n->op), msg);
}

static const cf_type *arg_type(const cf_program *p, cf_value v) { return &p->nodes[v].type; }

static double level_log2(const cf_chain *c, int level) {
  double v = 0;
  for (int i = 0; i <= level; i++)
    v += log2((double)c->q[i]);
  return v;
}

/* The scale must leave room for the message below the modulus. */
static cf_status check_scale_room(const cf_program *p, const cf_node *n, const cf_type *t) {
  double s = cf_scale_log2(&p->chain, &t->scale), q = level_log2(&p->chain, t->level);
  if (s < 1.0) return NODE_FAIL(CF_ESCALE, p, n, "scale 2^%.1f is below 2^1; precision is lost", s);
  if (s + 1.0 > q)
    return NODE_FAIL(CF_ELEVEL, p, n,
                     "level exhausted: scale 2^%.1f does not fit the modulus 2^%.1f at level %d", s,
                     q, t->level);
  return CF_OK;
}

/* Exact scales double their exponents with every squaring. */
static cf_status scale_overflow(const cf_program *p, const cf_node *n) {
  return NODE_FAIL(CF_ESCALE, p, n,
                   "exact scale out of range: a prime exponent would pass %d or the power of two "
                   "2^%d (too many products in a row without a bootstrap)",
                   CF_SCALE_EMAX, CF_SCALE_LOG2MAX);
}

static cf_status need_ct(const cf_program *p, const cf_node *n, int i, int polys) {
  const cf_type *t = arg_type(p, n->args[i]);
  if (t->kind != CF_KIND_CT)
    return NODE_FAIL(CF_EINVAL, p, n,
                     "wrong value kind: operand %%%d is a %s, expected a ciphertext", n->args[i],
                     t->kind == CF_KIND_PT ? "plaintext" : "constant");
  if (polys == 2 && t->polys != 2)
    return NODE_FAIL(CF_EINVAL, p, n, "operand %%%d has 3 polynomials; relinearize it first",
                     n->args[i]);
  return CF_OK;
}

static cf_status infer(const cf_program *p, cf_node *n) {
  const cf_chain *c = &p->chain;
  int need = 0;
  switch (n->op) {
  case CF_OP_INPUT:
  case CF_OP_PLAINTEXT:
  case CF_OP_CONST: need = 0; break;
  case CF_OP_ADD:
  case CF_OP_SUB:
  case CF_OP_MUL: need = 2; break;
  default: need = 1;
  }
  if (n->nargs != need)
    return NODE_FAIL(CF_EINVAL, p, n, "takes %d operands, got %d", need, n->nargs);
  for (int i = 0; i < need; i++)
    if (n->args[i] < 0 || (size_t)n->args[i] >= p->n)
      return NODE_FAIL(CF_EINVAL, p, n, "operand %%%d is not defined before this node", n->args[i]);
  cf_type *t = &n->type;
  const cf_type *a = need ? arg_type(p, n->args[0]) : NULL;
  const cf_type *b = need == 2 ? arg_type(p, n->args[1]) : NULL;
  switch (n->op) {
  case CF_OP_INPUT:
    if (!valid_name(n->name))
      return NODE_FAIL(CF_EINVAL, p, n, "input name must be 1..128 of [A-Za-z0-9_.-]");
    if (t->level < 0 || (uint32_t)t->level >= c->nq)
      return NODE_FAIL(CF_ELEVEL, p, n, "input level %d outside 0..%u", t->level, c->nq - 1);
    if (t->slots < 1 || t->slots > c->slots || (t->slots & (t->slots - 1)))
      return NODE_FAIL(CF_EINVAL, p, n, "slots %u must be a power of two up to %u", t->slots,
                       c->slots);
    t->kind = CF_KIND_CT;
    if (t->polys != 3) t->polys = 2;
    return check_scale_room(p, n, t);
  case CF_OP_PLAINTEXT:
    if (!valid_name(n->name))
      return NODE_FAIL(CF_EINVAL, p, n, "plaintext name must be 1..128 of [A-Za-z0-9_.-]");
    if (t->slots < 1 || t->slots > c->slots || (t->slots & (t->slots - 1)))
      return NODE_FAIL(CF_EINVAL, p, n, "slots %u must be a power of two up to %u", t->slots,
                       c->slots);
    if (n->data_kind == CF_DATA_INLINE && !n->data)
      return NODE_FAIL(CF_EINVAL, p, n, "inline plaintext without data");
    if (n->data)
      for (uint32_t i = 0; i < t->slots; i++)
        if (!isfinite(n->data[i]))
          return NODE_FAIL(CF_EINVAL, p, n, "plaintext value %u is not finite", i);
    t->kind = CF_KIND_PT, t->level = -1, t->polys = 0;
    return CF_OK;
  case CF_OP_CONST:
    if (!isfinite(n->cval)) return NODE_FAIL(CF_EINVAL, p, n, "constant is not finite");
    memset(t, 0, sizeof *t);
    t->kind = CF_KIND_CONST, t->level = -1;
    return CF_OK;
  case CF_OP_ADD:
  case CF_OP_SUB:
    CF_TRY(need_ct(p, n, 0, 0));
    *t = *a;
    if (b->kind == CF_KIND_CT) {
      if (a->level != b->level)
        return NODE_FAIL(CF_ELEVEL, p, n, "operands at different levels: %%%d at %d, %%%d at %d",
                         n->args[0], a->level, n->args[1], b->level);
      if (!cf_scale_eq(&a->scale, &b->scale)) {
        char s1[256], s2[256];
        cf_scale_format(&a->scale, s1, sizeof s1), cf_scale_format(&b->scale, s2, sizeof s2);
        return NODE_FAIL(CF_ESCALE, p, n, "operands at different scales: %%%d at %s, %%%d at %s",
                         n->args[0], s1, n->args[1], s2);
      }
      if (a->polys != b->polys)
        return NODE_FAIL(CF_EINVAL, p, n, "operands have %d and %d polynomials", a->polys,
                         b->polys);
    } else if (b->kind == CF_KIND_PT && b->slots != a->slots) {
      return NODE_FAIL(CF_EINVAL, p, n, "slot counts differ: %u and %u", a->slots, b->slots);
    }
    if (b->kind == CF_KIND_CT && b->slots != a->slots)
      return NODE_FAIL(CF_EINVAL, p, n, "slot counts differ: %u and %u", a->slots, b->slots);
    return CF_OK;
  case CF_OP_NEG:
    CF_TRY(need_ct(p, n, 0, 0));
    *t = *a;
    return CF_OK;
  case CF_OP_MUL:
    CF_TRY(need_ct(p, n, 0, 2));
    *t = *a;
    if (b->kind == CF_KIND_CT) {
      CF_TRY(need_ct(p, n, 1, 2));
      if (a->level != b->level)
        return NODE_FAIL(CF_ELEVEL, p, n, "operands at different levels: %%%d at %d, %%%d at %d",
                         n->args[0], a->level, n->args[1], b->level);
      if (a->slots != b->slots)
        return NODE_FAIL(CF_EINVAL, p, n, "slot counts differ: %u and %u", a->slots, b->slots);
      if (!cf_scale_mul(&t->scale, &a->scale, &b->scale)) return scale_overflow(p, n);
      t->polys = 3;
      memset(&n->pscale, 0, sizeof n->pscale);
    } else {
      if (b->kind == CF_KIND_PT && b->slots != a->slots)
        return NODE_FAIL(CF_EINVAL, p, n, "slot counts differ: %u and %u", a->slots, b->slots);
      if (!cf_scale_mul(&t->scale, &a->scale, &n->pscale)) return scale_overflow(p, n);
    }
    return check_scale_room(p, n, t);
  case CF_OP_RELIN:
    CF_TRY(need_ct(p, n, 0, 0));
    if (a->polys != 3)
      return NODE_FAIL(CF_EINVAL, p, n, "operand %%%d has 2 polynomials; nothing to relinearize",
                       n->args[0]);
    *t = *a;
    t->polys = 2;
    return CF_OK;
  case CF_OP_RESCALE:
    CF_TRY(need_ct(p, n, 0, 0));
    if (a->level < 1)
      return NODE_FAIL(CF_ELEVEL, p, n, "level exhausted: operand %%%d is at level 0", n->args[0]);
    *t = *a;
    t->level = (int16_t)(a->level - 1);
    if (!cf_scale_mul_q(&t->scale, a->level, -1)) return scale_overflow(p, n);
    return check_scale_room(p, n, t);
  case CF_OP_LEVEL_DROP:
    CF_TRY(need_ct(p, n, 0, 0));
    if (n->level_to < 0 || n->level_to >= a->level)
      return NODE_FAIL(CF_ELEVEL, p, n, "target level %d must be in 0..%d (below operand %%%d)",
                       n->level_to, a->level - 1, n->args[0]);
    *t = *a;
    t->level = (int16_t)n->level_to;
    return check_scale_room(p, n, t);
  case CF_OP_ROTATE:
    CF_TRY(need_ct(p, n, 0, 2));
    if (n->k % (int)a->slots == 0)
      return NODE_FAIL(CF_EINVAL, p, n, "rotation by zero (k=%d, %u slots)", n->k, a->slots);
    *t = *a;
    return CF_OK;
  case CF_OP_CONJ:
    CF_TRY(need_ct(p, n, 0, 2));
    *t = *a;
    return CF_OK;
  case CF_OP_LINEAR:
    CF_TRY(need_ct(p, n, 0, 2));
    if (n->nterms < 1) return NODE_FAIL(CF_EINVAL, p, n, "needs at least one term");
    for (size_t i = 0; i < n->nterms; i++) {
      cf_value v = n->pts[i];
      if (v < 0 || (size_t)v >= p->n)
        return NODE_FAIL(CF_EINVAL, p, n, "term %zu: plaintext %%%d is not defined", i, v);
      if (p->nodes[v].type.kind != CF_KIND_PT)
        return NODE_FAIL(CF_EINVAL, p, n, "wrong value kind: term %zu uses %%%d, not a plaintext",
                         i, v);
      if (p->nodes[v].type.slots != a->slots)
        return NODE_FAIL(CF_EINVAL, p, n, "term %zu: slot counts differ: %u and %u", i,
                         p->nodes[v].type.slots, a->slots);
    }
    *t = *a;
    if (!cf_scale_mul(&t->scale, &a->scale, &n->pscale)) return scale_overflow(p, n);
    return check_scale_room(p, n, t);
  case CF_OP_POLY: {
    CF_TRY(need_ct(p, n, 0, 2));
    if (n->ncoeffs < 2 || n->ncoeffs > 1025)
      return NODE_FAIL(CF_EINVAL, p, n, "needs 2..1025 coefficients, got %zu", n->ncoeffs);
    if (n->basis != CF_BASIS_POWER && n->basis != CF_BASIS_CHEBYSHEV)
      return NODE_FAIL(CF_EINVAL, p, n, "unknown basis %d", n->basis);
    if (!(n->a < n->b) || !isfinite(n->a) || !isfinite(n->b))
      return NODE_FAIL(CF_EINVAL, p, n, "interval [%g, %g] is empty", n->a, n->b);
    for (size_t i = 0; i < n->ncoeffs; i++)
      if (!isfinite(n->coeffs[i]))
        return NODE_FAIL(CF_EINVAL, p, n, "coefficient %zu is not finite", i);
    /* The type is what the expansion produces: expand into a scratch program. */
    cf_program *s = NULL;
    CF_TRY(cf_program_create(&p->chain, CF_MANAGE_AUTO, &s));
    cf_value x, y;
    cf_status st = cf_program_input_typed(s, "x", a, &x);
    if (st == CF_OK) st = cf_poly_expand(s, x, n, &y);
    if (st == CF_OK) *t = s->nodes[y].type;
    cf_program_destroy(s);
    if (st != CF_OK)
      return NODE_FAIL(st, p, n, "cannot be evaluated from level %d: %s", a->level,
                       cf_last_error());
    return CF_OK;
  }
  case CF_OP_BOOTSTRAP:
    CF_TRY(need_ct(p, n, 0, 2));
    if (n->level_to < 1 || (uint32_t)n->level_to >= c->nq)
      return NODE_FAIL(CF_ELEVEL, p, n, "target level %d outside 1..%u", n->level_to, c->nq - 1);
    *t = *a;
    t->level = (int16_t)n->level_to;
    cf_scale_pow2(&t->scale, c->scale_log2);
    return check_scale_room(p, n, t);
  default: return NODE_FAIL(CF_EINVAL, p, n, "unknown operation %d", (int)n->op);
  }
}

cf_status cf_program_append(cf_program *p, cf_node *tmpl, cf_value *out) {
  if (p->n >= (size_t)INT32_MAX - 1) return CF_FAIL(CF_ENOMEM, "program has too many nodes");
  cf_status st = infer(p, tmpl);
  if (st != CF_OK) {
    cf_node_free(tmpl);
    return st;
  }
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    cf_node *nn = realloc(p->nodes, cap * sizeof *nn);
    if (!nn) {
      cf_node_free(tmpl);
      return CF_FAIL(CF_ENOMEM, "program nodes");
    }
    p->nodes = nn, p->cap = cap;
  }
  p->nodes[p->n] = *tmpl;
  if (out) *out = (cf_value)p->n;
  p->n++;
  return CF_OK;
}

cf_status cf_program_append_copy(cf_program *p, const cf_node *src, const cf_value *args,
                                 cf_value *out) {
  cf_node n = *src;
  n.name = NULL, n.data = NULL, n.rots = NULL, n.pts = NULL, n.coeffs = NULL;
  CF_TRY(cf_node_clone_data(&n, src));
  for (int i = 0; i < n.nargs; i++)
    n.args[i] = args[i];
  return cf_program_append(p, &n, out);
}

cf_status cf_program_append_mapped(cf_program *p, const cf_node *src, const cf_value *map,
                                   cf_value *out) {
  cf_node n = *src;
  n.name = NULL, n.data = NULL, n.rots = NULL, n.pts = NULL, n.coeffs = NULL;
  CF_TRY(cf_node_clone_data(&n, src));
  for (int i = 0; i < n.nargs; i++)
    n.args[i] = map[src->args[i]];
  for (size_t i = 0; i < n.nterms; i++)
    n.pts[i] = map[src->pts[i]];
  return cf_program_append(p, &n, out);
}

cf_status cf_program_input_typed(cf_program *p, const char *name, const cf_type *t, cf_value *out) {
  cf_node n;
  cf_node_init(&n, CF_OP_INPUT);
  n.type = *t;
  n.name = strdup(name);
  if (!n.name) return CF_FAIL(CF_ENOMEM, "input name");
  return cf_program_append(p, &n, out);
}

cf_status cf_program_add_output(cf_program *p, const char *name, cf_value v) {
  if (!valid_name(name)) return CF_FAIL(CF_EINVAL, "output name must be 1..128 of [A-Za-z0-9_.-]");
  if (v < 0 || (size_t)v >= p->n)
    return CF_FAIL(CF_EINVAL, "output '%s': %%%d is not defined", name, v);
  if (p->nodes[v].type.kind != CF_KIND_CT)
    return CF_FAIL(CF_EINVAL, "output '%s': %%%d is not a ciphertext", name, v);
  for (size_t i = 0; i < p->nout; i++)
    if (strcmp(p->outs[i].name, name) == 0)
      return CF_FAIL(CF_EINVAL, "output '%s' is declared twice", name);
  if (p->nout == p->outcap) {
    size_t cap = p->outcap ? p->outcap * 2 : 8;
    cf_output *o = realloc(p->outs, cap * sizeof *o);
    if (!o) return CF_FAIL(CF_ENOMEM, "outputs");
    p->outs = o, p->outcap = cap;
  }
  p->outs[p->nout].name = strdup(name);
  if (!p->outs[p->nout].name) return CF_FAIL(CF_ENOMEM, "output name");
  p->outs[p->nout++].v = v;
  return CF_OK;
}

cf_status cf_program_value_info(const cf_program *p, cf_value v, cf_value_info *info) {
  if (!p || !info) return CF_FAIL(CF_EINVAL, "program or info is NULL");
  if (v < 0 || (size_t)v >= p->n)
    return CF_FAIL(CF_EINVAL, "%%%d is not a value of the program", v);
  const cf_type *t = &p->nodes[v].type;
  info->kind = t->kind;
  info->level = t->level;
  info->scale = t->kind == CF_KIND_CT ? cf_scale_value(&p->chain, &t->scale) : 0.0;
  info->slots = t->slots;
  info->polys = t->polys;
  return CF_OK;
}
