/*
 * A plausible CKKS-like run for tests, recorded through the public recorder
 * API: 2-4 CPU workers, INTT/MODUP/NTT/KS_INNER/MODDOWN/RESCALE/ADD tasks per
 * limb with dependencies, evaluation keys copied from disk to RAM, RAM
 * occupancy counters and evictions, placed by a simulated list scheduler.
 */
#ifndef CF_TESTS_GEN_CKKS_H
#define CF_TESTS_GEN_CKKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/trace.h"

typedef struct gen_opts {
  int workers; /* 1..16 */
  int limbs;   /* 2..64 */
  int ops;     /* HE operations */
  uint64_t seed;
  bool deps;  /* record dependency ids */
  bool sched; /* record scheduler decisions */
} gen_opts;

typedef struct gen_stats {
  size_t tasks, transfers, samples, evictions, scheds;
} gen_stats;

cf_status gen_ckks_trace(cf_trace *t, const gen_opts *o, gen_stats *stats);

#endif
