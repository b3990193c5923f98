/* Every example program (examples/programs, as built by its generator) run
 * encrypted through the direct CKKS evaluator on random inputs agrees with
 * the slot simulator to at least 15 bits. CKKS parameters are made from the
 * example chain's prime sizes (insecure: a unit-test ring). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/ckks_exec.h"
#include "tests/graph/examples.h"
#include "tests/graph/helpers.h"

enum { MIN_BITS = 15 };

/* Bits of agreement: -log2(largest error / max(1, largest magnitude)). */
static double agreement_bits(const cf_ckks_params *pr, const cf_program *p, uint64_t seed) {
  cf_executor *ex[2];
  assert_int_equal(cf_executor_create_sim(&ex[0]), CF_OK);
  assert_int_equal(cf_executor_create_ckks(pr, &ex[1]), CF_OK);
  for (int e = 0; e < 2; e++) {
    if (cf_executor_prepare(ex[e], p) != CF_OK) fail_msg("prepare: %s", cf_last_error());
    for (size_t i = 0; i < p->n; i++) {
      const cf_node *n = &p->nodes[i];
      if (n->op != CF_OP_INPUT && !(n->op == CF_OP_PLAINTEXT && n->data_kind == CF_DATA_EXTERNAL))
        continue;
      uint64_t s = seed + i;
      size_t m = n->type.slots;
      double *re = malloc(m * sizeof *re), *im = calloc(m, sizeof *im);
      assert_non_null(re), assert_non_null(im);
      for (size_t j = 0; j < m; j++) /* plaintexts are real */
        re[j] = rnd_unit(&s), im[j] = n->op == CF_OP_INPUT ? 0.5 * rnd_unit(&s) : 0.0;
      assert_int_equal(cf_executor_set_input(ex[e], n->name, re, im, m), CF_OK);
      free(re), free(im);
    }
    if (cf_executor_run(ex[e]) != CF_OK) fail_msg("run: %s", cf_last_error());
  }
  double err = 0, mag = 1;
  for (size_t o = 0; o < p->nout; o++) {
    size_t m = p->nodes[p->outs[o].v].type.slots;
    double *v[2][2];
    for (int e = 0; e < 2; e++) {
      v[e][0] = malloc(m * sizeof(double)), v[e][1] = malloc(m * sizeof(double));
      assert_non_null(v[e][0]), assert_non_null(v[e][1]);
      assert_int_equal(cf_executor_get_output(ex[e], p->outs[o].name, v[e][0], v[e][1], m), CF_OK);
    }
    for (size_t j = 0; j < m; j++)
      for (int c = 0; c < 2; c++) {
        mag = fmax(mag, fabs(v[0][c][j]));
        double d = fabs(v[0][c][j] - v[1][c][j]);
        err = isnan(d) ? INFINITY : fmax(err, d);
      }
    for (int e = 0; e < 2; e++)
      free(v[e][0]), free(v[e][1]);
  }
  cf_executor_destroy(ex[0]), cf_executor_destroy(ex[1]);
  return err > 0 ? -log2(err / mag) : 64.0;
}

static void test_examples_encrypted(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(example_chain(&c), CF_OK);
  cf_ckks_params *pr = params_for_chain(&c);
  uint64_t seed = test_seed();
  for (int i = 0; i < nexamples; i++) {
    cf_program *p, *q;
    assert_int_equal(examples[i].build(&c, &p), CF_OK);
    assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
    double bits = agreement_bits(pr, q, seed + (uint64_t)i);
    fprintf(stderr, "%-16s CKKS vs simulator: %.1f bits\n", examples[i].file, bits);
    if (bits < MIN_BITS)
      fail_msg("%s: CKKS agrees with the simulator to %.1f bits only (want >= %d)",
               examples[i].file, bits, MIN_BITS);
    cf_program_destroy(p), cf_program_destroy(q);
  }
  cf_ckks_params_destroy(pr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_examples_encrypted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
