/* The parser on truncated and mutated example programs: never crashes,
 * rejects with a message or accepts input that round-trips. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/graph/examples.h"
#include "tests/graph/helpers.h"
#include "tests/graph/parse_entry.h"

static void check(const uint8_t *d, size_t n, const char *what) {
  if (parse_entry(d, n))
    fail_msg("parser invariant broken on %s (%zu bytes): %.*s", what, n, (int)n, d);
}

static void test_mutations(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(example_chain(&c), CF_OK);
  uint64_t s = test_seed();
  static const char tokens[][12] = {"%",   "%0",     "=",     ",",     ":",           "<",  ">",
                                    "{",   "}",      "[",     "]",     "\n",          "\"", "2^",
                                    "*q3", "/q1",    "-",     "1e308", "99999999999", "ct", "pt",
                                    "k=",  "level=", "hoist", "#",     " ",           "\0", "nan"};
  size_t accepted = 0, total = 0;
  for (int e = 0; e < nexamples; e++) {
    cf_program *p;
    char *text;
    assert_int_equal(examples[e].build(&c, &p), CF_OK);
    assert_int_equal(cf_program_print(p, &text), CF_OK);
    cf_program_destroy(p);
    size_t n = strlen(text);
    /* every truncation of the small examples, sampled ones of the big one */
    size_t stepn = n > 4000 ? n / 400 : 1;
    for (size_t k = 0; k <= n; k += stepn)
      check((const uint8_t *)text, k, "truncation"), total++;
    uint8_t *buf = malloc(n + 64);
    for (int m = 0; m < 1500; m++) {
      memcpy(buf, text, n);
      size_t len = n;
      int edits = 1 + (int)(rnd(&s) % 3);
      for (int ed = 0; ed < edits; ed++) {
        size_t at = rnd(&s) % (len ? len : 1);
        switch (rnd(&s) % 4) {
        case 0: buf[at] = (uint8_t)rnd(&s); break;                           /* flip a byte */
        case 1: memmove(buf + at, buf + at + 1, len - at - 1), len--; break; /* delete */
        case 2: buf[at] = (uint8_t) "0123456789%,:<>{}[]\n "[rnd(&s) % 21]; break;
        default: { /* insert a token */
          const char *t = tokens[rnd(&s) % (sizeof tokens / sizeof tokens[0])];
          size_t tl = strlen(t) ? strlen(t) : 1;
          if (len + tl > n + 60) break;
          memmove(buf + at + tl, buf + at, len - at);
          memcpy(buf + at, t, tl);
          len += tl;
        }
        }
      }
      cf_clear_error();
      cf_program *q = NULL;
      if (cf_program_parse((const char *)buf, len, &q) == CF_OK) accepted++;
      cf_program_destroy(q);
      check(buf, len, "mutation");
      total++;
    }
    free(buf);
    free(text);
  }
  /* mutations that leave a valid program (inside comments, numbers) happen */
  fprintf(stderr, "%zu inputs, %zu mutated inputs accepted\n", total, accepted);
}

/* Inputs the fuzzer found problems with, kept as regressions. */
static void test_corpus(void **state) {
  (void)state;
  const char *src = getenv("CF_SOURCE_DIR");
  if (!src) skip();
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/graph/corpus", src);
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    check(buf, len, e->d_name);
    n++;
  }
  closedir(d);
  assert_true(n > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_mutations),
                                     cmocka_unit_test(test_corpus)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
