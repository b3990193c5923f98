#include "graph/plain_values.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

static cf_status from_supplied(const cf_node *n, size_t slots, const cf_named_set *supplied,
                               double *d) {
  const cf_named *v = supplied ? cf_named_get(supplied, n->name) : NULL;
  if (!v || v->n != slots)
    return CF_FAIL(CF_ENOTFOUND, "no %zu values given for plaintext '%s'", slots, n->name);
  for (size_t i = 0; i < slots; i++)
    if (v->im[i] != 0.0)
      return CF_FAIL(CF_EINVAL, "plaintext '%s' takes real values; value %zu has imaginary part %g",
                     n->name, i, v->im[i]);
  memcpy(d, v->re, slots * sizeof *d);
  return CF_OK;
}

cf_status cf_plain_values(const cf_program *p, cf_value v, size_t slots,
                          const cf_named_set *supplied, double **out) {
  const cf_node *n = &p->nodes[v];
  double *d = malloc((slots ? slots : 1) * sizeof *d);
  if (!d) return CF_FAIL(CF_ENOMEM, "plaintext data");
  cf_status st = CF_OK;
  if (n->op == CF_OP_CONST) {
    for (size_t i = 0; i < slots; i++)
      d[i] = n->cval;
  } else if (n->data_kind == CF_DATA_INLINE) {
    memcpy(d, n->data, slots * sizeof *d);
  } else if (n->data_kind == CF_DATA_RANDOM) {
    cf_random_data(n->seed, d, slots);
  } else {
    st = from_supplied(n, slots, supplied, d);
  }
  if (st == CF_OK && n->op == CF_OP_PLAINTEXT && slots && n->shift % (long)slots) {
    /* Baby-step giant-step plaintexts are stored pre-rotated by `shift`. */
    double *r = malloc(slots * sizeof *r);
    if (!r) {
      st = CF_FAIL(CF_ENOMEM, "plaintext data");
    } else {
      for (size_t i = 0; i < slots; i++)
        r[i] = d[(size_t)((((long)i + n->shift) % (long)slots + (long)slots) % (long)slots)];
      free(d);
      d = r;
    }
  }
  if (st != CF_OK) {
    free(d);
    return st;
  }
  *out = d;
  return CF_OK;
}
