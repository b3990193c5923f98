/* Parameter sets: presets, the 128-bit security check, validation, accessors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gmp.h>
#include <math.h>
#include <string.h>

#include "cipherflow/ckks.h"

static void check_primes(const cf_ckks_params *p) {
  int total = cf_ckks_params_nq(p) + cf_ckks_params_np(p);
  size_t n = cf_ckks_params_n(p);
  double bits = 0;
  mpz_t z;
  mpz_init(z);
  for (int i = 0; i < total; i++) {
    uint64_t q = cf_ckks_params_prime(p, i);
    assert_true(q % (2 * n) == 1);
    mpz_set_ui(z, q);
    assert_true(mpz_probab_prime_p(z, 30) > 0);
    for (int j = 0; j < i; j++)
      assert_true(cf_ckks_params_prime(p, j) != q);
    bits += log2((double)q);
  }
  mpz_clear(z);
  assert_int_equal(cf_ckks_params_prime(p, total), 0);
  assert_true(fabs(bits - cf_ckks_params_log2_qp(p)) < 1e-6);
}

static void test_secure_presets(void **state) {
  (void)state;
  const char *names[] = {"n14", "n15", "n16", "n16-peer"};
  for (int i = 0; i < 4; i++) {
    cf_ckks_params *p = NULL;
    assert_int_equal(cf_ckks_params_preset(names[i], false, &p), CF_OK);
    assert_false(cf_ckks_params_insecure(p));
    int bound = cf_ckks_security_bound_128(cf_ckks_params_n(p));
    print_message("%-9s N=2^%d levels %d dnum %d log2 QP %.1f (bound %d)\n", names[i],
                  (int)log2((double)cf_ckks_params_n(p)), cf_ckks_params_max_level(p),
                  cf_ckks_params_dnum(p), cf_ckks_params_log2_qp(p), bound);
    assert_true(cf_ckks_params_log2_qp(p) <= bound);
    assert_int_equal(cf_ckks_params_slots(p), cf_ckks_params_n(p) / 2);
    check_primes(p);
    cf_ckks_params_destroy(p);
  }
  /* n16 keeps >= 24 levels after a bootstrap consuming up to 15. */
  cf_ckks_params *p = NULL;
  assert_int_equal(cf_ckks_params_preset("n16", false, &p), CF_OK);
  assert_true(cf_ckks_params_max_level(p) - 15 >= 24);
  cf_ckks_params_destroy(p);
  /* n16-peer is the OpenFHE peer configuration. */
  assert_int_equal(cf_ckks_params_preset("n16-peer", false, &p), CF_OK);
  assert_int_equal(cf_ckks_params_nq(p), 25);
  assert_int_equal(cf_ckks_params_np(p), 8);
  assert_int_equal(cf_ckks_params_dnum(p), 3);
  assert_true(cf_ckks_params_log_scale(p) == 50);
  assert_true(cf_ckks_params_prime(p, 0) >> 59 == 1);
  assert_true(cf_ckks_params_prime(p, 1) >> 49 == 1);
  cf_ckks_params_destroy(p);
}

static void test_insecure_refused(void **state) {
  (void)state;
  cf_ckks_params *p = NULL;
  assert_int_equal(cf_ckks_params_preset("toy", false, &p), CF_EINSECURE);
  assert_null(p);
  assert_non_null(strstr(cf_last_error(), "bound 54"));
  assert_int_equal(cf_ckks_params_preset("toy", true, &p), CF_OK);
  assert_true(cf_ckks_params_insecure(p));
  cf_ckks_params_destroy(p);
  /* A user set one prime over the N=2^14 bound. */
  cf_ckks_params_spec s;
  memset(&s, 0, sizeof s);
  s.log_n = 14;
  s.nq = 8;
  for (int i = 0; i < 8; i++)
    s.q_bits[i] = 50;
  s.np = 1;
  s.p_bits[0] = 50;
  s.dnum = 8;
  s.log_scale = 40;
  assert_int_equal(cf_ckks_params_create(&s, &p), CF_EINSECURE);
  assert_non_null(strstr(cf_last_error(), "438"));
  s.nq = 7; /* 8 x 50 = 400 bits */
  s.dnum = 7;
  assert_int_equal(cf_ckks_params_create(&s, &p), CF_OK);
  assert_false(cf_ckks_params_insecure(p));
  cf_ckks_params_destroy(p);
}

static void test_bad_specs(void **state) {
  (void)state;
  cf_ckks_params *p = NULL;
  cf_ckks_params_spec s;
  memset(&s, 0, sizeof s);
  s.log_n = 12, s.nq = 2, s.q_bits[0] = 40, s.q_bits[1] = 30, s.np = 1, s.p_bits[0] = 40;
  s.dnum = 1, s.log_scale = 30, s.allow_insecure = true;
  assert_int_equal(cf_ckks_params_create(&s, &p), CF_OK);
  cf_ckks_params_destroy(p);
  cf_ckks_params_spec b = s;
  b.log_n = 9;
  assert_int_equal(cf_ckks_params_create(&b, &p), CF_EINVAL);
  b = s, b.q_bits[1] = 61;
  assert_int_equal(cf_ckks_params_create(&b, &p), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "61 bits"));
  b = s, b.dnum = 3;
  assert_int_equal(cf_ckks_params_create(&b, &p), CF_EINVAL);
  b = s, b.np = 0;
  assert_int_equal(cf_ckks_params_create(&b, &p), CF_EINVAL);
  b = s, b.log_scale = NAN;
  assert_int_equal(cf_ckks_params_create(&b, &p), CF_ESCALE);
  b = s, b.secret = CF_CKKS_SECRET_HAMMING, b.hamming_weight = 0;
  assert_int_equal(cf_ckks_params_create(&b, &p), CF_EINVAL);
  assert_int_equal(cf_ckks_params_preset("n99", false, &p), CF_ENOTFOUND);
  assert_int_equal(cf_ckks_params_create(NULL, &p), CF_EINVAL);
  assert_null(p);
  assert_int_equal(cf_ckks_security_bound_128(65536), 1747);
  assert_int_equal(cf_ckks_security_bound_128(131072), 3523);
  assert_int_equal(cf_ckks_security_bound_128(1000), 0);
}

static void test_fingerprint(void **state) {
  (void)state;
  cf_ckks_params *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(cf_ckks_params_preset("toy", true, &a), CF_OK);
  assert_int_equal(cf_ckks_params_preset("toy", true, &b), CF_OK);
  assert_int_equal(cf_ckks_params_preset("n14", true, &c), CF_OK);
  assert_memory_equal(cf_ckks_params_fingerprint(a), cf_ckks_params_fingerprint(b), 32);
  assert_memory_not_equal(cf_ckks_params_fingerprint(a), cf_ckks_params_fingerprint(c), 32);
  cf_ckks_params_destroy(a);
  cf_ckks_params_destroy(b);
  cf_ckks_params_destroy(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_secure_presets),
      cmocka_unit_test(test_insecure_refused),
      cmocka_unit_test(test_bad_specs),
      cmocka_unit_test(test_fingerprint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
