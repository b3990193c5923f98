/* The StarPU executor gives the sequential executor's results bit for bit,
 * under several policies, grains and both data registration modes. */
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

enum { N = 32, L = 6, K = 2 };
static ref_ctx ref;
static uint64_t seed0;

/* Runs one random DAG both ways and compares every buffer. */
static void compare(const char *policy, uint32_t grain, cf_mem_mode mode, bool prio,
                    uint64_t seed) {
  tb_shape s = {.limbs = L, .ext = K, .grain = grain, .steps = 40, .nprimes = L + K, .seed = seed};
  cf_dag *dag = tb_random(&s, ref.q);
  cf_kernel_runner r = ref_runner(&ref);
  uint64_t **a = sp_test_host(dag, N, ref.q, seed ^ 0x55);
  uint64_t **b = sp_test_clone(dag, N, a);
  assert_int_equal(cf_seq_execute(dag, &r, a), CF_OK);

  cf_sp_options o = sp_test_options(policy);
  o.data_mode = mode;
  o.sched.priorities = prio;
  sp_test_start(&o);
  cf_sp_stats stats;
  cf_status st = cf_sp_execute(dag, &r, b, &stats, NULL);
  if (st != CF_OK) fprintf(stderr, "%s\n", cf_last_error());
  assert_int_equal(st, CF_OK);
  cf_sp_stop();
  assert_int_equal(stats.ntasks, cf_dag_ntasks(dag));
  for (size_t k = 0; k < cf_dag_nbuffers(dag); k++) {
    size_t words = (size_t)cf_dag_buffer_at(dag, k)->nlimbs * N;
    if (memcmp(a[k], b[k], words * sizeof **a) != 0)
      fail_msg("policy %s grain %u mode %d: buffer %zu (%s) differs", policy, grain, (int)mode, k,
               cf_dag_buffer_at(dag, k)->name);
  }
  sp_test_free(dag, a);
  sp_test_free(dag, b);
  cf_dag_destroy(dag);
}

static const char *const policies[] = {"eager",       "prio",        "lws",       "dmda",
                                       "cf-affinity", "cf-critpath", "heteroprio"};

static void test_policies_grains(void **state) {
  (void)state;
  uint32_t grains[] = {1, 4, 0};
  for (size_t p = 0; p < sizeof policies / sizeof *policies; p++)
    for (size_t g = 0; g < 3; g++)
      compare(policies[p], grains[g], CF_MEM_SEGMENTS, true, seed0 + p * 7 + g);
}

static void test_filter_mode(void **state) {
  (void)state;
  compare("cf-affinity", 2, CF_MEM_FILTER, true, seed0 + 100);
  compare("dmda", 1, CF_MEM_FILTER, false, seed0 + 101);
}

static void test_blocks_mode(void **state) {
  (void)state;
  compare("cf-affinity", 4, CF_MEM_BLOCKS, true, seed0 + 150);
  compare("cf-critpath", 1, CF_MEM_BLOCKS, true, seed0 + 151);
  compare("eager", 0, CF_MEM_BLOCKS, false, seed0 + 152);
}

static void test_no_priorities(void **state) {
  (void)state;
  compare("prio", 1, CF_MEM_SEGMENTS, false, seed0 + 200);
  compare("cf-critpath", 3, CF_MEM_SEGMENTS, false, seed0 + 201);
}

/* A task with more segments than StarPU's NMAXBUFS goes through dynamic
 * handle arrays: a limb-by-limb DAG followed by whole-polynomial rescale. */
static void test_many_buffers(void **state) {
  (void)state;
  cf_dag *dag = tb_new();
  uint32_t nl = 12;
  uint32_t x = tb_buffer(dag, CF_BUFFER_CIPHERTEXT, nl, 0, "x");
  uint32_t y = tb_buffer(dag, CF_BUFFER_TEMP, nl, 0, "y");
  for (uint32_t l = 0; l < nl; l++) {
    cf_dag_piece p[2] = {{y, (uint16_t)l, 1, CF_ACCESS_W}, {x, (uint16_t)l, 1, CF_ACCESS_R}};
    tb_task(dag, CF_KERNEL_NEG, 0, 2, p);
  }
  cf_dag_piece q[2] = {{y, 0, (uint16_t)(nl - 1), CF_ACCESS_RW},
                       {y, (uint16_t)(nl - 1), 1, CF_ACCESS_R}};
  tb_task(dag, CF_KERNEL_RESCALE, 0, 2, q);
  cf_dag_piece z[1] = {{y, 0, (uint16_t)nl, CF_ACCESS_RW}};
  tb_task(dag, CF_KERNEL_NTT, 0, 1, z);
  ref_ctx c;
  ref_ctx_init(&c, N, nl);
  cf_kernel_runner r = ref_runner(&c);
  uint64_t **a = sp_test_host(dag, N, c.q, seed0 + 300), **b = sp_test_clone(dag, N, a);
  assert_int_equal(cf_seq_execute(dag, &r, a), CF_OK);
  cf_sp_options o = sp_test_options("eager");
  sp_test_start(&o);
  assert_int_equal(cf_sp_execute(dag, &r, b, NULL, NULL), CF_OK);
  cf_sp_stop();
  assert_memory_equal(a[y], b[y], (size_t)nl * N * sizeof(uint64_t));
  sp_test_free(dag, a), sp_test_free(dag, b);
  cf_dag_destroy(dag);
}

/* Bad DAGs and bad options are errors, not crashes. */
static void test_errors(void **state) {
  (void)state;
  cf_sp_options o = sp_test_options("no-such-policy");
  assert_int_equal(cf_sp_start(&o), CF_ENOTFOUND);
  assert_non_null(strstr(cf_last_error(), "cf-affinity"));
  o = sp_test_options("eager");
  o.sched.ncpus = 1000;
  assert_int_equal(cf_sp_start(&o), CF_EINVAL);

  cf_dag *dag = tb_new();
  uint32_t t = tb_buffer(dag, CF_BUFFER_TEMP, 2, 0, "t");
  uint32_t u = tb_buffer(dag, CF_BUFFER_TEMP, 2, 0, "u");
  cf_dag_piece p[2] = {{u, 0, 2, CF_ACCESS_W}, {t, 0, 2, CF_ACCESS_R}};
  tb_task(dag, CF_KERNEL_COPY, 0, 2, p);
  cf_kernel_runner r = ref_runner(&ref);
  assert_int_equal(cf_sp_execute(dag, &r, NULL, NULL, NULL), CF_EINVAL); /* not started */
  o = sp_test_options("eager");
  sp_test_start(&o);
  assert_int_equal(cf_sp_execute(dag, &r, NULL, NULL, NULL), CF_EINVAL); /* t never written */
  assert_non_null(strstr(cf_last_error(), "before anything writes it"));
  cf_dag_piece bad[1] = {{t, 1, 5, CF_ACCESS_RW}};
  tb_task(dag, CF_KERNEL_NTT, 0, 1, bad);
  uint64_t **h = sp_test_host(dag, N, ref.q, 1);
  assert_int_equal(cf_sp_execute(dag, &r, h, NULL, NULL), CF_EINVAL);
  cf_sp_stop();
  sp_test_free(dag, h);
  cf_dag_destroy(dag);
}

int main(void) {
  seed0 = (uint64_t)time(NULL);
  printf("seed %llu\n", (unsigned long long)seed0);
  ref_ctx_init(&ref, N, L + K);
  sp_test_dir();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errors),          cmocka_unit_test(test_many_buffers),
      cmocka_unit_test(test_policies_grains), cmocka_unit_test(test_filter_mode),
      cmocka_unit_test(test_no_priorities),   cmocka_unit_test(test_blocks_mode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
