/* What every launch wrapper does after queueing a kernel: turn the CUDA
 * error state into a cf_status with a message. nvcc only. */
#ifndef CF_KERNELS_CUDA_LAUNCH_CUH
#define CF_KERNELS_CUDA_LAUNCH_CUH

#include <cuda_runtime.h>

#include "kernels/cuda/plan.h"

static inline cf_status cf_cuda_check(const char *fn, const char *kernel) {
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) return CF_OK;
  cf_status st = (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver ||
                  e == cudaErrorNoKernelImageForDevice)
                     ? CF_ENODEV
                     : CF_ERUNTIME;
  return CF_FAIL(st, "%s: launching %s failed: %s (%s)", fn, kernel, cudaGetErrorName(e),
                 cudaGetErrorString(e));
}

static inline dim3 cf_cuda_grid(const cf_cuda_launch *l) { return dim3(l->grid_x, l->grid_y, 1); }

#endif
