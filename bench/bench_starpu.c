/*
 * Suite "starpu": what a task costs the runtime, against what a kernel
 * costs, to choose the task grain (docs/starpu.md).
 *   overhead_{0,1,3}h   per empty task with 0, 1 or 3 handles (R, R, RW),
 *                       per policy, ns per task over a stream of tasks
 *   ntt_limb            one-limb NTT called directly, N = 2^14 and 2^16
 *   task_overhead_over_ntt_limb  empty 1- and 3-handle task time / one-limb NTT
 *   ntt_grain           NTT of a 2-polynomial ciphertext as StarPU tasks of
 *                       g limbs each (2 workers), and the ratio of its time
 *                       to the direct calls on one core
 *   register_*          registering one buffer of L limbs as L segments,
 *                       separate handles vs one partitioned handle
 *   profiling_ratio     empty 1-handle tasks with profiling (trace hook) on / off
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <starpu.h>

#include "base/error.h"
#include "bench/bench.h"
#include "kernels/ckks/steps.h"
#include "memory/handles.h"
#include "tasks/executor.h"

static void empty_cpu(void *buffers[], void *arg) { (void)buffers, (void)arg; }

static struct starpu_codelet empty_cl = {
    .cpu_funcs = {empty_cpu}, .nbuffers = STARPU_VARIABLE_NBUFFERS, .name = "bench_empty"};

enum { POOL = 64 };

static cf_status start(const char *policy) {
  cf_sp_options o;
  cf_sp_options_default(&o);
  snprintf(o.sched.policy, sizeof o.sched.policy, "%s", policy);
  o.sched.ncpus = 2;
  setenv("STARPU_SILENT", "1", 0);
  return cf_sp_start(&o);
}

/* ns per task for ntasks empty tasks with nh handles. */
static uint64_t empty_stream(starpu_data_handle_t *pool, int nh, int ntasks) {
  uint64_t t0 = cf_bench_now_ns();
  for (int i = 0; i < ntasks; i++) {
    struct starpu_task *t = starpu_task_create();
    t->cl = &empty_cl;
    t->nbuffers = nh;
    if (nh == 1) {
      t->handles[0] = pool[i % POOL], t->modes[0] = STARPU_RW;
    } else if (nh == 3) {
      t->handles[0] = pool[(i + 1) % POOL], t->modes[0] = STARPU_R;
      t->handles[1] = pool[(i + 2) % POOL], t->modes[1] = STARPU_R;
      t->handles[2] = pool[i % POOL], t->modes[2] = STARPU_RW;
    }
    if (starpu_task_submit(t) != 0) return 0;
  }
  starpu_task_wait_for_all();
  return (cf_bench_now_ns() - t0) / (uint64_t)ntasks;
}

static void make_pool(starpu_data_handle_t *pool, uint64_t *mem) {
  for (int i = 0; i < POOL; i++)
    starpu_vector_data_register(&pool[i], STARPU_MAIN_RAM, (uintptr_t)&mem[i * 8], 8,
                                sizeof(uint64_t));
}

static void drop_pool(starpu_data_handle_t *pool) {
  for (int i = 0; i < POOL; i++)
    starpu_data_unregister(pool[i]);
}

static cf_status overheads(cf_bench *b) {
  static const char *const policies[] = {"eager", "lws", "dmdas", "cf-affinity"};
  int reps = cf_bench_reps(b, 5), ntasks = cf_bench_quick(b) ? 2000 : 20000;
  uint64_t mem[POOL * 8] = {0};
  for (size_t p = 0; p < sizeof policies / sizeof *policies; p++) {
    CF_TRY(start(policies[p]));
    starpu_data_handle_t pool[POOL];
    make_pool(pool, mem);
    static const int nhs[] = {0, 1, 3};
    for (int h = 0; h < 3; h++) {
      uint64_t s[64];
      for (int r = 0; r < reps && r < 64; r++)
        s[r] = empty_stream(pool, nhs[h], ntasks);
      char name[32], params[128];
      snprintf(name, sizeof name, "overhead_%dh", nhs[h]);
      snprintf(params, sizeof params, "{\"policy\":\"%s\",\"tasks\":%d,\"workers\":2}", policies[p],
               ntasks);
      cf_bench_report_samples(b, name, params, s, reps < 64 ? reps : 64);
    }
    if (!strcmp(policies[p], "eager")) {
      uint64_t off[64], on[64];
      for (int r = 0; r < reps && r < 64; r++) {
        off[r] = empty_stream(pool, 1, ntasks);
        starpu_profiling_status_set(STARPU_PROFILING_ENABLE);
        on[r] = empty_stream(pool, 1, ntasks);
        starpu_profiling_status_set(STARPU_PROFILING_DISABLE);
      }
      int n = reps < 64 ? reps : 64;
      double ratio = (double)cf_bench_median(on, n) / (double)cf_bench_median(off, n);
      cf_bench_report_ratio(b, "profiling_ratio", "{\"policy\":\"eager\",\"handles\":1}", ratio);
    }
    drop_pool(pool);
    cf_sp_stop();
  }
  return CF_OK;
}

/* ---- real kernel: NTT by limb groups ---- */

typedef struct ntt_arg {
  const cf_ckks_context *ctx;
  uint16_t primes[64];
  uint32_t count;
  uint32_t n;
} ntt_arg;

static void ntt_cpu(void *buffers[], void *arg) {
  ntt_arg *a = arg;
  cf_ckks_step_ntt(a->ctx, (uint64_t *)STARPU_VECTOR_GET_PTR(buffers[0]), a->primes, a->count);
}

static struct starpu_codelet ntt_cl = {
    .cpu_funcs = {ntt_cpu}, .nbuffers = 1, .modes = {STARPU_RW}, .name = "bench_ntt"};

static cf_status ntt_grains(cf_bench *b, const char *preset) {
  cf_ckks_params *p;
  cf_ckks_context *ctx;
  CF_TRY(cf_ckks_params_preset(preset, true, &p));
  cf_status st = cf_ckks_context_create(p, &ctx);
  if (st != CF_OK) {
    cf_ckks_params_destroy(p);
    return st;
  }
  uint32_t n = (uint32_t)cf_ckks_params_n(p), L = (uint32_t)cf_ckks_params_nq(p);
  int reps = cf_bench_reps(b, 5);
  if (reps > 32) reps = 32;
  size_t words = (size_t)2 * L * n;
  uint64_t *data = malloc(words * sizeof *data);
  if (!data) st = CF_FAIL(CF_ENOMEM, "bench: %zu words", words);
  for (size_t i = 0; st == CF_OK && i < words; i++)
    data[i] = (i * 0x9e3779b97f4a7c15u) % cf_ckks_params_prime(p, (int)((i / n) % L));
  char params[160];
  uint64_t s[32], direct = 0;
  if (st == CF_OK) {
    /* direct: every limb of both polynomials, one call per limb, one core */
    for (int r = 0; r < reps; r++) {
      uint64_t t0 = cf_bench_now_ns();
      for (uint32_t l = 0; l < 2 * L; l++) {
        uint16_t pr = (uint16_t)(l % L);
        cf_ckks_step_ntt(ctx, data + (size_t)l * n, &pr, 1);
      }
      s[r] = (cf_bench_now_ns() - t0) / (2 * L);
    }
    snprintf(params, sizeof params, "{\"preset\":\"%s\",\"N\":%u}", preset, n);
    cf_bench_report_samples(b, "ntt_limb", params, s, reps);
    uint64_t limb = cf_bench_median(s, reps);
    direct = limb * 2 * L;
    st = start("cf-affinity");
    if (st == CF_OK) {
      /* Runtime cost of a task relative to this kernel, same session. */
      uint64_t mem[POOL * 8] = {0};
      starpu_data_handle_t pool[POOL];
      make_pool(pool, mem);
      for (int nh = 1; nh <= 3; nh += 2) {
        uint64_t o[32];
        for (int r = 0; r < reps; r++)
          o[r] = empty_stream(pool, nh, cf_bench_quick(b) ? 2000 : 10000);
        snprintf(params, sizeof params,
                 "{\"preset\":\"%s\",\"N\":%u,\"handles\":%d,\"policy\":\"cf-affinity\"}", preset,
                 n, nh);
        cf_bench_report_ratio(b, "task_overhead_over_ntt_limb", params,
                              (double)cf_bench_median(o, reps) / (double)limb);
      }
      drop_pool(pool);
    }
  }
  uint32_t grains[] = {1, 2, 4, 8, L};
  for (size_t gi = 0; st == CF_OK && gi < sizeof grains / sizeof *grains; gi++) {
    uint32_t g = grains[gi];
    if (g > L || (gi && g == grains[gi - 1])) continue;
    uint32_t ng = (L + g - 1) / g, nh = 2 * ng;
    starpu_data_handle_t *h = malloc(nh * sizeof *h);
    ntt_arg *args = malloc(nh * sizeof *args);
    if (!h || !args) {
      free(h), free(args);
      st = CF_FAIL(CF_ENOMEM, "bench: handles");
      break;
    }
    for (uint32_t k = 0; k < nh; k++) {
      uint32_t poly = k / ng, first = (k % ng) * g, cnt = first + g <= L ? g : L - first;
      args[k] = (ntt_arg){.ctx = ctx, .count = cnt, .n = n};
      for (uint32_t i = 0; i < cnt; i++)
        args[k].primes[i] = (uint16_t)(first + i);
      starpu_vector_data_register(&h[k], STARPU_MAIN_RAM,
                                  (uintptr_t)(data + ((size_t)poly * L + first) * n), cnt * n,
                                  sizeof(uint64_t));
    }
    for (int r = 0; r < reps; r++) {
      uint64_t t0 = cf_bench_now_ns();
      for (uint32_t k = 0; k < nh; k++)
        starpu_task_insert(&ntt_cl, STARPU_RW, h[k], STARPU_CL_ARGS_NFREE, &args[k], sizeof args[k],
                           0);
      starpu_task_wait_for_all();
      s[r] = cf_bench_now_ns() - t0;
    }
    snprintf(params, sizeof params,
             "{\"preset\":\"%s\",\"N\":%u,\"limbs\":%u,\"grain\":%u,\"tasks\":%u,\"workers\":2}",
             preset, n, 2 * L, g, nh);
    cf_bench_report_samples(b, "ntt_grain", params, s, reps);
    char rname[48];
    snprintf(rname, sizeof rname, "ntt_grain_vs_direct");
    cf_bench_report_ratio(b, rname, params, (double)cf_bench_median(s, reps) / (double)direct);
    for (uint32_t k = 0; k < nh; k++)
      starpu_data_unregister(h[k]);
    free(h), free(args);
  }
  if (cf_sp_running()) cf_sp_stop();
  free(data);
  cf_ckks_context_destroy(ctx);
  cf_ckks_params_destroy(p);
  return st;
}

/* ---- registration: separate handles vs a partitioned one ---- */

static cf_status registration(cf_bench *b) {
  CF_TRY(start("eager"));
  int reps = cf_bench_reps(b, 5);
  if (reps > 32) reps = 32;
  enum { L = 40, NB = 64, N = 1024 };
  uint64_t seg[32], fil[32];
  for (int r = 0; r < reps; r++) {
    starpu_data_handle_t h[L], parent, children[L];
    uint64_t t0 = cf_bench_now_ns();
    for (int k = 0; k < NB; k++) {
      for (int l = 0; l < L; l++)
        starpu_vector_data_register(&h[l], -1, 0, N, 8);
      for (int l = 0; l < L; l++)
        starpu_data_unregister_no_coherency(h[l]);
    }
    seg[r] = (cf_bench_now_ns() - t0) / NB;
    t0 = cf_bench_now_ns();
    uint32_t sizes[L];
    for (int l = 0; l < L; l++)
      sizes[l] = N;
    for (int k = 0; k < NB; k++) {
      starpu_vector_data_register(&parent, -1, 0, (uint32_t)L * N, 8);
      struct starpu_data_filter f = {
          .filter_func = starpu_vector_filter_list, .nchildren = L, .filter_arg_ptr = sizes};
      starpu_data_partition_plan(parent, &f, children);
      starpu_data_partition_submit(parent, L, children);
      starpu_data_unpartition_submit(parent, L, children, -1);
      starpu_data_partition_clean(parent, L, children);
      starpu_data_unregister_no_coherency(parent);
    }
    starpu_task_wait_for_all();
    fil[r] = (cf_bench_now_ns() - t0) / NB;
  }
  const char *params = "{\"limbs\":40,\"N\":1024}";
  cf_bench_report_samples(b, "register_segments", params, seg, reps);
  cf_bench_report_samples(b, "register_filter", params, fil, reps);
  cf_sp_stop();
  return CF_OK;
}

cf_status cf_bench_starpu_run(cf_bench *b) {
  CF_TRY(overheads(b));
  CF_TRY(registration(b));
  CF_TRY(ntt_grains(b, "n14"));
  if (!cf_bench_quick(b)) CF_TRY(ntt_grains(b, "n16"));
  return CF_OK;
}
