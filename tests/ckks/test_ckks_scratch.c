/* The scratch pool: reuse, alignment, and the byte cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/ckks/scratch.h"

static void reuses_a_buffer_that_fits(void **state) {
  (void)state;
  cf_ckks_scratch *s;
  assert_int_equal(cf_ckks_scratch_create(1 << 20, &s), CF_OK);
  uint64_t *a = cf_ckks_scratch_take(s, 1000);
  assert_non_null(a);
  assert_int_equal((uintptr_t)a % 64, 0);
  memset(a, 0xab, 1000 * sizeof *a); /* the whole request is writable (ASan checks) */
  cf_ckks_scratch_give(s, a);
  assert_ptr_equal(cf_ckks_scratch_take(s, 900), a); /* smaller request: same block */
  uint64_t *b = cf_ckks_scratch_take(s, 900);        /* pool empty now: a new block */
  assert_non_null(b);
  assert_ptr_not_equal(b, a);
  cf_ckks_scratch_give(s, a);
  cf_ckks_scratch_give(s, b);
  cf_ckks_scratch_give(s, NULL);
  cf_ckks_scratch_destroy(s);
}

static void picks_the_smallest_fit(void **state) {
  (void)state;
  cf_ckks_scratch *s;
  assert_int_equal(cf_ckks_scratch_create(1 << 20, &s), CF_OK);
  uint64_t *big = cf_ckks_scratch_take(s, 4000), *small = cf_ckks_scratch_take(s, 1000);
  cf_ckks_scratch_give(s, big);
  cf_ckks_scratch_give(s, small);
  assert_ptr_equal(cf_ckks_scratch_take(s, 500), small);
  assert_ptr_equal(cf_ckks_scratch_take(s, 2000), big);
  cf_ckks_scratch_give(s, big);
  cf_ckks_scratch_give(s, small);
  cf_ckks_scratch_destroy(s);
}

/* Over the cap, a larger newcomer evicts smaller idle blocks; a too-large one is freed. */
static void respects_the_cap(void **state) {
  (void)state;
  cf_ckks_scratch *s;
  assert_int_equal(cf_ckks_scratch_create(100000, &s), CF_OK);
  uint64_t *small = cf_ckks_scratch_take(s, 5000), *mid = cf_ckks_scratch_take(s, 8000);
  uint64_t *huge = cf_ckks_scratch_take(s, 20000); /* 160 KB: over the cap by itself */
  cf_ckks_scratch_give(s, small);
  cf_ckks_scratch_give(s, mid); /* 40 KB + 64 KB > 100 KB: small goes */
  cf_ckks_scratch_give(s, huge);
  assert_ptr_equal(cf_ckks_scratch_take(s, 100), mid);
  uint64_t *fresh = cf_ckks_scratch_take(s, 100); /* small was evicted: a new block */
  assert_non_null(fresh);
  assert_ptr_not_equal(fresh, mid);
  cf_ckks_scratch_give(s, mid);
  cf_ckks_scratch_give(s, fresh);
  cf_ckks_scratch_destroy(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reuses_a_buffer_that_fits),
      cmocka_unit_test(picks_the_smallest_fit),
      cmocka_unit_test(respects_the_cap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
