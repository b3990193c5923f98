/*
 * Memory sharing between a DAG's temporaries.
 *
 * Every temporary of a lowered DAG is its own SSA buffer, so without
 * sharing a program needs memory for all of them at once, and each run
 * walks through far more memory than the evaluator, which reuses a few
 * pooled buffers (cache and TLB misses on every first touch). Here a
 * temporary takes over the memory ("store") of one whose last access comes
 * before its first access in DAG order. Sharing is made visible to StarPU
 * by sharing the data handles themselves (memory/handles.h registers one
 * set of segment handles per store), so its implicit write-after-read
 * dependencies order the new occupant after the old one under any policy.
 *
 * Those dependencies are new edges, and an edge between independent
 * operations (two rotations of one input) would take parallelism away. A
 * store therefore passes only to a buffer first written by an HE node that
 * already depends on every node that touched the previous occupant (or is
 * that node): the added order is one the DAG implies anyway, up to limb
 * groups.
 *
 * Never shared: buffers that are not temporaries (inputs, weights, keys),
 * buffers in keep (outputs and anything the caller reads back), and
 * buffers no task touches.
 */
#ifndef CF_MEMORY_SHARE_H
#define CF_MEMORY_SHARE_H

#include <stdint.h>

#include "cipherflow/status.h"
#include "graph/dag.h"

/* store[b] (nbuffers entries) receives the store of buffer b, numbered
 * from 0; *nstores their count. The DAG's outputs and, if keep is not
 * NULL, every buffer b with keep[b] != 0 keep a store of their own. */
cf_status cf_mem_plan_sharing(const cf_dag *dag, const uint8_t *keep, uint32_t *store,
                              uint32_t *nstores);

#endif
