/*
 * Randomness for keys and encryption, all from libsodium: randombytes_buf
 * (the OS CSPRNG) for secrets and errors, and ChaCha20 keyed by a 32-byte
 * seed for the uniform halves of keys, so they can be stored as the seed
 * and expanded deterministically.
 */
#include <sodium.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"

void cf_ckks_sample_ternary(int8_t *out, size_t n) {
  uint8_t buf[256];
  size_t have = 0, pos = 0;
  for (size_t i = 0; i < n;) {
    if (pos == have) {
      randombytes_buf(buf, sizeof buf);
      have = sizeof buf;
      pos = 0;
    }
    uint8_t b = buf[pos++];
    if (b >= 255) continue; /* 255 = 3 * 85: reject to stay uniform */
    out[i++] = (int8_t)(b % 3) - 1;
  }
  sodium_memzero(buf, sizeof buf);
}

cf_status cf_ckks_sample_hamming(int8_t *out, size_t n, int h) {
  if (h < 1 || (size_t)h > n) return CF_FAIL(CF_EINVAL, "hamming weight %d outside [1, %zu]", h, n);
  memset(out, 0, n);
  /* Floyd's algorithm: h distinct positions, each a random sign. */
  for (size_t j = n - (size_t)h; j < n; j++) {
    size_t t = (size_t)randombytes_uniform((uint32_t)(j + 1));
    size_t pos = out[t] ? j : t;
    out[pos] = (randombytes_random() & 1) ? 1 : -1;
  }
  return CF_OK;
}

void cf_ckks_sample_error(int8_t *out, size_t n) {
  uint64_t buf[64];
  for (size_t i = 0; i < n; i += 64) {
    randombytes_buf(buf, sizeof buf);
    size_t m = n - i < 64 ? n - i : 64;
    for (size_t k = 0; k < m; k++) {
      uint64_t a = buf[k] & 0x1fffff, b = (buf[k] >> 21) & 0x1fffff;
      out[i + k] = (int8_t)(__builtin_popcountll(a) - __builtin_popcountll(b));
    }
  }
  sodium_memzero(buf, sizeof buf);
}

void cf_ckks_small_to_rows(const cf_ckks_context *ctx, const int8_t *c, uint64_t *rows,
                           const uint16_t *primes, size_t count) {
  size_t n = ctx->n;
  for (size_t r = 0; r < count; r++) {
    uint64_t q = ctx->params.primes[primes[r]];
    uint64_t *row = rows + r * n;
    /* branch-free so it vectorizes: negative values wrap, then q is added back */
    for (size_t k = 0; k < n; k++) {
      int64_t v = c[k];
      row[k] = (uint64_t)v + ((uint64_t)(v >> 63) & q);
    }
  }
}

/* Rejection sampling of words masked to the bit length of q: uniform in [0, q). */
void cf_ckks_expand_uniform(const cf_ckks_context *ctx, const uint8_t seed[32], uint32_t stream,
                            uint64_t *rows, const uint16_t *primes, size_t count) {
  enum { CHUNK = 512 };
  uint64_t buf[CHUNK];
  static const uint8_t zero[sizeof buf];
  size_t n = ctx->n;
  for (size_t r = 0; r < count; r++) {
    const cf_modulus *m = &ctx->mods[primes[r]];
    uint64_t mask = m->bits >= 64 ? ~0ull : ((1ull << m->bits) - 1);
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
    uint64_t nv = ((uint64_t)stream << 16) | primes[r];
    for (int b = 0; b < 8; b++)
      nonce[b] = (uint8_t)(nv >> (8 * b));
    uint64_t ic = 0;
    size_t k = 0;
    uint64_t *row = rows + r * n;
    while (k < n) {
      crypto_stream_chacha20_xor_ic((uint8_t *)buf, zero, sizeof buf, nonce, ic, seed);
      ic += sizeof buf / 64;
      for (size_t t = 0; t < CHUNK && k < n; t++) {
        uint64_t w = 0;
        const uint8_t *p = (const uint8_t *)&buf[t];
        for (int b = 0; b < 8; b++)
          w |= (uint64_t)p[b] << (8 * b);
        w &= mask;
        if (w < m->q) row[k++] = w;
      }
    }
  }
}
