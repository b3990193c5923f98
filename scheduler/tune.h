/*
 * Tuning: run every (policy, grain) combination a few times, keep medians,
 * rank by makespan and keep the best as the configuration `run` uses.
 * This file holds the bookkeeping; the runs themselves are the caller's.
 */
#ifndef CF_SCHEDULER_TUNE_H
#define CF_SCHEDULER_TUNE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scheduler/config.h"

typedef struct cf_tune_sample {
  uint64_t makespan_ns;
  double utilization; /* 0..1 */
  uint64_t idle_ns;
  uint64_t bytes_moved;
} cf_tune_sample;

typedef struct cf_tune_row {
  cf_sched_config config;
  cf_tune_sample median; /* component-wise medians over the repetitions */
  int reps;
} cf_tune_row;

/* Component-wise medians of n samples (n >= 1; the array is reordered). */
cf_status cf_tune_median(cf_tune_sample *samples, int n, cf_tune_sample *out);

/* Sorts rows by median makespan (ties: fewer bytes moved, then input order). */
void cf_tune_rank(cf_tune_row *rows, size_t n);

/* Prints the ranked table. */
void cf_tune_print(const cf_tune_row *rows, size_t n, FILE *out);

/* Parses "a,b,c" into up to cap items (copied into the buffers). */
cf_status cf_tune_split(const char *list, char items[][CF_SCHED_POLICY_MAX], size_t cap,
                        size_t *count);

#endif
