/*
 * Encryption and every evaluator operation against double-precision
 * computation on the plaintext slots, on fresh random inputs (toy set).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <complex.h>
#include <string.h>

#include "helpers.h"
#include "kernels/ckks/eval.h"
#include "kernels/ckks/internal.h"

typedef struct fx {
  cf_ckks_context *ctx;
  cf_ckks_secret_key *sk;
  cf_ckks_public_key *pk;
  cf_ckks_relin_key *rlk;
  cf_ckks_galois_key *gk;
  size_t slots;
  double scale;
} fx;

static const int rot_steps[] = {1, 2, 5, -1, 100, 511};

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  if (!toy_context(&f->ctx, &f->slots, &f->scale)) return -1;
  if (cf_ckks_keygen_secret(f->ctx, &f->sk) != CF_OK) return -1;
  if (cf_ckks_keygen_public(f->ctx, f->sk, &f->pk) != CF_OK) return -1;
  if (cf_ckks_keygen_relin(f->ctx, f->sk, &f->rlk) != CF_OK) return -1;
  if (cf_ckks_keygen_galois(f->ctx, f->sk, rot_steps, sizeof rot_steps / sizeof *rot_steps, true,
                            &f->gk) != CF_OK)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  cf_ckks_galois_key_destroy(f->gk);
  cf_ckks_relin_key_destroy(f->rlk);
  cf_ckks_public_key_destroy(f->pk);
  cf_ckks_secret_key_destroy(f->sk);
  cf_ckks_context_destroy(f->ctx);
  free(f);
  return 0;
}

typedef struct vec {
  double *re, *im;
} vec;

static vec vnew(size_t n) {
  vec v = {calloc(n, sizeof(double)), calloc(n, sizeof(double))};
  return v;
}
static void vfree(vec v) {
  free(v.re);
  free(v.im);
}
static vec vrand(size_t n) {
  vec v = vnew(n);
  rnd_fill(v.re, n);
  rnd_fill(v.im, n);
  return v;
}

static cf_ckks_ciphertext *enc(fx *f, vec v, int level, int use_pk) {
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_encode(f->ctx, v.re, v.im, f->slots, level, f->scale, &pt), CF_OK);
  cf_ckks_ciphertext *ct = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &ct), CF_OK);
  if (use_pk)
    assert_int_equal(cf_ckks_encrypt_pk(f->ctx, f->pk, pt, ct), CF_OK);
  else
    assert_int_equal(cf_ckks_encrypt_sk(f->ctx, f->sk, pt, ct), CF_OK);
  cf_ckks_plaintext_destroy(pt);
  return ct;
}

static cf_ckks_ciphertext *empty(fx *f) {
  cf_ckks_ciphertext *ct = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &ct), CF_OK);
  return ct;
}

/* Decrypts and checks at least min_bits of precision against want. */
static void expect(fx *f, const cf_ckks_ciphertext *ct, vec want, double min_bits,
                   const char *what) {
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, ct, &pt), CF_OK);
  vec got = vnew(f->slots);
  assert_int_equal(cf_ckks_decode(f->ctx, pt, got.re, got.im), CF_OK);
  double bits = precision_bits(want.re, want.im, got.re, got.im, f->slots);
  print_message("%-22s %.1f bits (level %d)\n", what, bits, cf_ckks_ciphertext_level(ct));
  assert_true(bits >= min_bits);
  vfree(got);
  cf_ckks_plaintext_destroy(pt);
}

static void test_encrypt(void **state) {
  fx *f = *state;
  vec a = vrand(f->slots);
  cf_ckks_ciphertext *c1 = enc(f, a, f->ctx->L, 1), *c2 = enc(f, a, 1, 0);
  expect(f, c1, a, 20, "encrypt pk");
  expect(f, c2, a, 20, "encrypt sk");
  /* Wrong key decrypts to noise. */
  cf_ckks_secret_key *other = NULL;
  assert_int_equal(cf_ckks_keygen_secret(f->ctx, &other), CF_OK);
  cf_ckks_plaintext *pt = NULL;
  assert_int_equal(cf_ckks_decrypt(f->ctx, other, c1, &pt), CF_OK);
  vec got = vnew(f->slots);
  assert_int_equal(cf_ckks_decode(f->ctx, pt, got.re, got.im), CF_OK);
  assert_true(precision_bits(a.re, a.im, got.re, got.im, f->slots) < 1);
  vfree(got);
  cf_ckks_plaintext_destroy(pt);
  cf_ckks_secret_key_destroy(other);
  cf_ckks_ciphertext_destroy(c1);
  cf_ckks_ciphertext_destroy(c2);
  vfree(a);
}

static void test_add_sub_neg(void **state) {
  fx *f = *state;
  size_t n = f->slots;
  vec a = vrand(n), b = vrand(n), w = vnew(n);
  cf_ckks_ciphertext *ca = enc(f, a, f->ctx->L, 1), *cb = enc(f, b, f->ctx->L, 1);
  cf_ckks_ciphertext *r = empty(f);
  for (size_t i = 0; i < n; i++)
    w.re[i] = a.re[i] + b.re[i], w.im[i] = a.im[i] + b.im[i];
  assert_int_equal(cf_ckks_add(f->ctx, ca, cb, r), CF_OK);
  expect(f, r, w, 20, "add");
  for (size_t i = 0; i < n; i++)
    w.re[i] = a.re[i] - b.re[i], w.im[i] = a.im[i] - b.im[i];
  assert_int_equal(cf_ckks_sub(f->ctx, ca, cb, r), CF_OK);
  expect(f, r, w, 20, "sub");
  for (size_t i = 0; i < n; i++)
    w.re[i] = -a.re[i], w.im[i] = -a.im[i];
  assert_int_equal(cf_ckks_negate(f->ctx, ca, r), CF_OK);
  expect(f, r, w, 20, "negate");
  /* In place: r = r + r */
  for (size_t i = 0; i < n; i++)
    w.re[i] *= 2, w.im[i] *= 2;
  assert_int_equal(cf_ckks_add(f->ctx, r, r, r), CF_OK);
  expect(f, r, w, 20, "add in place");
  /* Plaintext operands */
  cf_ckks_plaintext *pb = NULL;
  assert_int_equal(cf_ckks_encode(f->ctx, b.re, b.im, n, f->ctx->L, f->scale, &pb), CF_OK);
  for (size_t i = 0; i < n; i++)
    w.re[i] = a.re[i] + b.re[i], w.im[i] = a.im[i] + b.im[i];
  assert_int_equal(cf_ckks_add_plain(f->ctx, ca, pb, r), CF_OK);
  expect(f, r, w, 20, "add plain");
  for (size_t i = 0; i < n; i++)
    w.re[i] = a.re[i] - b.re[i], w.im[i] = a.im[i] - b.im[i];
  assert_int_equal(cf_ckks_sub_plain(f->ctx, ca, pb, r), CF_OK);
  expect(f, r, w, 20, "sub plain");
  /* Level mismatch is refused. */
  cf_ckks_ciphertext *low = empty(f);
  assert_int_equal(cf_ckks_drop_level(f->ctx, cb, 1, low), CF_OK);
  assert_int_equal(cf_ckks_add(f->ctx, ca, low, r), CF_ELEVEL);
  cf_ckks_plaintext_destroy(pb);
  cf_ckks_ciphertext_destroy(low);
  cf_ckks_ciphertext_destroy(ca);
  cf_ckks_ciphertext_destroy(cb);
  cf_ckks_ciphertext_destroy(r);
  vfree(a), vfree(b), vfree(w);
}

static void test_mul_plain_const(void **state) {
  fx *f = *state;
  size_t n = f->slots;
  vec a = vrand(n), b = vrand(n), w = vnew(n);
  cf_ckks_ciphertext *ca = enc(f, a, f->ctx->L, 1), *r = empty(f);
  cf_ckks_plaintext *pb = NULL;
  assert_int_equal(cf_ckks_encode(f->ctx, b.re, b.im, n, f->ctx->L, f->scale, &pb), CF_OK);
  for (size_t i = 0; i < n; i++) {
    double complex z = (a.re[i] + I * a.im[i]) * (b.re[i] + I * b.im[i]);
    w.re[i] = creal(z), w.im[i] = cimag(z);
  }
  assert_int_equal(cf_ckks_mul_plain(f->ctx, ca, pb, r), CF_OK);
  assert_int_equal(cf_ckks_rescale(f->ctx, r, r), CF_OK);
  expect(f, r, w, 18, "mul plain + rescale");
  double cr = rnd_unit(), ci = rnd_unit();
  for (size_t i = 0; i < n; i++)
    w.re[i] = a.re[i] * cr, w.im[i] = a.im[i] * cr;
  assert_int_equal(cf_ckks_mul_const(f->ctx, ca, cr, 0, f->scale, r), CF_OK);
  assert_int_equal(cf_ckks_rescale(f->ctx, r, r), CF_OK);
  expect(f, r, w, 18, "mul const real");
  for (size_t i = 0; i < n; i++) {
    double complex z = (a.re[i] + I * a.im[i]) * (cr + I * ci);
    w.re[i] = creal(z), w.im[i] = cimag(z);
  }
  assert_int_equal(cf_ckks_mul_const(f->ctx, ca, cr, ci, f->scale, r), CF_OK);
  assert_int_equal(cf_ckks_rescale(f->ctx, r, r), CF_OK);
  expect(f, r, w, 18, "mul const complex");
  cf_ckks_plaintext_destroy(pb);
  cf_ckks_ciphertext_destroy(ca);
  cf_ckks_ciphertext_destroy(r);
  vfree(a), vfree(b), vfree(w);
}

static void test_mul_relin_rescale(void **state) {
  fx *f = *state;
  size_t n = f->slots;
  vec a = vrand(n), b = vrand(n), w = vnew(n);
  cf_ckks_ciphertext *ca = enc(f, a, f->ctx->L, 1), *cb = enc(f, b, f->ctx->L, 1);
  cf_ckks_ciphertext *r = empty(f), *t3 = empty(f);
  for (size_t i = 0; i < n; i++) {
    double complex z = (a.re[i] + I * a.im[i]) * (b.re[i] + I * b.im[i]);
    w.re[i] = creal(z), w.im[i] = cimag(z);
  }
  assert_int_equal(cf_ckks_mul_norelin(f->ctx, ca, cb, t3), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_size(t3), 3);
  expect(f, t3, w, 18, "tensor (size 3)");
  assert_int_equal(cf_ckks_mul(f->ctx, f->rlk, ca, cb, r), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_size(r), 2);
  expect(f, r, w, 18, "mul + relin");
  assert_int_equal(cf_ckks_rescale(f->ctx, r, r), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_level(r), f->ctx->L - 1);
  expect(f, r, w, 18, "mul + relin + rescale");
  /* a chain down to level 0: r = r * r until the levels run out */
  vec v = vnew(n);
  memcpy(v.re, w.re, n * sizeof(double));
  memcpy(v.im, w.im, n * sizeof(double));
  while (cf_ckks_ciphertext_level(r) > 0) {
    assert_int_equal(cf_ckks_mul(f->ctx, f->rlk, r, r, r), CF_OK);
    assert_int_equal(cf_ckks_rescale(f->ctx, r, r), CF_OK);
    for (size_t i = 0; i < n; i++) {
      double complex z = (v.re[i] + I * v.im[i]) * (v.re[i] + I * v.im[i]);
      v.re[i] = creal(z), v.im[i] = cimag(z);
    }
    expect(f, r, v, 14, "square chain");
  }
  assert_int_equal(cf_ckks_rescale(f->ctx, r, r), CF_ELEVEL);
  vfree(v);
  cf_ckks_ciphertext_destroy(ca);
  cf_ckks_ciphertext_destroy(cb);
  cf_ckks_ciphertext_destroy(r);
  cf_ckks_ciphertext_destroy(t3);
  vfree(a), vfree(b), vfree(w);
}

static void test_rotate_conjugate(void **state) {
  fx *f = *state;
  size_t n = f->slots;
  vec a = vrand(n), w = vnew(n);
  for (int lvl = f->ctx->L; lvl >= 0; lvl -= f->ctx->L) {
    cf_ckks_ciphertext *ca = enc(f, a, lvl, 1), *r = empty(f);
    for (size_t s = 0; s < sizeof rot_steps / sizeof *rot_steps; s++) {
      int k = rot_steps[s];
      for (size_t i = 0; i < n; i++) {
        size_t src = (size_t)(((long)i + k) % (long)n + (long)n) % n;
        w.re[i] = a.re[src], w.im[i] = a.im[src];
      }
      assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, ca, k, r), CF_OK);
      expect(f, r, w, 18, "rotate");
    }
    for (size_t i = 0; i < n; i++)
      w.re[i] = a.re[i], w.im[i] = -a.im[i];
    assert_int_equal(cf_ckks_conjugate(f->ctx, f->gk, ca, r), CF_OK);
    expect(f, r, w, 18, "conjugate");
    assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, ca, 3, r), CF_ENOTFOUND);
    cf_ckks_ciphertext_destroy(ca);
    cf_ckks_ciphertext_destroy(r);
    if (lvl == 0) break;
  }
  vfree(a), vfree(w);
}

static int same_ct(const cf_ckks_ciphertext *x, const cf_ckks_ciphertext *y) {
  if (x->level != y->level || x->size != y->size || x->scale != y->scale) return 0;
  size_t words = (size_t)x->size * (size_t)(x->level + 1) * x->ctx->n;
  return memcmp(x->data, y->data, words * sizeof(uint64_t)) == 0;
}

static void test_hoisted_identical(void **state) {
  fx *f = *state;
  vec a = vrand(f->slots);
  cf_ckks_ciphertext *ca = enc(f, a, f->ctx->L, 1);
  enum { K = sizeof rot_steps / sizeof *rot_steps };
  cf_ckks_ciphertext *h[K], *one = empty(f);
  for (int i = 0; i < K; i++)
    h[i] = empty(f);
  assert_int_equal(cf_ckks_rotate_hoisted(f->ctx, f->gk, ca, rot_steps, K, h), CF_OK);
  for (int i = 0; i < K; i++) {
    assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, ca, rot_steps[i], one), CF_OK);
    assert_true(same_ct(h[i], one));
    cf_ckks_ciphertext_destroy(h[i]);
  }
  cf_ckks_ciphertext_destroy(one);
  cf_ckks_ciphertext_destroy(ca);
  vfree(a);
}

/* The evaluator equals its steps run on any split of the limb ranges. */
static void test_split_steps_identical(void **state) {
  fx *f = *state;
  vec a = vrand(f->slots), b = vrand(f->slots);
  cf_ckks_ciphertext *ca = enc(f, a, f->ctx->L, 1), *cb = enc(f, b, f->ctx->L, 1);
  size_t grains[] = {1, 2, 3};
  cf_ckks_ciphertext *ref = empty(f), *got = empty(f);
  assert_int_equal(cf_ckks_mul(f->ctx, f->rlk, ca, cb, ref), CF_OK);
  for (size_t g = 0; g < 3; g++) {
    cf_ckks_exec x = {f->ctx, grains[g]};
    assert_int_equal(cf_ckks_x_mul_ct(&x, f->rlk, ca, cb, got), CF_OK);
    assert_true(same_ct(ref, got));
  }
  assert_int_equal(cf_ckks_rescale(f->ctx, ref, ref), CF_OK);
  cf_ckks_ciphertext *tmp = empty(f);
  cf_ckks_exec whole = {f->ctx, SIZE_MAX};
  assert_int_equal(cf_ckks_x_mul_ct(&whole, f->rlk, ca, cb, tmp), CF_OK);
  for (size_t g = 0; g < 3; g++) {
    cf_ckks_exec x = {f->ctx, grains[g]};
    assert_int_equal(cf_ckks_x_rescale_ct(&x, tmp, got), CF_OK);
    assert_true(same_ct(ref, got));
  }
  uint64_t gal[2] = {cf_ckks_galois_for_step(f->ctx, 5), 2 * f->ctx->n - 1};
  cf_ckks_ciphertext *r1 = empty(f), *r2 = empty(f), *outs1[2] = {r1, r2};
  cf_ckks_ciphertext *s1 = empty(f), *s2 = empty(f), *outs2[2] = {s1, s2};
  assert_int_equal(cf_ckks_x_rotate_hoisted(&whole, f->gk, ca, gal, 2, outs1), CF_OK);
  for (size_t g = 0; g < 3; g++) {
    cf_ckks_exec x = {f->ctx, grains[g]};
    assert_int_equal(cf_ckks_x_rotate_hoisted(&x, f->gk, ca, gal, 2, outs2), CF_OK);
    assert_true(same_ct(r1, s1));
    assert_true(same_ct(r2, s2));
  }
  cf_ckks_ciphertext_destroy(r1), cf_ckks_ciphertext_destroy(r2);
  cf_ckks_ciphertext_destroy(s1), cf_ckks_ciphertext_destroy(s2);
  cf_ckks_ciphertext_destroy(tmp);
  cf_ckks_ciphertext_destroy(ref);
  cf_ckks_ciphertext_destroy(got);
  cf_ckks_ciphertext_destroy(ca);
  cf_ckks_ciphertext_destroy(cb);
  vfree(a), vfree(b);
}

/*
 * An executor's view: relinearization built only from steps.h (buffers,
 * layouts, digit info, key accessors) as documented, one limb per call,
 * must equal cf_ckks_relinearize bit for bit.
 */
static void test_steps_contract_relin(void **state) {
  fx *f = *state;
  const cf_ckks_context *ctx = f->ctx;
  vec a = vrand(f->slots), b = vrand(f->slots);
  cf_ckks_ciphertext *ca = enc(f, a, f->ctx->L, 1), *cb = enc(f, b, f->ctx->L, 1);
  cf_ckks_ciphertext *t3 = empty(f), *ref = empty(f);
  assert_int_equal(cf_ckks_mul_norelin(ctx, ca, cb, t3), CF_OK);
  assert_int_equal(cf_ckks_relinearize(ctx, f->rlk, t3, ref), CF_OK);
  int l = cf_ckks_ciphertext_level(t3), L = f->ctx->L, K = f->ctx->K;
  size_t n = ctx->n, q = (size_t)l + 1, e = q + (size_t)K;
  uint16_t pr[64];
  for (size_t i = 0; i < q; i++)
    pr[i] = (uint16_t)i;
  for (int k = 0; k < K; k++)
    pr[q + (size_t)k] = (uint16_t)(L + 1 + k);
  uint64_t *d2 = cf_ckks_ciphertext_poly(t3, 2);
  uint64_t *t = malloc(q * n * 8), *acc0 = calloc(e * n, 8), *acc1 = calloc(e * n, 8);
  uint64_t *w = malloc(q * n * 8);
  for (size_t i = 0; i < q; i++) {
    cf_ckks_step_copy(ctx, t + i * n, d2 + i * n, 1);
    cf_ckks_step_intt(ctx, t + i * n, &pr[i], 1);
  }
  for (int j = 0; j < cf_ckks_ndigits(ctx, l); j++) {
    int first, count;
    size_t next;
    const uint16_t *ep;
    assert_int_equal(cf_ckks_digit_info(ctx, l, j, &first, &count, &next, &ep), CF_OK);
    uint64_t *ext = malloc(next * n * 8);
    for (size_t r = 0; r < next; r++) {
      cf_ckks_step_modup(ctx, l, j, ext, t + (size_t)first * n, r, r + 1);
      cf_ckks_step_ntt(ctx, ext + r * n, &ep[r], 1);
    }
    const uint64_t *kb = cf_ckks_relin_key_poly(ctx, f->rlk, j, 0);
    const uint64_t *ka = cf_ckks_relin_key_poly(ctx, f->rlk, j, 1);
    /* walk the accumulator rows: digit rows come from d2, the rest from ext in order */
    size_t er = 0;
    for (size_t r = 0; r < e; r++) {
      size_t krow = r < q ? r : (size_t)(L + 1) + (r - q);
      int in_digit = r < q && (int)r >= first && (int)r < first + count;
      const uint64_t *src = in_digit ? d2 + r * n : ext + (er++) * n;
      if (!in_digit) assert_int_equal(ep[er - 1], pr[r]);
      cf_ckks_step_ks_inner(ctx, acc0 + r * n, acc1 + r * n, src, kb + krow * n, ka + krow * n,
                            &pr[r], 1);
    }
    assert_int_equal(er, next);
    free(ext);
  }
  uint64_t *accs[2] = {acc0, acc1};
  for (int i = 0; i < 2; i++) {
    for (int k = 0; k < K; k++)
      cf_ckks_step_intt(ctx, accs[i] + (q + (size_t)k) * n, &pr[q + (size_t)k], 1);
    for (size_t r = 0; r < q; r++)
      cf_ckks_step_moddown(ctx, l, accs[i], accs[i] + q * n, w, r, r + 1);
    cf_ckks_step_add(ctx, accs[i], accs[i], cf_ckks_ciphertext_poly(t3, i), pr, q);
    assert_memory_equal(accs[i], cf_ckks_ciphertext_poly(ref, i), q * n * 8);
  }
  free(t), free(acc0), free(acc1), free(w);
  cf_ckks_ciphertext_destroy(t3), cf_ckks_ciphertext_destroy(ref);
  cf_ckks_ciphertext_destroy(ca), cf_ckks_ciphertext_destroy(cb);
  vfree(a), vfree(b);
}

/* Expanding a key's seed twice gives the same polynomials; different seeds differ. */
static void test_seed_expansion(void **state) {
  fx *f = *state;
  cf_ckks_kskey k = f->rlk->ks;
  k.a = NULL;
  assert_int_equal(cf_ckks_kskey_expand(f->ctx, &k), CF_OK);
  size_t words = (size_t)k.dnum * (size_t)f->ctx->nprimes * f->ctx->n;
  assert_memory_equal(k.a, f->rlk->ks.a, words * sizeof(uint64_t));
  for (size_t i = 0; i < words; i++)
    assert_true(k.a[i] < f->ctx->params.primes[(i / f->ctx->n) % (size_t)f->ctx->nprimes]);
  k.seed[0] ^= 1;
  uint64_t *first = k.a;
  k.a = NULL;
  assert_int_equal(cf_ckks_kskey_expand(f->ctx, &k), CF_OK);
  assert_memory_not_equal(k.a, first, f->ctx->n * sizeof(uint64_t));
  free(first);
  free(k.a);
}

static void test_hamming_secret(void **state) {
  (void)state;
  cf_ckks_params_spec s;
  memset(&s, 0, sizeof s);
  s.log_n = 11;
  s.nq = 3;
  s.q_bits[0] = 50, s.q_bits[1] = 40, s.q_bits[2] = 40;
  s.np = 1;
  s.p_bits[0] = 55;
  s.dnum = 3;
  s.log_scale = 40;
  s.secret = CF_CKKS_SECRET_HAMMING;
  s.hamming_weight = 64;
  s.allow_insecure = true;
  cf_ckks_params *p = NULL;
  assert_int_equal(cf_ckks_params_create(&s, &p), CF_OK);
  fx f = {0};
  assert_int_equal(cf_ckks_context_create(p, &f.ctx), CF_OK);
  cf_ckks_params_destroy(p);
  f.slots = f.ctx->n / 2;
  f.scale = 0x1p40;
  assert_int_equal(cf_ckks_keygen_secret(f.ctx, &f.sk), CF_OK);
  int weight = 0;
  for (size_t i = 0; i < f.ctx->n; i++)
    weight += f.sk->coeffs[i] != 0;
  assert_int_equal(weight, 64);
  assert_int_equal(cf_ckks_keygen_public(f.ctx, f.sk, &f.pk), CF_OK);
  assert_int_equal(cf_ckks_keygen_relin(f.ctx, f.sk, &f.rlk), CF_OK);
  vec a = vrand(f.slots), w = vnew(f.slots);
  cf_ckks_ciphertext *ca = enc(&f, a, 2, 1), *r = empty(&f);
  for (size_t i = 0; i < f.slots; i++) {
    double complex z = (a.re[i] + I * a.im[i]) * (a.re[i] + I * a.im[i]);
    w.re[i] = creal(z), w.im[i] = cimag(z);
  }
  assert_int_equal(cf_ckks_mul(f.ctx, f.rlk, ca, ca, r), CF_OK);
  assert_int_equal(cf_ckks_rescale(f.ctx, r, r), CF_OK);
  expect(&f, r, w, 18, "hamming secret mul");
  cf_ckks_ciphertext_destroy(ca);
  cf_ckks_ciphertext_destroy(r);
  vfree(a), vfree(w);
  cf_ckks_relin_key_destroy(f.rlk);
  cf_ckks_public_key_destroy(f.pk);
  cf_ckks_secret_key_destroy(f.sk);
  cf_ckks_context_destroy(f.ctx);
}

static void test_null_and_empty(void **state) {
  fx *f = *state;
  cf_ckks_ciphertext *e = empty(f), *r = empty(f);
  assert_int_equal(cf_ckks_add(f->ctx, e, e, r), CF_EINVAL);
  assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, NULL, 1, r), CF_EINVAL);
  assert_int_equal(cf_ckks_mul(f->ctx, NULL, e, e, r), CF_EINVAL);
  /* without Galois keys: a rotation by 0 is a copy, any other step is refused */
  vec a = vrand(f->slots);
  cf_ckks_ciphertext *ca = enc(f, a, 1, 1);
  assert_int_equal(cf_ckks_rotate(f->ctx, NULL, ca, 1, r), CF_EINVAL);
  assert_int_equal(cf_ckks_rotate(f->ctx, NULL, ca, 0, r), CF_OK);
  expect(f, r, a, 20, "rotate by 0, no keys");
  cf_ckks_ciphertext_destroy(ca);
  vfree(a);
  cf_ckks_ciphertext_destroy(NULL);
  cf_ckks_plaintext_destroy(NULL);
  cf_ckks_secret_key_destroy(NULL);
  cf_ckks_public_key_destroy(NULL);
  cf_ckks_relin_key_destroy(NULL);
  cf_ckks_galois_key_destroy(NULL);
  cf_ckks_context_destroy(NULL);
  cf_ckks_params_destroy(NULL);
  cf_ckks_ciphertext_destroy(e);
  cf_ckks_ciphertext_destroy(r);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encrypt),
      cmocka_unit_test(test_add_sub_neg),
      cmocka_unit_test(test_mul_plain_const),
      cmocka_unit_test(test_mul_relin_rescale),
      cmocka_unit_test(test_rotate_conjugate),
      cmocka_unit_test(test_hoisted_identical),
      cmocka_unit_test(test_split_steps_identical),
      cmocka_unit_test(test_steps_contract_relin),
      cmocka_unit_test(test_seed_expansion),
      cmocka_unit_test(test_hamming_secret),
      cmocka_unit_test(test_null_and_empty),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
