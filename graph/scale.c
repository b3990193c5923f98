/* Exact scales: a power of two times powers of the chain's q primes. Kept
 * symbolic so that operands can be compared exactly; the numeric value is
 * only computed for encoding and for bound checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/ir.h"

void cf_scale_pow2(cf_scale *s, int log2) {
  memset(s, 0, sizeof *s);
  s->log2 = log2;
}

bool cf_scale_eq(const cf_scale *a, const cf_scale *b) {
  return a->log2 == b->log2 && memcmp(a->e, b->e, sizeof a->e) == 0;
}

static bool fits(long e) { return e >= -CF_SCALE_EMAX && e <= CF_SCALE_EMAX; }

static bool combine(cf_scale *out, const cf_scale *a, const cf_scale *b, int sign) {
  cf_scale r;
  long l2 = (long)a->log2 + sign * (long)b->log2;
  if (l2 < -CF_SCALE_LOG2MAX || l2 > CF_SCALE_LOG2MAX) return false;
  r.log2 = (int32_t)l2;
  for (int i = 0; i < CF_CHAIN_MAX_Q; i++) {
    long e = (long)a->e[i] + sign * (long)b->e[i];
    if (!fits(e)) return false;
    r.e[i] = (int16_t)e;
  }
  *out = r;
  return true;
}

bool cf_scale_mul(cf_scale *out, const cf_scale *a, const cf_scale *b) {
  return combine(out, a, b, 1);
}

bool cf_scale_div(cf_scale *out, const cf_scale *a, const cf_scale *b) {
  return combine(out, a, b, -1);
}

bool cf_scale_mul_q(cf_scale *s, int i, int times) {
  long e = (long)s->e[i] + times;
  if (!fits(e)) return false;
  s->e[i] = (int16_t)e;
  return true;
}

double cf_scale_log2(const cf_chain *c, const cf_scale *s) {
  double v = s->log2;
  for (uint32_t i = 0; i < c->nq && i < CF_CHAIN_MAX_Q; i++)
    if (s->e[i]) v += s->e[i] * log2((double)c->q[i]);
  return v;
}

/* A long double mantissa with a separate binary exponent: the exponents of
 * the parts (2^80000 / q^2000) are far outside double range while their
 * product is an ordinary number. */
typedef struct xfloat {
  long double m;
  long e;
} xfloat;

static xfloat xmul(xfloat a, xfloat b) {
  int k;
  long double m = frexpl(a.m * b.m, &k);
  return (xfloat){m, a.e + b.e + k};
}

static xfloat xpow(uint64_t q, int n) {
  int k;
  long double m = frexpl((long double)q, &k);
  xfloat base = {m, k}, r = {1.0L, 0};
  for (; n; n >>= 1) {
    if (n & 1) r = xmul(r, base);
    base = xmul(base, base);
  }
  return r;
}

double cf_scale_value(const cf_chain *c, const cf_scale *s) {
  xfloat num = {1.0L, s->log2}, den = {1.0L, 0};
  for (uint32_t i = 0; i < c->nq && i < CF_CHAIN_MAX_Q; i++) {
    if (s->e[i] > 0) num = xmul(num, xpow(c->q[i], s->e[i]));
    if (s->e[i] < 0) den = xmul(den, xpow(c->q[i], -s->e[i]));
  }
  int k;
  long double m = frexpl(num.m / den.m, &k);
  long e = num.e - den.e + k;
  if (e > 4096) return HUGE_VAL;
  if (e < -4096) return 0.0;
  return ldexp((double)m, (int)e);
}

int cf_scale_format(const cf_scale *s, char *buf, size_t cap) {
  size_t len = 0;
  int w = snprintf(buf, cap, "2^%d", (int)s->log2);
  len = w > 0 ? (size_t)w : 0;
  for (int sign = 1; sign >= -1; sign -= 2) {
    for (int i = 0; i < CF_CHAIN_MAX_Q && len < cap; i++) {
      int e = sign * s->e[i];
      if (e <= 0) continue;
      if (e == 1)
        w = snprintf(buf + len, cap - len, "%cq%d", sign > 0 ? '*' : '/', i);
      else
        w = snprintf(buf + len, cap - len, "%cq%d^%d", sign > 0 ? '*' : '/', i, e);
      len += w > 0 ? (size_t)w : 0;
    }
  }
  return (int)(len < cap ? len : cap);
}

void cf_type_format(const cf_type *t, char *buf, size_t cap) {
  if (t->kind == CF_KIND_CONST) {
    snprintf(buf, cap, "const");
  } else if (t->kind == CF_KIND_PT) {
    snprintf(buf, cap, "pt<slots=%u>", t->slots);
  } else {
    char sc[512];
    cf_scale_format(&t->scale, sc, sizeof sc);
    if (t->polys == 3)
      snprintf(buf, cap, "ct<level=%d, scale=%s, slots=%u, polys=3>", t->level, sc, t->slots);
    else
      snprintf(buf, cap, "ct<level=%d, scale=%s, slots=%u>", t->level, sc, t->slots);
  }
}

bool cf_type_eq(const cf_type *a, const cf_type *b) {
  if (a->kind != b->kind) return false;
  if (a->kind == CF_KIND_CONST) return true;
  if (a->slots != b->slots) return false;
  if (a->kind == CF_KIND_PT) return true;
  return a->level == b->level && a->polys == b->polys && cf_scale_eq(&a->scale, &b->scale);
}
