/*
 * Suite "ntt": the exact RNS kernels of kernels/cpu.
 * One-limb forward/inverse NTT at N = 2^14..2^16 with 50- and 60-bit primes,
 * on the dispatched path, the portable one and (on an AVX-512 processor,
 * 50-bit) the AVX-512 and AVX2 variants side by side, and in the same run a
 * textbook radix-2 NTT that reduces with %;
 * a 25-limb NTT at N = 2^16; basis conversion, rescale and ModDown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "bench/bench.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/ntt_simd.h"
#include "kernels/cpu/poly.h"
#include "kernels/cpu/poly_simd.h"
#include "kernels/cpu/primes.h"
#include "kernels/cpu/rns.h"
#include "kernels/cpu/rns_simd.h"

cf_status cf_bench_ntt_run(cf_bench *b);

/* ---- the textbook baseline: twist by psi^i, bit-reverse, radix-2 CT, all with % ---- */

typedef struct textbook {
  size_t n;
  int logn;
  uint64_t q;
  uint64_t *twist; /* psi^i */
  uint64_t *roots; /* omega^i, omega = psi^2, i < n/2 */
} textbook;

static uint64_t mulmod_pct(uint64_t a, uint64_t b, uint64_t q) {
  return (uint64_t)(((cf_u128)a * b) % q);
}

static int textbook_init(textbook *t, const cf_ntt_table *tab) {
  t->n = tab->n;
  t->logn = tab->logn;
  t->q = tab->mod.q;
  t->twist = malloc(t->n * sizeof *t->twist);
  t->roots = malloc(t->n / 2 * sizeof *t->roots);
  if (!t->twist || !t->roots) return -1;
  uint64_t p = 1, w = 1, omega = mulmod_pct(tab->psi, tab->psi, t->q);
  for (size_t i = 0; i < t->n; i++, p = mulmod_pct(p, tab->psi, t->q))
    t->twist[i] = p;
  for (size_t i = 0; i < t->n / 2; i++, w = mulmod_pct(w, omega, t->q))
    t->roots[i] = w;
  return 0;
}

static void textbook_free(textbook *t) {
  free(t->twist);
  free(t->roots);
}

static void textbook_forward(const textbook *t, uint64_t *a) {
  const size_t n = t->n;
  const uint64_t q = t->q;
  for (size_t i = 0; i < n; i++)
    a[i] = mulmod_pct(a[i], t->twist[i], q);
  for (size_t i = 0; i < n; i++) {
    size_t r = cf_bitrev(i, t->logn);
    if (i < r) {
      uint64_t x = a[i];
      a[i] = a[r];
      a[r] = x;
    }
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    size_t step = n / len;
    for (size_t s = 0; s < n; s += len)
      for (size_t j = 0; j < len / 2; j++) {
        uint64_t u = a[s + j], v = mulmod_pct(a[s + j + len / 2], t->roots[j * step], q);
        a[s + j] = (u + v) % q;
        a[s + j + len / 2] = (u + q - v) % q;
      }
  }
}

/* ---- timing ---- */

typedef struct job {
  const cf_ntt_table *tables;
  const textbook *tb;
  uint64_t *data;
  size_t nlimbs;
  const cf_baseconv_table *conv;
  const cf_rescale_table *rs;
  const cf_moddown_table *md;
  const cf_modulus *mods;
  uint64_t *in, *out;
  size_t n;
} job;

static void run_forward(void *arg) {
  job *j = arg;
  cf_ntt_forward(j->tables, j->data);
}
static void run_inverse(void *arg) {
  job *j = arg;
  cf_ntt_inverse(j->tables, j->data);
}
static void run_forward_portable(void *arg) {
  job *j = arg;
  cf_ntt_forward_portable(j->tables, j->data);
}
static void run_inverse_portable(void *arg) {
  job *j = arg;
  cf_ntt_inverse_portable(j->tables, j->data);
}
#ifdef CF_HAVE_AVX2_NTT
static void run_forward_avx2(void *arg) {
  job *j = arg;
  cf_ntt_forward_avx2(j->tables, j->data);
}
static void run_inverse_avx2(void *arg) {
  job *j = arg;
  cf_ntt_inverse_avx2(j->tables, j->data);
}
#endif
#ifdef CF_HAVE_AVX512_NTT
static void run_forward_avx512(void *arg) {
  job *j = arg;
  cf_ntt_forward_avx512(j->tables, j->data);
}
static void run_inverse_avx512(void *arg) {
  job *j = arg;
  cf_ntt_inverse_avx512(j->tables, j->data);
}
#endif
static void run_textbook(void *arg) {
  job *j = arg;
  textbook_forward(j->tb, j->data);
}
static void run_limbs(void *arg) {
  job *j = arg;
  cf_ntt_forward_limbs(j->tables, j->data, 0, j->nlimbs);
}
static void run_mul_acc(void *arg) {
  job *j = arg;
  cf_poly_mul_acc(j->out, j->data, j->in, j->n, 0, j->nlimbs, j->mods);
}
static void run_mul_acc_portable(void *arg) {
  job *j = arg;
  for (size_t i = 0; i < j->nlimbs; i++)
    cf_limb_mul_acc_portable(j->out + i * j->n, j->data + i * j->n, j->in + i * j->n, j->n,
                             &j->mods[i]);
}
static void run_conv(void *arg) {
  job *j = arg;
  cf_baseconv(j->conv, j->out, j->in, j->n, 0, j->conv->nb);
}
static void run_conv_portable(void *arg) {
  job *j = arg;
  cf_baseconv_portable(j->conv, j->out, j->in, j->n, 0, j->conv->nb);
}
static void run_rescale(void *arg) {
  job *j = arg;
  cf_rescale(j->rs, j->out, j->in, j->in + j->rs->l * j->n, j->n, 0, j->rs->l);
}
static void run_moddown(void *arg) {
  job *j = arg;
  cf_moddown(j->md, j->out, j->in, j->in + j->md->conv.nb * j->n, j->n, 0, j->md->conv.nb);
}

/* One limb kernel variant over all limbs (cf_limb_mul_acc_* signature). */
typedef void (*limb_fn)(uint64_t *, const uint64_t *, const uint64_t *, size_t, const cf_modulus *);
typedef struct limb_job {
  job *j;
  limb_fn fn;
} limb_job;
static void run_limb_variant(void *arg) {
  limb_job *lj = arg;
  job *j = lj->j;
  for (size_t i = 0; i < j->nlimbs; i++)
    lj->fn(j->out + i * j->n, j->data + i * j->n, j->in + i * j->n, j->n, &j->mods[i]);
}
#ifdef CF_HAVE_AVX512_RNS
static void run_conv_avx512(void *arg) {
  job *j = arg;
  cf_baseconv_avx512(j->conv, j->out, j->in, j->n, 0, j->conv->nb);
}
#endif

/* Times fn after one warm-up, reports it, returns the median (ns). */
static uint64_t timed(cf_bench *b, const char *name, const char *params, int reps,
                      void (*fn)(void *), void *arg) {
  reps = cf_bench_reps(b, reps);
  uint64_t *s = malloc((size_t)reps * sizeof *s);
  if (!s) return 0;
  fn(arg);
  for (int i = 0; i < reps; i++) {
    uint64_t t0 = cf_bench_now_ns();
    fn(arg);
    s[i] = cf_bench_now_ns() - t0;
  }
  cf_bench_report_samples(b, name, params, s, reps);
  uint64_t med = cf_bench_median(s, reps);
  free(s);
  return med;
}

static void fill(uint64_t *a, size_t len, uint64_t q, uint64_t seed) {
  for (size_t i = 0; i < len; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    a[i] = (seed >> 1) % q;
  }
}

static cf_status bench_one_limb(cf_bench *b, size_t n, int bits) {
  uint64_t q;
  CF_TRY(cf_primes_generate(bits, n, 1, CF_PRIMES_DESCENDING, NULL, 0, &q));
  cf_ntt_table t;
  CF_TRY(cf_ntt_table_init(&t, n, q));
  textbook tb;
  uint64_t *a = malloc(n * sizeof *a);
  if (!a || textbook_init(&tb, &t) != 0) {
    free(a);
    textbook_free(&tb);
    cf_ntt_table_free(&t);
    return CF_FAIL(CF_ENOMEM, "bench buffers for N=%zu", n);
  }
  fill(a, n, q, 1);
  cf_cpu_path path = cf_ntt_path(&t);
  char params[96];
  snprintf(params, sizeof params, "{\"N\":%zu,\"bits\":%d,\"path\":\"%s\"}", n, bits,
           cf_cpu_path_name(path));
  job j = {.tables = &t, .tb = &tb, .data = a};
  int reps = 21;
  uint64_t fwd = timed(b, "forward", params, reps, run_forward, &j);
  uint64_t inv = timed(b, "inverse", params, reps, run_inverse, &j);
  if (path != CF_CPU_PORTABLE) {
    uint64_t pf = timed(b, "forward_portable", params, reps, run_forward_portable, &j);
    uint64_t pi = timed(b, "inverse_portable", params, reps, run_inverse_portable, &j);
    if (fwd > 0 && inv > 0) {
      cf_bench_report_ratio(b, "simd_speedup_forward", params, (double)pf / (double)fwd);
      cf_bench_report_ratio(b, "simd_speedup_inverse", params, (double)pi / (double)inv);
    }
  }
#if defined(CF_HAVE_AVX512_NTT) && defined(CF_HAVE_AVX2_NTT)
  /* AVX-512 next to AVX2 (q < 2^50 only), each variant called directly. */
  if (path == CF_CPU_AVX512 && bits <= CF_SIMD_MAX_BITS) {
    uint64_t f5 = timed(b, "forward_avx512", params, reps, run_forward_avx512, &j);
    uint64_t f2 = timed(b, "forward_avx2", params, reps, run_forward_avx2, &j);
    uint64_t i5 = timed(b, "inverse_avx512", params, reps, run_inverse_avx512, &j);
    uint64_t i2 = timed(b, "inverse_avx2", params, reps, run_inverse_avx2, &j);
    if (f5 > 0 && i5 > 0) {
      cf_bench_report_ratio(b, "avx512_vs_avx2_forward", params, (double)f2 / (double)f5);
      cf_bench_report_ratio(b, "avx512_vs_avx2_inverse", params, (double)i2 / (double)i5);
    }
  }
#endif
  fill(a, n, q, 2);
  uint64_t base = timed(b, "textbook_forward", params, 5, run_textbook, &j);
  if (fwd > 0) cf_bench_report_ratio(b, "speedup_vs_textbook", params, (double)base / (double)fwd);
  free(a);
  textbook_free(&tb);
  cf_ntt_table_free(&t);
  return CF_OK;
}

/* baseconv through each variant the CPU has (avx2 only for tables below 2^50). */
static cf_status bench_conv_variants(cf_bench *b, job *j, const char *params) {
  char pp[192];
  uint64_t t512 = 0, t2 = 0, tp;
#ifdef CF_HAVE_AVX512_RNS
  if (j->conv->fold && cf_cpu_path_active() >= CF_CPU_AVX512) {
    snprintf(pp, sizeof pp, "%.*s,\"path\":\"avx512\"}", (int)strlen(params) - 1, params);
    t512 = timed(b, "baseconv_variant", pp, 3, run_conv_avx512, j);
  }
#endif
#ifdef CF_HAVE_AVX2_RNS
  if (j->conv->w_d && cf_cpu_path_active() >= CF_CPU_AVX2) {
    snprintf(pp, sizeof pp, "%.*s,\"path\":\"avx2\"}", (int)strlen(params) - 1, params);
    t2 = timed(b, "baseconv_variant", pp, 3, run_conv, j);
  }
#endif
  snprintf(pp, sizeof pp, "%.*s,\"path\":\"portable\"}", (int)strlen(params) - 1, params);
  tp = timed(b, "baseconv_variant", pp, 3, run_conv_portable, j);
  if (t512 > 0) {
    cf_bench_report_ratio(b, "avx512_speedup_baseconv_vs_portable", params,
                          (double)tp / (double)t512);
    if (t2 > 0)
      cf_bench_report_ratio(b, "avx512_speedup_baseconv_vs_avx2", params,
                            (double)t2 / (double)t512);
  }
  return CF_OK;
}

/* mul_acc and mul over `limbs` limbs of `bits`-bit primes, per variant. */
static cf_status bench_products(cf_bench *b, size_t n, int bits, size_t limbs) {
  uint64_t *q = malloc(limbs * sizeof *q), *x = malloc(3 * limbs * n * sizeof *x);
  cf_modulus *mods = malloc(limbs * sizeof *mods);
  cf_status st = CF_OK;
  if (!q || !x || !mods) {
    st = CF_FAIL(CF_ENOMEM, "bench buffers for %zu limbs", limbs);
    goto out;
  }
  if ((st = cf_primes_generate(bits, n, limbs, CF_PRIMES_DESCENDING, NULL, 0, q)) != CF_OK)
    goto out;
  for (size_t i = 0; i < limbs; i++) {
    if ((st = cf_modulus_init(&mods[i], q[i])) != CF_OK) goto out;
    for (size_t k = 0; k < 3; k++)
      fill(x + (k * limbs + i) * n, n, q[i], 7 + i + 100 * k);
  }
  job j = {.data = x,
           .in = x + limbs * n,
           .out = x + 2 * limbs * n,
           .nlimbs = limbs,
           .n = n,
           .mods = mods};
  const struct {
    const char *path, *what;
    limb_fn fn;
    cf_cpu_path need;
    int max_bits;
  } v[] = {
#ifdef CF_HAVE_AVX512_POLY
      {"avx512", "mul_acc", cf_limb_mul_acc_avx512, CF_CPU_AVX512, 61},
      {"avx512", "mul", cf_limb_mul_avx512, CF_CPU_AVX512, 61},
#endif
#ifdef CF_HAVE_AVX2_POLY
      {"avx2", "mul_acc", cf_limb_mul_acc_avx2, CF_CPU_AVX2, CF_SIMD_MAX_BITS},
      {"avx2", "mul", cf_limb_mul_avx2, CF_CPU_AVX2, CF_SIMD_MAX_BITS},
#endif
      {"portable", "mul_acc", cf_limb_mul_acc_portable, CF_CPU_PORTABLE, 61},
      {"portable", "mul", cf_limb_mul_portable, CF_CPU_PORTABLE, 61},
  };
  uint64_t best[2] = {0, 0}, port[2] = {0, 0};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    if (cf_cpu_path_active() < v[k].need || bits > v[k].max_bits) continue;
    char params[128], name[32];
    snprintf(params, sizeof params, "{\"N\":%zu,\"limbs\":%zu,\"bits\":%d,\"path\":\"%s\"}", n,
             limbs, bits, v[k].path);
    snprintf(name, sizeof name, "%s_limbs_variant", v[k].what);
    limb_job lj = {&j, v[k].fn};
    uint64_t t = timed(b, name, params, 5, run_limb_variant, &lj);
    int w = strcmp(v[k].what, "mul") == 0;
    if (best[w] == 0) best[w] = t;
    if (strcmp(v[k].path, "portable") == 0) port[w] = t;
  }
  char params[64];
  snprintf(params, sizeof params, "{\"N\":%zu,\"limbs\":%zu,\"bits\":%d}", n, limbs, bits);
  if (best[0] > 0 && port[0] > 0)
    cf_bench_report_ratio(b, "best_speedup_mul_acc_vs_portable", params,
                          (double)port[0] / (double)best[0]);
  if (best[1] > 0 && port[1] > 0)
    cf_bench_report_ratio(b, "best_speedup_mul_vs_portable", params,
                          (double)port[1] / (double)best[1]);
out:
  free(q);
  free(x);
  free(mods);
  return st;
}

/*
 * The CKKS key-switching mix: Q = one 60-bit prime and nq - 1 50-bit ones,
 * P = np 60-bit primes. ModUp of one digit (digit limbs of Q, the 60-bit one
 * first) to the rest of Q u P, and ModDown of Q u P to Q; the dispatched
 * variant against the portable conversion in the same run.
 */
static cf_status bench_ckks_mix(cf_bench *b, size_t n, size_t nq, size_t np, size_t digit) {
  size_t total = nq + np;
  uint64_t *p = malloc(total * sizeof *p), *in = malloc(total * n * sizeof *in),
           *out = malloc(total * n * sizeof *out);
  cf_baseconv_table conv = {0};
  cf_moddown_table md = {0};
  cf_status st = CF_OK;
  if (!p || !in || !out) {
    st = CF_FAIL(CF_ENOMEM, "bench buffers for %zu limbs", total);
    goto out;
  }
  if ((st = cf_primes_generate(60, n, 1 + np, CF_PRIMES_DESCENDING, NULL, 0, p)) != CF_OK ||
      (st = cf_primes_generate(50, n, nq - 1, CF_PRIMES_DESCENDING, NULL, 0, p + 1 + np)) != CF_OK)
    goto out;
  /* p = [q0 (60), p_0..p_{np-1} (60), q_1..q_{nq-1} (50)]: reorder to Q then P. */
  uint64_t *qp = malloc(total * sizeof *qp);
  if (!qp) {
    st = CF_FAIL(CF_ENOMEM, "bench primes");
    goto out;
  }
  qp[0] = p[0];
  memcpy(qp + 1, p + 1 + np, (nq - 1) * sizeof *qp);
  memcpy(qp + nq, p + 1, np * sizeof *qp);
  for (size_t i = 0; i < total; i++)
    fill(in + i * n, n, qp[i], 11 + i);
  job j = {.in = in, .out = out, .n = n};
  char params[128];
  if ((st = cf_baseconv_init(&conv, qp, digit, qp + digit, total - digit)) != CF_OK) goto free_qp;
  j.conv = &conv;
  snprintf(params, sizeof params, "{\"N\":%zu,\"from\":%zu,\"to\":%zu,\"primes\":\"50+60\"}", n,
           digit, total - digit);
  timed(b, "baseconv", params, 3, run_conv, &j);
  if ((st = bench_conv_variants(b, &j, params)) != CF_OK) goto free_qp;
  if ((st = cf_moddown_init(&md, qp, nq, qp + nq, np)) != CF_OK) goto free_qp;
  j.md = &md;
  snprintf(params, sizeof params, "{\"N\":%zu,\"Q\":%zu,\"P\":%zu,\"primes\":\"50+60\"}", n, nq,
           np);
  timed(b, "moddown", params, 3, run_moddown, &j);
free_qp:
  free(qp);
out:
  cf_moddown_free(&md);
  cf_baseconv_free(&conv);
  free(p);
  free(in);
  free(out);
  return st;
}

static cf_status bench_rns(cf_bench *b, size_t n, size_t nq, size_t np, size_t digit) {
  cf_status st = CF_OK;
  size_t total = nq + np;
  uint64_t *primes = malloc(total * sizeof *primes);
  cf_ntt_table *tabs = calloc(total, sizeof *tabs);
  uint64_t *poly = malloc(total * n * sizeof *poly), *out = malloc(total * n * sizeof *out);
  cf_baseconv_table conv = {0};
  cf_rescale_table rs = {0};
  cf_moddown_table md = {0};
  char params[128];
  if (!primes || !tabs || !poly || !out) {
    st = CF_FAIL(CF_ENOMEM, "bench buffers for %zu limbs of N=%zu", total, n);
    goto done;
  }
  if ((st = cf_primes_generate(50, n, total, CF_PRIMES_DESCENDING, NULL, 0, primes)) != CF_OK)
    goto done;
  for (size_t i = 0; i < nq; i++) {
    if ((st = cf_ntt_table_init(&tabs[i], n, primes[i])) != CF_OK) goto done;
    fill(poly + i * n, n, primes[i], 3 + i);
  }
  for (size_t i = nq; i < total; i++)
    fill(poly + i * n, n, primes[i], 3 + i);
  job j = {.tables = tabs, .data = poly, .nlimbs = nq, .n = n, .in = poly, .out = out};
  snprintf(params, sizeof params, "{\"N\":%zu,\"limbs\":%zu,\"bits\":50}", n, nq);
  timed(b, "forward_limbs", params, 3, run_limbs, &j);
  for (size_t i = 0; i < nq; i++)
    cf_ntt_inverse(&tabs[i], poly + i * n);

  cf_modulus *mods = malloc(nq * sizeof *mods);
  if (!mods) {
    st = CF_FAIL(CF_ENOMEM, "moduli for %zu limbs", nq);
    goto done;
  }
  for (size_t i = 0; i < nq; i++)
    mods[i] = tabs[i].mod;
  memcpy(out, poly, nq * n * sizeof *out);
  j.mods = mods;
  uint64_t macc = timed(b, "mul_acc_limbs", params, 5, run_mul_acc, &j);
  if (cf_cpu_path_active() >= CF_CPU_AVX2) {
    uint64_t pm = timed(b, "mul_acc_limbs_portable", params, 5, run_mul_acc_portable, &j);
    if (macc > 0)
      cf_bench_report_ratio(b, "simd_speedup_mul_acc", params, (double)pm / (double)macc);
  }
  free(mods);
  if ((st = bench_products(b, n, 50, 8)) != CF_OK || (st = bench_products(b, n, 60, 8)) != CF_OK)
    goto done;

  /* ModUp-like: one digit of `digit` limbs to the other nq - digit + np limbs. */
  if ((st = cf_baseconv_init(&conv, primes, digit, primes + digit, total - digit)) != CF_OK)
    goto done;
  j.conv = &conv;
  snprintf(params, sizeof params, "{\"N\":%zu,\"from\":%zu,\"to\":%zu}", n, digit, total - digit);
  uint64_t bc = timed(b, "baseconv", params, 3, run_conv, &j);
  if (conv.w_d && cf_cpu_path_active() >= CF_CPU_AVX2) {
    uint64_t pb = timed(b, "baseconv_portable", params, 3, run_conv_portable, &j);
    if (bc > 0) cf_bench_report_ratio(b, "simd_speedup_baseconv", params, (double)pb / (double)bc);
  }
  if ((st = bench_conv_variants(b, &j, params)) != CF_OK) goto done;

  if ((st = cf_rescale_init(&rs, primes, nq)) != CF_OK) goto done;
  j.rs = &rs;
  snprintf(params, sizeof params, "{\"N\":%zu,\"limbs\":%zu}", n, nq);
  timed(b, "rescale", params, 3, run_rescale, &j);

  if ((st = cf_moddown_init(&md, primes, nq, primes + nq, np)) != CF_OK) goto done;
  j.md = &md;
  snprintf(params, sizeof params, "{\"N\":%zu,\"Q\":%zu,\"P\":%zu}", n, nq, np);
  timed(b, "moddown", params, 3, run_moddown, &j);
  st = bench_ckks_mix(b, n, nq, np > 8 ? 8 : np, digit);
done:
  cf_moddown_free(&md);
  cf_rescale_free(&rs);
  cf_baseconv_free(&conv);
  if (tabs)
    for (size_t i = 0; i < total; i++)
      cf_ntt_table_free(&tabs[i]);
  free(tabs);
  free(primes);
  free(poly);
  free(out);
  return st;
}

cf_status cf_bench_ntt_run(cf_bench *b) {
  if (cf_bench_quick(b)) {
    CF_TRY(bench_one_limb(b, 4096, 50));
    return bench_rns(b, 4096, 5, 2, 2);
  }
  const size_t degrees[] = {16384, 32768, 65536};
  const int widths[] = {50, 60};
  for (size_t d = 0; d < 3; d++)
    for (size_t w = 0; w < 2; w++)
      CF_TRY(bench_one_limb(b, degrees[d], widths[w]));
  return bench_rns(b, 65536, 25, 9, 9);
}
