/*
 * The benchmark harness. A suite times its cases and reports each through
 * this interface; the harness prints a table for people or, with --json,
 * one JSON object per line:
 *   {"suite":"ntt","name":"forward","params":{"N":65536},
 *    "median_ns":..,"min_ns":..,"max_ns":..,"reps":..}
 *   {"suite":"ntt","name":"speedup_vs_naive","params":{..},"ratio":3.2}
 * Tools read that format: keep it stable.
 */
#ifndef CF_BENCH_H
#define CF_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "cipherflow/status.h"

typedef struct cf_bench cf_bench;

typedef struct cf_bench_suite {
  const char *name;
  const char *summary;
  cf_status (*run)(cf_bench *b);
} cf_bench_suite;

extern const cf_bench_suite cf_bench_suites[];
extern const int cf_bench_nsuites;

/* Runs one suite. reps <= 0 lets each case choose; quick asks for small sizes. */
cf_status cf_bench_run_suite(const cf_bench_suite *suite, bool json, int reps, bool quick);

int cf_bench_reps(const cf_bench *b, int fallback);
bool cf_bench_quick(const cf_bench *b);

uint64_t cf_bench_now_ns(void);

/* Times fn(arg) once per rep after one untimed warm-up call, then reports. */
void cf_bench_time(cf_bench *b, const char *name, const char *params_json, int reps,
                   void (*fn)(void *arg), void *arg);

/* Reports samples measured by the suite itself (sorted in place). */
void cf_bench_report_samples(cf_bench *b, const char *name, const char *params_json,
                             uint64_t *samples_ns, int n);

/* Reports a dimensionless ratio, e.g. our median over a baseline's. */
void cf_bench_report_ratio(cf_bench *b, const char *name, const char *params_json, double ratio);

/* Median of n samples (sorts them). */
uint64_t cf_bench_median(uint64_t *samples_ns, int n);

#endif
