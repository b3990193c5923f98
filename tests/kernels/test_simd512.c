/*
 * The AVX-512 variants (poly_avx512.c, rns_avx512.c) against the portable
 * ones on fresh random inputs and extremes, for every modulus size up to
 * 61 bits. Skipped on processors without AVX-512 F/DQ/BW/VL + IFMA.
 */
#include <string.h>

#include "kernels/cpu/automorph.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/poly_simd.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns_simd.h"
#include "kt_util.h"

#if defined(CF_HAVE_AVX512_POLY) && defined(CF_HAVE_AVX512_RNS)
#define HAVE_VARIANTS 1
#endif

static void need_avx512(void) {
#ifdef HAVE_VARIANTS
  if (cf_cpu_avx512_available()) return;
  fprintf(stderr, "no AVX-512 F/DQ/BW/VL/IFMA on this processor: comparison skipped\n");
#else
  fprintf(stderr, "built without the AVX-512 variants: comparison skipped\n");
#endif
  skip();
}

#ifdef HAVE_VARIANTS
/* Odd modulus of exactly `bits` bits; trials 0 and 1 take the extremes of the range. */
static uint64_t modulus_of(int bits, int trial) {
  if (trial == 0) return (bits == 61 ? (1ull << 61) - 1 : (1ull << bits) - 1);
  if (trial == 1) return (1ull << (bits - 1)) + 1;
  return (1ull << (bits - 1)) | kt_below(1ull << (bits - 1)) | 1;
}

/* Random residues, with runs of 0, 1, q-1 and q-2 in the extreme trials. */
static void fill_extreme(uint64_t *a, size_t n, uint64_t q, int trial) {
  kt_fill(a, n, q);
  if (trial < 2)
    for (size_t i = 0; i < n; i += 3)
      a[i] = (i % 4 == 0) ? 0 : (i % 4 == 1) ? 1 : q - 1 - (i & 1);
}

static void check_words(const uint64_t *got, const uint64_t *want, size_t n, const char *what,
                        uint64_t q) {
  for (size_t i = 0; i < n; i++)
    KT_EQ(got[i], want[i], "%s q=%llu at %zu", what, (unsigned long long)q, i);
}
#endif

static void avx512_products_equal_portable(void **state) {
  (void)state;
  need_avx512();
#ifdef HAVE_VARIANTS
  const size_t n = 4099; /* not a multiple of 8: the masked tail runs too */
  uint64_t *a = malloc(6 * n * sizeof *a), *b = a + n, *o1 = a + 2 * n, *o2 = a + 3 * n,
           *c1 = a + 4 * n, *c2 = a + 5 * n;
  for (int bits = 3; bits <= CF_MODULUS_MAX_BITS; bits++) {
    for (int trial = 0; trial < 5; trial++) {
      uint64_t q = modulus_of(bits, trial);
      cf_modulus m;
      assert_int_equal(cf_modulus_init(&m, q), CF_OK);
      fill_extreme(a, n, q, trial);
      fill_extreme(b, n, q, trial);
      fill_extreme(c1, n, q, trial);
      memcpy(c2, c1, n * sizeof *c1);
      cf_limb_mul_portable(o1, a, b, n, &m);
      cf_limb_mul_avx512(o2, a, b, n, &m);
      check_words(o2, o1, n, "mul", q);
      cf_limb_mul_acc_portable(c1, a, b, n, &m);
      cf_limb_mul_acc_avx512(c2, a, b, n, &m);
      check_words(c2, c1, n, "mul_acc", q);
      uint64_t sc = trial == 0 ? q - 1 : trial == 1 ? 1 : kt_below(q);
      uint64_t sp = cf_shoup_prep(sc, q);
      cf_limb_sub_mul_const_portable(o1, a, b, sc, sp, n, &m);
      cf_limb_sub_mul_const_avx512(o2, a, b, sc, sp, n, &m);
      check_words(o2, o1, n, "sub_mul_const", q);
      cf_limb_sub_mul_const_portable(o1, a, NULL, sc, sp, n, &m);
      memcpy(o2, a, n * sizeof *a);
      cf_limb_sub_mul_const_avx512(o2, o2, NULL, sc, sp, n, &m); /* in place */
      check_words(o2, o1, n, "mul_const", q);
      /* Short lengths: only the masked tail. */
      for (size_t len = 0; len < 8; len++) {
        memcpy(o2, o1, n * sizeof *o1);
        cf_limb_mul_avx512(o2, a, b, len, &m);
        for (size_t i = 0; i < len; i++)
          KT_EQ(o2[i], cf_mul_mod_slow(a[i], b[i], q), "short mul len %zu", len);
        check_words(o2 + len, o1 + len, 8, "untouched after short mul", q);
      }
    }
  }
  free(a);
#endif
}

static void avx512_add_sub_neg_equal_scalar(void **state) {
  (void)state;
  need_avx512();
#ifdef HAVE_VARIANTS
  const size_t n = 1027;
  uint64_t *a = malloc(4 * n * sizeof *a), *b = a + n, *o = a + 2 * n, *w = a + 3 * n;
  for (int bits = 2; bits <= CF_MODULUS_MAX_BITS; bits++) {
    for (int trial = 0; trial < 3; trial++) {
      uint64_t q = bits == 2 ? 3 : modulus_of(bits, trial);
      fill_extreme(a, n, q, trial);
      fill_extreme(b, n, q, trial);
      uint64_t s = trial == 0 ? q - 1 : kt_below(q);
      cf_limb_add_avx512(o, a, b, n, q);
      for (size_t i = 0; i < n; i++)
        w[i] = cf_add_mod(a[i], b[i], q);
      check_words(o, w, n, "add", q);
      cf_limb_sub_avx512(o, a, b, n, q);
      for (size_t i = 0; i < n; i++)
        w[i] = cf_sub_mod(a[i], b[i], q);
      check_words(o, w, n, "sub", q);
      cf_limb_neg_avx512(o, a, n, q);
      for (size_t i = 0; i < n; i++)
        w[i] = cf_neg_mod(a[i], q);
      check_words(o, w, n, "neg", q);
      cf_limb_add_scalar_avx512(o, a, s, n, q);
      for (size_t i = 0; i < n; i++)
        w[i] = cf_add_mod(a[i], s, q);
      check_words(o, w, n, "add_scalar", q);
    }
  }
  free(a);
#endif
}

#ifdef HAVE_VARIANTS
/* count distinct primes = 1 mod 2048, each of a width drawn from [lo, hi]. */
static void primes_of_widths(uint64_t *out, size_t count, int lo, int hi) {
  for (size_t i = 0; i < count; i++) {
    int bits = lo + (int)kt_below((uint64_t)(hi - lo + 1));
    assert_int_equal(cf_primes_generate(bits, 1024, 1, CF_PRIMES_DESCENDING, out, i, &out[i]),
                     CF_OK);
  }
}
#endif

/*
 * Source and target widths: all below 2^50 (the AVX2 case), the CKKS mix of
 * 50- and 60-bit primes, all 61-bit (the largest sums), and random widths.
 */
static void avx512_baseconv_equals_portable(void **state) {
  (void)state;
  need_avx512();
#ifdef HAVE_VARIANTS
  const size_t degrees[] = {32, 64, 100, 1024, 7};
  const int ranges[][4] = {{30, 50, 30, 50}, {50, 60, 50, 60}, {60, 60, 50, 50}, {50, 50, 60, 60},
                           {61, 61, 61, 61}, {30, 61, 30, 61}, {51, 53, 51, 53}};
  const size_t nranges = sizeof ranges / sizeof ranges[0];
  for (int trial = 0; trial < 28; trial++) {
    const int *r = ranges[trial % nranges];
    size_t n = degrees[trial % 5], na = 1 + kt_below(trial < 7 ? 128 : 24), nb = 1 + kt_below(30);
    uint64_t *p = malloc((na + nb) * sizeof *p);
    primes_of_widths(p, na, r[0], r[1]);
    for (size_t j = 0; j < nb; j++) {
      int bits = r[2] + (int)kt_below((uint64_t)(r[3] - r[2] + 1));
      assert_int_equal(
          cf_primes_generate(bits, 1024, 1, CF_PRIMES_DESCENDING, p, na + j, &p[na + j]), CF_OK);
    }
    cf_baseconv_table t;
    assert_int_equal(cf_baseconv_init(&t, p, na, p + na, nb), CF_OK);
    assert_non_null(t.fold);
    uint64_t *in = malloc(na * n * sizeof *in), *o1 = malloc(nb * n * sizeof *o1),
             *o2 = malloc(nb * n * sizeof *o2);
    for (size_t i = 0; i < na; i++)
      fill_extreme(in + i * n, n, p[i], trial % 3);
    if (trial % 7 == 4) /* the largest sums: every y_i = a_i - 1, i.e. x_i = -[A/a_i]_{a_i} */
      for (size_t i = 0; i < na; i++) {
        uint64_t ahat = 0;
        assert_true(cf_inv_mod(t.ahat_inv[i], p[i], &ahat));
        for (size_t c = 0; c < n; c++)
          in[i * n + c] = p[i] - ahat;
      }
    size_t lb = kt_below(nb), le = lb + 1 + kt_below(nb - lb);
    memset(o1, 0, nb * n * sizeof *o1);
    memset(o2, 0, nb * n * sizeof *o2);
    cf_baseconv_portable(&t, o1, in, n, lb, le);
    cf_baseconv_avx512(&t, o2, in, n, lb, le);
    for (size_t k = 0; k < nb * n; k++)
      KT_EQ(o2[k], o1[k], "baseconv %zu -> %zu (widths %d..%d -> %d..%d), N=%zu, word %zu", na, nb,
            r[0], r[1], r[2], r[3], n, k);
    free(in);
    free(o1);
    free(o2);
    free(p);
    cf_baseconv_free(&t);
  }
#endif
}

/* The dispatched ModDown (whichever path is active) against portable conversion + constant product.
 */
static void moddown_equals_portable_steps(void **state) {
  (void)state;
#ifdef HAVE_VARIANTS
  for (int trial = 0; trial < 8; trial++) {
    size_t n = trial % 2 ? 100 : 256, nq = 1 + kt_below(26), np = 1 + kt_below(9);
    uint64_t *p = malloc((nq + np) * sizeof *p);
    primes_of_widths(p, nq, 30 + 20 * (trial % 2), 61);
    for (size_t k = 0; k < np; k++)
      assert_int_equal(cf_primes_generate(60 + (int)kt_below(2), 1024, 1, CF_PRIMES_DESCENDING, p,
                                          nq + k, &p[nq + k]),
                       CF_OK);
    cf_moddown_table t;
    assert_int_equal(cf_moddown_init(&t, p, nq, p + nq, np), CF_OK);
    uint64_t *xq = malloc(nq * n * sizeof *xq), *xp = malloc(np * n * sizeof *xp),
             *w = malloc(nq * n * sizeof *w), *o1 = malloc(nq * n * sizeof *o1),
             *o2 = malloc(nq * n * sizeof *o2);
    for (size_t i = 0; i < nq; i++)
      fill_extreme(xq + i * n, n, p[i], trial % 3);
    for (size_t k = 0; k < np; k++)
      fill_extreme(xp + k * n, n, p[nq + k], trial % 3);
    cf_baseconv_portable(&t.conv, w, xp, n, 0, nq);
    for (size_t i = 0; i < nq; i++)
      cf_limb_sub_mul_const_portable(o1 + i * n, xq + i * n, w + i * n, t.p_inv[i], t.p_inv_sh[i],
                                     n, &t.conv.b[i]);
    size_t lb = kt_below(nq), le = lb + 1 + kt_below(nq - lb);
    memcpy(o2, o1, nq * n * sizeof *o2);
    for (size_t i = lb; i < le; i++)
      memset(o2 + i * n, 0xff, n * sizeof *o2);
    cf_moddown(&t, o2, xq, xp, n, lb, le);
    for (size_t k = 0; k < nq * n; k++)
      KT_EQ(o2[k], o1[k], "moddown Q=%zu P=%zu limbs [%zu, %zu), word %zu", nq, np, lb, le, k);
    free(xq);
    free(xp);
    free(w);
    free(o1);
    free(o2);
    free(p);
    cf_moddown_free(&t);
  }
#endif
}

/* The gathered NTT-form automorphism against the portable permutation loop. */
static void avx512_automorph_equals_portable(void **state) {
  (void)state;
  need_avx512();
#if defined(HAVE_VARIANTS) && defined(CF_HAVE_AVX512_AUTOMORPH)
  for (size_t n = 2; n <= 65536; n *= 4) {
    const size_t limbs = 3;
    uint64_t *a = malloc(3 * limbs * n * sizeof *a), *o1 = a + limbs * n, *o2 = a + 2 * limbs * n;
    for (size_t i = 0; i < limbs * n; i++)
      a[i] = kt_rand() >> 3;
    for (int trial = 0; trial < 3; trial++) {
      uint64_t k = trial == 0 ? 2 * n - 1 : (2 * kt_below(n) + 1);
      cf_automorph_table t;
      assert_int_equal(cf_automorph_table_init(&t, n, k), CF_OK);
      memset(o1, 0, 2 * limbs * n * sizeof *o1);
      cf_automorph_ntt_portable(&t, o1, a, 1, limbs);
      cf_automorph_ntt_avx512(&t, o2, a, 1, limbs);
      for (size_t i = 0; i < limbs * n; i++)
        KT_EQ(o2[i], o1[i], "automorph N=%zu k=%llu word %zu", n, (unsigned long long)k, i);
      cf_automorph_table_free(&t);
    }
    free(a);
  }
#endif
}

int main(void) {
  kt_seed("test_kernels_simd512");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(avx512_products_equal_portable),
      cmocka_unit_test(avx512_add_sub_neg_equal_scalar),
      cmocka_unit_test(avx512_baseconv_equals_portable),
      cmocka_unit_test(moddown_equals_portable_steps),
      cmocka_unit_test(avx512_automorph_equals_portable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
