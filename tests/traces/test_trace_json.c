/* Chrome Trace Event export: required fields per event type, monotonic
 * counters, one flow pair per edge, aggregation under --max-events, and the
 * round trip record -> JSON -> load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cipherflow/trace.h"
#include "tests/traces/gen_ckks.h"
#include "traces/model.h"
#include "traces/summary.h"

static char *tmp_path(void) {
  char *p = strdup("/tmp/cf_trace_json_XXXXXX");
  int fd = mkstemp(p);
  assert_true(fd >= 0);
  close(fd);
  return p;
}

static cf_trace *generated(int workers, int limbs, int ops, gen_stats *st) {
  cf_trace *t;
  assert_int_equal(cf_trace_create(&t, 0), CF_OK);
  gen_opts o = {.workers = workers,
                .limbs = limbs,
                .ops = ops,
                .seed = (uint64_t)rand(),
                .deps = true,
                .sched = true};
  assert_int_equal(gen_ckks_trace(t, &o, st), CF_OK);
  return t;
}

static json_t *load_json(const char *path) {
  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  if (!root) fail_msg("%s: %s (line %d)", path, err.text, err.line);
  return root;
}

static void assert_number(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!json_is_number(v)) fail_msg("field '%s' missing or not a number", key);
  assert_true(json_number_value(v) >= 0);
}

static void export_has_required_fields(void **state) {
  (void)state;
  gen_stats st;
  cf_trace *t = generated(2 + rand() % 3, 4 + rand() % 8, 4 + rand() % 6, &st);
  char *path = tmp_path();
  cf_trace_export_options o = {.flows = true};
  assert_int_equal(cf_trace_export_json(t, path, &o), CF_OK);
  json_t *root = load_json(path);
  json_t *other = json_object_get(root, "otherData");
  assert_true(json_is_object(other));
  assert_string_equal(json_string_value(json_object_get(other, "format")), "cipherflow-trace");
  assert_string_equal(json_string_value(json_object_get(json_object_get(other, "meta"), "policy")),
                      "list-sim");
  json_t *events = json_object_get(root, "traceEvents");
  assert_true(json_is_array(events));
  size_t ntask = 0, nxfer = 0, ncounter = 0, nev = 0, nsched = 0, nthread = 0;
  json_t *last_ts = json_object(); /* counter name -> last ts */
  json_t *flow_s = json_object(), *flow_f = json_object();
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    const char *ph = json_string_value(json_object_get(e, "ph"));
    assert_non_null(ph);
    assert_true(json_is_integer(json_object_get(e, "pid")));
    assert_true(json_is_integer(json_object_get(e, "tid")));
    json_t *args = json_object_get(e, "args");
    const char *cat = json_string_value(json_object_get(e, "cat"));
    if (strcmp(ph, "M") == 0) {
      const char *name = json_string_value(json_object_get(e, "name"));
      assert_non_null(name);
      assert_true(json_is_object(args));
      if (strcmp(name, "thread_name") == 0) {
        assert_true(json_is_string(json_object_get(args, "name")));
        nthread++;
      }
    } else if (strcmp(ph, "X") == 0) {
      assert_true(json_is_string(json_object_get(e, "name")));
      assert_number(e, "ts");
      assert_number(e, "dur");
      assert_true(json_is_object(args));
      if (strcmp(cat, "task") == 0) {
        ntask++;
        assert_true(json_is_integer(json_object_get(args, "id")));
        assert_true(json_is_string(json_object_get(args, "kernel")));
        assert_true(json_is_string(json_object_get(args, "op")));
        assert_true(json_is_integer(json_object_get(args, "node")));
        assert_true(json_is_integer(json_object_get(args, "level")));
        assert_int_equal(json_array_size(json_object_get(args, "limbs")), 2);
        assert_true(json_is_array(json_object_get(args, "deps")));
      } else {
        assert_string_equal(cat, "transfer");
        nxfer++;
        assert_true(json_is_integer(json_object_get(args, "src")));
        assert_true(json_is_integer(json_object_get(args, "dst")));
        assert_true(json_is_integer(json_object_get(args, "bytes")));
      }
    } else if (strcmp(ph, "C") == 0) {
      ncounter++;
      const char *name = json_string_value(json_object_get(e, "name"));
      assert_non_null(name);
      assert_number(e, "ts");
      assert_true(json_is_integer(json_object_get(args, "bytes")));
      double ts = json_number_value(json_object_get(e, "ts"));
      json_t *prev = json_object_get(last_ts, name);
      if (prev) assert_true(ts >= json_real_value(prev));
      json_object_set_new(last_ts, name, json_real(ts));
    } else if (strcmp(ph, "i") == 0) {
      assert_number(e, "ts");
      const char *scope = json_string_value(json_object_get(e, "s"));
      assert_true(scope && strchr("gpt", scope[0]) && !scope[1]);
      if (strcmp(cat, "eviction") == 0)
        nev++;
      else
        nsched++;
    } else if (strcmp(ph, "s") == 0 || strcmp(ph, "f") == 0) {
      assert_number(e, "ts");
      json_t *id = json_object_get(e, "id");
      assert_true(json_is_integer(id));
      char key[32];
      snprintf(key, sizeof key, "%lld", json_integer_value(id));
      json_t *set = ph[0] == 's' ? flow_s : flow_f;
      assert_null(json_object_get(set, key)); /* a flow id is used once per side */
      json_object_set_new(set, key, json_true());
      if (ph[0] == 'f') assert_string_equal(json_string_value(json_object_get(e, "bp")), "e");
    } else {
      fail_msg("unexpected phase '%s'", ph);
    }
  }
  assert_int_equal(ntask, st.tasks);
  assert_int_equal(nxfer, st.transfers);
  assert_int_equal(ncounter, st.samples);
  assert_int_equal(nev, st.evictions);
  assert_int_equal(nsched, st.scheds);
  /* One flow pair per dependency edge (every dependency names a recorded task). */
  cf_tr_snap s;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  size_t edges = 0;
  for (size_t k = 0; k < s.ntasks; k++)
    edges += s.tasks[k].ndeps;
  assert_int_equal(json_object_size(flow_s), edges);
  assert_int_equal(json_object_size(flow_f), edges);
  const char *key;
  json_t *v;
  json_object_foreach(flow_s, key, v) assert_non_null(json_object_get(flow_f, key));
  assert_true(nthread >= s.nworkers);
  cf_tr_snap_free(&s);
  json_decref(last_ts);
  json_decref(flow_s);
  json_decref(flow_f);
  json_decref(root);
  unlink(path);
  free(path);
  cf_trace_destroy(t);
}

static void assert_same_trace(const cf_trace *a, const cf_trace *b) {
  cf_tr_snap x, y;
  assert_int_equal(cf_tr_snapshot(a, &x), CF_OK);
  assert_int_equal(cf_tr_snapshot(b, &y), CF_OK);
  assert_int_equal(x.nworkers, y.nworkers);
  for (size_t i = 0; i < x.nworkers; i++) {
    int w = x.worker_ids[i];
    assert_int_equal(w, y.worker_ids[i]);
    assert_string_equal(a->workers[w].name, b->workers[w].name);
    assert_int_equal(a->workers[w].kind, b->workers[w].kind);
    assert_int_equal(a->workers[w].memnode, b->workers[w].memnode);
  }
  for (int n = 0; n < CF_TRACE_MAX_NODES; n++) {
    assert_int_equal(!a->memnodes[n], !b->memnodes[n]);
    if (a->memnodes[n]) assert_string_equal(a->memnodes[n], b->memnodes[n]);
  }
  for (size_t i = 0; i < a->nmeta; i++)
    assert_string_equal(a->meta[i].value, cf_trace_get_meta(b, a->meta[i].key));
  assert_int_equal(x.ntasks, y.ntasks);
  for (size_t i = 0; i < x.ntasks; i++) {
    const cf_trace_task *p = &x.tasks[i], *q = &y.tasks[i];
    assert_int_equal(p->id, q->id);
    assert_int_equal(p->worker, q->worker);
    assert_int_equal(p->start_ns, q->start_ns);
    assert_int_equal(p->end_ns, q->end_ns);
    assert_string_equal(p->kernel, q->kernel);
    if (p->op)
      assert_string_equal(p->op, q->op);
    else
      assert_null(q->op);
    assert_int_equal(p->node, q->node);
    assert_int_equal(p->limb_begin, q->limb_begin);
    assert_int_equal(p->limb_end, q->limb_end);
    assert_int_equal(p->level, q->level);
    assert_int_equal(p->ndeps, q->ndeps);
    for (uint32_t d = 0; d < p->ndeps; d++)
      assert_int_equal(p->deps[d], q->deps[d]);
  }
  assert_int_equal(x.ntransfers, y.ntransfers);
  for (size_t i = 0; i < x.ntransfers; i++)
    assert_memory_equal(&x.transfers[i], &y.transfers[i], sizeof x.transfers[i]);
  assert_int_equal(x.nsamples, y.nsamples);
  for (size_t i = 0; i < x.nsamples; i++)
    assert_memory_equal(&x.samples[i], &y.samples[i], sizeof x.samples[i]);
  assert_int_equal(x.nevictions, y.nevictions);
  for (size_t i = 0; i < x.nevictions; i++)
    assert_memory_equal(&x.evictions[i], &y.evictions[i], sizeof x.evictions[i]);
  assert_int_equal(x.nscheds, y.nscheds);
  for (size_t i = 0; i < x.nscheds; i++) {
    assert_int_equal(x.scheds[i].ts, y.scheds[i].ts);
    assert_int_equal(x.scheds[i].task, y.scheds[i].task);
    assert_int_equal(x.scheds[i].worker, y.scheds[i].worker);
    assert_string_equal(x.scheds[i].reason, y.scheds[i].reason);
  }
  cf_tr_snap_free(&x);
  cf_tr_snap_free(&y);
}

static void round_trip_is_exact(void **state) {
  (void)state;
  gen_stats st;
  cf_trace *t = generated(2 + rand() % 3, 3 + rand() % 10, 1 + rand() % 8, &st);
  /* A GPU worker on its own node, odd names and times not multiple of 1 us. */
  assert_int_equal(cf_trace_add_memnode(t, 2, "CUDA0"), CF_OK);
  assert_int_equal(cf_trace_add_worker(t, 9, "cuda \"0\" <dev>", CF_TRACE_CUDA, 2), CF_OK);
  uint64_t deps[] = {0, 1};
  uint64_t t0 = 1000000000000ull + (uint64_t)(rand() % 1000);
  cf_trace_task k = {.id = 1u << 30,
                     .worker = 9,
                     .start_ns = t0 + 7,
                     .end_ns = t0 + 1234567,
                     .kernel = "NTT_gpu\\x",
                     .op = NULL,
                     .node = -1,
                     .limb_begin = -1,
                     .limb_end = -1,
                     .level = -1,
                     .deps = deps,
                     .ndeps = 2};
  assert_int_equal(cf_trace_record_task(t, &k), CF_OK);
  assert_int_equal(cf_trace_record_transfer(t, 0, 2, 123457, t0 + 3, t0 + 999), CF_OK);
  assert_int_equal(cf_trace_record_eviction(t, 2, 0, 99, t0 + 1001), CF_OK);
  assert_int_equal(cf_trace_set_meta(t, "params", "N=2^16 \"weird\"\n"), CF_OK);
  char *path = tmp_path();
  cf_trace_export_options o = {.flows = rand() % 2 == 0};
  assert_int_equal(cf_trace_export_json(t, path, &o), CF_OK);
  cf_trace *back = NULL;
  assert_int_equal(cf_trace_load_json(path, &back), CF_OK);
  assert_same_trace(t, back);
  /* Exporting what was loaded gives the same file again. */
  char *path2 = tmp_path();
  assert_int_equal(cf_trace_export_json(back, path2, &o), CF_OK);
  FILE *f1 = fopen(path, "rb"), *f2 = fopen(path2, "rb");
  int c1, c2;
  do {
    c1 = fgetc(f1);
    c2 = fgetc(f2);
    assert_int_equal(c1, c2);
  } while (c1 != EOF);
  fclose(f1);
  fclose(f2);
  unlink(path);
  unlink(path2);
  free(path);
  free(path2);
  cf_trace_destroy(back);
  cf_trace_destroy(t);
}

static void max_events_aggregates(void **state) {
  (void)state;
  gen_stats st;
  cf_trace *t = generated(3, 16, 12, &st);
  uint64_t max = 60 + (uint64_t)(rand() % 150);
  assert_true(st.tasks + st.scheds > max);
  char *path = tmp_path();
  cf_trace_export_options o = {.flows = true, .max_events = max};
  assert_int_equal(cf_trace_export_json(t, path, &o), CF_OK);
  json_t *root = load_json(path);
  assert_true(json_is_true(json_object_get(json_object_get(root, "otherData"), "aggregated")));
  size_t i, payload = 0;
  json_t *e;
  long long merged = 0;
  json_array_foreach(json_object_get(root, "traceEvents"), i, e) {
    const char *ph = json_string_value(json_object_get(e, "ph"));
    if (strcmp(ph, "M") == 0) continue;
    assert_true(strcmp(ph, "s") != 0 && strcmp(ph, "f") != 0); /* flows dropped */
    payload++;
    const char *cat = json_string_value(json_object_get(e, "cat"));
    if (strcmp(ph, "X") == 0 && strcmp(cat, "task") == 0) {
      json_t *c = json_object_get(json_object_get(e, "args"), "count");
      merged += c ? json_integer_value(c) : 1;
    }
  }
  assert_true(payload <= max);
  assert_int_equal(merged, (long long)st.tasks);
  json_decref(root);
  /* The makespan survives aggregation; the loaded trace says it was aggregated. */
  cf_trace *back;
  assert_int_equal(cf_trace_load_json(path, &back), CF_OK);
  assert_non_null(cf_trace_get_meta(back, "aggregated"));
  cf_tr_snap s1, s2;
  cf_tr_summary m1, m2;
  assert_int_equal(cf_tr_snapshot(t, &s1), CF_OK);
  assert_int_equal(cf_tr_snapshot(back, &s2), CF_OK);
  assert_int_equal(cf_tr_summarize(t, &s1, 3, &m1), CF_OK);
  assert_int_equal(cf_tr_summarize(back, &s2, 3, &m2), CF_OK);
  assert_int_equal(m1.makespan_ns, m2.makespan_ns);
  assert_true(m2.aggregated);
  cf_tr_summary_free(&m1);
  cf_tr_summary_free(&m2);
  cf_tr_snap_free(&s1);
  cf_tr_snap_free(&s2);
  cf_trace_destroy(back);
  unlink(path);
  free(path);
  cf_trace_destroy(t);
}

int main(void) {
  srand((unsigned)time(NULL));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(export_has_required_fields),
      cmocka_unit_test(round_trip_is_exact),
      cmocka_unit_test(max_events_aggregates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
