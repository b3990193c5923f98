/*
 * Every CUDA kernel, run through the host emulation on random inputs at
 * several sizes, against kernels/cpu bit for bit and against independent
 * references: unsigned __int128 arithmetic, the O(n^2) evaluation of the
 * negacyclic transform at psi^(2 brev(j) + 1), the coefficient-form
 * automorphism, and GMP for basis conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/cpu/automorph.h"
#include "kernels/cpu/modarith.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/poly.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns.h"
#include "kernels/cuda/emu_kernels.h"
#include "kernels/cuda/portable.cuh"
#include "tests/kernels/kt_util.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aull

/* A kernel call that must succeed; on failure, says what the emulation reported. */
#define CT_OK(expr)                                                                                \
  do {                                                                                             \
    cf_status ct_s_ = (expr);                                                                      \
    if (ct_s_ != CF_OK)                                                                            \
      fail_msg("%s: %s: %s (seed %llu)", #expr, cf_status_name(ct_s_), cf_last_error(),            \
               (unsigned long long)kt_seed_value);                                                 \
  } while (0)

static void *xalloc(size_t words) {
  uint64_t *p = malloc(words * sizeof *p);
  assert_non_null(p);
  for (size_t i = 0; i < words; ++i)
    p[i] = SENTINEL;
  return p;
}

/* `count` distinct NTT-friendly primes for degree n with a random size in [lo, hi] bits,
 * at least 8 bits above 2n: q = 1 (mod 2n) leaves 2^(bits-1)/2n candidates, and at
 * n = 2^15 a 20-bit range holds fewer than four primes. */
static void random_primes(size_t n, size_t count, int lo, int hi, uint64_t *q) {
  int room = 8;
  for (size_t m = 2 * n; m > 1; m >>= 1)
    room++;
  if (lo < room) lo = room;
  int bits = lo + (int)kt_below((uint64_t)(hi - lo + 1));
  cf_prime_order order = kt_below(2) ? CF_PRIMES_DESCENDING : CF_PRIMES_CLOSEST;
  if (order == CF_PRIMES_CLOSEST && bits == CF_MODULUS_MAX_BITS) --bits; /* may step above */
  assert_int_equal(cf_primes_generate(bits, n, count, order, NULL, 0, q), CF_OK);
}

static void random_poly(uint64_t *p, size_t n, size_t limbs, const cf_modulus *mods) {
  for (size_t i = 0; i < limbs; ++i)
    kt_fill(p + i * n, n, mods[i].q);
}

/* Limbs outside [b, e) still hold the sentinel. */
static void check_untouched(const uint64_t *p, size_t n, size_t limbs, size_t b, size_t e,
                            const char *what) {
  for (size_t i = 0; i < limbs; ++i)
    if (i < b || i >= e)
      for (size_t c = 0; c < n; ++c)
        KT_EQ(p[i * n + c], SENTINEL, "%s wrote limb %zu outside [%zu, %zu)", what, i, b, e);
}

/* ---- modular arithmetic of the bodies ---- */

static void test_reduce128_matches_int128(void **state) {
  (void)state;
  for (int iter = 0; iter < 200000; ++iter) {
    int bits = 2 + (int)kt_below(60); /* any modulus 2 <= q < 2^61, prime or not */
    uint64_t q = (kt_rand() >> (64 - bits)) | ((uint64_t)1 << (bits - 1));
    if (q < 2) q = 2;
    cf_modulus m;
    assert_int_equal(cf_modulus_init(&m, q), CF_OK);
    uint64_t hi = kt_rand(), lo = kt_rand();
    if (iter % 4 == 0) hi = UINT64_MAX; /* the top of the range */
    if (iter % 4 == 1) hi = 0;
    unsigned __int128 x = ((unsigned __int128)hi << 64) | lo;
    KT_EQ(cf_cu_reduce128(hi, lo, &m), (uint64_t)(x % q), "reduce128 mod %llu",
          (unsigned long long)q);
    uint64_t a = kt_below(q), b = kt_below(q);
    KT_EQ(cf_cu_mul(a, b, &m), (uint64_t)((unsigned __int128)a * b % q), "mul mod %llu",
          (unsigned long long)q);
    if (iter % 8 == 2) a = b = q - 1; /* the largest product */
    KT_EQ(cf_cu_mul_red(a, b, &m), (uint64_t)((unsigned __int128)a * b % q), "mul_red mod %llu",
          (unsigned long long)q);
    uint64_t w = kt_below(q), any = kt_rand();
    KT_EQ(cf_cu_mul_shoup(any, w, cf_shoup_prep(w, q), q),
          (uint64_t)((unsigned __int128)any * w % q), "shoup mod %llu", (unsigned long long)q);
  }
}

/* ---- elementwise ---- */

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_MUL_ACC, OP_MUL_SCALAR } ew_op;

static uint64_t naive_ew(ew_op op, uint64_t acc, uint64_t a, uint64_t b, uint64_t s, uint64_t q) {
  unsigned __int128 Q = q;
  switch (op) {
  case OP_ADD: return (uint64_t)(((unsigned __int128)a + b) % Q);
  case OP_SUB: return (uint64_t)(((unsigned __int128)a + q - b) % Q);
  case OP_MUL: return (uint64_t)((unsigned __int128)a * b % Q);
  case OP_MUL_ACC: return (uint64_t)((acc + (unsigned __int128)a * b % Q) % Q);
  case OP_MUL_SCALAR: return (uint64_t)((unsigned __int128)a * s % Q);
  }
  return 0;
}

static void test_elementwise(void **state) {
  (void)state;
  static const size_t sizes[] = {2, 16, 256, 1024, 4096, 1u << 15};
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; ++si) {
    size_t n = sizes[si], limbs = 1 + kt_below(4);
    uint64_t q[4];
    cf_modulus mods[4];
    random_primes(n, limbs, 20, 61, q);
    for (size_t i = 0; i < limbs; ++i)
      assert_int_equal(cf_modulus_init(&mods[i], q[i]), CF_OK);
    size_t b = kt_below(limbs), e = b + 1 + kt_below(limbs - b);
    uint64_t *a = xalloc(n * limbs), *bb = xalloc(n * limbs), *acc = xalloc(n * limbs);
    uint64_t *got = xalloc(n * limbs), *cpu = xalloc(n * limbs);
    uint64_t s[4], s_sh[4];
    random_poly(a, n, limbs, mods);
    random_poly(bb, n, limbs, mods);
    random_poly(acc, n, limbs, mods);
    for (size_t i = 0; i < limbs; ++i) {
      s[i] = kt_below(q[i]);
      s_sh[i] = cf_shoup_prep(s[i], q[i]);
    }
    for (ew_op op = OP_ADD; op <= OP_MUL_SCALAR; ++op) {
      for (size_t i = 0; i < n * limbs; ++i)
        got[i] = cpu[i] = SENTINEL;
      if (op == OP_MUL_ACC)
        for (size_t i = b * n; i < e * n; ++i)
          got[i] = cpu[i] = acc[i];
      cf_status st = CF_OK;
      switch (op) {
      case OP_ADD:
        st = cf_emu_add(got, a, bb, n, b, e, mods);
        cf_poly_add(cpu, a, bb, n, b, e, mods);
        break;
      case OP_SUB:
        st = cf_emu_sub(got, a, bb, n, b, e, mods);
        cf_poly_sub(cpu, a, bb, n, b, e, mods);
        break;
      case OP_MUL:
        st = cf_emu_mul(got, a, bb, n, b, e, mods);
        cf_poly_mul(cpu, a, bb, n, b, e, mods);
        break;
      case OP_MUL_ACC:
        st = cf_emu_mul_acc(got, a, bb, n, b, e, mods);
        cf_poly_mul_acc(cpu, a, bb, n, b, e, mods);
        break;
      case OP_MUL_SCALAR:
        st = cf_emu_mul_scalar(got, a, s, s_sh, n, b, e, mods);
        cf_poly_mul_scalar(cpu, a, s, n, b, e, mods);
        break;
      }
      CT_OK(st);
      for (size_t i = b; i < e; ++i)
        for (size_t c = 0; c < n; ++c) {
          size_t k = i * n + c;
          KT_EQ(got[k], naive_ew(op, acc[k], a[k], bb[k], s[i], q[i]),
                "op %d n %zu limb %zu coeff %zu vs naive", (int)op, n, i, c);
          KT_EQ(got[k], cpu[k], "op %d n %zu limb %zu coeff %zu vs kernels/cpu", (int)op, n, i, c);
        }
      check_untouched(got, n, limbs, b, e, "elementwise");
    }
    /* In place: out aliases a. */
    memcpy(got, a, n * limbs * sizeof *got);
    CT_OK(cf_emu_add(got, got, bb, n, 0, limbs, mods));
    for (size_t i = 0; i < limbs; ++i)
      for (size_t c = 0; c < n; ++c)
        KT_EQ(got[i * n + c], naive_ew(OP_ADD, 0, a[i * n + c], bb[i * n + c], 0, q[i]),
              "in-place add n %zu", n);
    free(a), free(bb), free(acc), free(got), free(cpu);
  }
}

/* ---- NTT ---- */

typedef struct limb_set {
  size_t n, limbs;
  uint64_t q[4];
  cf_modulus mods[4];
  cf_ntt_table tables[4];
} limb_set;

static void limb_set_init(limb_set *s, size_t n, size_t limbs) {
  s->n = n;
  s->limbs = limbs;
  random_primes(n, limbs, 30, 61, s->q);
  for (size_t i = 0; i < limbs; ++i) {
    assert_int_equal(cf_modulus_init(&s->mods[i], s->q[i]), CF_OK);
    assert_int_equal(cf_ntt_table_init(&s->tables[i], n, s->q[i]), CF_OK);
  }
}

static void limb_set_free(limb_set *s) {
  for (size_t i = 0; i < s->limbs; ++i)
    cf_ntt_table_free(&s->tables[i]);
}

/* out[j] = a(psi^(2 brev(j) + 1)): the definition, O(n^2). */
static void naive_ntt(const uint64_t *a, uint64_t *out, const cf_ntt_table *t) {
  const cf_modulus *m = &t->mod;
  for (size_t j = 0; j < t->n; ++j) {
    uint64_t x = cf_pow_mod(t->psi, 2 * cf_bitrev(j, t->logn) + 1, m), xp = 1, acc = 0;
    for (size_t i = 0; i < t->n; ++i) {
      acc = (uint64_t)(((unsigned __int128)a[i] * xp + acc) % m->q);
      xp = (uint64_t)((unsigned __int128)xp * x % m->q);
    }
    out[j] = acc;
  }
}

static void check_ntt(size_t n, size_t limbs) {
  limb_set s;
  limb_set_init(&s, n, limbs);
  size_t b = kt_below(limbs), e = b + 1 + kt_below(limbs - b);
  uint64_t *a = xalloc(n * limbs), *got = xalloc(n * limbs), *cpu = xalloc(n * limbs);
  random_poly(a, n, limbs, s.mods);
  if (kt_below(4) == 0) /* extreme inputs: all q - 1 */
    for (size_t i = 0; i < limbs; ++i)
      for (size_t c = 0; c < n; ++c)
        a[i * n + c] = s.q[i] - 1;
  memcpy(got, a, n * limbs * sizeof *a);
  memcpy(cpu, a, n * limbs * sizeof *a);
  CT_OK(cf_emu_ntt_forward(s.tables, n, got, b, e));
  cf_ntt_forward_limbs(s.tables, cpu, b, e);
  for (size_t k = 0; k < n * limbs; ++k)
    KT_EQ(got[k], cpu[k], "forward NTT n %zu limbs [%zu,%zu) word %zu vs kernels/cpu", n, b, e, k);
  if (n <= 256) {
    uint64_t *ref = xalloc(n);
    for (size_t i = b; i < e; ++i) {
      naive_ntt(a + i * n, ref, &s.tables[i]);
      for (size_t c = 0; c < n; ++c)
        KT_EQ(got[i * n + c], ref[c], "forward NTT n %zu limb %zu slot %zu vs evaluation", n, i, c);
    }
    free(ref);
  }
  /* Inverse of random NTT-domain data, and the round trip. */
  random_poly(cpu, n, limbs, s.mods);
  memcpy(a, cpu, n * limbs * sizeof *a);
  CT_OK(cf_emu_ntt_inverse(s.tables, n, a, b, e));
  cf_ntt_inverse_limbs(s.tables, cpu, b, e);
  for (size_t k = 0; k < n * limbs; ++k)
    KT_EQ(a[k], cpu[k], "inverse NTT n %zu limbs [%zu,%zu) word %zu vs kernels/cpu", n, b, e, k);
  for (size_t k = 0; k < n * limbs; ++k)
    got[k] = k / n >= b && k / n < e ? a[k] : got[k];
  memcpy(cpu, a, n * limbs * sizeof *a);
  CT_OK(cf_emu_ntt_forward(s.tables, n, a, b, e));
  CT_OK(cf_emu_ntt_inverse(s.tables, n, a, b, e));
  for (size_t k = 0; k < n * limbs; ++k)
    KT_EQ(a[k], cpu[k], "inverse(forward(a)) != a, n %zu word %zu", n, k);
  free(a), free(got), free(cpu);
  limb_set_free(&s);
}

static void test_ntt_small(void **state) {
  (void)state;
  for (size_t n = 2; n <= 256; n *= 2)
    check_ntt(n, 1 + kt_below(4));
}

static void test_ntt_one_pass(void **state) {
  (void)state;
  for (size_t n = 512; n <= 4096; n *= 2)
    check_ntt(n, 1 + kt_below(3));
}

static void test_ntt_two_pass(void **state) {
  (void)state;
  for (size_t n = 8192; n <= (1u << 17); n *= 2)
    check_ntt(n, n >= (1u << 16) ? 1 : 2);
}

/* A negacyclic product through the emulated kernels: NTT, mul, inverse NTT
 * equals the schoolbook product mod (X^n + 1). */
static void test_ntt_convolution(void **state) {
  (void)state;
  size_t n = 64;
  limb_set s;
  limb_set_init(&s, n, 1);
  uint64_t q = s.q[0], a[64], bb[64], ref[64] = {0}, fa[64], fb[64];
  kt_fill(a, n, q);
  kt_fill(bb, n, q);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      uint64_t p = (uint64_t)((unsigned __int128)a[i] * bb[j] % q);
      size_t k = (i + j) % n;
      ref[k] = i + j < n ? (ref[k] + p) % q : (ref[k] + q - p) % q;
    }
  memcpy(fa, a, sizeof a);
  memcpy(fb, bb, sizeof bb);
  CT_OK(cf_emu_ntt_forward(s.tables, n, fa, 0, 1));
  CT_OK(cf_emu_ntt_forward(s.tables, n, fb, 0, 1));
  CT_OK(cf_emu_mul(fa, fa, fb, n, 0, 1, s.mods));
  CT_OK(cf_emu_ntt_inverse(s.tables, n, fa, 0, 1));
  for (size_t k = 0; k < n; ++k)
    KT_EQ(fa[k], ref[k], "negacyclic product coefficient %zu", k);
  limb_set_free(&s);
}

/* ---- automorphism ---- */

static void test_automorph(void **state) {
  (void)state;
  static const size_t sizes[] = {2, 8, 64, 256, 4096, 1u << 16};
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; ++si) {
    size_t n = sizes[si], limbs = n >= 4096 ? 2 : 3;
    limb_set s;
    limb_set_init(&s, n, limbs);
    size_t b = kt_below(limbs), e = b + 1 + kt_below(limbs - b);
    uint64_t k = 2 * kt_below(4 * n) + 1; /* odd, possibly >= 2n */
    uint64_t *a = xalloc(n * limbs), *got = xalloc(n * limbs), *cpu = xalloc(n * limbs);
    random_poly(a, n, limbs, s.mods);
    CT_OK(cf_emu_automorph_ntt(got, a, n, k, b, e));
    cf_automorph_table at;
    assert_int_equal(cf_automorph_table_init(&at, n, k), CF_OK);
    cf_automorph_ntt(&at, cpu, a, b, e);
    cf_automorph_table_free(&at);
    for (size_t i = b * n; i < e * n; ++i)
      KT_EQ(got[i], cpu[i], "automorphism k %llu n %zu word %zu vs kernels/cpu",
            (unsigned long long)k, n, i);
    check_untouched(got, n, limbs, b, e, "automorphism");
    if (n <= 256) { /* NTT(sigma_k(c)) == automorph(NTT(c)), sigma_k naive on coefficients */
      uint64_t *c = xalloc(n), *sc = xalloc(n), *fc = xalloc(n), *out = xalloc(n);
      uint64_t *fsc = xalloc(n);
      uint64_t q = s.q[b];
      kt_fill(c, n, q);
      for (size_t i = 0; i < n; ++i) {
        uint64_t d = (uint64_t)i * k % (2 * n);
        sc[d % n] = d < n ? c[i] : (q - c[i]) % q;
      }
      naive_ntt(c, fc, &s.tables[b]);
      naive_ntt(sc, fsc, &s.tables[b]);
      CT_OK(cf_emu_automorph_ntt(out, fc, n, k, 0, 1));
      for (size_t j = 0; j < n; ++j)
        KT_EQ(out[j], fsc[j], "automorphism k %llu n %zu slot %zu vs evaluation",
              (unsigned long long)k, n, j);
      free(c), free(sc), free(fc), free(out), free(fsc);
    }
    free(a), free(got), free(cpu);
    limb_set_free(&s);
  }
}

/* ---- basis conversion ---- */

static void check_baseconv(size_t n, size_t na, size_t nb) {
  uint64_t qa[40], qb[40];
  int bits = 30 + (int)kt_below(31);
  assert_int_equal(cf_primes_generate(bits, n, na, CF_PRIMES_DESCENDING, NULL, 0, qa), CF_OK);
  assert_int_equal(cf_primes_generate(30 + (int)kt_below(31), n, nb, CF_PRIMES_CLOSEST, qa, na, qb),
                   CF_OK);
  cf_baseconv_table t;
  assert_int_equal(cf_baseconv_init(&t, qa, na, qb, nb), CF_OK);
  size_t b = kt_below(nb), e = b + 1 + kt_below(nb - b);
  uint64_t *in = xalloc(n * na), *got = xalloc(n * nb), *cpu = xalloc(n * nb);
  random_poly(in, n, na, t.a);
  CT_OK(cf_emu_baseconv(&t, got, in, n, b, e));
  for (size_t i = 0; i < n * nb; ++i)
    cpu[i] = SENTINEL;
  cf_baseconv(&t, cpu, in, n, b, e);
  for (size_t i = b * n; i < e * n; ++i)
    KT_EQ(got[i], cpu[i], "baseconv %zu->%zu n %zu word %zu vs kernels/cpu", na, nb, n, i);
  check_untouched(got, n, nb, b, e, "baseconv");

  /* GMP: sum_i [x_i (A/a_i)^-1]_{a_i} (A/a_i) mod b_j, on a few coefficients. */
  mpz_t A, ahat, inv, ai, y, sum, tmp;
  mpz_inits(A, ahat, inv, ai, y, sum, tmp, NULL);
  mpz_set_ui(A, 1);
  for (size_t i = 0; i < na; ++i) {
    kt_mpz_set_u64(ai, qa[i]);
    mpz_mul(A, A, ai);
  }
  for (int probe = 0; probe < 8; ++probe) {
    size_t c = kt_below(n);
    mpz_set_ui(sum, 0);
    for (size_t i = 0; i < na; ++i) {
      kt_mpz_set_u64(ai, qa[i]);
      mpz_divexact(ahat, A, ai);
      assert_true(mpz_invert(inv, ahat, ai));
      kt_mpz_set_u64(y, in[i * n + c]);
      mpz_mul(y, y, inv);
      mpz_mod(y, y, ai);
      mpz_mul(tmp, y, ahat);
      mpz_add(sum, sum, tmp);
    }
    for (size_t j = b; j < e; ++j)
      KT_EQ(got[j * n + c], kt_mpz_mod_u64(sum, qb[j]),
            "baseconv %zu->%zu n %zu limb %zu coeff %zu vs GMP", na, nb, n, j, c);
  }
  mpz_clears(A, ahat, inv, ai, y, sum, tmp, NULL);
  free(in), free(got), free(cpu);
  cf_baseconv_free(&t);
}

static void test_baseconv(void **state) {
  (void)state;
  check_baseconv(2, 1, 1);
  check_baseconv(64, 3, 2);
  check_baseconv(256, 9, 4); /* more than 8 products per accumulator */
  check_baseconv(1024, 17, 5);
  check_baseconv(4096, 4, 3);
  check_baseconv(256, 40, 2); /* tile shrinks to fit shared memory */
}

/* ---- argument errors ---- */

static void expect_einval(cf_status st, const char *what) {
  if (st != CF_EINVAL) fail_msg("%s: got %s, expected CF_EINVAL", what, cf_status_name(st));
  if (!cf_last_error()[0]) fail_msg("%s: no error message recorded", what);
  cf_clear_error();
}

static void test_bad_arguments(void **state) {
  (void)state;
  limb_set s;
  limb_set_init(&s, 16, 2);
  uint64_t a[32] = {0}, out[32];
  expect_einval(cf_emu_add(out, a, a, 12, 0, 1, s.mods), "n not a power of two");
  expect_einval(cf_emu_add(out, a, a, (size_t)1 << 18, 0, 1, s.mods), "n too large");
  expect_einval(cf_emu_add(out, a, a, 16, 2, 1, s.mods), "reversed range");
  expect_einval(cf_emu_mul(out, a, NULL, 16, 0, 1, s.mods), "NULL operand");
  expect_einval(cf_emu_mul_scalar(out, a, NULL, NULL, 16, 0, 1, s.mods), "NULL scalars");
  expect_einval(cf_emu_ntt_forward(s.tables, 32, a, 0, 1), "tables for another n");
  expect_einval(cf_emu_ntt_forward(NULL, 16, a, 0, 1), "NULL tables");
  expect_einval(cf_emu_automorph_ntt(out, a, 16, 4, 0, 1), "even Galois element");
  expect_einval(cf_emu_automorph_ntt(a, a, 16, 3, 0, 1), "in-place automorphism");
  uint64_t qa[2] = {s.q[0], s.q[1]};
  cf_baseconv_table t;
  assert_int_equal(cf_baseconv_init(&t, qa, 1, qa + 1, 1), CF_OK);
  expect_einval(cf_emu_baseconv(&t, out, a, 16, 0, 2), "output limb past nb");
  cf_baseconv_free(&t);
  /* Partial overlap (out one word past a): each thread would read a word
   * its neighbour writes; the emulation reports the race. */
  uint64_t buf[33] = {0};
  cf_clear_error();
  assert_int_equal(cf_emu_add(buf + 1, buf, buf, 16, 0, 1, s.mods), CF_EVERIFY);
  assert_non_null(strstr(cf_last_error(), "global"));
  cf_clear_error();
  /* An empty range is a no-op. */
  CT_OK(cf_emu_add(out, a, a, 16, 1, 1, s.mods));
  limb_set_free(&s);
}

int main(void) {
  kt_seed("test_cuda_kernels");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reduce128_matches_int128),
      cmocka_unit_test(test_elementwise),
      cmocka_unit_test(test_ntt_small),
      cmocka_unit_test(test_ntt_one_pass),
      cmocka_unit_test(test_ntt_two_pass),
      cmocka_unit_test(test_ntt_convolution),
      cmocka_unit_test(test_automorph),
      cmocka_unit_test(test_baseconv),
      cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
