/* Dead code elimination: keeps only nodes that outputs depend on. */
#include <stdlib.h>

#include "base/error.h"
#include "graph/pass_util.h"

cf_status cf_pass_dce(const cf_program *in, cf_program **out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  cf_program *p;
  CF_TRY(cf_program_new_like(in, &p));
  char *live = calloc(in->n + 1, 1);
  cf_value *map = malloc((in->n + 1) * sizeof *map);
  if (!live || !map) {
    free(live), free(map);
    cf_program_destroy(p);
    return CF_FAIL(CF_ENOMEM, "dce tables");
  }
  for (size_t i = 0; i < in->nout; i++)
    live[in->outs[i].v] = 1;
  for (size_t i = in->n; i-- > 0;) {
    if (!live[i]) continue;
    const cf_node *n = &in->nodes[i];
    for (int a = 0; a < n->nargs; a++)
      live[n->args[a]] = 1;
    for (size_t t = 0; t < n->nterms; t++)
      live[n->pts[t]] = 1;
  }
  cf_status st = CF_OK;
  for (size_t i = 0; i < in->n && st == CF_OK; i++) {
    map[i] = -1;
    if (live[i]) st = cf_program_append_mapped(p, &in->nodes[i], map, &map[i]);
  }
  free(live);
  st = cf_pass_finish(in, p, map, st, out);
  free(map);
  return st;
}
