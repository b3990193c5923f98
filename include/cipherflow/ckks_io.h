/*
 * Serialization of CKKS objects.
 *
 * Format (little-endian), version 1:
 *   magic "CFCK" | u16 format version | u16 object kind |
 *   32-byte parameter fingerprint (BLAKE2b-256 of the canonical parameter
 *   encoding) | u64 payload length | payload | 32-byte BLAKE2b-256 checksum
 *   of everything before it.
 * Key-switching and public keys store their uniform halves as a 32-byte
 * ChaCha20 seed, so a serialized key is about half the size of the key in
 * memory. Readers check every length, bound and residue (< its prime) and
 * the fingerprint against the context; on any failure they return an error
 * naming the problem (CF_EFORMAT, CF_EVERSION, CF_ECHECKSUM, CF_EMISMATCH,
 * CF_EINSECURE) and produce no object.
 *
 * save functions allocate *buf (release it with cf_ckks_buffer_free).
 */
#ifndef CIPHERFLOW_CKKS_IO_H
#define CIPHERFLOW_CKKS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/ckks.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CF_CKKS_FORMAT_VERSION 1

typedef enum cf_ckks_object_kind {
  CF_CKKS_OBJ_PARAMS = 1,
  CF_CKKS_OBJ_CIPHERTEXT = 2,
  CF_CKKS_OBJ_PLAINTEXT = 3,
  CF_CKKS_OBJ_SECRET_KEY = 4,
  CF_CKKS_OBJ_PUBLIC_KEY = 5,
  CF_CKKS_OBJ_RELIN_KEY = 6,
  CF_CKKS_OBJ_GALOIS_KEY = 7,
} cf_ckks_object_kind;

void cf_ckks_buffer_free(uint8_t *buf);

cf_status cf_ckks_save_params(const cf_ckks_params *p, uint8_t **buf, size_t *len);
/* Re-runs the security check: insecure sets load only with allow_insecure. */
cf_status cf_ckks_load_params(const uint8_t *buf, size_t len, bool allow_insecure,
                              cf_ckks_params **out);

cf_status cf_ckks_save_ciphertext(const cf_ckks_context *ctx, const cf_ckks_ciphertext *ct,
                                  uint8_t **buf, size_t *len);
cf_status cf_ckks_load_ciphertext(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_ciphertext **out);
cf_status cf_ckks_save_plaintext(const cf_ckks_context *ctx, const cf_ckks_plaintext *pt,
                                 uint8_t **buf, size_t *len);
cf_status cf_ckks_load_plaintext(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                 cf_ckks_plaintext **out);
cf_status cf_ckks_save_secret_key(const cf_ckks_context *ctx, const cf_ckks_secret_key *k,
                                  uint8_t **buf, size_t *len);
cf_status cf_ckks_load_secret_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_secret_key **out);
cf_status cf_ckks_save_public_key(const cf_ckks_context *ctx, const cf_ckks_public_key *k,
                                  uint8_t **buf, size_t *len);
cf_status cf_ckks_load_public_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_public_key **out);
cf_status cf_ckks_save_relin_key(const cf_ckks_context *ctx, const cf_ckks_relin_key *k,
                                 uint8_t **buf, size_t *len);
cf_status cf_ckks_load_relin_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                 cf_ckks_relin_key **out);
cf_status cf_ckks_save_galois_key(const cf_ckks_context *ctx, const cf_ckks_galois_key *k,
                                  uint8_t **buf, size_t *len);
cf_status cf_ckks_load_galois_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_galois_key **out);

#ifdef __cplusplus
}
#endif
#endif
