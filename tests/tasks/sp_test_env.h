/* Shared set-up of the StarPU tests: a private StarPU home under /tmp, quiet
 * output, two CPU workers, exit 77 when StarPU has no worker here. */
#ifndef CF_TESTS_TASKS_SP_TEST_ENV_H
#define CF_TESTS_TASKS_SP_TEST_ENV_H

#include <stdint.h>

#include "tasks/executor.h"

/* Creates the temporary model directory once; returns its path. */
const char *sp_test_dir(void);

/* Options for a test run with the given policy. */
cf_sp_options sp_test_options(const char *policy);

/* Starts StarPU; exits the process with 77 if StarPU finds no worker. */
void sp_test_start(const cf_sp_options *o);

/* Fresh random content for every non-temporary buffer; temporaries get
 * zeroed memory. Returns an array of nbuffers pointers. */
uint64_t **sp_test_host(const cf_dag *dag, uint32_t n, const uint64_t *primes, uint64_t seed);
uint64_t **sp_test_clone(const cf_dag *dag, uint32_t n, uint64_t **src);
void sp_test_free(const cf_dag *dag, uint64_t **h);

/* Fills buffer b of a plan with host (nlimbs x n words), through row
 * pointers into a copy laid out in reverse order: fill must follow the
 * pointers, not assume one block. */
cf_status sp_test_fill(cf_sp_plan *plan, const cf_dag *dag, uint32_t b, const uint64_t *host,
                       uint32_t n);

#endif
