/* Encoder: the special FFT against a naive evaluation of the canonical embedding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <complex.h>
#include <string.h>

#include "helpers.h"
#include "kernels/ckks/internal.h"

static cf_ckks_context *make_ctx(void) {
  cf_ckks_params *p = NULL;
  assert_int_equal(cf_ckks_params_preset("toy", true, &p), CF_OK);
  cf_ckks_context *ctx = NULL;
  assert_int_equal(cf_ckks_context_create(p, &ctx), CF_OK);
  cf_ckks_params_destroy(p);
  return ctx;
}

/* Centred integer coefficients of a plaintext from its first limb. */
static void coeffs_of(const cf_ckks_context *ctx, const cf_ckks_plaintext *pt, int64_t *c) {
  size_t n = ctx->n;
  uint64_t *row = malloc(n * sizeof *row);
  memcpy(row, pt->data, n * sizeof *row);
  cf_ntt_inverse(&ctx->ntt[0], row);
  uint64_t q = ctx->params.primes[0];
  for (size_t k = 0; k < n; k++)
    c[k] = row[k] > q / 2 ? -(int64_t)(q - row[k]) : (int64_t)row[k];
  free(row);
}

/* m(zeta^(5^j)) / scale for j < slots, computed directly in long double. */
static void naive_embed(size_t n, const int64_t *c, size_t slots, double scale, double *re,
                        double *im) {
  const long double pi = 3.141592653589793238462643383279502884L;
  for (size_t j = 0; j < slots; j++) {
    uint64_t e = 1;
    for (size_t t = 0; t < j; t++)
      e = e * 5 % (2 * n);
    long double sr = 0, si = 0;
    for (size_t k = 0; k < n; k++) {
      if (!c[k]) continue;
      uint64_t ex = (uint64_t)k * e % (2 * n);
      long double ang = pi * (long double)ex / (long double)n;
      sr += (long double)c[k] * cosl(ang);
      si += (long double)c[k] * sinl(ang);
    }
    re[j] = (double)(sr / scale);
    im[j] = (double)(si / scale);
  }
}

static void check_slots(size_t slots) {
  cf_ckks_context *ctx = make_ctx();
  size_t n = ctx->n;
  double scale = 0x1p40;
  double *re = malloc(slots * sizeof *re), *im = malloc(slots * sizeof *im);
  double *nr = malloc(slots * sizeof *nr), *ni = malloc(slots * sizeof *ni);
  double *dr = malloc(slots * sizeof *dr), *di = malloc(slots * sizeof *di);
  rnd_fill(re, slots);
  rnd_fill(im, slots);
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_encode(ctx, re, im, slots, ctx->L, scale, &pt), CF_OK);
  int64_t *c = malloc(n * sizeof *c);
  coeffs_of(ctx, pt, c);
  naive_embed(n, c, slots, scale, nr, ni);
  double bits_naive = precision_bits(re, im, nr, ni, slots);
  assert_int_equal(cf_ckks_decode(ctx, pt, dr, di), CF_OK);
  double bits_dec = precision_bits(re, im, dr, di, slots);
  print_message("slots %zu: naive embedding %.1f bits, decode %.1f bits\n", slots, bits_naive,
                bits_dec);
  assert_true(bits_naive > 28);
  assert_true(bits_dec > 28);
  /* The FFT decoder must agree with the naive evaluation of the same coefficients. */
  assert_true(precision_bits(nr, ni, dr, di, slots) > 35);
  free(c);
  cf_ckks_plaintext_destroy(pt);
  free(re), free(im), free(nr), free(ni), free(dr), free(di);
  cf_ckks_context_destroy(ctx);
}

static void test_full_slots(void **state) {
  (void)state;
  check_slots(1024);
}
static void test_sparse_slots(void **state) {
  (void)state;
  check_slots(1);
  check_slots(8);
  check_slots(256);
}

static void test_bad_input(void **state) {
  (void)state;
  cf_ckks_context *ctx = make_ctx();
  double v[4] = {1, 2, 3, 4};
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_encode(ctx, v, NULL, 3, 0, 0x1p30, &pt), CF_EINVAL);
  assert_null(pt);
  assert_int_equal(cf_ckks_encode(ctx, v, NULL, 4, 99, 0x1p30, &pt), CF_ELEVEL);
  assert_int_equal(cf_ckks_encode(ctx, v, NULL, 4, 0, 0x1p61, &pt), CF_ESCALE);
  v[1] = NAN;
  assert_int_equal(cf_ckks_encode(ctx, v, NULL, 4, 0, 0x1p30, &pt), CF_EINVAL);
  assert_non_null(strstr(cf_last_error(), "slot 1"));
  cf_ckks_context_destroy(ctx);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_slots),
      cmocka_unit_test(test_sparse_slots),
      cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
