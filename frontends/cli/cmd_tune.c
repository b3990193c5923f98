#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "frontends/cli/run_trace.h"
#include "scheduler/tune.h"
#include "tasks/sp_program.h"

#define MAXLIST 32

/* Times one (policy, grain) combination; with trace set, keeps its last run's trace there. */
static cf_status measure(const cf_program *p, const cf_ckks_params *params, const char *program,
                         int reps, uint64_t seed, const char *trace, cf_tune_row *row) {
  unsigned grain = (unsigned)row->config.grain;
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  lo.grain = grain;
  cf_executor *ex = NULL;
  cf_status st = cf_executor_create_starpu(params, &lo, &ex);
  if (st == CF_OK && trace) cf_executor_starpu_trace(ex, true);
  if (st == CF_OK) st = cf_executor_prepare(ex, p);
  if (st == CF_OK) st = cf_sp_random_inputs(ex, p, seed);
  if (st == CF_OK) st = cf_executor_run(ex); /* warm-up: page faults, model loading */
  cf_tune_sample s[64];
  for (int r = 0; st == CF_OK && r < reps; r++) {
    st = cf_executor_run(ex);
    const cf_sp_stats *ss = cf_executor_starpu_stats(ex);
    if (st == CF_OK)
      s[r] = (cf_tune_sample){ss->wall_ns, ss->utilization, ss->idle_ns, ss->bytes_moved};
  }
  if (st == CF_OK) st = cf_tune_median(s, reps, &row->median);
  if (st == CF_OK && trace) st = cli_write_run_trace(trace, ex, program, &row->config);
  row->reps = reps;
  cf_executor_destroy(ex);
  return st;
}

int cmd_tune(int argc, char **argv) {
  const char *policies = "eager,lws,dmdas,cf-critpath,cf-affinity", *grains = "1,4,all";
  const char *out = "cipherflow-tune.conf", *preset = NULL, *model_dir = NULL, *trace_dir = NULL;
  long reps = 3, ncpus = 0;
  const cli_opt opts[] = {
      {"policies", CLI_STRING, &policies, "A,B,..", "policies to try"},
      {"grains", CLI_STRING, &grains, "G,..", "grains to try (limbs per task, or all)"},
      {"reps", CLI_INT, &reps, "R", "timed runs per combination (median kept; default 3)"},
      {"ncpus", CLI_INT, &ncpus, "N", "CPU workers (default: StarPU's choice)"},
      {"out", CLI_STRING, &out, "FILE", "where to save the best configuration"},
      {"preset", CLI_STRING, &preset, "NAME", "CKKS parameters (default: the program's chain)"},
      {"model-dir", CLI_STRING, &model_dir, "DIR", "StarPU performance models"},
      {"trace-dir", CLI_STRING, &trace_dir, "DIR",
       "write each combination's last run as DIR/POLICY-gGRAIN.json"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "tune",
      .usage =
          "PROGRAM [--policies a,b,c] [--grains 1,4,all] [--reps R] [--out FILE] [--trace-dir DIR]",
      .summary = "Run an HE program under every (policy, grain) combination, rank them by "
                 "median DAG makespan (with worker utilization, idle time and bytes moved) "
                 "and save the best configuration, which `cipherflow run` then uses.",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  if (reps < 1 || reps > 64)
    return cli_usage_error("tune", "--reps must be in 1..64, got %ld", reps);
  char pol[MAXLIST][CF_SCHED_POLICY_MAX], gr[MAXLIST][CF_SCHED_POLICY_MAX];
  size_t np = 0, ng = 0;
  cf_status st = cf_tune_split(policies, pol, MAXLIST, &np);
  if (st == CF_OK) st = cf_tune_split(grains, gr, MAXLIST, &ng);
  if (st != CF_OK) return cli_fail("tune", st);
  cf_sp_options o;
  cf_sp_options_default(&o);
  o.model_dir = model_dir;
  o.sched.ncpus = (int)ncpus;
  cf_tune_row rows[MAXLIST * MAXLIST];
  size_t nrows = 0;
  for (size_t i = 0; i < np && st == CF_OK; i++)
    st = cf_sched_config_set(&o.sched, "policy", pol[i]);
  for (size_t j = 0; j < ng && st == CF_OK; j++)
    st = cf_sched_config_set(&o.sched, "grain", gr[j]);
  if (st != CF_OK) return cli_fail("tune", st);
  cf_program *p = NULL;
  cf_ckks_params *params = NULL;
  if ((st = cf_sp_load_program(argv[0], preset, &p, &params)) != CF_OK) return cli_fail("tune", st);
  uint64_t seed = (uint64_t)time(NULL);
  for (size_t i = 0; i < np && st == CF_OK; i++) {
    cf_sched_config_set(&o.sched, "policy", pol[i]);
    if ((st = cf_sp_start(&o)) != CF_OK) break;
    for (size_t j = 0; j < ng && st == CF_OK; j++) {
      cf_tune_row *row = &rows[nrows];
      row->config = o.sched;
      cf_sched_config_set(&row->config, "grain", gr[j]);
      fprintf(stderr, "tune: %s, grain %s...\n", pol[i], gr[j]);
      char trace[4096];
      if (trace_dir) snprintf(trace, sizeof trace, "%s/%s-g%s.json", trace_dir, pol[i], gr[j]);
      st = measure(p, params, argv[0], (int)reps, seed, trace_dir ? trace : NULL, row);
      if (st == CF_OK) nrows++;
    }
    cf_sp_stop();
  }
  int res = CLI_EXIT_OK;
  if (st == CF_OK && nrows) {
    cf_tune_rank(rows, nrows);
    cf_tune_print(rows, nrows, stdout);
    st = cf_sched_config_save(&rows[0].config, out);
    if (st == CF_OK) printf("best configuration saved to %s\n", out);
  }
  if (st != CF_OK) res = cli_fail("tune", st);
  cf_program_destroy(p);
  cf_ckks_params_destroy(params);
  return res;
}
