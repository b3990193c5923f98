/* The recorder: argument checks, the event cap, interning, and concurrent
 * recording from several threads checked event by event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <pthread.h>

#include "cipherflow/trace.h"
#include "traces/model.h"

static cf_trace *new_trace(uint64_t cap, int workers) {
  cf_trace *t = NULL;
  assert_int_equal(cf_trace_create(&t, cap), CF_OK);
  assert_int_equal(cf_trace_add_memnode(t, 0, "RAM"), CF_OK);
  for (int w = 0; w < workers; w++) {
    char name[16];
    snprintf(name, sizeof name, "cpu%d", w);
    assert_int_equal(cf_trace_add_worker(t, w, name, CF_TRACE_CPU, 0), CF_OK);
  }
  return t;
}

static void bad_arguments_fail_with_messages(void **state) {
  (void)state;
  cf_trace *t = new_trace(0, 1);
  cf_trace_task k = {.id = 1,
                     .worker = 3,
                     .start_ns = 10,
                     .end_ns = 20,
                     .kernel = "NTT",
                     .node = -1,
                     .limb_begin = -1,
                     .limb_end = -1,
                     .level = -1};
  assert_int_equal(cf_trace_record_task(t, &k), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "worker 3 is not registered"));
  k.worker = 0;
  k.end_ns = 5;
  assert_int_equal(cf_trace_record_task(t, &k), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "ends"));
  k.end_ns = 20;
  k.kernel = NULL;
  assert_int_equal(cf_trace_record_task(t, &k), CF_EINVAL);
  k.kernel = "NTT";
  k.ndeps = 2;
  assert_int_equal(cf_trace_record_task(t, &k), CF_EINVAL);
  assert_int_equal(cf_trace_record_transfer(t, 0, 64, 10, 0, 1), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "64"));
  assert_int_equal(cf_trace_record_transfer(t, 0, 1, 10, 5, 1), CF_EINVAL);
  assert_int_equal(cf_trace_record_memory(t, -1, 0, 1), CF_EINVAL);
  assert_int_equal(cf_trace_record_eviction(t, 0, -2, 1, 0), CF_EINVAL);
  assert_int_equal(cf_trace_record_eviction(t, 0, -1, 1, 0), CF_OK);
  assert_int_equal(cf_trace_record_sched(t, 0, 1, 7, "x"), CF_EINVAL);
  assert_int_equal(cf_trace_add_worker(t, CF_TRACE_MAX_WORKERS, "w", CF_TRACE_CPU, 0), CF_EINVAL);
  assert_int_equal(cf_trace_add_worker(t, 1, "w", (cf_trace_worker_kind)5, 0), CF_EINVAL);
  assert_int_equal(cf_trace_add_worker(t, 1, "w", CF_TRACE_CUDA, 99), CF_EINVAL);
  assert_int_equal(cf_trace_set_meta(t, "", "x"), CF_EINVAL);
  assert_int_equal(cf_trace_create(NULL, 0), CF_EINVAL);
  /* Only the one valid eviction was recorded. */
  assert_int_equal(cf_trace_event_count(t), 1);
  cf_trace_destroy(t);
}

static void cap_counts_dropped_events(void **state) {
  (void)state;
  uint64_t cap = 100 + (uint64_t)(rand() % 5000);
  uint64_t extra = 1 + (uint64_t)(rand() % 300);
  cf_trace *t = new_trace(cap, 1);
  for (uint64_t i = 0; i < cap + extra; i++)
    assert_int_equal(cf_trace_record_memory(t, 0, i, i * 3), CF_OK);
  assert_int_equal(cf_trace_event_count(t), cap);
  assert_int_equal(cf_trace_dropped(t), extra);
  cf_tr_snap s;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  assert_int_equal(s.nsamples, cap);
  for (size_t i = 0; i < s.nsamples; i++)
    assert_int_equal(s.samples[i].bytes, s.samples[i].ts * 3);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
}

static void intern_and_meta(void **state) {
  (void)state;
  cf_trace *t = new_trace(0, 0);
  const char *a, *b, *c;
  char buf[16];
  snprintf(buf, sizeof buf, "KS_%d", rand() % 100);
  assert_int_equal(cf_trace_intern(t, buf, &a), CF_OK);
  assert_int_equal(cf_trace_intern(t, "NTT", &b), CF_OK);
  assert_int_equal(cf_trace_intern(t, buf, &c), CF_OK);
  assert_ptr_equal(a, c);
  assert_ptr_not_equal(a, b);
  assert_ptr_not_equal(a, buf);
  assert_string_equal(a, buf);
  assert_int_equal(cf_trace_set_meta(t, "policy", "eager"), CF_OK);
  assert_int_equal(cf_trace_set_meta(t, "policy", "dmdas"), CF_OK);
  assert_string_equal(cf_trace_get_meta(t, "policy"), "dmdas");
  assert_null(cf_trace_get_meta(t, "grain"));
  cf_trace_destroy(t);
}

enum { NTHREADS = 4 };

typedef struct job {
  cf_trace *t;
  int worker;
  int n;
} job;

/* Each thread records tasks whose id encodes (thread, sequence) and whose
 * deps are the two previous ids of the same thread. */
static void *record_many(void *arg) {
  job *j = arg;
  for (int i = 0; i < j->n; i++) {
    uint64_t id = (uint64_t)j->worker << 32 | (uint64_t)i;
    uint64_t deps[2] = {id - 1, id - 2};
    cf_trace_task k = {.id = id,
                       .worker = j->worker,
                       .start_ns = (uint64_t)i * 10,
                       .end_ns = (uint64_t)i * 10 + 7,
                       .kernel = "NTT",
                       .op = "rotate",
                       .node = i,
                       .limb_begin = i % 8,
                       .limb_end = i % 8 + 1,
                       .level = 3,
                       .deps = deps,
                       .ndeps = i >= 2 ? 2 : 0};
    if (cf_trace_record_task(j->t, &k) != CF_OK) return (void *)1;
    if (i % 16 == 0 && cf_trace_record_transfer(j->t, 0, 0, (uint64_t)i, 0, 1) != CF_OK)
      return (void *)1;
  }
  return NULL;
}

static void concurrent_recording_keeps_every_event(void **state) {
  (void)state;
  int n = 20000 + rand() % 10000;
  cf_trace *t = new_trace(0, NTHREADS);
  pthread_t th[NTHREADS];
  job jobs[NTHREADS];
  for (int w = 0; w < NTHREADS; w++) {
    jobs[w] = (job){t, w, n};
    assert_int_equal(pthread_create(&th[w], NULL, record_many, &jobs[w]), 0);
  }
  for (int w = 0; w < NTHREADS; w++) {
    void *rc;
    pthread_join(th[w], &rc);
    assert_null(rc);
  }
  cf_tr_snap s;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  assert_int_equal(s.ntasks, (size_t)NTHREADS * n);
  assert_int_equal(s.ntransfers, (size_t)NTHREADS * ((n + 15) / 16));
  char *seen = calloc((size_t)NTHREADS * n, 1);
  assert_non_null(seen);
  for (size_t i = 0; i < s.ntasks; i++) {
    const cf_trace_task *k = &s.tasks[i];
    int w = (int)(k->id >> 32), seq = (int)(k->id & 0xffffffffu);
    assert_int_equal(w, k->worker);
    assert_true(seq >= 0 && seq < n);
    assert_false(seen[w * n + seq]);
    seen[w * n + seq] = 1;
    assert_int_equal(k->start_ns, (uint64_t)seq * 10);
    assert_int_equal(k->node, seq);
    assert_int_equal(k->limb_begin, seq % 8);
    assert_int_equal(k->ndeps, seq >= 2 ? 2u : 0u);
    if (seq >= 2) {
      assert_int_equal(k->deps[0], k->id - 1);
      assert_int_equal(k->deps[1], k->id - 2);
    }
  }
  free(seen);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
}

/* Under a cap, every attempt is either kept or counted as dropped. */
static void concurrent_cap_accounts_for_every_event(void **state) {
  (void)state;
  int n = 3000 + rand() % 3000;
  uint64_t cap = (uint64_t)(NTHREADS * n / 2 + rand() % 1000);
  cf_trace *t = new_trace(cap, NTHREADS);
  pthread_t th[NTHREADS];
  job jobs[NTHREADS];
  for (int w = 0; w < NTHREADS; w++) {
    jobs[w] = (job){t, w, n};
    assert_int_equal(pthread_create(&th[w], NULL, record_many, &jobs[w]), 0);
  }
  for (int w = 0; w < NTHREADS; w++)
    pthread_join(th[w], NULL);
  uint64_t attempts = (uint64_t)NTHREADS * (uint64_t)(n + (n + 15) / 16);
  uint64_t kept = cf_trace_event_count(t);
  assert_true(kept <= cap);
  assert_true(kept + (uint64_t)NTHREADS * 63 >= cap); /* at most a partial block per thread lost */
  assert_int_equal(kept + cf_trace_dropped(t), attempts);
  cf_trace_destroy(t);
}

int main(void) {
  srand((unsigned)time(NULL));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_arguments_fail_with_messages),
      cmocka_unit_test(cap_counts_dropped_events),
      cmocka_unit_test(intern_and_meta),
      cmocka_unit_test(concurrent_recording_keeps_every_event),
      cmocka_unit_test(concurrent_cap_accounts_for_every_event),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
