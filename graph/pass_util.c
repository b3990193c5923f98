#include <stdlib.h>

#include "base/error.h"
#include "graph/pass_util.h"

cf_status cf_pass_finish(const cf_program *in, cf_program *p, const cf_value *map, cf_status st,
                         cf_program **out) {
  for (size_t i = 0; i < in->nout && st == CF_OK; i++)
    st = cf_program_add_output(p, in->outs[i].name, map[in->outs[i].v]);
  if (st != CF_OK) {
    cf_program_destroy(p);
    return st;
  }
  *out = p;
  return CF_OK;
}
