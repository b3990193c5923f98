#include "frontends/layers/executor.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "cipherflow/trace.h"
#include "frontends/layers/to_program.h"
#include "graph/ckks_exec.h"
#include "tasks/sp_program.h"
#include "tasks/trace_hook.h"

static cf_status sim_run(void *ctx, const cf_he_plan *p, const double *in, double *out) {
  (void)ctx;
  return cf_he_plan_simulate(p, in, out);
}

cf_plan_executor cf_plan_executor_simulator(void) {
  return (cf_plan_executor){.name = "frontend slot simulator of the plan (no encryption)",
                            .encrypted = 0,
                            .run = sim_run};
}

typedef struct graph_ctx {
  const cf_ckks_params *params;
  int dag;
  int levels;
  int *step_levels;
  cf_program *prog;
  cf_executor *ex;
  const cf_plan_starpu_opts *sp; /* non-NULL: the StarPU executor */
  bool started;                  /* cf_sp_start succeeded */
  uint64_t next_id;              /* first trace task id of the next run */
  int64_t last_decrypt;          /* trace id of the previous run's decryption, -1: none */
  cf_plan_stage_times times;
} graph_ctx;

static double secs(uint64_t ns) { return 1e-9 * (double)ns; }

static cf_status starpu_create(graph_ctx *g) {
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  lo.grain = (unsigned)g->sp->sp.sched.grain;
  lo.fuse = g->sp->sp.sched.fuse;
  CF_TRY(cf_executor_create_starpu(g->params, &lo, &g->ex));
  cf_executor_starpu_verify(g->ex, g->sp->verify);
  cf_executor_starpu_trace(g->ex, g->sp->trace != NULL);
  return CF_OK;
}

/* One stage of the host thread as a trace task on worker `host`. */
static cf_status host_task(cf_trace *tr, int host, uint64_t id, const char *kernel, const char *op,
                           uint64_t a, uint64_t b, int64_t dep) {
  uint64_t d = dep >= 0 ? (uint64_t)dep : 0;
  cf_trace_task k = {.id = id,
                     .worker = host,
                     .start_ns = a,
                     .end_ns = b > a ? b : a,
                     .kernel = kernel,
                     .op = op,
                     .node = -1,
                     .limb_begin = -1,
                     .limb_end = -1,
                     .level = -1,
                     .deps = dep >= 0 ? &d : NULL,
                     .ndeps = dep >= 0 ? 1 : 0};
  return cf_trace_record_task(tr, &k);
}

/* The run's DAG tasks plus the host's stages around them (encryption, the
 * sequential reference with --verify, registering and filling StarPU's data,
 * decryption) on an extra "host" worker,
 * chained run after run, so the trace accounts for the whole wall time and
 * its critical path crosses runs. Ids: the DAG's tasks, then the host's. */
static cf_status trace_run(graph_ctx *g, const cf_trace_log *log, const cf_dag *dag,
                           const cf_sp_stage_times *t) {
  cf_trace *tr = g->sp->trace;
  uint64_t nt = cf_dag_ntasks(dag), enc = g->next_id + nt, ref = enc + 1, in = enc + 2,
           dec = enc + 3;
  const cf_sp_stats *ss = cf_executor_starpu_stats(g->ex);
  if (!ss) return CF_FAIL(CF_EINTERNAL, "StarPU run left no statistics");
  int host = log->nworkers;
  CF_TRY(cf_trace_add_worker(tr, host, "host", CF_TRACE_CPU, 0));
  CF_TRY(
      host_task(tr, host, enc, "ENCRYPT", "encrypt", t->at_encrypt, t->at_verify, g->last_decrypt));
  bool verified = g->sp->verify;
  if (verified)
    CF_TRY(host_task(tr, host, ref, "SEQ_REFERENCE", "verify", t->at_verify, t->at_execute,
                     (int64_t)enc));
  CF_TRY(host_task(tr, host, in, "DATA_IN", "data_in", ss->data_in_start_ns, ss->data_in_end_ns,
                   (int64_t)(verified ? ref : enc)));
  cf_trace_feed_opts fo = {
      .prog = cf_executor_starpu_program(g->ex), .id_offset = g->next_id, .entry_dep = (int64_t)in};
  CF_TRY(cf_trace_log_record_opts(log, dag, &fo, tr));
  int64_t last = -1;
  uint64_t last_end = 0;
  for (size_t i = 0; i < log->n; i++)
    if (log->records[i].worker >= 0 && log->records[i].end_ns >= last_end)
      last_end = log->records[i].end_ns, last = (int64_t)(g->next_id + i);
  CF_TRY(host_task(tr, host, dec, "DECRYPT", "decrypt", t->at_decrypt, t->at_end, last));
  g->last_decrypt = (int64_t)dec;
  g->next_id = dec + 1;
  return CF_OK;
}

/* Adds the last StarPU run's stage times, statistics and trace records. */
static cf_status starpu_account(graph_ctx *g) {
  const cf_sp_stage_times *t = cf_executor_starpu_times(g->ex);
  const cf_sp_stats *ss = cf_executor_starpu_stats(g->ex);
  if (t) {
    g->times.encrypt += secs(t->encrypt_ns), g->times.execute += secs(t->execute_ns);
    g->times.verify += secs(t->verify_ns), g->times.decrypt += secs(t->decrypt_ns);
  }
  if (ss) {
    g->times.makespan += secs(ss->wall_ns);
    g->times.busy += secs(ss->wall_ns) * ss->nworkers * ss->utilization;
    g->times.nworkers = ss->nworkers, g->times.ntasks = ss->ntasks;
  }
  if (!g->sp->trace) return CF_OK;
  const cf_trace_log *log = cf_executor_starpu_trace_log(g->ex);
  const cf_dag *dag = cf_executor_starpu_dag(g->ex);
  if (!log || !dag || !t) return CF_FAIL(CF_EINTERNAL, "StarPU run left no trace records");
  return trace_run(g, log, dag, t);
}

static cf_status graph_prepare(void *vctx, const cf_he_plan *p) {
  graph_ctx *g = vctx;
  int *lv = g->step_levels ? g->step_levels : malloc(sizeof(int) * (size_t)(p->nsteps + 1));
  if (!lv) return CF_FAIL(CF_ENOMEM, "no memory");
  int total;
  cf_status st = cf_he_plan_measure_levels(p, lv, &total);
  cf_chain chain;
  if (st == CF_OK && g->params) {
    st = cf_chain_from_params(g->params, &chain);
    if (st == CF_OK) g->levels = (int)chain.nq - 1;
    if (st == CF_OK && chain.slots != (uint32_t)p->slots)
      st =
          CF_FAIL(CF_EMISMATCH, "the parameters have %u slots, the plan %d", chain.slots, p->slots);
  }
  if (st == CF_OK && g->levels > 0 && total > g->levels) {
    char acct[1024];
    size_t n = 0;
    for (int i = 0; i < p->nsteps && n < sizeof acct - 64; i++)
      n += (size_t)snprintf(acct + n, sizeof acct - n, "%s%s %d", i ? ", " : "", p->steps[i].layer,
                            lv[i]);
    st = CF_FAIL(CF_ELEVEL,
                 "the model needs %d levels but the parameters give %d (per layer: %s); use "
                 "parameters with more levels or a larger activation tolerance",
                 total, g->levels, acct);
  }
  if (lv != g->step_levels) free(lv);
  if (st == CF_OK && !g->params)
    st = cf_he_plan_chain(p, g->levels > 0 ? g->levels : total, &chain);
  cf_program *built = NULL;
  if (st == CF_OK) st = cf_he_plan_to_program(p, &chain, &built);
  if (st == CF_OK) st = cf_pass_expand_poly(built, &g->prog);
  cf_program_destroy(built);
  if (st == CF_OK && g->sp)
    st = starpu_create(g);
  else if (st == CF_OK)
    st = !g->params ? cf_executor_create_sim(&g->ex)
         : g->dag   ? cf_executor_create_ckks_dag(g->params, NULL, &g->ex)
                    : cf_executor_create_ckks(g->params, &g->ex);
  if (st == CF_OK) st = cf_executor_prepare(g->ex, g->prog);
  if (st == CF_OK && g->sp) {
    const cf_sp_stage_times *t = cf_executor_starpu_times(g->ex);
    g->times.keygen = t ? secs(t->keygen_ns) : 0;
    st = cf_sp_start(&g->sp->sp);
    g->started = st == CF_OK;
  }
  return st;
}

static cf_status graph_run(void *vctx, const cf_he_plan *p, const double *in, double *out) {
  graph_ctx *g = vctx;
  if (!g->ex) return CF_FAIL(CF_EINVAL, "executor not prepared");
  CF_TRY(cf_executor_set_input(g->ex, "x", in, NULL, (size_t)p->slots));
  CF_TRY(cf_executor_run(g->ex));
  if (g->sp) CF_TRY(starpu_account(g));
  return cf_executor_get_output(g->ex, "y", out, NULL, (size_t)p->slots);
}

static void graph_release(void *vctx) {
  graph_ctx *g = vctx;
  if (g->started) cf_sp_stop();
  if (g->ex) cf_executor_destroy(g->ex);
  cf_program_destroy(g->prog);
  free(g);
}

cf_status cf_plan_executor_graph(const cf_ckks_params *params, int levels, int *step_levels,
                                 cf_plan_executor *out) {
  graph_ctx *g = calloc(1, sizeof *g);
  if (!g) return CF_FAIL(CF_ENOMEM, "no memory");
  g->params = params, g->levels = levels, g->step_levels = step_levels;
  *out = (cf_plan_executor){.name = params ? "HE program on the graph's direct CKKS evaluator "
                                             "(encrypted)"
                                           : "HE program in the graph's plaintext-slot simulator",
                            .encrypted = params != NULL,
                            .ctx = g,
                            .prepare = graph_prepare,
                            .run = graph_run,
                            .release = graph_release};
  return CF_OK;
}

cf_status cf_plan_executor_graph_dag(const cf_ckks_params *params, int *step_levels,
                                     cf_plan_executor *out) {
  if (!params) return CF_FAIL(CF_EINVAL, "the task-DAG executor needs CKKS parameters");
  CF_TRY(cf_plan_executor_graph(params, 0, step_levels, out));
  ((graph_ctx *)out->ctx)->dag = 1;
  out->name = "HE program lowered to the task DAG, run by the CKKS step functions (encrypted)";
  return CF_OK;
}

cf_status cf_plan_executor_starpu(const cf_ckks_params *params, const cf_plan_starpu_opts *o,
                                  int *step_levels, cf_plan_executor *out) {
  if (!params || !o) return CF_FAIL(CF_EINVAL, "the StarPU executor needs CKKS parameters");
  CF_TRY(cf_plan_executor_graph(params, 0, step_levels, out));
  graph_ctx *g = out->ctx;
  g->sp = o;
  g->last_decrypt = -1;
  out->name = "HE program lowered to the task DAG, run on StarPU (encrypted)";
  out->times = &g->times;
  return CF_OK;
}
