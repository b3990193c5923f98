/*
 * Automorphism X -> X^k (k odd) of polynomials in the NTT domain, per
 * thread. Slot i of the bit-reversed NTT output holds a(psi^(2 brv(i) + 1)),
 * and sigma_k(a)(psi^e) = a(psi^(e k)), so the automorphism is the
 * permutation out[i] = in[brv(((2 brv(i) + 1) k mod 2n - 1) / 2)] of
 * kernels/cpu/automorph.h: no arithmetic, no signs. Out of place: `out`
 * must not overlap `in`.
 */
#ifndef CF_KERNELS_CUDA_AUTOMORPH_BODY_CUH
#define CF_KERNELS_CUDA_AUTOMORPH_BODY_CUH

#include <stddef.h>
#include <stdint.h>

#include "kernels/cuda/portable.cuh"

typedef struct cf_automorph_args {
  uint64_t *out;      /* limb i at out + i * n (absolute limb index) */
  const uint64_t *in; /* same layout */
  size_t n, limb_begin;
  unsigned log_n;  /* 1 <= log_n <= 31 */
  uint64_t galois; /* k, odd, reduced to [1, 2n) */
} cf_automorph_args;

CF_DEVICE void cf_automorph_body(cf_kidx at, cf_shmem sh, const cf_automorph_args *g) {
  size_t off = (g->limb_begin + at.block_y) * g->n;
  uint64_t mask = 2 * (uint64_t)g->n - 1;
  size_t step = (size_t)at.nthreads * at.nblocks_x;
  for (size_t i = (size_t)at.block_x * at.nthreads + at.thread; i < g->n; i += step) {
    uint64_t e = (2 * (uint64_t)CF_BITREV((unsigned)i, g->log_n) + 1) * g->galois & mask;
    size_t src = CF_BITREV((unsigned)((e - 1) >> 1), g->log_n);
    CF_GST(sh, &g->out[off + i], CF_GLD(sh, &g->in[off + src]));
  }
}

#endif
