/* Fast basis conversion kernel (bconv_body.cuh) and its wrapper. */
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.cuh"

__global__ void cf_bconv_kernel(cf_bconv_args g) {
  extern __shared__ uint64_t cf_bconv_shared[];
  cf_kidx at = cf_kidx_here();
  cf_bconv_body(at, cf_bconv_shared, &g, 0);
  __syncthreads();
  cf_bconv_body(at, cf_bconv_shared, &g, 1);
}

extern "C" cf_status cf_cuda_baseconv(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in,
                                      size_t n, size_t limb_begin, size_t limb_end,
                                      cf_cuda_stream stream) {
  cf_bconv_args g = {};
  g.out = out;
  g.in = in;
  g.n = n;
  g.out_begin = limb_begin;
  cf_cuda_launch l = {};
  CF_TRY(cf_plan_bconv(__func__, t, &g, &l, limb_end));
  if (l.grid_y == 0) return CF_OK;
  cf_bconv_kernel<<<cf_cuda_grid(&l), l.block, l.shared_words * sizeof(uint64_t), stream>>>(g);
  return cf_cuda_check(__func__, "cf_bconv_kernel");
}
