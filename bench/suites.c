#include <stddef.h>

#include "bench/bench.h"

/* Every suite, in the order `cipherflow bench` lists them. */
const cf_bench_suite cf_bench_suites[] = {
    {NULL, NULL, NULL},
};
const int cf_bench_nsuites = (int)(sizeof cf_bench_suites / sizeof cf_bench_suites[0]) - 1;
