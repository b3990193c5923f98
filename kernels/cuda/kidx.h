/* Where a thread is: the subset of blockIdx/threadIdx/blockDim/gridDim the
 * CUDA kernels use (1-D blocks, 2-D grids). Plain C, shared by the device
 * bodies and the host emulation. */
#ifndef CF_KERNELS_CUDA_KIDX_H
#define CF_KERNELS_CUDA_KIDX_H

typedef struct cf_kidx {
  unsigned block_x, block_y; /* blockIdx.x, blockIdx.y */
  unsigned thread;           /* threadIdx.x */
  unsigned nthreads;         /* blockDim.x */
  unsigned nblocks_x;        /* gridDim.x */
} cf_kidx;

#endif
