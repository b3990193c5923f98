/*
 * HE programs: typed homomorphic operations on CKKS ciphertexts.
 *
 * A program is built for a chain description (ring degree, slots, the RNS
 * primes, dnum, default scale). Values are ciphertexts typed with level,
 * scale and slot count, plaintexts (data inline, generated from a seed, or
 * supplied by name at execution) and real constants. Scales are tracked
 * exactly as 2^k times a product of powers of the chain's q primes.
 *
 * With CF_MANAGE_AUTO the builder inserts relinearization, rescaling,
 * level drops and exact scale adjustments itself: users write mul and add.
 * With CF_MANAGE_NONE every operation must already be well typed. Misuse is
 * reported when the node is built, naming the node and the reason.
 */
#ifndef CIPHERFLOW_PROGRAM_H
#define CIPHERFLOW_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CF_CHAIN_MAX_Q 64
#define CF_CHAIN_MAX_P 16

/* What graph/ needs to know of the parameters. */
typedef struct cf_chain {
  uint32_t log_n; /* ring degree N = 2^log_n */
  uint32_t slots; /* at most N/2 */
  uint32_t nq;    /* q_0..q_{nq-1}: levels 0..nq-1 */
  uint32_t np;    /* special primes for key switching */
  uint64_t q[CF_CHAIN_MAX_Q];
  uint64_t p[CF_CHAIN_MAX_P];
  uint32_t dnum;  /* key-switching digits */
  int scale_log2; /* default scale 2^scale_log2 */
} cf_chain;

/* Fills an (insecure, for tests) chain with primes = 1 mod 2N of the given
 * sizes: q_0 of first_bits, the other q of q_bits, at least np special of
 * p_bits: more are added until P has as many bits as the largest
 * key-switching digit (ceil(nq / dnum) consecutive q primes). */
cf_status cf_chain_generate(cf_chain *c, unsigned log_n, unsigned nq, unsigned first_bits,
                            unsigned q_bits, unsigned np, unsigned p_bits, unsigned dnum,
                            int scale_log2);
/* Checks sizes, that every prime is distinct and = 1 mod 2N, and that P
 * has at least as many bits as the largest key-switching digit. */
cf_status cf_chain_check(const cf_chain *c);

typedef struct cf_program cf_program;
typedef int32_t cf_value; /* node index; also the value it defines */

enum { CF_MANAGE_NONE = 0, CF_MANAGE_AUTO = 1 };
typedef enum cf_poly_basis { CF_BASIS_POWER = 0, CF_BASIS_CHEBYSHEV = 1 } cf_poly_basis;

cf_status cf_program_create(const cf_chain *chain, int manage, cf_program **out);
void cf_program_destroy(cf_program *p);
const cf_chain *cf_program_chain(const cf_program *p);
size_t cf_program_nnodes(const cf_program *p);

/* Inputs and data. scale_log2 == 0 means the chain's default scale. */
cf_status cf_prog_input(cf_program *p, const char *name, int level, int scale_log2, uint32_t slots,
                        cf_value *out);
/* data == NULL: the plaintext is supplied by name at execution. */
cf_status cf_prog_plaintext(cf_program *p, const char *name, const double *data, uint32_t slots,
                            cf_value *out);
/* Uniform values in [-1, 1) from a seed: reproducible weights. */
cf_status cf_prog_plaintext_random(cf_program *p, const char *name, uint32_t slots, uint64_t seed,
                                   cf_value *out);
cf_status cf_prog_const(cf_program *p, double value, cf_value *out);

/* Arithmetic. a is a ciphertext (for add and mul either operand may be). */
cf_status cf_prog_add(cf_program *p, cf_value a, cf_value b, cf_value *out);
cf_status cf_prog_sub(cf_program *p, cf_value a, cf_value b, cf_value *out);
cf_status cf_prog_negate(cf_program *p, cf_value a, cf_value *out);
cf_status cf_prog_mul(cf_program *p, cf_value a, cf_value b, cf_value *out);
cf_status cf_prog_relinearize(cf_program *p, cf_value a, cf_value *out);
cf_status cf_prog_rescale(cf_program *p, cf_value a, cf_value *out);
cf_status cf_prog_level_drop(cf_program *p, cf_value a, int level, cf_value *out);
/* Slot i of the result is slot (i + k) mod slots of a. */
cf_status cf_prog_rotate(cf_program *p, cf_value a, int k, cf_value *out);
cf_status cf_prog_conjugate(cf_program *p, cf_value a, cf_value *out);
/* sum_i rotate(x, rots[i]) * pts[i], all rotations sharing one ModUp. */
cf_status cf_prog_linear(cf_program *p, cf_value x, size_t nterms, const int *rots,
                         const cf_value *pts, cf_value *out);
/* sum_i coeffs[i] B_i(x): B_i = x^i (power) or T_i((2x - a - b) / (b - a)). */
cf_status cf_prog_poly(cf_program *p, cf_value x, cf_poly_basis basis, double a, double b,
                       size_t ncoeffs, const double *coeffs, cf_value *out);
/* Refreshes x to the given level at the default scale. */
cf_status cf_prog_bootstrap(cf_program *p, cf_value x, int level, cf_value *out);
cf_status cf_prog_output(cf_program *p, const char *name, cf_value v);

/* Type of a value: kind 0 ciphertext, 1 plaintext, 2 constant. */
typedef struct cf_value_info {
  int kind;
  int level;
  double scale; /* numeric value of the exact scale */
  uint32_t slots;
  int polys; /* 2, or 3 before relinearization */
} cf_value_info;
cf_status cf_program_value_info(const cf_program *p, cf_value v, cf_value_info *info);

/* Text form (see docs/program-text.md). */
cf_status cf_program_print(const cf_program *p, char **text); /* caller frees */
cf_status cf_program_parse(const char *text, size_t len, cf_program **out);
cf_status cf_program_load(const char *path, cf_program **out);
cf_status cf_program_dot(const cf_program *p, char **text);

/* Passes. Each returns a new program; the input is unchanged. */
cf_status cf_pass_manage_scale(const cf_program *in, cf_program **out);
cf_status cf_pass_expand_poly(const cf_program *in, cf_program **out);
cf_status cf_pass_cse(const cf_program *in, cf_program **out);
cf_status cf_pass_dce(const cf_program *in, cf_program **out);
cf_status cf_pass_hoist_rotations(const cf_program *in, cf_program **out);
/* Baby-step giant-step form of linear nodes with many terms: inner linear
 * nodes over baby rotations (sharing one decomposition) with pre-rotated
 * plaintexts, then giant-step rotations. Needs far fewer rotation keys. */
cf_status cf_pass_bsgs(const cf_program *in, cf_program **out);

/* Analyses. */
/* Galois elements of the rotation keys the program needs, sorted; *relin
 * says whether it needs the relinearization key. Caller frees *galois. */
cf_status cf_program_rotation_keys(const cf_program *p, uint64_t **galois, size_t *n, int *relin);
/* Multiplicative depth (multiplications on the longest path) and levels
 * consumed (rescales on the longest path). */
cf_status cf_program_depth(const cf_program *p, int *mult_depth, int *levels);

/* Executors: one interface for the simulator, the CKKS evaluator and the
 * task-graph runtime. Plaintexts supplied at execution are set like inputs. */
typedef struct cf_executor cf_executor;
cf_status cf_executor_create_sim(cf_executor **out);
cf_status cf_executor_prepare(cf_executor *ex, const cf_program *p);
cf_status cf_executor_set_input(cf_executor *ex, const char *name, const double *re,
                                const double *im, size_t n);
cf_status cf_executor_run(cf_executor *ex);
cf_status cf_executor_get_output(cf_executor *ex, const char *name, double *re, double *im,
                                 size_t n);
void cf_executor_destroy(cf_executor *ex);

#ifdef __cplusplus
}
#endif
#endif
