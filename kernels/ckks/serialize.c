/* Versioned binary format for CKKS objects (see include/cipherflow/ckks_io.h). */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cipherflow/ckks_io.h"
#include "kernels/ckks/internal.h"
#include "kernels/cpu/primes.h"

#define HEADER_BYTES (4 + 2 + 2 + 32 + 8)
#define SUM_BYTES    32

static const char *kind_name(unsigned k) {
  static const char *names[] = {"?",          "parameters", "ciphertext",          "plaintext",
                                "secret key", "public key", "relinearization key", "Galois key"};
  return k < sizeof names / sizeof *names ? names[k] : "?";
}

/* ---- writer ---- */

typedef struct writer {
  uint8_t *buf;
  size_t pos, cap;
} writer;

static void put_bytes(writer *w, const void *p, size_t n) {
  memcpy(w->buf + w->pos, p, n);
  w->pos += n;
}
static void put_u64(writer *w, uint64_t v) {
  for (int i = 0; i < 8; i++)
    w->buf[w->pos++] = (uint8_t)(v >> (8 * i));
}
static void put_u32(writer *w, uint32_t v) {
  for (int i = 0; i < 4; i++)
    w->buf[w->pos++] = (uint8_t)(v >> (8 * i));
}
static void put_f64(writer *w, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  put_u64(w, v);
}
static void put_rows(writer *w, const uint64_t *rows, size_t words) {
  for (size_t i = 0; i < words; i++)
    put_u64(w, rows[i]);
}

static cf_status begin(writer *w, unsigned kind, const uint8_t *fp, size_t payload) {
  w->cap = HEADER_BYTES + payload + SUM_BYTES;
  w->buf = malloc(w->cap);
  w->pos = 0;
  if (!w->buf)
    return CF_FAIL(CF_ENOMEM, "allocating %zu bytes to save a %s", w->cap, kind_name(kind));
  put_bytes(w, "CFCK", 4);
  w->buf[w->pos++] = CF_CKKS_FORMAT_VERSION & 0xff;
  w->buf[w->pos++] = CF_CKKS_FORMAT_VERSION >> 8;
  w->buf[w->pos++] = (uint8_t)kind;
  w->buf[w->pos++] = 0;
  put_bytes(w, fp, 32);
  put_u64(w, payload);
  return CF_OK;
}

static cf_status finish(writer *w, uint8_t **buf, size_t *len) {
  if (w->pos + SUM_BYTES != w->cap) {
    free(w->buf);
    return CF_FAIL(CF_EINTERNAL, "serialized size %zu differs from the computed %zu",
                   w->pos + SUM_BYTES, w->cap);
  }
  crypto_generichash(w->buf + w->pos, SUM_BYTES, w->buf, w->pos, NULL, 0);
  *buf = w->buf;
  *len = w->cap;
  return CF_OK;
}

void cf_ckks_buffer_free(uint8_t *buf) { free(buf); }

/* ---- reader ---- */

typedef struct reader {
  const uint8_t *p;
  size_t pos, len; /* payload bounds */
  const char *what;
} reader;

static cf_status need(reader *r, size_t n) {
  if (r->len - r->pos < n)
    return CF_FAIL(CF_EFORMAT, "%s payload truncated at byte %zu (needs %zu more)", r->what, r->pos,
                   n);
  return CF_OK;
}
static cf_status get_u64(reader *r, uint64_t *v) {
  CF_TRY(need(r, 8));
  uint64_t x = 0;
  for (int i = 0; i < 8; i++)
    x |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += 8;
  *v = x;
  return CF_OK;
}
static cf_status get_u32(reader *r, uint32_t *v) {
  CF_TRY(need(r, 4));
  uint32_t x = 0;
  for (int i = 0; i < 4; i++)
    x |= (uint32_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += 4;
  *v = x;
  return CF_OK;
}
static cf_status get_f64(reader *r, double *d) {
  uint64_t v;
  CF_TRY(get_u64(r, &v));
  memcpy(d, &v, 8);
  return CF_OK;
}
static cf_status get_bytes(reader *r, void *out, size_t n) {
  CF_TRY(need(r, n));
  memcpy(out, r->p + r->pos, n);
  r->pos += n;
  return CF_OK;
}
/* count rows whose prime index is primes(first_prime + t); every residue checked < q. */
static cf_status get_rows(reader *r, const cf_ckks_context *ctx, uint64_t *rows,
                          const uint16_t *primes, size_t count) {
  size_t n = ctx->n;
  CF_TRY(need(r, count * n * 8));
  for (size_t t = 0; t < count; t++) {
    uint64_t q = ctx->params.primes[primes[t]];
    for (size_t k = 0; k < n; k++) {
      uint64_t v = 0;
      const uint8_t *b = r->p + r->pos;
      for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
      r->pos += 8;
      if (v >= q)
        return CF_FAIL(CF_EFORMAT, "%s: residue %llu of limb %zu (prime %u) is not below q = %llu",
                       r->what, (unsigned long long)v, t, primes[t], (unsigned long long)q);
      rows[t * n + k] = v;
    }
  }
  return CF_OK;
}
static cf_status done(reader *r) {
  if (r->pos != r->len)
    return CF_FAIL(CF_EFORMAT, "%s payload has %zu trailing bytes", r->what, r->len - r->pos);
  return CF_OK;
}

/* Checks the envelope; on success r covers the payload. fp may be NULL (params). */
static cf_status open_envelope(const uint8_t *buf, size_t len, unsigned kind, const uint8_t *fp,
                               reader *r, uint8_t fp_out[32]) {
  const char *what = kind_name(kind);
  if (!buf) return CF_FAIL(CF_EINVAL, "loading a %s: buffer is NULL", what);
  if (len < HEADER_BYTES + SUM_BYTES)
    return CF_FAIL(CF_EFORMAT, "%s: input of %zu bytes is shorter than the %d-byte envelope", what,
                   len, HEADER_BYTES + SUM_BYTES);
  if (memcmp(buf, "CFCK", 4) != 0)
    return CF_FAIL(CF_EFORMAT, "%s: bad magic (not a cipherflow CKKS object)", what);
  unsigned version = buf[4] | (unsigned)buf[5] << 8, got = buf[6] | (unsigned)buf[7] << 8;
  if (version != CF_CKKS_FORMAT_VERSION)
    return CF_FAIL(CF_EVERSION, "%s: format version %u, this reader supports %d", what, version,
                   CF_CKKS_FORMAT_VERSION);
  if (got != kind)
    return CF_FAIL(CF_EFORMAT, "expected a %s, the input holds a %s (kind %u)", what,
                   kind_name(got), got);
  uint64_t plen = 0;
  for (int i = 0; i < 8; i++)
    plen |= (uint64_t)buf[40 + i] << (8 * i);
  if (plen != len - HEADER_BYTES - SUM_BYTES)
    return CF_FAIL(CF_EFORMAT,
                   "%s: header announces a %llu-byte payload, input has %zu (truncated or padded)",
                   what, (unsigned long long)plen, len - HEADER_BYTES - SUM_BYTES);
  uint8_t sum[SUM_BYTES];
  crypto_generichash(sum, SUM_BYTES, buf, len - SUM_BYTES, NULL, 0);
  if (sodium_memcmp(sum, buf + len - SUM_BYTES, SUM_BYTES) != 0)
    return CF_FAIL(CF_ECHECKSUM, "%s: checksum mismatch (corrupted input)", what);
  if (fp && memcmp(fp, buf + 8, 32) != 0)
    return CF_FAIL(CF_EMISMATCH, "%s was made with other parameters (fingerprint differs)", what);
  if (fp_out) memcpy(fp_out, buf + 8, 32);
  r->p = buf + HEADER_BYTES;
  r->pos = 0;
  r->len = (size_t)plen;
  r->what = what;
  return CF_OK;
}

static cf_status check_out(const void *ctx, const void *obj, void *buf, void *len,
                           const char *what) {
  if (!ctx || !obj || !buf || !len) return CF_FAIL(CF_EINVAL, "saving a %s: NULL argument", what);
  return CF_OK;
}

/* ---- parameters ---- */

cf_status cf_ckks_save_params(const cf_ckks_params *p, uint8_t **buf, size_t *len) {
  CF_TRY(check_out(p, p, buf, len, "parameters"));
  size_t plen = cf_ckks_params_encode(p, NULL);
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_PARAMS, p->fingerprint, plen));
  cf_ckks_params_encode(p, w.buf + w.pos);
  w.pos += plen;
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_params(const uint8_t *buf, size_t len, bool allow_insecure,
                              cf_ckks_params **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_load_params: out is NULL");
  *out = NULL;
  reader r = {0};
  uint8_t fp[32];
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_PARAMS, NULL, &r, fp));
  uint8_t head[16];
  CF_TRY(get_bytes(&r, head, 16));
  if (memcmp(head, "CFCKPRM1", 8) != 0) return CF_FAIL(CF_EFORMAT, "parameters: bad encoding tag");
  cf_ckks_params_spec s;
  memset(&s, 0, sizeof s);
  s.log_n = head[8];
  s.nq = head[9];
  s.np = head[10];
  s.dnum = head[11];
  s.secret = (cf_ckks_secret_dist)head[12];
  s.allow_insecure = allow_insecure;
  uint64_t hw;
  CF_TRY(get_u64(&r, &hw));
  CF_TRY(get_f64(&r, &s.log_scale));
  if (hw > (1u << 17))
    return CF_FAIL(CF_EFORMAT, "parameters: hamming weight %llu too large", (unsigned long long)hw);
  s.hamming_weight = (int)hw;
  if (s.nq < 1 || s.nq > CF_CKKS_MAX_PRIMES || s.np < 1 || s.np > CF_CKKS_MAX_PRIMES)
    return CF_FAIL(CF_EFORMAT, "parameters: prime counts nq=%d np=%d out of range", s.nq, s.np);
  if (s.log_n < 10 || s.log_n > CF_NTT_MAX_LOGN)
    return CF_FAIL(CF_EFORMAT, "parameters: log_n = %d out of range", s.log_n);
  cf_ckks_params *p = calloc(1, sizeof *p);
  if (!p) return CF_FAIL(CF_ENOMEM, "allocating parameters");
  size_t n = (size_t)1 << s.log_n;
  cf_status st = CF_OK;
  for (int i = 0; st == CF_OK && i < s.nq + s.np; i++) {
    uint64_t q;
    st = get_u64(&r, &q);
    if (st != CF_OK) break;
    int bits = 0;
    while (bits < 64 && (q >> bits))
      bits++;
    if (bits < 20 || bits > 60 || q % (2 * n) != 1 || !cf_is_prime_u64(q)) {
      st = CF_FAIL(CF_EFORMAT, "parameters: prime %d = %llu is not a 20..60-bit prime = 1 mod 2N",
                   i, (unsigned long long)q);
      break;
    }
    for (int j = 0; j < i; j++)
      if (p->primes[j] == q)
        st = CF_FAIL(CF_EFORMAT, "parameters: prime %d repeats prime %d", i, j);
    p->primes[i] = q;
    if (i < s.nq)
      s.q_bits[i] = bits;
    else
      s.p_bits[i - s.nq] = bits;
  }
  if (st == CF_OK) st = done(&r);
  /* Validate the spec the same way user-built sets are. */
  if (st == CF_OK) st = cf_ckks_params_check_spec(&s);
  if (st == CF_OK) {
    p->spec = s;
    p->n = n;
    p->logn = s.log_n;
    st = cf_ckks_params_finish(p, "loaded");
  }
  if (st == CF_OK && memcmp(p->fingerprint, fp, 32) != 0)
    st = CF_FAIL(CF_EMISMATCH, "parameters: header fingerprint does not match the contents");
  if (st != CF_OK) {
    free(p);
    return st;
  }
  *out = p;
  return CF_OK;
}

/* ---- ciphertexts and plaintexts ---- */

static cf_status check_meta(const cf_ckks_context *ctx, reader *r, uint32_t level, uint64_t slots,
                            double scale) {
  if (level > (uint32_t)ctx->L)
    return CF_FAIL(CF_EFORMAT, "%s: level %u above the maximum %d", r->what, level, ctx->L);
  if (slots == 0 || (slots & (slots - 1)) || slots > ctx->n / 2)
    return CF_FAIL(CF_EFORMAT, "%s: slot count %llu is not a power of two <= N/2", r->what,
                   (unsigned long long)slots);
  if (!isfinite(scale) || scale < 1.0 || scale > 0x1p1000)
    return CF_FAIL(CF_EFORMAT, "%s: scale %g out of range", r->what, scale);
  return CF_OK;
}

cf_status cf_ckks_save_ciphertext(const cf_ckks_context *ctx, const cf_ckks_ciphertext *ct,
                                  uint8_t **buf, size_t *len) {
  CF_TRY(check_out(ctx, ct, buf, len, "ciphertext"));
  if (ct->size < 2) return CF_FAIL(CF_EINVAL, "saving an empty ciphertext");
  size_t words = (size_t)ct->size * (size_t)(ct->level + 1) * ctx->n;
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_CIPHERTEXT, ctx->params.fingerprint, 24 + 8 * words));
  put_u32(&w, (uint32_t)ct->level);
  put_u32(&w, (uint32_t)ct->size);
  put_u64(&w, ct->slots);
  put_f64(&w, ct->scale);
  put_rows(&w, ct->data, words);
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_ciphertext(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_ciphertext **out) {
  if (!out || !ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_load_ciphertext: NULL argument");
  *out = NULL;
  reader r = {0};
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_CIPHERTEXT, ctx->params.fingerprint, &r, NULL));
  uint32_t level, size;
  uint64_t slots;
  double scale;
  CF_TRY(get_u32(&r, &level));
  CF_TRY(get_u32(&r, &size));
  CF_TRY(get_u64(&r, &slots));
  CF_TRY(get_f64(&r, &scale));
  CF_TRY(check_meta(ctx, &r, level, slots, scale));
  if (size != 2 && size != 3) return CF_FAIL(CF_EFORMAT, "ciphertext: size %u is not 2 or 3", size);
  CF_TRY(need(&r, (size_t)size * (level + 1) * ctx->n * 8));
  cf_ckks_ciphertext *ct = NULL;
  CF_TRY(cf_ckks_ciphertext_create(ctx, &ct));
  cf_status st = cf_ckks_ct_alloc(ctx, ct, (int)size, (int)level);
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)level + 1);
  for (uint32_t i = 0; st == CF_OK && i < size; i++)
    st = get_rows(&r, ctx, ct->data + (size_t)i * (level + 1) * ctx->n, pr, level + 1);
  if (st == CF_OK) st = done(&r);
  if (st != CF_OK) {
    cf_ckks_ciphertext_destroy(ct);
    return st;
  }
  ct->slots = slots;
  ct->scale = scale;
  *out = ct;
  return CF_OK;
}

cf_status cf_ckks_save_plaintext(const cf_ckks_context *ctx, const cf_ckks_plaintext *pt,
                                 uint8_t **buf, size_t *len) {
  CF_TRY(check_out(ctx, pt, buf, len, "plaintext"));
  size_t words = (size_t)(pt->level + 1) * ctx->n;
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_PLAINTEXT, ctx->params.fingerprint, 24 + 8 * words));
  put_u32(&w, (uint32_t)pt->level);
  put_u32(&w, 0);
  put_u64(&w, pt->slots);
  put_f64(&w, pt->scale);
  put_rows(&w, pt->data, words);
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_plaintext(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                 cf_ckks_plaintext **out) {
  if (!out || !ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_load_plaintext: NULL argument");
  *out = NULL;
  reader r = {0};
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_PLAINTEXT, ctx->params.fingerprint, &r, NULL));
  uint32_t level, zero;
  uint64_t slots;
  double scale;
  CF_TRY(get_u32(&r, &level));
  CF_TRY(get_u32(&r, &zero));
  CF_TRY(get_u64(&r, &slots));
  CF_TRY(get_f64(&r, &scale));
  CF_TRY(check_meta(ctx, &r, level, slots, scale));
  if (zero != 0) return CF_FAIL(CF_EFORMAT, "plaintext: reserved field is %u, not 0", zero);
  CF_TRY(need(&r, (size_t)(level + 1) * ctx->n * 8));
  cf_ckks_plaintext *pt;
  CF_TRY(cf_ckks_pt_alloc(ctx, (int)level, &pt));
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)level + 1);
  cf_status st = get_rows(&r, ctx, pt->data, pr, level + 1);
  if (st == CF_OK) st = done(&r);
  if (st != CF_OK) {
    cf_ckks_plaintext_destroy(pt);
    return st;
  }
  pt->slots = slots;
  pt->scale = scale;
  *out = pt;
  return CF_OK;
}

/* ---- keys ---- */

cf_status cf_ckks_secret_from_coeffs(const cf_ckks_context *ctx, int8_t *coeffs,
                                     cf_ckks_secret_key **out);

cf_status cf_ckks_save_secret_key(const cf_ckks_context *ctx, const cf_ckks_secret_key *k,
                                  uint8_t **buf, size_t *len) {
  CF_TRY(check_out(ctx, k, buf, len, "secret key"));
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_SECRET_KEY, ctx->params.fingerprint, ctx->n));
  put_bytes(&w, k->coeffs, ctx->n);
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_secret_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_secret_key **out) {
  if (!out || !ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_load_secret_key: NULL argument");
  *out = NULL;
  reader r = {0};
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_SECRET_KEY, ctx->params.fingerprint, &r, NULL));
  CF_TRY(need(&r, ctx->n));
  CF_TRY(r.len == ctx->n ? CF_OK
                         : CF_FAIL(CF_EFORMAT, "secret key: payload of %zu bytes, expected N = %zu",
                                   r.len, ctx->n));
  int8_t *c = malloc(ctx->n);
  if (!c) return CF_FAIL(CF_ENOMEM, "allocating a secret key");
  int weight = 0;
  for (size_t i = 0; i < ctx->n; i++) {
    int8_t v = (int8_t)r.p[i];
    if (v < -1 || v > 1) {
      free(c);
      return CF_FAIL(CF_EFORMAT, "secret key: coefficient %zu = %d is not ternary", i, v);
    }
    weight += v != 0;
    c[i] = v;
  }
  if (ctx->params.spec.secret == CF_CKKS_SECRET_HAMMING &&
      weight != ctx->params.spec.hamming_weight) {
    free(c);
    return CF_FAIL(CF_EFORMAT, "secret key: Hamming weight %d, parameters say %d", weight,
                   ctx->params.spec.hamming_weight);
  }
  return cf_ckks_secret_from_coeffs(ctx, c, out);
}

cf_status cf_ckks_save_public_key(const cf_ckks_context *ctx, const cf_ckks_public_key *k,
                                  uint8_t **buf, size_t *len) {
  CF_TRY(check_out(ctx, k, buf, len, "public key"));
  size_t words = (size_t)(ctx->L + 1) * ctx->n;
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_PUBLIC_KEY, ctx->params.fingerprint, 32 + 8 * words));
  put_bytes(&w, k->seed, 32);
  put_rows(&w, k->b, words);
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_public_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_public_key **out) {
  if (!out || !ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_load_public_key: NULL argument");
  *out = NULL;
  reader r = {0};
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_PUBLIC_KEY, ctx->params.fingerprint, &r, NULL));
  size_t rows = (size_t)ctx->L + 1;
  CF_TRY(need(&r, 32 + rows * ctx->n * 8));
  cf_ckks_public_key *k = calloc(1, sizeof *k);
  if (k) k->b = cf_ckks_rows_alloc(ctx, rows);
  if (!k || !k->b) {
    if (k) free(k);
    return CF_FAIL(CF_ENOMEM, "allocating a public key");
  }
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  cf_ckks_identity_primes(pr, 0, (int)rows);
  cf_status st = get_bytes(&r, k->seed, 32);
  if (st == CF_OK) st = get_rows(&r, ctx, k->b, pr, rows);
  if (st == CF_OK) st = done(&r);
  if (st == CF_OK) st = cf_ckks_pk_expand(ctx, k);
  if (st != CF_OK) {
    cf_ckks_public_key_destroy(k);
    return st;
  }
  *out = k;
  return CF_OK;
}

static size_t kskey_bytes(const cf_ckks_context *ctx, const cf_ckks_kskey *k) {
  return 4 + 32 + 8 * (size_t)k->dnum * (size_t)ctx->nprimes * ctx->n;
}

static void put_kskey(writer *w, const cf_ckks_context *ctx, const cf_ckks_kskey *k) {
  put_u32(w, (uint32_t)k->dnum);
  put_bytes(w, k->seed, 32);
  put_rows(w, k->b, (size_t)k->dnum * (size_t)ctx->nprimes * ctx->n);
}

static cf_status get_kskey(reader *r, const cf_ckks_context *ctx, cf_ckks_kskey *k) {
  memset(k, 0, sizeof *k);
  uint32_t dnum;
  CF_TRY(get_u32(r, &dnum));
  int want = ctx->levels[ctx->L].ndigits;
  if (dnum != (uint32_t)want)
    return CF_FAIL(CF_EFORMAT, "%s: %u digits, the parameters need %d", r->what, dnum, want);
  size_t rows = (size_t)dnum * (size_t)ctx->nprimes;
  CF_TRY(need(r, 32 + rows * ctx->n * 8));
  CF_TRY(get_bytes(r, k->seed, 32));
  k->dnum = (int)dnum;
  k->b = cf_ckks_rows_alloc(ctx, rows);
  uint16_t *pr = malloc(rows * sizeof *pr);
  if (!k->b || !pr) {
    free(pr);
    cf_ckks_kskey_free(k);
    return CF_FAIL(CF_ENOMEM, "allocating a key-switching key");
  }
  for (size_t i = 0; i < rows; i++)
    pr[i] = (uint16_t)(i % (size_t)ctx->nprimes);
  cf_status st = get_rows(r, ctx, k->b, pr, rows);
  free(pr);
  if (st == CF_OK) st = cf_ckks_kskey_expand(ctx, k);
  if (st != CF_OK) cf_ckks_kskey_free(k);
  return st;
}

cf_status cf_ckks_save_relin_key(const cf_ckks_context *ctx, const cf_ckks_relin_key *k,
                                 uint8_t **buf, size_t *len) {
  CF_TRY(check_out(ctx, k, buf, len, "relinearization key"));
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_RELIN_KEY, ctx->params.fingerprint, kskey_bytes(ctx, &k->ks)));
  put_kskey(&w, ctx, &k->ks);
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_relin_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                 cf_ckks_relin_key **out) {
  if (!out || !ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_load_relin_key: NULL argument");
  *out = NULL;
  reader r = {0};
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_RELIN_KEY, ctx->params.fingerprint, &r, NULL));
  cf_ckks_relin_key *k = calloc(1, sizeof *k);
  if (!k) return CF_FAIL(CF_ENOMEM, "allocating a relinearization key");
  cf_status st = get_kskey(&r, ctx, &k->ks);
  if (st == CF_OK) st = done(&r);
  if (st != CF_OK) {
    cf_ckks_relin_key_destroy(k);
    return st;
  }
  *out = k;
  return CF_OK;
}

cf_status cf_ckks_galois_entry_init(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                    uint64_t g, cf_ckks_galois_entry *e);

cf_status cf_ckks_save_galois_key(const cf_ckks_context *ctx, const cf_ckks_galois_key *k,
                                  uint8_t **buf, size_t *len) {
  CF_TRY(check_out(ctx, k, buf, len, "Galois key"));
  size_t plen = 4;
  for (size_t i = 0; i < k->count; i++)
    plen += 8 + kskey_bytes(ctx, &k->entries[i].ks);
  writer w;
  CF_TRY(begin(&w, CF_CKKS_OBJ_GALOIS_KEY, ctx->params.fingerprint, plen));
  put_u32(&w, (uint32_t)k->count);
  for (size_t i = 0; i < k->count; i++) {
    put_u64(&w, k->entries[i].galois);
    put_kskey(&w, ctx, &k->entries[i].ks);
  }
  return finish(&w, buf, len);
}

cf_status cf_ckks_load_galois_key(const cf_ckks_context *ctx, const uint8_t *buf, size_t len,
                                  cf_ckks_galois_key **out) {
  if (!out || !ctx) return CF_FAIL(CF_EINVAL, "cf_ckks_load_galois_key: NULL argument");
  *out = NULL;
  reader r = {0};
  CF_TRY(open_envelope(buf, len, CF_CKKS_OBJ_GALOIS_KEY, ctx->params.fingerprint, &r, NULL));
  uint32_t count;
  CF_TRY(get_u32(&r, &count));
  /* each entry holds at least one full key polynomial */
  if (count > ctx->n || (size_t)count * (8 + ctx->n * 8) > r.len)
    return CF_FAIL(CF_EFORMAT, "Galois key: %u entries cannot fit %zu bytes", count, r.len);
  cf_ckks_galois_key *k = calloc(1, sizeof *k);
  if (k) k->entries = calloc(count ? count : 1, sizeof *k->entries);
  if (!k || !k->entries) {
    free(k);
    return CF_FAIL(CF_ENOMEM, "allocating Galois keys");
  }
  cf_status st = CF_OK;
  for (uint32_t i = 0; st == CF_OK && i < count; i++) {
    uint64_t g;
    st = get_u64(&r, &g);
    if (st != CF_OK) break;
    if (!(g & 1) || g <= 1 || g >= 2 * ctx->n || cf_ckks_galois_find(k, g)) {
      st = CF_FAIL(CF_EFORMAT, "Galois key: entry %u has invalid or repeated element %llu", i,
                   (unsigned long long)g);
      break;
    }
    cf_ckks_galois_entry *e = &k->entries[k->count];
    st = cf_ckks_galois_entry_init(ctx, NULL, g, e);
    if (st != CF_OK) break;
    k->count++;
    st = get_kskey(&r, ctx, &e->ks);
  }
  if (st == CF_OK) st = done(&r);
  if (st != CF_OK) {
    cf_ckks_galois_key_destroy(k);
    return st;
  }
  *out = k;
  return CF_OK;
}
