/* Chain descriptions: what graph/ needs of the CKKS parameters. */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "graph/ir.h"

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
  return (uint64_t)((unsigned __int128)a * b % m);
}

static uint64_t powmod(uint64_t a, uint64_t e, uint64_t m) {
  uint64_t r = 1 % m;
  a %= m;
  while (e) {
    if (e & 1) r = mulmod(r, a, m);
    a = mulmod(a, a, m);
    e >>= 1;
  }
  return r;
}

/* Deterministic Miller-Rabin for 64-bit integers. */
static bool is_prime(uint64_t n) {
  if (n < 2) return false;
  static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (size_t i = 0; i < 12; i++)
    if (n % bases[i] == 0) return n == bases[i];
  uint64_t d = n - 1;
  int s = 0;
  while (!(d & 1))
    d >>= 1, s++;
  for (size_t i = 0; i < 12; i++) {
    uint64_t x = powmod(bases[i], d, n);
    if (x == 1 || x == n - 1) continue;
    bool comp = true;
    for (int r = 1; r < s && comp; r++) {
      x = mulmod(x, x, n);
      if (x == n - 1) comp = false;
    }
    if (comp) return false;
  }
  return true;
}

static bool used(const cf_chain *c, uint64_t v) {
  for (uint32_t i = 0; i < c->nq; i++)
    if (c->q[i] == v) return true;
  for (uint32_t i = 0; i < c->np; i++)
    if (c->p[i] == v) return true;
  return false;
}

/* Largest unused prime below 2^bits that is 1 mod 2N. */
static cf_status next_prime(const cf_chain *c, unsigned bits, uint64_t *out) {
  uint64_t m = 2ull << c->log_n;
  uint64_t v = ((1ull << bits) / m) * m + 1;
  if (v >= (1ull << bits)) v -= m;
  for (; v > m; v -= m) {
    if (!used(c, v) && is_prime(v)) {
      *out = v;
      return CF_OK;
    }
  }
  return CF_FAIL(CF_EINVAL, "no %u-bit prime = 1 mod 2N for log_n=%u", bits, c->log_n);
}

/* Hybrid key switching splits the q primes of the top level into digits of
 * alpha = ceil(nq / dnum) consecutive primes (kernels/ckks/context.c); the
 * ModDown by P divides the key-switching noise, which grows with the digit,
 * so P must be at least as large as the largest digit. Sizes are compared
 * in whole bits (ceil(log2)), so primes just below a power of two count as
 * that power. */
static int size_bits(double log2v) { return (int)ceil(log2v - 1e-9); }

static double p_log2(const cf_chain *c) {
  double v = 0;
  for (uint32_t i = 0; i < c->np; i++)
    v += log2((double)c->p[i]);
  return v;
}

static double largest_digit_log2(const cf_chain *c, uint32_t *first, uint32_t *last) {
  uint32_t alpha = (c->nq + c->dnum - 1) / c->dnum;
  double best = 0;
  for (uint32_t s = 0; s < c->nq; s += alpha) {
    double v = 0;
    uint32_t e = s + alpha < c->nq ? s + alpha : c->nq;
    for (uint32_t i = s; i < e; i++)
      v += log2((double)c->q[i]);
    if (v > best) best = v, *first = s, *last = e - 1;
  }
  return best;
}

cf_status cf_chain_generate(cf_chain *c, unsigned log_n, unsigned nq, unsigned first_bits,
                            unsigned q_bits, unsigned np, unsigned p_bits, unsigned dnum,
                            int scale_log2) {
  if (!c) return CF_FAIL(CF_EINVAL, "chain is NULL");
  if (log_n < 3 || log_n > 17) return CF_FAIL(CF_EINVAL, "log_n must be in 3..17, got %u", log_n);
  if (nq < 1 || nq > CF_CHAIN_MAX_Q || np < 1 || np > CF_CHAIN_MAX_P)
    return CF_FAIL(CF_EINVAL, "need 1..%d q primes and 1..%d special primes, got %u and %u",
                   CF_CHAIN_MAX_Q, CF_CHAIN_MAX_P, nq, np);
  unsigned bits[3] = {first_bits, q_bits, p_bits};
  for (int i = 0; i < 3; i++)
    if (bits[i] < log_n + 2 || bits[i] > 61)
      return CF_FAIL(CF_EINVAL, "prime size %u bits out of range %u..61", bits[i], log_n + 2);
  memset(c, 0, sizeof *c);
  c->log_n = log_n;
  c->slots = 1u << (log_n - 1);
  c->dnum = dnum;
  c->scale_log2 = scale_log2;
  for (unsigned i = 0; i < nq; i++) {
    CF_TRY(next_prime(c, i == 0 ? first_bits : q_bits, &c->q[i]));
    c->nq++;
  }
  for (unsigned i = 0; i < np; i++) {
    CF_TRY(next_prime(c, p_bits, &c->p[i]));
    c->np++;
  }
  if (dnum < 1 || dnum > nq)
    return CF_FAIL(CF_EINVAL, "chain dnum must be in 1..%u, got %u", nq, dnum);
  uint32_t f = 0, l = 0;
  int need = size_bits(largest_digit_log2(c, &f, &l));
  while (size_bits(p_log2(c)) < need) {
    if (c->np == CF_CHAIN_MAX_P)
      return CF_FAIL(CF_EINVAL,
                     "chain: the largest key-switching digit (q%u..q%u) has %d bits, more than "
                     "%d special primes of %u bits can cover; use a larger dnum",
                     f, l, need, CF_CHAIN_MAX_P, p_bits);
    CF_TRY(next_prime(c, p_bits, &c->p[c->np]));
    c->np++;
  }
  return cf_chain_check(c);
}

cf_status cf_chain_check(const cf_chain *c) {
  if (!c) return CF_FAIL(CF_EINVAL, "chain is NULL");
  if (c->log_n < 3 || c->log_n > 17)
    return CF_FAIL(CF_EINVAL, "chain log_n must be in 3..17, got %u", c->log_n);
  if (c->slots < 1 || c->slots > (1u << (c->log_n - 1)) || (c->slots & (c->slots - 1)))
    return CF_FAIL(CF_EINVAL, "chain slots must be a power of two up to N/2, got %u", c->slots);
  if (c->nq < 1 || c->nq > CF_CHAIN_MAX_Q || c->np < 1 || c->np > CF_CHAIN_MAX_P)
    return CF_FAIL(CF_EINVAL, "chain needs 1..%d q primes and 1..%d special primes, got %u and %u",
                   CF_CHAIN_MAX_Q, CF_CHAIN_MAX_P, c->nq, c->np);
  if (c->dnum < 1 || c->dnum > c->nq)
    return CF_FAIL(CF_EINVAL, "chain dnum must be in 1..%u, got %u", c->nq, c->dnum);
  if (c->scale_log2 < 1 || c->scale_log2 > 120)
    return CF_FAIL(CF_EINVAL, "chain scale 2^%d out of range 2^1..2^120", c->scale_log2);
  uint64_t m = 2ull << c->log_n;

  for (uint32_t i = 0; i < c->nq + c->np; i++) {
    uint64_t v = i < c->nq ? c->q[i] : c->p[i - c->nq];
    const char *w = i < c->nq ? "q" : "p";
    unsigned idx = i < c->nq ? i : i - c->nq;
    if (v >= (1ull << 62) || v % m != 1 || !is_prime(v))
      return CF_FAIL(CF_EINVAL, "chain %s%u = %llu is not a prime = 1 mod 2N below 2^62", w, idx,
                     (unsigned long long)v);
    for (uint32_t j = 0; j < i; j++) {
      uint64_t u = j < c->nq ? c->q[j] : c->p[j - c->nq];
      if (u == v)
        return CF_FAIL(CF_EINVAL, "chain %s%u = %llu appears twice", w, idx, (unsigned long long)v);
    }
  }
  uint32_t f = 0, l = 0;
  int dbits = size_bits(largest_digit_log2(c, &f, &l)), pbits = size_bits(p_log2(c));
  if (pbits < dbits)
    return CF_FAIL(CF_EINVAL,
                   "chain special primes P have %d bits, less than the largest key-switching "
                   "digit (q%u..q%u, dnum=%u) with %d bits: hybrid key switching needs "
                   "log2 P >= the digit's size (add special primes or raise dnum)",
                   pbits, f, l, c->dnum, dbits);
  return CF_OK;
}

uint64_t cf_galois_rotation(const cf_chain *c, int k) {
  uint64_t m = 2ull << c->log_n, half = 1ull << (c->log_n - 1);
  int64_t kk = k % (int64_t)half;
  if (kk < 0) kk += (int64_t)half;
  return powmod(5, (uint64_t)kk, m);
}

uint64_t cf_galois_conjugate(const cf_chain *c) { return (2ull << c->log_n) - 1; }

void cf_random_data(uint64_t seed, double *out, size_t n) {
  uint64_t x = seed;
  for (size_t i = 0; i < n; i++) {
    /* splitmix64 */
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    out[i] = (double)(z >> 11) * 0x1p-52 - 1.0;
  }
}
