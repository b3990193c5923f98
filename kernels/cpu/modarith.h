/*
 * Arithmetic modulo one word-sized prime q.
 *
 * Words are uint64_t and every modulus satisfies 2 <= q < 2^CF_MODULUS_MAX_BITS
 * (2^61). That bound leaves two spare bits, which the lazy routines use: values
 * kept in [0, 2q) or [0, 4q) still fit a word, so reductions can be skipped
 * inside NTT butterflies and accumulation loops.
 *
 * Everything here is static inline and branch-light; the only precomputation
 * is a cf_modulus (Barrett constants) and, for multiplication by a fixed
 * operand w, its Shoup companion w' = floor(w * 2^64 / q).
 */
#ifndef CF_KERNELS_CPU_MODARITH_H
#define CF_KERNELS_CPU_MODARITH_H

#include <stdbool.h>
#include <stdint.h>

#include "cipherflow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

__extension__ typedef unsigned __int128 cf_u128;

/* Largest supported modulus size in bits (q < 2^61): keeps 4q < 2^64. */
#define CF_MODULUS_MAX_BITS 61

/* One modulus with its Barrett constants. Immutable after cf_modulus_init. */
typedef struct cf_modulus {
  uint64_t q;        /* the modulus, 2 <= q < 2^61 */
  int bits;          /* bit length of q: 2^(bits-1) <= q < 2^bits */
  uint64_t ratio64;  /* floor(2^64 / q): reduces one word */
  uint64_t ratio_lo; /* floor(2^128 / q), low word: reduces a 128-bit value */
  uint64_t ratio_hi; /* floor(2^128 / q), high word */
  uint64_t mu;       /* floor(2^(2*bits) / q) < 2^(bits+1): reduces products x < q^2 */
} cf_modulus;

/* Fills *m for q. CF_EINVAL if q < 2 or q >= 2^61. */
cf_status cf_modulus_init(cf_modulus *m, uint64_t q);

/* ---- add / sub / neg: inputs in [0, q), result in [0, q) ---- */

static inline uint64_t cf_add_mod(uint64_t a, uint64_t b, uint64_t q) {
  uint64_t s = a + b;
  return s >= q ? s - q : s;
}

static inline uint64_t cf_sub_mod(uint64_t a, uint64_t b, uint64_t q) {
  uint64_t d = a - b;
  return a >= b ? d : d + q;
}

static inline uint64_t cf_neg_mod(uint64_t a, uint64_t q) { return a == 0 ? 0 : q - a; }

/* ---- Barrett reduction ---- */

/* x mod q for any 64-bit x. */
static inline uint64_t cf_reduce64(uint64_t x, const cf_modulus *m) {
  uint64_t qhat = (uint64_t)(((cf_u128)x * m->ratio64) >> 64);
  uint64_t r = x - qhat * m->q; /* in [0, 2q) */
  return r >= m->q ? r - m->q : r;
}

/*
 * x mod q for a 128-bit x. The quotient estimate floor(x * floor(2^128/q) / 2^128)
 * is computed exactly from four 64x64 products; it is at most one below the
 * true quotient, so one conditional subtraction finishes.
 */
static inline uint64_t cf_reduce128(cf_u128 x, const cf_modulus *m) {
  uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
  uint64_t c0 = (uint64_t)(((cf_u128)lo * m->ratio_lo) >> 64);
  cf_u128 t = (cf_u128)lo * m->ratio_hi + c0;
  cf_u128 s = (cf_u128)hi * m->ratio_lo + (uint64_t)t;
  uint64_t qhat = hi * m->ratio_hi + (uint64_t)(t >> 64) + (uint64_t)(s >> 64);
  uint64_t r = lo - qhat * m->q; /* in [0, 2q) */
  return r >= m->q ? r - m->q : r;
}

/*
 * x mod q for x < 2^(2*bits), e.g. a product of two reduced values plus a
 * reduced value. Classic Barrett with k = bits: qhat = floor(floor(x / 2^(k-1))
 * * mu / 2^(k+1)) is at most two below floor(x / q), and both factors fit a
 * word, so this costs two multiplications where cf_reduce128 needs five.
 */
static inline uint64_t cf_reduce_prod(cf_u128 x, const cf_modulus *m) {
  /* Word shifts (1 <= bits - 1 and bits + 1 <= 62) instead of 128-bit ones. */
  const int s1 = m->bits - 1, s2 = m->bits + 1;
  uint64_t x1 = ((uint64_t)(x >> 64) << (64 - s1)) | ((uint64_t)x >> s1);
  cf_u128 p = (cf_u128)x1 * m->mu;
  uint64_t qhat = ((uint64_t)(p >> 64) << (64 - s2)) | ((uint64_t)p >> s2);
  uint64_t r = (uint64_t)x - qhat * m->q; /* in [0, 3q) */
  r -= r >= m->q ? m->q : 0;
  return r >= m->q ? r - m->q : r;
}

/* a * b mod q for a, b < 2^bits (in particular reduced values). */
static inline uint64_t cf_mul_mod_red(uint64_t a, uint64_t b, const cf_modulus *m) {
  return cf_reduce_prod((cf_u128)a * b, m);
}

/* a * b mod q for any words a, b. */
static inline uint64_t cf_mul_mod(uint64_t a, uint64_t b, const cf_modulus *m) {
  if (((a | b) >> m->bits) == 0) return cf_reduce_prod((cf_u128)a * b, m);
  return cf_reduce128((cf_u128)a * b, m);
}

/* Reference a * b mod q through the compiler's 128-bit division (slow; for tables and tests). */
static inline uint64_t cf_mul_mod_slow(uint64_t a, uint64_t b, uint64_t q) {
  return (uint64_t)(((cf_u128)a * b) % q);
}

/* ---- Shoup multiplication by a precomputed operand w < q ---- */

/* w' = floor(w * 2^64 / q), the companion of w (requires w < q). */
static inline uint64_t cf_shoup_prep(uint64_t w, uint64_t q) {
  return (uint64_t)(((cf_u128)w << 64) / q);
}

/* a * w mod q in [0, 2q), for any 64-bit a. */
static inline uint64_t cf_mul_shoup_lazy(uint64_t a, uint64_t w, uint64_t wp, uint64_t q) {
  uint64_t qhat = (uint64_t)(((cf_u128)a * wp) >> 64);
  return a * w - qhat * q;
}

/* a * w mod q in [0, q), for any 64-bit a. */
static inline uint64_t cf_mul_shoup(uint64_t a, uint64_t w, uint64_t wp, uint64_t q) {
  uint64_t r = cf_mul_shoup_lazy(a, w, wp, q);
  return r >= q ? r - q : r;
}

/* ---- powers and inverses ---- */

/* base^e mod q (base any word; 0^0 = 1). */
static inline uint64_t cf_pow_mod(uint64_t base, uint64_t e, const cf_modulus *m) {
  uint64_t r = 1 % m->q, b = cf_reduce64(base, m);
  while (e) {
    if (e & 1) r = cf_mul_mod(r, b, m);
    b = cf_mul_mod(b, b, m);
    e >>= 1;
  }
  return r;
}

/*
 * a^-1 mod q by the extended Euclidean algorithm (q need not be prime).
 * Returns false, leaving *out untouched, when gcd(a, q) != 1.
 */
static inline bool cf_inv_mod(uint64_t a, uint64_t q, uint64_t *out) {
  int64_t t = 0, newt = 1;
  uint64_t r = q, newr = a % q;
  while (newr != 0) {
    uint64_t quo = r / newr, tmp = r - quo * newr;
    int64_t tt = t - (int64_t)quo * newt;
    t = newt;
    newt = tt;
    r = newr;
    newr = tmp;
  }
  if (r != 1) return false;
  *out = t < 0 ? (uint64_t)(t + (int64_t)q) : (uint64_t)t;
  return true;
}

#ifdef __cplusplus
}
#endif
#endif
