#include <string.h>

#include "kernels/cpu/ntt.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns.h"
#include "kt_util.h"

#define N 64

/* count primes = 1 mod 2N of mixed widths from the list, all distinct. */
static void mixed_primes(uint64_t *out, size_t count, const int *widths, size_t nwidths,
                         const uint64_t *ex, size_t nex) {
  uint64_t *used = malloc((count + nex) * sizeof *used);
  if (nex > 0) memcpy(used, ex, nex * sizeof *ex);
  for (size_t i = 0; i < count; i++) {
    int bits = widths[kt_below(nwidths)];
    assert_int_equal(cf_primes_generate(bits, N, 1, CF_PRIMES_DESCENDING, used, nex + i, &out[i]),
                     CF_OK);
    used[nex + i] = out[i];
  }
  free(used);
}

static void product(mpz_t z, const uint64_t *p, size_t count) {
  mpz_t t;
  mpz_init(t);
  mpz_set_ui(z, 1);
  for (size_t i = 0; i < count; i++) {
    kt_mpz_set_u64(t, p[i]);
    mpz_mul(z, z, t);
  }
  mpz_clear(t);
}

/* X in [0, prod p) with X = rows[i][c] mod p_i, by CRT. */
static void crt(mpz_t x, const uint64_t *rows, size_t c, const uint64_t *p, size_t count) {
  mpz_t m, t, qi, mi, inv;
  mpz_inits(m, t, qi, mi, inv, NULL);
  product(m, p, count);
  mpz_set_ui(x, 0);
  for (size_t i = 0; i < count; i++) {
    kt_mpz_set_u64(qi, p[i]);
    mpz_divexact(mi, m, qi);
    mpz_invert(inv, mi, qi);
    kt_mpz_set_u64(t, rows[i * N + c]);
    mpz_mul(t, t, inv);
    mpz_mod(t, t, qi);
    mpz_addmul(x, t, mi);
  }
  mpz_mod(x, x, m);
  mpz_clears(m, t, qi, mi, inv, NULL);
}

static void fill_rows(uint64_t *rows, const uint64_t *p, size_t count) {
  for (size_t i = 0; i < count; i++)
    kt_fill(rows + i * N, N, p[i]);
}

static const int all_widths[] = {30, 36, 45, 50, 55, 59, 60, 61};

static void baseconv_matches_formula_and_bound(void **state) {
  (void)state;
  /* 70 61-bit source limbs overflow one 128-bit accumulator (63 products fit). */
  /* The last two shapes use primes below 2^50 only (the AVX2 path, where present). */
  const size_t shapes[][2] = {{1, 1}, {1, 4}, {3, 2}, {8, 9}, {25, 3}, {70, 2}, {9, 7}, {33, 4}};
  const int wide[] = {61}, narrow[] = {30, 40, 45, 49, 50};
  mpz_t X, S, A, ai, bj, y, ahat, t;
  mpz_inits(X, S, A, ai, bj, y, ahat, t, NULL);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    size_t na = shapes[s][0], nb = shapes[s][1];
    uint64_t *a = malloc((na + nb) * sizeof *a), *b = a + na;
    const int *wa = na == 70 ? wide : s >= 6 ? narrow : all_widths;
    size_t nwa = na == 70 ? 1 : s >= 6 ? 5 : 8;
    mixed_primes(a, na, wa, nwa, NULL, 0);
    mixed_primes(b, nb, s >= 6 ? narrow : all_widths, s >= 6 ? 5 : 8, a, na);
    if (s == 3) b[0] = a[1]; /* a target prime that is also a source prime */
    cf_baseconv_table tb;
    assert_int_equal(cf_baseconv_init(&tb, a, na, b, nb), CF_OK);
    uint64_t *in = malloc(na * N * sizeof *in), *out = malloc(nb * N * sizeof *out),
             *part = malloc(nb * N * sizeof *out);
    fill_rows(in, a, na);
    if (s == 0)
      for (size_t c = 0; c < N; c++)
        in[c] = a[0] - 1;
    cf_baseconv(&tb, out, in, N, 0, nb);
    product(A, a, na);
    for (size_t c = 0; c < N; c++) {
      crt(X, in, c, a, na);
      mpz_set_ui(S, 0);
      for (size_t i = 0; i < na; i++) {
        kt_mpz_set_u64(ai, a[i]);
        mpz_divexact(ahat, A, ai);
        mpz_invert(t, ahat, ai);
        kt_mpz_set_u64(y, in[i * N + c]);
        mpz_mul(y, y, t);
        mpz_mod(y, y, ai);
        mpz_addmul(S, y, ahat);
      }
      for (size_t j = 0; j < nb; j++)
        KT_EQ(out[j * N + c], kt_mpz_mod_u64(S, b[j]), "shape %zu coeff %zu limb %zu", s, c, j);
      /* S = X + u*A with 0 <= u <= na - 1. */
      mpz_sub(t, S, X);
      KT_TRUE(mpz_divisible_p(t, A), "S - X is a multiple of A");
      mpz_divexact(t, t, A);
      KT_TRUE(mpz_sgn(t) >= 0 && mpz_cmp_ui(t, na - 1) <= 0, "u in [0, %zu]", na - 1);
    }
    /* Any split of the output limbs gives the same bits. */
    memset(part, 0, nb * N * sizeof *part);
    size_t cut = kt_below(nb + 1);
    cf_baseconv(&tb, part, in, N, cut, nb);
    cf_baseconv(&tb, part, in, N, 0, cut);
    assert_memory_equal(part, out, nb * N * sizeof *out);
    /* A degree that is not a multiple of the coefficient block: the same values. */
    const size_t n2 = 21;
    uint64_t *in2 = malloc(na * n2 * sizeof *in2), *out2 = malloc(nb * n2 * sizeof *out2);
    for (size_t i = 0; i < na; i++)
      memcpy(in2 + i * n2, in + i * N, n2 * sizeof *in2);
    cf_baseconv(&tb, out2, in2, n2, 0, nb);
    for (size_t j = 0; j < nb; j++)
      assert_memory_equal(out2 + j * n2, out + j * N, n2 * sizeof *out2);
    free(in2);
    free(out2);
    cf_baseconv_free(&tb);
    free(in);
    free(out);
    free(part);
    free(a);
  }
  /* Repeated source primes are rejected. */
  uint64_t rep[2] = {12289, 12289};
  cf_baseconv_table tb;
  assert_int_equal(cf_baseconv_init(&tb, rep, 2, rep, 1), CF_EINVAL);
  assert_int_equal(cf_baseconv_init(&tb, rep, 0, rep, 1), CF_EINVAL);
  cf_baseconv_free(&tb);
  mpz_clears(X, S, A, ai, bj, y, ahat, t, NULL);
}

static void rescale_rounds_exactly(void **state) {
  (void)state;
  mpz_t X, Ql, ql, r, t;
  mpz_inits(X, Ql, ql, r, t, NULL);
  for (int trial = 0; trial < 6; trial++) {
    size_t count = 2 + kt_below(6), l = count - 1;
    uint64_t q[8];
    mixed_primes(q, count, all_widths, 8, NULL, 0);
    cf_rescale_table rt;
    assert_int_equal(cf_rescale_init(&rt, q, count), CF_OK);
    uint64_t *in = malloc(count * N * sizeof *in), *out = malloc(l * N * sizeof *out),
             *part = malloc(l * N * sizeof *out);
    fill_rows(in, q, count);
    const uint64_t *last = in + l * N;
    cf_rescale(&rt, out, in, last, N, 0, l);
    product(Ql, q, count);
    kt_mpz_set_u64(ql, q[l]);
    for (size_t c = 0; c < N; c++) {
      crt(X, in, c, q, count);
      /* Centred X in (-Ql/2, Ql/2], rounded to nearest: floor((2X + ql) / (2 ql)). */
      mpz_mul_2exp(t, X, 1);
      if (mpz_cmp(t, Ql) > 0) mpz_sub(X, X, Ql);
      mpz_mul_2exp(r, X, 1);
      mpz_add(r, r, ql);
      mpz_mul_2exp(t, ql, 1);
      mpz_fdiv_q(r, r, t);
      for (size_t i = 0; i < l; i++)
        KT_EQ(out[i * N + c], kt_mpz_mod_u64(r, q[i]), "rescale limb %zu coeff %zu of %zu", i, c,
              count);
    }
    size_t cut = kt_below(l + 1);
    cf_rescale(&rt, part, in, last, N, cut, l);
    cf_rescale(&rt, part, in, last, N, 0, cut);
    assert_memory_equal(part, out, l * N * sizeof *out);
    /* In place. */
    memcpy(part, in, l * N * sizeof *in);
    cf_rescale(&rt, part, part, last, N, 0, l);
    assert_memory_equal(part, out, l * N * sizeof *out);

    /* NTT-form path: lift, forward NTT, finish == NTT(coefficient-form result). */
    cf_ntt_table *nt = malloc(count * sizeof *nt);
    for (size_t i = 0; i < count; i++)
      assert_int_equal(cf_ntt_table_init(&nt[i], N, q[i]), CF_OK);
    uint64_t *w = malloc(l * N * sizeof *w), *ev = malloc(l * N * sizeof *ev);
    memcpy(ev, in, l * N * sizeof *in);
    cf_ntt_forward_limbs(nt, ev, 0, l);
    cf_rescale_lift(&rt, w, last, N, 0, l);
    cf_ntt_forward_limbs(nt, w, 0, l);
    cf_rescale_finish(&rt, ev, ev, w, N, 0, l);
    cf_ntt_forward_limbs(nt, out, 0, l);
    assert_memory_equal(ev, out, l * N * sizeof *out);
    for (size_t i = 0; i < count; i++)
      cf_ntt_table_free(&nt[i]);
    free(nt);
    free(w);
    free(ev);
    free(in);
    free(out);
    free(part);
    cf_rescale_free(&rt);
  }
  cf_rescale_table rt;
  uint64_t one = 12289;
  assert_int_equal(cf_rescale_init(&rt, &one, 1), CF_EINVAL);
  cf_rescale_free(&rt);
  mpz_clears(X, Ql, ql, r, t, NULL);
}

static void moddown_divides_by_p(void **state) {
  (void)state;
  mpz_t X, P, r, t;
  mpz_inits(X, P, r, t, NULL);
  for (int trial = 0; trial < 6; trial++) {
    size_t nq = 1 + kt_below(6), np = 1 + kt_below(4), nt_ = nq + np;
    uint64_t qp[10];
    /* Odd trials use primes below 2^50 only (the AVX2 path, where present). */
    static const int narrow[] = {30, 40, 45, 49, 50};
    if (trial % 2)
      mixed_primes(qp, nt_, narrow, 5, NULL, 0);
    else
      mixed_primes(qp, nt_, all_widths, 8, NULL, 0);
    const uint64_t *q = qp, *p = qp + nq;
    cf_moddown_table md;
    assert_int_equal(cf_moddown_init(&md, q, nq, p, np), CF_OK);
    uint64_t *in = malloc(nt_ * N * sizeof *in), *out = malloc(nq * N * sizeof *out),
             *part = malloc(nq * N * sizeof *out);
    fill_rows(in, qp, nt_);
    const uint64_t *in_p = in + nq * N;
    cf_moddown(&md, out, in, in_p, N, 0, nq);
    product(P, p, np);
    for (size_t c = 0; c < N; c++) {
      crt(X, in, c, qp, nt_);
      mpz_fdiv_q(r, X, P); /* floor(X / P) */
      /* out = floor(X/P) - u with one u in [0, np - 1] shared by all limbs. */
      long found = -1;
      for (unsigned long u = 0; u < np && found < 0; u++) {
        mpz_sub_ui(t, r, u);
        bool all = true;
        for (size_t i = 0; i < nq; i++)
          all &= out[i * N + c] == kt_mpz_mod_u64(t, q[i]);
        if (all) found = (long)u;
      }
      KT_TRUE(found >= 0, "ModDown coeff %zu is floor(X/P) - u for no u < %zu", c, np);
    }
    size_t cut = kt_below(nq + 1);
    cf_moddown(&md, part, in, in_p, N, cut, nq);
    cf_moddown(&md, part, in, in_p, N, 0, cut);
    assert_memory_equal(part, out, nq * N * sizeof *out);
    memcpy(part, in, nq * N * sizeof *in);
    cf_moddown(&md, part, part, in_p, N, 0, nq);
    assert_memory_equal(part, out, nq * N * sizeof *out);
    {
      const size_t n2 = 37; /* not a multiple of the coefficient block */
      uint64_t *in2 = malloc(nt_ * n2 * sizeof *in2), *out2 = malloc(nq * n2 * sizeof *out2);
      for (size_t i = 0; i < nt_; i++)
        memcpy(in2 + i * n2, in + i * N, n2 * sizeof *in2);
      cf_moddown(&md, out2, in2, in2 + nq * n2, n2, 0, nq);
      for (size_t i = 0; i < nq; i++)
        assert_memory_equal(out2 + i * n2, out + i * N, n2 * sizeof *out2);
      free(in2);
      free(out2);
    }

    /* NTT-form path: baseconv P -> Q, forward NTT, finish == NTT(coefficient result). */
    cf_ntt_table *nt = malloc(nq * sizeof *nt);
    for (size_t i = 0; i < nq; i++)
      assert_int_equal(cf_ntt_table_init(&nt[i], N, q[i]), CF_OK);
    uint64_t *w = malloc(nq * N * sizeof *w), *ev = malloc(nq * N * sizeof *ev);
    memcpy(ev, in, nq * N * sizeof *in);
    cf_ntt_forward_limbs(nt, ev, 0, nq);
    cf_baseconv(&md.conv, w, in_p, N, 0, nq);
    cf_ntt_forward_limbs(nt, w, 0, nq);
    cf_moddown_finish(&md, ev, ev, w, N, 0, nq);
    cf_ntt_forward_limbs(nt, out, 0, nq);
    assert_memory_equal(ev, out, nq * N * sizeof *out);
    for (size_t i = 0; i < nq; i++)
      cf_ntt_table_free(&nt[i]);
    free(nt);
    free(w);
    free(ev);
    free(in);
    free(out);
    free(part);
    cf_moddown_free(&md);
  }
  mpz_clears(X, P, r, t, NULL);
}

int main(void) {
  kt_seed("test_kernels_rns");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(baseconv_matches_formula_and_bound),
      cmocka_unit_test(rescale_rounds_exactly),
      cmocka_unit_test(moddown_divides_by_p),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
