#include "frontends/layers/executor.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "frontends/layers/to_program.h"
#include "graph/ckks_exec.h"

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
} graph_ctx;

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
  if (st == CF_OK)
    st = !g->params ? cf_executor_create_sim(&g->ex)
         : g->dag   ? cf_executor_create_ckks_dag(g->params, NULL, &g->ex)
                    : cf_executor_create_ckks(g->params, &g->ex);
  if (st == CF_OK) st = cf_executor_prepare(g->ex, g->prog);
  return st;
}

static cf_status graph_run(void *vctx, const cf_he_plan *p, const double *in, double *out) {
  graph_ctx *g = vctx;
  if (!g->ex) return CF_FAIL(CF_EINVAL, "executor not prepared");
  CF_TRY(cf_executor_set_input(g->ex, "x", in, NULL, (size_t)p->slots));
  CF_TRY(cf_executor_run(g->ex));
  return cf_executor_get_output(g->ex, "y", out, NULL, (size_t)p->slots);
}

static void graph_release(void *vctx) {
  graph_ctx *g = vctx;
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
