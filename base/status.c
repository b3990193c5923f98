#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

static _Thread_local char last_error[1024];

const char *cf_status_str(cf_status s) {
  switch (s) {
#define CF_STATUS_STR_(name, value, text)                                                          \
  case CF_##name: return text;
    CF_STATUS_MAP(CF_STATUS_STR_)
#undef CF_STATUS_STR_
  }
  return "unknown status";
}

const char *cf_status_name(cf_status s) {
  switch (s) {
#define CF_STATUS_NAME_(name, value, text)                                                         \
  case CF_##name: return "CF_" #name;
    CF_STATUS_MAP(CF_STATUS_NAME_)
#undef CF_STATUS_NAME_
  }
  return "CF_UNKNOWN";
}

const char *cf_last_error(void) { return last_error; }

void cf_clear_error(void) { last_error[0] = '\0'; }

cf_status cf_error_at(cf_status status, const char *file, int line, const char *fmt, ...) {
  int n = snprintf(last_error, sizeof last_error, "%s:%d: ", file, line);
  if (n < 0 || (size_t)n >= sizeof last_error) n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error + n, sizeof last_error - (size_t)n, fmt, ap);
  va_end(ap);
  return status;
}
