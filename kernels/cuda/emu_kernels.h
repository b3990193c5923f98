/*
 * The CUDA kernels run on the host by the emulation (emu.h): the same
 * per-thread bodies, argument checks and launch shapes as cuda_kernels.h,
 * with host pointers (host tables straight from kernels/cpu) and no stream.
 * They are how the CUDA kernels are verified on machines without a GPU and
 * make no attempt at speed. Besides the argument errors of cuda_kernels.h
 * they return CF_EVERIFY when a body breaks an emulation rule.
 */
#ifndef CF_KERNELS_CUDA_EMU_KERNELS_H
#define CF_KERNELS_CUDA_EMU_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cpu/modarith.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/rns.h"

cf_status cf_emu_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods);
cf_status cf_emu_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods);
cf_status cf_emu_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods);
cf_status cf_emu_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                         size_t limb_begin, size_t limb_end, const cf_modulus *mods);
cf_status cf_emu_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars,
                            const uint64_t *scalars_sh, size_t n, size_t limb_begin,
                            size_t limb_end, const cf_modulus *mods);
cf_status cf_emu_ntt_forward(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                             size_t limb_begin, size_t limb_end);
cf_status cf_emu_ntt_inverse(const cf_ntt_table *tables, size_t n, uint64_t *poly,
                             size_t limb_begin, size_t limb_end);
cf_status cf_emu_automorph_ntt(uint64_t *out, const uint64_t *in, size_t n, uint64_t galois,
                               size_t limb_begin, size_t limb_end);
cf_status cf_emu_baseconv(const cf_baseconv_table *t, uint64_t *out, const uint64_t *in, size_t n,
                          size_t limb_begin, size_t limb_end);

#endif
