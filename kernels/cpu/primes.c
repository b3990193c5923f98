#include "kernels/cpu/primes.h"

#include "base/error.h"
#include "kernels/cpu/modarith.h"

static uint64_t powmod_slow(uint64_t b, uint64_t e, uint64_t n) {
  uint64_t r = 1 % n;
  b %= n;
  while (e) {
    if (e & 1) r = cf_mul_mod_slow(r, b, n);
    b = cf_mul_mod_slow(b, b, n);
    e >>= 1;
  }
  return r;
}

bool cf_is_prime_u64(uint64_t n) {
  static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
    if (n == bases[i]) return true;
    if (n % bases[i] == 0) return false;
  }
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    s++;
  }
  /* The first twelve prime bases decide every n < 3.3e24 > 2^64. */
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
    uint64_t x = powmod_slow(bases[i], d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < s; r++) {
      x = cf_mul_mod_slow(x, x, n);
      if (x == n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

static bool is_pow2(size_t n) { return n >= 2 && (n & (n - 1)) == 0; }

static bool excluded(uint64_t q, const uint64_t *exclude, size_t nexclude, const uint64_t *out,
                     size_t nout) {
  for (size_t i = 0; i < nexclude; i++)
    if (exclude[i] == q) return true;
  for (size_t i = 0; i < nout; i++)
    if (out[i] == q) return true;
  return false;
}

/* Next usable prime stepping from *cand by step (signed direction) while inside [lo, hi). */
static bool next_prime(uint64_t *cand, uint64_t step, bool up, uint64_t lo, uint64_t hi,
                       const uint64_t *exclude, size_t nexclude, const uint64_t *out, size_t nout,
                       uint64_t *found) {
  uint64_t c = *cand;
  while (c >= lo && c < hi) {
    uint64_t cur = c;
    if (up) {
      if (c > UINT64_MAX - step)
        c = hi; /* stop */
      else
        c += step;
    } else {
      if (c < step)
        c = 0;
      else
        c -= step;
    }
    if (cf_is_prime_u64(cur) && !excluded(cur, exclude, nexclude, out, nout)) {
      *cand = c;
      *found = cur;
      return true;
    }
  }
  *cand = c;
  return false;
}

cf_status cf_primes_generate(int bits, size_t n, size_t count, cf_prime_order order,
                             const uint64_t *exclude, size_t nexclude, uint64_t *out) {
  if (!is_pow2(n)) return CF_FAIL(CF_EINVAL, "ring degree %zu is not a power of two >= 2", n);
  if (bits < 3 || bits > CF_MODULUS_MAX_BITS)
    return CF_FAIL(CF_EINVAL, "prime size %d bits outside [3, %d]", bits, CF_MODULUS_MAX_BITS);
  uint64_t two_n = 2 * (uint64_t)n;
  if (bits - 2 < 64 && two_n >= (1ull << (bits - 2)))
    return CF_FAIL(CF_EINVAL, "2N = %llu leaves no room for %d-bit primes = 1 mod 2N",
                   (unsigned long long)two_n, bits);
  if (order != CF_PRIMES_DESCENDING && order != CF_PRIMES_CLOSEST)
    return CF_FAIL(CF_EINVAL, "unknown prime order %d", (int)order);
  if (order == CF_PRIMES_CLOSEST && bits + 1 > CF_MODULUS_MAX_BITS)
    return CF_FAIL(CF_EINVAL, "closest-to-2^%d primes need %d-bit primes above 2^%d (max %d)", bits,
                   bits + 1, bits, CF_MODULUS_MAX_BITS);
  if (count > 0 && !out) return CF_FAIL(CF_EINVAL, "output array is NULL for %zu primes", count);
  if (nexclude > 0 && !exclude)
    return CF_FAIL(CF_EINVAL, "exclude list is NULL with %zu entries", nexclude);

  uint64_t top = 1ull << bits, low = 1ull << (bits - 1);
  uint64_t down = top - two_n + 1; /* largest candidate = 1 mod 2N below 2^bits */
  uint64_t up = top + two_n + 1;   /* smallest above */
  uint64_t up_hi = (order == CF_PRIMES_CLOSEST) ? (1ull << (bits + 1)) : 0;
  bool down_left = true, up_left = (order == CF_PRIMES_CLOSEST);
  for (size_t k = 0; k < count; k++) {
    bool want_up = (order == CF_PRIMES_CLOSEST) && (k % 2 == 1);
    uint64_t q = 0;
    bool ok = false;
    if (want_up && up_left) {
      ok = next_prime(&up, two_n, true, top, up_hi, exclude, nexclude, out, k, &q);
      up_left = ok;
    }
    if (!ok && down_left) {
      ok = next_prime(&down, two_n, false, low, top, exclude, nexclude, out, k, &q);
      down_left = ok;
    }
    if (!ok && up_left) {
      ok = next_prime(&up, two_n, true, top, up_hi, exclude, nexclude, out, k, &q);
      up_left = ok;
    }
    if (!ok)
      return CF_FAIL(CF_ENOTFOUND, "only %zu primes of %d bits are 1 mod %llu, %zu requested", k,
                     bits, (unsigned long long)two_n, count);
    out[k] = q;
  }
  return CF_OK;
}

cf_status cf_primitive_root_2n(uint64_t q, size_t n, uint64_t *psi) {
  if (!is_pow2(n)) return CF_FAIL(CF_EINVAL, "ring degree %zu is not a power of two >= 2", n);
  uint64_t two_n = 2 * (uint64_t)n;
  if (q >> CF_MODULUS_MAX_BITS || q % two_n != 1 || !cf_is_prime_u64(q))
    return CF_FAIL(CF_EINVAL, "%llu is not a prime < 2^%d with q = 1 mod %llu",
                   (unsigned long long)q, CF_MODULUS_MAX_BITS, (unsigned long long)two_n);
  cf_modulus m;
  CF_TRY(cf_modulus_init(&m, q));
  uint64_t e = (q - 1) / two_n, c = 0;
  /* c = x^((q-1)/2N) has order 2N exactly when c^N = -1 (2N is a power of two). */
  for (uint64_t x = 2; x < q; x++) {
    c = cf_pow_mod(x, e, &m);
    if (cf_pow_mod(c, n, &m) == q - 1) break;
  }
  /* The primitive 2N-th roots are c^odd; take the smallest. */
  uint64_t c2 = cf_mul_mod(c, c, &m), best = c, cur = c;
  for (size_t i = 1; i < n; i++) {
    cur = cf_mul_mod(cur, c2, &m);
    if (cur < best) best = cur;
  }
  *psi = best;
  return CF_OK;
}
