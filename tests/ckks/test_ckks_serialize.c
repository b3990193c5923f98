/* Serialization: round trips that still compute correctly, and rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "cipherflow/ckks_io.h"
#include "helpers.h"
#include "kernels/ckks/internal.h"

typedef struct fx {
  cf_ckks_context *ctx;
  cf_ckks_secret_key *sk;
  size_t slots;
} fx;

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  cf_ckks_params *p = NULL;
  if (cf_ckks_params_preset("toy", true, &p) != CF_OK) return -1;
  if (cf_ckks_context_create(p, &f->ctx) != CF_OK) return -1;
  cf_ckks_params_destroy(p);
  if (cf_ckks_keygen_secret(f->ctx, &f->sk) != CF_OK) return -1;
  f->slots = f->ctx->n / 2;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  cf_ckks_secret_key_destroy(f->sk);
  cf_ckks_context_destroy(f->ctx);
  free(f);
  return 0;
}

static cf_ckks_ciphertext *enc(fx *f, const cf_ckks_secret_key *sk, const double *v) {
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_encode(f->ctx, v, NULL, f->slots, f->ctx->L, 0x1p40, &pt), CF_OK);
  cf_ckks_ciphertext *ct = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &ct), CF_OK);
  assert_int_equal(cf_ckks_encrypt_sk(f->ctx, sk, pt, ct), CF_OK);
  cf_ckks_plaintext_destroy(pt);
  return ct;
}

static double dec_bits(fx *f, const cf_ckks_secret_key *sk, const cf_ckks_ciphertext *ct,
                       const double *want) {
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_decrypt(f->ctx, sk, ct, &pt), CF_OK);
  double *got = malloc(f->slots * sizeof *got);
  assert_int_equal(cf_ckks_decode(f->ctx, pt, got, NULL), CF_OK);
  double b = precision_bits(want, NULL, got, NULL, f->slots);
  free(got);
  cf_ckks_plaintext_destroy(pt);
  return b;
}

static int same_ct(const cf_ckks_ciphertext *x, const cf_ckks_ciphertext *y) {
  size_t words = (size_t)x->size * (size_t)(x->level + 1) * x->ctx->n;
  return x->level == y->level && x->size == y->size && x->scale == y->scale &&
         x->slots == y->slots && memcmp(x->data, y->data, words * 8) == 0;
}

static void test_roundtrips(void **state) {
  fx *f = *state;
  double *v = malloc(f->slots * sizeof *v);
  rnd_fill(v, f->slots);
  uint8_t *b;
  size_t n;
  /* secret key */
  assert_int_equal(cf_ckks_save_secret_key(f->ctx, f->sk, &b, &n), CF_OK);
  cf_ckks_secret_key *sk2 = NULL;
  assert_int_equal(cf_ckks_load_secret_key(f->ctx, b, n, &sk2), CF_OK);
  cf_ckks_buffer_free(b);
  assert_memory_equal(sk2->s, f->sk->s, (size_t)f->ctx->nprimes * f->ctx->n * 8);
  /* ciphertext */
  cf_ckks_ciphertext *ct = enc(f, f->sk, v), *ct2 = NULL;
  assert_int_equal(cf_ckks_save_ciphertext(f->ctx, ct, &b, &n), CF_OK);
  assert_int_equal(cf_ckks_load_ciphertext(f->ctx, b, n, &ct2), CF_OK);
  cf_ckks_buffer_free(b);
  assert_true(same_ct(ct, ct2));
  assert_true(dec_bits(f, sk2, ct2, v) > 20);
  /* plaintext */
  cf_ckks_plaintext *pt = NULL, *pt2 = NULL;
  assert_int_equal(cf_ckks_encode(f->ctx, v, NULL, 8, 2, 0x1p35, &pt), CF_OK);
  assert_int_equal(cf_ckks_save_plaintext(f->ctx, pt, &b, &n), CF_OK);
  assert_int_equal(cf_ckks_load_plaintext(f->ctx, b, n, &pt2), CF_OK);
  cf_ckks_buffer_free(b);
  assert_int_equal(pt2->level, 2);
  assert_int_equal(pt2->slots, 8);
  assert_memory_equal(pt->data, pt2->data, 3 * f->ctx->n * 8);
  /* public key: encryptions under the loaded key decrypt */
  cf_ckks_public_key *pk = NULL, *pk2 = NULL;
  assert_int_equal(cf_ckks_keygen_public(f->ctx, f->sk, &pk), CF_OK);
  assert_int_equal(cf_ckks_save_public_key(f->ctx, pk, &b, &n), CF_OK);
  assert_int_equal(cf_ckks_load_public_key(f->ctx, b, n, &pk2), CF_OK);
  cf_ckks_buffer_free(b);
  assert_memory_equal(pk->a, pk2->a, (size_t)(f->ctx->L + 1) * f->ctx->n * 8);
  /* relinearization key: seeded, about half the in-memory size, same results */
  cf_ckks_relin_key *rk = NULL, *rk2 = NULL;
  assert_int_equal(cf_ckks_keygen_relin(f->ctx, f->sk, &rk), CF_OK);
  assert_int_equal(cf_ckks_save_relin_key(f->ctx, rk, &b, &n), CF_OK);
  size_t mem = 2 * (size_t)rk->ks.dnum * (size_t)f->ctx->nprimes * f->ctx->n * 8;
  print_message("relin key: %zu bytes serialized, %zu in memory\n", n, mem);
  assert_true(n < mem / 2 + 1024);
  assert_int_equal(cf_ckks_load_relin_key(f->ctx, b, n, &rk2), CF_OK);
  cf_ckks_buffer_free(b);
  cf_ckks_ciphertext *m1 = NULL, *m2 = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &m1), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &m2), CF_OK);
  assert_int_equal(cf_ckks_mul(f->ctx, rk, ct, ct, m1), CF_OK);
  assert_int_equal(cf_ckks_mul(f->ctx, rk2, ct2, ct2, m2), CF_OK);
  assert_true(same_ct(m1, m2));
  /* Galois key */
  int steps[] = {1, 7};
  cf_ckks_galois_key *gk = NULL, *gk2 = NULL;
  assert_int_equal(cf_ckks_keygen_galois(f->ctx, f->sk, steps, 2, true, &gk), CF_OK);
  assert_int_equal(cf_ckks_save_galois_key(f->ctx, gk, &b, &n), CF_OK);
  assert_int_equal(cf_ckks_load_galois_key(f->ctx, b, n, &gk2), CF_OK);
  cf_ckks_buffer_free(b);
  assert_true(cf_ckks_galois_key_has(f->ctx, gk2, 7, false));
  assert_true(cf_ckks_galois_key_has(f->ctx, gk2, 0, true));
  assert_int_equal(cf_ckks_rotate(f->ctx, gk, ct, 7, m1), CF_OK);
  assert_int_equal(cf_ckks_rotate(f->ctx, gk2, ct, 7, m2), CF_OK);
  assert_true(same_ct(m1, m2));
  /* parameters */
  cf_ckks_params *p2 = NULL;
  assert_int_equal(cf_ckks_save_params(cf_ckks_context_params(f->ctx), &b, &n), CF_OK);
  assert_int_equal(cf_ckks_load_params(b, n, false, &p2), CF_EINSECURE);
  assert_null(p2);
  assert_int_equal(cf_ckks_load_params(b, n, true, &p2), CF_OK);
  cf_ckks_buffer_free(b);
  assert_memory_equal(cf_ckks_params_fingerprint(p2),
                      cf_ckks_params_fingerprint(cf_ckks_context_params(f->ctx)), 32);
  cf_ckks_params_destroy(p2);
  cf_ckks_ciphertext_destroy(m1), cf_ckks_ciphertext_destroy(m2);
  cf_ckks_galois_key_destroy(gk), cf_ckks_galois_key_destroy(gk2);
  cf_ckks_relin_key_destroy(rk), cf_ckks_relin_key_destroy(rk2);
  cf_ckks_public_key_destroy(pk), cf_ckks_public_key_destroy(pk2);
  cf_ckks_plaintext_destroy(pt), cf_ckks_plaintext_destroy(pt2);
  cf_ckks_ciphertext_destroy(ct), cf_ckks_ciphertext_destroy(ct2);
  cf_ckks_secret_key_destroy(sk2);
  free(v);
}

static void reseal(uint8_t *b, size_t n) { crypto_generichash(b + n - 32, 32, b, n - 32, NULL, 0); }

static void test_rejections(void **state) {
  fx *f = *state;
  double *v = calloc(f->slots, sizeof *v);
  cf_ckks_ciphertext *ct = enc(f, f->sk, v), *out = NULL;
  uint8_t *b;
  size_t n;
  assert_int_equal(cf_ckks_save_ciphertext(f->ctx, ct, &b, &n), CF_OK);
  /* truncated */
  assert_int_equal(cf_ckks_load_ciphertext(f->ctx, b, n - 1, &out), CF_EFORMAT);
  assert_int_equal(cf_ckks_load_ciphertext(f->ctx, b, 10, &out), CF_EFORMAT);
  /* corrupted */
  b[100] ^= 0x10;
  assert_int_equal(cf_ckks_load_ciphertext(f->ctx, b, n, &out), CF_ECHECKSUM);
  b[100] ^= 0x10;
  /* a residue >= q, with a valid checksum */
  size_t first = 48 + 24;
  uint64_t q = f->ctx->params.primes[0];
  for (int i = 0; i < 8; i++)
    b[first + 5 * 8 + (size_t)i] = (uint8_t)(q >> (8 * i));
  reseal(b, n);
  assert_int_equal(cf_ckks_load_ciphertext(f->ctx, b, n, &out), CF_EFORMAT);
  assert_non_null(strstr(cf_last_error(), "not below q"));
  /* a level above the maximum */
  b[48] = 99;
  reseal(b, n);
  assert_int_equal(cf_ckks_load_ciphertext(f->ctx, b, n, &out), CF_EFORMAT);
  assert_null(out);
  cf_ckks_buffer_free(b);
  /* mismatched parameters: a ciphertext of another set */
  cf_ckks_params_spec s;
  memset(&s, 0, sizeof s);
  s.log_n = 11, s.nq = 4, s.np = 2, s.dnum = 2, s.log_scale = 40, s.allow_insecure = true;
  for (int i = 0; i < 4; i++)
    s.q_bits[i] = 45;
  s.p_bits[0] = s.p_bits[1] = 50;
  cf_ckks_params *p = NULL;
  cf_ckks_context *other = NULL;
  assert_int_equal(cf_ckks_params_create(&s, &p), CF_OK);
  assert_int_equal(cf_ckks_context_create(p, &other), CF_OK);
  assert_int_equal(cf_ckks_save_ciphertext(f->ctx, ct, &b, &n), CF_OK);
  assert_int_equal(cf_ckks_load_ciphertext(other, b, n, &out), CF_EMISMATCH);
  assert_non_null(strstr(cf_last_error(), "fingerprint"));
  /* wrong object kind */
  cf_ckks_relin_key *rk = NULL;
  assert_int_equal(cf_ckks_load_relin_key(f->ctx, b, n, &rk), CF_EFORMAT);
  assert_null(rk);
  cf_ckks_buffer_free(b);
  /* secret key with a non-ternary coefficient */
  assert_int_equal(cf_ckks_save_secret_key(f->ctx, f->sk, &b, &n), CF_OK);
  b[48 + 3] = 2;
  reseal(b, n);
  cf_ckks_secret_key *sk = NULL;
  assert_int_equal(cf_ckks_load_secret_key(f->ctx, b, n, &sk), CF_EFORMAT);
  assert_null(sk);
  cf_ckks_buffer_free(b);
  cf_ckks_context_destroy(other);
  cf_ckks_params_destroy(p);
  cf_ckks_ciphertext_destroy(ct);
  free(v);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrips),
      cmocka_unit_test(test_rejections),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
