/* The StarPU executor over the real CKKS steps (toy parameters, N = 2^11):
 * bit-identical to the sequential executor, and a split key-switch frame
 * (ModUp, ModDown, rescale over limb sub-ranges) bit-identical to the same
 * steps called once on whole polynomials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kernels/ckks/steps.h"
#include "tasks/ckks_runner.h"
#include "tasks/executor.h"
#include "tasks/seq_exec.h"
#include "tests/tasks/dag_builder.h"
#include "tests/tasks/sp_test_env.h"

static cf_ckks_params *params;
static cf_ckks_context *ctx;
static uint64_t primes[64];
static uint32_t n, nq, np;
static uint64_t seed0;

static int setup(void **state) {
  (void)state;
  if (cf_ckks_params_preset("toy", true, &params) != CF_OK) return -1;
  if (cf_ckks_context_create(params, &ctx) != CF_OK) return -1;
  n = (uint32_t)cf_ckks_params_n(params);
  nq = (uint32_t)cf_ckks_params_nq(params);
  np = (uint32_t)cf_ckks_params_np(params);
  for (uint32_t i = 0; i < nq + np; i++)
    primes[i] = cf_ckks_params_prime(params, (int)i);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cf_ckks_context_destroy(ctx);
  cf_ckks_params_destroy(params);
  return 0;
}

/* Both executors with the CKKS runner; returns the sequential result. */
static uint64_t **run_both(cf_dag *dag, const char *policy, uint64_t seed) {
  cf_ckks_runner *cr;
  assert_int_equal(cf_ckks_runner_create(ctx, dag, &cr), CF_OK);
  cf_kernel_runner r = cf_ckks_runner_get(cr);
  uint64_t **a = sp_test_host(dag, n, primes, seed);
  /* Blocks: pieces of split buffers are read in place; segments: staged. */
  const cf_mem_mode modes[] = {CF_MEM_BLOCKS, CF_MEM_SEGMENTS};
  uint64_t **b[2] = {sp_test_clone(dag, n, a), sp_test_clone(dag, n, a)};
  cf_status st = cf_seq_execute(dag, &r, a);
  if (st != CF_OK) fail_msg("sequential: %s", cf_last_error());
  for (int m = 0; m < 2; m++) {
    cf_sp_options o = sp_test_options(policy);
    o.data_mode = modes[m];
    sp_test_start(&o);
    st = cf_sp_execute(dag, &r, b[m], NULL, NULL);
    if (st != CF_OK) fail_msg("StarPU: %s", cf_last_error());
    cf_sp_stop();
    for (size_t k = 0; k < cf_dag_nbuffers(dag); k++)
      if (memcmp(a[k], b[m][k], (size_t)cf_dag_buffer_at(dag, k)->nlimbs * n * 8))
        fail_msg("policy %s mode %d: buffer %zu (%s) differs", policy, (int)modes[m], k,
                 cf_dag_buffer_at(dag, k)->name);
    sp_test_free(dag, b[m]);
  }
  cf_ckks_runner_destroy(cr);
  return a;
}

static void test_random_limb_local(void **state) {
  (void)state;
  const char *pols[] = {"cf-affinity", "dmdas", "lws"};
  for (int i = 0; i < 3; i++) {
    tb_shape s = {.limbs = nq,
                  .ext = 0,
                  .grain = (uint32_t)i,
                  .steps = 25,
                  .nprimes = nq + np,
                  .seed = seed0 + (uint64_t)i};
    cf_dag *dag = tb_random(&s, primes);
    sp_test_free(dag, run_both(dag, pols[i], seed0 + 10 + (uint64_t)i));
    cf_dag_destroy(dag);
  }
}

/* x (coefficient form) -> ModUp of digit 0 into ext -> ModDown of ext's
 * special rows into y -> rescale y; limb-local tasks split by grain. */
static cf_dag *ks_frame(uint32_t grain, uint32_t *y_out) {
  int level = (int)nq - 1, first, count;
  size_t next;
  const uint16_t *ext_primes;
  assert_int_equal(cf_ckks_digit_info(ctx, level, 0, &first, &count, &next, &ext_primes), CF_OK);
  assert_int_equal(first, 0);
  for (size_t i = 1; i < next; i++)
    assert_int_equal(ext_primes[i], ext_primes[0] + i);
  cf_dag *d = tb_new();
  uint32_t x = tb_buffer(d, CF_BUFFER_CIPHERTEXT, nq, 0, "x");
  uint32_t y = tb_buffer(d, CF_BUFFER_CIPHERTEXT, nq, 0, "y");
  uint32_t e = tb_buffer(d, CF_BUFFER_TEMP, (uint32_t)next, ext_primes[0], "ext");
  uint32_t g = grain ? grain : (uint32_t)next;
  for (uint32_t f = 0; f < next; f += g) {
    uint16_t k = (uint16_t)(f + g <= next ? g : next - f);
    uint32_t t = tb_task(
        d, CF_KERNEL_MODUP, 0, 2,
        (cf_dag_piece[]){{e, (uint16_t)f, k, CF_ACCESS_W}, {x, 0, (uint16_t)count, CF_ACCESS_R}});
    tb_task_mut(d, t)->level = level;
    tb_task_mut(d, t)->arg.digit = 0;
  }
  g = grain ? grain : nq;
  for (uint32_t f = 0; f < nq; f += g) {
    uint16_t k = (uint16_t)(f + g <= nq ? g : nq - f);
    uint32_t t = tb_task(d, CF_KERNEL_MODDOWN, 0, 2,
                         (cf_dag_piece[]){{y, (uint16_t)f, k, CF_ACCESS_RW},
                                          {e, (uint16_t)(next - np), (uint16_t)np, CF_ACCESS_R}});
    tb_task_mut(d, t)->level = level;
  }
  uint32_t top = nq - 1;
  cf_dag_piece tp = {y, (uint16_t)top, 1, CF_ACCESS_RW};
  tb_task(d, CF_KERNEL_INTT, 0, 1, &tp);
  for (uint32_t f = 0; f < top; f += g) {
    uint16_t k = (uint16_t)(f + g <= top ? g : top - f);
    uint32_t t = tb_task(
        d, CF_KERNEL_RESCALE, 0, 2,
        (cf_dag_piece[]){{y, (uint16_t)f, k, CF_ACCESS_RW}, {y, (uint16_t)top, 1, CF_ACCESS_R}});
    tb_task_mut(d, t)->level = level;
  }
  *y_out = y;
  return d;
}

static void test_split_key_switch(void **state) {
  (void)state;
  uint32_t y;
  cf_dag *whole = ks_frame(0, &y);
  uint64_t **ref = run_both(whole, "eager", seed0 + 50);
  for (uint32_t grain = 1; grain <= 3; grain++) {
    cf_dag *split = ks_frame(grain, &y);
    uint64_t **got = run_both(split, grain == 1 ? "cf-affinity" : "dmda", seed0 + 50);
    assert_memory_equal(ref[y], got[y], (size_t)nq * n * 8);
    sp_test_free(split, got);
    cf_dag_destroy(split);
  }
  sp_test_free(whole, ref);
  cf_dag_destroy(whole);
}

int main(void) {
  seed0 = (uint64_t)time(NULL);
  printf("seed %llu\n", (unsigned long long)seed0);
  sp_test_dir();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_limb_local),
      cmocka_unit_test(test_split_key_switch),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
