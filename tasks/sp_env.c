/* Where StarPU keeps what it learns (models, bus calibration), and the
 * environment knobs StarPU reads only from the environment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "tasks/executor.h"
#include "tasks/sp_env.h"

cf_status cf_sp_default_model_dir(char *out, size_t cap) {
  const char *d = getenv("CIPHERFLOW_MODEL_DIR");
  int n;
  if (d && *d)
    n = snprintf(out, cap, "%s", d);
  else if ((d = getenv("XDG_CACHE_HOME")) && *d)
    n = snprintf(out, cap, "%s/cipherflow/starpu", d);
  else if ((d = getenv("HOME")) && *d)
    n = snprintf(out, cap, "%s/.cache/cipherflow/starpu", d);
  else
    n = snprintf(out, cap, ".cipherflow-starpu");
  if (n < 0 || (size_t)n >= cap) return CF_FAIL(CF_EINVAL, "model directory path too long");
  return CF_OK;
}

static cf_status mkdirs(const char *path) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return CF_FAIL(CF_EINVAL, "path too long: %s", path);
  for (char *p = buf + 1;; p++) {
    char c = *p;
    if (c == '/' || c == 0) {
      *p = 0;
      if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return CF_FAIL(CF_EIO, "cannot create directory '%s': %s", buf, strerror(errno));
      *p = c;
    }
    if (!c) break;
  }
  return CF_OK;
}

cf_status cf_sp_setup_env(const cf_sp_options *o) {
  char dir[4096], sampling[4200];
  if (o->model_dir)
    snprintf(dir, sizeof dir, "%s", o->model_dir);
  else
    CF_TRY(cf_sp_default_model_dir(dir, sizeof dir));
  snprintf(sampling, sizeof sampling, "%s/sampling", dir);
  CF_TRY(mkdirs(sampling));
  /* An explicit directory wins over the environment; the default does not,
   * so an outer STARPU_* setting (CI, a test harness) keeps working. */
  int force = o->model_dir != NULL;
  setenv("STARPU_PERF_MODEL_DIR", sampling, force);
  setenv("STARPU_HOME", dir, force);
  /* Models are keyed by host name; a fixed one lets CI reuse them. */
  setenv("STARPU_HOSTNAME", "cipherflow", 0);
  setenv("STARPU_PREFETCH", o->sched.prefetch ? "1" : "0", 1);
  char beta[64];
  snprintf(beta, sizeof beta, "%g", o->sched.transfer_weight);
  setenv("STARPU_SCHED_BETA", beta, 1);
  if (o->calibrate) setenv("STARPU_CALIBRATE", "1", 1);
  if (o->ram_limit_mb > 0) {
    char mb[32];
    snprintf(mb, sizeof mb, "%d", o->ram_limit_mb);
    setenv("STARPU_LIMIT_CPU_MEM", mb, 1);
  }
  return CF_OK;
}
