/*
 * The emulation's own rules: a body that synchronises correctly runs and
 * computes the right answer; a body with a missing barrier, a read of
 * shared memory nobody wrote, or an index past the block's shared memory is
 * rejected with CF_EVERIFY naming the kernel, block, phase and thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/cuda/emu.h"
#include "kernels/cuda/portable.cuh"
#include "tests/kernels/kt_util.h"

/* Block-wide tree sum of `len` words per block, len a power of two equal to
 * 2 * threads: phase 0 loads, phase 1 + s halves the array, last phase
 * stores. `racy` fuses two halving steps into one phase, the classic
 * missing __syncthreads(). */
typedef struct sum_args {
  const uint64_t *in;
  uint64_t *out;
  unsigned log_len;
  int racy;
  int skip_load; /* leaves the upper half uninitialised */
  int overrun;   /* stores one word past the end */
} sum_args;

static void sum_body(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase) {
  const sum_args *g = args;
  size_t len = (size_t)1 << g->log_len, base = (size_t)at.block_x * len;
  if (phase == 0) {
    for (size_t i = at.thread; i < len; i += at.nthreads)
      if (!g->skip_load || i < len / 2) CF_SH_ST(sh, i, g->in[base + i]);
    if (g->overrun && at.thread == 0) CF_SH_ST(sh, len, 0);
    return;
  }
  if (phase <= g->log_len) {
    size_t half = len >> phase;
    if (at.thread < half)
      CF_SH_ST(sh, at.thread, CF_SH_LD(sh, at.thread) + CF_SH_LD(sh, at.thread + half));
    if (g->racy && phase == 1 && half >= 2 && at.thread < half / 2)
      CF_SH_ST(sh, at.thread, CF_SH_LD(sh, at.thread) + CF_SH_LD(sh, at.thread + half / 2));
    return;
  }
  if (at.thread == 0) g->out[at.block_x] = CF_SH_LD(sh, 0);
}

static cf_status run_sum(sum_args *g, unsigned blocks) {
  cf_emu_launch l = {"tree_sum",     blocks,   1, 1u << (g->log_len - 1), (size_t)1 << g->log_len,
                     g->log_len + 2, sum_body, g};
  return cf_emu_run(&l);
}

static void test_correct_body_runs(void **state) {
  (void)state;
  for (unsigned log_len = 1; log_len <= 10; ++log_len) {
    unsigned blocks = 1 + (unsigned)kt_below(5);
    size_t len = (size_t)1 << log_len;
    uint64_t *in = malloc(blocks * len * sizeof *in), *out = calloc(blocks, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < blocks * len; ++i)
      in[i] = kt_below(1u << 20);
    sum_args g = {in, out, log_len, 0, 0, 0};
    assert_int_equal(run_sum(&g, blocks), CF_OK);
    for (unsigned b = 0; b < blocks; ++b) {
      uint64_t want = 0;
      for (size_t i = 0; i < len; ++i)
        want += in[b * len + i];
      KT_EQ(out[b], want, "block %u of %u, len %zu", b, blocks, len);
    }
    free(in);
    free(out);
  }
}

static void expect_violation(sum_args *g, const char *what) {
  cf_clear_error();
  assert_int_equal(run_sum(g, 2), CF_EVERIFY);
  const char *msg = cf_last_error();
  if (!strstr(msg, what) || !strstr(msg, "tree_sum") || !strstr(msg, "phase"))
    fail_msg("message \"%s\" does not name \"%s\", the kernel and the phase", msg, what);
}

static void test_missing_barrier_detected(void **state) {
  (void)state;
  uint64_t in[2 * 64] = {0}, out[2];
  sum_args g = {in, out, 6, 1, 0, 0};
  expect_violation(&g, "missing barrier");
}

static void test_uninitialised_read_detected(void **state) {
  (void)state;
  uint64_t in[2 * 16] = {0}, out[2];
  sum_args g = {in, out, 4, 0, 1, 0};
  expect_violation(&g, "uninitialised");
}

static void test_overrun_detected(void **state) {
  (void)state;
  uint64_t in[2 * 16] = {0}, out[2];
  sum_args g = {in, out, 4, 0, 0, 1};
  expect_violation(&g, "past the end");
}

/* Global memory: `mode` picks who reads what the others write.
 * 0: thread t stores w[t] in phase 0, thread t+1 (same block) loads it in phase 1: fine.
 * 1: thread t stores w[t] and loads w[t + 1] in phase 0: a race.
 * 2: block 0 stores w[0] in phase 0, block 1 loads it in phase 1: blocks never sync.
 * 3: every thread stores w[0]: a race. */
typedef struct global_args {
  uint64_t *w;
  int mode;
} global_args;

static void global_body(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase) {
  const global_args *g = args;
  size_t me = (size_t)at.block_x * at.nthreads + at.thread;
  switch (g->mode) {
  case 0:
    if (phase == 0)
      CF_GST(sh, &g->w[me], me);
    else if (at.thread > 0)
      (void)CF_GLD(sh, &g->w[me - 1]);
    break;
  case 1:
    if (phase == 0) {
      CF_GST(sh, &g->w[me], me);
      (void)CF_GLD(sh, &g->w[me + 1]);
    }
    break;
  case 2:
    if (phase == 0 && at.block_x == 0 && at.thread == 0) CF_GST(sh, &g->w[0], 1);
    if (phase == 1 && at.block_x == 1 && at.thread == 0) (void)CF_GLD(sh, &g->w[0]);
    break;
  case 3:
    if (phase == 0) CF_GST(sh, &g->w[0], me);
    break;
  }
}

static void test_global_races_detected(void **state) {
  (void)state;
  uint64_t w[2 * 32 + 1] = {0};
  for (int mode = 0; mode < 4; ++mode) {
    global_args g = {w, mode};
    cf_emu_launch l = {"global_race", 2, 1, 32, 0, 2, global_body, &g};
    cf_clear_error();
    cf_status st = cf_emu_run(&l);
    if (mode == 0) {
      if (st != CF_OK) fail_msg("barrier-separated global access rejected: %s", cf_last_error());
    } else {
      if (st != CF_EVERIFY)
        fail_msg("mode %d: got %s, expected CF_EVERIFY", mode, cf_status_name(st));
      if (!strstr(cf_last_error(), "global") || !strstr(cf_last_error(), "global_race"))
        fail_msg("mode %d: message \"%s\" does not name the global race", mode, cf_last_error());
    }
  }
}

static void test_bad_launch_rejected(void **state) {
  (void)state;
  uint64_t in[4] = {0}, out[1];
  sum_args g = {in, out, 2, 0, 0, 0};
  cf_emu_launch l = {"tree_sum", 1, 1, 0, 4, 4, sum_body, &g};
  assert_int_equal(cf_emu_run(&l), CF_EINVAL);
  l.block = 2048;
  assert_int_equal(cf_emu_run(&l), CF_EINVAL);
  l.block = 2;
  l.shared_words = 1u << 20;
  assert_int_equal(cf_emu_run(&l), CF_EINVAL);
  l.shared_words = 4;
  l.body = NULL;
  assert_int_equal(cf_emu_run(&l), CF_EINVAL);
  assert_int_equal(cf_emu_run(NULL), CF_EINVAL);
}

int main(void) {
  kt_seed("test_cuda_emu");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_correct_body_runs),
      cmocka_unit_test(test_missing_barrier_detected),
      cmocka_unit_test(test_uninitialised_read_detected),
      cmocka_unit_test(test_overrun_detected),
      cmocka_unit_test(test_global_races_detected),
      cmocka_unit_test(test_bad_launch_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
