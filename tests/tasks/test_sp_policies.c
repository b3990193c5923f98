/* Every policy name this StarPU offers (plus ours) starts and runs a small
 * DAG correctly; heteroprio gets its bucket set-up; unknown names fail with
 * the list of valid ones. Also: trace records are complete and consistent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "scheduler/policies.h"
#include "tasks/executor.h"
#include "tasks/seq_exec.h"
#include "tests/tasks/dag_builder.h"
#include "tests/tasks/ref_runner.h"
#include "tests/tasks/sp_test_env.h"

enum { N = 16, L = 4, K = 1 };
static ref_ctx ref;
static uint64_t seed0;

static void run_policy(const char *name, uint64_t seed, cf_trace_log *trace) {
  fprintf(stderr, "policy %s\n", name);
  tb_shape s = {.limbs = L, .ext = K, .grain = 1, .steps = 20, .nprimes = L + K, .seed = seed};
  cf_dag *dag = tb_random(&s, ref.q);
  cf_kernel_runner r = ref_runner(&ref);
  uint64_t **a = sp_test_host(dag, N, ref.q, seed), **b = sp_test_clone(dag, N, a);
  assert_int_equal(cf_seq_execute(dag, &r, a), CF_OK);
  cf_sp_options o = sp_test_options(name);
  sp_test_start(&o);
  if (trace) assert_int_equal(cf_trace_log_init(trace, dag), CF_OK);
  cf_status st = cf_sp_execute(dag, &r, b, NULL, trace);
  if (st != CF_OK) fail_msg("policy %s: %s", name, cf_last_error());
  cf_sp_stop();
  for (size_t k = 0; k < cf_dag_nbuffers(dag); k++)
    if (memcmp(a[k], b[k], (size_t)cf_dag_buffer_at(dag, k)->nlimbs * N * 8))
      fail_msg("policy %s: buffer %zu differs", name, k);
  sp_test_free(dag, a), sp_test_free(dag, b);
  cf_dag_destroy(dag);
}

static void test_every_policy(void **state) {
  (void)state;
  const char *names[128];
  size_t n = cf_sched_policy_names(names, 128);
  bool have_lws = false, have_hp = false, have_ours = false;
  for (size_t i = 0; i < n; i++) {
    have_lws |= !strcmp(names[i], "lws");
    have_hp |= !strcmp(names[i], "heteroprio");
    have_ours |= !strcmp(names[i], "cf-affinity");
    assert_int_equal(cf_sched_policy_check(names[i]), CF_OK);
    const char *only = getenv("CF_TEST_POLICY");
    if (only && strcmp(only, names[i]) != 0) continue;
    assert_non_null(cf_sched_policy_description(names[i]));
    run_policy(names[i], seed0 + i, NULL);
  }
  assert_true(have_lws && have_hp && have_ours);
  cf_sched_choice c;
  assert_int_equal(cf_sched_policy_choose("heteroprio", &c), CF_OK);
  assert_non_null(c.init);
  assert_int_equal(cf_sched_policy_choose("dmdas", &c), CF_OK);
  assert_true(c.uses_model);
  assert_int_equal(cf_sched_policy_check("Eager"), CF_ENOTFOUND);
  assert_int_equal(cf_sched_policy_check("modular-heteroprio-heft"), CF_EUNSUPPORTED);
  assert_non_null(strstr(cf_last_error(), "modular-heteroprio-heft"));
  assert_non_null(strstr(cf_last_error(), "heteroprio"));
}

static void test_trace_records(void **state) {
  (void)state;
  cf_trace_log log;
  run_policy("cf-affinity", seed0 + 999, &log);
  assert_true(log.n > 0);
  assert_true(log.nworkers >= 1);
  for (size_t i = 0; i < log.n; i++) {
    const cf_task_record *r = &log.records[i];
    assert_int_equal(r->task, i);
    assert_true(r->worker >= 0 && r->worker < log.nworkers);
    assert_true(r->start_ns <= r->end_ns && r->start_ns >= log.t0_ns);
    /* one worker runs one task at a time */
    for (size_t j = 0; j < i; j++) {
      const cf_task_record *q = &log.records[j];
      if (q->worker == r->worker) assert_true(q->end_ns <= r->start_ns || r->end_ns <= q->start_ns);
    }
  }
  assert_string_not_equal(log.worker_names[0], "");
  cf_trace_log_free(&log);
}

int main(void) {
  seed0 = (uint64_t)time(NULL);
  printf("seed %llu\n", (unsigned long long)seed0);
  ref_ctx_init(&ref, N, L + K);
  sp_test_dir();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_policy),
      cmocka_unit_test(test_trace_records),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
