/* Fuzz target: every CKKS loader on arbitrary bytes (see fuzz_ckks_load.h). */
#include "fuzz_ckks_load.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cipherflow/ckks_io.h"

static cf_ckks_context *fuzz_ctx;

const cf_ckks_context *cf_fuzz_context(void) {
  if (!fuzz_ctx) {
    cf_ckks_params *p = NULL;
    if (sodium_init() < 0) abort();
    if (cf_ckks_params_preset("toy", true, &p) != CF_OK) abort();
    if (cf_ckks_context_create(p, &fuzz_ctx) != CF_OK) abort();
    cf_ckks_params_destroy(p);
  }
  return fuzz_ctx;
}

int cf_fuzz_ckks_load(const uint8_t *data, size_t size) {
  const cf_ckks_context *ctx = cf_fuzz_context();
  if (size < 1) return 0;
  uint8_t flags = data[0];
  size_t len = size - 1;
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) return 0;
  memcpy(buf, data + 1, len);
  if ((flags & 2) && len >= 40)
    memcpy(buf + 8, cf_ckks_params_fingerprint(cf_ckks_context_params(ctx)), 32);
  if ((flags & 1) && len >= 48 + 32) {
    uint64_t plen = len - 48 - 32;
    for (int i = 0; i < 8; i++)
      buf[40 + i] = (uint8_t)(plen >> (8 * i));
    crypto_generichash(buf + len - 32, 32, buf, len - 32, NULL, 0);
  }
  int ok = 0;
  cf_ckks_params *p = NULL;
  if (cf_ckks_load_params(buf, len, true, &p) == CF_OK) ok++;
  cf_ckks_params_destroy(p);
  cf_ckks_ciphertext *ct = NULL;
  if (cf_ckks_load_ciphertext(ctx, buf, len, &ct) == CF_OK) ok++;
  cf_ckks_ciphertext_destroy(ct);
  cf_ckks_plaintext *pt = NULL;
  if (cf_ckks_load_plaintext(ctx, buf, len, &pt) == CF_OK) ok++;
  cf_ckks_plaintext_destroy(pt);
  cf_ckks_secret_key *sk = NULL;
  if (cf_ckks_load_secret_key(ctx, buf, len, &sk) == CF_OK) ok++;
  cf_ckks_secret_key_destroy(sk);
  cf_ckks_public_key *pk = NULL;
  if (cf_ckks_load_public_key(ctx, buf, len, &pk) == CF_OK) ok++;
  cf_ckks_public_key_destroy(pk);
  cf_ckks_relin_key *rk = NULL;
  if (cf_ckks_load_relin_key(ctx, buf, len, &rk) == CF_OK) ok++;
  cf_ckks_relin_key_destroy(rk);
  cf_ckks_galois_key *gk = NULL;
  if (cf_ckks_load_galois_key(ctx, buf, len, &gk) == CF_OK) ok++;
  cf_ckks_galois_key_destroy(gk);
  free(buf);
  return ok;
}

#ifdef CF_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_fuzz_ckks_load(data, size);
  return 0;
}
#endif
