/*
 * The 128-bit "n16" preset end to end (slow): public-key encryption,
 * multiplication with relinearization and rescale, rotation and
 * conjugation, against double-precision computation on fresh random slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <complex.h>
#include <string.h>

#include "helpers.h"

static double check(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                    const cf_ckks_ciphertext *ct, const double *wr, const double *wi, size_t n,
                    const char *what) {
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_decrypt(ctx, sk, ct, &pt), CF_OK);
  double *gr = malloc(n * sizeof *gr), *gi = malloc(n * sizeof *gi);
  assert_int_equal(cf_ckks_decode(ctx, pt, gr, gi), CF_OK);
  double bits = precision_bits(wr, wi, gr, gi, n);
  print_message("%-24s %.1f bits (level %d)\n", what, bits, cf_ckks_ciphertext_level(ct));
  free(gr), free(gi);
  cf_ckks_plaintext_destroy(pt);
  return bits;
}

static void test_n16(void **state) {
  (void)state;
  cf_ckks_params *p = NULL;
  assert_int_equal(cf_ckks_params_preset("n16", false, &p), CF_OK);
  cf_ckks_context *ctx = NULL;
  assert_int_equal(cf_ckks_context_create(p, &ctx), CF_OK);
  size_t n = cf_ckks_params_slots(p);
  double scale = cf_ckks_params_scale(p);
  int top = cf_ckks_params_max_level(p);
  cf_ckks_params_destroy(p);
  cf_ckks_secret_key *sk = NULL;
  cf_ckks_public_key *pk = NULL;
  cf_ckks_relin_key *rlk = NULL;
  cf_ckks_galois_key *gk = NULL;
  int step = 3;
  assert_int_equal(cf_ckks_keygen_secret(ctx, &sk), CF_OK);
  assert_int_equal(cf_ckks_keygen_public(ctx, sk, &pk), CF_OK);
  assert_int_equal(cf_ckks_keygen_relin(ctx, sk, &rlk), CF_OK);
  assert_int_equal(cf_ckks_keygen_galois(ctx, sk, &step, 1, true, &gk), CF_OK);
  double *ar = malloc(n * 8), *ai = malloc(n * 8), *br = malloc(n * 8), *bi = malloc(n * 8);
  double *wr = malloc(n * 8), *wi = malloc(n * 8);
  rnd_fill(ar, n), rnd_fill(ai, n), rnd_fill(br, n), rnd_fill(bi, n);
  cf_ckks_plaintext *pa = NULL, *pb = NULL;
  assert_int_equal(cf_ckks_encode(ctx, ar, ai, n, top, scale, &pa), CF_OK);
  assert_int_equal(cf_ckks_encode(ctx, br, bi, n, top, scale, &pb), CF_OK);
  cf_ckks_ciphertext *a = NULL, *b = NULL, *r = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(ctx, &a), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_create(ctx, &b), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_create(ctx, &r), CF_OK);
  assert_int_equal(cf_ckks_encrypt_pk(ctx, pk, pa, a), CF_OK);
  assert_int_equal(cf_ckks_encrypt_pk(ctx, pk, pb, b), CF_OK);
  assert_true(check(ctx, sk, a, ar, ai, n, "encrypt pk") > 17);
  for (size_t i = 0; i < n; i++) {
    double complex z = (ar[i] + I * ai[i]) * (br[i] + I * bi[i]);
    wr[i] = creal(z), wi[i] = cimag(z);
  }
  assert_int_equal(cf_ckks_mul(ctx, rlk, a, b, r), CF_OK);
  assert_int_equal(cf_ckks_rescale(ctx, r, r), CF_OK);
  assert_true(check(ctx, sk, r, wr, wi, n, "mul + relin + rescale") > 14);
  for (size_t i = 0; i < n; i++)
    wr[i] = ar[(i + 3) % n], wi[i] = ai[(i + 3) % n];
  assert_int_equal(cf_ckks_rotate(ctx, gk, a, step, r), CF_OK);
  assert_true(check(ctx, sk, r, wr, wi, n, "rotate 3") > 14);
  for (size_t i = 0; i < n; i++)
    wr[i] = ar[i], wi[i] = -ai[i];
  assert_int_equal(cf_ckks_drop_level(ctx, a, 20, r), CF_OK);
  assert_int_equal(cf_ckks_conjugate(ctx, gk, r, r), CF_OK);
  assert_true(check(ctx, sk, r, wr, wi, n, "conjugate at level 20") > 14);
  free(ar), free(ai), free(br), free(bi), free(wr), free(wi);
  cf_ckks_ciphertext_destroy(a), cf_ckks_ciphertext_destroy(b), cf_ckks_ciphertext_destroy(r);
  cf_ckks_plaintext_destroy(pa), cf_ckks_plaintext_destroy(pb);
  cf_ckks_galois_key_destroy(gk);
  cf_ckks_relin_key_destroy(rlk);
  cf_ckks_public_key_destroy(pk);
  cf_ckks_secret_key_destroy(sk);
  cf_ckks_context_destroy(ctx);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_n16)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
