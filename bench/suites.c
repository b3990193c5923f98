#include <stddef.h>

#include "bench/bench.h"

cf_status cf_bench_ntt_run(cf_bench *b);    /* bench_ntt.c */
cf_status cf_bench_ckks_run(cf_bench *b);   /* bench_ckks.c */
cf_status cf_bench_starpu_run(cf_bench *b); /* bench_starpu.c */
cf_status cf_bench_run_trace(cf_bench *b);  /* bench_trace.c */
cf_status cf_bench_infer_run(cf_bench *b);  /* bench_infer.c */

cf_status cf_bench_runtime_run(cf_bench *b); /* bench_runtime.c */

/* Every suite, in the order `cipherflow bench` lists them. */
const cf_bench_suite cf_bench_suites[] = {
    {"ntt", "exact RNS kernels: NTT, basis conversion, rescale, ModDown", cf_bench_ntt_run},
    {"ckks", "CKKS primitives at n16-peer (compare: bench/compare-ckks)", cf_bench_ckks_run},
    {"starpu", "StarPU task overhead vs kernel time, grain, registration", cf_bench_starpu_run},
    {"trace", "trace recorder: cost per 1000 events, 1 and 2 threads", cf_bench_run_trace},
    {"infer", "frontend: model to HE plan, plan and program simulators", cf_bench_infer_run},
    {"runtime", "HE programs on StarPU: overhead, 2-worker speedup, makespan vs bound",
     cf_bench_runtime_run},
    {NULL, NULL, NULL},
};
const int cf_bench_nsuites = (int)(sizeof cf_bench_suites / sizeof cf_bench_suites[0]) - 1;
