/* The slot values of a plaintext or constant node, as every executor that
 * encodes plaintexts needs them: one definition, so executors agree. */
#ifndef CF_GRAPH_PLAIN_VALUES_H
#define CF_GRAPH_PLAIN_VALUES_H

#include <stddef.h>

#include "cipherflow/program.h"
#include "graph/named_values.h"

/*
 * Real slot values of node v into a fresh array of `slots` doubles (caller
 * frees): a constant repeated, inline or seeded data, or values supplied by
 * name in `supplied`, rotated by the node's pre-rotation (baby-step giant-step shift).
 * Supplied plaintexts must be real: an imaginary part is CF_EINVAL.
 */
cf_status cf_plain_values(const cf_program *p, cf_value v, size_t slots,
                          const cf_named_set *supplied, double **out);

#endif
