/* A plan (cf_sp_plan) keeps a DAG's data registered across runs: buffers no
 * task writes (keys, weights) are filled once and serve every later run,
 * while inputs change from run to run. Every run must equal the sequential
 * executor on that run's inputs, bit for bit, for every buffer (all kept:
 * tests/tasks/test_sp_share.c covers temporaries sharing memory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tasks/executor.h"
#include "tasks/seq_exec.h"
#include "tests/tasks/dag_builder.h"
#include "tests/tasks/ref_runner.h"
#include "tests/tasks/sp_test_env.h"

enum { N = 32, L = 6, K = 2, RUNS = 3 };
static ref_ctx ref;
static uint64_t seed0;

/* Which buffers some task writes, from the pieces (independent of the plan). */
static bool *written_by_dag(const cf_dag *dag) {
  bool *w = calloc(cf_dag_nbuffers(dag) + 1, sizeof *w);
  assert_non_null(w);
  for (size_t i = 0; i < cf_dag_ntasks(dag); i++) {
    const cf_dag_task *t = cf_dag_task_at(dag, i);
    for (unsigned p = 0; p < t->npieces; p++)
      if (t->pieces[p].access & CF_ACCESS_W) w[t->pieces[p].buffer] = true;
  }
  return w;
}

static void expect_equal(const cf_dag *dag, uint64_t **want, uint64_t **got, const bool *written,
                         const char *what, int run) {
  for (size_t b = 0; b < cf_dag_nbuffers(dag); b++) {
    if (!written[b]) continue;
    size_t words = (size_t)cf_dag_buffer_at(dag, b)->nlimbs * N;
    if (memcmp(want[b], got[b], words * sizeof **want) != 0)
      fail_msg("%s run %d: buffer %zu (%s) differs from the sequential run", what, run, b,
               cf_dag_buffer_at(dag, b)->name);
  }
}

/* RUNS runs of one plan on a random DAG. Buffers no task writes are filled
 * on the first run only (their content stays that of run 0); the others
 * get fresh values every run. With restart, StarPU is stopped and started
 * again before the last run: the old plan must refuse to run, a new one
 * must work. */
static void reuse(const char *policy, int ncpus, uint32_t grain, uint64_t seed, bool restart) {
  tb_shape s = {.limbs = L, .ext = K, .grain = grain, .steps = 40, .nprimes = L + K, .seed = seed};
  cf_dag *dag = tb_random(&s, ref.q);
  cf_kernel_runner r = ref_runner(&ref);
  size_t nb = cf_dag_nbuffers(dag);
  bool *written = written_by_dag(dag);
  cf_sp_options o = sp_test_options(policy);
  o.sched.ncpus = ncpus;
  sp_test_start(&o);
  cf_sp_plan *plan = NULL;
  uint8_t *keep = malloc(nb);
  assert_non_null(keep);
  memset(keep, 1, nb);
  assert_int_equal(cf_sp_plan_create(dag, N, keep, &plan), CF_OK);
  uint64_t **first = sp_test_host(dag, N, ref.q, seed ^ 0x77);
  size_t kept = 0;
  for (int run = 0; run < RUNS; run++) {
    uint64_t **want = sp_test_host(dag, N, ref.q, seed ^ (0x1000u + (uint64_t)run));
    for (size_t b = 0; b < nb; b++)
      if (!written[b] && cf_dag_buffer_at(dag, b)->role != CF_BUFFER_TEMP)
        memcpy(want[b], first[b], (size_t)cf_dag_buffer_at(dag, b)->nlimbs * N * sizeof **want);
    uint64_t **got = sp_test_clone(dag, N, want);
    for (size_t b = 0; b < nb; b++)
      if (cf_dag_buffer_at(dag, b)->role == CF_BUFFER_TEMP) memset(got[b], 0xA5, N * sizeof **got);
    if (restart && run == RUNS - 1) {
      cf_sp_stop();
      assert_false(cf_sp_plan_current(plan));
      sp_test_start(&o);
      assert_int_equal(cf_sp_plan_run(plan, &r, got, NULL, NULL), CF_EINVAL);
      cf_sp_plan_destroy(plan);
      assert_int_equal(cf_sp_plan_create(dag, N, keep, &plan), CF_OK);
    }
    for (size_t b = 0; b < nb; b++) {
      if (cf_dag_buffer_at(dag, b)->role == CF_BUFFER_TEMP) continue;
      if (cf_sp_plan_filled(plan, (uint32_t)b)) {
        assert_false(written[b]);
        kept++;
        continue;
      }
      assert_int_equal(sp_test_fill(plan, dag, (uint32_t)b, want[b], N), CF_OK);
    }
    assert_int_equal(cf_seq_execute(dag, &r, want), CF_OK);
    cf_status st = cf_sp_plan_run(plan, &r, got, NULL, NULL);
    if (st != CF_OK) fail_msg("%s grain %u run %d: %s", policy, grain, run, cf_last_error());
    expect_equal(dag, want, got, written, policy, run);
    /* What no task writes still holds its content; the rest must be refilled. */
    for (size_t b = 0; b < nb; b++)
      assert_int_equal(cf_sp_plan_filled(plan, (uint32_t)b),
                       !written[b] && cf_dag_buffer_at(dag, b)->role != CF_BUFFER_TEMP);
    sp_test_free(dag, want);
    sp_test_free(dag, got);
  }
  cf_sp_plan_destroy(plan);
  cf_sp_stop();
  /* The random DAGs have read-only inputs (keys, weights): some must have been kept. */
  assert_true(kept > 0);
  sp_test_free(dag, first);
  free(written), free(keep);
  cf_dag_destroy(dag);
}

static void test_reuse_grains(void **state) {
  (void)state;
  const uint32_t grains[] = {1, 4, 0};
  for (int g = 0; g < 3; g++)
    reuse("cf-affinity", 2, grains[g], seed0 + (uint64_t)g, false);
}

static void test_reuse_one_worker_and_eager(void **state) {
  (void)state;
  reuse("cf-affinity", 1, 2, seed0 + 10, false);
  reuse("eager", 2, 1, seed0 + 11, false);
}

static void test_restart(void **state) {
  (void)state;
  reuse("cf-critpath", 2, 4, seed0 + 20, true);
}

/* An input a task overwrites must be filled again before the next run. */
static void test_overwritten_input(void **state) {
  (void)state;
  cf_dag *dag = tb_new();
  uint32_t x = tb_buffer(dag, CF_BUFFER_CIPHERTEXT, 2, 0, "x");
  uint32_t k = tb_buffer(dag, CF_BUFFER_KEY, 2, 0, "k");
  uint32_t y = tb_buffer(dag, CF_BUFFER_CIPHERTEXT, 2, 0, "y");
  cf_dag_piece a[1] = {{x, 0, 2, CF_ACCESS_RW}};
  tb_task(dag, CF_KERNEL_NTT, 0, 1, a);
  cf_dag_piece m[3] = {{y, 0, 2, CF_ACCESS_W}, {x, 0, 2, CF_ACCESS_R}, {k, 0, 2, CF_ACCESS_R}};
  tb_task(dag, CF_KERNEL_MUL, 0, 3, m);
  cf_kernel_runner r = ref_runner(&ref);
  cf_sp_options o = sp_test_options("cf-affinity");
  sp_test_start(&o);
  cf_sp_plan *plan = NULL;
  assert_int_equal(cf_sp_plan_create(dag, N, NULL, &plan), CF_OK);
  uint64_t **h = sp_test_host(dag, N, ref.q, seed0 + 30), **got = sp_test_clone(dag, N, h);
  assert_int_equal(sp_test_fill(plan, dag, x, h[x], N), CF_OK);
  assert_int_equal(sp_test_fill(plan, dag, k, h[k], N), CF_OK);
  assert_int_equal(cf_sp_plan_run(plan, &r, got, NULL, NULL), CF_OK);
  assert_false(cf_sp_plan_filled(plan, x));
  assert_true(cf_sp_plan_filled(plan, k));
  assert_int_equal(cf_sp_plan_run(plan, &r, got, NULL, NULL), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "before anything writes it"));
  assert_int_equal(sp_test_fill(plan, dag, x, h[x], N), CF_OK);
  assert_int_equal(cf_sp_plan_run(plan, &r, got, NULL, NULL), CF_OK);
  assert_int_equal(cf_seq_execute(dag, &r, h), CF_OK);
  assert_memory_equal(h[y], got[y], 2 * N * sizeof **h);
  assert_memory_equal(h[x], got[x], 2 * N * sizeof **h);
  cf_sp_plan_destroy(plan);
  cf_sp_stop();
  sp_test_free(dag, h), sp_test_free(dag, got);
  cf_dag_destroy(dag);
}

int main(void) {
  seed0 = (uint64_t)time(NULL);
  printf("seed %llu\n", (unsigned long long)seed0);
  ref_ctx_init(&ref, N, L + K);
  sp_test_dir();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reuse_grains),
      cmocka_unit_test(test_reuse_one_worker_and_eager),
      cmocka_unit_test(test_restart),
      cmocka_unit_test(test_overwritten_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
