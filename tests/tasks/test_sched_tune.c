/* Tuning bookkeeping: medians against sorting each field by hand on
 * random samples, ranking order, list splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "scheduler/tune.h"

static int cmpu(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void test_median(void **state) {
  (void)state;
  srand((unsigned)time(NULL));
  for (int rep = 0; rep < 100; rep++) {
    int n = 1 + rand() % 9;
    cf_tune_sample s[9];
    uint64_t mk[9];
    for (int i = 0; i < n; i++) {
      s[i] = (cf_tune_sample){(uint64_t)rand(), (double)rand() / RAND_MAX, (uint64_t)rand(),
                              (uint64_t)rand()};
      mk[i] = s[i].makespan_ns;
    }
    qsort(mk, (size_t)n, sizeof *mk, cmpu);
    /* the median is a sample with as many samples below as above (lower middle) */
    cf_tune_sample m;
    assert_int_equal(cf_tune_median(s, n, &m), CF_OK);
    assert_true(m.makespan_ns == mk[(n - 1) / 2]);
    int below = 0, above = 0;
    for (int i = 0; i < n; i++)
      below += s[i].utilization<m.utilization, above += s[i].utilization> m.utilization;
    assert_true(below <= (n - 1) / 2 && above <= n / 2);
  }
  cf_tune_sample m;
  assert_int_equal(cf_tune_median(NULL, 0, &m), CF_EINVAL);
}

static void test_rank_and_split(void **state) {
  (void)state;
  cf_tune_row r[5];
  memset(r, 0, sizeof r);
  uint64_t mk[5] = {50, 10, 30, 10, 20}, by[5] = {0, 7, 0, 3, 0};
  for (int i = 0; i < 5; i++) {
    r[i].median.makespan_ns = mk[i], r[i].median.bytes_moved = by[i];
    snprintf(r[i].config.policy, sizeof r[i].config.policy, "p%d", i);
  }
  cf_tune_rank(r, 5);
  const char *want[5] = {"p3", "p1", "p4", "p2", "p0"};
  for (int i = 0; i < 5; i++)
    assert_string_equal(r[i].config.policy, want[i]);
  char items[4][CF_SCHED_POLICY_MAX];
  size_t n;
  assert_int_equal(cf_tune_split("eager,dmdas,cf-affinity", items, 4, &n), CF_OK);
  assert_int_equal(n, 3);
  assert_string_equal(items[2], "cf-affinity");
  assert_int_equal(cf_tune_split("a,,b", items, 4, &n), CF_EINVAL);
  assert_int_equal(cf_tune_split("a,b,c,d,e", items, 4, &n), CF_EINVAL);
  FILE *f = tmpfile();
  cf_tune_print(r, 5, f);
  assert_true(ftell(f) > 0);
  fclose(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_median),
                                     cmocka_unit_test(test_rank_and_split)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
