/* Negacyclic NTT kernels (ntt_body.cuh) and their launch wrappers. */
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.cuh"

/* One pass: load, sub_log butterfly stages, store, with a barrier after each. */
__global__ void cf_ntt_pass_kernel(cf_ntt_pass_args g) {
  extern __shared__ uint64_t cf_ntt_shared[];
  cf_kidx at = cf_kidx_here();
  unsigned phases = CF_NTT_PASS_PHASES(&g);
  for (unsigned p = 0; p < phases; ++p) {
    cf_ntt_pass_body(at, cf_ntt_shared, &g, p);
    __syncthreads();
  }
}

static cf_status ntt(const char *fn, const cf_ntt_table *tables, size_t n, uint64_t *poly,
                     size_t limb_begin, size_t limb_end, int inverse, cf_cuda_stream stream) {
  cf_ntt_pass_args pass[2] = {};
  cf_cuda_launch launch[2] = {};
  unsigned count = 0;
  CF_TRY(cf_plan_ntt(fn, tables, n, poly, limb_begin, limb_end, inverse, pass, launch, &count));
  for (unsigned p = 0; p < count; ++p) {
    if (launch[p].grid_y == 0) continue;
    cf_ntt_pass_kernel<<<cf_cuda_grid(&launch[p]), launch[p].block,
                         launch[p].shared_words * sizeof(uint64_t), stream>>>(pass[p]);
    CF_TRY(cf_cuda_check(fn, "cf_ntt_pass_kernel"));
  }
  return CF_OK;
}

extern "C" cf_status cf_cuda_ntt_forward(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                                         size_t limb_begin, size_t limb_end,
                                         cf_cuda_stream stream) {
  return ntt(__func__, tables, n, poly, limb_begin, limb_end, 0, stream);
}

extern "C" cf_status cf_cuda_ntt_inverse(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                                         size_t limb_begin, size_t limb_end,
                                         cf_cuda_stream stream) {
  return ntt(__func__, tables, n, poly, limb_begin, limb_end, 1, stream);
}
