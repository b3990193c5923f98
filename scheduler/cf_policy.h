/*
 * cipherflow's own scheduling policies, using DAG structure StarPU cannot see.
 *
 * cf-affinity: each CPU worker owns a priority heap. A task carries a
 *   limb-group hint (cf_sched_affinity_hint); all tasks of one limb group go
 *   to the same worker, so the limbs a chain of NTT, multiply and add
 *   touches stay in that worker's caches (and, with GPUs, on its memory
 *   node). Tasks without a group (where limbs meet: basis conversion,
 *   rescale) go to the worker with the shortest heap. A worker pops its own
 *   highest priority (critical path first, scheduler/priority.h); an idle
 *   worker steals the highest-priority task among the other heaps' tops, so
 *   affinity never leaves a core idle while work is ready.
 * cf-critpath: the same with every task ungrouped: one priority order,
 *   load-balanced, no affinity (the comparison point for cf-affinity).
 *
 * Priorities are used in the range [0, CF_SCHED_OWN_MAX_PRIO].
 */
#ifndef CF_SCHEDULER_CF_POLICY_H
#define CF_SCHEDULER_CF_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <starpu.h>

#define CF_SCHED_OWN_MAX_PRIO 10000

extern struct starpu_sched_policy cf_sched_affinity_policy;
extern struct starpu_sched_policy cf_sched_critpath_policy;

/* Value for starpu_task::sched_data: limb group g >= 0 -> hint; -1 -> no group. */
static inline void *cf_sched_affinity_hint(long group) {
  return group < 0 ? NULL : (void *)(uintptr_t)(group + 1);
}

/* Whether the policies prefetch a task's inputs to the chosen worker at push
 * time (set before starpu_init; default on). */
void cf_sched_own_set_prefetch(bool on);

#endif
