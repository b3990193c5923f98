/* Parser of the program text. Every error names the line and column and
 * what was expected; nodes are typed by the builder and the written type must
 * match the inferred one exactly, so print(parse(text)) == text. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

typedef struct ps {
  const char *s;
  size_t len, pos, line_start;
  int line;
} ps;

#define PFAIL(x, ...) perr((x), __FILE__, __LINE__, __VA_ARGS__)

static cf_status perr(const ps *x, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static cf_status perr(const ps *x, const char *file, int line, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return cf_error_at(CF_EFORMAT, file, line, "line %d, column %zu: %s", x->line,
                     x->pos - x->line_start + 1, msg);
}

/* The last error without its "file:line: " prefix, to nest it. */
static const char *detail(void) {
  const char *m = cf_last_error(), *c = strchr(m, ':');
  if (c && isdigit((unsigned char)c[1])) {
    const char *d = c + 1;
    while (isdigit((unsigned char)*d))
      d++;
    if (d[0] == ':' && d[1] == ' ') return d + 2;
  }
  return m;
}

static int peek(const ps *x) { return x->pos < x->len ? (unsigned char)x->s[x->pos] : -1; }

static void skip_ws(ps *x) {
  for (;;) {
    int c = peek(x);
    if (c == ' ' || c == '\t' || c == '\r') {
      x->pos++;
    } else if (c == '#') {
      while (peek(x) != -1 && peek(x) != '\n')
        x->pos++;
    } else {
      return;
    }
  }
}

static bool at_eol(ps *x) {
  skip_ws(x);
  return peek(x) == '\n' || peek(x) == -1;
}

static void next_line(ps *x) {
  if (peek(x) == '\n') {
    x->pos++;
    x->line++;
    x->line_start = x->pos;
  }
}

static cf_status expect_eol(ps *x) {
  if (!at_eol(x)) return PFAIL(x, "unexpected text '%c' at end of line", peek(x));
  next_line(x);
  return CF_OK;
}

static cf_status expect(ps *x, char c) {
  skip_ws(x);
  if (peek(x) != c) {
    if (peek(x) == -1 || peek(x) == '\n') return PFAIL(x, "expected '%c', found end of line", c);
    return PFAIL(x, "expected '%c', found '%c'", c, peek(x));
  }
  x->pos++;
  return CF_OK;
}

static bool accept(ps *x, char c) {
  skip_ws(x);
  if (peek(x) == c) {
    x->pos++;
    return true;
  }
  return false;
}

/* Identifier [a-z_][a-z0-9_]* into buf. */
static cf_status ident(ps *x, char *buf, size_t cap, const char *what) {
  skip_ws(x);
  size_t n = 0;
  while (peek(x) != -1 && (islower(peek(x)) || peek(x) == '_' || (n && isdigit(peek(x))))) {
    if (n + 1 >= cap) return PFAIL(x, "%s is too long", what);
    buf[n++] = (char)peek(x);
    x->pos++;
  }
  buf[n] = 0;
  if (!n) return PFAIL(x, "expected %s", what);
  return CF_OK;
}

static cf_status word(ps *x, const char *w) {
  char buf[32];
  size_t at = x->pos;
  CF_TRY(ident(x, buf, sizeof buf, w));
  if (strcmp(buf, w) != 0) {
    x->pos = at;
    skip_ws(x);
    return PFAIL(x, "expected '%s'", w);
  }
  return CF_OK;
}

static cf_status integer(ps *x, long long lo, long long hi, long long *out, const char *what) {
  skip_ws(x);
  size_t start = x->pos;
  bool neg = accept(x, '-');
  if (!isdigit(peek(x))) return PFAIL(x, "expected %s (an integer)", what);
  unsigned long long v = 0;
  while (isdigit(peek(x))) {
    unsigned d = (unsigned)(peek(x) - '0');
    if (v > (UINT64_MAX - d) / 10) {
      x->pos = start;
      return PFAIL(x, "%s is too large", what);
    }
    v = v * 10 + d;
    x->pos++;
  }
  if (v > (unsigned long long)INT64_MAX) {
    x->pos = start;
    return PFAIL(x, "%s is too large", what);
  }
  long long s = neg ? -(long long)v : (long long)v;
  if (s < lo || s > hi) {
    x->pos = start;
    return PFAIL(x, "%s %lld outside %lld..%lld", what, s, lo, hi);
  }
  *out = s;
  return CF_OK;
}

static cf_status unsigned64(ps *x, uint64_t *out, const char *what) {
  skip_ws(x);
  size_t start = x->pos;
  if (!isdigit(peek(x))) return PFAIL(x, "expected %s (an unsigned integer)", what);
  uint64_t v = 0;
  while (isdigit(peek(x))) {
    unsigned d = (unsigned)(peek(x) - '0');
    if (v > (UINT64_MAX - d) / 10) {
      x->pos = start;
      return PFAIL(x, "%s is too large", what);
    }
    v = v * 10 + d;
    x->pos++;
  }
  *out = v;
  return CF_OK;
}

static cf_status number(ps *x, double *out, const char *what) {
  skip_ws(x);
  char buf[64];
  size_t n = 0, start = x->pos;
  while (peek(x) != -1 && (isdigit(peek(x)) || strchr("+-.eE", peek(x)))) {
    if (n + 1 >= sizeof buf) return PFAIL(x, "%s is too long", what);
    buf[n++] = (char)peek(x);
    x->pos++;
  }
  buf[n] = 0;
  char *end;
  errno = 0;
  double v = n ? strtod(buf, &end) : 0;
  if (!n || *end || !isfinite(v)) {
    x->pos = start;
    return PFAIL(x, "expected %s (a finite number)", what);
  }
  *out = v;
  return CF_OK;
}

static cf_status string(ps *x, char **out, const char *what) {
  CF_TRY(expect(x, '"'));
  size_t start = x->pos;
  while (peek(x) != -1 && peek(x) != '"' && peek(x) != '\n')
    x->pos++;
  if (peek(x) != '"') return PFAIL(x, "unterminated string for %s", what);
  size_t n = x->pos - start;
  x->pos++;
  *out = malloc(n + 1);
  if (!*out) return CF_FAIL(CF_ENOMEM, "string");
  memcpy(*out, x->s + start, n);
  (*out)[n] = 0;
  return CF_OK;
}

static cf_status value_ref(ps *x, const cf_program *p, cf_value *out) {
  CF_TRY(expect(x, '%'));
  size_t at = x->pos - 1;
  long long v;
  CF_TRY(integer(x, 0, INT32_MAX, &v, "value number"));
  if ((size_t)v >= p->n) {
    x->pos = at;
    return PFAIL(x, "%%%lld is used before it is defined", v);
  }
  *out = (cf_value)v;
  return CF_OK;
}

static cf_status scale(ps *x, const cf_chain *c, cf_scale *s) {
  skip_ws(x);
  long long k;
  if (peek(x) != '2') return PFAIL(x, "expected a scale such as 2^40 or 2^80/q3");
  x->pos++;
  CF_TRY(expect(x, '^'));
  CF_TRY(integer(x, -CF_SCALE_LOG2MAX, CF_SCALE_LOG2MAX, &k, "scale exponent"));
  cf_scale_pow2(s, (int)k);
  for (;;) {
    int op = peek(x);
    if (op != '*' && op != '/') break;
    x->pos++;
    if (peek(x) != 'q') return PFAIL(x, "expected q<index> in scale");
    x->pos++;
    long long i, times = 1;
    CF_TRY(integer(x, 0, (long long)c->nq - 1, &i, "scale prime index"));
    if (peek(x) == '^') {
      x->pos++;
      CF_TRY(integer(x, 1, CF_SCALE_EMAX, &times, "scale prime exponent"));
    }
    if (!cf_scale_mul_q(s, (int)i, (int)(op == '*' ? times : -times)))
      return PFAIL(x, "scale exponent of q%lld out of range -%d..%d", i, CF_SCALE_EMAX,
                   CF_SCALE_EMAX);
  }
  return CF_OK;
}

static cf_status type(ps *x, const cf_chain *c, cf_type *t) {
  char kind[16];
  memset(t, 0, sizeof *t);
  CF_TRY(ident(x, kind, sizeof kind, "a type (ct, pt or const)"));
  if (strcmp(kind, "const") == 0) {
    t->kind = CF_KIND_CONST, t->level = -1;
    return CF_OK;
  }
  long long v;
  if (strcmp(kind, "pt") == 0) {
    t->kind = CF_KIND_PT, t->level = -1;
    CF_TRY(expect(x, '<'));
    CF_TRY(word(x, "slots"));
    CF_TRY(expect(x, '='));
    CF_TRY(integer(x, 1, 1 << 20, &v, "slots"));
    t->slots = (uint32_t)v;
    return expect(x, '>');
  }
  if (strcmp(kind, "ct") != 0) return PFAIL(x, "unknown type '%s'", kind);
  t->kind = CF_KIND_CT, t->polys = 2;
  CF_TRY(expect(x, '<'));
  CF_TRY(word(x, "level"));
  CF_TRY(expect(x, '='));
  CF_TRY(integer(x, 0, 32767, &v, "level"));
  t->level = (int16_t)v;
  CF_TRY(expect(x, ','));
  CF_TRY(word(x, "scale"));
  CF_TRY(expect(x, '='));
  CF_TRY(scale(x, c, &t->scale));
  CF_TRY(expect(x, ','));
  CF_TRY(word(x, "slots"));
  CF_TRY(expect(x, '='));
  CF_TRY(integer(x, 1, 1 << 20, &v, "slots"));
  t->slots = (uint32_t)v;
  if (accept(x, ',')) {
    CF_TRY(word(x, "polys"));
    CF_TRY(expect(x, '='));
    CF_TRY(integer(x, 3, 3, &v, "polys"));
    t->polys = 3;
  }
  return expect(x, '>');
}

static cf_status double_list(ps *x, double **out, size_t *n, size_t max, const char *what) {
  CF_TRY(expect(x, '['));
  size_t cap = 16, len = 0;
  double *v = malloc(cap * sizeof *v);
  if (!v) return CF_FAIL(CF_ENOMEM, "numbers");
  cf_status st = CF_OK;
  if (!accept(x, ']')) {
    do {
      if (len == max) {
        st = PFAIL(x, "more than %zu values in %s", max, what);
        break;
      }
      if (len == cap) {
        double *g = realloc(v, (cap *= 2) * sizeof *v);
        if (!g) {
          st = CF_FAIL(CF_ENOMEM, "numbers");
          break;
        }
        v = g;
      }
      st = number(x, &v[len++], what);
    } while (st == CF_OK && accept(x, ','));
    if (st == CF_OK) st = expect(x, ']');
  }
  if (st != CF_OK) {
    free(v);
    return st;
  }
  *out = v, *n = len;
  return CF_OK;
}

/* Attributes {key=value, flag}; fills the node by op. */
static cf_status attrs(ps *x, const cf_program *p, cf_node *n) {
  skip_ws(x);
  bool need_pscale =
      n->op == CF_OP_LINEAR || (n->op == CF_OP_MUL && p->nodes[n->args[1]].type.kind != CF_KIND_CT);
  bool need_level = n->op == CF_OP_LEVEL_DROP || n->op == CF_OP_BOOTSTRAP;
  bool need_k = n->op == CF_OP_ROTATE, is_poly = n->op == CF_OP_POLY;
  bool may_hoist = n->op == CF_OP_ROTATE || n->op == CF_OP_CONJ || n->op == CF_OP_LINEAR;
  bool may_shift = n->op == CF_OP_PLAINTEXT, got_shift = false;
  bool got_pscale = false, got_level = false, got_k = false, got_basis = false, got_a = false,
       got_b = false, got_coeffs = false;
  if (accept(x, '{')) {
    do {
      char key[16];
      size_t at = x->pos;
      CF_TRY(ident(x, key, sizeof key, "an attribute name"));
      long long v;
      if (strcmp(key, "hoist") == 0 && may_hoist && !n->hoist) {
        n->hoist = 1;
        continue;
      }
      if (strcmp(key, "shift") == 0 && may_shift && !got_shift) {
        CF_TRY(expect(x, '='));
        CF_TRY(integer(x, -(1 << 20), 1 << 20, &v, "shift"));
        n->shift = (int)v, got_shift = true;
        continue;
      }
      bool ok =
          (need_pscale && !got_pscale && strcmp(key, "pscale") == 0) ||
          (need_level && !got_level && strcmp(key, "level") == 0) ||
          (need_k && !got_k && strcmp(key, "k") == 0) ||
          (is_poly &&
           ((!got_basis && strcmp(key, "basis") == 0) || (!got_a && strcmp(key, "a") == 0) ||
            (!got_b && strcmp(key, "b") == 0) || (!got_coeffs && strcmp(key, "coeffs") == 0)));
      if (!ok) {
        x->pos = at;
        skip_ws(x);
        return PFAIL(x, "attribute '%s' is unknown or repeated for %s", key, cf_op_name(n->op));
      }
      CF_TRY(expect(x, '='));
      if (strcmp(key, "pscale") == 0) {
        CF_TRY(scale(x, &p->chain, &n->pscale));
        got_pscale = true;
      } else if (strcmp(key, "level") == 0) {
        CF_TRY(integer(x, 0, 32767, &v, "level"));
        n->level_to = (int)v, got_level = true;
      } else if (strcmp(key, "k") == 0) {
        CF_TRY(integer(x, -(1 << 20), 1 << 20, &v, "rotation"));
        n->k = (int)v, got_k = true;
      } else if (strcmp(key, "basis") == 0) {
        char b[16];
        CF_TRY(ident(x, b, sizeof b, "a basis (power or chebyshev)"));
        if (strcmp(b, "power") == 0)
          n->basis = CF_BASIS_POWER;
        else if (strcmp(b, "chebyshev") == 0)
          n->basis = CF_BASIS_CHEBYSHEV;
        else
          return PFAIL(x, "unknown basis '%s'", b);
        got_basis = true;
      } else if (strcmp(key, "a") == 0) {
        CF_TRY(number(x, &n->a, "interval start"));
        got_a = true;
      } else if (strcmp(key, "b") == 0) {
        CF_TRY(number(x, &n->b, "interval end"));
        got_b = true;
      } else {
        CF_TRY(double_list(x, &n->coeffs, &n->ncoeffs, 1025, "coefficients"));
        got_coeffs = true;
      }
    } while (accept(x, ','));
    CF_TRY(expect(x, '}'));
  }
  if (need_pscale && !got_pscale) return PFAIL(x, "%s needs attribute pscale", cf_op_name(n->op));
  if (need_level && !got_level) return PFAIL(x, "%s needs attribute level", cf_op_name(n->op));
  if (need_k && !got_k) return PFAIL(x, "rotate needs attribute k");
  if (is_poly && !(got_basis && got_a && got_b && got_coeffs))
    return PFAIL(x, "poly needs attributes basis, a, b and coeffs");
  return CF_OK;
}

static cf_status node_line(ps *x, cf_program *p, cf_node *n) {
  CF_TRY(expect(x, '%'));
  size_t at = x->pos - 1;
  long long id;
  CF_TRY(integer(x, 0, INT32_MAX, &id, "value number"));
  if ((size_t)id != p->n) {
    x->pos = at;
    return PFAIL(x, "expected %%%zu here: values are numbered in order", p->n);
  }
  CF_TRY(expect(x, '='));
  char opn[16];
  skip_ws(x);
  size_t opat = x->pos;
  CF_TRY(ident(x, opn, sizeof opn, "an operation"));
  int op = cf_op_from_name(opn, strlen(opn));
  if (op < 0) {
    x->pos = opat;
    return PFAIL(x, "unknown operation '%s'", opn);
  }
  cf_node_init(n, (cf_op)op);
  switch (op) {
  case CF_OP_INPUT: CF_TRY(string(x, &n->name, "input name")); break;
  case CF_OP_PLAINTEXT: {
    CF_TRY(string(x, &n->name, "plaintext name"));
    skip_ws(x);
    if (peek(x) == '[') {
      n->data_kind = CF_DATA_INLINE;
      CF_TRY(double_list(x, &n->data, &n->nterms, 1 << 17, "plaintext data"));
    } else {
      char w[16];
      CF_TRY(ident(x, w, sizeof w, "plaintext data ([...], random(SEED) or external)"));
      if (strcmp(w, "external") == 0) {
        n->data_kind = CF_DATA_EXTERNAL;
      } else if (strcmp(w, "random") == 0) {
        n->data_kind = CF_DATA_RANDOM;
        CF_TRY(expect(x, '('));
        CF_TRY(unsigned64(x, &n->seed, "seed"));
        CF_TRY(expect(x, ')'));
      } else {
        return PFAIL(x, "unknown plaintext data '%s'", w);
      }
    }
    break;
  }
  case CF_OP_CONST: CF_TRY(number(x, &n->cval, "constant")); break;
  case CF_OP_ADD:
  case CF_OP_SUB:
  case CF_OP_MUL:
    n->nargs = 2;
    CF_TRY(value_ref(x, p, &n->args[0]));
    CF_TRY(expect(x, ','));
    CF_TRY(value_ref(x, p, &n->args[1]));
    break;
  case CF_OP_LINEAR: {
    n->nargs = 1;
    CF_TRY(value_ref(x, p, &n->args[0]));
    CF_TRY(expect(x, '['));
    size_t cap = 0;
    do {
      if (n->nterms == 4096) return PFAIL(x, "more than 4096 terms");
      if (n->nterms == cap) {
        cap = cap ? cap * 2 : 8;
        int *r = realloc(n->rots, cap * sizeof *r);
        if (r) n->rots = r;
        cf_value *v = realloc(n->pts, cap * sizeof *v);
        if (v) n->pts = v;
        if (!r || !v) return CF_FAIL(CF_ENOMEM, "linear terms");
      }
      long long k;
      CF_TRY(integer(x, -(1 << 20), 1 << 20, &k, "rotation"));
      CF_TRY(expect(x, ':'));
      n->rots[n->nterms] = (int)k;
      CF_TRY(value_ref(x, p, &n->pts[n->nterms]));
      n->nterms++;
    } while (accept(x, ','));
    CF_TRY(expect(x, ']'));
    break;
  }
  default: n->nargs = 1; CF_TRY(value_ref(x, p, &n->args[0]));
  }
  CF_TRY(attrs(x, p, n));
  CF_TRY(expect(x, ':'));
  skip_ws(x);
  size_t tat = x->pos;
  cf_type written;
  CF_TRY(type(x, &p->chain, &written));
  if (op == CF_OP_PLAINTEXT) {
    n->type = written;
    if (n->data_kind == CF_DATA_INLINE && n->nterms != written.slots) {
      x->pos = tat;
      return PFAIL(x, "plaintext has %zu values but type says %u slots", n->nterms, written.slots);
    }
    n->nterms = 0;
  } else if (op == CF_OP_INPUT) {
    n->type = written;
  }
  size_t col = tat - x->line_start + 1;
  CF_TRY(expect_eol(x));
  int line = x->line - 1;
  cf_value v;
  cf_status st = cf_program_append(p, n, &v);
  if (st != CF_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", detail());
    return CF_FAIL(st, "line %d: %s", line, msg);
  }
  if (!cf_type_eq(&p->nodes[v].type, &written)) {
    char a[640], b[640];
    cf_type_format(&written, a, sizeof a);
    cf_type_format(&p->nodes[v].type, b, sizeof b);
    return CF_FAIL(CF_EFORMAT, "line %d, column %zu: written type %s differs from inferred %s",
                   line, col, a, b);
  }
  return CF_OK;
}

static cf_status header(ps *x, cf_chain *c, int *manage) {
  memset(c, 0, sizeof *c);
  CF_TRY(word(x, "cfprogram"));
  long long v;
  CF_TRY(integer(x, 0, 1000, &v, "format version"));
  if (v != 1)
    return cf_error_at(CF_EVERSION, __FILE__, __LINE__,
                       "line 1: program text version %lld, this build reads 1", v);
  CF_TRY(expect_eol(x));
  CF_TRY(word(x, "chain"));
  bool got[5] = {0};
  static const char *keys[5] = {"logn", "slots", "dnum", "scale", "manage"};
  while (!at_eol(x)) {
    char key[16];
    size_t at = x->pos;
    CF_TRY(ident(x, key, sizeof key, "a chain field"));
    int k = -1;
    for (int i = 0; i < 5; i++)
      if (strcmp(key, keys[i]) == 0) k = i;
    if (k < 0 || got[k]) {
      x->pos = at;
      return PFAIL(x, "chain field '%s' is unknown or repeated", key);
    }
    got[k] = true;
    CF_TRY(expect(x, '='));
    if (k == 0) {
      CF_TRY(integer(x, 3, 17, &v, "logn"));
      c->log_n = (uint32_t)v;
    } else if (k == 1) {
      CF_TRY(integer(x, 1, 1 << 16, &v, "slots"));
      c->slots = (uint32_t)v;
    } else if (k == 2) {
      CF_TRY(integer(x, 1, CF_CHAIN_MAX_Q, &v, "dnum"));
      c->dnum = (uint32_t)v;
    } else if (k == 3) {
      skip_ws(x);
      if (peek(x) != '2') return PFAIL(x, "expected scale 2^K");
      x->pos++;
      CF_TRY(expect(x, '^'));
      CF_TRY(integer(x, 1, 120, &v, "scale exponent"));
      c->scale_log2 = (int)v;
    } else {
      char m[8];
      CF_TRY(ident(x, m, sizeof m, "auto or none"));
      if (strcmp(m, "auto") == 0)
        *manage = CF_MANAGE_AUTO;
      else if (strcmp(m, "none") == 0)
        *manage = CF_MANAGE_NONE;
      else
        return PFAIL(x, "manage must be auto or none, got '%s'", m);
    }
  }
  for (int i = 0; i < 5; i++)
    if (!got[i]) return PFAIL(x, "chain line lacks field '%s'", keys[i]);
  next_line(x);
  for (int w = 0; w < 2; w++) {
    CF_TRY(word(x, w ? "p" : "q"));
    uint32_t *cnt = w ? &c->np : &c->nq;
    uint64_t *dst = w ? c->p : c->q;
    uint32_t max = w ? CF_CHAIN_MAX_P : CF_CHAIN_MAX_Q;
    while (!at_eol(x)) {
      if (*cnt == max) return PFAIL(x, "more than %u primes", max);
      CF_TRY(unsigned64(x, &dst[*cnt], "prime"));
      (*cnt)++;
    }
    next_line(x);
  }
  cf_status st = cf_chain_check(c);
  if (st != CF_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", detail());
    return CF_FAIL(st, "lines 2-4: %s", msg);
  }
  return CF_OK;
}

cf_status cf_program_parse(const char *text, size_t len, cf_program **out) {
  if (!text || !out) return CF_FAIL(CF_EINVAL, "text or output pointer is NULL");
  *out = NULL;
  ps x = {.s = text, .len = len, .line = 1};
  cf_chain c;
  int manage = CF_MANAGE_NONE;
  CF_TRY(header(&x, &c, &manage));
  cf_program *p;
  CF_TRY(cf_program_create(&c, manage, &p));
  cf_status st = CF_OK;
  while (st == CF_OK && x.pos < x.len) {
    if (at_eol(&x)) {
      next_line(&x);
      continue;
    }
    if (peek(&x) == '%') {
      cf_node n;
      cf_node_init(&n, CF_OP_INPUT);
      size_t before = p->n;
      st = node_line(&x, p, &n);
      if (st != CF_OK && p->n == before) cf_node_free(&n);
    } else {
      size_t at = x.pos;
      char w[16];
      st = ident(&x, w, sizeof w, "a value definition (%N = ...) or output");
      if (st == CF_OK && strcmp(w, "output") != 0) {
        x.pos = at;
        st = PFAIL(&x, "expected a value definition (%%N = ...) or output, found '%s'", w);
      }
      char *name = NULL;
      cf_value v = -1;
      if (st == CF_OK) st = string(&x, &name, "output name");
      if (st == CF_OK) st = expect(&x, '=');
      if (st == CF_OK) st = value_ref(&x, p, &v);
      if (st == CF_OK) st = expect_eol(&x);
      if (st == CF_OK) {
        st = cf_program_add_output(p, name, v);
        if (st != CF_OK) {
          char msg[1024];
          snprintf(msg, sizeof msg, "%s", detail());
          st = CF_FAIL(st, "line %d: %s", x.line - 1, msg);
        }
      }
      free(name);
    }
  }
  if (st != CF_OK) {
    cf_program_destroy(p);
    return st;
  }
  *out = p;
  return CF_OK;
}

cf_status cf_program_load(const char *path, cf_program **out) {
  if (!path || !out) return CF_FAIL(CF_EINVAL, "path or output pointer is NULL");
  FILE *f = fopen(path, "rb");
  if (!f) return CF_FAIL(CF_EIO, "cannot open '%s': %s", path, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
    len += r;
    if (len == cap) {
      char *g = realloc(buf, cap *= 2);
      if (!g) free(buf);
      buf = g;
    }
  }
  bool err = ferror(f);
  fclose(f);
  if (!buf) return CF_FAIL(CF_ENOMEM, "reading '%s'", path);
  if (err) {
    free(buf);
    return CF_FAIL(CF_EIO, "error reading '%s'", path);
  }
  cf_status st = cf_program_parse(buf, len, out);
  free(buf);
  if (st != CF_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", detail());
    return CF_FAIL(st, "%s: %s", path, msg);
  }
  return CF_OK;
}
