/* Ciphertext objects, encryption (public and secret key) and decryption. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"

cf_status cf_ckks_ciphertext_create(const cf_ckks_context *ctx, cf_ckks_ciphertext **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_ciphertext_create: out is NULL");
  *out = NULL;
  if (!ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_ciphertext_create: ctx is NULL");
  cf_ckks_ciphertext *ct = calloc(1, sizeof *ct);
  if (!ct) return CF_FAIL(CF_ENOMEM, "allocating a ciphertext");
  ct->ctx = ctx;
  ct->level = -1;
  *out = ct;
  return CF_OK;
}

void cf_ckks_ciphertext_destroy(cf_ckks_ciphertext *ct) {
  if (!ct) return;
  free(ct->data);
  free(ct);
}

cf_status cf_ckks_ct_alloc(const cf_ckks_context *ctx, cf_ckks_ciphertext *ct, int size,
                           int level) {
  memset(ct, 0, sizeof *ct);
  ct->ctx = ctx;
  ct->data = cf_ckks_rows_alloc(ctx, (size_t)size * (size_t)(level + 1));
  if (!ct->data)
    return CF_FAIL(CF_ENOMEM, "allocating a ciphertext of %d x %d limbs", size, level + 1);
  ct->size = size;
  ct->level = level;
  ct->cap = (size_t)size * (size_t)(level + 1) * ctx->n;
  return CF_OK;
}

cf_status cf_ckks_ct_begin(const cf_ckks_context *ctx, cf_ckks_ciphertext *out, const void *in1,
                           const void *in2, int size, int level, cf_ckks_ciphertext *t) {
  size_t need = (size_t)size * (size_t)(level + 1) * ctx->n;
  if ((const void *)out != in1 && (const void *)out != in2 && out->data && out->cap >= need) {
    *t = *out;
    t->ctx = ctx;
    t->size = size;
    t->level = level;
    return CF_OK;
  }
  return cf_ckks_ct_alloc(ctx, t, size, level);
}

void cf_ckks_ct_abort(cf_ckks_ciphertext *out, cf_ckks_ciphertext *t) {
  if (t->data != out->data)
    free(t->data);
  else if (t->data)
    out->size = 0; /* its storage may be half-written: empty, never silently wrong */
  memset(t, 0, sizeof *t);
}

void cf_ckks_ct_move(cf_ckks_ciphertext *dst, cf_ckks_ciphertext *src) {
  if (dst->data != src->data) free(dst->data);
  *dst = *src;
  memset(src, 0, sizeof *src);
}

cf_status cf_ckks_ciphertext_copy(const cf_ckks_ciphertext *in, cf_ckks_ciphertext *out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_ciphertext_copy: NULL argument");
  if (in == out) return CF_OK;
  if (in->size == 0) return CF_FAIL(CF_EINVAL, "cf_ckks_ciphertext_copy: input is empty");
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_alloc(in->ctx, &t, in->size, in->level));
  memcpy(t.data, in->data, cf_ckks_rows_bytes(in->ctx, (size_t)in->size * (size_t)(in->level + 1)));
  t.scale = in->scale;
  t.slots = in->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

int cf_ckks_ciphertext_level(const cf_ckks_ciphertext *ct) { return ct ? ct->level : -1; }
double cf_ckks_ciphertext_scale(const cf_ckks_ciphertext *ct) { return ct ? ct->scale : 0; }
size_t cf_ckks_ciphertext_slots(const cf_ckks_ciphertext *ct) { return ct ? ct->slots : 0; }
int cf_ckks_ciphertext_size(const cf_ckks_ciphertext *ct) { return ct ? ct->size : 0; }

static cf_status small_ntt(const cf_ckks_context *ctx, int ternary, uint64_t *rows,
                           const uint16_t *pr, size_t count) {
  int8_t *c = malloc(ctx->n);
  if (!c) return CF_FAIL(CF_ENOMEM, "allocating a noise polynomial");
  if (ternary)
    cf_ckks_sample_ternary(c, ctx->n);
  else
    cf_ckks_sample_error(c, ctx->n);
  cf_ckks_small_to_rows(ctx, c, rows, pr, count);
  sodium_memzero(c, ctx->n);
  free(c);
  cf_ckks_step_ntt(ctx, rows, pr, count);
  return CF_OK;
}

static cf_status check_pt(const cf_ckks_context *ctx, const cf_ckks_plaintext *pt) {
  if (pt->level < 0 || pt->level > ctx->L)
    return CF_FAIL(CF_ELEVEL, "plaintext level %d outside [0, %d]", pt->level, ctx->L);
  return CF_OK;
}

/* c0 = v b + e0 + m, c1 = v a + e1 with v ternary. */
cf_status cf_ckks_encrypt_pk(const cf_ckks_context *ctx, const cf_ckks_public_key *pk,
                             const cf_ckks_plaintext *pt, cf_ckks_ciphertext *out) {
  if (!ctx || !pk || !pt || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_encrypt_pk: NULL argument");
  CF_TRY(check_pt(ctx, pt));
  size_t rows = (size_t)pt->level + 1, n = ctx->n;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)rows);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, NULL, NULL, 2, pt->level, &t));
  uint64_t *v = cf_ckks_tmp_rows(ctx, rows);
  uint64_t *c0 = t.data, *c1 = t.data + rows * n;
  cf_status st =
      v ? small_ntt(ctx, 1, v, pr, rows) : CF_FAIL(CF_ENOMEM, "allocating encryption buffers");
  if (st == CF_OK) st = small_ntt(ctx, 0, c0, pr, rows);
  if (st == CF_OK) st = small_ntt(ctx, 0, c1, pr, rows);
  if (st == CF_OK) {
    cf_ckks_step_mul_acc(ctx, c0, v, pk->b, pr, rows);
    cf_ckks_step_add(ctx, c0, c0, pt->data, pr, rows);
    cf_ckks_step_mul_acc(ctx, c1, v, pk->a, pr, rows);
  }
  if (v) {
    sodium_memzero(v, cf_ckks_rows_bytes(ctx, rows));
    cf_ckks_tmp_free(ctx, v);
  }
  if (st != CF_OK) {
    cf_ckks_ct_abort(out, &t);
    return st;
  }
  t.scale = pt->scale;
  t.slots = pt->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

/* c1 = a uniform, c0 = -a s + e + m. */
cf_status cf_ckks_encrypt_sk(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                             const cf_ckks_plaintext *pt, cf_ckks_ciphertext *out) {
  if (!ctx || !sk || !pt || !out) return CF_FAIL(CF_EINVAL, "cf_ckks_encrypt_sk: NULL argument");
  CF_TRY(check_pt(ctx, pt));
  size_t rows = (size_t)pt->level + 1, n = ctx->n;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)rows);
  cf_ckks_ciphertext t;
  CF_TRY(cf_ckks_ct_begin(ctx, out, NULL, NULL, 2, pt->level, &t));
  uint64_t *c0 = t.data, *c1 = t.data + rows * n;
  uint8_t seed[CF_CKKS_SEED_BYTES];
  randombytes_buf(seed, sizeof seed);
  cf_ckks_expand_uniform(ctx, seed, 0, c1, pr, rows);
  cf_status st = small_ntt(ctx, 0, c0, pr, rows);
  if (st != CF_OK) {
    cf_ckks_ct_abort(out, &t);
    return st;
  }
  for (size_t r = 0; r < rows; r++) {
    const cf_modulus *m = &ctx->mods[r];
    for (size_t k = 0; k < n; k++)
      c0[r * n + k] =
          cf_sub_mod(c0[r * n + k], cf_mul_mod(c1[r * n + k], sk->s[r * n + k], m), m->q);
  }
  cf_ckks_step_add(ctx, c0, c0, pt->data, pr, rows);
  t.scale = pt->scale;
  t.slots = pt->slots;
  cf_ckks_ct_move(out, &t);
  return CF_OK;
}

cf_status cf_ckks_decrypt(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                          const cf_ckks_ciphertext *ct, cf_ckks_plaintext **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_decrypt: out is NULL");
  *out = NULL;
  if (!ctx || !sk || !ct) return CF_FAIL(CF_EINVAL, "cf_ckks_decrypt: NULL argument");
  if (ct->size < 2) return CF_FAIL(CF_EINVAL, "cf_ckks_decrypt: ciphertext is empty");
  cf_ckks_plaintext *pt;
  CF_TRY(cf_ckks_pt_alloc(ctx, ct->level, &pt));
  size_t rows = (size_t)ct->level + 1, n = ctx->n;
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)rows);
  /* Horner in s: ((c_{k-1} s + c_{k-2}) s + ...) + c_0 */
  const uint64_t *c = ct->data;
  cf_ckks_step_copy(ctx, pt->data, c + (size_t)(ct->size - 1) * rows * n, rows);
  for (int i = ct->size - 2; i >= 0; i--) {
    cf_ckks_step_mul(ctx, pt->data, pt->data, sk->s, pr, rows);
    cf_ckks_step_add(ctx, pt->data, pt->data, c + (size_t)i * rows * n, pr, rows);
  }
  pt->scale = ct->scale;
  pt->slots = ct->slots;
  *out = pt;
  return CF_OK;
}
