/*
 * Feeds the fuzz target valid objects of every kind, then mutated and
 * truncated versions of them: valid ones must load, damaged ones must be
 * rejected, and nothing may crash (this test also runs under ASan+UBSan).
 * With a directory argument it writes the seed corpus for libFuzzer there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipherflow/ckks_io.h"
#include "fuzz_ckks_load.h"

enum { NSEEDS = 7 };
static uint8_t *seeds[NSEEDS];
static size_t seed_len[NSEEDS];

static void make_seeds(void) {
  const cf_ckks_context *ctx = cf_fuzz_context();
  cf_ckks_secret_key *sk = NULL;
  cf_ckks_public_key *pk = NULL;
  cf_ckks_relin_key *rk = NULL;
  cf_ckks_galois_key *gk = NULL;
  int steps[] = {1, -3};
  assert_int_equal(cf_ckks_keygen_secret(ctx, &sk), CF_OK);
  assert_int_equal(cf_ckks_keygen_public(ctx, sk, &pk), CF_OK);
  assert_int_equal(cf_ckks_keygen_relin(ctx, sk, &rk), CF_OK);
  assert_int_equal(cf_ckks_keygen_galois(ctx, sk, steps, 2, true, &gk), CF_OK);
  double v[4] = {0.5, -0.25, 0.125, 1};
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_encode(ctx, v, NULL, 4, 1, 0x1p30, &pt), CF_OK);
  cf_ckks_ciphertext *ct = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(ctx, &ct), CF_OK);
  assert_int_equal(cf_ckks_encrypt_sk(ctx, sk, pt, ct), CF_OK);
  uint8_t *b;
  size_t n;
  assert_int_equal(cf_ckks_save_params(cf_ckks_context_params(ctx), &b, &n), CF_OK);
  seeds[0] = b, seed_len[0] = n;
  assert_int_equal(cf_ckks_save_ciphertext(ctx, ct, &b, &n), CF_OK);
  seeds[1] = b, seed_len[1] = n;
  assert_int_equal(cf_ckks_save_plaintext(ctx, pt, &b, &n), CF_OK);
  seeds[2] = b, seed_len[2] = n;
  assert_int_equal(cf_ckks_save_secret_key(ctx, sk, &b, &n), CF_OK);
  seeds[3] = b, seed_len[3] = n;
  assert_int_equal(cf_ckks_save_public_key(ctx, pk, &b, &n), CF_OK);
  seeds[4] = b, seed_len[4] = n;
  assert_int_equal(cf_ckks_save_relin_key(ctx, rk, &b, &n), CF_OK);
  seeds[5] = b, seed_len[5] = n;
  assert_int_equal(cf_ckks_save_galois_key(ctx, gk, &b, &n), CF_OK);
  seeds[6] = b, seed_len[6] = n;
  cf_ckks_ciphertext_destroy(ct);
  cf_ckks_plaintext_destroy(pt);
  cf_ckks_galois_key_destroy(gk);
  cf_ckks_relin_key_destroy(rk);
  cf_ckks_public_key_destroy(pk);
  cf_ckks_secret_key_destroy(sk);
}

static int run(const uint8_t *obj, size_t len, uint8_t flags) {
  uint8_t *in = malloc(len + 1);
  in[0] = flags;
  memcpy(in + 1, obj, len);
  int ok = cf_fuzz_ckks_load(in, len + 1);
  free(in);
  return ok;
}

static void test_valid_load_once(void **state) {
  (void)state;
  for (int i = 0; i < NSEEDS; i++) {
    int ok = run(seeds[i], seed_len[i], 0);
    if (ok != 1) print_message("seed %d: %s\n", i, cf_last_error());
    assert_int_equal(ok, 1);
  }
}

static void test_truncated_rejected(void **state) {
  (void)state;
  for (int i = 0; i < NSEEDS; i++) {
    size_t cuts[] = {0, 1, 4, 47, 48, 79, 80, seed_len[i] / 2, seed_len[i] - 1};
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
      assert_int_equal(run(seeds[i], cuts[c], 0), 0);
      /* even with a fixed-up envelope the payload parser must refuse a short body */
      if (cuts[c] >= 80 && cuts[c] < seed_len[i]) assert_int_equal(run(seeds[i], cuts[c], 3), 0);
    }
  }
}

static void test_mutations(void **state) {
  (void)state;
  int rounds = 150, accepted_fixed = 0;
  for (int i = 0; i < NSEEDS; i++) {
    uint8_t *m = malloc(seed_len[i]);
    for (int r = 0; r < rounds; r++) {
      memcpy(m, seeds[i], seed_len[i]);
      int flips = 1 + (int)randombytes_uniform(4);
      size_t lo = r % 2 ? 48 : 0; /* half the time keep the header intact */
      for (int f = 0; f < flips; f++) {
        size_t pos = lo + randombytes_uniform((uint32_t)(seed_len[i] - lo));
        m[pos] ^= (uint8_t)(1 + randombytes_uniform(255));
      }
      /* checksummed input: any change is rejected */
      assert_int_equal(run(m, seed_len[i], 0), 0);
      /* with the envelope repaired the parser decides; it must not crash */
      accepted_fixed += run(m, seed_len[i], 3);
    }
    free(m);
  }
  print_message("mutated inputs accepted after envelope repair: %d of %d\n", accepted_fixed,
                NSEEDS * rounds);
}

static void test_wrong_kind_and_version(void **state) {
  (void)state;
  const cf_ckks_context *ctx = cf_fuzz_context();
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_load_plaintext(ctx, seeds[1], seed_len[1], &pt), CF_EFORMAT);
  assert_null(pt);
  uint8_t *m = malloc(seed_len[1]);
  memcpy(m, seeds[1], seed_len[1]);
  m[4] = 9;
  cf_ckks_ciphertext *ct = NULL;
  assert_int_equal(cf_ckks_load_ciphertext(ctx, m, seed_len[1], &ct), CF_EVERSION);
  free(m);
}

static int teardown(void **state) {
  (void)state;
  for (int i = 0; i < NSEEDS; i++)
    cf_ckks_buffer_free(seeds[i]);
  return 0;
}

static int setup(void **state) {
  (void)state;
  make_seeds();
  return 0;
}

int main(int argc, char **argv) {
  if (sodium_init() < 0) return 1;
  if (argc == 2) { /* write the seed corpus */
    make_seeds();
    for (int i = 0; i < NSEEDS; i++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/seed%d", argv[1], i);
      FILE *f = fopen(path, "wb");
      if (!f) return 1;
      uint8_t flags = (uint8_t)(i & 3);
      fwrite(&flags, 1, 1, f);
      fwrite(seeds[i], 1, seed_len[i], f);
      fclose(f);
    }
    return 0;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_load_once),
      cmocka_unit_test(test_truncated_rejected),
      cmocka_unit_test(test_mutations),
      cmocka_unit_test(test_wrong_kind_and_version),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
