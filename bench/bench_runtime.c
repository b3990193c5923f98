/*
 * Suite "runtime": whole HE programs on StarPU against the direct
 * sequential evaluator (docs/starpu.md). Programs, built with the C
 * builder at a parameter set's chain:
 *   square4   4 squarings (multiply, relinearize, rescale): a chain
 *   rot8      8 independent rotations of one ciphertext, summed
 *   bsgs16    16-diagonal matrix-vector product after cf_pass_bsgs
 * Parameters: n14 is the preset (N = 2^14, 8 Q primes, 3 special primes,
 * dnum 3), inputs at its top level 7. n16 (not with --quick) is N = 2^16
 * with the same chain shape: the n16 preset's prime sizes (50-bit q0,
 * 40-bit q, 3 special primes of 45 bits) and digit size (3 primes), cut
 * to 8 levels, so the DAGs are n14's with 4x longer limbs. (The n16 preset
 * itself, dnum 14 over 43 primes, needs over 600 MB of keys per rotation.)
 * Grains 1, 4 (the default), all (0 in params); fusion as the runtime's
 * default (on).
 *
 * What each timer includes: both sides are timed from cf_executor_run to
 * the last cf_executor_get_output, after set_input, on an executor
 * prepared (keys generated) and run once before: encoding and encrypting
 * the inputs, encoding the plaintext weights, evaluating, decrypting and
 * decoding the outputs. Neither includes key generation. The StarPU
 * executor keeps its data registered between runs; the run that first
 * registers it and copies the keys in is the untimed warm-up after each
 * StarPU start, as the direct evaluator's keys are in memory from prepare.
 * Each timed run, on either side, directly follows an untimed run of the
 * same executor.
 *
 * The figures are interleaved so that both sides of each ratio see the
 * same machine load: for each program and grain, every round starts StarPU
 * with 1 worker and times the direct run (StarPU's workers paused) and the
 * StarPU run, then restarts StarPU with 2 workers and times it again.
 *
 * Rows:
 *   direct             the direct evaluator (ns)
 *   starpu_run         the StarPU executor, 1 and 2 CPU workers (ns)
 *   starpu_makespan    the DAG's wall time inside that run (ns)
 *   starpu_host        starpu_run - starpu_makespan: encryption, weights,
 *                      fills, decryption (ns)
 *   overhead_1w        starpu_run with 1 worker / direct, median over
 *                      rounds of each round's ratio (the two runs of a
 *                      round are seconds apart: a pair sees the same load)
 *   speedup_2w         makespan with 1 worker / with 2, paired the same way
 *   makespan_vs_bound  2-worker makespan / max(work / 2, critical path),
 *                      work and critical path from the measured task
 *                      times of a traced run (all dependencies of
 *                      cf_dag_preds); median over rounds
 *   cpu_scaling_2t     two threads of pure arithmetic over one, measured
 *                      before every 2-worker session: what the machine
 *                      offered a second worker (2.0 on an idle machine)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "bench/bench.h"
#include "graph/ckks_exec.h"
#include "graph/lower.h"
#include "scheduler/config.h"
#include "tasks/sp_program.h"

enum { MAXREPS = 16, NPROG = 3, NGRAIN = 3, MAXSLOTS = 1 << 15, MAXSCALING = 256 };

static const unsigned grains[NGRAIN] = {1, 4, 0};

typedef cf_status (*build_fn)(cf_program *p, cf_value x, cf_value *y);

static cf_status build_square4(cf_program *p, cf_value x, cf_value *y) {
  *y = x;
  for (int i = 0; i < 4; i++)
    CF_TRY(cf_prog_mul(p, *y, *y, y));
  return CF_OK;
}

static cf_status build_rot8(cf_program *p, cf_value x, cf_value *y) {
  CF_TRY(cf_prog_rotate(p, x, 1, y));
  for (int k = 2; k <= 8; k++) {
    cf_value r;
    CF_TRY(cf_prog_rotate(p, x, k, &r));
    CF_TRY(cf_prog_add(p, *y, r, y));
  }
  return CF_OK;
}

static cf_status build_bsgs16(cf_program *p, cf_value x, cf_value *y) {
  cf_value pts[16];
  int rots[16];
  uint32_t slots = cf_program_chain(p)->slots;
  for (int t = 0; t < 16; t++) {
    char name[16];
    snprintf(name, sizeof name, "d%d", t);
    rots[t] = t;
    CF_TRY(cf_prog_plaintext_random(p, name, slots, (uint64_t)t + 1, &pts[t]));
  }
  return cf_prog_linear(p, x, 16, rots, pts, y);
}

static const struct {
  const char *name;
  build_fn build;
  int bsgs;
} programs[NPROG] = {
    {"square4", build_square4, 0},
    {"rot8", build_rot8, 0},
    {"bsgs16", build_bsgs16, 1},
};

/* Inputs at the top level (at most 12). */
static cf_status build(const cf_chain *c, int which, cf_program **out) {
  cf_program *p = NULL;
  CF_TRY(cf_program_create(c, CF_MANAGE_AUTO, &p));
  int level = (int)c->nq - 1 < 12 ? (int)c->nq - 1 : 12;
  cf_value x, y;
  cf_status st = cf_prog_input(p, "x", level, 0, c->slots, &x);
  if (st == CF_OK) st = programs[which].build(p, x, &y);
  if (st == CF_OK) st = cf_prog_output(p, "y", y);
  if (st == CF_OK && programs[which].bsgs) {
    cf_program *q = NULL;
    st = cf_pass_bsgs(p, &q);
    cf_program_destroy(p);
    p = q;
  }
  if (st != CF_OK) {
    cf_program_destroy(p);
    return st;
  }
  *out = p;
  return CF_OK;
}

typedef struct sp_result {
  uint64_t run[MAXREPS], wall[MAXREPS], host[MAXREPS];
  double work_ns, crit_ns; /* from measured task times (traced runs only) */
  double vs_bound[MAXREPS];
} sp_result;

static double median_d(double *v, int n) {
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
      double t = v[j];
      v[j] = v[j - 1], v[j - 1] = t;
    }
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Work and critical path of the last run from its task records. DAG order
 * is topological, so one forward sweep gives every task's earliest finish. */
static cf_status measured_bound(const cf_executor *ex, sp_result *res) {
  const cf_dag *dag = cf_executor_starpu_dag(ex);
  const cf_trace_log *log = cf_executor_starpu_trace_log(ex);
  size_t n = cf_dag_ntasks(dag);
  if (!log || log->n != n) return CF_FAIL(CF_EINVAL, "runtime bench: no task records for the run");
  double *finish = calloc(n ? n : 1, sizeof *finish);
  if (!finish) return CF_FAIL(CF_ENOMEM, "runtime bench: %zu task finish times", n);
  res->work_ns = res->crit_ns = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_task_record *t = &log->records[i];
    double d = t->worker >= 0 ? (double)(t->end_ns - t->start_ns) : 0;
    size_t np = 0;
    const uint32_t *pr = cf_dag_preds(dag, i, &np);
    double start = 0;
    for (size_t k = 0; k < np; k++)
      if (finish[pr[k]] > start) start = finish[pr[k]];
    finish[i] = start + d;
    res->work_ns += d;
    if (finish[i] > res->crit_ns) res->crit_ns = finish[i];
  }
  free(finish);
  return CF_OK;
}

/* One timed run: cf_executor_run and the output "y" (slots values) read back. */
static cf_status timed_run(cf_executor *ex, size_t slots, double *scratch, uint64_t *ns) {
  uint64_t t0 = cf_bench_now_ns();
  cf_status st = cf_executor_run(ex);
  if (st == CF_OK) st = cf_executor_get_output(ex, "y", scratch, scratch + MAXSLOTS, slots);
  *ns = cf_bench_now_ns() - t0;
  return st;
}

static cf_status start(int ncpus) {
  cf_sp_options o;
  cf_sp_options_default(&o);
  o.sched.ncpus = ncpus;
  setenv("STARPU_SILENT", "1", 0);
  return cf_sp_start(&o);
}

/* What two threads of pure arithmetic get over one right now: on a shared
 * machine the ceiling for speedup_2w. */
static volatile uint64_t spin_sink;

static void *spin(void *arg) {
  uint64_t x = (uintptr_t)arg + 1;
  for (long i = 0; i < 20000000; i++)
    x = x * 6364136223846793005u + (x >> 29);
  spin_sink = x;
  return NULL;
}

static double cpu_scaling(void) {
  uint64_t t0 = cf_bench_now_ns();
  spin(NULL);
  uint64_t one = cf_bench_now_ns() - t0;
  pthread_t th;
  t0 = cf_bench_now_ns();
  bool two = pthread_create(&th, NULL, spin, NULL) == 0;
  spin(NULL);
  if (two) pthread_join(th, NULL);
  uint64_t both = cf_bench_now_ns() - t0;
  return two && both ? 2.0 * (double)one / (double)both : 1.0;
}

typedef struct prog_case {
  cf_executor *direct;
  uint64_t direct_ns[NGRAIN][MAXREPS];
  sp_result res[NGRAIN][2];
} prog_case;

static cf_status make_starpu(const cf_ckks_params *pr, const cf_program *p, unsigned grain,
                             cf_executor **ex) {
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  cf_sched_config sc;
  cf_sched_config_default(&sc);
  lo.grain = grain;
  lo.fuse = sc.fuse; /* the runtime's default */
  CF_TRY(cf_executor_create_starpu(pr, &lo, ex));
  CF_TRY(cf_executor_prepare(*ex, p));
  return cf_sp_random_inputs(*ex, p, 7);
}

/* Round r with w + 1 workers for one grain: a warm-up and a timed direct
 * run (1-worker session, workers paused), then a warm-up StarPU run
 * (registers the data in this StarPU session), a timed run and, with 2
 * workers, a traced run for the bound. Each timed run follows its own
 * side's warm-up, so neither finds the other's data in the caches. */
static cf_status round_of(size_t slots, prog_case *c, int g, cf_executor *ex, int r, int w,
                          double *scratch) {
  uint64_t ns = 0;
  if (w == 0) {
    cf_sp_host_begin();
    CF_TRY(timed_run(c->direct, slots, scratch, &ns)); /* warm-up, as for StarPU */
    CF_TRY(timed_run(c->direct, slots, scratch, &c->direct_ns[g][r]));
    cf_sp_host_end();
  }
  sp_result *res = &c->res[g][w];
  cf_executor_starpu_trace(ex, false);
  CF_TRY(timed_run(ex, slots, scratch, &ns));
  CF_TRY(timed_run(ex, slots, scratch, &res->run[r]));
  res->wall[r] = cf_executor_starpu_stats(ex)->wall_ns;
  res->host[r] = res->run[r] > res->wall[r] ? res->run[r] - res->wall[r] : 0;
  if (w == 0) return CF_OK;
  /* Task times from a separate traced run: profiling must not slow the
   * timed one. Each is compared with its own makespan. */
  cf_executor_starpu_trace(ex, true);
  CF_TRY(timed_run(ex, slots, scratch, &ns));
  CF_TRY(measured_bound(ex, res));
  double bound = res->work_ns / 2 > res->crit_ns ? res->work_ns / 2 : res->crit_ns;
  if (bound <= 0) return CF_FAIL(CF_EINVAL, "runtime bench: empty task records");
  res->vs_bound[r] = (double)cf_executor_starpu_stats(ex)->wall_ns / bound;
  return CF_OK;
}

static void report(cf_bench *b, const char *name, unsigned n, prog_case *c, int reps) {
  char params[160];
  snprintf(params, sizeof params, "{\"program\":\"%s\",\"n\":%u,\"grain\":0,\"workers\":1}", name,
           n);
  uint64_t all[NGRAIN * MAXREPS];
  for (int g = 0; g < NGRAIN; g++)
    memcpy(all + g * reps, c->direct_ns[g], sizeof *all * (size_t)reps);
  cf_bench_report_samples(b, "direct", params, all, NGRAIN * reps);
  for (int w = 0; w < 2; w++)
    for (int g = 0; g < NGRAIN; g++) {
      sp_result *r = &c->res[g][w];
      snprintf(params, sizeof params, "{\"program\":\"%s\",\"n\":%u,\"grain\":%u,\"workers\":%d}",
               name, n, grains[g], w + 1);
      cf_bench_report_samples(b, "starpu_run", params, r->run, reps);
      cf_bench_report_samples(b, "starpu_makespan", params, r->wall, reps);
      cf_bench_report_samples(b, "starpu_host", params, r->host, reps);
      /* Each grain against the direct runs of its own rounds, pair by pair. */
      double ratio[MAXREPS];
      for (int k = 0; k < reps; k++)
        ratio[k] = w == 0 ? (double)r->run[k] / (double)c->direct_ns[g][k]
                          : (double)c->res[g][0].wall[k] / (double)r->wall[k];
      cf_bench_report_ratio(b, w == 0 ? "overhead_1w" : "speedup_2w", params,
                            median_d(ratio, reps));
      if (w == 0) continue;
      cf_bench_report_ratio(b, "makespan_vs_bound", params, median_d(r->vs_bound, reps));
    }
}

/* One program: its direct executor throughout, one StarPU executor per
 * grain at a time (keys at N = 2^16 take hundreds of MB per executor). */
static cf_status run_program(const cf_ckks_params *pr, const cf_chain *c, int i, int reps,
                             prog_case *pc, double *scratch, double *scaling, int *nscaling) {
  cf_program *p = NULL;
  CF_TRY(build(c, i, &p));
  cf_status st = cf_executor_create_ckks(pr, &pc->direct);
  if (st == CF_OK) st = cf_executor_prepare(pc->direct, p);
  if (st == CF_OK) st = cf_sp_random_inputs(pc->direct, p, 7);
  if (st == CF_OK) st = timed_run(pc->direct, c->slots, scratch, &pc->direct_ns[0][0]); /* warm */
  for (int g = 0; st == CF_OK && g < NGRAIN; g++) {
    cf_executor *ex = NULL;
    st = make_starpu(pr, p, grains[g], &ex);
    for (int r = 0; st == CF_OK && r < reps; r++)
      for (int w = 0; st == CF_OK && w < 2; w++) {
        if (w == 1 && *nscaling < MAXSCALING) scaling[(*nscaling)++] = cpu_scaling();
        if ((st = start(w + 1)) != CF_OK) break;
        st = round_of(c->slots, pc, g, ex, r, w, scratch);
        cf_sp_stop();
      }
    cf_executor_destroy(ex);
  }
  cf_executor_destroy(pc->direct);
  pc->direct = NULL;
  cf_program_destroy(p);
  return st;
}

static cf_status run_params(cf_bench *b, const cf_ckks_params *pr, int reps) {
  cf_chain c;
  CF_TRY(cf_chain_from_params(pr, &c));
  unsigned n = 1u << c.log_n;
  double *scratch = malloc(2 * MAXSLOTS * sizeof *scratch), scaling[MAXSCALING];
  prog_case *pc = calloc(1, sizeof *pc);
  int nscaling = 0;
  cf_status st = scratch && pc ? CF_OK : CF_FAIL(CF_ENOMEM, "runtime bench: buffers");
  if (st == CF_OK && c.slots > MAXSLOTS)
    st = CF_FAIL(CF_EINVAL, "runtime bench: %u slots", c.slots);
  for (int i = 0; st == CF_OK && i < NPROG; i++) {
    memset(pc, 0, sizeof *pc);
    st = run_program(pr, &c, i, reps, pc, scratch, scaling, &nscaling);
    if (st == CF_OK) report(b, programs[i].name, n, pc, reps);
  }
  if (st == CF_OK && nscaling) {
    char params[64];
    snprintf(params, sizeof params, "{\"n\":%u}", n);
    cf_bench_report_ratio(b, "cpu_scaling_2t", params, median_d(scaling, nscaling));
  }
  free(scratch), free(pc);
  return st;
}

/* N = 2^16 with the n16 preset's prime and digit sizes, cut to n14's 8
 * levels (see the header). */
static cf_status params_n16(cf_ckks_params **out) {
  cf_ckks_params_spec sp;
  memset(&sp, 0, sizeof sp);
  sp.log_n = 16, sp.nq = 8, sp.np = 3, sp.dnum = 3, sp.log_scale = 40;
  sp.q_bits[0] = 50;
  for (int i = 1; i < sp.nq; i++)
    sp.q_bits[i] = 40;
  for (int i = 0; i < sp.np; i++)
    sp.p_bits[i] = 45;
  sp.secret = CF_CKKS_SECRET_TERNARY;
  return cf_ckks_params_create(&sp, out);
}

cf_status cf_bench_runtime_run(cf_bench *b) {
  bool quick = cf_bench_quick(b);
  int reps = cf_bench_reps(b, quick ? 3 : 5);
  if (reps > MAXREPS) reps = MAXREPS;
  cf_ckks_params *pr = NULL;
  CF_TRY(cf_ckks_params_preset("n14", false, &pr));
  cf_status st = run_params(b, pr, reps);
  cf_ckks_params_destroy(pr);
  if (st != CF_OK || quick) return st;
  CF_TRY(params_n16(&pr));
  st = run_params(b, pr, reps);
  cf_ckks_params_destroy(pr);
  return st;
}
