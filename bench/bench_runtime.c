/*
 * Suite "runtime": whole HE programs on StarPU against the direct
 * sequential evaluator (docs/starpu.md). Programs, built with the C
 * builder at a preset's chain:
 *   square4   4 squarings (multiply, relinearize, rescale): a chain
 *   rot8      8 independent rotations of one ciphertext, summed
 *   bsgs16    16-diagonal matrix-vector product after cf_pass_bsgs
 * at N = 2^14 (n14) and, without --quick, N = 2^16 (n16), grains 1, 4, all
 * (0 in params). Rows:
 *   direct             cf_executor_run of the direct evaluator (ns)
 *   starpu_run         cf_executor_run on StarPU, 1 and 2 CPU workers (ns)
 *   starpu_makespan    the DAG's wall time inside that run (ns)
 *   overhead_1w        starpu_run with 1 worker / direct (both include
 *                      encryption and decryption)
 *   speedup_2w         starpu_makespan 1 worker / 2 workers
 *   makespan_vs_bound  2-worker makespan / max(work / 2, critical path),
 *                      work and critical path from the measured task
 *                      times of the same (traced) run; median over reps
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "bench/bench.h"
#include "graph/ckks_exec.h"
#include "graph/lower.h"
#include "tasks/sp_program.h"

enum { MAXREPS = 16, NPROG = 3, NGRAIN = 3 };

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

/* Inputs start at most at level 12: at n16 the top level (39) would make
 * one run take minutes without changing the shape of the DAG. */
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

static cf_status time_direct(const cf_ckks_params *pr, const cf_program *p, int reps, uint64_t *s) {
  cf_executor *ex = NULL;
  cf_status st = cf_executor_create_ckks(pr, &ex);
  if (st == CF_OK) st = cf_executor_prepare(ex, p);
  if (st == CF_OK) st = cf_sp_random_inputs(ex, p, 7);
  if (st == CF_OK) st = cf_executor_run(ex); /* warm-up */
  for (int r = 0; st == CF_OK && r < reps; r++) {
    uint64_t t0 = cf_bench_now_ns();
    st = cf_executor_run(ex);
    s[r] = cf_bench_now_ns() - t0;
  }
  cf_executor_destroy(ex);
  return st;
}

typedef struct sp_result {
  uint64_t run[MAXREPS], wall[MAXREPS];
  double work_ns, crit_ns; /* from measured task times (traced runs only) */
  double vs_bound[MAXREPS], vs_bound_med;
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

static cf_status time_starpu(const cf_ckks_params *pr, const cf_program *p, unsigned grain,
                             int reps, bool trace, sp_result *res) {
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  lo.grain = grain;
  cf_executor *ex = NULL;
  cf_status st = cf_executor_create_starpu(pr, &lo, &ex);
  if (st == CF_OK) st = cf_executor_prepare(ex, p);
  if (st == CF_OK) st = cf_sp_random_inputs(ex, p, 7);
  if (st == CF_OK) st = cf_executor_run(ex); /* warm-up: page faults, models */
  for (int r = 0; st == CF_OK && r < reps; r++) {
    uint64_t t0 = cf_bench_now_ns();
    st = cf_executor_run(ex);
    res->run[r] = cf_bench_now_ns() - t0;
    res->wall[r] = cf_executor_starpu_stats(ex)->wall_ns;
  }
  /* Task times come from separate traced runs (profiling must not slow the
   * timed ones); each is compared with its own makespan, median kept. */
  if (st == CF_OK && trace) cf_executor_starpu_trace(ex, true);
  for (int r = 0; st == CF_OK && trace && r < reps; r++) {
    st = cf_executor_run(ex);
    if (st == CF_OK) st = measured_bound(ex, res);
    double bound = res->work_ns / 2 > res->crit_ns ? res->work_ns / 2 : res->crit_ns;
    if (st == CF_OK && bound <= 0) st = CF_FAIL(CF_EINVAL, "runtime bench: empty task records");
    if (st == CF_OK) res->vs_bound[r] = (double)cf_executor_starpu_stats(ex)->wall_ns / bound;
  }
  if (st == CF_OK && trace) res->vs_bound_med = median_d(res->vs_bound, reps);
  cf_executor_destroy(ex);
  return st;
}

static cf_status start(int ncpus) {
  cf_sp_options o;
  cf_sp_options_default(&o);
  o.sched.ncpus = ncpus;
  setenv("STARPU_SILENT", "1", 0);
  return cf_sp_start(&o);
}

static double median_of(const uint64_t *s, int n) {
  uint64_t tmp[MAXREPS];
  memcpy(tmp, s, sizeof *s * (size_t)n);
  return (double)cf_bench_median(tmp, n);
}

static cf_status run_preset(cf_bench *b, const char *preset, int reps) {
  cf_ckks_params *pr = NULL;
  CF_TRY(cf_ckks_params_preset(preset, false, &pr));
  cf_chain c;
  cf_program *progs[NPROG] = {NULL};
  cf_status st = cf_chain_from_params(pr, &c);
  for (int i = 0; st == CF_OK && i < NPROG; i++)
    st = build(&c, i, &progs[i]);
  unsigned n = 1u << c.log_n;
  char params[160];
  uint64_t direct[NPROG][MAXREPS];
  sp_result sp[NPROG][NGRAIN][2] = {0};
  /* Direct runs first, while no StarPU worker competes for the cores. */
  for (int i = 0; st == CF_OK && i < NPROG; i++) {
    st = time_direct(pr, progs[i], reps, direct[i]);
    snprintf(params, sizeof params, "{\"program\":\"%s\",\"n\":%u,\"grain\":0,\"workers\":1}",
             programs[i].name, n);
    if (st == CF_OK) cf_bench_report_samples(b, "direct", params, direct[i], reps);
  }
  for (int w = 0; st == CF_OK && w < 2; w++) {
    if ((st = start(w + 1)) != CF_OK) break;
    for (int i = 0; st == CF_OK && i < NPROG; i++)
      for (int g = 0; st == CF_OK && g < NGRAIN; g++) {
        sp_result *r = &sp[i][g][w];
        st = time_starpu(pr, progs[i], grains[g], reps, w == 1, r);
        if (st != CF_OK) break;
        snprintf(params, sizeof params, "{\"program\":\"%s\",\"n\":%u,\"grain\":%u,\"workers\":%d}",
                 programs[i].name, n, grains[g], w + 1);
        cf_bench_report_samples(b, "starpu_run", params, r->run, reps);
        cf_bench_report_samples(b, "starpu_makespan", params, r->wall, reps);
      }
    cf_sp_stop();
  }
  for (int i = 0; st == CF_OK && i < NPROG; i++)
    for (int g = 0; g < NGRAIN; g++) {
      sp_result *one = &sp[i][g][0], *two = &sp[i][g][1];
      snprintf(params, sizeof params, "{\"program\":\"%s\",\"n\":%u,\"grain\":%u,\"workers\":1}",
               programs[i].name, n, grains[g]);
      cf_bench_report_ratio(b, "overhead_1w", params,
                            median_of(one->run, reps) / median_of(direct[i], reps));
      snprintf(params, sizeof params, "{\"program\":\"%s\",\"n\":%u,\"grain\":%u,\"workers\":2}",
               programs[i].name, n, grains[g]);
      double wall2 = median_of(two->wall, reps);
      cf_bench_report_ratio(b, "speedup_2w", params, median_of(one->wall, reps) / wall2);
      cf_bench_report_ratio(b, "makespan_vs_bound", params, two->vs_bound_med);
    }
  for (int i = 0; i < NPROG; i++)
    cf_program_destroy(progs[i]);
  cf_ckks_params_destroy(pr);
  return st;
}

cf_status cf_bench_runtime_run(cf_bench *b) {
  bool quick = cf_bench_quick(b);
  int reps = cf_bench_reps(b, quick ? 3 : 5);
  if (reps > MAXREPS) reps = MAXREPS;
  CF_TRY(run_preset(b, "n14", reps));
  if (quick) return CF_OK;
  return run_preset(b, "n16", reps < 3 ? reps : 3);
}
