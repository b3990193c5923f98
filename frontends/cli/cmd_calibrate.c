#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "graph/ckks_exec.h"
#include "tasks/sp_program.h"

/* A program touching every kernel kind the lowering emits: a product with
 * relinearization and rescale, a rotation, a plaintext product, a sum. */
static cf_status calibration_program(const cf_ckks_params *params, cf_program **out) {
  cf_chain c;
  CF_TRY(cf_chain_from_params(params, &c));
  cf_program *p;
  CF_TRY(cf_program_create(&c, 1, &p));
  cf_value x, w, y, r, z, s;
  uint32_t slots = (uint32_t)cf_ckks_params_slots(params);
  cf_status st = cf_prog_input(p, "x", cf_ckks_params_max_level(params), 0, slots, &x);
  if (st == CF_OK) st = cf_prog_plaintext_random(p, "w", slots, 7, &w);
  if (st == CF_OK) st = cf_prog_mul(p, x, x, &y);
  if (st == CF_OK) st = cf_prog_rotate(p, y, 1, &r);
  if (st == CF_OK) st = cf_prog_mul(p, r, w, &z);
  if (st == CF_OK) st = cf_prog_add(p, y, z, &s);
  if (st == CF_OK) st = cf_prog_output(p, "s", s);
  if (st != CF_OK) {
    cf_program_destroy(p);
    return st;
  }
  *out = p;
  return CF_OK;
}

int cmd_calibrate(int argc, char **argv) {
  long runs = 10;
  const char *model_dir = NULL, *policy = "dmda";
  const cli_opt opts[] = {
      {"runs", CLI_INT, &runs, "R", "runs per grain (StarPU wants 10 samples; default 10)"},
      {"model-dir", CLI_STRING, &model_dir, "DIR", "StarPU performance models"},
      {"sched", CLI_STRING, &policy, "NAME", "policy used while calibrating (default dmda)"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "calibrate",
      .usage = "PRESET [--runs R] [--model-dir DIR]",
      .summary = "Fill StarPU's history performance models for every kernel kind at the "
                 "preset's ring degree, at grains 1, 2, 4, 8 and whole polynomials, so "
                 "model-based policies (dmda, dmdas, ...) start calibrated.",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  if (runs < 1 || runs > 1000) return cli_usage_error("calibrate", "--runs must be in 1..1000");
  cf_ckks_params *params = NULL;
  cf_status st = cf_ckks_params_preset(argv[0], true, &params);
  if (st != CF_OK) return cli_fail("calibrate", st);
  cf_program *p = NULL;
  st = calibration_program(params, &p);
  cf_sp_options o;
  cf_sp_options_default(&o);
  o.model_dir = model_dir;
  o.calibrate = true;
  if (st == CF_OK) st = cf_sched_config_set(&o.sched, "policy", policy);
  if (st == CF_OK) st = cf_sp_start(&o);
  const unsigned grains[] = {1, 2, 4, 8, 0};
  for (size_t g = 0; st == CF_OK && g < sizeof grains / sizeof *grains; g++) {
    cf_lower_options lo;
    cf_lower_options_default(&lo);
    lo.grain = grains[g];
    cf_executor *ex = NULL;
    st = cf_executor_create_starpu(params, &lo, &ex);
    if (st == CF_OK) st = cf_executor_prepare(ex, p);
    if (st == CF_OK) st = cf_sp_random_inputs(ex, p, 1);
    for (long r = 0; st == CF_OK && r < runs; r++)
      st = cf_executor_run(ex);
    if (st == CF_OK)
      printf("grain %u: %zu tasks x %ld runs\n", grains[g],
             cf_dag_ntasks(cf_executor_starpu_dag(ex)), runs);
    cf_executor_destroy(ex);
  }
  cf_sp_stop();
  cf_program_destroy(p);
  cf_ckks_params_destroy(params);
  if (st != CF_OK) return cli_fail("calibrate", st);
  char dir[4096];
  if (!model_dir && cf_sp_default_model_dir(dir, sizeof dir) == CF_OK) model_dir = dir;
  printf("models written under %s/sampling (host name 'cipherflow')\n", model_dir);
  return CLI_EXIT_OK;
}
