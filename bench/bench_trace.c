/*
 * Suite "trace": what recording costs a runtime. Each sample is the wall
 * time for 1000 events (divide by 1000 for one), measured over a batch of N
 * events per thread into a fresh trace: with cf_trace_reserve done before
 * timing, or "unreserved" (chunk allocation and first-touch page faults
 * included).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cipherflow/trace.h"

enum { MAX_THREADS = 4 };

typedef struct rec_job {
  cf_trace *t;
  int worker, n, kind; /* kind 0: task, 1: task with 2 deps, 2: memory sample, 3: transfer */
} rec_job;

static void *record(void *arg) {
  rec_job *j = arg;
  for (int i = 0; i < j->n; i++) {
    uint64_t id = (uint64_t)j->worker << 40 | (uint64_t)i, deps[2] = {id - 1, id - 2};
    cf_trace_task k = {.id = id,
                       .worker = j->worker,
                       .start_ns = (uint64_t)i * 100,
                       .end_ns = (uint64_t)i * 100 + 90,
                       .kernel = "NTT",
                       .op = "rotate",
                       .node = i,
                       .limb_begin = 0,
                       .limb_end = 1,
                       .level = 5,
                       .deps = deps,
                       .ndeps = j->kind == 1 ? 2 : 0};
    if (j->kind <= 1)
      cf_trace_record_task(j->t, &k);
    else if (j->kind == 2)
      cf_trace_record_memory(j->t, 0, (uint64_t)i, (uint64_t)i * 64);
    else
      cf_trace_record_transfer(j->t, 0, 1, 4096, (uint64_t)i, (uint64_t)i + 10);
  }
  return NULL;
}

/* Wall time per 1000 events for nthreads threads recording n events each. */
static cf_status sample(int nthreads, int n, int kind, bool reserve, uint64_t *out) {
  cf_trace *t;
  cf_status st = cf_trace_create(&t, 0);
  if (st == CF_OK && reserve) st = cf_trace_reserve(t, (uint64_t)n * (uint64_t)nthreads);
  if (st != CF_OK) return st;
  for (int w = 0; w < nthreads && st == CF_OK; w++)
    st = cf_trace_add_worker(t, w, "cpu", CF_TRACE_CPU, 0);
  if (st != CF_OK) {
    cf_trace_destroy(t);
    return st;
  }
  rec_job jobs[MAX_THREADS];
  pthread_t th[MAX_THREADS];
  uint64_t t0 = cf_bench_now_ns();
  for (int w = 0; w < nthreads; w++) {
    jobs[w] = (rec_job){t, w, n, kind};
    if (nthreads == 1)
      record(&jobs[w]);
    else
      pthread_create(&th[w], NULL, record, &jobs[w]);
  }
  if (nthreads > 1)
    for (int w = 0; w < nthreads; w++)
      pthread_join(th[w], NULL);
  uint64_t dt = cf_bench_now_ns() - t0;
  *out = dt * 1000 / ((uint64_t)n * (uint64_t)nthreads);
  cf_trace_destroy(t);
  return CF_OK;
}

cf_status cf_bench_run_trace(cf_bench *b);
cf_status cf_bench_run_trace(cf_bench *b) {
  int reps = cf_bench_reps(b, 11), n = cf_bench_quick(b) ? 20000 : 200000;
  uint64_t *s = malloc((size_t)reps * sizeof *s);
  if (!s) return CF_ENOMEM;
  static const struct {
    const char *name;
    int kind;
    bool reserve;
  } cases[] = {{"task_per_1k", 0, true},
               {"task_2deps_per_1k", 1, true},
               {"memory_per_1k", 2, true},
               {"transfer_per_1k", 3, true},
               {"task_unreserved_per_1k", 0, false},
               {"task_2deps_unreserved_per_1k", 1, false}};
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  char params[96];
  cf_status st = CF_OK;
  for (int threads = 1; threads <= 2 && st == CF_OK; threads++) {
    if (threads > 1 && cores < 2) break;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0] && st == CF_OK; c++) {
      for (int r = 0; r < reps && st == CF_OK; r++)
        st = sample(threads, n, cases[c].kind, cases[c].reserve, &s[r]);
      snprintf(params, sizeof params, "{\"threads\":%d,\"events\":%d}", threads, n * threads);
      if (st == CF_OK) cf_bench_report_samples(b, cases[c].name, params, s, reps);
    }
  }
  free(s);
  return st;
}
