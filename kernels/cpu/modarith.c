#include "kernels/cpu/modarith.h"

#include "base/error.h"

cf_status cf_modulus_init(cf_modulus *m, uint64_t q) {
  if (q < 2 || q >> CF_MODULUS_MAX_BITS)
    return CF_FAIL(CF_EINVAL, "modulus %llu outside [2, 2^%d)", (unsigned long long)q,
                   CF_MODULUS_MAX_BITS);
  m->q = q;
  m->bits = 64 - __builtin_clzll(q);
  /* floor(2^128 / q) from floor((2^128 - 1) / q): one more exactly when q divides 2^128. */
  cf_u128 all = ~(cf_u128)0;
  cf_u128 r = all / q;
  if (all % q == q - 1) r += 1; /* q divides 2^128 */
  m->ratio_lo = (uint64_t)r;
  m->ratio_hi = (uint64_t)(r >> 64);
  uint64_t r64 = UINT64_MAX / q;
  if (UINT64_MAX % q == q - 1) r64 += 1;
  m->ratio64 = r64;
  m->mu = (uint64_t)(((cf_u128)1 << (2 * m->bits)) / q);
  return CF_OK;
}
