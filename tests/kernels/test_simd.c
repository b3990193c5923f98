#include <string.h>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ntt_simd.h"
#include "kernels/cpu/primes.h"
#include "kt_util.h"

static bool expect_portable;

/* CIPHERFLOW_PORTABLE=1 pins the portable path; otherwise AVX2 wherever the CPU has it. */
static void dispatch_follows_cpu_and_environment(void **state) {
  (void)state;
  const char *env = getenv("CIPHERFLOW_PORTABLE");
  bool forced = env && strcmp(env, "1") == 0;
  if (expect_portable) assert_true(forced);
  cf_cpu_path want = (!forced && cf_cpu_avx2_available()) ? CF_CPU_AVX2 : CF_CPU_PORTABLE;
  assert_int_equal(cf_cpu_path_active(), want);
  fprintf(stderr, "active path: %s\n", cf_cpu_path_name(cf_cpu_path_active()));
}

static void avx2_ntt_equals_portable(void **state) {
  (void)state;
#ifdef CF_HAVE_AVX2_NTT
  if (!cf_cpu_avx2_available()) {
    fprintf(stderr, "no AVX2/FMA on this processor: SIMD comparison skipped\n");
    skip();
  }
  const int widths[] = {20, 30, 36, 42, 47, 49, 50};
  for (size_t n = 2; n <= 65536; n *= 2) {
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
      if (widths[w] < (int)__builtin_ctzll(n) + 4) continue; /* no room for q = 1 mod 2n */
      uint64_t q[2];
      if (cf_primes_generate(widths[w], n, 2, CF_PRIMES_DESCENDING, NULL, 0, q) != CF_OK) continue;
      for (size_t k = 0; k < 2; k++) {
        cf_ntt_table t;
        assert_int_equal(cf_ntt_table_init(&t, n, q[k]), CF_OK);
        uint64_t *a = malloc(3 * n * sizeof *a), *b = a + n, *orig = a + 2 * n;
        for (int trial = 0; trial < 3; trial++) {
          kt_fill(a, n, q[k]);
          if (trial == 0)
            for (size_t i = 0; i < n; i++) a[i] = q[k] - 1 - (i & 1);
          memcpy(b, a, n * sizeof *a);
          memcpy(orig, a, n * sizeof *a);
          cf_ntt_forward_portable(&t, a);
          cf_ntt_forward_avx2(&t, b);
          for (size_t i = 0; i < n; i++)
            KT_EQ(b[i], a[i], "forward N=%zu q=%llu slot %zu", n, (unsigned long long)q[k], i);
          /* The inverse on the same (reduced) evaluation vector. */
          cf_ntt_inverse_portable(&t, a);
          cf_ntt_inverse_avx2(&t, b);
          for (size_t i = 0; i < n; i++) {
            KT_EQ(b[i], a[i], "inverse N=%zu q=%llu coeff %zu", n, (unsigned long long)q[k], i);
            KT_EQ(b[i], orig[i], "round trip N=%zu", n);
          }
          /* Arbitrary reduced evaluation vectors too (not only images of the forward). */
          kt_fill(a, n, q[k]);
          memcpy(b, a, n * sizeof *a);
          cf_ntt_inverse_portable(&t, a);
          cf_ntt_inverse_avx2(&t, b);
          assert_memory_equal(a, b, n * sizeof *a);
        }
        free(a);
        cf_ntt_table_free(&t);
      }
    }
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
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
