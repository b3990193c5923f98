/*
 * Negacyclic number-theoretic transform over Z_q[X]/(X^N + 1), one prime.
 *
 * Forward: Cooley-Tukey with Harvey's lazy butterflies (values in [0, 4q)
 * between stages), input in natural coefficient order, output in
 * bit-reversed order: slot j holds a(psi^(2*brev(j) + 1)) where brev reverses
 * log2(N) bits and psi is the table's primitive 2N-th root. Inverse:
 * Gentleman-Sande with N^-1 folded into the last stage. Both take inputs in
 * [0, q) and leave outputs fully reduced to [0, q), in place.
 *
 * Pointwise products of forward transforms are negacyclic convolutions:
 * inverse(forward(a) .* forward(b)) = a * b mod (X^N + 1, q).
 *
 * On the AVX-512 path (dispatch.h) cf_ntt_forward / cf_ntt_inverse run the
 * AVX-512 variant for every q (IFMA 52-bit Shoup arithmetic for q < 2^50,
 * 64-bit Shoup on 32x32-bit products above); on the AVX2 path, an exact
 * double-precision variant for q < 2^50; otherwise the portable code.
 * Outputs are fully reduced either way, so the bits do not depend on the
 * path.
 */
#ifndef CF_KERNELS_CPU_NTT_H
#define CF_KERNELS_CPU_NTT_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/modarith.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest supported ring degree (log2). */
#define CF_NTT_MAX_LOGN 17

/* Precomputed tables for one (N, q). Immutable after init; share freely. */
typedef struct cf_ntt_table {
  size_t n;         /* ring degree N, a power of two, 2 <= N <= 2^17 */
  int logn;         /* log2(N) */
  cf_modulus mod;   /* q, prime, q = 1 (mod 2N) */
  uint64_t psi;     /* smallest primitive 2N-th root of unity mod q */
  uint64_t *fwd;    /* fwd[k] = psi^brev(k) for k in [0, N) (bit-reversed powers) */
  uint64_t *fwd_sh; /* Shoup companions of fwd */
  uint64_t *inv;    /* inv[k] = fwd[k]^-1 mod q */
  uint64_t *inv_sh; /* Shoup companions of inv */
  uint64_t n_inv;   /* N^-1 mod q */
  uint64_t n_inv_sh;
  uint64_t last_inv; /* N^-1 * inv[1] mod q: folded into the last inverse stage */
  uint64_t last_inv_sh;
  /*
   * 52-bit Shoup companions floor(w * 2^52 / q) of fwd, inv, n_inv and
   * last_inv for the AVX-512 IFMA variant; built only for q < 2^50 on a
   * processor that has IFMA, else NULL / 0.
   */
  uint64_t *fwd_sh52;
  uint64_t *inv_sh52;
  uint64_t n_inv_sh52;
  uint64_t last_inv_sh52;
} cf_ntt_table;

/*
 * Builds the table for ring degree n and prime q (q = 1 mod 2n, q < 2^61).
 * CF_EINVAL for bad n or q, CF_ENOMEM. On failure *t is left empty (safe to free).
 */
cf_status cf_ntt_table_init(cf_ntt_table *t, size_t n, uint64_t q);

/* Releases the arrays of t (NULL or an empty table is fine). */
void cf_ntt_table_free(cf_ntt_table *t);

/* The variant cf_ntt_forward / cf_ntt_inverse run for this table on this CPU. */
cf_cpu_path cf_ntt_path(const cf_ntt_table *t);

/* In-place forward transform of one limb a[0..N), entries in [0, q). */
void cf_ntt_forward(const cf_ntt_table *t, uint64_t *a);

/* In-place inverse transform of one limb a[0..N), entries in [0, q). */
void cf_ntt_inverse(const cf_ntt_table *t, uint64_t *a);

/*
 * Limb ranges: poly is limb-major (limb i is poly[i*N .. i*N + N)), limb i
 * uses tables[i], and limbs limb_begin <= i < limb_end are transformed. All
 * tables must share the same N.
 */
void cf_ntt_forward_limbs(const cf_ntt_table *tables, uint64_t *poly, size_t limb_begin,
                          size_t limb_end);
void cf_ntt_inverse_limbs(const cf_ntt_table *tables, uint64_t *poly, size_t limb_begin,
                          size_t limb_end);

/* brev(j) over `bits` bits: the slot order of the forward transform. */
static inline size_t cf_bitrev(size_t j, int bits) {
  size_t r = 0;
  for (int b = 0; b < bits; b++) {
    r = (r << 1) | (j & 1);
    j >>= 1;
  }
  return r;
}

#ifdef __cplusplus
}
#endif
#endif
