/*
 * Logging to stderr. The level comes from the CIPHERFLOW_LOG environment
 * variable (error, warn, info, debug; default warn) unless set explicitly.
 */
#ifndef CIPHERFLOW_LOG_H
#define CIPHERFLOW_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_log_level {
  CF_LOG_ERROR = 0,
  CF_LOG_WARN = 1,
  CF_LOG_INFO = 2,
  CF_LOG_DEBUG = 3,
} cf_log_level;

void cf_log_set_level(cf_log_level level);
cf_log_level cf_log_get_level(void);

/* Parses "error", "warn", "info" or "debug". Returns 0 or -1 if unknown. */
int cf_log_parse_level(const char *text, cf_log_level *out);

void cf_log(cf_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CF_LOG_E(...) cf_log(CF_LOG_ERROR, __VA_ARGS__)
#define CF_LOG_W(...) cf_log(CF_LOG_WARN, __VA_ARGS__)
#define CF_LOG_I(...) cf_log(CF_LOG_INFO, __VA_ARGS__)
#define CF_LOG_D(...) cf_log(CF_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
