/* A growing string for printers. */
#ifndef CF_GRAPH_STRBUF_H
#define CF_GRAPH_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cf_strbuf {
  char *s;
  size_t len, cap;
  bool oom;
} cf_strbuf;

void cf_sb_printf(cf_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Shortest decimal that reads back as the same double. */
void cf_sb_double(cf_strbuf *b, double v);

#endif
