/* cipherflow infer: a model file to predictions through the HE plan. */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontends/approx/fit_model.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "frontends/dataset.h"
#include "frontends/layers/executor.h"
#include "frontends/layers/he_plan.h"
#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"

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

int cmd_infer(int argc, char **argv) {
  const char *input = NULL, *calib = NULL, *sched = NULL, *trace = NULL, *exec = "graph-sim";
  long batch = 0, slots = 4096, levels = 0, limit = 0;
  double tol = 1e-3, relu_eps = 0;
  bool quiet = false;
  const cli_opt opts[] = {
      {"input", CLI_STRING, &input, "FILE",
       "CFTS file of inputs (default: the test split next to the model)"},
      {"calib", CLI_STRING, &calib, "FILE", "activation ranges (default: MODEL.calib if present)"},
      {"batch", CLI_INT, &batch, "K", "samples per ciphertext (default: as many as fit)"},
      {"slots", CLI_INT, &slots, "S", "slots per ciphertext, a power of two (default 4096)"},
      {"levels", CLI_INT, &levels, "L", "levels the parameters give; refuse deeper models"},
      {"tol", CLI_DOUBLE, &tol, "E", "max activation approximation error (default 1e-3)"},
      {"limit", CLI_INT, &limit, "N", "only the first N inputs"},
      {"relu-eps", CLI_DOUBLE, &relu_eps, "E",
       "ReLU by composite sign, exact outside |x| < E * range (default: Chebyshev fit)"},
      {"executor", CLI_STRING, &exec, "NAME",
       "graph-sim: the HE program in the graph's plaintext-slot simulator (default); "
       "plan-sim: the frontend's own slot simulator of the plan"},
      {"sched", CLI_STRING, &sched, "POLICY", "StarPU scheduling policy (StarPU executor only)"},
      {"trace", CLI_STRING, &trace, "FILE", "write an execution trace (StarPU executor only)"},
      {"quiet", CLI_FLAG, &quiet, NULL, "no per-sample predictions"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "infer",
      .usage = "MODEL.onnx [--input FILE] [--batch K] [--sched POLICY] [--trace FILE]",
      .summary = "Import an ONNX model, approximate its activations by polynomials, lower it to "
                 "an HE plan (linear transforms and polynomial steps over batched slots), run it, "
                 "and compare with the plaintext model: predictions, agreement, logit precision "
                 "in bits and the time of each stage.",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  const char *model_path = argv[0];
  cf_plan_executor ex;
  int *step_levels = NULL;
  if (strcmp(exec, "plan-sim") == 0) {
    ex = cf_plan_executor_simulator();
  } else if (strcmp(exec, "graph-sim") == 0) {
    /* The encrypted executors plug in here, by their cf_executor factory. */
    step_levels = calloc(256, sizeof *step_levels);
    cf_status es = step_levels ? cf_plan_executor_graph(cf_executor_create_sim,
                                                        "HE program in the graph's plaintext-slot "
                                                        "simulator",
                                                        0, (int)levels, step_levels, &ex)
                               : CF_ENOMEM;
    if (es != CF_OK) {
      free(step_levels);
      return cli_fail("infer", es);
    }
  } else {
    return cli_usage_error("infer", "unknown executor '%s' (graph-sim or plan-sim)", exec);
  }
  if ((sched || trace) && !ex.encrypted) {
    rc = cli_usage_error("infer", "--%s needs the StarPU executor; this build runs the %s",
                         sched ? "sched" : "trace", ex.name);
    goto early;
  }
  if (batch < 0 || limit < 0 || levels < 0 || !(tol > 0) || !(relu_eps >= 0 && relu_eps < 1)) {
    rc = cli_usage_error("infer", "--batch, --limit, --levels and --tol must be positive, "
                                  "--relu-eps in [0, 1)");
    goto early;
  }

  stage_times t = {0};
  double t0 = now();
  cf_model *m = NULL;
  cf_status st = cf_onnx_load(model_path, &m);
  if (st != CF_OK) goto fail;
  char cpath[1200];
  if (!calib) {
    sibling(model_path, "calib", cpath, sizeof cpath);
    if (file_exists(cpath)) calib = cpath;
  }
  if (calib && (st = cf_model_load_calibration(m, calib)) != CF_OK) goto fail;
  t.import = now() - t0;
  printf("model %s: %d layers, input %zu values, output %zu values\n", model_path, m->nlayers,
         cf_shape_size(&m->tensors[m->input].shape), cf_shape_size(&m->tensors[m->output].shape));
  cf_model_print(m, stdout);

  t0 = now();
  cf_fit_opts fo = {.tol = tol, .margin = 0.1, .max_degree = 63, .relu_eps = relu_eps};
  if ((st = cf_model_fit_activations(m, &fo)) != CF_OK) goto fail;
  for (int i = 0; i < m->nlayers; i++)
    if (m->layers[i].kind == CF_LAYER_ACTIVATION && m->layers[i].approx.composite)
      printf("activation %s: ReLU by composite sign (f_%d x %d stages) on [%.4g, %.4g], max "
             "error %.3g\n",
             m->layers[i].name, m->layers[i].approx.sign.n, m->layers[i].approx.sign.nstages,
             m->layers[i].approx.lo, m->layers[i].approx.hi, m->layers[i].approx.max_error);
    else if (m->layers[i].kind == CF_LAYER_ACTIVATION)
      printf("activation %s: Chebyshev degree %d on [%.4g, %.4g], max error %.3g\n",
             m->layers[i].name, m->layers[i].approx.degree, m->layers[i].approx.lo,
             m->layers[i].approx.hi, m->layers[i].approx.max_error);
  t.fit = now() - t0;

  t0 = now();
  /* The graph executors measure levels themselves (in prepare). */
  cf_plan_opts po = {.slots = (int)slots, .max_levels = step_levels ? 0 : (int)levels};
  cf_he_plan *p = NULL;
  if ((st = cf_he_plan_build(m, &po, &p)) != CF_OK) goto fail;
  if (batch > p->batch) {
    int fit = p->batch;
    cf_he_plan_free(p);
    cf_model_free(m);
    rc = cli_usage_error("infer", "--batch %ld: only %d samples fit in %ld slots", batch, fit,
                         slots);
    goto early;
  }
  int per = batch ? (int)batch : p->batch;
  cf_he_plan_print(p, stdout);
  t.plan = now() - t0;

  char dpath[1200];
  if (!input) {
    sibling(model_path, "test", dpath, sizeof dpath);
    input = dpath;
  }
  cf_dataset ds;
  if ((st = cf_dataset_load(input, &ds)) != CF_OK) {
    cf_he_plan_free(p);
    goto fail;
  }
  if (ds.width != p->in_size) {
    fprintf(stderr, "cipherflow infer: error: %s has %d values per row, the model takes %d\n",
            input, ds.width, p->in_size);
    cf_dataset_free(&ds);
    cf_he_plan_free(p);
    cf_model_free(m);
    rc = CLI_EXIT_FAIL;
    goto early;
  }
  int n = limit && limit < ds.count ? (int)limit : ds.count;
  printf("executor: %s\n", ex.name);
  printf("inputs: %d from %s, %d per ciphertext\n", n, input, per);

  t0 = now();
  if (ex.prepare && (st = ex.prepare(ex.ctx, p)) != CF_OK) goto fail_all;
  t.prepare = now() - t0;
  if (step_levels) {
    int total = 0;
    for (int i = 0; i < p->nsteps; i++)
      total += step_levels[i];
    printf("levels per layer (graph lowering):");
    for (int i = 0; i < p->nsteps; i++)
      printf(" %s %d", p->steps[i].layer, step_levels[i]);
    printf("; total %d\n", total);
  }

  double *in = malloc(sizeof(double) * (size_t)p->slots);
  double *res = malloc(sizeof(double) * (size_t)p->slots);
  double *outs = malloc(sizeof(double) * (size_t)n * p->out_size);
  double *ref = malloc(sizeof(double) * (size_t)p->out_size);
  if (!in || !res || !outs || !ref) {
    free(in), free(res), free(outs), free(ref);
    fprintf(stderr, "cipherflow infer: error: out of memory\n");
    rc = CLI_EXIT_FAIL;
    goto done;
  }
  t0 = now();
  int nbatches = (n + per - 1) / per, progress = nbatches > 1 && isatty(2);
  for (int b = 0; b < nbatches && st == CF_OK; b++) {
    int k = n - b * per < per ? n - b * per : per;
    cf_he_plan_pack(p, ds.rows + (size_t)b * per * p->in_size, k, in);
    st = ex.run(ex.ctx, p, in, res);
    cf_he_plan_unpack(p, res, k, outs + (size_t)b * per * p->out_size);
    if (progress) fprintf(stderr, "\rrun: ciphertext %d/%d", b + 1, nbatches);
  }
  if (progress) fprintf(stderr, "\n");
  t.run = now() - t0;
  if (st == CF_OK) {
    t0 = now();
    int agree = 0, correct = 0, labelled = 0;
    double worst = 0;
    for (int i = 0; i < n && st == CF_OK; i++) {
      st = cf_model_eval(m, ds.rows + (size_t)i * p->in_size, ref, CF_EVAL_EXACT, NULL, NULL);
      const double *o = outs + (size_t)i * p->out_size;
      int a = 0, r = 0;
      for (int j = 0; j < p->out_size; j++) {
        worst = fmax(worst, fabs(o[j] - ref[j]));
        if (o[j] > o[a]) a = j;
        if (ref[j] > ref[r]) r = j;
      }
      agree += a == r;
      if (ds.labels[i] >= 0) labelled++, correct += a == ds.labels[i];
      if (!quiet)
        printf("sample %d: predicted %d (plaintext model %d, label %d)\n", i, a, r, ds.labels[i]);
    }
    t.check = now() - t0;
    if (st == CF_OK) {
      printf("agreement: %.2f%% (%d/%d) vs the plaintext model with exact activations\n",
             100.0 * agree / n, agree, n);
      if (labelled)
        printf("accuracy: %.2f%% (%d/%d)\n", 100.0 * correct / labelled, correct, labelled);
      printf("logit precision: %.1f bits (max |error| %.3g vs exact activations)\n",
             worst > 0 ? -log2(worst) : 53.0, worst);
      printf("time: import %.3f s, approximate %.3f s, plan %.3f s, program + keygen %.3f s, "
             "run %.3f s (%.3f ms per sample), check %.3f s\n",
             t.import, t.fit, t.plan, t.prepare, t.run, 1e3 * t.run / n, t.check);
      if (!ex.encrypted)
        printf("note: ran on plaintext slots (no keys, no encryption): %s; the CKKS and "
               "StarPU executors are not wired into infer in this build\n",
               ex.name);
    }
  }
  free(in), free(res), free(outs), free(ref);
  rc = st == CF_OK ? CLI_EXIT_OK : cli_fail("infer", st);
done:
  cf_dataset_free(&ds);
  cf_he_plan_free(p);
  cf_model_free(m);
  goto early;
fail_all:
  cf_dataset_free(&ds);
  cf_he_plan_free(p);
fail:
  cf_model_free(m);
  rc = cli_fail("infer", st);
early:
  if (ex.release) ex.release(ex.ctx);
  free(step_levels);
  return rc;
}
