/*
 * Where RNS limbs meet: fast basis conversion, rescale, and ModDown.
 *
 * Conventions (as in poly.h): polynomials are limb-major with n coefficients
 * per limb, all in coefficient form unless a function says otherwise; data
 * pointers point at limb 0 of their basis and limb i is p + i*n. Every
 * function writes only the output limbs [limb_begin, limb_end) and computes
 * each output limb from the inputs alone, so any split of the output limbs
 * into tasks gives bit-identical results to one call over all of them.
 * Outputs may alias the same-numbered input limbs where stated.
 *
 * Exact formulas (integers X are CRT values of the input limbs, X in [0, A)):
 *
 * Basis conversion A = a_0..a_{k-1} -> B = b_0..b_{m-1} ("fast", approximate):
 *     y_i   = [x_i * (A/a_i)^-1]_{a_i}                       (i < k)
 *     out_j = [ sum_i y_i * [A/a_i]_{b_j} ]_{b_j}            (j < m)
 *   Since sum_i y_i * (A/a_i) = X + u*A for an integer 0 <= u <= k-1
 *   (each y_i/a_i < 1), out_j = [X + u*A]_{b_j}: exact up to that small
 *   multiple of A, and u is the same for every b_j.
 *
 * Rescale by the last prime of q_0..q_l (divide and round, exact):
 *     h     = floor(q_l / 2)
 *     v     = [x_l + h]_{q_l}
 *     out_i = [(x_i + h - v) * q_l^-1]_{q_i}                 (i < l)
 *   which is floor((X + h) / q_l) mod q_i = round(X / q_l) mod q_i. q_l is odd,
 *   so there are no ties. The same holds for centred (signed) X, because
 *   shifting X by the modulus q_0*...*q_l shifts the quotient by a multiple
 *   of q_0*...*q_{l-1}.
 *
 * ModDown from Q u P to Q (hybrid key switching), with P = p_0..p_{k-1}:
 *     w_i   = baseconv_{P->Q}(x_P)_i          (formula above, = [X_P + u*P]_{q_i})
 *     out_i = [(x_i - w_i) * P^-1]_{q_i}
 *   which is floor(X / P) - u mod q_i with 0 <= u <= k-1 (an approximate
 *   division whose error is absorbed in the key-switching noise).
 *
 * NTT form: all three final steps are linear per limb except the lift of the
 * single input residue, so for NTT-form data split them: inverse-NTT the last
 * limb (or the P limbs), compute w with cf_rescale_lift (or cf_baseconv) in
 * coefficient form, forward-NTT each w_i with q_i's table, then call
 * cf_rescale_finish / cf_moddown_finish. Results equal the NTT of the
 * coefficient-form results bit for bit.
 */
#ifndef CF_KERNELS_CPU_RNS_H
#define CF_KERNELS_CPU_RNS_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cpu/modarith.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most limbs in one basis of a conversion (bounds per-call stack scratch). */
#define CF_RNS_MAX_LIMBS 128

/* Fast basis conversion tables from basis A (na primes) to basis B (nb primes). */
typedef struct cf_baseconv_table {
  size_t na, nb;
  cf_modulus *a;         /* na moduli of A */
  cf_modulus *b;         /* nb moduli of B */
  uint64_t *ahat_inv;    /* [i] = (A/a_i)^-1 mod a_i */
  uint64_t *ahat_inv_sh; /* Shoup companions */
  uint64_t *ahat_mod_b;  /* [j*na + i] = (A/a_i) mod b_j */
  int acc_terms;         /* products that fit one 128-bit accumulator before reducing */
  /* Doubles of ahat_mod_b and ahat_mod_b / b_j for the AVX2 path; NULL unless
   * every modulus of A and B is below 2^CF_SIMD_MAX_BITS. */
  double *w_d, *w_dq;
  /* For the AVX-512 path, per target j: [2^52]_{b_j}, [2^104]_{b_j} and
   * floor(2^(63 + bits) / b_j) at [3j..3j+2]; NULL if some b_j is a power of two. */
  uint64_t *fold;
} cf_baseconv_table;

/*
 * Builds tables from the primes a[0..na) to b[0..nb). The a_i must be
 * pairwise coprime (distinct primes), all moduli < 2^61, 1 <= na, nb <=
 * CF_RNS_MAX_LIMBS. B may share primes with A (those outputs are still
 * computed by the formula). CF_EINVAL, CF_ENOMEM; on failure *t is empty.
 */
cf_status cf_baseconv_init(cf_baseconv_table *t, const uint64_t *a, size_t na, const uint64_t *b,
                           size_t nb);
void cf_baseconv_free(cf_baseconv_table *t);

/*
 * out limb j (= out + j*n) for limb_begin <= j < limb_end <= nb, from in
 * limbs 0..na-1 (in + i*n). out must not overlap in.
 */
void cf_baseconv(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                 size_t limb_begin, size_t limb_end);

/* Rescale tables for dropping the last prime of q_0..q_l. */
typedef struct cf_rescale_table {
  size_t l;            /* index of the dropped prime; outputs are limbs 0..l-1 */
  cf_modulus *q;       /* l+1 moduli */
  uint64_t half;       /* h = floor(q_l / 2) */
  uint64_t *half_mod;  /* [i] = h mod q_i */
  uint64_t *ql_inv;    /* [i] = q_l^-1 mod q_i */
  uint64_t *ql_inv_sh; /* Shoup companions */
} cf_rescale_table;

/* primes q[0..count), count >= 2 distinct primes < 2^61; drops q[count-1]. */
cf_status cf_rescale_init(cf_rescale_table *t, const uint64_t *q, size_t count);
void cf_rescale_free(cf_rescale_table *t);

/*
 * Coefficient form: out_i = round(X / q_l) mod q_i for limb_begin <= i <
 * limb_end <= l, from in limbs i and the last limb `last` (x_l). out may
 * equal in.
 */
void cf_rescale(const cf_rescale_table *t, uint64_t *out, const uint64_t *in, const uint64_t *last,
                size_t n, size_t limb_begin, size_t limb_end);

/* w_i = [ [x_l + h]_{q_l} - h ]_{q_i} in coefficient form, from `last` in coefficient form. */
void cf_rescale_lift(const cf_rescale_table *t, uint64_t *w, const uint64_t *last, size_t n,
                     size_t limb_begin, size_t limb_end);

/* out_i = [(x_i - w_i) * q_l^-1]_{q_i}; any form, as long as in and w share it. out may equal in.
 */
void cf_rescale_finish(const cf_rescale_table *t, uint64_t *out, const uint64_t *in,
                       const uint64_t *w, size_t n, size_t limb_begin, size_t limb_end);

/* ModDown tables from Q u P (nq + np primes) to Q. */
typedef struct cf_moddown_table {
  cf_baseconv_table conv; /* P -> Q */
  uint64_t *p_inv;        /* [i] = P^-1 mod q_i */
  uint64_t *p_inv_sh;
} cf_moddown_table;

cf_status cf_moddown_init(cf_moddown_table *t, const uint64_t *q, size_t nq, const uint64_t *p,
                          size_t np);
void cf_moddown_free(cf_moddown_table *t);

/*
 * Coefficient form: out_i = [(x_i - baseconv_{P->Q}(x_P)_i) * P^-1]_{q_i} for
 * limb_begin <= i < limb_end <= nq, from in_q limbs i and in_p's np limbs.
 * out may equal in_q.
 */
void cf_moddown(const cf_moddown_table *t, uint64_t *out, const uint64_t *in_q,
                const uint64_t *in_p, size_t n, size_t limb_begin, size_t limb_end);

/* out_i = [(x_i - w_i) * P^-1]_{q_i} with w = cf_baseconv(&t->conv, ...) in the form of in. */
void cf_moddown_finish(const cf_moddown_table *t, uint64_t *out, const uint64_t *in_q,
                       const uint64_t *w, size_t n, size_t limb_begin, size_t limb_end);

#ifdef __cplusplus
}
#endif
#endif
