#include "kernels/cpu/modarith.h"
#include "kernels/cpu/primes.h"
#include "kt_util.h"

static void primality_matches_gmp(void **state) {
  (void)state;
  mpz_t z, p1, p2;
  mpz_inits(z, p1, p2, NULL);
  /* Small numbers exhaustively. */
  for (uint64_t n = 0; n < 5000; n++) {
    kt_mpz_set_u64(z, n);
    KT_TRUE(cf_is_prime_u64(n) == (mpz_probab_prime_p(z, 40) != 0), "n=%llu",
            (unsigned long long)n);
  }
  /* Random words of every size, random primes, and products of two primes
   * (the composites Miller-Rabin finds hardest). */
  for (int bits = 8; bits <= 64; bits++) {
    for (int t = 0; t < 60; t++) {
      uint64_t n = kt_rand() >> (64 - bits);
      kt_mpz_set_u64(z, n);
      KT_TRUE(cf_is_prime_u64(n) == (mpz_probab_prime_p(z, 40) != 0), "n=%llu",
              (unsigned long long)n);
      mpz_nextprime(z, z);
      if (mpz_sizeinbase(z, 2) <= 64) {
        uint64_t p = kt_mpz_get_u64(z);
        KT_TRUE(cf_is_prime_u64(p), "prime %llu", (unsigned long long)p);
      }
      kt_mpz_set_u64(p1, kt_rand() >> (64 - bits / 2));
      mpz_nextprime(p1, p1);
      kt_mpz_set_u64(p2, kt_rand() >> (64 - bits / 2));
      mpz_nextprime(p2, p2);
      mpz_mul(z, p1, p2);
      if (mpz_sizeinbase(z, 2) <= 64)
        KT_TRUE(!cf_is_prime_u64(kt_mpz_get_u64(z)), "semiprime %llu",
                (unsigned long long)kt_mpz_get_u64(z));
    }
  }
  /* Strong pseudoprimes to several small bases. */
  const uint64_t spsp[] = {2047ull, 3215031751ull, 3825123056546413051ull, 341550071728321ull};
  for (size_t i = 0; i < sizeof spsp / sizeof spsp[0]; i++)
    KT_TRUE(!cf_is_prime_u64(spsp[i]), "pseudoprime %llu", (unsigned long long)spsp[i]);
  mpz_clears(z, p1, p2, NULL);
}

/* Every candidate 1 mod 2N strictly between lo and hi must be composite or excluded. */
static void no_prime_skipped(uint64_t lo, uint64_t hi, uint64_t two_n, const uint64_t *ex,
                             size_t nex, const uint64_t *got, size_t ngot) {
  mpz_t z;
  mpz_init(z);
  for (uint64_t c = lo + two_n; c < hi; c += two_n) {
    kt_mpz_set_u64(z, c);
    if (!mpz_probab_prime_p(z, 40)) continue;
    bool skip = false;
    for (size_t i = 0; i < nex; i++)
      skip |= ex[i] == c;
    for (size_t i = 0; i < ngot; i++)
      skip |= got[i] == c;
    KT_TRUE(skip, "prime %llu was skipped", (unsigned long long)c);
  }
  mpz_clear(z);
}

static void generated_primes_are_ntt_friendly(void **state) {
  (void)state;
  mpz_t z;
  mpz_init(z);
  const size_t degrees[] = {1024, 4096, 65536};
  const int widths[] = {30, 40, 50, 55, 60, 61};
  for (size_t d = 0; d < 3; d++) {
    for (size_t w = 0; w < 6; w++) {
      size_t n = degrees[d];
      int bits = widths[w];
      uint64_t two_n = 2 * n, q[6], ex[2], q2[6];
      assert_int_equal(cf_primes_generate(bits, n, 6, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
      for (size_t i = 0; i < 6; i++) {
        kt_mpz_set_u64(z, q[i]);
        KT_TRUE(mpz_probab_prime_p(z, 40), "q=%llu", (unsigned long long)q[i]);
        KT_EQ(q[i] % two_n, 1, "q mod 2N");
        KT_EQ(64 - __builtin_clzll(q[i]), (uint64_t)bits, "bits of %llu", (unsigned long long)q[i]);
        if (i > 0) KT_TRUE(q[i] < q[i - 1], "descending at %zu", i);
        no_prime_skipped(q[i], i ? q[i - 1] : (1ull << bits), two_n, NULL, 0, NULL, 0);
      }
      /* Excluding two of them shifts the list. */
      ex[0] = q[0];
      ex[1] = q[2];
      assert_int_equal(cf_primes_generate(bits, n, 4, CF_PRIMES_DESCENDING, ex, 2, q2), CF_OK);
      KT_EQ(q2[0], q[1], "exclude");
      KT_EQ(q2[1], q[3], "exclude");
      KT_EQ(q2[2], q[4], "exclude");
      if (bits + 1 > CF_MODULUS_MAX_BITS) {
        assert_int_equal(cf_primes_generate(bits, n, 4, CF_PRIMES_CLOSEST, NULL, 0, q2), CF_EINVAL);
        continue;
      }
      /* Closest: below, above, below, ...; below ones equal the descending list. */
      assert_int_equal(cf_primes_generate(bits, n, 6, CF_PRIMES_CLOSEST, NULL, 0, q2), CF_OK);
      uint64_t top = 1ull << bits, prev_up = top + 1 - two_n;
      for (size_t i = 0; i < 6; i++) {
        kt_mpz_set_u64(z, q2[i]);
        KT_TRUE(mpz_probab_prime_p(z, 40), "closest q=%llu", (unsigned long long)q2[i]);
        KT_EQ(q2[i] % two_n, 1, "closest q mod 2N");
        if (i % 2 == 0) {
          KT_EQ(q2[i], q[i / 2], "closest below #%zu", i);
        } else {
          KT_TRUE(q2[i] > top, "closest above #%zu", i);
          no_prime_skipped(prev_up, q2[i], two_n, NULL, 0, NULL, 0);
          prev_up = q2[i];
        }
      }
    }
  }
  uint64_t q[1];
  assert_int_equal(cf_primes_generate(62, 1024, 1, CF_PRIMES_DESCENDING, NULL, 0, q), CF_EINVAL);
  assert_int_equal(cf_primes_generate(40, 1000, 1, CF_PRIMES_DESCENDING, NULL, 0, q), CF_EINVAL);
  assert_int_equal(cf_primes_generate(12, 1024, 1, CF_PRIMES_DESCENDING, NULL, 0, q), CF_EINVAL);
  /* 14-bit primes = 1 mod 2048 exist only in small numbers: asking for many runs out. */
  uint64_t many[64];
  assert_int_equal(cf_primes_generate(14, 1024, 64, CF_PRIMES_DESCENDING, NULL, 0, many),
                   CF_ENOTFOUND);
  mpz_clear(z);
}

static void primitive_root_is_smallest(void **state) {
  (void)state;
  /* Small cases: brute force over every residue. */
  const size_t degrees[] = {2, 4, 8, 16, 32};
  for (size_t d = 0; d < 5; d++) {
    size_t n = degrees[d];
    uint64_t q[3];
    assert_int_equal(cf_primes_generate(17, n, 3, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
    for (size_t i = 0; i < 3; i++) {
      cf_modulus m;
      assert_int_equal(cf_modulus_init(&m, q[i]), CF_OK);
      uint64_t psi;
      assert_int_equal(cf_primitive_root_2n(q[i], n, &psi), CF_OK);
      uint64_t brute = 0;
      for (uint64_t x = 2; x < q[i] && !brute; x++)
        if (cf_pow_mod(x, n, &m) == q[i] - 1) brute = x;
      KT_EQ(psi, brute, "smallest root mod %llu for N=%zu", (unsigned long long)q[i], n);
    }
  }
  /* Large: psi^N = -1 (so its order is exactly 2N). */
  uint64_t q[2];
  assert_int_equal(cf_primes_generate(60, 65536, 2, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
  for (size_t i = 0; i < 2; i++) {
    cf_modulus m;
    cf_modulus_init(&m, q[i]);
    uint64_t psi;
    assert_int_equal(cf_primitive_root_2n(q[i], 65536, &psi), CF_OK);
    KT_EQ(cf_pow_mod(psi, 65536, &m), q[i] - 1, "psi^N");
  }
  uint64_t psi;
  assert_int_equal(cf_primitive_root_2n(q[0] + 2 * 65536, 65536, &psi) == CF_OK,
                   cf_is_prime_u64(q[0] + 2 * 65536));
  assert_int_equal(cf_primitive_root_2n(q[0], 3, &psi), CF_EINVAL);
  assert_int_equal(cf_primitive_root_2n(97, 64, &psi), CF_EINVAL);
}

int main(void) {
  kt_seed("test_kernels_primes");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(primality_matches_gmp),
      cmocka_unit_test(generated_primes_are_ntt_friendly),
      cmocka_unit_test(primitive_root_is_smallest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
