/*
 * Choosing a scheduling policy by name.
 *
 * Every policy compiled into the installed StarPU is selectable by the name
 * StarPU gives it (the list `STARPU_SCHED=help` prints), plus cipherflow's
 * own (cf_policy.h). heteroprio-style policies need per-context bucket
 * setup, which cf_sched_policy_choose supplies: every priority level maps
 * to its own bucket, all buckets run on CPU workers.
 */
#ifndef CF_SCHEDULER_POLICIES_H
#define CF_SCHEDULER_POLICIES_H

#include <stdbool.h>
#include <stddef.h>

#include <starpu.h>

#include "cipherflow/status.h"

/* Default policy and grain: chosen from the "starpu" bench suite, see docs/starpu.md. */
#define CF_SCHED_DEFAULT_POLICY "cf-affinity"
#define CF_SCHED_DEFAULT_GRAIN  4

/* Priority levels heteroprio gets (one bucket per level). */
#define CF_SCHED_HETEROPRIO_LEVELS 8

typedef struct cf_sched_choice {
  const char *name;
  struct starpu_sched_policy *policy;  /* ours; NULL for StarPU's own (chosen by name) */
  void (*init)(unsigned sched_ctx_id); /* context setup callback, or NULL */
  bool uses_model;                     /* decisions read the performance models */
} cf_sched_choice;

/* CF_OK if name is a policy of this StarPU or of cipherflow, else CF_ENOTFOUND
 * with the valid names in the message. */
cf_status cf_sched_policy_check(const char *name);

cf_status cf_sched_policy_choose(const char *name, cf_sched_choice *out);

/* The selectable names, ours first; returns how many exist (may exceed cap). */
size_t cf_sched_policy_names(const char **names, size_t cap);

/* One-line description of a policy, or NULL for an unknown name. */
const char *cf_sched_policy_description(const char *name);

#endif
