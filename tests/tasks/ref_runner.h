/*
 * A small independent reference for every kernel kind, over primes of about
 * 40 bits congruent to 1 mod 2N: naive O(N^2) negacyclic NTT, pointwise
 * arithmetic, slot-permuting automorphism, and simplified limb-mixing forms
 * of basis extension, mod-down and rescale (same access pattern and the same
 * sensitivity to ordering as the real ones, not their CKKS semantics). It
 * stands in for kernels/ckks in executor tests: both executors run the same
 * runner, so any difference comes from ordering or data movement.
 */
#ifndef CF_TESTS_TASKS_REF_RUNNER_H
#define CF_TESTS_TASKS_REF_RUNNER_H

#include "tasks/runner.h"

#define REF_MAX_PRIMES 64

typedef struct ref_ctx {
  uint32_t n;
  uint32_t nprimes;
  uint64_t q[REF_MAX_PRIMES];
  uint64_t psi[REF_MAX_PRIMES]; /* primitive 2n-th roots */
} ref_ctx;

/* Finds nprimes primes for ring degree n (a power of two <= 1024). */
void ref_ctx_init(ref_ctx *c, uint32_t n, uint32_t nprimes);
cf_kernel_runner ref_runner(ref_ctx *c);

#endif
