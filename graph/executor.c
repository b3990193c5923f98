/* Dispatch through the executor vtable. */
#include "graph/executor.h"
#include "base/error.h"

cf_status cf_executor_prepare(cf_executor *ex, const cf_program *p) {
  if (!ex || !p) return CF_FAIL(CF_EINVAL, "executor or program is NULL");
  return ex->ops->prepare(ex, p);
}

cf_status cf_executor_set_input(cf_executor *ex, const char *name, const double *re,
                                const double *im, size_t n) {
  if (!ex || !name || !re) return CF_FAIL(CF_EINVAL, "executor, name or values are NULL");
  return ex->ops->set_input(ex, name, re, im, n);
}

cf_status cf_executor_run(cf_executor *ex) {
  if (!ex) return CF_FAIL(CF_EINVAL, "executor is NULL");
  return ex->ops->run(ex);
}

cf_status cf_executor_get_output(cf_executor *ex, const char *name, double *re, double *im,
                                 size_t n) {
  if (!ex || !name || !re) return CF_FAIL(CF_EINVAL, "executor, name or buffer are NULL");
  return ex->ops->get_output(ex, name, re, im, n);
}

void cf_executor_destroy(cf_executor *ex) {
  if (ex) ex->ops->destroy(ex);
}
