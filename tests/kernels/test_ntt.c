#include <string.h>

#include "kernels/cpu/ntt.h"
#include "kernels/cpu/primes.h"
#include "kt_util.h"

static const int widths[] = {30, 36, 40, 45, 50, 55, 59, 60, 61};
#define NWIDTHS (sizeof widths / sizeof widths[0])

/* c = a * b mod (X^n + 1, q), schoolbook. */
static void naive_negacyclic(uint64_t *c, const uint64_t *a, const uint64_t *b, size_t n,
                             const cf_modulus *m) {
  for (size_t k = 0; k < n; k++)
    c[k] = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      uint64_t p = cf_mul_mod_slow(a[i], b[j], m->q);
      size_t k = i + j;
      if (k < n)
        c[k] = cf_add_mod(c[k], p, m->q);
      else
        c[k - n] = cf_sub_mod(c[k - n], p, m->q);
    }
}

static void product_matches_schoolbook(void **state) {
  (void)state;
  for (size_t n = 2; n <= 256; n *= 2) {
    for (size_t w = 0; w < NWIDTHS; w++) {
      uint64_t q;
      assert_int_equal(cf_primes_generate(widths[w], n, 1, CF_PRIMES_DESCENDING, NULL, 0, &q),
                       CF_OK);
      cf_ntt_table t;
      assert_int_equal(cf_ntt_table_init(&t, n, q), CF_OK);
      uint64_t *a = malloc(4 * n * sizeof *a), *b = a + n, *c = a + 2 * n, *d = a + 3 * n;
      kt_fill(a, n, q);
      kt_fill(b, n, q);
      if (w == 0) /* extreme coefficients */
        for (size_t i = 0; i < n; i++)
          a[i] = b[i] = q - 1;
      naive_negacyclic(c, a, b, n, &t.mod);
      cf_ntt_forward(&t, a);
      cf_ntt_forward(&t, b);
      for (size_t i = 0; i < n; i++) {
        KT_TRUE(a[i] < q && b[i] < q, "forward output reduced, n=%zu q=%llu", n,
                (unsigned long long)q);
        d[i] = cf_mul_mod(a[i], b[i], &t.mod);
      }
      cf_ntt_inverse(&t, d);
      for (size_t i = 0; i < n; i++)
        KT_EQ(d[i], c[i], "n=%zu q=%llu coefficient %zu", n, (unsigned long long)q, i);
      free(a);
      cf_ntt_table_free(&t);
    }
  }
}

/* Slot j of the forward transform is a(psi^(2 brev(j) + 1)), as ntt.h documents. */
static void slots_are_documented_evaluations(void **state) {
  (void)state;
  for (size_t n = 2; n <= 128; n *= 2) {
    uint64_t q;
    assert_int_equal(cf_primes_generate(50, n, 1, CF_PRIMES_DESCENDING, NULL, 0, &q), CF_OK);
    cf_ntt_table t;
    assert_int_equal(cf_ntt_table_init(&t, n, q), CF_OK);
    uint64_t *a = malloc(2 * n * sizeof *a), *f = a + n;
    kt_fill(a, n, q);
    memcpy(f, a, n * sizeof *a);
    cf_ntt_forward(&t, f);
    for (size_t j = 0; j < n; j++) {
      uint64_t x = cf_pow_mod(t.psi, 2 * cf_bitrev(j, t.logn) + 1, &t.mod), acc = 0;
      for (size_t i = n; i-- > 0;)
        acc = cf_add_mod(cf_mul_mod(acc, x, &t.mod), a[i], q);
      KT_EQ(f[j], acc, "slot %zu of N=%zu", j, n);
    }
    free(a);
    cf_ntt_table_free(&t);
  }
}

static void round_trip_large(void **state) {
  (void)state;
  const size_t degrees[] = {1024, 8192, 65536};
  for (size_t d = 0; d < 3; d++) {
    size_t n = degrees[d];
    for (size_t w = 0; w < NWIDTHS; w += (n == 65536 ? 2 : 1)) {
      uint64_t q;
      assert_int_equal(cf_primes_generate(widths[w], n, 1, CF_PRIMES_DESCENDING, NULL, 0, &q),
                       CF_OK);
      cf_ntt_table t;
      assert_int_equal(cf_ntt_table_init(&t, n, q), CF_OK);
      uint64_t *a = malloc(2 * n * sizeof *a), *b = a + n;
      kt_fill(a, n, q);
      memcpy(b, a, n * sizeof *a);
      cf_ntt_forward(&t, b);
      /* Linear check at one random slot against direct evaluation. */
      size_t j = kt_below(n);
      uint64_t x = cf_pow_mod(t.psi, 2 * cf_bitrev(j, t.logn) + 1, &t.mod), acc = 0;
      for (size_t i = n; i-- > 0;)
        acc = cf_add_mod(cf_mul_mod(acc, x, &t.mod), a[i], q);
      KT_EQ(b[j], acc, "slot %zu of N=%zu q=%llu", j, n, (unsigned long long)q);
      cf_ntt_inverse(&t, b);
      for (size_t i = 0; i < n; i++)
        KT_EQ(b[i], a[i], "round trip N=%zu q=%llu at %zu", n, (unsigned long long)q, i);
      free(a);
      cf_ntt_table_free(&t);
    }
  }
}

static void limb_ranges_match_single_limbs(void **state) {
  (void)state;
  const size_t n = 512, L = 5;
  uint64_t q[5];
  assert_int_equal(cf_primes_generate(45, n, L, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
  cf_ntt_table t[5];
  for (size_t i = 0; i < L; i++)
    assert_int_equal(cf_ntt_table_init(&t[i], n, q[i]), CF_OK);
  uint64_t *a = malloc(2 * L * n * sizeof *a), *b = a + L * n;
  for (size_t i = 0; i < L; i++)
    kt_fill(a + i * n, n, q[i]);
  memcpy(b, a, L * n * sizeof *a);
  cf_ntt_forward_limbs(t, a, 1, 4);
  for (size_t i = 0; i < L; i++) {
    if (i >= 1 && i < 4) cf_ntt_forward(&t[i], b + i * n);
    assert_memory_equal(a + i * n, b + i * n, n * sizeof *a);
  }
  cf_ntt_inverse_limbs(t, a, 0, L);
  for (size_t i = 0; i < L; i++) {
    cf_ntt_inverse(&t[i], b + i * n);
    assert_memory_equal(a + i * n, b + i * n, n * sizeof *a);
  }
  for (size_t i = 0; i < L; i++)
    cf_ntt_table_free(&t[i]);
  free(a);
}

static void bad_tables_are_rejected(void **state) {
  (void)state;
  cf_ntt_table t;
  assert_int_equal(cf_ntt_table_init(&t, 1000, 12289), CF_EINVAL);
  assert_int_equal(cf_ntt_table_init(&t, 1024, 12289 + 2048), CF_EINVAL); /* 14337 = 3 * 4779 */
  assert_int_equal(cf_ntt_table_init(&t, 8192, 12289), CF_EINVAL);        /* 12289 != 1 mod 16384 */
  assert_int_equal(cf_ntt_table_init(&t, (size_t)1 << 18, 12289), CF_EINVAL);
  assert_int_equal(cf_ntt_table_init(&t, 1024, 12289), CF_OK);
  cf_ntt_table_free(&t);
  cf_ntt_table_free(&t);
}

int main(void) {
  kt_seed("test_kernels_ntt");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(product_matches_schoolbook),
      cmocka_unit_test(slots_are_documented_evaluations),
      cmocka_unit_test(round_trip_large),
      cmocka_unit_test(limb_ranges_match_single_limbs),
      cmocka_unit_test(bad_tables_are_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
