/* Elementwise RNS kernels and their launch wrappers (cuda_kernels.h). */
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.cuh"

__global__ void cf_ew_kernel(cf_ew_args g) { cf_ew_body(cf_kidx_here(), NULL, &g); }

static cf_status ew(const char *fn, cf_ew_op op, uint64_t *out, const uint64_t *a,
                    const uint64_t *b, const uint64_t *scalar, const uint64_t *scalar_sh, size_t n,
                    size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                    cf_cuda_stream stream) {
  cf_ew_args g = {op, out, a, b, mods, scalar, scalar_sh, n, limb_begin};
  cf_cuda_launch l = {};
  CF_TRY(cf_plan_ew(fn, &g, &l, limb_end));
  if (l.grid_y == 0) return CF_OK;
  cf_ew_kernel<<<cf_cuda_grid(&l), l.block, 0, stream>>>(g);
  return cf_cuda_check(fn, "cf_ew_kernel");
}

extern "C" cf_status cf_cuda_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                                 size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                                 cf_cuda_stream stream) {
  return ew(__func__, CF_EW_ADD, out, a, b, NULL, NULL, n, limb_begin, limb_end, mods, stream);
}

extern "C" cf_status cf_cuda_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                                 size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                                 cf_cuda_stream stream) {
  return ew(__func__, CF_EW_SUB, out, a, b, NULL, NULL, n, limb_begin, limb_end, mods, stream);
}

extern "C" cf_status cf_cuda_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                                 size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                                 cf_cuda_stream stream) {
  return ew(__func__, CF_EW_MUL, out, a, b, NULL, NULL, n, limb_begin, limb_end, mods, stream);
}

extern "C" cf_status cf_cuda_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                                     size_t limb_begin, size_t limb_end, const cf_modulus *mods,
                                     cf_cuda_stream stream) {
  return ew(__func__, CF_EW_MUL_ACC, acc, a, b, NULL, NULL, n, limb_begin, limb_end, mods, stream);
}

extern "C" cf_status cf_cuda_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars,
                                        const uint64_t *scalars_sh, size_t n, size_t limb_begin,
                                        size_t limb_end, const cf_modulus *mods,
                                        cf_cuda_stream stream) {
  return ew(__func__, CF_EW_MUL_SCALAR, out, a, NULL, scalars, scalars_sh, n, limb_begin, limb_end,
            mods, stream);
}
