#include "scheduler/tune.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median of the lower middle for even n, so a median is always a sample. */
cf_status cf_tune_median(cf_tune_sample *s, int n, cf_tune_sample *out) {
  if (!s || !out || n < 1) return CF_FAIL(CF_EINVAL, "median of %d samples", n);
  uint64_t *u = malloc((size_t)n * 3 * sizeof *u);
  double *d = malloc((size_t)n * sizeof *d);
  if (!u || !d) {
    free(u), free(d);
    return CF_FAIL(CF_ENOMEM, "median of %d samples", n);
  }
  for (int i = 0; i < n; i++) {
    u[i] = s[i].makespan_ns, u[n + i] = s[i].idle_ns, u[2 * n + i] = s[i].bytes_moved;
    d[i] = s[i].utilization;
  }
  int m = (n - 1) / 2;
  for (int k = 0; k < 3; k++)
    qsort(u + (size_t)k * n, (size_t)n, sizeof *u, cmp_u64);
  qsort(d, (size_t)n, sizeof *d, cmp_dbl);
  out->makespan_ns = u[m], out->idle_ns = u[n + m], out->bytes_moved = u[2 * n + m];
  out->utilization = d[m];
  free(u), free(d);
  return CF_OK;
}

void cf_tune_rank(cf_tune_row *rows, size_t n) {
  /* insertion sort: stable, and tuning tables are small */
  for (size_t i = 1; i < n; i++) {
    cf_tune_row x = rows[i];
    size_t j = i;
    while (j > 0 && (rows[j - 1].median.makespan_ns > x.median.makespan_ns ||
                     (rows[j - 1].median.makespan_ns == x.median.makespan_ns &&
                      rows[j - 1].median.bytes_moved > x.median.bytes_moved))) {
      rows[j] = rows[j - 1];
      j--;
    }
    rows[j] = x;
  }
}

void cf_tune_print(const cf_tune_row *rows, size_t n, FILE *out) {
  fprintf(out, "%-4s %-20s %6s %5s %5s %12s %8s %12s %12s\n", "rank", "policy", "grain", "prio",
          "reps", "makespan", "util", "idle", "bytes");
  for (size_t i = 0; i < n; i++) {
    const cf_tune_row *r = &rows[i];
    char grain[16];
    if (r->config.grain)
      snprintf(grain, sizeof grain, "%d", r->config.grain);
    else
      snprintf(grain, sizeof grain, "all");
    fprintf(out, "%-4zu %-20s %6s %5s %5d %9.3f ms %7.1f%% %9.3f ms %12llu\n", i + 1,
            r->config.policy, grain, r->config.priorities ? "on" : "off", r->reps,
            (double)r->median.makespan_ns * 1e-6, 100.0 * r->median.utilization,
            (double)r->median.idle_ns * 1e-6, (unsigned long long)r->median.bytes_moved);
  }
}

cf_status cf_tune_split(const char *list, char items[][CF_SCHED_POLICY_MAX], size_t cap,
                        size_t *count) {
  if (!list || !items || !count) return CF_FAIL(CF_EINVAL, "split: NULL argument");
  *count = 0;
  const char *p = list;
  for (;;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == 0) return CF_FAIL(CF_EINVAL, "empty item in list '%s'", list);
    if (len >= CF_SCHED_POLICY_MAX)
      return CF_FAIL(CF_EINVAL, "item '%.*s' in '%s' is too long", (int)len, p, list);
    if (*count == cap) return CF_FAIL(CF_EINVAL, "list '%s' has more than %zu items", list, cap);
    memcpy(items[*count], p, len);
    items[*count][len] = 0;
    (*count)++;
    if (!e) break;
    p = e + 1;
  }
  return CF_OK;
}
