/* A program on real 128-bit parameters (preset n14) through StarPU:
 * product with relinearization and rescale, rotation, plaintext product,
 * sum; outputs bit-identical to the sequential DAG run and within 2^-15 of
 * the slot simulator, at grains 1 and 4. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "graph/ckks_exec.h"
#include "graph/ir.h"
#include "tasks/sp_program.h"
#include "tests/tasks/sp_test_env.h"

static cf_program *build(const cf_ckks_params *params) {
  cf_chain c;
  assert_int_equal(cf_chain_from_params(params, &c), CF_OK);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, 1, &p), CF_OK);
  cf_value x, w, y, r, z, s;
  uint32_t slots = 256;
  assert_int_equal(cf_prog_input(p, "x", cf_ckks_params_max_level(params), 0, slots, &x), CF_OK);
  assert_int_equal(cf_prog_plaintext_random(p, "w", slots, 11, &w), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, x, &y), CF_OK);
  assert_int_equal(cf_prog_rotate(p, y, 3, &r), CF_OK);
  assert_int_equal(cf_prog_mul(p, r, w, &z), CF_OK);
  assert_int_equal(cf_prog_add(p, y, z, &s), CF_OK);
  assert_int_equal(cf_prog_output(p, "s", s), CF_OK);
  return p;
}

static void test_n14(void **state) {
  (void)state;
  cf_ckks_params *params;
  assert_int_equal(cf_ckks_params_preset("n14", false, &params), CF_OK);
  cf_program *p = build(params);
  cf_sp_options o = sp_test_options("cf-affinity");
  sp_test_start(&o);
  uint64_t seed = (uint64_t)time(NULL);
  for (unsigned grain = 1; grain <= 4; grain += 3) {
    cf_lower_options lo;
    cf_lower_options_default(&lo);
    lo.grain = grain;
    cf_executor *sim, *ex;
    assert_int_equal(cf_executor_create_sim(&sim), CF_OK);
    assert_int_equal(cf_executor_create_starpu(params, &lo, &ex), CF_OK);
    cf_executor_starpu_verify(ex, true);
    cf_executor *both[2] = {sim, ex};
    for (int e = 0; e < 2; e++) {
      if (cf_executor_prepare(both[e], p) != CF_OK) fail_msg("prepare: %s", cf_last_error());
      assert_int_equal(cf_sp_random_inputs(both[e], p, seed), CF_OK);
      if (cf_executor_run(both[e]) != CF_OK) fail_msg("run: %s", cf_last_error());
    }
    double a[2][2][256], err = 0;
    for (int e = 0; e < 2; e++)
      assert_int_equal(cf_executor_get_output(both[e], "s", a[e][0], a[e][1], 256), CF_OK);
    for (int k = 0; k < 2; k++)
      for (int j = 0; j < 256; j++)
        err = fmax(err, fabs(a[0][k][j] - a[1][k][j]));
    if (err > 0x1p-15) fail_msg("grain %u: error %g against the simulator", grain, err);
    cf_executor_destroy(sim);
    cf_executor_destroy(ex);
  }
  cf_sp_stop();
  cf_program_destroy(p);
  cf_ckks_params_destroy(params);
}

int main(void) {
  sp_test_dir();
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_n14)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
