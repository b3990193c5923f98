#include "kernels/cpu/modarith.h"
#include "kt_util.h"

/* A random modulus of exactly `bits` bits (odd, as primes are, except for tiny widths). */
static uint64_t rand_modulus(int bits) {
  uint64_t top = 1ull << (bits - 1);
  return top | kt_below(top) | (bits > 2 ? 1 : 0);
}

static void arithmetic_matches_gmp(void **state) {
  (void)state;
  mpz_t za, zb, zq, zr;
  mpz_inits(za, zb, zq, zr, NULL);
  for (int bits = 2; bits <= CF_MODULUS_MAX_BITS; bits++) {
    for (int trial = 0; trial < 40; trial++) {
      uint64_t q = rand_modulus(bits);
      cf_modulus m;
      assert_int_equal(cf_modulus_init(&m, q), CF_OK);
      assert_int_equal(m.bits, bits);
      uint64_t a = kt_below(q), b = kt_below(q);
      /* Edge operands now and then. */
      if (trial == 0) a = b = q - 1;
      if (trial == 1) a = 0;
      kt_mpz_set_u64(za, a);
      kt_mpz_set_u64(zb, b);
      kt_mpz_set_u64(zq, q);

      mpz_add(zr, za, zb);
      KT_EQ(cf_add_mod(a, b, q), kt_mpz_mod_u64(zr, q), "add q=%llu", (unsigned long long)q);
      mpz_sub(zr, za, zb);
      KT_EQ(cf_sub_mod(a, b, q), kt_mpz_mod_u64(zr, q), "sub q=%llu", (unsigned long long)q);
      mpz_neg(zr, za);
      KT_EQ(cf_neg_mod(a, q), kt_mpz_mod_u64(zr, q), "neg q=%llu", (unsigned long long)q);
      mpz_mul(zr, za, zb);
      uint64_t want = kt_mpz_mod_u64(zr, q);
      KT_EQ(cf_mul_mod(a, b, &m), want, "mul q=%llu", (unsigned long long)q);

      /* Barrett on arbitrary words and arbitrary 128-bit values. */
      uint64_t x = kt_rand();
      kt_mpz_set_u64(zr, x);
      KT_EQ(cf_reduce64(x, &m), kt_mpz_mod_u64(zr, q), "reduce64 q=%llu", (unsigned long long)q);
      uint64_t hi = kt_rand(), lo = kt_rand();
      if (trial == 2) hi = lo = UINT64_MAX;
      kt_mpz_set_u64(zr, hi);
      mpz_mul_2exp(zr, zr, 64);
      kt_mpz_set_u64(za, lo);
      mpz_add(zr, zr, za);
      KT_EQ(cf_reduce128(((cf_u128)hi << 64) | lo, &m), kt_mpz_mod_u64(zr, q), "reduce128 q=%llu",
            (unsigned long long)q);

      /* Short Barrett on anything below 2^(2 bits), and products of reduced values. */
      cf_u128 xp = (((cf_u128)kt_rand() << 64) | kt_rand()) >> (128 - 2 * bits);
      if (trial == 3) xp = ((cf_u128)1 << (2 * bits)) - 1;
      kt_mpz_set_u64(zr, (uint64_t)(xp >> 64));
      mpz_mul_2exp(zr, zr, 64);
      kt_mpz_set_u64(za, (uint64_t)xp);
      mpz_add(zr, zr, za);
      KT_EQ(cf_reduce_prod(xp, &m), kt_mpz_mod_u64(zr, q), "reduce_prod q=%llu",
            (unsigned long long)q);
      KT_EQ(cf_mul_mod_red(a, b, &m), want, "mul_red q=%llu", (unsigned long long)q);
      /* cf_mul_mod accepts unreduced words too. */
      uint64_t ua = kt_rand(), ub = kt_rand() >> kt_below(64);
      kt_mpz_set_u64(za, ua);
      kt_mpz_set_u64(zb, ub);
      mpz_mul(zr, za, zb);
      KT_EQ(cf_mul_mod(ua, ub, &m), kt_mpz_mod_u64(zr, q), "mul unreduced q=%llu",
            (unsigned long long)q);

      /* Shoup: any 64-bit multiplicand, lazy result in [0, 2q) and congruent. */
      uint64_t w = b, wp = cf_shoup_prep(w, q);
      kt_mpz_set_u64(za, x);
      kt_mpz_set_u64(zb, w);
      mpz_mul(zr, za, zb);
      uint64_t sw = kt_mpz_mod_u64(zr, q);
      uint64_t lazy = cf_mul_shoup_lazy(x, w, wp, q);
      KT_TRUE(lazy < 2 * q, "shoup lazy range q=%llu", (unsigned long long)q);
      KT_EQ(lazy % q, sw, "shoup lazy q=%llu", (unsigned long long)q);
      KT_EQ(cf_mul_shoup(x, w, wp, q), sw, "shoup q=%llu", (unsigned long long)q);

      /* pow and inverse. */
      uint64_t e = kt_rand();
      kt_mpz_set_u64(za, a);
      kt_mpz_set_u64(zb, e);
      mpz_powm(zr, za, zb, zq);
      KT_EQ(cf_pow_mod(a, e, &m), kt_mpz_get_u64(zr), "pow q=%llu", (unsigned long long)q);
      uint64_t inv = 0;
      int has = mpz_invert(zr, za, zq);
      bool ok = cf_inv_mod(a, q, &inv);
      KT_TRUE(ok == (has != 0 && q > 1), "invertibility of %llu mod %llu", (unsigned long long)a,
              (unsigned long long)q);
      if (ok) KT_EQ(inv, kt_mpz_get_u64(zr), "inv q=%llu", (unsigned long long)q);
    }
  }
  mpz_clears(za, zb, zq, zr, NULL);
}

static void modulus_rejects_out_of_range(void **state) {
  (void)state;
  cf_modulus m;
  assert_int_equal(cf_modulus_init(&m, 0), CF_EINVAL);
  assert_int_equal(cf_modulus_init(&m, 1), CF_EINVAL);
  assert_int_equal(cf_modulus_init(&m, 1ull << CF_MODULUS_MAX_BITS), CF_EINVAL);
  assert_int_equal(cf_modulus_init(&m, UINT64_MAX), CF_EINVAL);
  assert_int_equal(cf_modulus_init(&m, (1ull << CF_MODULUS_MAX_BITS) - 1), CF_OK);
}

int main(void) {
  kt_seed("test_kernels_modarith");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arithmetic_matches_gmp),
      cmocka_unit_test(modulus_rejects_out_of_range),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
