/*
 * Runs the importer on the single-operator models of Debian's
 * libonnx-testdata and compares the double forward pass with their reference
 * outputs. Node tests pass weights as graph inputs; those are turned into
 * initializers (from the test's input_K.pb) before import. Models using
 * operators, attributes or shapes the frontend does not support must fail
 * with CF_EUNSUPPORTED; they are counted, not hidden. Skips when the package
 * is not installed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "frontends/model_eval.h"
#include "frontends/onnx/onnx_import.h"
#include "frontends/onnx/onnx_tensor.h"

static const char *root(void) {
  const char *r = getenv("CF_ONNX_TESTDATA");
  return r ? r : "/usr/share/libonnx-testdata/data";
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

static Onnx__TensorProto *read_tensor(const char *dir, const char *kind, int k) {
  char p[1700];
  snprintf(p, sizeof p, "%s/test_data_set_0/%s_%d.pb", dir, kind, k);
  size_t len;
  uint8_t *b = slurp(p, &len);
  if (!b) return NULL;
  Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, b);
  free(b);
  return t;
}

typedef struct tally {
  int loaded, unsupported, mismatched, failed;
} tally;

static void run_one(const char *dir, const char *name, tally *t) {
  char p[1600];
  snprintf(p, sizeof p, "%s/model.onnx", dir);
  size_t len;
  uint8_t *b = slurp(p, &len);
  if (!b) return;
  Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, b);
  free(b);
  assert_non_null(mp);
  Onnx__GraphProto *g = mp->graph;
  /* Graph inputs after the first become initializers holding their test data. */
  Onnx__TensorProto *extra[16] = {0};
  size_t nextra = 0, n_in = g->n_input;
  for (size_t i = 1; i < g->n_input && i < 16; i++) {
    int is_init = 0;
    for (size_t k = 0; k < g->n_initializer; k++)
      is_init |= strcmp(g->initializer[k]->name, g->input[i]->name) == 0;
    if (is_init) continue;
    Onnx__TensorProto *tp = read_tensor(dir, "input", (int)i);
    if (!tp) break;
    free(tp->name);
    tp->name = strdup(g->input[i]->name);
    extra[nextra++] = tp;
  }
  Onnx__TensorProto **inits = malloc(sizeof *inits * (g->n_initializer + nextra + 1));
  assert_non_null(inits);
  for (size_t i = 0; i < g->n_initializer; i++)
    inits[i] = g->initializer[i];
  for (size_t i = 0; i < nextra; i++)
    inits[g->n_initializer + i] = extra[i];
  Onnx__TensorProto **old_inits = g->initializer;
  size_t old_n = g->n_initializer;
  g->initializer = inits;
  g->n_initializer += nextra;
  size_t plen = onnx__model_proto__get_packed_size(mp);
  uint8_t *packed = malloc(plen);
  assert_non_null(packed);
  onnx__model_proto__pack(mp, packed);
  g->initializer = old_inits, g->n_initializer = old_n, g->n_input = n_in;
  free(inits);
  for (size_t i = 0; i < nextra; i++)
    onnx__tensor_proto__free_unpacked(extra[i], NULL);
  onnx__model_proto__free_unpacked(mp, NULL);

  cf_model *m;
  cf_status st = cf_onnx_load_buffer(packed, plen, name, &m);
  free(packed);
  if (st == CF_EUNSUPPORTED) {
    if (getenv("CF_VERBOSE")) printf("  %s: unsupported: %s\n", name, cf_last_error());
    t->unsupported++;
    return;
  }
  if (st != CF_OK) {
    printf("  %s: load failed: %s\n", name, cf_last_error());
    t->failed++;
    return;
  }
  Onnx__TensorProto *in = read_tensor(dir, "input", 0), *out = read_tensor(dir, "output", 0);
  cf_onnx_const ci, co;
  assert_non_null(in);
  assert_non_null(out);
  assert_int_equal(cf_onnx_const_decode(in, "input", &ci), CF_OK);
  assert_int_equal(cf_onnx_const_decode(out, "output", &co), CF_OK);
  size_t nin = cf_shape_size(&m->tensors[m->input].shape);
  size_t nout = cf_shape_size(&m->tensors[m->output].shape);
  int ok = ci.count == nin * (size_t)m->batch && co.count == nout * (size_t)m->batch;
  double worst = 0;
  double *y = malloc(sizeof(double) * nout);
  assert_non_null(y);
  for (int s = 0; ok && s < m->batch; s++) {
    assert_int_equal(cf_model_eval(m, ci.data + (size_t)s * nin, y, CF_EVAL_EXACT, NULL, NULL),
                     CF_OK);
    for (size_t k = 0; k < nout; k++) {
      double ref = co.data[(size_t)s * nout + k];
      if (isnan(ref) && isnan(y[k])) continue; /* e.g. sqrt of a negative input */
      double e = fabs(y[k] - ref) / (1 + fabs(ref));
      if (e > worst || isnan(e)) worst = e;
    }
  }
  if (!ok || !(worst < 1e-4)) {
    printf("  %s: MISMATCH (sizes %s, worst relative error %.3g)\n", name, ok ? "ok" : "differ",
           worst);
    t->mismatched++;
  } else {
    printf("  %s: ok, %d layers, batch %d, max rel error %.2g\n", name, m->nlayers, m->batch,
           worst);
    t->loaded++;
  }
  free(y);
  free(ci.data), free(co.data);
  onnx__tensor_proto__free_unpacked(in, NULL);
  onnx__tensor_proto__free_unpacked(out, NULL);
  cf_model_free(m);
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static void testdata_models(void **state) {
  (void)state;
  tally t = {0};
  const char *sets[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};
  for (size_t s = 0; s < 4; s++) {
    char d[1024];
    snprintf(d, sizeof d, "%s/%s", root(), sets[s]);
    struct dirent **ents;
    int n = scandir(d, &ents, NULL, by_name);
    for (int i = 0; i < n; i++) {
      if (ents[i]->d_name[0] != '.') {
        char dir[1400], name[400];
        snprintf(dir, sizeof dir, "%s/%s", d, ents[i]->d_name);
        snprintf(name, sizeof name, "%s/%s", sets[s], ents[i]->d_name);
        run_one(dir, name, &t);
      }
      free(ents[i]);
    }
    if (n >= 0) free(ents);
  }
  printf("libonnx-testdata: %d match, %d unsupported (rejected with CF_EUNSUPPORTED), "
         "%d mismatched, %d failed otherwise\n",
         t.loaded, t.unsupported, t.mismatched, t.failed);
  assert_int_equal(t.mismatched, 0);
  assert_true(t.loaded >= 20);
}

int main(void) {
  char p[1024];
  snprintf(p, sizeof p, "%s/node", root());
  DIR *d = opendir(p);
  if (!d) {
    printf("libonnx-testdata not installed; skipping\n");
    return 77;
  }
  closedir(d);
  const struct CMUnitTest tests[] = {cmocka_unit_test(testdata_models)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
