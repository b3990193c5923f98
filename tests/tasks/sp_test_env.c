#include "tests/tasks/sp_test_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[256];

const char *sp_test_dir(void) {
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/cf-starpu-test-XXXXXX");
    if (!mkdtemp(dir)) {
      perror("mkdtemp");
      exit(1);
    }
    setenv("STARPU_SILENT", "1", 1);
    setenv("STARPU_HOME", dir, 1);
    setenv("STARPU_NCPU", "2", 1);
    unsetenv("STARPU_SCHED");
    /* hwloc's PCI plugin leaks a little per topology load and is unloaded
     * before LeakSanitizer reports (unsymbolizable); CPU-only tests need no
     * PCI topology. */
    setenv("HWLOC_PLUGINS_BLACKLIST", "hwloc_pci", 0);
  }
  return dir;
}

cf_sp_options sp_test_options(const char *policy) {
  cf_sp_options o;
  cf_sp_options_default(&o);
  snprintf(o.sched.policy, sizeof o.sched.policy, "%s", policy);
  o.sched.ncpus = 2;
  o.model_dir = sp_test_dir();
  return o;
}

void sp_test_start(const cf_sp_options *o) {
  cf_status st = cf_sp_start(o);
  if (st == CF_ENODEV) {
    fprintf(stderr, "skipping: %s\n", cf_last_error());
    exit(77);
  }
  if (st != CF_OK) {
    fprintf(stderr, "cf_sp_start(%s): %s\n", o->sched.policy, cf_last_error());
    exit(1);
  }
}

static uint64_t mix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

uint64_t **sp_test_host(const cf_dag *dag, uint32_t n, const uint64_t *primes, uint64_t seed) {
  size_t nb = cf_dag_nbuffers(dag);
  uint64_t **h = calloc(nb, sizeof *h);
  if (!h) abort();
  for (size_t b = 0; b < nb; b++) {
    const cf_dag_buffer *db = cf_dag_buffer_at(dag, b);
    h[b] = calloc((size_t)db->nlimbs * n, sizeof **h);
    if (!h[b]) abort();
    if (db->role == CF_BUFFER_TEMP) continue;
    for (uint32_t l = 0; l < db->nlimbs; l++)
      for (uint32_t i = 0; i < n; i++)
        h[b][(size_t)l * n + i] = mix(&seed) % primes[db->primes[l]];
  }
  return h;
}

uint64_t **sp_test_clone(const cf_dag *dag, uint32_t n, uint64_t **src) {
  size_t nb = cf_dag_nbuffers(dag);
  uint64_t **h = calloc(nb, sizeof *h);
  if (!h) abort();
  for (size_t b = 0; b < nb; b++) {
    size_t words = (size_t)cf_dag_buffer_at(dag, b)->nlimbs * n;
    h[b] = malloc(words * sizeof **h);
    if (!h[b]) abort();
    memcpy(h[b], src[b], words * sizeof **h);
  }
  return h;
}

void sp_test_free(const cf_dag *dag, uint64_t **h) {
  for (size_t b = 0; h && b < cf_dag_nbuffers(dag); b++)
    free(h[b]);
  free(h);
}

cf_status sp_test_fill(cf_sp_plan *plan, const cf_dag *dag, uint32_t b, const uint64_t *host,
                       uint32_t n) {
  uint32_t nl = cf_dag_buffer_at(dag, b)->nlimbs;
  const uint64_t **rows = malloc(nl * sizeof *rows);
  uint64_t *copy = malloc((size_t)nl * n * sizeof *copy);
  cf_status st = CF_ENOMEM;
  if (rows && copy) {
    for (uint32_t l = 0; l < nl; l++) {
      uint64_t *row = copy + (size_t)(nl - 1 - l) * n;
      memcpy(row, host + (size_t)l * n, n * sizeof *row);
      rows[l] = row;
    }
    st = cf_sp_plan_fill(plan, b, rows);
  }
  free(rows), free(copy);
  return st;
}
