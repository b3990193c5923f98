/*
 * Negacyclic NTT passes in shared memory, per thread.
 *
 * The transform is kernels/cpu/ntt.h's, with its tables (cf_ntt_table, one
 * per limb): forward Cooley-Tukey from natural to bit-reversed order, stage
 * m (m = 1, 2, .., n/2 groups) using fwd[m + i] = psi^brv(m + i) for group
 * i; inverse Gentleman-Sande back with inv[m + i] = psi^-brv(m + i), then a
 * scaling by n_inv (kernels/cpu folds n^-1 into its last stage instead;
 * both outputs are fully reduced, so they agree bit for bit). Butterflies
 * are Harvey's: lazy values in [0, 4q) forward, [0, 2q) inverse.
 *
 * A pass does `sub_log` consecutive stages on independent sub-problems of
 * S = 2^sub_log elements, base + r * stride (r < S), staged in shared
 * memory: phase 0 loads, phase 1 + s runs stage s, the last phase stores.
 * One pass covers n <= 4096; larger n use two passes (n = N1 * N2): columns
 * (stride N2, the first log N1 stages) and rows (stride 1, the rest).
 * Groups of the global transform map to the sub-problem as
 * global group index = (m0 + g) * m_local + i_local, with
 * m0 = n / (S * stride) groups before this pass and g = s / stride the
 * sub-problem's group.
 */
#ifndef CF_KERNELS_CUDA_NTT_BODY_CUH
#define CF_KERNELS_CUDA_NTT_BODY_CUH

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu/ntt.h"
#include "kernels/cuda/portable.cuh"

typedef struct cf_ntt_pass_args {
  uint64_t *data;             /* limb i at data + i * n (absolute limb index) */
  const cf_ntt_table *tables; /* limb i uses tables[i] */
  size_t n, limb_begin;
  size_t stride;    /* element stride in a sub-problem */
  unsigned sub_log; /* log2 of the sub-problem size S */
  unsigned cols;    /* sub-problems per block */
  int inverse;      /* Gentleman-Sande stages, high to low */
  int last;         /* reduce fully (forward) or scale by n^-1 (inverse) */
} cf_ntt_pass_args;

/* Load, one phase per stage, store: what the kernel and the emulation both run. */
#define CF_NTT_PASS_PHASES(g) ((g)->sub_log + 2u)

/* Shared-memory slot of row r of the block's sub-problem c: rows of one
 * sub-problem are adjacent for unit stride, sub-problems are adjacent
 * otherwise (consecutive threads then touch consecutive global words). */
CF_DEVICE size_t cf_ntt_slot(const cf_ntt_pass_args *g, size_t r, size_t c) {
  return g->stride == 1 ? c * ((size_t)1 << g->sub_log) + r : r * g->cols + c;
}

CF_DEVICE size_t cf_ntt_global(const cf_ntt_pass_args *g, size_t s, size_t r) {
  size_t S = (size_t)1 << g->sub_log;
  return s % g->stride + (s / g->stride) * g->stride * S + r * g->stride;
}

/* Splits a per-block work index e over `count` items per sub-problem into
 * (sub-problem c, item k), sub-problem-major for unit stride. */
CF_DEVICE void cf_ntt_split(const cf_ntt_pass_args *g, size_t e, size_t count, size_t *c,
                            size_t *k) {
  if (g->stride == 1) {
    *c = e / count;
    *k = e % count;
  } else {
    *c = e % g->cols;
    *k = e / g->cols;
  }
}

CF_DEVICE void cf_ntt_pass_body(cf_kidx at, cf_shmem sh, const cf_ntt_pass_args *g,
                                unsigned phase) {
  size_t S = (size_t)1 << g->sub_log;
  size_t limb = g->limb_begin + at.block_y;
  const cf_ntt_table *tab = &g->tables[limb];
  uint64_t q = tab->mod.q, q2 = 2 * q;
  uint64_t *data = g->data + limb * g->n;
  size_t first = (size_t)at.block_x * g->cols; /* first sub-problem of this block */
  size_t c, k;

  if (phase == 0) {
    for (size_t e = at.thread; e < g->cols * S; e += at.nthreads) {
      cf_ntt_split(g, e, S, &c, &k);
      CF_SH_ST(sh, cf_ntt_slot(g, k, c), data[cf_ntt_global(g, first + c, k)]);
    }
    return;
  }
  if (phase == g->sub_log + 1) {
    for (size_t e = at.thread; e < g->cols * S; e += at.nthreads) {
      cf_ntt_split(g, e, S, &c, &k);
      uint64_t x = CF_SH_LD(sh, cf_ntt_slot(g, k, c));
      if (g->last && g->inverse) {
        x = cf_cu_mul_shoup(x, tab->n_inv, tab->n_inv_sh, q);
      } else if (g->last) {
        x = x >= q2 ? x - q2 : x;
        x = x >= q ? x - q : x;
      }
      data[cf_ntt_global(g, first + c, k)] = x;
    }
    return;
  }

  unsigned stage = g->inverse ? g->sub_log - phase : phase - 1; /* local log2 of m */
  size_t m_local = (size_t)1 << stage;
  size_t t = S >> (stage + 1);
  size_t m0 = g->n / (S * g->stride);
  const uint64_t *tw = g->inverse ? tab->inv : tab->fwd;
  const uint64_t *tw_shoup = g->inverse ? tab->inv_sh : tab->fwd_sh;
  for (size_t e = at.thread; e < g->cols * S / 2; e += at.nthreads) {
    cf_ntt_split(g, e, S / 2, &c, &k);
    size_t i = k / t;
    size_t j = i * 2 * t + k % t;
    size_t group = (first + c) / g->stride;
    size_t w_at = (m0 + group) * m_local + i;
    uint64_t w = tw[w_at], w_shoup = tw_shoup[w_at];
    size_t xs = cf_ntt_slot(g, j, c), ys = cf_ntt_slot(g, j + t, c);
    uint64_t x = CF_SH_LD(sh, xs), y = CF_SH_LD(sh, ys);
    if (!g->inverse) {
      x = x >= q2 ? x - q2 : x;
      uint64_t u = cf_cu_mul_shoup_lazy(y, w, w_shoup, q);
      CF_SH_ST(sh, xs, x + u);
      CF_SH_ST(sh, ys, x - u + q2);
    } else {
      uint64_t s = x + y;
      CF_SH_ST(sh, xs, s >= q2 ? s - q2 : s);
      CF_SH_ST(sh, ys, cf_cu_mul_shoup_lazy(x - y + q2, w, w_shoup, q));
    }
  }
}

#endif
