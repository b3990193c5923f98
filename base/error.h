/* Recording failures: the one way every layer reports an error. */
#ifndef CF_BASE_ERROR_H
#define CF_BASE_ERROR_H

#include "cipherflow/status.h"

/* Records "file:line: message" as this thread's last error; returns status. */
cf_status cf_error_at(cf_status status, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* return CF_FAIL(CF_EINVAL, "grain must be positive, got %d", g); */
#define CF_FAIL(status, ...) cf_error_at((status), __FILE__, __LINE__, __VA_ARGS__)

/* Propagates a failing status unchanged (its message is already recorded). */
#define CF_TRY(expr)                                                                               \
  do {                                                                                             \
    cf_status cf_try_status_ = (expr);                                                             \
    if (cf_try_status_ != CF_OK) return cf_try_status_;                                            \
  } while (0)

#endif
