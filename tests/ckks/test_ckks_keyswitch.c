/*
 * Rotations by every power of two (both directions) and by fresh random
 * indices against the plaintext rotation, and the key-switching noise of
 * relinearization and rotation against its theoretical bound (toy set).
 *
 * The noise is measured exactly: dec(rotate(ct)) - sigma(dec(ct)) and
 * dec(relin(ct3)) - dec(ct3) are the key-switching error polynomial e_ks
 * (mod Q_l); its residues mod q_0, centred, are e_ks itself while
 * |e_ks| < q_0 / 2. Bound for hybrid key switching with digits Q_j of c_j
 * primes, K special primes of product P, errors |e| <= 21 (the centred
 * binomial sampler) and a secret with ||s||_1 <= N:
 *   ||e_ks|| <= sum_j 21 N (c_j + 1) Q_j / P     (digit x key error, / P;
 *                                                ModUp adds < c_j Q_j)
 *             + (K + 1)(N + 1)                    (ModDown's rounding and
 *                                                fast-conversion overflow)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "helpers.h"
#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"

enum { MAXSTEPS = 32, NRANDOM = 6 };

typedef struct fx {
  cf_ckks_context *ctx;
  cf_ckks_secret_key *sk;
  cf_ckks_relin_key *rlk;
  cf_ckks_galois_key *gk;
  size_t slots;
  double scale;
  int steps[MAXSTEPS];
  int nsteps;
} fx;

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  if (!toy_context(&f->ctx, &f->slots, &f->scale)) return -1;
  for (size_t k = 1; k < f->slots; k *= 2) {
    f->steps[f->nsteps++] = (int)k;
    f->steps[f->nsteps++] = -(int)k;
  }
  for (int i = 0; i < NRANDOM; i++) /* fresh arbitrary indices */
    f->steps[f->nsteps++] = 3 + (int)randombytes_uniform((uint32_t)f->slots - 4);
  if (cf_ckks_keygen_secret(f->ctx, &f->sk) != CF_OK) return -1;
  if (cf_ckks_keygen_relin(f->ctx, f->sk, &f->rlk) != CF_OK) return -1;
  if (cf_ckks_keygen_galois(f->ctx, f->sk, f->steps, (size_t)f->nsteps, false, &f->gk) != CF_OK)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  cf_ckks_galois_key_destroy(f->gk);
  cf_ckks_relin_key_destroy(f->rlk);
  cf_ckks_secret_key_destroy(f->sk);
  cf_ckks_context_destroy(f->ctx);
  free(f);
  return 0;
}

static cf_ckks_ciphertext *encrypt(fx *f, const double *re, const double *im, int level) {
  cf_ckks_plaintext *pt = NULL;
  cf_ckks_ciphertext *ct = NULL;
  assert_int_equal(cf_ckks_encode(f->ctx, re, im, f->slots, level, f->scale, &pt), CF_OK);
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &ct), CF_OK);
  assert_int_equal(cf_ckks_encrypt_sk(f->ctx, f->sk, pt, ct), CF_OK);
  cf_ckks_plaintext_destroy(pt);
  return ct;
}

static void rotations_by_powers_of_two_and_random_steps(void **state) {
  fx *f = *state;
  size_t n = f->slots;
  double *re = malloc(n * sizeof *re), *im = malloc(n * sizeof *im);
  double *wr = malloc(n * sizeof *wr), *wi = malloc(n * sizeof *wi);
  double *gr = malloc(n * sizeof *gr), *gi = malloc(n * sizeof *gi);
  rnd_fill(re, n);
  rnd_fill(im, n);
  cf_ckks_ciphertext *ct = encrypt(f, re, im, f->ctx->L), *r = NULL;
  assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &r), CF_OK);
  double worst = 100;
  for (int s = 0; s < f->nsteps; s++) {
    int k = f->steps[s];
    for (size_t i = 0; i < n; i++) {
      size_t src = (size_t)(((long)i + k) % (long)n + (long)n) % n;
      wr[i] = re[src], wi[i] = im[src];
    }
    assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, ct, k, r), CF_OK);
    cf_ckks_plaintext *pt = NULL;
    assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, r, &pt), CF_OK);
    assert_int_equal(cf_ckks_decode(f->ctx, pt, gr, gi), CF_OK);
    cf_ckks_plaintext_destroy(pt);
    double bits = precision_bits(wr, wi, gr, gi, n);
    if (bits < 18) print_error("rotation by %d: %.1f bits\n", k, bits);
    assert_true(bits >= 18);
    worst = bits < worst ? bits : worst;
  }
  print_message("%d rotations (all powers of two, both ways, and %d random): >= %.1f bits\n",
                f->nsteps, NRANDOM, worst);
  cf_ckks_ciphertext_destroy(ct);
  cf_ckks_ciphertext_destroy(r);
  free(re), free(im), free(wr), free(wi), free(gr), free(gi);
}

/* The bound of the header for a key switch at level l. */
static double ks_bound(const cf_ckks_context *ctx, int l) {
  double log2p = 0, sum = 0, nn = (double)ctx->n;
  for (int i = 0; i < ctx->K; i++)
    log2p += log2((double)ctx->params.primes[ctx->L + 1 + i]);
  const cf_ckks_level *lv = &ctx->levels[l];
  for (int j = 0; j < lv->ndigits; j++) {
    double log2qj = 0;
    for (int i = 0; i < lv->digits[j].count; i++)
      log2qj += log2((double)ctx->params.primes[lv->digits[j].first + i]);
    sum += 21.0 * nn * (lv->digits[j].count + 1) * exp2(log2qj - log2p);
  }
  return sum + (ctx->K + 1) * (nn + 1);
}

/* Largest |centred (a - b) mod q_0| in the coefficient domain; a, b are NTT-form row 0. */
static double row0_gap(const cf_ckks_context *ctx, const uint64_t *a, const uint64_t *b) {
  size_t n = ctx->n;
  uint64_t q = ctx->params.primes[0], *d = malloc(n * sizeof *d);
  for (size_t i = 0; i < n; i++)
    d[i] = a[i] >= b[i] ? a[i] - b[i] : a[i] + q - b[i];
  cf_ntt_inverse(&ctx->ntt[0], d);
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double v = d[i] > q / 2 ? -(double)(q - d[i]) : (double)d[i];
    worst = fabs(v) > worst ? fabs(v) : worst;
  }
  free(d);
  return worst;
}

static const uint64_t *pt_row0(const cf_ckks_plaintext *pt) { return cf_ckks_plaintext_poly(pt); }

static void keyswitch_noise_within_bound(void **state) {
  fx *f = *state;
  size_t n = f->slots;
  double *re = malloc(n * sizeof *re), *im = malloc(n * sizeof *im);
  uint64_t *sig = malloc(f->ctx->n * sizeof *sig);
  for (int level = f->ctx->L; level >= 1; level -= f->ctx->L - 1) {
    rnd_fill(re, n);
    rnd_fill(im, n);
    cf_ckks_ciphertext *a = encrypt(f, re, im, level), *b = encrypt(f, im, re, level);
    cf_ckks_ciphertext *t = NULL, *r = NULL;
    assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &t), CF_OK);
    assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &r), CF_OK);
    double bound = ks_bound(f->ctx, level), worst = 0;
    /* relinearization: dec(relin(a*b)) - dec(a*b) */
    cf_ckks_plaintext *p3 = NULL, *p2 = NULL;
    assert_int_equal(cf_ckks_mul_norelin(f->ctx, a, b, t), CF_OK);
    assert_int_equal(cf_ckks_relinearize(f->ctx, f->rlk, t, r), CF_OK);
    assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, t, &p3), CF_OK);
    assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, r, &p2), CF_OK);
    double e = row0_gap(f->ctx, pt_row0(p2), pt_row0(p3));
    print_message("level %d relinearize: |e_ks| = %.0f, bound %.0f\n", level, e, bound);
    assert_true(e <= bound);
    cf_ckks_plaintext_destroy(p3);
    cf_ckks_plaintext_destroy(p2);
    /* rotations: dec(rotate(a)) - sigma(dec(a)) */
    cf_ckks_plaintext *pa = NULL;
    assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, a, &pa), CF_OK);
    for (int s = 0; s < f->nsteps; s += 5) {
      uint64_t g = cf_ckks_galois_for_step(f->ctx, f->steps[s]);
      cf_automorph_ntt(cf_ckks_galois_key_table(f->gk, g), sig, pt_row0(pa), 0, 1);
      assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, a, f->steps[s], r), CF_OK);
      cf_ckks_plaintext *pr = NULL;
      assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, r, &pr), CF_OK);
      double er = row0_gap(f->ctx, pt_row0(pr), sig);
      worst = er > worst ? er : worst;
      cf_ckks_plaintext_destroy(pr);
    }
    print_message("level %d rotations: max |e_ks| = %.0f, bound %.0f\n", level, worst, bound);
    assert_true(worst <= bound);
    /* a wrong key breaks the bound: the check can fail */
    cf_ckks_ciphertext *c = NULL;
    assert_int_equal(cf_ckks_ciphertext_create(f->ctx, &c), CF_OK);
    assert_int_equal(cf_ckks_rotate(f->ctx, f->gk, a, f->steps[0], c), CF_OK);
    uint64_t g = cf_ckks_galois_for_step(f->ctx, f->steps[1]); /* not the rotation applied */
    cf_automorph_ntt(cf_ckks_galois_key_table(f->gk, g), sig, pt_row0(pa), 0, 1);
    cf_ckks_plaintext *pc = NULL;
    assert_int_equal(cf_ckks_decrypt(f->ctx, f->sk, c, &pc), CF_OK);
    assert_true(row0_gap(f->ctx, pt_row0(pc), sig) > bound);
    cf_ckks_plaintext_destroy(pc);
    cf_ckks_ciphertext_destroy(c);
    cf_ckks_plaintext_destroy(pa);
    cf_ckks_ciphertext_destroy(a);
    cf_ckks_ciphertext_destroy(b);
    cf_ckks_ciphertext_destroy(t);
    cf_ckks_ciphertext_destroy(r);
  }
  free(re), free(im), free(sig);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rotations_by_powers_of_two_and_random_steps),
      cmocka_unit_test(keyswitch_noise_within_bound),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
