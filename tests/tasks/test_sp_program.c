/* HE programs end to end on StarPU (graph's executor interface): random
 * programs on toy parameters, lowered at several grains with and without
 * fusion, encrypted, run as task DAGs, decrypted, against the slot
 * simulator and the direct CKKS evaluator. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "graph/ckks_exec.h"
#include "graph/ir.h"
#include "tasks/sp_program.h"
#include "tests/graph/helpers.h"
#include "tests/tasks/sp_test_env.h"

enum { MAXS = 4096 };

/* The same fresh inputs (from seed) into every input and external plaintext of p. */
static void set_random_inputs(cf_executor *ex, const cf_program *p, uint64_t seed) {
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    if (n->op != CF_OP_INPUT && !(n->op == CF_OP_PLAINTEXT && n->data_kind == CF_DATA_EXTERNAL))
      continue;
    uint64_t s = seed + i;
    static double re[MAXS], im[MAXS];
    for (uint32_t j = 0; j < n->type.slots; j++)
      re[j] = rnd_unit(&s), im[j] = n->op == CF_OP_INPUT ? rnd_unit(&s) * 0.5 : 0;
    assert_int_equal(cf_executor_set_input(ex, n->name, re, im, n->type.slots), CF_OK);
  }
}

/* Largest error of ex's outputs against ref's, relative to ref's magnitude (at least 1). */
static double output_gap(cf_executor *ex, cf_executor *ref, const cf_program *p) {
  double worst = 0;
  for (size_t o = 0; o < p->nout; o++) {
    size_t m = p->nodes[p->outs[o].v].type.slots;
    static double a[2][2][MAXS];
    cf_executor *both[2] = {ref, ex};
    for (int e = 0; e < 2; e++)
      assert_int_equal(cf_executor_get_output(both[e], p->outs[o].name, a[e][0], a[e][1], m),
                       CF_OK);
    double mag = 1;
    for (size_t j = 0; j < m; j++)
      mag = fmax(mag, fmax(fabs(a[0][0][j]), fabs(a[0][1][j])));
    for (size_t j = 0; j < m; j++)
      worst = fmax(worst, fmax(fabs(a[1][0][j] - a[0][0][j]), fabs(a[1][1][j] - a[0][1][j])) / mag);
  }
  return worst;
}

static double run_compare(const cf_ckks_params *pr, const cf_program *p, uint64_t seed,
                          unsigned grain, bool fuse) {
  cf_executor *ex[3];
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  lo.grain = grain, lo.fuse = fuse;
  assert_int_equal(cf_executor_create_sim(&ex[0]), CF_OK);
  assert_int_equal(cf_executor_create_starpu(pr, &lo, &ex[1]), CF_OK);
  cf_executor_starpu_verify(ex[1], true); /* bit-identical to the sequential DAG run */
  assert_int_equal(cf_executor_create_ckks(pr, &ex[2]), CF_OK);
  for (int e = 0; e < 3; e++) {
    if (cf_executor_prepare(ex[e], p) != CF_OK) fail_msg("prepare %d: %s", e, cf_last_error());
    set_random_inputs(ex[e], p, seed);
    if (cf_executor_run(ex[e]) != CF_OK) fail_msg("run %d: %s", e, cf_last_error());
  }
  assert_non_null(cf_executor_starpu_stats(ex[1]));
  double worst = fmax(output_gap(ex[1], ex[0], p), output_gap(ex[2], ex[0], p));
  for (int e = 0; e < 3; e++)
    cf_executor_destroy(ex[e]);
  return worst;
}

static void test_random_programs(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  cf_sp_options o = sp_test_options("cf-affinity");
  sp_test_start(&o);
  uint64_t seed = test_seed();
  const unsigned grains[] = {1, 2, 0};
  for (int k = 0; k < 4; k++) {
    cf_program *p = random_program(&c, seed + 31u * (uint64_t)k, 10, true), *q;
    assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
    double err = run_compare(pr, q, seed + (uint64_t)k, grains[k % 3], k & 1);
    if (err > 1e-4)
      fail_msg("program %d (grain %u, fuse %d): error %g against the simulator", k, grains[k % 3],
               k & 1, err);
    cf_program_destroy(p);
    cf_program_destroy(q);
  }
  cf_sp_stop();
  cf_ckks_params_destroy(pr);
}

/* Max error of ex's outputs against the simulator on the same inputs. */
static double against_sim(cf_executor *ex, cf_executor *sim, const cf_program *p, uint64_t seed) {
  cf_executor *both[2] = {ex, sim};
  for (int e = 0; e < 2; e++) {
    set_random_inputs(both[e], p, seed);
    if (cf_executor_run(both[e]) != CF_OK) fail_msg("run %d: %s", e, cf_last_error());
  }
  return output_gap(ex, sim, p);
}

/* One StarPU executor run again and again keeps its data (keys filled
 * once) registered: every run has fresh inputs, is bit-identical to the
 * sequential DAG run on the same encrypted inputs and freshly copied keys
 * (verify), and matches the simulator; a StarPU restart between runs makes
 * it register its data again. */
static void test_reuse_runs(void **state) {
  (void)state;
  cf_ckks_params *pr;
  assert_int_equal(cf_ckks_params_preset("toy", true, &pr), CF_OK);
  cf_chain c;
  assert_int_equal(cf_chain_from_params(pr, &c), CF_OK);
  cf_sp_options o = sp_test_options("cf-affinity");
  sp_test_start(&o);
  uint64_t seed = test_seed();
  const unsigned grains[] = {2, 0};
  for (int k = 0; k < 2; k++) {
    cf_program *p = random_program(&c, seed + 17u * (uint64_t)k, 10, true), *q;
    assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
    cf_lower_options lo;
    cf_lower_options_default(&lo);
    lo.grain = grains[k];
    cf_executor *ex, *sim;
    assert_int_equal(cf_executor_create_starpu(pr, &lo, &ex), CF_OK);
    assert_int_equal(cf_executor_create_sim(&sim), CF_OK);
    cf_executor_starpu_verify(ex, true);
    assert_int_equal(cf_executor_prepare(ex, q), CF_OK);
    assert_int_equal(cf_executor_prepare(sim, q), CF_OK);
    for (int run = 0; run < 4; run++) {
      if (run == 3) {
        cf_sp_stop();
        sp_test_start(&o);
      }
      double err = against_sim(ex, sim, q, seed + 1000u * (uint64_t)run);
      if (err > 1e-4) fail_msg("program %d run %d: error %g against the simulator", k, run, err);
    }
    cf_executor_destroy(ex);
    cf_executor_destroy(sim);
    cf_program_destroy(p);
    cf_program_destroy(q);
  }
  cf_sp_stop();
  cf_ckks_params_destroy(pr);
}

int main(void) {
  sp_test_dir();
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_programs),
                                     cmocka_unit_test(test_reuse_runs)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
