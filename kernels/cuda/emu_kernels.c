/* The CUDA kernels' bodies run through the host emulation (emu_kernels.h). */
#include "kernels/cuda/emu_kernels.h"

#include "base/error.h"
#include "kernels/cuda/emu.h"
#include "kernels/cuda/plan.h"

static void ew_body(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase) {
  (void)phase;
  cf_ew_body(at, sh, args);
}

static void ntt_body(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase) {
  cf_ntt_pass_body(at, sh, args, phase);
}

static void automorph_body(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase) {
  (void)phase;
  cf_automorph_body(at, sh, args);
}

static void bconv_body(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase) {
  cf_bconv_body(at, sh, args, phase);
}

static cf_status run(const char *name, const cf_cuda_launch *l, cf_emu_body body,
                     const void *args) {
  if (l->grid_y == 0) return CF_OK;
  cf_emu_launch e = {name, l->grid_x, l->grid_y, l->block, l->shared_words, l->phases, body, args};
  return cf_emu_run(&e);
}

static cf_status ew(const char *fn, cf_ew_op op, uint64_t *out, const uint64_t *a,
                    const uint64_t *b, const uint64_t *scalar, const uint64_t *scalar_sh, size_t n,
                    size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  cf_ew_args g = {op, out, a, b, mods, scalar, scalar_sh, n, limb_begin};
  cf_cuda_launch l = {0};
  CF_TRY(cf_plan_ew(fn, &g, &l, limb_end));
  return run(fn, &l, ew_body, &g);
}

cf_status cf_emu_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  return ew(__func__, CF_EW_ADD, out, a, b, NULL, NULL, n, limb_begin, limb_end, mods);
}

cf_status cf_emu_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  return ew(__func__, CF_EW_SUB, out, a, b, NULL, NULL, n, limb_begin, limb_end, mods);
}

cf_status cf_emu_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  return ew(__func__, CF_EW_MUL, out, a, b, NULL, NULL, n, limb_begin, limb_end, mods);
}

cf_status cf_emu_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                         size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  return ew(__func__, CF_EW_MUL_ACC, acc, a, b, NULL, NULL, n, limb_begin, limb_end, mods);
}

cf_status cf_emu_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars,
                            const uint64_t *scalars_sh, size_t n, size_t limb_begin,
                            size_t limb_end, const cf_modulus *mods) {
  return ew(__func__, CF_EW_MUL_SCALAR, out, a, NULL, scalars, scalars_sh, n, limb_begin, limb_end,
            mods);
}

static cf_status ntt(const char *fn, const cf_ntt_table *tables, size_t n, uint64_t *poly,
                     size_t limb_begin, size_t limb_end, int inverse) {
  cf_ntt_pass_args pass[2] = {{0}};
  cf_cuda_launch launch[2] = {{0}};
  unsigned count = 0;
  CF_TRY(cf_plan_ntt(fn, tables, n, poly, limb_begin, limb_end, inverse, pass, launch, &count));
  for (size_t i = limb_begin; i < limb_end; ++i)
    if (tables[i].n != n)
      return CF_FAIL(CF_EINVAL, "%s: table of limb %zu has n = %zu, expected %zu", fn, i,
                     tables[i].n, n);
  for (unsigned p = 0; p < count; ++p)
    CF_TRY(run(fn, &launch[p], ntt_body, &pass[p]));
  return CF_OK;
}

cf_status cf_emu_ntt_forward(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                             size_t limb_begin, size_t limb_end) {
  return ntt(__func__, tables, n, poly, limb_begin, limb_end, 0);
}

cf_status cf_emu_ntt_inverse(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                             size_t limb_begin, size_t limb_end) {
  return ntt(__func__, tables, n, poly, limb_begin, limb_end, 1);
}

cf_status cf_emu_automorph_ntt(uint64_t *out, const uint64_t *in, size_t n, uint64_t galois,
                               size_t limb_begin, size_t limb_end) {
  cf_automorph_args g = {out, in, n, limb_begin, 0, galois};
  cf_cuda_launch l = {0};
  CF_TRY(cf_plan_automorph(__func__, &g, &l, limb_end));
  return run(__func__, &l, automorph_body, &g);
}

cf_status cf_emu_baseconv(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                          size_t limb_begin, size_t limb_end) {
  cf_bconv_args g = {0};
  g.out = out;
  g.in = in;
  g.n = n;
  g.out_begin = limb_begin;
  cf_cuda_launch l = {0};
  CF_TRY(cf_plan_bconv(__func__, t, &g, &l, limb_end));
  return run(__func__, &l, bconv_body, &g);
}
