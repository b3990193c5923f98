/*
 * Ring automorphisms X -> X^k (k odd, taken mod 2N) of Z_q[X]/(X^N + 1).
 *
 * Coefficient form: coefficient i moves to position i*k mod 2N, negated
 * when that position is >= N (X^N = -1).
 * NTT form (the slot order of kernels/cpu/ntt.h, slot j = a(psi^e_j) with
 * e_j = 2*brev(j) + 1): out[j] = in[perm[j]] where slot perm[j] has exponent
 * e_j * k mod 2N. No arithmetic, so one table serves every prime.
 * Both forms commute with the NTT: NTT(automorph_coeff(a)) == automorph_ntt(NTT(a)).
 */
#ifndef CF_KERNELS_CPU_AUTOMORPH_H
#define CF_KERNELS_CPU_AUTOMORPH_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cpu/modarith.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tables for one (N, k). Immutable after init. */
typedef struct cf_automorph_table {
  size_t n;        /* ring degree, power of two, 2 <= N <= 2^17 */
  uint64_t k;      /* Galois element, odd, reduced to [1, 2N) */
  uint32_t *coeff; /* coeff[i] = destination of coefficient i (low 31 bits) | 1<<31 if negated */
  uint32_t *perm;  /* perm[j] = source slot of output slot j in NTT form */
} cf_automorph_table;

/*
 * Builds the tables for degree n and Galois element k (any odd k; reduced
 * mod 2n). CF_EINVAL for even k or bad n, CF_ENOMEM. On failure *t is empty.
 */
cf_status cf_automorph_table_init(cf_automorph_table *t, size_t n, uint64_t k);

void cf_automorph_table_free(cf_automorph_table *t);

/*
 * Coefficient form, limbs [limb_begin, limb_end) of limb-major polys with
 * degree t->n; mods[i] is limb i's modulus. out must not overlap in.
 */
void cf_automorph_coeff(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods);

/* NTT form, same conventions (a pure permutation). out must not overlap in. */
void cf_automorph_ntt(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                      size_t limb_begin, size_t limb_end);

/* The variants behind cf_automorph_ntt (for tests and benchmarks); the AVX-512
 * one (64-bit gathers) needs cf_cpu_avx512_available(). */
void cf_automorph_ntt_portable(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                               size_t limb_begin, size_t limb_end);
#if defined(__x86_64__) && defined(__GNUC__)
#define CF_HAVE_AVX512_AUTOMORPH 1
void cf_automorph_ntt_avx512(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                             size_t limb_begin, size_t limb_end);
#endif

#ifdef __cplusplus
}
#endif
#endif
