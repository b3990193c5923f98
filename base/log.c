#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipherflow/log.h"

/* -1 until the environment has been read; then the level in force. */
static atomic_int current_level = -1;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int cf_log_parse_level(const char *text, cf_log_level *out) {
  for (int i = 0; i < 4; i++) {
    if (text && strcmp(text, level_names[i]) == 0) {
      *out = (cf_log_level)i;
      return 0;
    }
  }
  return -1;
}

cf_log_level cf_log_get_level(void) {
  int level = atomic_load(&current_level);
  if (level < 0) {
    cf_log_level parsed = CF_LOG_WARN;
    const char *env = getenv("CIPHERFLOW_LOG");
    if (env && *env && cf_log_parse_level(env, &parsed) != 0) {
      fprintf(stderr,
              "cipherflow: warn: CIPHERFLOW_LOG=%s is not one of error, warn, info, "
              "debug; using warn\n",
              env);
    }
    level = (int)parsed;
    atomic_store(&current_level, level);
  }
  return (cf_log_level)level;
}

void cf_log_set_level(cf_log_level level) { atomic_store(&current_level, (int)level); }

void cf_log(cf_log_level level, const char *fmt, ...) {
  if ((int)level > (int)cf_log_get_level()) return;
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One fputs per message so lines from different threads do not interleave. */
  char out[2100];
  snprintf(out, sizeof out, "cipherflow: %s: %s\n", level_names[level], line);
  fputs(out, stderr);
}
