/* Shared helpers of the graph tests: chains, random programs, simulation. */
#ifndef CF_TESTS_GRAPH_HELPERS_H
#define CF_TESTS_GRAPH_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "cipherflow/program.h"
#include "graph/ir.h"

/* Small chain: N = 2^10, 8 levels, dnum 3. */
void small_chain(cf_chain *c);
uint64_t test_seed(void); /* from CF_TEST_SEED or the clock, printed once */
uint64_t rnd(uint64_t *s);
double rnd_unit(uint64_t *s); /* [-1, 1) */

/* A random auto-managed program of about nops operations. */
cf_program *random_program(const cf_chain *c, uint64_t seed, int nops, bool with_poly);

/* Simulates both programs on the same random inputs and external
 * plaintexts; returns the largest output difference relative to the largest
 * output magnitude (or 1e300 if outputs do not match by name/size). */
double sim_compare(const cf_program *a, const cf_program *b, uint64_t seed);
/* Simulates one program; outputs concatenated in out (caller frees). */
double *simulate(const cf_program *p, uint64_t seed, size_t *n);

/* Chebyshev interpolant of f on [a, b] at n nodes (degree n - 1), and its
 * value at x by the trigonometric form T_k(t) = cos(k acos t): a reference
 * independent of the recurrences the expansion uses. */
void cheb_interp(double (*f)(double), double a, double b, int n, double *co);
double cheb_eval(const double *co, int n, double a, double b, double x);

/* p lowered at grain (0: whole polynomials), fused or not; aborts on failure. */
struct cf_dag;
struct cf_dag *lower_program(const cf_program *p, unsigned grain, bool fuse);

/* CKKS parameters (insecure allowed) whose primes are exactly the chain's. */
struct cf_ckks_params;
struct cf_ckks_params *params_for_chain(const cf_chain *c);

#endif
