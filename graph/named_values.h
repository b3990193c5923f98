/* Named slot vectors (real and imaginary parts): the inputs and outputs an
 * executor keeps between set_input, run and get_output. */
#ifndef CF_GRAPH_NAMED_VALUES_H
#define CF_GRAPH_NAMED_VALUES_H

#include <stddef.h>

#include "cipherflow/status.h"

typedef struct cf_named {
  char *name;
  double *re, *im; /* n values each; im is zero-filled when none were given */
  size_t n;
} cf_named;

typedef struct cf_named_set {
  cf_named *v;
  size_t n;
} cf_named_set;

/* Stores a copy of the values under name, replacing earlier ones; im may be NULL. */
cf_status cf_named_put(cf_named_set *s, const char *name, const double *re, const double *im,
                       size_t n);

/* The values stored under name, or NULL. */
const cf_named *cf_named_get(const cf_named_set *s, const char *name);

/* Frees every entry; the set is empty afterwards. */
void cf_named_clear(cf_named_set *s);

#endif
