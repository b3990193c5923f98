/* Bottom levels and priorities: a hand-computed DAG, and random DAGs
 * against a quadratic reference over explicit conflict edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "scheduler/priority.h"
#include "tests/tasks/dag_builder.h"
#include "tests/tasks/ref_runner.h"

static uint64_t seed0;

static cf_dag_piece P(uint32_t b, uint16_t f, uint16_t n, cf_access a) {
  return (cf_dag_piece){b, f, n, a};
}

/*   t0 NTT A (RW, 10)    t1 NTT B (RW, 20)    t2 C = A + B (5)
 *   t3 B = C * k (7)     t4 A[1] = C[1] (3)
 * t4: 3; t3: 7; t2: 5 + max(t3, t4) = 12; t1: 20 + max(t2 RAW, t3 WAW) = 32;
 * t0: 10 + max(t2 RAW, t4 WAW on limb 1) = 22. */
static void test_hand_computed(void **state) {
  (void)state;
  cf_dag *d = tb_new();
  uint32_t A = tb_buffer(d, CF_BUFFER_CIPHERTEXT, 2, 0, "A");
  uint32_t B = tb_buffer(d, CF_BUFFER_CIPHERTEXT, 2, 0, "B");
  uint32_t C = tb_buffer(d, CF_BUFFER_TEMP, 2, 0, "C");
  tb_task(d, CF_KERNEL_NTT, 10, 1, (cf_dag_piece[]){P(A, 0, 2, CF_ACCESS_RW)});
  tb_task(d, CF_KERNEL_NTT, 20, 1, (cf_dag_piece[]){P(B, 0, 2, CF_ACCESS_RW)});
  tb_task(
      d, CF_KERNEL_ADD, 5, 3,
      (cf_dag_piece[]){P(C, 0, 2, CF_ACCESS_W), P(A, 0, 2, CF_ACCESS_R), P(B, 0, 2, CF_ACCESS_R)});
  tb_task(d, CF_KERNEL_MUL_CONST, 7, 2,
          (cf_dag_piece[]){P(B, 0, 2, CF_ACCESS_W), P(C, 0, 2, CF_ACCESS_R)});
  tb_task(d, CF_KERNEL_COPY, 3, 2,
          (cf_dag_piece[]){P(A, 1, 1, CF_ACCESS_W), P(C, 1, 1, CF_ACCESS_R)});
  double bl[5];
  assert_int_equal(cf_sched_bottom_levels(d, bl), CF_OK);
  double want[5] = {22, 32, 12, 7, 3};
  for (int i = 0; i < 5; i++)
    assert_true(bl[i] == want[i]);
  int prio[5];
  cf_sched_levels_to_priorities(bl, 5, 0, 32, prio);
  int want_p[5] = {22, 32, 12, 7, 3};
  for (int i = 0; i < 5; i++)
    assert_int_equal(prio[i], want_p[i]);
  cf_sched_levels_to_priorities(bl, 5, -5, 5, prio);
  assert_int_equal(prio[1], 5);
  assert_int_equal(prio[4], -5 + (int)(10.0 * 3 / 32 + 0.5));
  cf_dag_destroy(d);
}

static bool conflict(const cf_dag_task *a, const cf_dag_task *b) {
  for (unsigned i = 0; i < a->npieces; i++)
    for (unsigned j = 0; j < b->npieces; j++) {
      const cf_dag_piece *p = &a->pieces[i], *q = &b->pieces[j];
      if (p->buffer != q->buffer) continue;
      if (!((p->access | q->access) & CF_ACCESS_W)) continue;
      if (p->first_limb < q->first_limb + q->nlimbs && q->first_limb < p->first_limb + p->nlimbs)
        return true;
    }
  return false;
}

static void test_random_vs_quadratic(void **state) {
  (void)state;
  ref_ctx c;
  ref_ctx_init(&c, 8, 8);
  for (int rep = 0; rep < 20; rep++) {
    tb_shape s = {.limbs = 5,
                  .ext = 2,
                  .grain = (uint32_t)(rep % 4),
                  .steps = 30,
                  .nprimes = 7,
                  .seed = seed0 + (uint64_t)rep};
    cf_dag *d = tb_random(&s, c.q);
    size_t n = cf_dag_ntasks(d);
    /* random costs, some non-positive (counted as 1) */
    uint64_t x = seed0 * 31 + (uint64_t)rep;
    for (size_t i = 0; i < n; i++) {
      x = x * 6364136223846793005u + 1442695040888963407u;
      tb_task_mut(d, (uint32_t)i)->cost_ns = (double)((x >> 33) % 100) - 10.0;
    }
    double *bl = malloc(n * sizeof *bl), *ref = malloc(n * sizeof *ref);
    assert_int_equal(cf_sched_bottom_levels(d, bl), CF_OK);
    for (size_t i = n; i-- > 0;) {
      const cf_dag_task *t = cf_dag_task_at(d, i);
      double m = 0;
      for (size_t j = i + 1; j < n; j++)
        if (conflict(t, cf_dag_task_at(d, j)) && ref[j] > m) m = ref[j];
      ref[i] = (t->cost_ns > 0 ? t->cost_ns : 1.0) + m;
    }
    for (size_t i = 0; i < n; i++)
      if (bl[i] != ref[i]) fail_msg("rep %d task %zu: %g vs reference %g", rep, i, bl[i], ref[i]);
    free(bl), free(ref);
    cf_dag_destroy(d);
  }
}

static void test_bad_piece(void **state) {
  (void)state;
  cf_dag *d = tb_new();
  uint32_t A = tb_buffer(d, CF_BUFFER_CIPHERTEXT, 2, 0, "A");
  tb_task(d, CF_KERNEL_NTT, 1, 1, (cf_dag_piece[]){P(A, 1, 4, CF_ACCESS_RW)});
  double bl[1];
  assert_int_equal(cf_sched_bottom_levels(d, bl), CF_EINVAL);
  assert_int_equal(cf_sched_bottom_levels(NULL, bl), CF_EINVAL);
  cf_dag_destroy(d);
}

int main(void) {
  seed0 = (uint64_t)time(NULL);
  printf("seed %llu\n", (unsigned long long)seed0);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_computed),
      cmocka_unit_test(test_random_vs_quadratic),
      cmocka_unit_test(test_bad_piece),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
