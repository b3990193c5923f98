/*
 * Fast basis conversion (ModUp-style), per thread, as kernels/cpu/rns.h's
 * cf_baseconv and with its tables: from limbs x_i modulo a_0..a_{k-1} to
 * limbs modulo b_j,
 *   out_j = [ sum_i [x_i * (A/a_i)^-1]_{a_i} * [A/a_i]_{b_j} ]_{b_j}
 * (approximate: the sum may exceed X by a small multiple of A).
 *
 * Each block owns `tile` coefficients. Phase 0 computes the k scaled
 * residues of its tile into shared memory; phase 1 gives every output
 * (limb, coefficient) of the tile to one thread, which accumulates in 128
 * bits and reduces every 8 products (each < 2^122).
 */
#ifndef CF_KERNELS_CUDA_BCONV_BODY_CUH
#define CF_KERNELS_CUDA_BCONV_BODY_CUH

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu/rns.h"
#include "kernels/cuda/portable.cuh"

typedef struct cf_bconv_args {
  uint64_t *out;       /* output limb j at out + j * n (absolute index) */
  const uint64_t *in;  /* input limb i at in + i * n, all t.na of them */
  cf_baseconv_table t; /* kernels/cpu/rns.h's tables (device pointers on a GPU) */
  size_t n, out_begin, out_count;
  unsigned tile_log; /* log2 of the coefficients per block (a tile) */
} cf_bconv_args;

#define CF_BCONV_PHASES 2u

CF_DEVICE void cf_bconv_body(cf_kidx at, cf_shmem sh, const cf_bconv_args *g, unsigned phase) {
  size_t tile = (size_t)1 << g->tile_log, first = (size_t)at.block_x << g->tile_log;
  size_t na = g->t.na;
  if (phase == 0) {
    for (size_t e = at.thread; e < tile * na; e += at.nthreads) {
      size_t i = e >> g->tile_log, c = e & (tile - 1);
      uint64_t x = CF_GLD(sh, &g->in[i * g->n + first + c]);
      CF_SH_ST(sh, e, cf_cu_mul_shoup(x, g->t.ahat_inv[i], g->t.ahat_inv_sh[i], g->t.a[i].q));
    }
    return;
  }
  for (size_t e = at.thread; e < tile * g->out_count; e += at.nthreads) {
    size_t j = g->out_begin + (e >> g->tile_log), c = e & (tile - 1);
    const cf_modulus *p = &g->t.b[j];
    const uint64_t *row = g->t.ahat_mod_b + j * na;
    uint64_t hi = 0, lo = 0;
    for (size_t i = 0; i < na; ++i) {
      uint64_t a = CF_SH_LD(sh, (i << g->tile_log) + c), b = row[i];
      uint64_t plo = a * b;
      lo += plo;
      hi += CF_MULHI64(a, b) + (lo < plo);
      if ((i & 7) == 7) {
        lo = cf_cu_reduce128(hi, lo, p);
        hi = 0;
      }
    }
    CF_GST(sh, &g->out[j * g->n + first + c], cf_cu_reduce128(hi, lo, p));
  }
}

#endif
