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

void cf_scale_mul(cf_scale *out, const cf_scale *a, const cf_scale *b) {
  cf_scale r;
  r.log2 = a->log2 + b->log2;
  for (int i = 0; i < CF_CHAIN_MAX_Q; i++)
    r.e[i] = (int8_t)(a->e[i] + b->e[i]);
  *out = r;
}

void cf_scale_div(cf_scale *out, const cf_scale *a, const cf_scale *b) {
  cf_scale r;
  r.log2 = a->log2 - b->log2;
  for (int i = 0; i < CF_CHAIN_MAX_Q; i++)
    r.e[i] = (int8_t)(a->e[i] - b->e[i]);
  *out = r;
}

void cf_scale_mul_q(cf_scale *s, int i, int times) { s->e[i] = (int8_t)(s->e[i] + times); }

double cf_scale_log2(const cf_chain *c, const cf_scale *s) {
  double v = s->log2;
  for (uint32_t i = 0; i < c->nq && i < CF_CHAIN_MAX_Q; i++)
    if (s->e[i]) v += s->e[i] * log2((double)c->q[i]);
  return v;
}

double cf_scale_value(const cf_chain *c, const cf_scale *s) {
  double v = ldexp(1.0, s->log2);
  for (uint32_t i = 0; i < c->nq && i < CF_CHAIN_MAX_Q; i++) {
    for (int k = 0; k < s->e[i]; k++)
      v *= (double)c->q[i];
    for (int k = 0; k < -s->e[i]; k++)
      v /= (double)c->q[i];
  }
  return v;
}

int cf_scale_format(const cf_scale *s, char *buf, size_t cap) {
  size_t len = 0;
  int w = snprintf(buf, cap, "2^%d", (int)s->log2);
  len = w > 0 ? (size_t)w : 0;
  for (int i = 0; i < CF_CHAIN_MAX_Q; i++) {
    for (int k = 0; k < s->e[i] && len < cap; k++)
      len += (size_t)snprintf(buf + len, cap - len, "*q%d", i);
  }
  for (int i = 0; i < CF_CHAIN_MAX_Q; i++) {
    for (int k = 0; k < -s->e[i] && len < cap; k++)
      len += (size_t)snprintf(buf + len, cap - len, "/q%d", i);
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
