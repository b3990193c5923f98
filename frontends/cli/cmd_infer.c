/* cipherflow infer: a model file to predictions through the HE plan. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <starpu.h>

#include "base/error.h"
#include "cipherflow/ckks.h"
#include "cipherflow/trace.h"
#include "frontends/approx/fit_model.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "frontends/dataset.h"
#include "frontends/layers/executor.h"
#include "frontends/layers/he_plan.h"
#include "frontends/layers/to_program.h"
#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"
#include "scheduler/config.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int file_exists(const char *p) {
  FILE *f = fopen(p, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* MODEL.onnx -> MODEL.calib; DIR/PREFIX_xxx.onnx -> DIR/PREFIX_test.cfts. */
static void sibling(const char *model, const char *what, char *out, size_t len) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s", model);
  char *dot = strrchr(tmp, '.');
  if (strcmp(what, "calib") == 0) {
    if (dot) *dot = 0;
    snprintf(out, len, "%s.calib", tmp);
    return;
  }
  char *slash = strrchr(tmp, '/');
  char *stem = slash ? slash + 1 : tmp;
  char *us = strchr(stem, '_');
  if (us)
    *us = 0;
  else if (dot)
    *dot = 0;
  snprintf(out, len, "%s_test.cfts", tmp);
}

typedef struct stage_times {
  double import, fit, plan, prepare, run, check;
} stage_times;

/* Everything one run owns, released in one place. */
typedef struct run_state {
  cf_model *m;
  cf_he_plan *p;
  cf_ckks_params *params;
  cf_plan_executor ex;
  int have_ex;
  int *step_levels;
  cf_dataset ds;
  double *in, *res, *outs, *ref;
  const char *params_name;
  cf_plan_starpu_opts sp;
  cf_trace *trace;
} run_state;

static void release(run_state *r) {
  if (r->have_ex && r->ex.release) r->ex.release(r->ex.ctx);
  cf_trace_destroy(r->trace);
  cf_ckks_params_destroy(r->params);
  cf_dataset_free(&r->ds);
  cf_he_plan_free(r->p);
  cf_model_free(r->m);
  free(r->step_levels);
  free(r->in), free(r->res), free(r->outs), free(r->ref);
}

static void print_activations(const cf_model *m) {
  for (int i = 0; i < m->nlayers; i++) {
    const cf_layer *l = &m->layers[i];
    if (l->kind != CF_LAYER_ACTIVATION) continue;
    if (l->approx.composite)
      printf("activation %s: ReLU by composite sign (f_%d x %d stages) on [%.4g, %.4g], max "
             "error %.3g\n",
             l->name, l->approx.sign.n, l->approx.sign.nstages, l->approx.lo, l->approx.hi,
             l->approx.max_error);
    else
      printf("activation %s: Chebyshev degree %d on [%.4g, %.4g], max error %.3g\n", l->name,
             l->approx.degree, l->approx.lo, l->approx.hi, l->approx.max_error);
  }
}

/* The smallest 128-bit preset with enough levels for the plan. */
static cf_status pick_params(const cf_he_plan *p, cf_ckks_params **out, const char **name) {
  int total;
  CF_TRY(cf_he_plan_measure_levels(p, NULL, &total));
  static const char *const secure[] = {"n14", "n15", "n16"};
  for (size_t i = 0; i < sizeof secure / sizeof secure[0]; i++) {
    CF_TRY(cf_ckks_params_preset(secure[i], false, out));
    *name = secure[i];
    if (cf_ckks_params_max_level(*out) >= total) return CF_OK;
    cf_ckks_params_destroy(*out);
    *out = NULL;
  }
  return CF_FAIL(CF_ELEVEL, "the model needs %d levels, more than any 128-bit preset gives", total);
}

static void print_stages(const cf_plan_stage_times *s, const cf_plan_starpu_opts *o, int nbatches,
                         bool verify) {
  char g[16];
  snprintf(g, sizeof g, o->sp.sched.grain ? "%d" : "all", o->sp.sched.grain);
  printf("time per stage: keygen %.3f s, encrypt %.3f s, run %.3f s, decrypt %.3f s%s", s->keygen,
         s->encrypt, s->execute, s->decrypt, verify ? "" : "\n");
  if (verify) printf(", sequential reference %.3f s\n", s->verify);
  printf("StarPU: policy %s, grain %s, %zu tasks per ciphertext, %d workers; makespan %.3f s over "
         "%d ciphertext%s, utilization %.0f%%\n",
         o->sp.sched.policy, g, s->ntasks, s->nworkers, s->makespan, nbatches,
         nbatches == 1 ? "" : "s",
         s->makespan > 0 && s->nworkers ? 100 * s->busy / (s->makespan * s->nworkers) : 0.0);
  if (verify)
    printf("verify: every StarPU output bit-identical to the sequential run of the same DAG\n");
}

static cf_status write_trace(cf_trace *t, const char *path, const char *model, const char *params,
                             const cf_sched_config *c) {
  char g[16];
  snprintf(g, sizeof g, c->grain ? "%d" : "all", c->grain);
  CF_TRY(cf_trace_set_meta(t, "program", model));
  CF_TRY(cf_trace_set_meta(t, "params", params ? params : "auto"));
  CF_TRY(cf_trace_set_meta(t, "policy", c->policy));
  CF_TRY(cf_trace_set_meta(t, "grain", g));
  cf_trace_export_options eo = {.flows = false, .max_events = 0};
  return cf_trace_export_json(t, path, &eo);
}

int cmd_infer(int argc, char **argv) {
  const char *input = NULL, *calib = NULL, *sched = NULL, *trace = NULL, *exec = "starpu";
  const char *params_name = NULL, *model_dir = NULL;
  long batch = 0, slots = 4096, levels = 0, limit = 0, grain = -1, ncpus = -1;
  double tol = 1e-3, relu_eps = 0;
  bool quiet = false, verify = false;
  const cli_opt opts[] = {
      {"input", CLI_STRING, &input, "FILE",
       "CFTS file of inputs (default: the test split next to the model)"},
      {"calib", CLI_STRING, &calib, "FILE", "activation ranges (default: MODEL.calib if present)"},
      {"batch", CLI_INT, &batch, "K", "samples per ciphertext (default: as many as fit)"},
      {"executor", CLI_STRING, &exec, "NAME",
       "starpu: encrypted, the program lowered to the task DAG and run on StarPU (default); "
       "ckks: encrypted, the graph's direct CKKS evaluator; "
       "ckks-dag: encrypted, the task DAG run step by step in program order; "
       "sim (or graph-sim): the HE program in the graph's plaintext-slot simulator; "
       "plan-sim: the frontend's own slot simulator of the plan"},
      {"params", CLI_STRING, &params_name, "PRESET",
       "CKKS parameters of the encrypted executors: n14, n15, n16 (default: the smallest with "
       "enough levels) or toy (insecure)"},
      {"slots", CLI_INT, &slots, "S", "slots per ciphertext for the simulators (default 4096)"},
      {"levels", CLI_INT, &levels, "L", "levels the simulated chain gives; refuse deeper models"},
      {"tol", CLI_DOUBLE, &tol, "E", "max activation approximation error (default 1e-3)"},
      {"relu-eps", CLI_DOUBLE, &relu_eps, "E",
       "ReLU by composite sign, exact outside |x| < E * range (default: Chebyshev fit)"},
      {"limit", CLI_INT, &limit, "N", "only the first N inputs"},
      {"sched", CLI_STRING, &sched, "POLICY",
       "StarPU scheduling policy (default: cf-affinity, or the tuned configuration)"},
      {"grain", CLI_INT, &grain, "K", "StarPU: limbs per task, 0 for whole polynomials"},
      {"ncpus", CLI_INT, &ncpus, "N", "StarPU: CPU workers (default: StarPU's choice)"},
      {"verify", CLI_FLAG, &verify, NULL,
       "StarPU: also run each DAG sequentially; fail unless the outputs are bit-identical"},
      {"trace", CLI_STRING, &trace, "FILE",
       "StarPU: write the execution trace (Chrome trace JSON, for `cipherflow trace`)"},
      {"model-dir", CLI_STRING, &model_dir, "DIR", "StarPU performance models"},
      {"quiet", CLI_FLAG, &quiet, NULL, "no per-sample predictions"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "infer",
      .usage = "MODEL.onnx [--input FILE] [--batch K] [--executor starpu|ckks|ckks-dag|sim] "
               "[--sched NAME] [--grain K] [--ncpus N] [--verify] [--trace FILE]",
      .summary = "Import an ONNX model, approximate its activations by polynomials, lower it to "
                 "an HE program (linear transforms and polynomial steps over batched slots), run "
                 "it, and compare with the plaintext model: predictions, agreement, logit "
                 "precision in bits and the time of each stage.",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  const char *model_path = argv[0];
  int dag = strcmp(exec, "ckks-dag") == 0, sp = strcmp(exec, "starpu") == 0;
  int ckks = sp || dag || strcmp(exec, "ckks") == 0, plan_sim = strcmp(exec, "plan-sim") == 0;
  if (!ckks && !plan_sim && strcmp(exec, "graph-sim") != 0 && strcmp(exec, "sim") != 0)
    return cli_usage_error("infer",
                           "unknown executor '%s' (starpu, ckks, ckks-dag, sim or plan-sim)", exec);
  if (!sp && (sched || trace || verify || grain >= 0 || ncpus >= 0 || model_dir))
    return cli_usage_error("infer", "--%s needs --executor starpu (got '%s')",
                           sched        ? "sched"
                           : trace      ? "trace"
                           : verify     ? "verify"
                           : grain >= 0 ? "grain"
                           : ncpus >= 0 ? "ncpus"
                                        : "model-dir",
                           exec);
  if (params_name && !ckks)
    return cli_usage_error("infer",
                           "--params needs an encrypted executor (starpu, ckks, ckks-dag)");
  if (batch < 0 || limit < 0 || levels < 0 || !(tol > 0) || !(relu_eps >= 0 && relu_eps < 1))
    return cli_usage_error("infer", "--batch, --limit, --levels and --tol must be positive, "
                                    "--relu-eps in [0, 1)");

  run_state r = {0};
  stage_times t = {0};
  cf_status st = CF_OK;
  if (sp) {
    cf_sp_options_default(&r.sp.sp);
    r.sp.sp.progress = true;
    r.sp.sp.model_dir = model_dir;
    r.sp.verify = verify;
    if (access("cipherflow-tune.conf", R_OK) == 0 &&
        (st = cf_sched_config_load(&r.sp.sp.sched, "cipherflow-tune.conf")) != CF_OK)
      return cli_fail("infer", st);
    if (sched && cf_sched_config_set(&r.sp.sp.sched, "policy", sched) != CF_OK)
      return cli_usage_error("infer", "--sched: %s", cf_last_error());
    if (ncpus > STARPU_MAXCPUS)
      return cli_usage_error("infer", "--ncpus %ld: this StarPU supports at most %d CPU workers",
                             ncpus, STARPU_MAXCPUS);
    if (grain > 65535)
      return cli_usage_error("infer", "--grain must be in 0..65535, got %ld", grain);
    if (grain >= 0) r.sp.sp.sched.grain = (int)grain;
    if (ncpus >= 0) r.sp.sp.sched.ncpus = (int)ncpus;
    if (trace) {
      if ((st = cf_trace_create(&r.trace, 0)) != CF_OK) return cli_fail("infer", st);
      r.sp.trace = r.trace;
    }
  }
  double t0 = now();
  if ((st = cf_onnx_load(model_path, &r.m)) != CF_OK) goto out;
  char cpath[1200];
  if (!calib) {
    sibling(model_path, "calib", cpath, sizeof cpath);
    if (file_exists(cpath)) calib = cpath;
  }
  if (calib && (st = cf_model_load_calibration(r.m, calib)) != CF_OK) goto out;
  t.import = now() - t0;
  printf("model %s: %d layers, input %zu values, output %zu values\n", model_path, r.m->nlayers,
         cf_shape_size(&r.m->tensors[r.m->input].shape),
         cf_shape_size(&r.m->tensors[r.m->output].shape));
  cf_model_print(r.m, stdout);

  t0 = now();
  cf_fit_opts fo = {.tol = tol, .margin = 0.1, .max_degree = 63, .relu_eps = relu_eps};
  if ((st = cf_model_fit_activations(r.m, &fo)) != CF_OK) goto out;
  print_activations(r.m);
  t.fit = now() - t0;

  t0 = now();
  /* The graph executors measure levels themselves (in prepare). */
  cf_plan_opts po = {.slots = (int)slots, .max_levels = plan_sim ? (int)levels : 0};
  if ((st = cf_he_plan_build(r.m, &po, &r.p)) != CF_OK) goto out;
  if (ckks) {
    r.params_name = params_name;
    if (params_name)
      st = cf_ckks_params_preset(params_name, strcmp(params_name, "toy") == 0, &r.params);
    else
      st = pick_params(r.p, &r.params, &r.params_name);
    if (st != CF_OK) goto out;
    printf("parameters: %s%s, N = %zu, %d levels, log2(QP) = %.0f (128-bit bound %d)\n",
           r.params_name, params_name ? "" : " (the smallest 128-bit preset with enough levels)",
           cf_ckks_params_n(r.params), cf_ckks_params_max_level(r.params),
           cf_ckks_params_log2_qp(r.params),
           cf_ckks_security_bound_128(cf_ckks_params_n(r.params)));
    po.slots = (int)cf_ckks_params_slots(r.params);
    cf_he_plan_free(r.p);
    r.p = NULL;
    if ((st = cf_he_plan_build(r.m, &po, &r.p)) != CF_OK) goto out;
  }
  if (batch > r.p->batch) {
    fprintf(stderr, "cipherflow infer: error: --batch %ld: only %d samples fit in %d slots\n",
            batch, r.p->batch, r.p->slots);
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  int per = batch ? (int)batch : r.p->batch;
  cf_he_plan_print(r.p, stdout);
  if (plan_sim) {
    r.ex = cf_plan_executor_simulator();
  } else {
    r.step_levels = calloc((size_t)r.p->nsteps + 1, sizeof *r.step_levels);
    if (!r.step_levels) {
      st = CF_ENOMEM;
      goto out;
    }
    st = sp    ? cf_plan_executor_starpu(r.params, &r.sp, r.step_levels, &r.ex)
         : dag ? cf_plan_executor_graph_dag(r.params, r.step_levels, &r.ex)
               : cf_plan_executor_graph(r.params, (int)levels, r.step_levels, &r.ex);
    if (st != CF_OK) goto out;
  }
  r.have_ex = 1;
  t.plan = now() - t0;

  char dpath[1200];
  if (!input) {
    sibling(model_path, "test", dpath, sizeof dpath);
    input = dpath;
  }
  if ((st = cf_dataset_load(input, &r.ds)) != CF_OK) goto out;
  if (r.ds.width != r.p->in_size) {
    fprintf(stderr, "cipherflow infer: error: %s has %d values per row, the model takes %d\n",
            input, r.ds.width, r.p->in_size);
    rc = CLI_EXIT_FAIL;
    goto out;
  }
  int n = limit && limit < r.ds.count ? (int)limit : r.ds.count;
  printf("executor: %s\n", r.ex.name);
  printf("inputs: %d from %s, %d per ciphertext\n", n, input, per);

  t0 = now();
  if (r.ex.prepare) {
    fflush(stdout);
    if (r.ex.encrypted) fprintf(stderr, "preparing: program, keys for its rotations...\n");
    if ((st = r.ex.prepare(r.ex.ctx, r.p)) != CF_OK) goto out;
  }
  t.prepare = now() - t0;
  if (r.step_levels) {
    int total = 0;
    for (int i = 0; i < r.p->nsteps; i++)
      total += r.step_levels[i];
    printf("levels per layer (graph lowering):");
    for (int i = 0; i < r.p->nsteps; i++)
      printf(" %s %d", r.p->steps[i].layer, r.step_levels[i]);
    printf("; total %d\n", total);
  }

  r.in = malloc(sizeof(double) * (size_t)r.p->slots);
  r.res = malloc(sizeof(double) * (size_t)r.p->slots);
  r.outs = malloc(sizeof(double) * (size_t)n * r.p->out_size);
  r.ref = malloc(sizeof(double) * (size_t)r.p->out_size);
  if (!r.in || !r.res || !r.outs || !r.ref) {
    st = CF_FAIL(CF_ENOMEM, "no memory for %d inputs", n);
    goto out;
  }
  t0 = now();
  int nbatches = (n + per - 1) / per;
  int progress = (nbatches > 1 && isatty(2)) || r.ex.encrypted;
  for (int b = 0; b < nbatches && st == CF_OK; b++) {
    int k = n - b * per < per ? n - b * per : per;
    if (progress) fflush(stdout);
    if (progress)
      fprintf(stderr, "%srun: ciphertext %d/%d (%d inputs): encrypt, evaluate, decrypt...%s",
              isatty(2) ? "\r" : "", b + 1, nbatches, k, isatty(2) ? "" : "\n");
    cf_he_plan_pack(r.p, r.ds.rows + (size_t)b * per * r.p->in_size, k, r.in);
    st = r.ex.run(r.ex.ctx, r.p, r.in, r.res);
    cf_he_plan_unpack(r.p, r.res, k, r.outs + (size_t)b * per * r.p->out_size);
  }
  if (progress && isatty(2)) fprintf(stderr, "\n");
  t.run = now() - t0;
  if (st != CF_OK) goto out;

  t0 = now();
  int agree = 0, correct = 0, labelled = 0;
  double worst = 0;
  for (int i = 0; i < n && st == CF_OK; i++) {
    st = cf_model_eval(r.m, r.ds.rows + (size_t)i * r.p->in_size, r.ref, CF_EVAL_EXACT, NULL, NULL);
    const double *o = r.outs + (size_t)i * r.p->out_size;
    int a = 0, e = 0;
    for (int j = 0; j < r.p->out_size; j++) {
      worst = fmax(worst, fabs(o[j] - r.ref[j]));
      if (o[j] > o[a]) a = j;
      if (r.ref[j] > r.ref[e]) e = j;
    }
    agree += a == e;
    if (r.ds.labels[i] >= 0) labelled++, correct += a == r.ds.labels[i];
    if (!quiet)
      printf("sample %d: predicted %d (plaintext model %d, label %d)\n", i, a, e, r.ds.labels[i]);
  }
  t.check = now() - t0;
  if (st != CF_OK) goto out;
  printf("agreement: %.2f%% (%d/%d) vs the plaintext model with exact activations\n",
         100.0 * agree / n, agree, n);
  if (labelled) printf("accuracy: %.2f%% (%d/%d)\n", 100.0 * correct / labelled, correct, labelled);
  printf("logit precision: %.1f bits (max |error| %.3g vs exact activations)\n",
         worst > 0 ? -log2(worst) : 53.0, worst);
  printf("time: import %.3f s, approximate %.3f s, plan %.3f s, %s %.3f s, run %.3f s (%.3f ms "
         "per sample), check %.3f s\n",
         t.import, t.fit, t.plan, r.ex.encrypted ? "program + keygen" : "program", t.prepare, t.run,
         1e3 * t.run / n, t.check);
  if (r.ex.times) print_stages(r.ex.times, &r.sp, nbatches, verify);
  if (r.trace) {
    st = write_trace(r.trace, trace, model_path, r.params_name, &r.sp.sp.sched);
    if (st != CF_OK) goto out;
    printf("trace: %s (%llu events; `cipherflow trace summary %s`)\n", trace,
           (unsigned long long)cf_trace_event_count(r.trace), trace);
  }
  if (!r.ex.encrypted)
    printf("note: ran on plaintext slots, no keys and no encryption (%s); --executor ckks "
           "encrypts\n",
           r.ex.name);
out:
  if (st != CF_OK) rc = cli_fail("infer", st);
  release(&r);
  return rc;
}
