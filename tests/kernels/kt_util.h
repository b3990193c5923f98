/* Shared helpers for the kernel tests: a seeded generator and GMP bridges. */
#ifndef CF_TESTS_KERNELS_KT_UTIL_H
#define CF_TESTS_KERNELS_KT_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>
#include <gmp.h>

/*
 * One seed per run, from CF_TEST_SEED when set (to replay a failure) or from
 * the clock. It is printed at start, so a failing run's log names it.
 */
static uint64_t kt_state;
static uint64_t kt_seed_value;

static inline void kt_seed(const char *test_name) {
  const char *env = getenv("CF_TEST_SEED");
  kt_seed_value = env ? strtoull(env, NULL, 0)
                      : ((uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull) ^ (uint64_t)clock();
  kt_state = kt_seed_value;
  fprintf(stderr, "%s: seed %llu (replay with CF_TEST_SEED=%llu)\n", test_name,
          (unsigned long long)kt_seed_value, (unsigned long long)kt_seed_value);
}

/* splitmix64 */
static inline uint64_t kt_rand(void) {
  uint64_t z = (kt_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0. */
static inline uint64_t kt_below(uint64_t bound) {
  uint64_t lim = UINT64_MAX - UINT64_MAX % bound;
  uint64_t r;
  do
    r = kt_rand();
  while (r >= lim);
  return r % bound;
}

static inline void kt_fill(uint64_t *a, size_t len, uint64_t q) {
  for (size_t i = 0; i < len; i++)
    a[i] = kt_below(q);
}

static inline void kt_mpz_set_u64(mpz_t z, uint64_t v) {
  mpz_set_ui(z, (unsigned long)(v >> 32));
  mpz_mul_2exp(z, z, 32);
  mpz_add_ui(z, z, (unsigned long)(v & 0xffffffffu));
}

static inline uint64_t kt_mpz_get_u64(const mpz_t z) {
  mpz_t t;
  mpz_init(t);
  mpz_fdiv_q_2exp(t, z, 32);
  uint64_t hi = mpz_get_ui(t);
  mpz_fdiv_r_2exp(t, z, 32);
  uint64_t lo = mpz_get_ui(t);
  mpz_clear(t);
  return (hi << 32) | lo;
}

/* z mod q for a possibly negative z, as a word. */
static inline uint64_t kt_mpz_mod_u64(const mpz_t z, uint64_t q) {
  mpz_t t, m;
  mpz_inits(t, m, NULL);
  kt_mpz_set_u64(m, q);
  mpz_fdiv_r(t, z, m);
  uint64_t r = kt_mpz_get_u64(t);
  mpz_clears(t, m, NULL);
  return r;
}

/* Asserts a==b, naming the seed on failure. */
#define KT_EQ(a, b, ...)                                                                           \
  do {                                                                                             \
    uint64_t kt_a_ = (a), kt_b_ = (b);                                                             \
    if (kt_a_ != kt_b_) {                                                                          \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fail_msg(" got %llu, expected %llu (seed %llu)", (unsigned long long)kt_a_,                  \
               (unsigned long long)kt_b_, (unsigned long long)kt_seed_value);                      \
    }                                                                                              \
  } while (0)

#define KT_TRUE(c, ...)                                                                            \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fail_msg(" %s failed (seed %llu)", #c, (unsigned long long)kt_seed_value);                   \
    }                                                                                              \
  } while (0)

#endif
