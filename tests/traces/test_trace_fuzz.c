/* Malformed trace files: named errors for known defects, and truncated or
 * mutated exports either load (and then summarize and render) or fail with
 * a message naming the file; never a crash (this also runs under ASan). */
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

#include "tests/traces/gen_ckks.h"
#include "traces/render.h"
#include "traces/summary.h"

static char path[] = "/tmp/cf_trace_fuzz_XXXXXX";

static void write_file(const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

static void expect_error(const char *doc, cf_status want, const char *msg) {
  write_file(doc, strlen(doc));
  cf_trace *t = (cf_trace *)0x1;
  cf_status st = cf_trace_load_json(path, &t);
  if (st != want) fail_msg("%s: got %s, want %s", doc, cf_status_name(st), cf_status_name(want));
  assert_null(t);
  if (!strstr(cf_last_error(), msg)) fail_msg("message '%s' lacks '%s'", cf_last_error(), msg);
  assert_non_null(strstr(cf_last_error(), path));
}

#define W "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"thread_name\",\"args\":{\"name\":\"cpu0\"}}"

static void known_defects_are_named(void **state) {
  (void)state;
  expect_error("", CF_EFORMAT, "not valid JSON");
  expect_error("{\"traceEvents\":[", CF_EFORMAT, "not valid JSON");
  expect_error("{}", CF_EFORMAT, "no 'traceEvents' array");
  expect_error("{\"traceEvents\":[1]}", CF_EFORMAT, "event #0: not an object");
  expect_error("{\"traceEvents\":[{\"pid\":1}]}", CF_EFORMAT, "missing string 'ph'");
  expect_error("{\"traceEvents\":[" W ",{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":\"x\",\"dur\":1,"
               "\"name\":\"NTT\",\"args\":{}}]}",
               CF_EFORMAT, "event #1: 'ts' is not a number");
  expect_error("{\"traceEvents\":[" W ",{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":-5,\"dur\":1,"
               "\"name\":\"NTT\",\"args\":{}}]}",
               CF_EFORMAT, "'ts' = -5");
  expect_error("{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":3,\"ts\":1,\"dur\":1,"
               "\"name\":\"NTT\",\"args\":{}}]}",
               CF_EFORMAT, "tid 3, which has no thread_name");
  expect_error("{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":5000,\"ts\":1,\"dur\":1,"
               "\"args\":{}}]}",
               CF_EFORMAT, "'tid' = 5000 outside");
  expect_error("{\"traceEvents\":[" W ",{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":1,\"dur\":1,"
               "\"name\":\"NTT\",\"args\":{\"deps\":[\"a\"]}}]}",
               CF_EFORMAT, "dependency 0 is not a task id");
  expect_error("{\"traceEvents\":[{\"ph\":\"X\",\"cat\":\"transfer\",\"pid\":2,\"tid\":1000,"
               "\"ts\":1,\"dur\":1,\"args\":{\"src\":0,\"bytes\":5}}]}",
               CF_EFORMAT, "missing integer 'dst'");
  expect_error("{\"otherData\":{\"origin_ns\":12},\"traceEvents\":[]}", CF_EFORMAT,
               "'origin_ns' is not a decimal string");
  expect_error("{\"traceEvents\":[{\"ph\":\"C\",\"pid\":3,\"name\":\"memory HBM\",\"ts\":1,"
               "\"args\":{\"bytes\":1}}]}",
               CF_EFORMAT, "names no known memory node");
  unlink(path);
  cf_trace *t;
  assert_int_equal(cf_trace_load_json(path, &t), CF_EIO);
  assert_non_null(strstr(cf_last_error(), "cannot read trace"));
}

/* Loads whatever is in the file; if it loads, everything downstream works. */
static int try_load(void) {
  cf_trace *t = NULL;
  cf_clear_error();
  cf_status st = cf_trace_load_json(path, &t);
  if (st != CF_OK) {
    assert_null(t);
    assert_non_null(strstr(cf_last_error(), path));
    return 0;
  }
  cf_tr_snap s;
  cf_tr_summary m;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  assert_int_equal(cf_tr_summarize(t, &s, 5, &m), CF_OK);
  FILE *null = fopen("/dev/null", "w");
  cf_tr_summary_print(null, t, &s, &m);
  assert_int_equal(cf_tr_write_svg(t, &s, null), CF_OK);
  assert_int_equal(cf_tr_write_html(t, &s, null, 50), CF_OK);
  fclose(null);
  cf_tr_summary_free(&m);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
  return 1;
}

static char *exported(size_t *len) {
  cf_trace *t;
  assert_int_equal(cf_trace_create(&t, 0), CF_OK);
  gen_opts o = {
      .workers = 3, .limbs = 4, .ops = 4, .seed = (uint64_t)rand(), .deps = true, .sched = true};
  gen_stats st;
  assert_int_equal(gen_ckks_trace(t, &o, &st), CF_OK);
  cf_trace_export_options eo = {.flows = true};
  assert_int_equal(cf_trace_export_json(t, path, &eo), CF_OK);
  cf_trace_destroy(t);
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  rewind(f);
  char *buf = malloc(*len + 1);
  assert_int_equal(fread(buf, 1, *len, f), *len);
  buf[*len] = 0;
  fclose(f);
  return buf;
}

static void truncations_never_crash(void **state) {
  (void)state;
  size_t len;
  char *doc = exported(&len);
  int loaded = 0;
  for (int i = 0; i < 120; i++) {
    size_t cut = i < 20 ? (size_t)i : (size_t)rand() % len;
    write_file(doc, cut);
    loaded += try_load();
  }
  write_file(doc, len);
  assert_int_equal(try_load(), 1);
  (void)loaded;
  free(doc);
}

static void mutations_never_crash(void **state) {
  (void)state;
  size_t len;
  char *doc = exported(&len);
  static const char *const swaps[] = {"-1",          "1e300", "\"", "null", "[]",   "{}",
                                      "99999999999", "0.5",   ",",  "}",    "true", "-0"};
  char *buf = malloc(len + 64);
  int loaded = 0;
  for (int i = 0; i < 300; i++) {
    memcpy(buf, doc, len + 1);
    size_t n = len;
    int edits = 1 + rand() % 3;
    for (int e = 0; e < edits; e++) {
      size_t at = (size_t)rand() % n;
      if (rand() % 2) {
        buf[at] = (char)(rand() % 256 ? rand() % 128 : 0x80 + rand() % 128);
        if (!buf[at]) buf[at] = ' ';
      } else {
        /* Replace the number or token at `at` with a hostile one. */
        const char *sw = swaps[rand() % (int)(sizeof swaps / sizeof swaps[0])];
        size_t end = at;
        while (end < n && buf[end] != ',' && buf[end] != '}' && buf[end] != ']')
          end++;
        size_t sl = strlen(sw);
        if (n - (end - at) + sl >= len + 64) continue;
        memmove(buf + at + sl, buf + end, n - end + 1);
        memcpy(buf + at, sw, sl);
        n = n - (end - at) + sl;
      }
    }
    write_file(buf, n);
    loaded += try_load();
  }
  free(buf);
  free(doc);
  (void)loaded;
}

int main(void) {
  srand((unsigned)time(NULL));
  int fd = mkstemp(path);
  if (fd < 0) return 1;
  close(fd);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_defects_are_named),
      cmocka_unit_test(truncations_never_crash),
      cmocka_unit_test(mutations_never_crash),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  unlink(path);
  return rc;
}
