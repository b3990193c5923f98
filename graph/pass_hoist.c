/* Rotation hoisting: rotations (and conjugations) of one ciphertext are
 * grouped next to the first of them and flagged, so the lowering decomposes
 * the source once (one ModUp per digit) and shares it. Moving them earlier is
 * safe: their only operand precedes the first member of the group. */
#include <stdlib.h>

#include "base/error.h"
#include "graph/pass_util.h"

static bool is_rot(const cf_node *n) { return n->op == CF_OP_ROTATE || n->op == CF_OP_CONJ; }

cf_status cf_pass_hoist_rotations(const cf_program *in, cf_program **out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  cf_program *p;
  CF_TRY(cf_program_new_like(in, &p));
  int *count = calloc(in->n + 1, sizeof *count);
  char *done = calloc(in->n + 1, 1);
  cf_value *map = malloc((in->n + 1) * sizeof *map);
  if (!count || !done || !map) {
    free(count), free(done), free(map);
    cf_program_destroy(p);
    return CF_FAIL(CF_ENOMEM, "hoisting tables");
  }
  for (size_t i = 0; i < in->n; i++)
    if (is_rot(&in->nodes[i])) count[in->nodes[i].args[0]]++;
  cf_status st = CF_OK;
  for (size_t i = 0; i < in->n && st == CF_OK; i++) {
    if (done[i]) continue;
    const cf_node *n = &in->nodes[i];
    if (!is_rot(n) || count[n->args[0]] < 2) {
      st = cf_program_append_mapped(p, n, map, &map[i]);
      continue;
    }
    cf_value src = n->args[0];
    for (size_t j = i; j < in->n && st == CF_OK; j++) {
      const cf_node *m = &in->nodes[j];
      if (done[j] || !is_rot(m) || m->args[0] != src) continue;
      cf_node c = *m;
      c.hoist = 1;
      st = cf_program_append_mapped(p, &c, map, &map[j]);
      done[j] = 1;
    }
  }
  free(count), free(done);
  st = cf_pass_finish(in, p, map, st, out);
  free(map);
  return st;
}
