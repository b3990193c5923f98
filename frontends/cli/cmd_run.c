#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <starpu.h>

#include "base/error.h"
#include "cipherflow/trace.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "frontends/cli/run_trace.h"
#include "graph/ckks_exec.h"
#include "graph/ir.h"
#include "scheduler/policies.h"
#include "tasks/sp_program.h"
#include "tasks/trace_hook.h"

/* The configuration `cipherflow tune` saves and `run` picks up by default. */
#define DEFAULT_CONFIG "cipherflow-tune.conf"

/* Largest output error against the simulator, relative to max(1, |value|). */
static cf_status precision(cf_executor *sim, cf_executor *ex, const cf_program *p, double *err) {
  *err = 0;
  for (size_t o = 0; o < p->nout; o++) {
    size_t m = p->nodes[p->outs[o].v].type.slots;
    double *a = malloc(4 * (m ? m : 1) * sizeof *a);
    if (!a) return CF_ENOMEM;
    cf_status st = cf_executor_get_output(sim, p->outs[o].name, a, a + m, m);
    if (st == CF_OK) st = cf_executor_get_output(ex, p->outs[o].name, a + 2 * m, a + 3 * m, m);
    double mag = 1;
    for (size_t j = 0; st == CF_OK && j < 2 * m; j++)
      mag = fmax(mag, fabs(a[j]));
    for (size_t j = 0; st == CF_OK && j < 2 * m; j++)
      *err = fmax(*err, fabs(a[j] - a[2 * m + j]) / mag);
    free(a);
    if (st != CF_OK) return st;
  }
  return CF_OK;
}

int cmd_run(int argc, char **argv) {
  const char *sched = NULL, *trace = NULL, *config = NULL, *preset = NULL, *model_dir = NULL;
  long grain = -1, ncpus = -1, seed = -1;
  bool no_fuse = false, no_prio = false, no_share = false, verify = false, direct = false;
  const cli_opt opts[] = {
      {"sched", CLI_STRING, &sched, "NAME", "scheduling policy (default: cf-affinity)"},
      {"grain", CLI_INT, &grain, "K", "limbs per task, 0 for whole polynomials"},
      {"no-fuse", CLI_FLAG, &no_fuse, NULL,
       "one task per step (default: chains of limb-local steps fused)"},
      {"no-prio", CLI_FLAG, &no_prio, NULL, "no critical-path priorities"},
      {"no-share", CLI_FLAG, &no_share, NULL,
       "every temporary in memory of its own (default: dead ones' memory reused)"},
      {"ncpus", CLI_INT, &ncpus, "N", "CPU workers (default: StarPU's choice)"},
      {"verify", CLI_FLAG, &verify, NULL,
       "also run the DAG sequentially; fail unless outputs are bit-identical"},
      {"direct", CLI_FLAG, &direct, NULL,
       "also run the direct CKKS evaluator and print its precision"},
      {"trace", CLI_STRING, &trace, "FILE", "write per-task records (Chrome trace JSON)"},
      {"config", CLI_STRING, &config, "FILE",
       "knobs file (default: ./" DEFAULT_CONFIG " if present)"},
      {"preset", CLI_STRING, &preset, "NAME", "CKKS parameters (default: the program's chain)"},
      {"model-dir", CLI_STRING, &model_dir, "DIR", "StarPU performance models"},
      {"seed", CLI_INT, &seed, "S", "seed of the random inputs (default: the clock)"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "run",
      .usage = "PROGRAM [--sched NAME] [--grain K] [--no-fuse] [--no-prio] [--no-share] [--ncpus "
               "N] [--verify] "
               "[--trace FILE]",
      .summary = "Run an HE program encrypted on StarPU: keys, random inputs in [-1, 1), "
                 "encryption, the task DAG, decryption; prints the precision against the "
                 "plaintext simulator and the wall time.",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;

  cf_sp_options o;
  cf_sp_options_default(&o);
  o.progress = true;
  o.model_dir = model_dir;
  cf_status st = CF_OK;
  if (config || access(DEFAULT_CONFIG, R_OK) == 0)
    st = cf_sched_config_load(&o.sched, config ? config : DEFAULT_CONFIG);
  if (st != CF_OK) return cli_fail("run", st);
  if (sched && cf_sched_config_set(&o.sched, "policy", sched) != CF_OK)
    return cli_usage_error("run", "--sched: %s", cf_last_error());
  if (ncpus > STARPU_MAXCPUS)
    return cli_usage_error("run",
                           "--ncpus %ld: %d CPU workers requested; this StarPU supports "
                           "at most %d",
                           ncpus, (int)ncpus, STARPU_MAXCPUS);
  if (grain > 65535) return cli_usage_error("run", "--grain must be in 0..65535, got %ld", grain);
  if (grain >= 0) o.sched.grain = (int)grain;
  if (ncpus >= 0) o.sched.ncpus = (int)ncpus;
  if (no_fuse) o.sched.fuse = false;
  if (no_prio) o.sched.priorities = false;
  if (no_share) o.sched.share = false;

  cf_program *p = NULL;
  cf_ckks_params *params = NULL;
  if ((st = cf_sp_load_program(argv[0], preset, &p, &params)) != CF_OK) return cli_fail("run", st);
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  lo.grain = (unsigned)o.sched.grain;
  lo.fuse = o.sched.fuse;
  uint64_t s = seed >= 0 ? (uint64_t)seed : (uint64_t)time(NULL);
  cf_executor *sim = NULL, *ex = NULL, *ck = NULL;
  st = cf_executor_create_sim(&sim);
  if (st == CF_OK && direct) st = cf_executor_create_ckks(params, &ck);
  if (st == CF_OK && direct) st = cf_executor_prepare(ck, p);
  if (st == CF_OK && direct) st = cf_sp_random_inputs(ck, p, s);
  if (st == CF_OK && direct) st = cf_executor_run(ck);
  if (st == CF_OK) st = cf_executor_create_starpu(params, &lo, &ex);
  if (st == CF_OK) {
    cf_executor_starpu_verify(ex, verify);
    cf_executor_starpu_trace(ex, trace != NULL);
  }
  if (st == CF_OK) st = cf_executor_prepare(sim, p);
  if (st == CF_OK) st = cf_executor_prepare(ex, p);
  if (st == CF_OK) st = cf_sp_random_inputs(sim, p, s);
  if (st == CF_OK) st = cf_sp_random_inputs(ex, p, s);
  if (st == CF_OK) st = cf_executor_run(sim);
  if (st == CF_OK) st = cf_sp_start(&o);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (st == CF_OK) st = cf_executor_run(ex);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  cf_sp_stop();
  double err = 0;
  if (st == CF_OK) st = precision(sim, ex, p, &err);
  double err_direct = 0;
  if (st == CF_OK && direct) st = precision(sim, ck, p, &err_direct);
  int out = CLI_EXIT_OK;
  if (st == CF_OK) {
    const cf_sp_stats *ss = cf_executor_starpu_stats(ex);
    const cf_dag *dag = cf_executor_starpu_dag(ex);
    char g[16];
    snprintf(g, sizeof g, o.sched.grain ? "%d" : "all", o.sched.grain);
    printf("program %s: %zu tasks, %zu buffers, policy %s, grain %s%s, priorities %s\n", argv[0],
           cf_dag_ntasks(dag), cf_dag_nbuffers(dag), o.sched.policy, g,
           o.sched.fuse ? " (fused)" : "", o.sched.priorities ? "on" : "off");
    printf("precision vs simulator: %.1f bits (max relative error %.3g)\n",
           err > 0 ? -log2(err) : 99.0, err);
    printf("wall %.3f ms (encrypt, execute, decrypt); DAG makespan %.3f ms on %d workers, "
           "utilization %.0f%%\n",
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-6,
           (double)ss->wall_ns * 1e-6, ss->nworkers, 100 * ss->utilization);
    printf("temporaries: %.1f MiB (%.1f MiB without sharing memory)\n",
           (double)ss->temp_bytes / 1048576.0, (double)ss->temp_bytes_unshared / 1048576.0);
    if (direct)
      printf("direct CKKS evaluator vs simulator: %.1f bits (same parameters, other keys)\n",
             err_direct > 0 ? -log2(err_direct) : 99.0);
    if (verify) printf("verify: outputs bit-identical to the sequential execution\n");
    const cf_trace_log *log = cf_executor_starpu_trace_log(ex);
    if (trace) {
      cf_status ts = log ? cli_write_run_trace(trace, ex, argv[0], &o.sched) : CF_EINTERNAL;
      if (ts != CF_OK) out = cli_fail("run", ts);
    }
  } else {
    out = cli_fail("run", st);
  }
  cf_executor_destroy(ex);
  cf_executor_destroy(sim);
  cf_executor_destroy(ck);
  cf_program_destroy(p);
  cf_ckks_params_destroy(params);
  return out;
}
