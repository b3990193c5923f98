#include "scheduler/config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "scheduler/policies.h"

void cf_sched_config_default(cf_sched_config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->policy, sizeof c->policy, "%s", CF_SCHED_DEFAULT_POLICY);
  c->priorities = true;
  c->grain = CF_SCHED_DEFAULT_GRAIN;
  c->fuse = true;
  c->share = true;
  c->ncpus = 0;
  c->prefetch = true;
  c->transfer_weight = 1.0;
}

static cf_status parse_bool(const char *key, const char *v, bool *out) {
  if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1")) {
    *out = true;
    return CF_OK;
  }
  if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0")) {
    *out = false;
    return CF_OK;
  }
  return CF_FAIL(CF_EINVAL, "%s must be on or off, got '%s'", key, v);
}

static cf_status parse_int(const char *key, const char *v, long lo, long hi, int *out) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || end == v || *end || x < lo || x > hi)
    return CF_FAIL(CF_EINVAL, "%s must be an integer in [%ld, %ld], got '%s'", key, lo, hi, v);
  *out = (int)x;
  return CF_OK;
}

cf_status cf_sched_config_set(cf_sched_config *c, const char *key, const char *v) {
  if (!c || !key || !v) return CF_FAIL(CF_EINVAL, "config: NULL argument");
  if (!strcmp(key, "policy")) {
    CF_TRY(cf_sched_policy_check(v));
    snprintf(c->policy, sizeof c->policy, "%s", v);
    return CF_OK;
  }
  if (!strcmp(key, "priorities")) return parse_bool(key, v, &c->priorities);
  if (!strcmp(key, "fuse")) return parse_bool(key, v, &c->fuse);
  if (!strcmp(key, "share")) return parse_bool(key, v, &c->share);
  if (!strcmp(key, "prefetch")) return parse_bool(key, v, &c->prefetch);
  if (!strcmp(key, "grain")) {
    if (!strcmp(v, "all")) {
      c->grain = 0;
      return CF_OK;
    }
    return parse_int(key, v, 0, 65535, &c->grain);
  }
  if (!strcmp(key, "ncpus")) return parse_int(key, v, 0, 1024, &c->ncpus);
  if (!strcmp(key, "transfer_weight")) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x) || x < 0)
      return CF_FAIL(CF_EINVAL, "transfer_weight must be a number >= 0, got '%s'", v);
    c->transfer_weight = x;
    return CF_OK;
  }
  return CF_FAIL(CF_EINVAL, "unknown configuration key '%s'", key);
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = 0;
  return s;
}

cf_status cf_sched_config_load(cf_sched_config *c, const char *path) {
  if (!c || !path) return CF_FAIL(CF_EINVAL, "config: NULL argument");
  FILE *f = fopen(path, "r");
  if (!f) return CF_FAIL(CF_EIO, "cannot open configuration '%s': %s", path, strerror(errno));
  char line[512];
  int lineno = 0;
  cf_status st = CF_OK;
  while (st == CF_OK && fgets(line, sizeof line, f)) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *s = trim(line);
    if (!*s) continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      st = CF_FAIL(CF_EFORMAT, "%s:%d: expected 'key = value', got '%s'", path, lineno, s);
      break;
    }
    *eq = 0;
    st = cf_sched_config_set(c, trim(s), trim(eq + 1));
    if (st != CF_OK) st = CF_FAIL(st, "%s:%d: %s", path, lineno, cf_last_error());
  }
  fclose(f);
  return st;
}

cf_status cf_sched_config_write(const cf_sched_config *c, FILE *out) {
  int n =
      fprintf(out,
              "policy = %s\npriorities = %s\ngrain = %d\nfuse = %s\nshare = %s\n"
              "ncpus = %d\nprefetch = %s\ntransfer_weight = %.17g\n",
              c->policy, c->priorities ? "on" : "off", c->grain, c->fuse ? "on" : "off",
              c->share ? "on" : "off", c->ncpus, c->prefetch ? "on" : "off", c->transfer_weight);
  return n < 0 ? CF_FAIL(CF_EIO, "writing the configuration failed") : CF_OK;
}

cf_status cf_sched_config_save(const cf_sched_config *c, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return CF_FAIL(CF_EIO, "cannot write configuration '%s': %s", path, strerror(errno));
  fprintf(f, "# cipherflow execution configuration\n");
  cf_status st = cf_sched_config_write(c, f);
  if (fclose(f) != 0 && st == CF_OK) st = CF_FAIL(CF_EIO, "closing '%s' failed", path);
  return st;
}
