#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/traces/gen_ckks.h"

typedef struct gen {
  cf_trace *t;
  const gen_opts *o;
  gen_stats *st;
  uint64_t rng;
  uint64_t *worker_free;
  uint64_t *task_end; /* by task id */
  size_t ntask, cap;
  uint64_t ram, ram_cap, key_bytes;
  int keys_in_ram; /* a FIFO of resident keys, by count */
} gen;

static uint64_t next_rand(gen *g) {
  g->rng ^= g->rng << 13;
  g->rng ^= g->rng >> 7;
  g->rng ^= g->rng << 17;
  return g->rng;
}

/* base_us with +-20 % jitter, in ns. */
static uint64_t jitter(gen *g, double base_us) {
  double f = 0.8 + 0.4 * (double)(next_rand(g) % 10000) / 10000.0;
  return (uint64_t)(base_us * f * 1000.0);
}

/* Places one task on the worker that frees first, after its inputs. */
static cf_status task(gen *g, const char *kernel, const char *op, int64_t node, int lb, int le,
                      int level, const uint64_t *deps, uint32_t nd, uint64_t ready_extra,
                      double cost_us, uint64_t *id_out) {
  uint64_t ready = ready_extra;
  for (uint32_t i = 0; i < nd; i++)
    if (g->task_end[deps[i]] > ready) ready = g->task_end[deps[i]];
  int best = 0;
  for (int w = 1; w < g->o->workers; w++)
    if (g->worker_free[w] < g->worker_free[best]) best = w;
  uint64_t start = (ready > g->worker_free[best] ? ready : g->worker_free[best]) + 1500;
  uint64_t end = start + jitter(g, cost_us);
  if (g->ntask == g->cap) {
    g->cap *= 2;
    uint64_t *p = realloc(g->task_end, g->cap * sizeof *p);
    if (!p) return CF_ENOMEM;
    g->task_end = p;
  }
  uint64_t id = g->ntask++;
  g->task_end[id] = end;
  g->worker_free[best] = end;
  cf_trace_task k = {.id = id,
                     .worker = best,
                     .start_ns = start,
                     .end_ns = end,
                     .kernel = kernel,
                     .op = op,
                     .node = node,
                     .limb_begin = lb,
                     .limb_end = le,
                     .level = level,
                     .deps = g->o->deps ? deps : NULL,
                     .ndeps = g->o->deps ? nd : 0};
  cf_status s = cf_trace_record_task(g->t, &k);
  if (s != CF_OK) return s;
  g->st->tasks++;
  if (g->o->sched) {
    s = cf_trace_record_sched(g->t, start > 1000 ? start - 1000 : start, id, best,
                              "earliest free worker");
    if (s != CF_OK) return s;
    g->st->scheds++;
  }
  *id_out = id;
  return CF_OK;
}

/* Evaluation key copied from disk before key switching; evicts older keys. */
static cf_status load_key(gen *g, uint64_t at, uint64_t *ready) {
  uint64_t dur = g->key_bytes / 2; /* 2 GB/s */
  cf_status s = cf_trace_record_transfer(g->t, 1, 0, g->key_bytes, at, at + dur);
  if (s != CF_OK) return s;
  g->st->transfers++;
  *ready = at + dur;
  while (g->ram + g->key_bytes > g->ram_cap && g->keys_in_ram > 0) {
    g->ram -= g->key_bytes;
    g->keys_in_ram--;
    s = cf_trace_record_eviction(g->t, 0, -1, g->key_bytes, at + dur);
    if (s != CF_OK) return s;
    g->st->evictions++;
  }
  g->ram += g->key_bytes;
  g->keys_in_ram++;
  s = cf_trace_record_memory(g->t, 0, at + dur, g->ram);
  if (s == CF_OK) g->st->samples++;
  return s;
}

static uint64_t max_end(gen *g) {
  uint64_t m = 0;
  for (int w = 0; w < g->o->workers; w++)
    if (g->worker_free[w] > m) m = g->worker_free[w];
  return m;
}

cf_status gen_ckks_trace(cf_trace *t, const gen_opts *o, gen_stats *stats) {
  if (!t || !o || !stats || o->workers < 1 || o->workers > 16 || o->limbs < 2 || o->limbs > 64)
    return CF_EINVAL;
  memset(stats, 0, sizeof *stats);
  gen g = {.t = t, .o = o, .st = stats, .rng = o->seed * 2654435761u + 1, .cap = 256};
  g.worker_free = calloc((size_t)o->workers, sizeof *g.worker_free);
  g.task_end = malloc(g.cap * sizeof *g.task_end);
  int L = o->limbs, dnum = 2;
  uint64_t *cur = malloc((size_t)L * sizeof *cur); /* last task per limb */
  uint64_t *tmp = malloc((size_t)(L + 4) * 4 * sizeof *tmp);
  uint64_t *ntt = malloc((size_t)L * dnum * sizeof *ntt);
  if (!g.worker_free || !g.task_end || !cur || !tmp || !ntt) {
    free(g.worker_free);
    free(g.task_end);
    free(cur);
    free(tmp);
    free(ntt);
    return CF_ENOMEM;
  }
  const uint64_t base = 1000000000000ull; /* like a monotonic clock after some uptime */
  for (int w = 0; w < o->workers; w++)
    g.worker_free[w] = base;
  g.key_bytes = (uint64_t)L * dnum * 2 * 16384 * 8;
  g.ram_cap = 2 * g.key_bytes + (uint64_t)L * 2 * 16384 * 8;
  g.ram = (uint64_t)L * 2 * 16384 * 8; /* the ciphertext */
  cf_status s = cf_trace_add_memnode(t, 0, "RAM");
  if (s == CF_OK) s = cf_trace_add_memnode(t, 1, "disk");
  char name[16];
  for (int w = 0; s == CF_OK && w < o->workers; w++) {
    snprintf(name, sizeof name, "cpu%d", w);
    s = cf_trace_add_worker(t, w, name, CF_TRACE_CPU, 0);
  }
  if (s == CF_OK) s = cf_trace_set_meta(t, "program", "resnet-block (synthetic)");
  if (s == CF_OK) s = cf_trace_set_meta(t, "params", "N=2^14, dnum=2");
  if (s == CF_OK) s = cf_trace_set_meta(t, "policy", "list-sim");
  if (s == CF_OK) s = cf_trace_set_meta(t, "grain", "limb");
  if (s == CF_OK) s = cf_trace_set_meta(t, "host", "generator");
  if (s == CF_OK) s = cf_trace_record_memory(t, 0, base, g.ram);
  if (s == CF_OK) s = cf_trace_record_memory(t, 1, base, 8 * g.key_bytes);
  if (s == CF_OK) stats->samples += 2;
  /* Encrypted input: one ADD-like load per limb. */
  for (int l = 0; s == CF_OK && l < L; l++)
    s = task(&g, "ADD", "input", 0, l, l + 1, L - 1, NULL, 0, base, 20, &cur[l]);
  static const char *const ops[] = {"mul_relin", "rescale", "rotate", "add", "rotate", "rescale"};
  for (int i = 0; s == CF_OK && i < o->ops; i++) {
    const char *op = ops[i % 6];
    int64_t node = i + 1;
    int level = L - 1;
    if (strcmp(op, "rescale") == 0) {
      for (int l = 0; s == CF_OK && l < L - 1; l++) {
        tmp[0] = cur[l];
        tmp[1] = cur[L - 1];
        s = task(&g, "RESCALE", op, node, l, l + 1, level - 1, tmp, 2, 0, 80, &cur[l]);
      }
      if (L > 3) L--;
      continue;
    }
    if (strcmp(op, "add") == 0) {
      for (int l = 0; s == CF_OK && l < L; l++)
        s = task(&g, "ADD", op, node, l, l + 1, level, &cur[l], 1, 0, 20, &cur[l]);
      continue;
    }
    /* Key switching: INTT per limb, MODUP per digit, NTT per limb and digit,
     * KS_INNER per limb (needs the key), MODDOWN per limb. */
    uint64_t key_ready = 0;
    s = load_key(&g, max_end(&g) > base + 200000 ? max_end(&g) - 200000 : base, &key_ready);
    uint64_t intt[64], modup[4];
    for (int l = 0; s == CF_OK && l < L; l++)
      s = task(&g, "INTT", op, node, l, l + 1, level, &cur[l], 1, 0, 120, &intt[l]);
    int per = (L + dnum - 1) / dnum;
    for (int d = 0; s == CF_OK && d < dnum; d++) {
      int lb = d * per, le = (d + 1) * per < L ? (d + 1) * per : L;
      s = task(&g, "MODUP", op, node, lb, le, level, &intt[lb], (uint32_t)(le - lb), 0, 300,
               &modup[d]);
    }
    for (int l = 0; s == CF_OK && l < L; l++)
      for (int d = 0; s == CF_OK && d < dnum; d++)
        s = task(&g, "NTT", op, node, l, l + 1, level, &modup[d], 1, 0, 120, &ntt[l * dnum + d]);
    for (int l = 0; s == CF_OK && l < L; l++) {
      uint64_t ks;
      s = task(&g, "KS_INNER", op, node, l, l + 1, level, &ntt[l * dnum], (uint32_t)dnum, key_ready,
               200, &ks);
      if (s == CF_OK) {
        tmp[0] = ks;
        tmp[1] = cur[l];
        s = task(&g, "MODDOWN", op, node, l, l + 1, level, tmp, 2, 0, 250, &cur[l]);
      }
    }
  }
  if (s == CF_OK) s = cf_trace_record_memory(t, 0, max_end(&g), g.ram);
  if (s == CF_OK) stats->samples++;
  free(g.worker_free);
  free(g.task_end);
  free(cur);
  free(tmp);
  free(ntt);
  return s;
}
