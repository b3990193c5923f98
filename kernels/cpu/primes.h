/*
 * NTT-friendly primes: primality, generation of q = 1 (mod 2N), and
 * primitive 2N-th roots of unity. All results are deterministic.
 */
#ifndef CF_KERNELS_CPU_PRIMES_H
#define CF_KERNELS_CPU_PRIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deterministic Miller-Rabin (bases 2..37, exact for every 64-bit n). */
bool cf_is_prime_u64(uint64_t n);

typedef enum cf_prime_order {
  /*
   * The largest primes of exactly `bits` bits, descending from 2^bits:
   * 2^(bits-1) < q < 2^bits.
   */
  CF_PRIMES_DESCENDING = 0,
  /*
   * The primes nearest to 2^bits, alternately below and above it, starting
   * below: q_0 < 2^bits < q_1, then the next one below, the next above, ...
   * Products of consecutive pairs stay close to 2^(2*bits), which keeps a
   * CKKS scale of 2^bits stable across rescales. Primes above 2^bits have
   * bits+1 bits, so this order needs bits + 1 <= CF_MODULUS_MAX_BITS.
   */
  CF_PRIMES_CLOSEST = 1,
} cf_prime_order;

/*
 * Writes `count` distinct primes q = 1 (mod 2n) to out[0..count), in the
 * order described above, skipping any prime in exclude[0..nexclude)
 * (exclude may be NULL when nexclude is 0).
 * n must be a power of two >= 2; bits must leave room for them:
 * 2n < 2^(bits-2) and bits <= CF_MODULUS_MAX_BITS.
 * CF_EINVAL for bad arguments, CF_ENOTFOUND if the range runs out of primes.
 */
cf_status cf_primes_generate(int bits, size_t n, size_t count, cf_prime_order order,
                             const uint64_t *exclude, size_t nexclude, uint64_t *out);

/*
 * The smallest primitive 2n-th root of unity psi modulo the prime q
 * (psi^n = -1 mod q). n must be a power of two and q = 1 (mod 2n).
 * CF_EINVAL otherwise (including q not prime).
 */
cf_status cf_primitive_root_2n(uint64_t q, size_t n, uint64_t *psi);

#ifdef __cplusplus
}
#endif
#endif
