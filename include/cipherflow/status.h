/*
 * Status codes and error details.
 *
 * Every public function that can fail returns a cf_status: CF_OK (zero) on
 * success, a negative code otherwise. The code says what kind of failure it
 * was; cf_last_error() says what exactly was wrong and where, in a message
 * owned by the library and valid until the next failing call on the same
 * thread.
 */
#ifndef CIPHERFLOW_STATUS_H
#define CIPHERFLOW_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#define CF_STATUS_MAP(XX)                                                                          \
  XX(OK, 0, "success")                                                                             \
  XX(EINVAL, -1, "invalid argument")                                                               \
  XX(ENOMEM, -2, "out of memory")                                                                  \
  XX(EIO, -3, "input/output error")                                                                \
  XX(EFORMAT, -4, "malformed input")                                                               \
  XX(EVERSION, -5, "unsupported format version")                                                   \
  XX(ECHECKSUM, -6, "checksum mismatch")                                                           \
  XX(EMISMATCH, -7, "objects do not belong together")                                              \
  XX(EINSECURE, -8, "parameters below the security bound")                                         \
  XX(ELEVEL, -9, "not enough levels")                                                              \
  XX(ESCALE, -10, "scale out of range")                                                            \
  XX(EUNSUPPORTED, -11, "unsupported operation")                                                   \
  XX(ENOTFOUND, -12, "not found")                                                                  \
  XX(ERUNTIME, -13, "task runtime error")                                                          \
  XX(ENODEV, -14, "no such device")                                                                \
  XX(EVERIFY, -15, "verification failed")                                                          \
  XX(EINTERNAL, -16, "internal error")

typedef enum cf_status {
#define CF_STATUS_ENUM_(name, value, text) CF_##name = value,
  CF_STATUS_MAP(CF_STATUS_ENUM_)
#undef CF_STATUS_ENUM_
} cf_status;

/* A short human description of a status ("invalid argument"). Never NULL. */
const char *cf_status_str(cf_status s);

/* The symbolic name of a status ("CF_EINVAL"). Never NULL. */
const char *cf_status_name(cf_status s);

/*
 * Detail of the last failure on this thread, such as
 * "ckks/params.c:120: log2(QP) = 1890 exceeds the 128-bit bound 1772 for N=65536".
 * Empty string if nothing failed yet. Owned by the library.
 */
const char *cf_last_error(void);

/* Forget the last failure on this thread. */
void cf_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
