/*
 * infer: the frontend's costs on an MLP of the digits example's shape
 * (64 -> 32 -> x^2 activation -> 10) with random weights, built in memory so
 * the suite needs no files: lowering a model to the HE plan, one batched
 * ciphertext through the frontend's slot simulator and through the graph's
 * program simulator, and their ratio measured in the same run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "bench/bench.h"
#include "frontends/approx/fit_model.h"
#include "frontends/layers/he_plan.h"
#include "frontends/layers/to_program.h"

cf_status cf_bench_infer_run(cf_bench *b);

typedef struct ctx {
  cf_model *m;
  cf_he_plan *p;
  cf_executor *ex;
  double *in, *out;
  int slots;
} ctx;

static double *rnd(size_t n, unsigned *seed) {
  double *v = malloc(sizeof(double) * n);
  for (size_t i = 0; v && i < n; i++)
    v[i] = (double)rand_r(seed) / RAND_MAX - 0.5;
  return v;
}

static cf_status make_mlp(cf_model **out) {
  cf_model *m;
  CF_TRY(cf_model_new(&m));
  cf_shape s64 = {1, {64}}, s32 = {1, {32}}, s10 = {1, {10}};
  int t[4];
  cf_status st = cf_model_add_tensor(m, "x", &s64, &t[0]);
  if (st == CF_OK) st = cf_model_add_tensor(m, "h", &s32, &t[1]);
  if (st == CF_OK) st = cf_model_add_tensor(m, "a", &s32, &t[2]);
  if (st == CF_OK) st = cf_model_add_tensor(m, "y", &s10, &t[3]);
  unsigned seed = 7;
  cf_layer *l;
  if (st == CF_OK && (st = cf_model_add_layer(m, CF_LAYER_DENSE, "fc1", &l)) == CF_OK)
    l->in[0] = t[0], l->out = t[1], l->w = rnd(64 * 32, &seed), l->b = rnd(32, &seed);
  if (st == CF_OK && (st = cf_model_add_layer(m, CF_LAYER_ACTIVATION, "act", &l)) == CF_OK) {
    l->in[0] = t[1], l->out = t[2], l->act.n = 2;
    l->act.nodes[0] = (cf_expr_node){CF_EX_VAR, -1, -1, 0};
    l->act.nodes[1] = (cf_expr_node){CF_EX_MUL, 0, 0, 0};
  }
  if (st == CF_OK && (st = cf_model_add_layer(m, CF_LAYER_DENSE, "fc2", &l)) == CF_OK)
    l->in[0] = t[2], l->out = t[3], l->w = rnd(32 * 10, &seed), l->b = rnd(10, &seed);
  m->input = t[0], m->output = t[3];
  cf_fit_opts fo = {.tol = 1e-3, .margin = 0.1, .max_degree = 8};
  if (st == CF_OK) st = cf_model_fit_activations(m, &fo);
  if (st != CF_OK) {
    cf_model_free(m);
    return st;
  }
  *out = m;
  return CF_OK;
}

static void run_build(void *arg) {
  ctx *c = arg;
  cf_plan_opts po = {.slots = c->slots};
  cf_he_plan *p;
  if (cf_he_plan_build(c->m, &po, &p) == CF_OK) cf_he_plan_free(p);
}

static void run_plan_sim(void *arg) {
  ctx *c = arg;
  (void)cf_he_plan_simulate(c->p, c->in, c->out);
}

static void run_graph_sim(void *arg) {
  ctx *c = arg;
  (void)cf_executor_set_input(c->ex, "x", c->in, NULL, (size_t)c->slots);
  (void)cf_executor_run(c->ex);
  (void)cf_executor_get_output(c->ex, "y", c->out, NULL, (size_t)c->slots);
}

static uint64_t timed(cf_bench *b, const char *name, const char *params, int reps,
                      void (*fn)(void *), void *arg) {
  uint64_t *s = malloc(sizeof *s * (size_t)reps);
  if (!s) return 0;
  fn(arg);
  for (int r = 0; r < reps; r++) {
    uint64_t t0 = cf_bench_now_ns();
    fn(arg);
    s[r] = cf_bench_now_ns() - t0;
  }
  cf_bench_report_samples(b, name, params, s, reps);
  uint64_t med = cf_bench_median(s, reps);
  free(s);
  return med;
}

cf_status cf_bench_infer_run(cf_bench *b) {
  ctx c = {.slots = cf_bench_quick(b) ? 1024 : 8192};
  int reps = cf_bench_reps(b, cf_bench_quick(b) ? 3 : 9);
  CF_TRY(make_mlp(&c.m));
  cf_plan_opts po = {.slots = c.slots};
  cf_status st = cf_he_plan_build(c.m, &po, &c.p);
  cf_chain chain;
  cf_program *prog = NULL;
  int levels = 0;
  if (st == CF_OK) st = cf_he_plan_measure_levels(c.p, NULL, &levels);
  if (st == CF_OK) st = cf_he_plan_chain(c.p, levels, &chain);
  if (st == CF_OK) st = cf_he_plan_to_program(c.p, &chain, &prog);
  if (st == CF_OK) st = cf_executor_create_sim(&c.ex);
  if (st == CF_OK) st = cf_executor_prepare(c.ex, prog);
  c.in = calloc((size_t)c.slots, sizeof(double));
  c.out = calloc((size_t)c.slots, sizeof(double));
  if (st == CF_OK && (!c.in || !c.out)) st = CF_FAIL(CF_ENOMEM, "bench buffers");
  if (st == CF_OK) {
    unsigned seed = 11;
    for (int i = 0; i < c.slots; i++)
      c.in[i] = (double)rand_r(&seed) / RAND_MAX;
    char params[96];
    snprintf(params, sizeof params, "{\"model\":\"mlp64-32-10\",\"slots\":%d,\"batch\":%d}",
             c.slots, c.p->batch);
    timed(b, "plan_build", params, reps, run_build, &c);
    uint64_t ps = timed(b, "plan_sim_ciphertext", params, reps, run_plan_sim, &c);
    uint64_t gs = timed(b, "graph_sim_ciphertext", params, reps, run_graph_sim, &c);
    if (ps > 0) cf_bench_report_ratio(b, "graph_sim_over_plan_sim", params, (double)gs / ps);
  }
  free(c.in), free(c.out);
  if (c.ex) cf_executor_destroy(c.ex);
  cf_program_destroy(prog);
  cf_he_plan_free(c.p);
  cf_model_free(c.m);
  return st;
}
