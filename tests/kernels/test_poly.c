#include <string.h>

#include "kernels/cpu/poly.h"
#include "kernels/cpu/primes.h"
#include "kt_util.h"

#define N 256
#define L 6

static cf_modulus mods[L];
static uint64_t qs[L];

static int setup(void **state) {
  (void)state;
  /* Mixed widths, including the 61-bit maximum. */
  const int widths[L] = {30, 40, 50, 59, 60, 61};
  for (size_t i = 0; i < L; i++) {
    if (cf_primes_generate(widths[i], N, 1, CF_PRIMES_DESCENDING, NULL, 0, &qs[i]) != CF_OK)
      return -1;
    cf_modulus_init(&mods[i], qs[i]);
  }
  return 0;
}

static void fill_poly(uint64_t *p) {
  for (size_t i = 0; i < L; i++)
    kt_fill(p + i * N, N, qs[i]);
}

enum op { ADD, SUB, NEG, MUL, MUL_ACC, MUL_SCALAR, ADD_SCALAR, COPY, NOPS };

static uint64_t reference(enum op op, uint64_t acc, uint64_t a, uint64_t b, uint64_t s,
                          uint64_t q) {
  mpz_t x, y;
  mpz_inits(x, y, NULL);
  kt_mpz_set_u64(x, a);
  switch (op) {
  case ADD:
    kt_mpz_set_u64(y, b);
    mpz_add(x, x, y);
    break;
  case SUB:
    kt_mpz_set_u64(y, b);
    mpz_sub(x, x, y);
    break;
  case NEG: mpz_neg(x, x); break;
  case MUL:
    kt_mpz_set_u64(y, b);
    mpz_mul(x, x, y);
    break;
  case MUL_ACC:
    kt_mpz_set_u64(y, b);
    mpz_mul(x, x, y);
    kt_mpz_set_u64(y, acc);
    mpz_add(x, x, y);
    break;
  case MUL_SCALAR:
    kt_mpz_set_u64(y, s);
    mpz_mul(x, x, y);
    break;
  case ADD_SCALAR:
    kt_mpz_set_u64(y, s);
    mpz_add(x, x, y);
    break;
  default: break;
  }
  uint64_t r = kt_mpz_mod_u64(x, q);
  mpz_clears(x, y, NULL);
  return r;
}

static void run(enum op op, uint64_t *out, const uint64_t *a, const uint64_t *b, const uint64_t *s,
                size_t lb, size_t le) {
  switch (op) {
  case ADD: cf_poly_add(out, a, b, N, lb, le, mods); break;
  case SUB: cf_poly_sub(out, a, b, N, lb, le, mods); break;
  case NEG: cf_poly_neg(out, a, N, lb, le, mods); break;
  case MUL: cf_poly_mul(out, a, b, N, lb, le, mods); break;
  case MUL_ACC: cf_poly_mul_acc(out, a, b, N, lb, le, mods); break;
  case MUL_SCALAR: cf_poly_mul_scalar(out, a, s, N, lb, le, mods); break;
  case ADD_SCALAR: cf_poly_add_scalar(out, a, s, N, lb, le, mods); break;
  case COPY: cf_poly_copy(out, a, N, lb, le); break;
  default: break;
  }
}

static void ops_match_gmp_on_ranges(void **state) {
  (void)state;
  static uint64_t a[L * N], b[L * N], out[L * N], before[L * N];
  uint64_t s[L];
  for (int op = 0; op < NOPS; op++) {
    for (int trial = 0; trial < 4; trial++) {
      size_t lb = kt_below(L), le = lb + kt_below(L - lb + 1);
      fill_poly(a);
      fill_poly(b);
      fill_poly(out);
      for (size_t i = 0; i < L; i++)
        s[i] = kt_below(qs[i]);
      if (trial == 0)
        for (size_t i = 0; i < L; i++) {
          s[i] = qs[i] - 1;
          for (size_t j = 0; j < N; j++)
            a[i * N + j] = b[i * N + j] = qs[i] - 1;
        }
      memcpy(before, out, sizeof out);
      run((enum op)op, out, a, b, s, lb, le);
      for (size_t i = 0; i < L; i++)
        for (size_t j = 0; j < N; j++) {
          size_t k = i * N + j;
          uint64_t want = (i < lb || i >= le) ? before[k]
                          : op == COPY        ? a[k]
                                       : reference((enum op)op, before[k], a[k], b[k], s[i], qs[i]);
          KT_EQ(out[k], want, "op %d limbs [%zu,%zu) limb %zu coeff %zu", op, lb, le, i, j);
        }
    }
  }
}

static void in_place_equals_out_of_place(void **state) {
  (void)state;
  static uint64_t a[L * N], b[L * N], out[L * N];
  uint64_t s[L];
  for (int op = 0; op < NOPS; op++) {
    if (op == MUL_ACC || op == COPY) continue;
    fill_poly(a);
    fill_poly(b);
    for (size_t i = 0; i < L; i++)
      s[i] = kt_below(qs[i]);
    run((enum op)op, out, a, b, s, 0, L);
    run((enum op)op, a, a, b, s, 0, L);
    assert_memory_equal(a, out, sizeof a);
  }
}

int main(void) {
  kt_seed("test_kernels_poly");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ops_match_gmp_on_ranges),
      cmocka_unit_test(in_place_equals_out_of_place),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
