#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "graph/strbuf.h"

void cf_sb_printf(cf_strbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
      b->oom = true;
      return;
    }
    if (b->s && b->len + (size_t)w < b->cap) {
      b->len += (size_t)w;
      return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->len + (size_t)w)
      cap *= 2;
    char *n = realloc(b->s, cap);
    if (!n) {
      b->oom = true;
      return;
    }
    b->s = n, b->cap = cap;
  }
}

void cf_sb_double(cf_strbuf *b, double v) {
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  cf_sb_printf(b, "%s", buf);
}
