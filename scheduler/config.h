/*
 * Execution knobs: which policy, whether to use critical-path priorities,
 * task granularity and fusion for the lowering, CPU workers, prefetch and
 * the weight of data transfers in placement decisions.
 *
 * They come from the command line or a small "key = value" file (one per
 * line, '#' starts a comment), which `cipherflow tune` writes and
 * `cipherflow run` reads:
 *   policy = cf-affinity
 *   priorities = on
 *   grain = 4          # limbs per task; 0 = whole polynomial
 *   fuse = off
 *   share = on         # temporaries reuse the memory of dead ones
 *   ncpus = 2          # 0 = StarPU's default
 *   prefetch = on
 *   transfer_weight = 1.0
 */
#ifndef CF_SCHEDULER_CONFIG_H
#define CF_SCHEDULER_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "cipherflow/status.h"

#define CF_SCHED_POLICY_MAX 64

typedef struct cf_sched_config {
  char policy[CF_SCHED_POLICY_MAX];
  bool priorities;
  int grain; /* limbs per task, 0 = all limbs of a polynomial in one task */
  bool fuse;
  bool share; /* temporaries share memory where lifetimes allow (memory/share.h) */
  int ncpus;  /* 0 = StarPU's default */
  bool prefetch;
  double transfer_weight; /* >= 0; scales data-transfer time against compute time */
} cf_sched_config;

/* The defaults (see docs/starpu.md for why). */
void cf_sched_config_default(cf_sched_config *c);

/* Sets one knob from its textual value; rejects unknown keys and bad values. */
cf_status cf_sched_config_set(cf_sched_config *c, const char *key, const char *value);

/* Reads a file of "key = value" lines over the values already in c. */
cf_status cf_sched_config_load(cf_sched_config *c, const char *path);

cf_status cf_sched_config_write(const cf_sched_config *c, FILE *out);
cf_status cf_sched_config_save(const cf_sched_config *c, const char *path);

#endif
