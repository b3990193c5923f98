#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "base/error.h"
#include "cipherflow/log.h"
#include "cipherflow/status.h"

static void every_status_has_distinct_name_and_text(void **state) {
  (void)state;
  const cf_status all[] = {
#define ALL_(name, value, text) CF_##name,
      CF_STATUS_MAP(ALL_)
#undef ALL_
  };
  size_t n = sizeof all / sizeof all[0];
  for (size_t i = 0; i < n; i++) {
    assert_string_not_equal(cf_status_str(all[i]), "unknown status");
    assert_true(strncmp(cf_status_name(all[i]), "CF_", 3) == 0);
    for (size_t j = 0; j < i; j++) {
      assert_int_not_equal(all[i], all[j]);
      assert_string_not_equal(cf_status_name(all[i]), cf_status_name(all[j]));
    }
  }
  assert_string_equal(cf_status_name(CF_EINVAL), "CF_EINVAL");
  assert_string_equal(cf_status_str((cf_status)12345), "unknown status");
}

static void error_records_where_and_what(void **state) {
  (void)state;
  cf_clear_error();
  assert_string_equal(cf_last_error(), "");
  int line = __LINE__ + 1;
  cf_status s = CF_FAIL(CF_ELEVEL, "node %d needs level %d", 7, 3);
  assert_int_equal(s, CF_ELEVEL);
  char expected[128];
  snprintf(expected, sizeof expected, "tests/base/test_status.c:%d: node 7 needs level 3", line);
  assert_string_equal(cf_last_error(), expected);
}

static void error_message_is_truncated_not_overflowed(void **state) {
  (void)state;
  char big[4096];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  CF_FAIL(CF_EINVAL, "%s", big);
  assert_true(strlen(cf_last_error()) < 1024);
}

static void *other_thread(void *arg) {
  (void)arg;
  return (void *)(uintptr_t)strlen(cf_last_error());
}

static void error_is_thread_local(void **state) {
  (void)state;
  CF_FAIL(CF_EIO, "main thread failure");
  pthread_t t;
  void *len = NULL;
  assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
  pthread_join(t, &len);
  assert_int_equal((uintptr_t)len, 0);
  assert_non_null(strstr(cf_last_error(), "main thread failure"));
}

static void log_levels_parse(void **state) {
  (void)state;
  cf_log_level l;
  assert_int_equal(cf_log_parse_level("debug", &l), 0);
  assert_int_equal(l, CF_LOG_DEBUG);
  assert_int_equal(cf_log_parse_level("error", &l), 0);
  assert_int_equal(l, CF_LOG_ERROR);
  assert_int_equal(cf_log_parse_level("verbose", &l), -1);
  assert_int_equal(cf_log_parse_level(NULL, &l), -1);
  cf_log_set_level(CF_LOG_INFO);
  assert_int_equal(cf_log_get_level(), CF_LOG_INFO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_status_has_distinct_name_and_text),
      cmocka_unit_test(error_records_where_and_what),
      cmocka_unit_test(error_message_is_truncated_not_overflowed),
      cmocka_unit_test(error_is_thread_local),
      cmocka_unit_test(log_levels_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
