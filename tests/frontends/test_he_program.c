/*
 * Example models as HE programs of the graph layer, run by the graph's
 * plaintext-slot simulator (with the polynomial nodes as built and after the
 * graph's own expansion into multiplications), against the double forward
 * pass of the model with the same polynomial activations, on the test split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "cipherflow/program.h"
#include "frontends/approx/fit_model.h"
#include "frontends/dataset.h"
#include "frontends/layers/he_plan.h"
#include "frontends/layers/to_program.h"
#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"

static void path_of(char *buf, size_t len, const char *rel) {
  const char *src = getenv("CF_SOURCE_DIR");
  snprintf(buf, len, "%s/%s", src ? src : ".", rel);
}

static double run_split(const cf_model *m, const cf_he_plan *p, const cf_program *prog,
                        const cf_dataset *ds, int nmax) {
  cf_executor *ex;
  assert_int_equal(cf_executor_create_sim(&ex), CF_OK);
  assert_int_equal(cf_executor_prepare(ex, prog), CF_OK);
  double *in = malloc(sizeof(double) * (size_t)p->slots), *res = malloc(sizeof(double) * (size_t)p->slots);
  double *outs = malloc(sizeof(double) * (size_t)p->batch * p->out_size);
  double ref[64];
  assert_true(in && res && outs && p->out_size <= 64);
  int n = ds->count < nmax ? ds->count : nmax;
  double worst = 0;
  for (int base = 0; base < n; base += p->batch) {
    int k = n - base < p->batch ? n - base : p->batch;
    cf_he_plan_pack(p, ds->rows + (size_t)base * p->in_size, k, in);
    assert_int_equal(cf_executor_set_input(ex, "x", in, NULL, (size_t)p->slots), CF_OK);
    if (cf_executor_run(ex) != CF_OK) fail_msg("%s", cf_last_error());
    assert_int_equal(cf_executor_get_output(ex, "y", res, NULL, (size_t)p->slots), CF_OK);
    cf_he_plan_unpack(p, res, k, outs);
    for (int s = 0; s < k; s++) {
      assert_int_equal(cf_model_eval(m, ds->rows + (size_t)(base + s) * p->in_size, ref,
                                     CF_EVAL_APPROX, NULL, NULL),
                       CF_OK);
      for (int j = 0; j < p->out_size; j++)
        worst = fmax(worst, fabs(outs[(size_t)s * p->out_size + j] - ref[j]));
    }
  }
  free(in), free(res), free(outs);
  cf_executor_destroy(ex);
  return worst;
}

static void example(const char *stem, int slots) {
  char rel[256], full[1200];
  snprintf(rel, sizeof rel, "examples/digits/%s.onnx", stem);
  path_of(full, sizeof full, rel);
  cf_model *m;
  assert_int_equal(cf_onnx_load(full, &m), CF_OK);
  snprintf(rel, sizeof rel, "examples/digits/%s.calib", stem);
  path_of(full, sizeof full, rel);
  assert_int_equal(cf_model_load_calibration(m, full), CF_OK);
  cf_fit_opts fo = {.tol = 1e-3, .margin = 0.1, .max_degree = 63};
  assert_int_equal(cf_model_fit_activations(m, &fo), CF_OK);
  cf_plan_opts po = {.slots = slots};
  cf_he_plan *p;
  assert_int_equal(cf_he_plan_build(m, &po, &p), CF_OK);
  int step_levels[16], total;
  assert_true(p->nsteps <= 16);
  if (cf_he_plan_measure_levels(p, step_levels, &total) != CF_OK) fail_msg("%s", cf_last_error());
  for (int i = 0; i < p->nsteps; i++)
    printf("  %-8s %d level%s (plan estimate %d)\n", p->steps[i].layer, step_levels[i],
           step_levels[i] == 1 ? "" : "s", p->steps[i].levels);
  cf_chain chain;
  /* One level short is refused by the builder, naming the layer. */
  assert_int_equal(cf_he_plan_chain(p, total - 1, &chain), CF_OK);
  cf_program *short_prog;
  assert_int_equal(cf_he_plan_to_program(p, &chain, &short_prog), CF_ELEVEL);
  assert_non_null(strstr(cf_last_error(), "layer '"));
  assert_int_equal(cf_he_plan_chain(p, total, &chain), CF_OK);
  cf_program *prog, *expanded;
  if (cf_he_plan_to_program(p, &chain, &prog) != CF_OK) fail_msg("%s", cf_last_error());
  if (cf_pass_expand_poly(prog, &expanded) != CF_OK) fail_msg("%s", cf_last_error());
  int mult, levels;
  assert_int_equal(cf_program_depth(expanded, &mult, &levels), CF_OK);
  cf_dataset ds;
  path_of(full, sizeof full, "examples/digits/digits_test.cfts");
  assert_int_equal(cf_dataset_load(full, &ds), CF_OK);
  double w1 = run_split(m, p, prog, &ds, ds.count);
  double w2 = run_split(m, p, expanded, &ds, ds.count);
  printf("%s: program %zu nodes (%zu expanded), levels used %d of %d (plan estimate %d); "
         "max |graph simulator - model| = %.3g, expanded %.3g\n",
         stem, cf_program_nnodes(prog), cf_program_nnodes(expanded), levels, chain.nq - 1,
         p->depth, w1, w2);
  assert_true(w1 < 1e-6);
  assert_true(w2 < 1e-6);
  assert_true(levels <= (int)chain.nq - 1);
  cf_program_destroy(expanded);
  cf_program_destroy(prog);
  cf_dataset_free(&ds);
  cf_he_plan_free(p);
  cf_model_free(m);
}

static void digits_mlp(void **state) {
  (void)state;
  example("digits_mlp", 1024);
}

static void digits_cnn(void **state) {
  (void)state;
  example("digits_cnn", 2048);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(digits_mlp),
      cmocka_unit_test(digits_cnn),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
