/*
 * Key generation. The secret is ternary (uniform or fixed Hamming weight);
 * errors are centred binomial (eta 21, sigma ~3.24). Key-switching keys
 * are hybrid: digit j holds (b_j, a_j) over Q_L u P with
 *   b_j = -a_j s + e_j + [q_i in digit j] * (P mod q_i) * s'
 * so that sum_j ModUp(d_j) * b_j + ... switches d from s' to s after ModDown.
 * The a_j (and the public key's a) come from a 32-byte seed through ChaCha20.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"

#define PK_STREAM 0xffffffu

static uint16_t *all_primes(const cf_ckks_context *ctx) {
  uint16_t *p = malloc((size_t)ctx->nprimes * sizeof *p);
  if (p) cf_ckks_identity_primes(p, 0, ctx->nprimes);
  return p;
}

void cf_ckks_secret_key_destroy(cf_ckks_secret_key *k) {
  if (!k) return;
  free(k->coeffs);
  free(k->s);
  free(k);
}

cf_status cf_ckks_secret_from_coeffs(const cf_ckks_context *ctx, int8_t *coeffs,
                                     cf_ckks_secret_key **out);

/* Takes ownership of coeffs. */
cf_status cf_ckks_secret_from_coeffs(const cf_ckks_context *ctx, int8_t *coeffs,
                                     cf_ckks_secret_key **out) {
  cf_ckks_secret_key *k = calloc(1, sizeof *k);
  uint16_t *pr = all_primes(ctx);
  if (k) k->s = cf_ckks_rows_alloc(ctx, (size_t)ctx->nprimes);
  if (!k || !pr || !k->s) {
    free(pr);
    free(coeffs);
    if (k) free(k->s);
    free(k);
    return CF_FAIL(CF_ENOMEM, "allocating a secret key");
  }
  k->coeffs = coeffs;
  cf_ckks_small_to_rows(ctx, coeffs, k->s, pr, (size_t)ctx->nprimes);
  cf_ckks_step_ntt(ctx, k->s, pr, (size_t)ctx->nprimes);
  free(pr);
  *out = k;
  return CF_OK;
}

cf_status cf_ckks_keygen_secret(const cf_ckks_context *ctx, cf_ckks_secret_key **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_secret: out is NULL");
  *out = NULL;
  if (!ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_secret: ctx is NULL");
  int8_t *c = malloc(ctx->n);
  if (!c) return CF_FAIL(CF_ENOMEM, "allocating secret coefficients");
  if (ctx->params.spec.secret == CF_CKKS_SECRET_HAMMING) {
    cf_status st = cf_ckks_sample_hamming(c, ctx->n, ctx->params.spec.hamming_weight);
    if (st != CF_OK) {
      free(c);
      return st;
    }
  } else {
    cf_ckks_sample_ternary(c, ctx->n);
  }
  return cf_ckks_secret_from_coeffs(ctx, c, out);
}

/* b = -a s + e over the given rows (evaluation form). */
static cf_status rlwe_sample(const cf_ckks_context *ctx, const uint64_t *s, const uint64_t *a,
                             uint64_t *b, const uint16_t *primes, size_t count) {
  int8_t *e = malloc(ctx->n);
  if (!e) return CF_FAIL(CF_ENOMEM, "allocating an error polynomial");
  cf_ckks_sample_error(e, ctx->n);
  cf_ckks_small_to_rows(ctx, e, b, primes, count);
  free(e);
  cf_ckks_step_ntt(ctx, b, primes, count);
  for (size_t t = 0; t < count; t++) {
    size_t off = (size_t)t * ctx->n, soff = (size_t)primes[t] * ctx->n;
    const cf_modulus *m = &ctx->mods[primes[t]];
    for (size_t k = 0; k < ctx->n; k++)
      b[off + k] = cf_sub_mod(b[off + k], cf_mul_mod(a[off + k], s[soff + k], m), m->q);
  }
  return CF_OK;
}

cf_status cf_ckks_pk_expand(const cf_ckks_context *ctx, cf_ckks_public_key *pk) {
  size_t rows = (size_t)ctx->L + 1;
  pk->a = cf_ckks_rows_alloc(ctx, rows);
  uint16_t *pr = all_primes(ctx);
  if (!pk->a || !pr) {
    free(pr);
    return CF_FAIL(CF_ENOMEM, "expanding a public key");
  }
  cf_ckks_expand_uniform(ctx, pk->seed, PK_STREAM, pk->a, pr, rows);
  free(pr);
  return CF_OK;
}

void cf_ckks_public_key_destroy(cf_ckks_public_key *k) {
  if (!k) return;
  free(k->a);
  free(k->b);
  free(k);
}

cf_status cf_ckks_keygen_public(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                cf_ckks_public_key **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_public: out is NULL");
  *out = NULL;
  if (!ctx || !sk) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_public: NULL argument");
  cf_ckks_public_key *pk = calloc(1, sizeof *pk);
  if (!pk) return CF_FAIL(CF_ENOMEM, "allocating a public key");
  randombytes_buf(pk->seed, sizeof pk->seed);
  size_t rows = (size_t)ctx->L + 1;
  pk->b = cf_ckks_rows_alloc(ctx, rows);
  uint16_t *pr = all_primes(ctx);
  cf_status st =
      pk->b && pr ? cf_ckks_pk_expand(ctx, pk) : CF_FAIL(CF_ENOMEM, "allocating a public key");
  if (st == CF_OK) st = rlwe_sample(ctx, sk->s, pk->a, pk->b, pr, rows);
  free(pr);
  if (st != CF_OK) {
    cf_ckks_public_key_destroy(pk);
    return st;
  }
  *out = pk;
  return CF_OK;
}

void cf_ckks_kskey_free(cf_ckks_kskey *k) {
  free(k->a);
  free(k->b);
  k->a = k->b = NULL;
}

cf_status cf_ckks_kskey_expand(const cf_ckks_context *ctx, cf_ckks_kskey *k) {
  size_t np = (size_t)ctx->nprimes;
  k->a = cf_ckks_rows_alloc(ctx, (size_t)k->dnum * np);
  uint16_t *pr = all_primes(ctx);
  if (!k->a || !pr) {
    free(pr);
    return CF_FAIL(CF_ENOMEM, "expanding a key-switching key (%d digits)", k->dnum);
  }
  for (int j = 0; j < k->dnum; j++)
    cf_ckks_expand_uniform(ctx, k->seed, (uint32_t)j, k->a + (size_t)j * np * ctx->n, pr, np);
  free(pr);
  return CF_OK;
}

/* Key switching from s2 (evaluation form, all primes) to sk. */
static cf_status kskey_gen(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                           const uint64_t *s2, cf_ckks_kskey *k) {
  memset(k, 0, sizeof *k);
  k->dnum = ctx->levels[ctx->L].ndigits;
  randombytes_buf(k->seed, sizeof k->seed);
  size_t np = (size_t)ctx->nprimes, n = ctx->n;
  k->b = cf_ckks_rows_alloc(ctx, (size_t)k->dnum * np);
  uint16_t *pr = all_primes(ctx);
  cf_status st = k->b && pr ? cf_ckks_kskey_expand(ctx, k)
                            : CF_FAIL(CF_ENOMEM, "allocating a key-switching key");
  for (int j = 0; st == CF_OK && j < k->dnum; j++) {
    uint64_t *b = k->b + (size_t)j * np * n, *a = k->a + (size_t)j * np * n;
    st = rlwe_sample(ctx, sk->s, a, b, pr, np);
    const cf_ckks_digit *d = &ctx->levels[ctx->L].digits[j];
    for (int i = d->first; st == CF_OK && i < d->first + d->count; i++) {
      const cf_modulus *m = &ctx->mods[i];
      uint64_t pm = ctx->p_mod_q[i], pm_sh = cf_shoup_prep(pm, m->q);
      for (size_t c = 0; c < n; c++)
        b[(size_t)i * n + c] = cf_add_mod(
            b[(size_t)i * n + c], cf_mul_shoup(s2[(size_t)i * n + c], pm, pm_sh, m->q), m->q);
    }
  }
  free(pr);
  if (st != CF_OK) cf_ckks_kskey_free(k);
  return st;
}

void cf_ckks_relin_key_destroy(cf_ckks_relin_key *k) {
  if (!k) return;
  cf_ckks_kskey_free(&k->ks);
  free(k);
}

cf_status cf_ckks_keygen_relin(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                               cf_ckks_relin_key **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_relin: out is NULL");
  *out = NULL;
  if (!ctx || !sk) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_relin: NULL argument");
  cf_ckks_relin_key *k = calloc(1, sizeof *k);
  uint64_t *s2 = cf_ckks_rows_alloc(ctx, (size_t)ctx->nprimes);
  uint16_t *pr = all_primes(ctx);
  if (!k || !s2 || !pr) {
    free(k);
    free(s2);
    free(pr);
    return CF_FAIL(CF_ENOMEM, "allocating a relinearization key");
  }
  cf_ckks_step_mul(ctx, s2, sk->s, sk->s, pr, (size_t)ctx->nprimes);
  free(pr);
  cf_status st = kskey_gen(ctx, sk, s2, &k->ks);
  sodium_memzero(s2, cf_ckks_rows_bytes(ctx, (size_t)ctx->nprimes));
  free(s2);
  if (st != CF_OK) {
    free(k);
    return st;
  }
  *out = k;
  return CF_OK;
}

uint64_t cf_ckks_galois_for_step(const cf_ckks_context *ctx, int step) {
  uint64_t m = 2 * ctx->n;
  long long slots = (long long)(ctx->n / 2);
  long long s = ((long long)step % slots + slots) % slots;
  uint64_t g = 1, b = 5;
  for (unsigned long long e = (unsigned long long)s; e; e >>= 1) {
    if (e & 1) g = g * b % m;
    b = b * b % m;
  }
  return g;
}

const cf_ckks_galois_entry *cf_ckks_galois_find(const cf_ckks_galois_key *gk, uint64_t g) {
  for (size_t i = 0; gk && i < gk->count; i++)
    if (gk->entries[i].galois == g) return &gk->entries[i];
  return NULL;
}

bool cf_ckks_galois_key_has(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk, int step,
                            bool conj) {
  if (!ctx || !gk) return false;
  uint64_t g = conj ? 2 * ctx->n - 1 : cf_ckks_galois_for_step(ctx, step);
  return cf_ckks_galois_find(gk, g) != NULL;
}

void cf_ckks_galois_key_destroy(cf_ckks_galois_key *k) {
  if (!k) return;
  for (size_t i = 0; i < k->count; i++) {
    cf_automorph_table_free(&k->entries[i].table);
    cf_ckks_kskey_free(&k->entries[i].ks);
  }
  free(k->entries);
  free(k);
}

cf_status cf_ckks_galois_entry_init(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                    uint64_t g, cf_ckks_galois_entry *e);

/* With sk: a fresh key for g. Without: only the table (the loader fills the key). */
cf_status cf_ckks_galois_entry_init(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                    uint64_t g, cf_ckks_galois_entry *e) {
  memset(e, 0, sizeof *e);
  e->galois = g;
  CF_TRY(cf_automorph_table_init(&e->table, ctx->n, g));
  if (!sk) return CF_OK;
  uint64_t *sg = cf_ckks_rows_alloc(ctx, (size_t)ctx->nprimes);
  if (!sg) {
    cf_automorph_table_free(&e->table);
    return CF_FAIL(CF_ENOMEM, "allocating a Galois key");
  }
  cf_ckks_step_automorph(ctx, &e->table, sg, sk->s, (size_t)ctx->nprimes);
  cf_status st = kskey_gen(ctx, sk, sg, &e->ks);
  sodium_memzero(sg, cf_ckks_rows_bytes(ctx, (size_t)ctx->nprimes));
  free(sg);
  if (st != CF_OK) cf_automorph_table_free(&e->table);
  return st;
}

cf_status cf_ckks_keygen_galois(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                const int *steps, size_t nsteps, bool conjugate,
                                cf_ckks_galois_key **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_galois: out is NULL");
  *out = NULL;
  if (!ctx || !sk || (nsteps && !steps))
    return CF_FAIL(CF_EINVAL, "cf_ckks_keygen_galois: NULL argument");
  cf_ckks_galois_key *k = calloc(1, sizeof *k);
  if (k) k->entries = calloc(nsteps + 1, sizeof *k->entries);
  if (!k || !k->entries) {
    free(k);
    return CF_FAIL(CF_ENOMEM, "allocating Galois keys");
  }
  for (size_t i = 0; i <= nsteps; i++) {
    if (i == nsteps && !conjugate) break;
    uint64_t g = i == nsteps ? 2 * ctx->n - 1 : cf_ckks_galois_for_step(ctx, steps[i]);
    if (g == 1 || cf_ckks_galois_find(k, g)) continue; /* identity or duplicate */
    cf_status st = cf_ckks_galois_entry_init(ctx, sk, g, &k->entries[k->count]);
    if (st != CF_OK) {
      cf_ckks_galois_key_destroy(k);
      return st;
    }
    k->count++;
  }
  *out = k;
  return CF_OK;
}
