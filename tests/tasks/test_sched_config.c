/* Configuration knobs: random round trips through the file format, and
 * every kind of bad input rejected with a message naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "scheduler/config.h"
#include "scheduler/policies.h"

static void test_round_trip(void **state) {
  (void)state;
  const char *names[128];
  size_t np = cf_sched_policy_names(names, 128);
  assert_true(np > 2 && np <= 128);
  srand((unsigned)time(NULL));
  char path[] = "/tmp/cf-config-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  for (int rep = 0; rep < 50; rep++) {
    cf_sched_config a, b;
    cf_sched_config_default(&a);
    snprintf(a.policy, sizeof a.policy, "%s", names[(size_t)rand() % np]);
    a.priorities = rand() & 1, a.fuse = rand() & 1, a.prefetch = rand() & 1;
    a.grain = rand() % 100, a.ncpus = rand() % 5;
    a.transfer_weight = (double)rand() / RAND_MAX * 10;
    assert_int_equal(cf_sched_config_save(&a, path), CF_OK);
    cf_sched_config_default(&b);
    assert_int_equal(cf_sched_config_load(&b, path), CF_OK);
    assert_string_equal(a.policy, b.policy);
    assert_int_equal(a.priorities, b.priorities);
    assert_int_equal(a.fuse, b.fuse);
    assert_int_equal(a.prefetch, b.prefetch);
    assert_int_equal(a.grain, b.grain);
    assert_int_equal(a.ncpus, b.ncpus);
    assert_true(a.transfer_weight == b.transfer_weight);
  }
  unlink(path);
}

static void test_bad_values(void **state) {
  (void)state;
  cf_sched_config c;
  cf_sched_config_default(&c);
  assert_int_equal(cf_sched_config_set(&c, "policy", "fastest"), CF_ENOTFOUND);
  assert_non_null(strstr(cf_last_error(), "fastest"));
  assert_int_equal(cf_sched_config_set(&c, "grain", "-1"), CF_EINVAL);
  assert_int_equal(cf_sched_config_set(&c, "grain", "3x"), CF_EINVAL);
  assert_int_equal(cf_sched_config_set(&c, "priorities", "maybe"), CF_EINVAL);
  assert_int_equal(cf_sched_config_set(&c, "transfer_weight", "nan"), CF_EINVAL);
  assert_int_equal(cf_sched_config_set(&c, "colour", "red"), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "colour"));
  assert_int_equal(cf_sched_config_set(&c, "grain", "all"), CF_OK);
  assert_int_equal(c.grain, 0);
  assert_int_equal(cf_sched_config_load(&c, "/nonexistent/cf.conf"), CF_EIO);

  char path[] = "/tmp/cf-config-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "# comment\npolicy = eager\n\ngrain 4\n");
  fclose(f);
  assert_int_equal(cf_sched_config_load(&c, path), CF_EFORMAT);
  assert_non_null(strstr(cf_last_error(), ":4:"));
  assert_string_equal(c.policy, "eager"); /* lines before the error applied */
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_bad_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
