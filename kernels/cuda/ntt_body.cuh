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
  unsigned log_n;
  unsigned stride_log; /* log2 of the element stride in a sub-problem */
  unsigned sub_log;    /* log2 of the sub-problem size S */
  unsigned cols_log;   /* log2 of the sub-problems per block */
  int inverse;         /* Gentleman-Sande stages, high to low */
  int last;            /* reduce fully (forward) or scale by n^-1 (inverse) */
} cf_ntt_pass_args;

/* Load, one phase per stage, store: what the kernel and the emulation both run. */
#define CF_NTT_PASS_PHASES(g) ((g)->sub_log + 2u)

/* Every size is a power of two, so indices are split with shifts and masks
 * (32-bit: n <= 2^17), never with the GPU's slow integer division. */

/* Shared-memory slot of row r of the block's sub-problem c: rows of one
 * sub-problem are adjacent for unit stride, sub-problems are adjacent
 * otherwise (consecutive threads then touch consecutive global words). */
CF_DEVICE unsigned cf_ntt_slot(const cf_ntt_pass_args *g, unsigned r, unsigned c) {
  return g->stride_log == 0 ? (c << g->sub_log) + r : (r << g->cols_log) + c;
}

/* Index in the limb of row r of sub-problem s. */
CF_DEVICE unsigned cf_ntt_global(const cf_ntt_pass_args *g, unsigned s, unsigned r) {
  unsigned low = s & ((1u << g->stride_log) - 1), high = s >> g->stride_log;
  return low + ((high << g->sub_log) << g->stride_log) + (r << g->stride_log);
}

/* Splits a per-block work index e over 2^count_log items per sub-problem
 * into (sub-problem c, item k), sub-problem-major for unit stride. */
CF_DEVICE void cf_ntt_split(const cf_ntt_pass_args *g, unsigned e, unsigned count_log, unsigned *c,
                            unsigned *k) {
  if (g->stride_log == 0) {
    *c = e >> count_log;
    *k = e & ((1u << count_log) - 1);
  } else {
    *c = e & ((1u << g->cols_log) - 1);
    *k = e >> g->cols_log;
  }
}

CF_DEVICE void cf_ntt_pass_body(cf_kidx at, cf_shmem sh, const cf_ntt_pass_args *g,
                                unsigned phase) {
  unsigned per_block = 1u << (g->sub_log + g->cols_log);
  size_t limb = g->limb_begin + at.block_y;
  const cf_ntt_table *tab = &g->tables[limb];
  uint64_t q = tab->mod.q, q2 = 2 * q;
  uint64_t *data = g->data + limb * g->n;
  unsigned first = at.block_x << g->cols_log; /* first sub-problem of this block */
  unsigned c, k;

  if (phase == 0) {
    for (unsigned e = at.thread; e < per_block; e += at.nthreads) {
      cf_ntt_split(g, e, g->sub_log, &c, &k);
      CF_SH_ST(sh, cf_ntt_slot(g, k, c), CF_GLD(sh, &data[cf_ntt_global(g, first + c, k)]));
    }
    return;
  }
  if (phase == g->sub_log + 1) {
    for (unsigned e = at.thread; e < per_block; e += at.nthreads) {
      cf_ntt_split(g, e, g->sub_log, &c, &k);
      uint64_t x = CF_SH_LD(sh, cf_ntt_slot(g, k, c));
      if (g->last && g->inverse) {
        x = cf_cu_mul_shoup(x, tab->n_inv, tab->n_inv_sh, q);
      } else if (g->last) {
        x = x >= q2 ? x - q2 : x;
        x = x >= q ? x - q : x;
      }
      CF_GST(sh, &data[cf_ntt_global(g, first + c, k)], x);
    }
    return;
  }

  unsigned stage = g->inverse ? g->sub_log - phase : phase - 1; /* log2 of local groups */
  unsigned t_log = g->sub_log - stage - 1, t = 1u << t_log;
  unsigned m0_log = g->log_n - g->sub_log - g->stride_log; /* groups before this pass */
  const uint64_t *tw = g->inverse ? tab->inv : tab->fwd;
  const uint64_t *tw_shoup = g->inverse ? tab->inv_sh : tab->fwd_sh;
  for (unsigned e = at.thread; e < per_block / 2; e += at.nthreads) {
    cf_ntt_split(g, e, g->sub_log - 1, &c, &k);
    unsigned i = k >> t_log;
    unsigned j = (i << (t_log + 1)) + (k & (t - 1));
    unsigned group = (first + c) >> g->stride_log;
    unsigned w_at = (((1u << m0_log) + group) << stage) + i;
    uint64_t w = tw[w_at], w_shoup = tw_shoup[w_at];
    unsigned xs = cf_ntt_slot(g, j, c), ys = cf_ntt_slot(g, j + t, c);
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
