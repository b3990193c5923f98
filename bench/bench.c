#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "bench/bench.h"

struct cf_bench {
  const char *suite;
  bool json;
  bool quick;
  int reps;
  int reported;
};

uint64_t cf_bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int cf_bench_reps(const cf_bench *b, int fallback) { return b->reps > 0 ? b->reps : fallback; }

bool cf_bench_quick(const cf_bench *b) { return b->quick; }

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

uint64_t cf_bench_median(uint64_t *samples_ns, int n) {
  qsort(samples_ns, (size_t)n, sizeof *samples_ns, cmp_u64);
  return n % 2 ? samples_ns[n / 2] : (samples_ns[n / 2 - 1] + samples_ns[n / 2]) / 2;
}

static void print_header(cf_bench *b) {
  if (b->json || b->reported++) return;
  printf("%-10s %-28s %-34s %12s %12s %12s %5s\n", "suite", "name", "params", "median", "min",
         "max", "reps");
}

static void fmt_time(char *out, size_t size, uint64_t ns) {
  if (ns >= 10000000000u)
    snprintf(out, size, "%.2f s", ns / 1e9);
  else if (ns >= 10000000u)
    snprintf(out, size, "%.2f ms", ns / 1e6);
  else if (ns >= 10000u)
    snprintf(out, size, "%.2f us", ns / 1e3);
  else
    snprintf(out, size, "%llu ns", (unsigned long long)ns);
}

void cf_bench_report_samples(cf_bench *b, const char *name, const char *params_json,
                             uint64_t *samples_ns, int n) {
  if (n <= 0) return;
  uint64_t median = cf_bench_median(samples_ns, n);
  const char *params = params_json ? params_json : "{}";
  if (b->json) {
    printf("{\"suite\":\"%s\",\"name\":\"%s\",\"params\":%s,\"median_ns\":%llu,\"min_ns\":%llu,"
           "\"max_ns\":%llu,\"reps\":%d}\n",
           b->suite, name, params, (unsigned long long)median, (unsigned long long)samples_ns[0],
           (unsigned long long)samples_ns[n - 1], n);
  } else {
    print_header(b);
    char med[32], lo[32], hi[32];
    fmt_time(med, sizeof med, median);
    fmt_time(lo, sizeof lo, samples_ns[0]);
    fmt_time(hi, sizeof hi, samples_ns[n - 1]);
    printf("%-10s %-28s %-34s %12s %12s %12s %5d\n", b->suite, name, params, med, lo, hi, n);
  }
  fflush(stdout);
}

void cf_bench_report_ratio(cf_bench *b, const char *name, const char *params_json, double ratio) {
  const char *params = params_json ? params_json : "{}";
  if (b->json) {
    printf("{\"suite\":\"%s\",\"name\":\"%s\",\"params\":%s,\"ratio\":%.6g}\n", b->suite, name,
           params, ratio);
  } else {
    print_header(b);
    char r[32];
    snprintf(r, sizeof r, "%.3fx", ratio);
    printf("%-10s %-28s %-34s %12s %12s %12s %5s\n", b->suite, name, params, r, "", "", "");
  }
  fflush(stdout);
}

void cf_bench_time(cf_bench *b, const char *name, const char *params_json, int reps,
                   void (*fn)(void *arg), void *arg) {
  reps = cf_bench_reps(b, reps);
  uint64_t *samples = malloc(sizeof *samples * (size_t)reps);
  if (!samples) return;
  fn(arg);
  for (int i = 0; i < reps; i++) {
    uint64_t t0 = cf_bench_now_ns();
    fn(arg);
    samples[i] = cf_bench_now_ns() - t0;
  }
  cf_bench_report_samples(b, name, params_json, samples, reps);
  free(samples);
}

cf_status cf_bench_run_suite(const cf_bench_suite *suite, bool json, int reps, bool quick) {
  cf_bench b = {.suite = suite->name, .json = json, .quick = quick, .reps = reps};
  return suite->run(&b);
}
