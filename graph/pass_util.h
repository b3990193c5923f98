/* Shared scaffolding of passes that rebuild a program node by node. */
#ifndef CF_GRAPH_PASS_UTIL_H
#define CF_GRAPH_PASS_UTIL_H

#include "graph/ir.h"

/* Copies outputs through map, then hands over *p or destroys it on failure. */
cf_status cf_pass_finish(const cf_program *in, cf_program *p, const cf_value *map, cf_status st,
                         cf_program **out);

#endif
