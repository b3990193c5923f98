/*
 * Critical-path priorities from the lowered DAG.
 *
 * The bottom level of a task is its own cost plus the longest cost path
 * from it to the end of the DAG. Dependencies are those StarPU derives from
 * the access modes (read after write, write after read, write after write on
 * the same limb), computed here from the pieces so the result matches what
 * the runtime will enforce. Tasks with a larger bottom level gate more of
 * the remaining work and should run first.
 */
#ifndef CF_SCHEDULER_PRIORITY_H
#define CF_SCHEDULER_PRIORITY_H

#include <stddef.h>

#include "cipherflow/status.h"
#include "graph/dag.h"

/* Fills bl[i] (ns) for each of the DAG's tasks. A task's cost is its
 * cost_ns, or 1 when the cost model left it at 0 or below. */
cf_status cf_sched_bottom_levels(const cf_dag *dag, double *bl);

/* Maps bottom levels linearly onto the integer range [min_prio, max_prio],
 * the largest bottom level getting max_prio. */
void cf_sched_levels_to_priorities(const double *bl, size_t n, int min_prio, int max_prio,
                                   int *prio);

#endif
