/*
 * The one-limb NTT and memory-bandwidth rows of the "ckks" suite:
 *   ntt_fwd, ntt_inv   one limb through the dispatched transform
 *                      (cf_ntt_forward / cf_ntt_inverse) at N = 2^14, 2^15,
 *                      2^16 with a 50-bit and a 60-bit prime
 *   memcpy             a copy of the same bytes (one limb), and of one
 *                      ciphertext of the n16-peer preset (2 x 25 limbs)
 * Each sample times a batch of calls long enough (>= ~2 ms) for the clock
 * and reports the time per call; the suite reports medians over samples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "bench/bench.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/primes.h"

cf_status cf_bench_ckks_ntt_run(cf_bench *b);

enum { SAMPLES = 15 };

typedef void (*limb_fn)(const cf_ntt_table *t, uint64_t *a);

static void copy_fn(const cf_ntt_table *t, uint64_t *a) { memcpy(a + t->n, a, t->n * sizeof *a); }

/* Per-call time of fn over SAMPLES batches of `batch` calls. */
static void time_batches(cf_bench *b, const char *name, const char *params, limb_fn fn,
                         const cf_ntt_table *t, uint64_t *a, int batch) {
  uint64_t s[SAMPLES];
  fn(t, a);
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = cf_bench_now_ns();
    for (int k = 0; k < batch; k++)
      fn(t, a);
    s[i] = (cf_bench_now_ns() - t0) / (uint64_t)batch;
  }
  cf_bench_report_samples(b, name, params, s, SAMPLES);
}

static cf_status one_size(cf_bench *b, size_t n, int bits, int batch) {
  uint64_t q;
  CF_TRY(cf_primes_generate(bits, n, 1, CF_PRIMES_DESCENDING, NULL, 0, &q));
  cf_ntt_table t;
  CF_TRY(cf_ntt_table_init(&t, n, q));
  uint64_t *a = malloc(2 * n * sizeof *a);
  if (!a) {
    cf_ntt_table_free(&t);
    return CF_FAIL(CF_ENOMEM, "NTT bench buffer for N=%zu", n);
  }
  uint64_t seed = 12345;
  for (size_t i = 0; i < 2 * n; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    a[i] = (seed >> 1) % q;
  }
  char params[128];
  snprintf(params, sizeof params, "{\"n\":%zu,\"bits\":%d,\"path\":\"%s\",\"threads\":1}", n, bits,
           cf_cpu_path_name(cf_ntt_path(&t)));
  time_batches(b, "ntt_fwd", params, cf_ntt_forward, &t, a, batch);
  time_batches(b, "ntt_inv", params, cf_ntt_inverse, &t, a, batch);
  if (bits == 50) {
    snprintf(params, sizeof params, "{\"n\":%zu,\"bytes\":%zu,\"threads\":1}", n, n * sizeof *a);
    time_batches(b, "memcpy", params, copy_fn, &t, a, 4 * batch);
  }
  free(a);
  cf_ntt_table_free(&t);
  return CF_OK;
}

/* A ciphertext's bytes at n16-peer: 2 polys x 25 limbs x 2^16 words. */
static cf_status ciphertext_copy(cf_bench *b) {
  size_t words = (size_t)2 * 25 * 65536;
  uint64_t *src = malloc(words * sizeof *src), *dst = malloc(words * sizeof *dst);
  if (!src || !dst) {
    free(src);
    free(dst);
    return CF_FAIL(CF_ENOMEM, "memcpy bench buffers");
  }
  memset(src, 1, words * sizeof *src);
  memset(dst, 0, words * sizeof *dst);
  uint64_t s[SAMPLES];
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = cf_bench_now_ns();
    memcpy(dst, src, words * sizeof *src);
    s[i] = cf_bench_now_ns() - t0;
  }
  char params[96];
  snprintf(params, sizeof params,
           "{\"n\":65536,\"limbs\":25,\"polys\":2,\"bytes\":%zu,\"threads\":1}",
           words * sizeof *src);
  cf_bench_report_samples(b, "memcpy", params, s, SAMPLES);
  free(src);
  free(dst);
  return CF_OK;
}

cf_status cf_bench_ckks_ntt_run(cf_bench *b) {
  static const size_t sizes[] = {16384, 32768, 65536};
  size_t nsizes = cf_bench_quick(b) ? 1 : 3;
  for (size_t i = 0; i < nsizes; i++) {
    int batch = (int)(65536 / sizes[i]) * 8;
    CF_TRY(one_size(b, sizes[i], 50, batch));
    CF_TRY(one_size(b, sizes[i], 60, batch));
  }
  return cf_bench_quick(b) ? CF_OK : ciphertext_copy(b);
}
