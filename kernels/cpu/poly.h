/*
 * Elementwise operations on RNS polynomials over a limb range.
 *
 * Layout: limb-major, limb i is p[i*n .. i*n + n) with entries in [0, q_i).
 * Every function touches limbs limb_begin <= i < limb_end only and reads
 * mods[i] (absolute limb index) for limb i. They are coefficient-wise, so
 * they work the same in coefficient and NTT form. Outputs may alias inputs
 * exactly (out == a or out == b); partial overlaps are not allowed.
 */
#ifndef CF_KERNELS_CPU_POLY_H
#define CF_KERNELS_CPU_POLY_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu/modarith.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out = a + b */
void cf_poly_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, size_t limb_begin,
                 size_t limb_end, const cf_modulus *mods);

/* out = a - b */
void cf_poly_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, size_t limb_begin,
                 size_t limb_end, const cf_modulus *mods);

/* out = -a */
void cf_poly_neg(uint64_t *out, const uint64_t *a, size_t n, size_t limb_begin, size_t limb_end,
                 const cf_modulus *mods);

/* out = a .* b (pointwise; a negacyclic product when a and b are in NTT form) */
void cf_poly_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, size_t limb_begin,
                 size_t limb_end, const cf_modulus *mods);

/* acc += a .* b (acc may not alias a or b) */
void cf_poly_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods);

/*
 * out = a * s_i on limb i, with s_i = scalars[i] < q_i (absolute limb index).
 * Shoup multiplication; the companion is computed once per limb.
 */
void cf_poly_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t n,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods);

/* out = a + s_i on limb i, s_i = scalars[i] < q_i (adds to every entry). */
void cf_poly_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t n,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods);

/* out = a (memmove semantics per limb range) */
void cf_poly_copy(uint64_t *out, const uint64_t *a, size_t n, size_t limb_begin, size_t limb_end);

#ifdef __cplusplus
}
#endif
#endif
