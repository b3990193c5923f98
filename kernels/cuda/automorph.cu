/* NTT-domain automorphism kernel (automorph_body.cuh) and its wrapper. */
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.cuh"

__global__ void cf_automorph_kernel(cf_automorph_args g) {
  cf_automorph_body(cf_kidx_here(), NULL, &g);
}

extern "C" cf_status cf_cuda_automorph_ntt(uint64_t *out, const uint64_t *in, size_t n,
                                           uint64_t galois, size_t limb_begin, size_t limb_end,
                                           cf_cuda_stream stream) {
  cf_automorph_args g = {out, in, n, limb_begin, 0, galois};
  cf_cuda_launch l = {};
  CF_TRY(cf_plan_automorph(__func__, &g, &l, limb_end));
  if (l.grid_y == 0) return CF_OK;
  cf_automorph_kernel<<<cf_cuda_grid(&l), l.block, 0, stream>>>(g);
  return cf_cuda_check(__func__, "cf_automorph_kernel");
}
