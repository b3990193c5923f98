/*
 * Argument checking and launch shapes, shared by the CUDA launch wrappers
 * (*.cu) and the emulated kernels (emu_kernels.c) so that both reject the
 * same inputs and run the same grids. Plain C that also compiles as C++.
 */
#ifndef CF_KERNELS_CUDA_PLAN_H
#define CF_KERNELS_CUDA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
#include "base/error.h"
#ifdef __cplusplus
}
#endif
#include "kernels/cuda/automorph_body.cuh"
#include "kernels/cuda/bconv_body.cuh"
#include "kernels/cuda/elementwise_body.cuh"
#include "kernels/cuda/ntt_body.cuh"

/* Grid, block, dynamic shared memory and barrier count of one launch.
 * grid_y == 0 means there is nothing to do (an empty limb range). */
typedef struct cf_cuda_launch {
  unsigned grid_x, grid_y, block;
  size_t shared_words;
  unsigned phases;
} cf_cuda_launch;

#define CF_CUDA_MAX_GRID_Y   65535u
#define CF_CUDA_SHARED_WORDS (48u * 1024u / 8u) /* without opting in to more */

static inline unsigned cf_plan_log2(size_t n) {
  unsigned l = 0;
  while (((size_t)1 << l) < n)
    ++l;
  return l;
}

static inline cf_status cf_plan_limbs(const char *fn, size_t n, size_t limb_begin,
                                      size_t limb_end) {
  if (n < 2 || (n & (n - 1)) || n > ((size_t)1 << CF_NTT_MAX_LOGN))
    return CF_FAIL(CF_EINVAL, "%s: ring degree n = %zu is not a power of two in [2, 2^%d]", fn, n,
                   CF_NTT_MAX_LOGN);
  if (limb_end < limb_begin)
    return CF_FAIL(CF_EINVAL, "%s: limb range [%zu, %zu) is reversed", fn, limb_begin, limb_end);
  if (limb_end - limb_begin > CF_CUDA_MAX_GRID_Y)
    return CF_FAIL(CF_EINVAL, "%s: %zu limbs in one call, at most %u", fn, limb_end - limb_begin,
                   CF_CUDA_MAX_GRID_Y);
  return CF_OK;
}

/* One grid row per limb, 256 threads, about four coefficients per thread. */
static inline void cf_plan_rows(cf_cuda_launch *l, size_t n, size_t limbs) {
  l->block = n < 256 ? (unsigned)n : 256u;
  l->grid_x = (unsigned)((n + 4 * l->block - 1) / (4 * l->block));
  l->grid_y = (unsigned)limbs;
  l->shared_words = 0;
  l->phases = 1;
}

static inline cf_status cf_plan_ew(const char *fn, cf_ew_args *g, cf_cuda_launch *l,
                                   size_t limb_end) {
  CF_TRY(cf_plan_limbs(fn, g->n, g->limb_begin, limb_end));
  if (!g->out || !g->a || !g->mods || (g->op != CF_EW_MUL_SCALAR && !g->b))
    return CF_FAIL(CF_EINVAL, "%s: NULL data or modulus pointer", fn);
  if (g->op == CF_EW_MUL_SCALAR && (!g->scalar || !g->scalar_shoup))
    return CF_FAIL(CF_EINVAL, "%s: NULL scalar table", fn);
  cf_plan_rows(l, g->n, limb_end - g->limb_begin);
  return CF_OK;
}

/* NTT: one pass in shared memory for n <= 4096, otherwise a column pass
 * over N1 = 2^floor(log n / 2) rows and a row pass over N2 = n / N1. The
 * passes run in this order forward and in the reverse order inverse. */
static inline cf_status cf_plan_ntt(const char *fn, const cf_ntt_table *tables, size_t n,
                                    uint64_t *data, size_t limb_begin, size_t limb_end, int inverse,
                                    cf_ntt_pass_args pass[2], cf_cuda_launch launch[2],
                                    unsigned *npasses) {
  CF_TRY(cf_plan_limbs(fn, n, limb_begin, limb_end));
  if (!tables || !data) return CF_FAIL(CF_EINVAL, "%s: NULL tables or data", fn);
  unsigned log_n = cf_plan_log2(n);
  unsigned logs[2], count = log_n <= 12 ? 1 : 2;
  logs[0] = count == 1 ? log_n : log_n / 2;
  logs[1] = log_n - logs[0];
  for (unsigned p = 0; p < count; ++p) {
    cf_ntt_pass_args *g = &pass[p];
    size_t S = (size_t)1 << logs[p];
    g->data = data;
    g->tables = tables;
    g->n = n;
    g->log_n = log_n;
    g->limb_begin = limb_begin;
    g->sub_log = logs[p];
    g->inverse = inverse;
    g->last = inverse ? p == 0 : p == count - 1;
    if (count == 2 && p == 0) { /* columns: 16 per block for coalesced rows */
      g->stride_log = log_n - logs[p];
      g->cols_log = g->stride_log < 4 ? g->stride_log : 4u;
    } else {
      g->stride_log = 0;
      g->cols_log = 0;
    }
    size_t per_block = S << g->cols_log;
    launch[p].grid_x = (unsigned)(n / per_block);
    launch[p].grid_y = (unsigned)(limb_end - limb_begin);
    launch[p].block = per_block / 2 < 256 ? (unsigned)(per_block / 2) : 256u;
    launch[p].shared_words = per_block;
    launch[p].phases = CF_NTT_PASS_PHASES(g);
  }
  if (inverse && count == 2) { /* rows first, then columns */
    cf_ntt_pass_args tp = pass[0];
    pass[0] = pass[1];
    pass[1] = tp;
    cf_cuda_launch tl = launch[0];
    launch[0] = launch[1];
    launch[1] = tl;
  }
  *npasses = count;
  return CF_OK;
}

static inline cf_status cf_plan_automorph(const char *fn, cf_automorph_args *g, cf_cuda_launch *l,
                                          size_t limb_end) {
  CF_TRY(cf_plan_limbs(fn, g->n, g->limb_begin, limb_end));
  if (!g->out || !g->in) return CF_FAIL(CF_EINVAL, "%s: NULL data", fn);
  if (g->galois % 2 == 0)
    return CF_FAIL(CF_EINVAL, "%s: Galois element %llu is even", fn, (unsigned long long)g->galois);
  g->galois &= 2 * (uint64_t)g->n - 1;
  const uint64_t *in_lo = g->in + g->limb_begin * g->n, *in_hi = g->in + limb_end * g->n;
  const uint64_t *out_lo = g->out + g->limb_begin * g->n, *out_hi = g->out + limb_end * g->n;
  if (limb_end > g->limb_begin && out_lo < in_hi && in_lo < out_hi)
    return CF_FAIL(CF_EINVAL, "%s: output overlaps input (the permutation is out of place)", fn);
  g->log_n = cf_plan_log2(g->n);
  cf_plan_rows(l, g->n, limb_end - g->limb_begin);
  return CF_OK;
}

/* Basis conversion: 128 threads; tiles of up to 128 coefficients, halved
 * until the tile's scaled inputs fit in 48 KiB of shared memory. */
static inline cf_status cf_plan_bconv(const char *fn, const cf_baseconv_table *t, cf_bconv_args *g,
                                      cf_cuda_launch *l, size_t limb_end) {
  if (!t || !t->a || !t->b || !t->ahat_inv || !t->ahat_inv_sh || !t->ahat_mod_b)
    return CF_FAIL(CF_EINVAL, "%s: NULL basis conversion table", fn);
  if (!g->out || !g->in) return CF_FAIL(CF_EINVAL, "%s: NULL data", fn);
  if (t->na == 0) return CF_FAIL(CF_EINVAL, "%s: no input limbs", fn);
  CF_TRY(cf_plan_limbs(fn, g->n, g->out_begin, limb_end));
  if (limb_end > t->nb)
    return CF_FAIL(CF_EINVAL, "%s: output limbs [%zu, %zu) outside the %zu target primes", fn,
                   g->out_begin, limb_end, t->nb);
  size_t tile = g->n < 128 ? g->n : 128;
  while (tile > 1 && tile * t->na > CF_CUDA_SHARED_WORDS)
    tile /= 2;
  if (tile * t->na > CF_CUDA_SHARED_WORDS)
    return CF_FAIL(CF_EINVAL, "%s: %zu input limbs do not fit in shared memory", fn, t->na);
  g->t = *t;
  g->out_count = limb_end - g->out_begin;
  g->tile_log = cf_plan_log2(tile);
  l->block = 128;
  l->grid_x = (unsigned)(g->n / tile);
  l->grid_y = g->out_count ? 1u : 0u;
  l->shared_words = tile * t->na;
  l->phases = CF_BCONV_PHASES;
  return CF_OK;
}

#endif
