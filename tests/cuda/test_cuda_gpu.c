/*
 * The CUDA launch wrappers on a real device, against kernels/cpu bit for
 * bit. Without a device (the usual case on development and CI machines)
 * it says so and exits 77, which ctest reports as skipped; the kernels are
 * then covered by test_cuda_kernels through the emulation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cuda_runtime_api.h>

#include "kernels/cpu/automorph.h"
#include "kernels/cpu/modarith.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/poly.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns.h"
#include "kernels/cuda/cuda_kernels.h"
#include "tests/kernels/kt_util.h"

#define LIMBS 3

#define CUDA_OK(expr)                                                                              \
  do {                                                                                             \
    cudaError_t e_ = (expr);                                                                       \
    if (e_ != cudaSuccess) fail_msg("%s: %s", #expr, cudaGetErrorString(e_));                      \
  } while (0)

#define CF_OK_(expr)                                                                               \
  do {                                                                                             \
    cf_status s_ = (expr);                                                                         \
    if (s_ != CF_OK) fail_msg("%s: %s: %s", #expr, cf_status_name(s_), cf_last_error());           \
  } while (0)

static uint64_t *to_device(const uint64_t *h, size_t words) {
  uint64_t *d = NULL;
  CUDA_OK(cudaMalloc((void **)&d, words * sizeof *d));
  if (h) CUDA_OK(cudaMemcpy(d, h, words * sizeof *d, cudaMemcpyHostToDevice));
  return d;
}

static void from_device(uint64_t *h, const uint64_t *d, size_t words) {
  CUDA_OK(cudaDeviceSynchronize());
  CUDA_OK(cudaMemcpy(h, d, words * sizeof *h, cudaMemcpyDeviceToHost));
}

static void expect_same(const uint64_t *got, const uint64_t *want, size_t words, const char *what,
                        size_t n) {
  for (size_t i = 0; i < words; ++i)
    KT_EQ(got[i], want[i], "%s n %zu word %zu", what, n, i);
}

static void check_size(size_t n) {
  uint64_t q[LIMBS];
  cf_modulus mods[LIMBS];
  cf_ntt_table tables[LIMBS];
  assert_int_equal(cf_primes_generate(50, n, LIMBS, CF_PRIMES_DESCENDING, NULL, 0, q), CF_OK);
  for (size_t i = 0; i < LIMBS; ++i) {
    assert_int_equal(cf_modulus_init(&mods[i], q[i]), CF_OK);
    assert_int_equal(cf_ntt_table_init(&tables[i], n, q[i]), CF_OK);
  }
  size_t words = n * LIMBS;
  uint64_t *a = malloc(words * 8), *b = malloc(words * 8), *want = malloc(words * 8),
           *got = malloc(words * 8);
  assert_true(a && b && want && got);
  for (size_t i = 0; i < LIMBS; ++i) {
    kt_fill(a + i * n, n, q[i]);
    kt_fill(b + i * n, n, q[i]);
  }
  uint64_t *da = to_device(a, words), *db = to_device(b, words), *dout = to_device(NULL, words);
  cf_modulus *dmods = NULL;
  CUDA_OK(cudaMalloc((void **)&dmods, sizeof mods));
  CUDA_OK(cudaMemcpy(dmods, mods, sizeof mods, cudaMemcpyHostToDevice));

  CF_OK_(cf_cuda_mul(dout, da, db, n, 0, LIMBS, dmods, NULL));
  from_device(got, dout, words);
  cf_poly_mul(want, a, b, n, 0, LIMBS, mods);
  expect_same(got, want, words, "mul", n);

  CF_OK_(cf_cuda_sub(dout, da, db, n, 0, LIMBS, dmods, NULL));
  from_device(got, dout, words);
  cf_poly_sub(want, a, b, n, 0, LIMBS, mods);
  expect_same(got, want, words, "sub", n);

  CF_OK_(cf_cuda_add(dout, da, db, n, 0, LIMBS, dmods, NULL));
  from_device(got, dout, words);
  cf_poly_add(want, a, b, n, 0, LIMBS, mods);
  expect_same(got, want, words, "add", n);

  /* mul_acc into the sum just computed, on limbs [1, LIMBS) only. */
  CF_OK_(cf_cuda_mul_acc(dout, da, db, n, 1, LIMBS, dmods, NULL));
  from_device(got, dout, words);
  cf_poly_mul_acc(want, a, b, n, 1, LIMBS, mods);
  expect_same(got, want, words, "mul_acc", n);

  uint64_t s[LIMBS], s_sh[LIMBS];
  for (size_t i = 0; i < LIMBS; ++i) {
    s[i] = kt_below(q[i]);
    s_sh[i] = cf_shoup_prep(s[i], q[i]);
  }
  uint64_t *ds = to_device(s, LIMBS), *ds_sh = to_device(s_sh, LIMBS);
  CF_OK_(cf_cuda_mul_scalar(dout, da, ds, ds_sh, n, 0, LIMBS, dmods, NULL));
  from_device(got, dout, words);
  cf_poly_mul_scalar(want, a, s, n, 0, LIMBS, mods);
  expect_same(got, want, words, "mul_scalar", n);
  cudaFree(ds), cudaFree(ds_sh);

  cf_ntt_table *dtables = NULL;
  CF_OK_(cf_cuda_ntt_tables_upload(tables, LIMBS, &dtables));
  memcpy(want, a, words * 8);
  CUDA_OK(cudaMemcpy(dout, a, words * 8, cudaMemcpyHostToDevice));
  CF_OK_(cf_cuda_ntt_forward(dtables, n, dout, 0, LIMBS, NULL));
  from_device(got, dout, words);
  cf_ntt_forward_limbs(tables, want, 0, LIMBS);
  expect_same(got, want, words, "forward NTT", n);
  CF_OK_(cf_cuda_ntt_inverse(dtables, n, dout, 0, LIMBS, NULL));
  from_device(got, dout, words);
  expect_same(got, a, words, "inverse(forward(a))", n);

  cf_automorph_table at;
  assert_int_equal(cf_automorph_table_init(&at, n, 5), CF_OK);
  CF_OK_(cf_cuda_automorph_ntt(dout, da, n, 5, 0, LIMBS, NULL));
  from_device(got, dout, words);
  cf_automorph_ntt(&at, want, a, 0, LIMBS);
  expect_same(got, want, words, "automorphism", n);
  cf_automorph_table_free(&at);

  uint64_t p[2];
  assert_int_equal(cf_primes_generate(40, n, 2, CF_PRIMES_DESCENDING, q, LIMBS, p), CF_OK);
  cf_baseconv_table bt, dbt;
  assert_int_equal(cf_baseconv_init(&bt, q, LIMBS, p, 2), CF_OK);
  CF_OK_(cf_cuda_baseconv_upload(&bt, &dbt));
  CF_OK_(cf_cuda_baseconv(&dbt, dout, da, n, 0, 2, NULL));
  from_device(got, dout, 2 * n);
  cf_baseconv(&bt, want, a, n, 0, 2);
  expect_same(got, want, 2 * n, "baseconv", n);
  cf_cuda_baseconv_free(&dbt);
  cf_baseconv_free(&bt);

  cf_cuda_ntt_tables_free(dtables);
  cudaFree(da), cudaFree(db), cudaFree(dout), cudaFree(dmods);
  free(a), free(b), free(want), free(got);
  for (size_t i = 0; i < LIMBS; ++i)
    cf_ntt_table_free(&tables[i]);
}

static void test_kernels_on_device(void **state) {
  (void)state;
  static const size_t sizes[] = {16, 4096, 8192, 1u << 16};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; ++i)
    check_size(sizes[i]);
}

int main(void) {
  int devices = 0;
  cudaError_t e = cudaGetDeviceCount(&devices);
  if (e != cudaSuccess || devices == 0) {
    printf("test_cuda_gpu: SKIPPED: no CUDA device (cudaGetDeviceCount: %s, %d devices); the "
           "kernels are checked through the emulation in test_cuda_kernels\n",
           e == cudaSuccess ? "ok" : cudaGetErrorName(e), devices);
    return 77;
  }
  kt_seed("test_cuda_gpu");
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_kernels_on_device)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
