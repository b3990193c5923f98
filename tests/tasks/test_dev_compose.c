/* The device composition of every kind the CUDA codelets claim
 * (tasks/dev_compose.h), run through the host emulation of the kernels/cuda
 * kernels, against the CPU step functions (kernels/ckks/steps.h) on fresh
 * random rows: bit-identical. Pieces are split into two allocations and
 * use a Q_l u P layout, so row runs break on both contiguity and primes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"
#include "kernels/cuda/emu_kernels.h"
#include "tasks/dev_compose.h"
#include "tasks/trace_hook.h"

static cf_ckks_params *params;
static cf_ckks_context *ctx;
static uint64_t rng_state;
static cf_dev_tables tabs;
static const cf_baseconv_table *modup[CF_CKKS_NPRIMES_MAX];
static cf_baseconv_table moddown[CF_CKKS_NPRIMES_MAX];
static const uint64_t *p_inv[CF_CKKS_NPRIMES_MAX], *p_inv_sh[CF_CKKS_NPRIMES_MAX];
static int ndigits[CF_CKKS_NPRIMES_MAX];

static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* ---- the emulated device: host memory, cf_emu_* kernels ---- */
static cf_status e_add(void *d, uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
                       size_t lb, size_t le, const cf_modulus *m) {
  (void)d;
  return cf_emu_add(o, a, b, n, lb, le, m);
}
static cf_status e_sub(void *d, uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
                       size_t lb, size_t le, const cf_modulus *m) {
  (void)d;
  return cf_emu_sub(o, a, b, n, lb, le, m);
}
static cf_status e_mul(void *d, uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
                       size_t lb, size_t le, const cf_modulus *m) {
  (void)d;
  return cf_emu_mul(o, a, b, n, lb, le, m);
}
static cf_status e_mul_acc(void *d, uint64_t *o, const uint64_t *a, const uint64_t *b, size_t n,
                           size_t lb, size_t le, const cf_modulus *m) {
  (void)d;
  return cf_emu_mul_acc(o, a, b, n, lb, le, m);
}
static cf_status e_mul_scalar(void *d, uint64_t *o, const uint64_t *a, const uint64_t *s,
                              const uint64_t *sh, size_t n, size_t lb, size_t le,
                              const cf_modulus *m) {
  (void)d;
  return cf_emu_mul_scalar(o, a, s, sh, n, lb, le, m);
}
static cf_status e_ntt(void *d, bool inv, const cf_ntt_table *t, size_t n, uint64_t *p, size_t lb,
                       size_t le) {
  (void)d;
  return inv ? cf_emu_ntt_inverse(t, n, p, lb, le) : cf_emu_ntt_forward(t, n, p, lb, le);
}
static cf_status e_automorph(void *d, uint64_t *o, const uint64_t *in, size_t n, uint64_t g,
                             size_t lb, size_t le) {
  (void)d;
  return cf_emu_automorph_ntt(o, in, n, g, lb, le);
}
static cf_status e_baseconv(void *d, const cf_baseconv_table *t, uint64_t *o, const uint64_t *in,
                            size_t n, size_t lb, size_t le) {
  (void)d;
  return cf_emu_baseconv(t, o, in, n, lb, le);
}
static cf_status e_alloc(void *d, void **p, size_t bytes) {
  (void)d;
  *p = malloc(bytes);
  return *p ? CF_OK : CF_ENOMEM;
}
static void e_free(void *d, void *p) {
  (void)d;
  free(p);
}
static cf_status e_copy(void *d, void *dst, const void *src, size_t bytes, bool from_host) {
  (void)d;
  (void)from_host;
  memcpy(dst, src, bytes);
  return CF_OK;
}
static cf_status e_zero(void *d, void *p, size_t bytes) {
  (void)d;
  memset(p, 0, bytes);
  return CF_OK;
}
static const cf_dev_ops emu = {.add = e_add,
                               .sub = e_sub,
                               .mul = e_mul,
                               .mul_acc = e_mul_acc,
                               .mul_scalar = e_mul_scalar,
                               .ntt = e_ntt,
                               .automorph = e_automorph,
                               .baseconv = e_baseconv,
                               .alloc = e_alloc,
                               .free = e_free,
                               .copy = e_copy,
                               .zero = e_zero};

static int setup(void **state) {
  (void)state;
  rng_state = (uint64_t)time(NULL) * 2654435761u | 1;
  printf("seed %llu\n", (unsigned long long)rng_state);
  if (cf_ckks_params_preset("toy", true, &params) != CF_OK) return -1;
  if (cf_ckks_context_create(params, &ctx) != CF_OK) return -1;
  for (int l = 0; l <= ctx->L; l++) {
    cf_ckks_level *lv = &ctx->levels[l];
    ndigits[l] = lv->ndigits;
    cf_baseconv_table *d = calloc((size_t)lv->ndigits, sizeof *d);
    for (int j = 0; j < lv->ndigits; j++)
      d[j] = lv->digits[j].conv;
    modup[l] = d;
    moddown[l] = lv->moddown.conv;
    p_inv[l] = lv->moddown.p_inv;
    p_inv_sh[l] = lv->moddown.p_inv_sh;
  }
  tabs = (cf_dev_tables){.host_mods = ctx->mods,
                         .mods = ctx->mods,
                         .ntt = ctx->ntt,
                         .max_level = ctx->L,
                         .ndigits = ndigits,
                         .modup = modup,
                         .moddown = moddown,
                         .p_inv = p_inv,
                         .p_inv_sh = p_inv_sh};
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (int l = 0; l <= ctx->L; l++)
    free((void *)modup[l]);
  cf_ckks_context_destroy(ctx);
  cf_ckks_params_destroy(params);
  return 0;
}

/* A piece: contiguous reference copy plus the same rows in two allocations. */
typedef struct piece {
  uint32_t rows;
  uint64_t *ref;
  uint64_t *seg[2];
  uint64_t *ptr[64];
  cf_limb_span span;
} piece;

static void piece_make(piece *p, const uint16_t *primes, uint32_t rows) {
  size_t n = ctx->n;
  assert_true(rows >= 1 && rows <= 64);
  p->rows = rows;
  p->ref = malloc(rows * n * sizeof(uint64_t));
  uint32_t cut = rows / 2;
  p->seg[0] = malloc((cut + 1) * n * sizeof(uint64_t));
  p->seg[1] = malloc((rows - cut + 1) * n * sizeof(uint64_t));
  for (uint32_t r = 0; r < rows; r++) {
    uint64_t q = ctx->mods[primes[r]].q;
    for (size_t c = 0; c < n; c++)
      p->ref[r * n + c] = rnd() % q;
    p->ptr[r] = r < cut ? p->seg[0] + r * n : p->seg[1] + (r - cut) * n;
    memcpy(p->ptr[r], p->ref + r * n, n * sizeof(uint64_t));
  }
  p->span = (cf_limb_span){.rows = p->ptr, .nlimbs = rows, .primes = primes};
}

static void piece_check(const piece *p, const char *what) {
  size_t n = ctx->n;
  for (uint32_t r = 0; r < p->rows; r++)
    if (memcmp(p->ptr[r], p->ref + r * n, n * sizeof(uint64_t)) != 0)
      fail_msg("%s: row %u differs from the CPU step", what, r);
}

static void piece_free(piece *p) {
  free(p->ref);
  free(p->seg[0]);
  free(p->seg[1]);
}

/* Q_l u P: q_0..q_l then the special primes (a break in prime indices). */
static uint32_t qp_primes(int l, uint16_t *pr) {
  uint32_t k = 0;
  for (int i = 0; i <= l; i++)
    pr[k++] = (uint16_t)i;
  for (int i = 0; i < ctx->K; i++)
    pr[k++] = (uint16_t)(ctx->L + 1 + i);
  return k;
}

static void limb_local_kind(cf_kernel_kind kind, unsigned npieces) {
  uint16_t pr[CF_CKKS_NPRIMES_MAX];
  int l = ctx->L > 0 ? ctx->L - 1 : 0;
  uint32_t rows = qp_primes(l, pr);
  piece p[5];
  cf_limb_span s[5];
  cf_dag_task t = {.id = 7, .kind = kind, .npieces = (uint8_t)npieces, .level = l};
  for (unsigned i = 0; i < npieces; i++) {
    piece_make(&p[i], pr, rows);
    s[i] = p[i].span;
    t.pieces[i] = (cf_dag_piece){.buffer = i, .nlimbs = (uint16_t)rows};
  }
  uint64_t konst[CF_CKKS_NPRIMES_MAX];
  for (int i = 0; i < ctx->nprimes; i++)
    konst[i] = rnd() % ctx->mods[i].q;
  uint64_t galois = cf_ckks_galois_element(ctx, 1 + (int)(rnd() % 5));
  cf_automorph_table at;
  assert_int_equal(cf_automorph_table_init(&at, ctx->n, galois), CF_OK);
  t.arg.galois = galois;
  if (kind == CF_KERNEL_MUL_CONST) t.arg.constant = 0;
  uint64_t **x = (uint64_t *[5]){p[0].ref, p[1].ref, npieces > 2 ? p[2].ref : NULL,
                                 npieces > 3 ? p[3].ref : NULL, npieces > 4 ? p[4].ref : NULL};
  switch (kind) {
  case CF_KERNEL_NTT: cf_ckks_step_ntt(ctx, x[0], pr, rows); break;
  case CF_KERNEL_INTT: cf_ckks_step_intt(ctx, x[0], pr, rows); break;
  case CF_KERNEL_ADD: cf_ckks_step_add(ctx, x[0], x[1], x[2], pr, rows); break;
  case CF_KERNEL_SUB: cf_ckks_step_sub(ctx, x[0], x[1], x[2], pr, rows); break;
  case CF_KERNEL_NEG: cf_ckks_step_neg(ctx, x[0], x[1], pr, rows); break;
  case CF_KERNEL_MUL: cf_ckks_step_mul(ctx, x[0], x[1], x[2], pr, rows); break;
  case CF_KERNEL_MUL_ACC: cf_ckks_step_mul_acc(ctx, x[0], x[1], x[2], pr, rows); break;
  case CF_KERNEL_MUL_CONST: cf_ckks_step_mul_const(ctx, x[0], x[1], konst, pr, rows); break;
  case CF_KERNEL_COPY: cf_ckks_step_copy(ctx, x[0], x[1], rows); break;
  case CF_KERNEL_AUTOMORPH: cf_ckks_step_automorph(ctx, &at, x[0], x[1], rows); break;
  case CF_KERNEL_KS_INNER:
    cf_ckks_step_ks_inner(ctx, x[0], x[1], x[2], x[3], x[4], pr, rows);
    break;
  default: fail();
  }
  cf_status st = cf_dev_run_task(&emu, &tabs, &t, konst, (size_t)ctx->nprimes, s, (uint32_t)ctx->n);
  if (st != CF_OK) fail_msg("%s: %s", cf_kernel_kind_name(kind), cf_last_error());
  for (unsigned i = 0; i < npieces; i++) {
    piece_check(&p[i], cf_kernel_kind_name(kind));
    piece_free(&p[i]);
  }
  cf_automorph_table_free(&at);
}

static void test_limb_local(void **state) {
  (void)state;
  limb_local_kind(CF_KERNEL_NTT, 1);
  limb_local_kind(CF_KERNEL_INTT, 1);
  limb_local_kind(CF_KERNEL_ADD, 3);
  limb_local_kind(CF_KERNEL_SUB, 3);
  limb_local_kind(CF_KERNEL_NEG, 2);
  limb_local_kind(CF_KERNEL_MUL, 3);
  limb_local_kind(CF_KERNEL_MUL_ACC, 3);
  limb_local_kind(CF_KERNEL_MUL_CONST, 2);
  limb_local_kind(CF_KERNEL_COPY, 2);
  limb_local_kind(CF_KERNEL_AUTOMORPH, 2);
  limb_local_kind(CF_KERNEL_KS_INNER, 5);
}

/* ModUp of every digit at the top level into extension rows [1, next). */
static void test_modup(void **state) {
  (void)state;
  int l = ctx->L;
  for (int j = 0; j < cf_ckks_ndigits(ctx, l); j++) {
    int first, count;
    size_t next;
    const uint16_t *ext;
    assert_int_equal(cf_ckks_digit_info(ctx, l, j, &first, &count, &next, &ext), CF_OK);
    uint16_t in_pr[CF_CKKS_NPRIMES_MAX];
    for (int i = 0; i < count; i++)
      in_pr[i] = (uint16_t)(first + i);
    uint32_t f0 = next > 1 ? 1 : 0;
    piece out, in;
    piece_make(&out, ext + f0, (uint32_t)(next - f0));
    piece_make(&in, in_pr, (uint32_t)count);
    uint64_t *ref = calloc(next * ctx->n, sizeof(uint64_t));
    cf_ckks_step_modup(ctx, l, j, ref, in.ref, f0, next);
    memcpy(out.ref, ref + f0 * ctx->n, (next - f0) * ctx->n * sizeof(uint64_t));
    cf_dag_task t = {.kind = CF_KERNEL_MODUP, .npieces = 2, .level = l};
    t.arg.digit = (uint32_t)j;
    t.pieces[0] = (cf_dag_piece){.first_limb = (uint16_t)f0, .nlimbs = (uint16_t)(next - f0)};
    t.pieces[1] = (cf_dag_piece){.nlimbs = (uint16_t)count};
    cf_limb_span s[2] = {out.span, in.span};
    cf_status st = cf_dev_run_task(&emu, &tabs, &t, NULL, 0, s, (uint32_t)ctx->n);
    if (st != CF_OK) fail_msg("modup: %s", cf_last_error());
    piece_check(&out, "modup");
    piece_check(&in, "modup input");
    free(ref);
    piece_free(&out);
    piece_free(&in);
  }
}

/* ModDown at the top level of Q rows [1, l+1). */
static void test_moddown(void **state) {
  (void)state;
  if (ctx->K == 0) skip();
  int l = ctx->L;
  uint16_t qpr[CF_CKKS_NPRIMES_MAX], ppr[CF_CKKS_NPRIMES_MAX];
  for (int i = 0; i <= l; i++)
    qpr[i] = (uint16_t)i;
  for (int i = 0; i < ctx->K; i++)
    ppr[i] = (uint16_t)(ctx->L + 1 + i);
  uint32_t f0 = l > 0 ? 1 : 0, rows = (uint32_t)l + 1 - f0;
  piece q, p;
  piece_make(&q, qpr + f0, rows);
  piece_make(&p, ppr, (uint32_t)ctx->K);
  uint64_t *ref = calloc(((size_t)l + 1) * ctx->n, sizeof(uint64_t));
  uint64_t *w = calloc(((size_t)l + 1) * ctx->n, sizeof(uint64_t));
  memcpy(ref + f0 * ctx->n, q.ref, rows * ctx->n * sizeof(uint64_t));
  cf_ckks_step_moddown(ctx, l, ref, p.ref, w, f0, (size_t)l + 1);
  memcpy(q.ref, ref + f0 * ctx->n, rows * ctx->n * sizeof(uint64_t));
  cf_dag_task t = {.kind = CF_KERNEL_MODDOWN, .npieces = 2, .level = l};
  t.pieces[0] = (cf_dag_piece){.first_limb = (uint16_t)f0, .nlimbs = (uint16_t)rows};
  t.pieces[1] = (cf_dag_piece){.nlimbs = (uint16_t)ctx->K};
  cf_limb_span s[2] = {q.span, p.span};
  cf_status st = cf_dev_run_task(&emu, &tabs, &t, NULL, 0, s, (uint32_t)ctx->n);
  if (st != CF_OK) fail_msg("moddown: %s", cf_last_error());
  piece_check(&q, "moddown");
  free(ref);
  free(w);
  piece_free(&q);
  piece_free(&p);
}

/* What the device side refuses: RESCALE, FUSED, mismatched pieces. */
static void test_refused(void **state) {
  (void)state;
  assert_false(cf_dev_kind_supported(CF_KERNEL_RESCALE));
  assert_false(cf_dev_kind_supported(CF_KERNEL_FUSED));
  assert_true(cf_dev_kind_supported(CF_KERNEL_MODDOWN));
  uint16_t pr[2] = {0, 1};
  piece a, b;
  piece_make(&a, pr, 2);
  piece_make(&b, pr, 1);
  cf_limb_span s[3] = {a.span, b.span, a.span};
  cf_dag_task t = {.kind = CF_KERNEL_RESCALE, .npieces = 2, .level = 1};
  assert_int_equal(cf_dev_run_task(&emu, &tabs, &t, NULL, 0, s, (uint32_t)ctx->n), CF_EUNSUPPORTED);
  t.kind = CF_KERNEL_ADD;
  t.npieces = 3;
  assert_int_equal(cf_dev_run_task(&emu, &tabs, &t, NULL, 0, s, (uint32_t)ctx->n), CF_EINVAL);
  piece_free(&a);
  piece_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_limb_local),
      cmocka_unit_test(test_modup),
      cmocka_unit_test(test_moddown),
      cmocka_unit_test(test_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
