#include <string.h>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ntt_simd.h"
#include "kernels/cpu/poly_simd.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns_simd.h"
#include "kt_util.h"

static bool expect_portable;

/*
 * CIPHERFLOW_PORTABLE=1 pins the portable path and CIPHERFLOW_CPU caps it;
 * otherwise the best path the CPU has.
 */
static void dispatch_follows_cpu_and_environment(void **state) {
  (void)state;
  const char *env = getenv("CIPHERFLOW_PORTABLE"), *cpu = getenv("CIPHERFLOW_CPU");
  bool forced = env && strcmp(env, "1") == 0;
  if (expect_portable) assert_true(forced);
  cf_cpu_path want = cf_cpu_avx512_available() ? CF_CPU_AVX512
                     : cf_cpu_avx2_available() ? CF_CPU_AVX2
                                               : CF_CPU_PORTABLE;
  if (forced || (cpu && strcmp(cpu, "portable") == 0)) want = CF_CPU_PORTABLE;
  if (cpu && strcmp(cpu, "avx2") == 0 && want > CF_CPU_AVX2) want = CF_CPU_AVX2;
  assert_int_equal(cf_cpu_path_active(), want);
  fprintf(stderr, "active path: %s\n", cf_cpu_path_name(cf_cpu_path_active()));
}

#if defined(CF_HAVE_AVX2_NTT) || defined(CF_HAVE_AVX512_NTT)
typedef void (*ntt_fn)(const cf_ntt_table *t, uint64_t *a);

/*
 * A SIMD variant (fwd, inv) against the portable transforms for every N from
 * 2 to 2^16 and the given prime widths, two primes each: random inputs,
 * all-(q-1) and mixed extremes with zeros, inverses of forward images (and
 * the round trip) and of arbitrary reduced vectors.
 */
static void ntt_variant_equals_portable(ntt_fn fwd, ntt_fn inv, const int *widths, size_t nwidths,
                                        bool ifma_tables) {
  for (size_t n = 2; n <= 65536; n *= 2) {
    for (size_t w = 0; w < nwidths; w++) {
      if (widths[w] < (int)__builtin_ctzll(n) + 4) continue; /* no room for q = 1 mod 2n */
      uint64_t q[2];
      if (cf_primes_generate(widths[w], n, 2, CF_PRIMES_DESCENDING, NULL, 0, q) != CF_OK) continue;
      for (size_t k = 0; k < 2; k++) {
        cf_ntt_table t;
        assert_int_equal(cf_ntt_table_init(&t, n, q[k]), CF_OK);
        if (ifma_tables) assert_true((t.fwd_sh52 != NULL) == (widths[w] <= CF_IFMA_MAX_BITS));
        uint64_t *a = malloc(3 * n * sizeof *a), *b = a + n, *orig = a + 2 * n;
        for (int trial = 0; trial < 4; trial++) {
          kt_fill(a, n, q[k]);
          for (size_t i = 0; trial < 2 && i < n; i++)
            a[i] = trial == 0 ? q[k] - 1 : (i % 3 == 2) ? 0 : q[k] - 1 - (i & 1);
          memcpy(b, a, n * sizeof *a);
          memcpy(orig, a, n * sizeof *a);
          cf_ntt_forward_portable(&t, a);
          fwd(&t, b);
          for (size_t i = 0; i < n; i++)
            KT_EQ(b[i], a[i], "forward N=%zu q=%llu slot %zu", n, (unsigned long long)q[k], i);
          cf_ntt_inverse_portable(&t, a);
          inv(&t, b);
          for (size_t i = 0; i < n; i++) {
            KT_EQ(b[i], a[i], "inverse N=%zu q=%llu coeff %zu", n, (unsigned long long)q[k], i);
            KT_EQ(b[i], orig[i], "round trip N=%zu", n);
          }
          kt_fill(a, n, q[k]);
          for (size_t i = 0; trial == 0 && i < n; i++)
            a[i] = q[k] - 1;
          memcpy(b, a, n * sizeof *a);
          cf_ntt_inverse_portable(&t, a);
          inv(&t, b);
          assert_memory_equal(a, b, n * sizeof *a);
        }
        free(a);
        cf_ntt_table_free(&t);
      }
    }
  }
}

#endif

static void avx2_ntt_equals_portable(void **state) {
  (void)state;
#ifdef CF_HAVE_AVX2_NTT
  if (!cf_cpu_avx2_available()) {
    fprintf(stderr, "no AVX2/FMA on this processor: SIMD comparison skipped\n");
    skip();
  }
  const int widths[] = {20, 30, 36, 42, 47, 49, 50};
  ntt_variant_equals_portable(cf_ntt_forward_avx2, cf_ntt_inverse_avx2, widths,
                              sizeof widths / sizeof widths[0], false);
#else
  fprintf(stderr, "built without the AVX2 variant: SIMD comparison skipped\n");
  skip();
#endif
}

/* Widths cover the IFMA arithmetic (<= 50 bits), the 2^63-scaled one (51..60) and the 64-bit one
 * (61). */
static void avx512_ntt_equals_portable(void **state) {
  (void)state;
#ifdef CF_HAVE_AVX512_NTT
  if (!cf_cpu_avx512_available()) {
    fprintf(stderr, "no AVX-512 IFMA on this processor: SIMD comparison skipped\n");
    skip();
  }
  const int widths[] = {30, 45, 49, 50, 51, 55, 59, 60, 61};
  ntt_variant_equals_portable(cf_ntt_forward_avx512, cf_ntt_inverse_avx512, widths,
                              sizeof widths / sizeof widths[0], true);
#else
  fprintf(stderr, "built without the AVX-512 variant: SIMD comparison skipped\n");
  skip();
#endif
}

static void avx2_products_equal_portable(void **state) {
  (void)state;
#ifdef CF_HAVE_AVX2_POLY
  if (!cf_cpu_avx2_available()) {
    fprintf(stderr, "no AVX2/FMA on this processor: SIMD comparison skipped\n");
    skip();
  }
  const size_t n = 4099; /* not a multiple of the vector width: the tail runs scalar */
  uint64_t *a = malloc(6 * n * sizeof *a), *b = a + n, *o1 = a + 2 * n, *o2 = a + 3 * n,
           *c1 = a + 4 * n, *c2 = a + 5 * n;
  for (int bits = 3; bits <= CF_SIMD_MAX_BITS; bits++) {
    for (int trial = 0; trial < 6; trial++) {
      /* Any modulus of this size (odd); primality does not matter here. */
      uint64_t q = (1ull << (bits - 1)) | kt_below(1ull << (bits - 1)) | 1;
      if (trial == 0) q = (1ull << bits) - 1;
      if (trial == 1) q = (1ull << (bits - 1)) + 1;
      cf_modulus m;
      assert_int_equal(cf_modulus_init(&m, q), CF_OK);
      kt_fill(a, n, q);
      kt_fill(b, n, q);
      kt_fill(c1, n, q);
      if (trial < 2)
        for (size_t i = 0; i < n; i += 3)
          a[i] = b[i] = c1[i] = q - 1;
      memcpy(c2, c1, n * sizeof *c1);
      cf_limb_mul_portable(o1, a, b, n, &m);
      cf_limb_mul_avx2(o2, a, b, n, &m);
      for (size_t i = 0; i < n; i++)
        KT_EQ(o2[i], o1[i], "mul q=%llu at %zu", (unsigned long long)q, i);
      uint64_t sc = kt_below(q);
      if (trial < 2) sc = q - 1;
      cf_limb_sub_mul_const_portable(o1, a, b, sc, cf_shoup_prep(sc, q), n, &m);
      cf_limb_sub_mul_const_avx2(o2, a, b, sc, cf_shoup_prep(sc, q), n, &m);
      for (size_t i = 0; i < n; i++)
        KT_EQ(o2[i], o1[i], "sub_mul_const q=%llu at %zu", (unsigned long long)q, i);
      cf_limb_sub_mul_const_portable(o1, a, NULL, sc, cf_shoup_prep(sc, q), n, &m);
      memcpy(o2, a, n * sizeof *a);
      cf_limb_sub_mul_const_avx2(o2, o2, NULL, sc, cf_shoup_prep(sc, q), n, &m); /* in place */
      for (size_t i = 0; i < n; i++)
        KT_EQ(o2[i], o1[i], "mul_const q=%llu at %zu", (unsigned long long)q, i);
      cf_limb_mul_acc_portable(c1, a, b, n, &m);
      cf_limb_mul_acc_avx2(c2, a, b, n, &m);
      for (size_t i = 0; i < n; i++)
        KT_EQ(c2[i], c1[i], "mul_acc q=%llu at %zu", (unsigned long long)q, i);
    }
  }
  free(a);
#else
  fprintf(stderr, "built without the AVX2 variant: SIMD comparison skipped\n");
  skip();
#endif
}

static void avx2_baseconv_equals_portable(void **state) {
  (void)state;
#ifdef CF_HAVE_AVX2_RNS
  if (!cf_cpu_avx2_available()) {
    fprintf(stderr, "no AVX2/FMA on this processor: SIMD comparison skipped\n");
    skip();
  }
  const size_t degrees[] = {16, 64, 100, 1024};
  for (int trial = 0; trial < 12; trial++) {
    size_t n = degrees[trial % 4], na = 1 + kt_below(40), nb = 1 + kt_below(30);
    uint64_t p[70];
    int bits = 30 + (int)kt_below(CF_SIMD_MAX_BITS - 29);
    assert_int_equal(cf_primes_generate(bits, 1024, na + nb, CF_PRIMES_DESCENDING, NULL, 0, p),
                     CF_OK);
    cf_baseconv_table t;
    assert_int_equal(cf_baseconv_init(&t, p, na, p + na, nb), CF_OK);
    assert_non_null(t.w_d);
    uint64_t *in = malloc(na * n * sizeof *in), *o1 = malloc(nb * n * sizeof *o1),
             *o2 = malloc(nb * n * sizeof *o2);
    for (size_t i = 0; i < na; i++) {
      kt_fill(in + i * n, n, p[i]);
      if (trial < 4)
        for (size_t c = 0; c < n; c += 2)
          in[i * n + c] = p[i] - 1;
    }
    size_t lb = kt_below(nb), le = lb + 1 + kt_below(nb - lb);
    memset(o1, 0, nb * n * sizeof *o1);
    memset(o2, 0, nb * n * sizeof *o2);
    cf_baseconv_portable(&t, o1, in, n, lb, le);
    cf_baseconv_avx2(&t, o2, in, n, lb, le);
    for (size_t k = 0; k < nb * n; k++)
      KT_EQ(o2[k], o1[k], "baseconv %zu -> %zu, %d bits, N=%zu, word %zu", na, nb, bits, n, k);
    free(in);
    free(o1);
    free(o2);
    cf_baseconv_free(&t);
  }
#else
  fprintf(stderr, "built without the AVX2 variant: SIMD comparison skipped\n");
  skip();
#endif
}

int main(int argc, char **argv) {
  expect_portable = argc > 1 && strcmp(argv[1], "--expect-portable") == 0;
  kt_seed("test_kernels_simd");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dispatch_follows_cpu_and_environment),
      cmocka_unit_test(avx2_ntt_equals_portable),
      cmocka_unit_test(avx512_ntt_equals_portable),
      cmocka_unit_test(avx2_products_equal_portable),
      cmocka_unit_test(avx2_baseconv_equals_portable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
