/*
 * The step functions of the CKKS evaluator: the contract between the
 * evaluator, graph/ lowering and the task executors.
 *
 * Every evaluator operation (eval.c, keyswitch.c) is exactly a sequence of
 * calls to the functions below. Each call writes only the rows it is given
 * and computes every output row from its inputs alone, so the graph layer
 * may split any call into tasks over sub-ranges of rows (any split, any
 * order among the pieces of one call) and get bit-identical results.
 *
 * Rows and prime indices. A buffer is rows of N words; the prime index of a
 * row refers to the context's prime list (0..L = q_0..q_L, L+1..L+K =
 * p_0..p_{K-1}, as in graph/dag.h). Limb-local steps take pointers to the
 * first row of their range and `primes`, the prime index of each of the
 * `count` rows, so they work on any layout. The layouts the evaluator uses:
 *
 *   Q_l       rows 0..l, row i mod q_i (ciphertext/plaintext polynomials).
 *   Q_l u P   rows 0..l for q_0..q_l, then rows l+1..l+K for p_0..p_{K-1}
 *             (key-switching accumulators).
 *   key       rows 0..L for q_0..q_L, then L+1..L+K for P: always the full
 *             basis; at level l rows 0..l and L+1..L+K are used. Digit j's
 *             key polynomials b_j, a_j are at offset j * (L+1+K) rows.
 *   ext(l,j)  the ModUp output of digit j at level l: the Q_l primes outside
 *             the digit ascending, then p_0..p_{K-1};
 *             cf_ckks_digit_info gives the count and prime indices.
 *
 * Digit j at level l covers q_first..q_{first+count-1}, first = j*alpha,
 * alpha = ceil((L+1)/dnum); digits at level l: ceil((l+1)/alpha).
 *
 * Mapping from graph/dag.h kinds:
 *   CF_KERNEL_NTT / INTT   cf_ckks_step_ntt / cf_ckks_step_intt
 *   CF_KERNEL_ADD/SUB/NEG/MUL/MUL_ACC/COPY   the same-named steps
 *   CF_KERNEL_MUL_CONST    cf_ckks_step_mul_const (constant = residue per prime index)
 *   CF_KERNEL_AUTOMORPH    cf_ckks_step_automorph (NTT form; table from
 *                          cf_automorph_table_init(N, galois))
 *   CF_KERNEL_KS_INNER     cf_ckks_step_ks_inner
 *   CF_KERNEL_MODUP        cf_ckks_step_modup
 *   CF_KERNEL_MODDOWN      cf_ckks_step_moddown
 *   CF_KERNEL_RESCALE      cf_ckks_step_rescale
 * Every step here is a pure function of its arguments (no globals, no
 * threads, no allocation).
 */
#ifndef CF_KERNELS_CKKS_STEPS_H
#define CF_KERNELS_CKKS_STEPS_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/ckks.h"
#include "kernels/cpu/automorph.h"

/* ---- the buffers executors read and write ---- */

/* Polynomial i (0..size-1) of a ciphertext: level+1 rows, evaluation form. */
uint64_t *cf_ckks_ciphertext_poly(cf_ckks_ciphertext *ct, int i);
/* The plaintext's level+1 rows, evaluation form. */
const uint64_t *cf_ckks_plaintext_poly(const cf_ckks_plaintext *pt);
/* Key-switching key polynomials of digit j: which = 0 for b_j, 1 for a_j;
 * L+1+K rows each in the key layout. NULL if out of range / not found. */
const uint64_t *cf_ckks_relin_key_poly(const cf_ckks_context *ctx, const cf_ckks_relin_key *k,
                                       int digit, int which);
const uint64_t *cf_ckks_galois_key_poly(const cf_ckks_context *ctx, const cf_ckks_galois_key *k,
                                        uint64_t galois, int digit, int which);
/* The automorphism table a Galois key owns for its element (NULL if absent). */
const cf_automorph_table *cf_ckks_galois_key_table(const cf_ckks_galois_key *k, uint64_t galois);
/* Galois element of a left rotation by step (5^step mod 2N) and of conjugation (2N-1). */
uint64_t cf_ckks_galois_element(const cf_ckks_context *ctx, int step);
uint64_t cf_ckks_conjugation_element(const cf_ckks_context *ctx);

/* ---- limb-local: row t of every argument has prime index primes[t] ---- */

/* rows: coefficient -> evaluation form, in place. */
void cf_ckks_step_ntt(const cf_ckks_context *ctx, uint64_t *rows, const uint16_t *primes,
                      size_t count);
/* rows: evaluation -> coefficient form, in place. */
void cf_ckks_step_intt(const cf_ckks_context *ctx, uint64_t *rows, const uint16_t *primes,
                       size_t count);
/* out = a + b, a - b, -a, a .* b, out += a .* b, out = a (out may equal a or b
 * except for mul_acc, where out must not alias a or b). */
void cf_ckks_step_add(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, const uint16_t *primes, size_t count);
void cf_ckks_step_sub(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, const uint16_t *primes, size_t count);
void cf_ckks_step_neg(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint16_t *primes, size_t count);
void cf_ckks_step_mul(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                      const uint64_t *b, const uint16_t *primes, size_t count);
void cf_ckks_step_mul_acc(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                          const uint64_t *b, const uint16_t *primes, size_t count);
void cf_ckks_step_copy(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a, size_t count);
/* out = a * c[primes[t]] on row t: c holds one residue per prime index
 * (the DAG's constant table entry). */
void cf_ckks_step_mul_const(const cf_ckks_context *ctx, uint64_t *out, const uint64_t *a,
                            const uint64_t *c, const uint16_t *primes, size_t count);
/* out = a(X^galois) in evaluation form (a permutation; the same for every
 * prime). out must not alias a. */
void cf_ckks_step_automorph(const cf_ckks_context *ctx, const cf_automorph_table *t, uint64_t *out,
                            const uint64_t *a, size_t count);
/* acc0 += digit .* key0, acc1 += digit .* key1 (evaluation form). */
void cf_ckks_step_ks_inner(const cf_ckks_context *ctx, uint64_t *acc0, uint64_t *acc1,
                           const uint64_t *digit, const uint64_t *key0, const uint64_t *key1,
                           const uint16_t *primes, size_t count);

/* ---- where limbs meet ---- */

/* Digit j at level l: its first Q prime and count, and the extension layout. */
cf_status cf_ckks_digit_info(const cf_ckks_context *ctx, int level, int digit, int *first,
                             int *count, size_t *next, const uint16_t **ext_primes);
int cf_ckks_ndigits(const cf_ckks_context *ctx, int level);

/*
 * ModUp of digit j at level l: in = the digit's `count` rows (q_first..)
 * in coefficient form; writes extension rows [row_begin, row_end) of ext
 * (ext points at extension row 0; layout ext(l,j)) in coefficient form:
 * fast basis conversion, [D + u*Q_j] with 0 <= u < count.
 */
void cf_ckks_step_modup(const cf_ckks_context *ctx, int level, int digit, uint64_t *ext,
                        const uint64_t *in, size_t row_begin, size_t row_end);

/*
 * ModDown at level l, rows [row_begin, row_end) of q (Q_l layout,
 * evaluation form, q points at row 0): q_i = (q_i - NTT(conv_{P->q_i}(p))) *
 * P^-1 mod q_i, with p = the K special-prime rows in coefficient form.
 * w is scratch in Q_l layout (l+1 rows); only rows [row_begin, row_end)
 * are written.
 */
void cf_ckks_step_moddown(const cf_ckks_context *ctx, int level, uint64_t *q, const uint64_t *p,
                          uint64_t *w, size_t row_begin, size_t row_end);

/*
 * Rescale from level l to l-1, rows [row_begin, row_end) of out from those
 * of in (rows 0..l-1, evaluation form; out may be in): out_i = (in_i -
 * NTT([x_l + h]_{q_l} - h mod q_i)) * q_l^-1, with top = row l in
 * coefficient form and h = floor(q_l / 2): exact rounding division by q_l.
 * w is scratch in Q_{l-1} layout.
 */
void cf_ckks_step_rescale(const cf_ckks_context *ctx, int level, uint64_t *out, const uint64_t *in,
                          const uint64_t *top, uint64_t *w, size_t row_begin, size_t row_end);

#endif
