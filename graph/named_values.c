#include "graph/named_values.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

cf_status cf_named_put(cf_named_set *s, const char *name, const double *re, const double *im,
                       size_t n) {
  cf_named *slot = (cf_named *)cf_named_get(s, name);
  if (!slot) {
    cf_named *g = realloc(s->v, (s->n + 1) * sizeof *g);
    if (!g) return CF_FAIL(CF_ENOMEM, "value '%s'", name);
    s->v = g;
    slot = &g[s->n];
    memset(slot, 0, sizeof *slot);
    if (!(slot->name = strdup(name))) return CF_FAIL(CF_ENOMEM, "value name");
    s->n++;
  }
  free(slot->re), free(slot->im);
  slot->re = calloc(n ? n : 1, sizeof *re);
  slot->im = calloc(n ? n : 1, sizeof *im);
  slot->n = 0;
  if (!slot->re || !slot->im) return CF_FAIL(CF_ENOMEM, "value '%s'", name);
  memcpy(slot->re, re, n * sizeof *re);
  if (im) memcpy(slot->im, im, n * sizeof *im);
  slot->n = n;
  return CF_OK;
}

const cf_named *cf_named_get(const cf_named_set *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i].name, name) == 0) return &s->v[i];
  return NULL;
}

void cf_named_clear(cf_named_set *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i].name), free(s->v[i].re), free(s->v[i].im);
  free(s->v);
  s->v = NULL;
  s->n = 0;
}
