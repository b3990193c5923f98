/* Text format: exact round trips (examples, random programs), examples in
 * sync with their generator, and parse errors with line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/graph/examples.h"
#include "tests/graph/helpers.h"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
  b[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return b;
}

static char *print(const cf_program *p) {
  char *t = NULL;
  assert_int_equal(cf_program_print(p, &t), CF_OK);
  return t;
}

static void round_trip(const char *text) {
  cf_program *p = NULL;
  if (cf_program_parse(text, strlen(text), &p) != CF_OK) fail_msg("parse: %s", cf_last_error());
  char *again = print(p);
  if (strcmp(again, text) != 0) fail_msg("round trip differs:\n%s\n---\n%s", text, again);
  free(again);
  cf_program_destroy(p);
}

static void test_examples(void **state) {
  (void)state;
  const char *src = getenv("CF_SOURCE_DIR");
  if (!src) skip();
  cf_chain c;
  assert_int_equal(example_chain(&c), CF_OK);
  for (int i = 0; i < nexamples; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/programs/%s", src, examples[i].file);
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) fail_msg("cannot read %s", path);
    round_trip(text);
    cf_program *p;
    assert_int_equal(examples[i].build(&c, &p), CF_OK);
    char *built = print(p);
    if (strcmp(built, text) != 0)
      fail_msg("%s is out of date: regenerate with gen_examples", examples[i].file);
    cf_program *q;
    assert_int_equal(cf_program_parse(text, len, &q), CF_OK);
    assert_true(sim_compare(p, q, test_seed()) == 0.0);
    free(built), free(text);
    cf_program_destroy(p), cf_program_destroy(q);
  }
}

static void test_random_round_trip(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  for (int k = 0; k < 50; k++) {
    cf_program *p = random_program(&c, test_seed() * 7 + (uint64_t)k, 25, true);
    char *t = print(p);
    round_trip(t);
    cf_program *q;
    assert_int_equal(cf_program_parse(t, strlen(t), &q), CF_OK);
    assert_true(sim_compare(p, q, 5) == 0.0);
    /* and after passes that add hoist flags and expansions */
    cf_program *h;
    assert_int_equal(cf_pass_hoist_rotations(p, &h), CF_OK);
    char *th = print(h);
    round_trip(th);
    free(t), free(th);
    cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(h);
  }
}

static const char *HEAD = "cfprogram 1\n"
                          "chain logn=10 slots=512 dnum=3 scale=2^40 manage=none\n";

/* The chain lines come from small_chain so that primes are valid. */
static char *with_chain(const char *body) {
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &p), CF_OK);
  char *t = print(p);
  cf_program_destroy(p);
  char *r = malloc(strlen(t) + strlen(body) + 1);
  strcpy(r, t);
  strcat(r, body);
  free(t);
  return r;
}

static void expect_parse_error(const char *body, const char *want) {
  char *text = with_chain(body);
  cf_program *p = (cf_program *)1;
  cf_status st = cf_program_parse(text, strlen(text), &p);
  if (st == CF_OK) fail_msg("parsed without error:\n%s", body);
  assert_null(p);
  if (!strstr(cf_last_error(), want))
    fail_msg("error '%s' lacks '%s' for:\n%s", cf_last_error(), want, body);
  free(text);
}

static void test_parse_errors(void **state) {
  (void)state;
  (void)HEAD;
  const char *in = "%0 = input \"x\" : ct<level=5, scale=2^40, slots=16>\n";
  /* header lines 1-4, so the body starts at line 5 */
  expect_parse_error("%1 = input \"x\" : ct<level=5, scale=2^40, slots=16>\n",
                     "line 5, column 1: expected %0 here");
  expect_parse_error("%0 = inptu \"x\"\n", "line 5, column 6: unknown operation 'inptu'");
  char buf[512];
  snprintf(buf, sizeof buf, "%s%%1 = add %%0, %%7 : ct<level=5, scale=2^40, slots=16>\n", in);
  expect_parse_error(buf, "line 6, column 14: %7 is used before it is defined");
  snprintf(buf, sizeof buf, "%s%%1 = add %%0, %%0 : ct<level=4, scale=2^40, slots=16>\n", in);
  expect_parse_error(buf, "line 6, column 19: written type ct<level=4");
  snprintf(buf, sizeof buf, "%s%%1 = rotate %%0 : ct<level=5, scale=2^40, slots=16>\n", in);
  expect_parse_error(buf, "line 6, column 16: rotate needs attribute k");
  snprintf(buf, sizeof buf, "%s%%1 = rotate %%0 {k=16} : ct<level=5, scale=2^40, slots=16>\n", in);
  expect_parse_error(buf, "line 6: node %1 rotate: rotation by zero");
  snprintf(buf, sizeof buf, "%s%%1 = rotate %%0 {k=1, k=2} : ct<level=5, scale=2^40, slots=16>\n",
           in);
  expect_parse_error(buf, "line 6, column 22: attribute 'k' is unknown or repeated");
  snprintf(buf, sizeof buf, "%s%%1 = neg %%0 : ct<level=5, scale=2^40*q9, slots=16>\n", in);
  expect_parse_error(buf, "scale prime index 9 outside 0..7");
  snprintf(buf, sizeof buf, "%s%%1 = neg %%0 : ct<level=5, scale=2^40, slots=16\n", in);
  expect_parse_error(buf, "line 6, column 47: expected '>', found end of line");
  snprintf(buf, sizeof buf, "%soutput \"y\" = %%0 extra\n", in);
  expect_parse_error(buf, "line 6, column 17: unexpected text 'e'");
  snprintf(buf, sizeof buf, "%sfrobnicate\n", in);
  expect_parse_error(buf, "line 6, column 1: expected a value definition");
  expect_parse_error("%0 = plaintext \"w\" [1, 2, 3] : pt<slots=4>\n",
                     "plaintext has 3 values but type says 4 slots");
  expect_parse_error("%0 = const nan : const\n", "line 5, column 12: expected constant");
  expect_parse_error("%0 = input \"x : ct<level=5, scale=2^40, slots=16>\n", "unterminated string");
  /* header errors */
  cf_program *p;
  const char *bad = "cfprogram 2\n";
  assert_int_equal(cf_program_parse(bad, strlen(bad), &p), CF_EVERSION);
  const char *bad2 = "cfprogram 1\nchain logn=10 slots=512 dnum=3 manage=none\nq 3\np 5\n";
  assert_int_equal(cf_program_parse(bad2, strlen(bad2), &p), CF_EFORMAT);
  assert_non_null(strstr(cf_last_error(), "line 2, column 43: chain line lacks field 'scale'"));
  const char *bad3 = "cfprogram 1\nchain logn=10 slots=512 dnum=3 scale=2^40 manage=none\nq 12289 "
                     "12289\np 40961\n";
  assert_int_equal(cf_program_parse(bad3, strlen(bad3), &p), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "lines 2-4"));
  /* load: a missing file names the path */
  assert_int_equal(cf_program_load("/nonexistent/x.cfp", &p), CF_EIO);
  assert_non_null(strstr(cf_last_error(), "/nonexistent/x.cfp"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_examples),
      cmocka_unit_test(test_random_round_trip),
      cmocka_unit_test(test_parse_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
