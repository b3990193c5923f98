#include <string.h>

#include "kernels/cpu/automorph.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/primes.h"
#include "kt_util.h"

/* Naive definition: b(X) = a(X^k) mod X^N + 1, by exponent arithmetic in Z. */
static void naive_automorph(uint64_t *b, const uint64_t *a, size_t n, uint64_t k, uint64_t q) {
  for (size_t i = 0; i < n; i++)
    b[i] = 0;
  for (size_t i = 0; i < n; i++) {
    /* X^(i*k): reduce the exponent by X^N = -1 one wrap at a time. */
    uint64_t e = (uint64_t)i * k;
    uint64_t wraps = e / n, pos = e % n;
    uint64_t v = (wraps & 1) ? cf_neg_mod(a[i], q) : a[i];
    b[pos] = cf_add_mod(b[pos], v, q);
  }
}

static uint64_t random_galois(size_t n) { return 2 * kt_below(4 * (uint64_t)n) + 1; }

static void coefficient_form_matches_definition(void **state) {
  (void)state;
  for (size_t n = 2; n <= 4096; n *= 2) {
    const size_t L = 3;
    uint64_t q[3];
    assert_int_equal(cf_primes_generate(50, n, L, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
    cf_modulus m[3];
    for (size_t i = 0; i < L; i++)
      cf_modulus_init(&m[i], q[i]);
    uint64_t *a = malloc(3 * L * n * sizeof *a), *b = a + L * n, *c = a + 2 * L * n;
    for (int trial = 0; trial < 4; trial++) {
      uint64_t k = trial == 0 ? 2 * n - 1 : random_galois(n); /* includes conjugation, k > 2N */
      cf_automorph_table t;
      assert_int_equal(cf_automorph_table_init(&t, n, k), CF_OK);
      for (size_t i = 0; i < L; i++)
        kt_fill(a + i * n, n, q[i]);
      memset(b, 0xff, L * n * sizeof *b);
      cf_automorph_coeff(&t, b, a, 1, L, m);
      for (size_t i = 1; i < L; i++) {
        naive_automorph(c + i * n, a + i * n, n, k, q[i]);
        for (size_t j = 0; j < n; j++)
          KT_EQ(b[i * n + j], c[i * n + j], "N=%zu k=%llu limb %zu coeff %zu", n,
                (unsigned long long)k, i, j);
      }
      for (size_t j = 0; j < n; j++)
        KT_EQ(b[j], UINT64_MAX, "limb 0 outside the range");
      cf_automorph_table_free(&t);
    }
    free(a);
  }
}

static void ntt_form_commutes_with_ntt(void **state) {
  (void)state;
  for (size_t n = 4; n <= 65536; n *= 4) {
    const size_t L = 2;
    uint64_t q[2];
    assert_int_equal(cf_primes_generate(55, n, L, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
    cf_ntt_table nt[2];
    cf_modulus m[2];
    for (size_t i = 0; i < L; i++) {
      assert_int_equal(cf_ntt_table_init(&nt[i], n, q[i]), CF_OK);
      m[i] = nt[i].mod;
    }
    uint64_t *a = malloc(3 * L * n * sizeof *a), *b = a + L * n, *c = a + 2 * L * n;
    for (int trial = 0; trial < 3; trial++) {
      uint64_t k1 = random_galois(n), k2 = random_galois(n);
      cf_automorph_table t1, t2, t12;
      assert_int_equal(cf_automorph_table_init(&t1, n, k1), CF_OK);
      assert_int_equal(cf_automorph_table_init(&t2, n, k2), CF_OK);
      assert_int_equal(cf_automorph_table_init(&t12, n, k1 * k2), CF_OK);
      for (size_t i = 0; i < L; i++)
        kt_fill(a + i * n, n, q[i]);
      cf_automorph_coeff(&t1, b, a, 0, L, m);
      cf_ntt_forward_limbs(nt, b, 0, L); /* b = NTT(coeff automorphism) */
      cf_ntt_forward_limbs(nt, a, 0, L);
      cf_automorph_ntt(&t1, c, a, 0, L); /* c = NTT-form automorphism */
      assert_memory_equal(b, c, L * n * sizeof *b);
      /* (a(X^k2))(X^k1) = a(X^(k1 k2)) */
      cf_automorph_ntt(&t2, b, a, 0, L);
      cf_automorph_ntt(&t1, c, b, 0, L);
      cf_automorph_ntt(&t12, b, a, 0, L);
      assert_memory_equal(b, c, L * n * sizeof *b);
      cf_automorph_table_free(&t1);
      cf_automorph_table_free(&t2);
      cf_automorph_table_free(&t12);
    }
    free(a);
    for (size_t i = 0; i < L; i++)
      cf_ntt_table_free(&nt[i]);
  }
}

static void even_elements_are_rejected(void **state) {
  (void)state;
  cf_automorph_table t;
  assert_int_equal(cf_automorph_table_init(&t, 1024, 4), CF_EINVAL);
  assert_int_equal(cf_automorph_table_init(&t, 1000, 5), CF_EINVAL);
  cf_automorph_table_free(&t);
}

int main(void) {
  kt_seed("test_kernels_automorph");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(coefficient_form_matches_definition),
      cmocka_unit_test(ntt_form_commutes_with_ntt),
      cmocka_unit_test(even_elements_are_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
