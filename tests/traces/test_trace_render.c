/* The SVG Gantt chart is well-formed XML with one rectangle per task and
 * transfer, a row per worker and a curve per memory node; the HTML page
 * embeds the trace, summary and colours as JSON that parses back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "tests/traces/gen_ckks.h"
#include "tests/traces/xml_check.h"
#include "traces/render.h"
#include "traces/summary.h"

static void svg_is_well_formed_and_complete(void **state) {
  (void)state;
  for (int round = 0; round < 5; round++) {
    cf_trace *t;
    assert_int_equal(cf_trace_create(&t, 0), CF_OK);
    gen_opts o = {.workers = 2 + rand() % 3,
                  .limbs = 3 + rand() % 10,
                  .ops = 1 + rand() % 9,
                  .seed = (uint64_t)rand(),
                  .deps = true};
    gen_stats st;
    assert_int_equal(gen_ckks_trace(t, &o, &st), CF_OK);
    /* Names that need escaping. */
    assert_int_equal(cf_trace_set_meta(t, "program", "a<b & \"c\""), CF_OK);
    assert_int_equal(cf_trace_add_worker(t, 7, "w<7>&", CF_TRACE_CUDA, 0), CF_OK);
    cf_trace_task k = {.id = 99999,
                       .worker = 7,
                       .start_ns = 1000000000000ull,
                       .end_ns = 1000000000500ull,
                       .kernel = "K<&>\"",
                       .node = -1,
                       .limb_begin = -1,
                       .limb_end = -1,
                       .level = -1};
    assert_int_equal(cf_trace_record_task(t, &k), CF_OK);
    cf_tr_snap s;
    assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
    char *doc = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&doc, &len);
    assert_int_equal(cf_tr_write_svg(t, &s, f), CF_OK);
    fclose(f);
    int nel = 0;
    const char *why = xml_check(doc, &nel);
    if (why) fail_msg("SVG not well-formed: %s", why);
    assert_true(nel > (int)st.tasks);
    assert_int_equal(count_str(doc, "<rect class=\"task\""), (int)st.tasks + 1);
    assert_int_equal(count_str(doc, "<rect class=\"transfer\""), (int)st.transfers);
    assert_int_equal(count_str(doc, "class=\"worker-row\""), o.workers + 1);
    assert_int_equal(count_str(doc, "<polyline class=\"memory\""), 2); /* RAM and disk */
    assert_non_null(strstr(doc, "a&lt;b &amp; &quot;c&quot;"));
    free(doc);
    cf_tr_snap_free(&s);
    cf_trace_destroy(t);
  }
}

static void empty_trace_gives_a_valid_svg(void **state) {
  (void)state;
  cf_trace *t;
  assert_int_equal(cf_trace_create(&t, 0), CF_OK);
  cf_tr_snap s;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  char *doc = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&doc, &len);
  assert_int_equal(cf_tr_write_svg(t, &s, f), CF_OK);
  fclose(f);
  int nel;
  assert_null(xml_check(doc, &nel));
  free(doc);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
}

/* The JSON text of <script type="application/json" id="ID"> in page. */
static json_t *embedded(const char *page, const char *id) {
  char open[64];
  snprintf(open, sizeof open, "<script type=\"application/json\" id=\"%s\">", id);
  const char *p = strstr(page, open);
  assert_non_null(p);
  p += strlen(open);
  const char *end = strstr(p, "</script>");
  assert_non_null(end);
  json_error_t err;
  json_t *v = json_loadb(p, (size_t)(end - p), 0, &err);
  if (!v) fail_msg("block %s: %s", id, err.text);
  return v;
}

static void html_embeds_trace_summary_and_colors(void **state) {
  (void)state;
  cf_trace *t;
  assert_int_equal(cf_trace_create(&t, 0), CF_OK);
  gen_opts o = {.workers = 2 + rand() % 3,
                .limbs = 4 + rand() % 6,
                .ops = 2 + rand() % 6,
                .seed = (uint64_t)rand(),
                .deps = true};
  gen_stats st;
  assert_int_equal(gen_ckks_trace(t, &o, &st), CF_OK);
  /* A name that would end the script element if it were not escaped. */
  assert_int_equal(cf_trace_set_meta(t, "program", "</script><b>x</b>"), CF_OK);
  cf_tr_snap s;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  char *page = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&page, &len);
  assert_int_equal(cf_tr_write_html(t, &s, f, 0), CF_OK);
  fclose(f);
  assert_null(strstr(page, "@@CF_"));
  assert_null(strstr(page, "</script><b>"));
  json_t *trace = embedded(page, "cf-trace"), *sum = embedded(page, "cf-summary"),
         *colors = embedded(page, "cf-colors");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(json_object_get(trace, "otherData"), "meta"), "program")),
                      "</script><b>x</b>");
  size_t i, ntask = 0;
  json_t *e;
  json_array_foreach(json_object_get(trace, "traceEvents"), i, e) {
    const char *cat = json_string_value(json_object_get(e, "cat"));
    if (cat && strcmp(cat, "task") == 0) {
      ntask++;
      const char *k = json_string_value(json_object_get(e, "name"));
      assert_string_equal(json_string_value(json_object_get(colors, k)), cf_tr_kernel_color(k));
    }
  }
  assert_int_equal(ntask, st.tasks);
  cf_tr_summary m;
  assert_int_equal(cf_tr_summarize(t, &s, 10, &m), CF_OK);
  assert_int_equal(json_integer_value(json_object_get(sum, "makespan_ns")), m.makespan_ns);
  assert_int_equal(json_integer_value(json_object_get(sum, "tasks")), st.tasks);
  assert_int_equal(json_array_size(json_object_get(sum, "workers")), o.workers);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "critical_path"), "ns")),
                   m.critical_ns);
  cf_tr_summary_free(&m);
  json_decref(trace);
  json_decref(sum);
  json_decref(colors);
  free(page);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
}

int main(void) {
  srand((unsigned)time(NULL));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(svg_is_well_formed_and_complete),
      cmocka_unit_test(empty_trace_gives_a_valid_svg),
      cmocka_unit_test(html_embeds_trace_summary_and_colors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
