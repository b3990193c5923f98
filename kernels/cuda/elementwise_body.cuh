/*
 * Elementwise RNS operations over a range of limbs, per thread: one grid row
 * (blockIdx.y) per limb, a grid-stride loop over the limb's coefficients.
 * Inputs are reduced (< q); outputs are reduced. `out` may alias `a` or `b` (not
 * for MUL_ACC). Same layout and results as kernels/cpu/poly.h.
 */
#ifndef CF_KERNELS_CUDA_ELEMENTWISE_BODY_CUH
#define CF_KERNELS_CUDA_ELEMENTWISE_BODY_CUH

#include <stddef.h>
#include <stdint.h>

#include "kernels/cuda/portable.cuh"

typedef enum cf_ew_op {
  CF_EW_ADD,        /* out = a + b */
  CF_EW_SUB,        /* out = a - b */
  CF_EW_MUL,        /* out = a * b */
  CF_EW_MUL_ACC,    /* out = out + a * b */
  CF_EW_MUL_SCALAR, /* out = a * s[limb] (Shoup, s_shoup[limb] precomputed) */
} cf_ew_op;

typedef struct cf_ew_args {
  cf_ew_op op;
  uint64_t *out;                         /* limb i at out + i * n (absolute limb index) */
  const uint64_t *a, *b;                 /* same layout; b unused for MUL_SCALAR */
  const cf_modulus *mods;                /* limb i uses mods[i] */
  const uint64_t *scalar, *scalar_shoup; /* MUL_SCALAR only, [i] for limb i */
  size_t n;
  size_t limb_begin;
} cf_ew_args;

CF_DEVICE void cf_ew_body(cf_kidx at, cf_shmem sh, const cf_ew_args *g) {
  size_t limb = g->limb_begin + at.block_y;
  size_t off = limb * g->n;
  const cf_modulus *m = &g->mods[limb];
  uint64_t *out = g->out + off;
  const uint64_t *a = g->a + off;
  const uint64_t *b = g->b ? g->b + off : a;
  size_t step = (size_t)at.nthreads * at.nblocks_x;
  size_t i = (size_t)at.block_x * at.nthreads + at.thread;
  switch (g->op) {
  case CF_EW_ADD:
    for (; i < g->n; i += step)
      CF_GST(sh, &out[i], cf_cu_add(CF_GLD(sh, &a[i]), CF_GLD(sh, &b[i]), m->q));
    break;
  case CF_EW_SUB:
    for (; i < g->n; i += step)
      CF_GST(sh, &out[i], cf_cu_sub(CF_GLD(sh, &a[i]), CF_GLD(sh, &b[i]), m->q));
    break;
  case CF_EW_MUL:
    for (; i < g->n; i += step)
      CF_GST(sh, &out[i], cf_cu_mul_red(CF_GLD(sh, &a[i]), CF_GLD(sh, &b[i]), m));
    break;
  case CF_EW_MUL_ACC:
    for (; i < g->n; i += step)
      CF_GST(sh, &out[i],
             cf_cu_add(CF_GLD(sh, &out[i]), cf_cu_mul_red(CF_GLD(sh, &a[i]), CF_GLD(sh, &b[i]), m),
                       m->q));
    break;
  case CF_EW_MUL_SCALAR: {
    uint64_t s = g->scalar[limb], s_shoup = g->scalar_shoup[limb];
    for (; i < g->n; i += step)
      CF_GST(sh, &out[i], cf_cu_mul_shoup(CF_GLD(sh, &a[i]), s, s_shoup, m->q));
    break;
  }
  }
}

#endif
