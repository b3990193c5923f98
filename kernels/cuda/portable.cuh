/*
 * The common ground of device and host: a kernel body written with these
 * macros compiles as __device__ code under nvcc and as plain C17 under gcc,
 * so the host emulation (emu.h) runs the very code the GPU runs.
 *
 * Words are 64-bit and moduli are kernels/cpu's cf_modulus (q < 2^61, which
 * leaves room for lazy values in [0, 4q)). The word width is a property of
 * these helpers and of the tables, not of the kernels' structure: a 32-bit
 * family would swap this file's arithmetic and the element type.
 */
#ifndef CF_KERNELS_CUDA_PORTABLE_CUH
#define CF_KERNELS_CUDA_PORTABLE_CUH

#include <stdint.h>

#include "kernels/cpu/modarith.h"
#include "kernels/cuda/kidx.h"

#ifdef __CUDACC__
#define CF_DEVICE        __device__ __forceinline__
#define CF_MULHI64(a, b) __umul64hi((a), (b))
/* Bit reversal of the low `bits` bits (bits >= 1). */
#define CF_BITREV(x, bits) (__brev((unsigned)(x)) >> (32 - (bits)))
#else
#define CF_DEVICE          static inline
#define CF_MULHI64(a, b)   ((uint64_t)(((unsigned __int128)(a) * (b)) >> 64))
static inline unsigned cf_host_bitrev(unsigned x, unsigned bits) {
  unsigned r = 0;
  for (unsigned i = 0; i < bits; ++i)
    r |= ((x >> i) & 1u) << (bits - 1 - i);
  return r;
}
#define CF_BITREV(x, bits) cf_host_bitrev((x), (bits))
#endif

#ifdef __CUDACC__
CF_DEVICE cf_kidx cf_kidx_here(void) {
  cf_kidx k;
  k.block_x = blockIdx.x;
  k.block_y = blockIdx.y;
  k.thread = threadIdx.x;
  k.nthreads = blockDim.x;
  k.nblocks_x = gridDim.x;
  return k;
}
/* Shared memory is an array of words on the device... */
typedef uint64_t *cf_shmem;
#define CF_SH_LD(sh, i)    ((sh)[(i)])
#define CF_SH_ST(sh, i, v) ((sh)[(i)] = (v))
/* Global words a kernel writes (and every read of such arrays) go through
 * these; read-only tables may be read directly. In the emulation `sh` also
 * carries the global-access checker, so bodies without shared memory take
 * it too (their kernels pass NULL on the device, where it is unused). */
#define CF_GLD(sh, p)    (*(p))
#define CF_GST(sh, p, v) (*(p) = (v))
#else
/* ...and a checked buffer in the emulation, which reports unsynchronised
 * accesses by different threads within one phase (see emu.h). */
#include "kernels/cuda/emu.h"
typedef cf_emu_shared *cf_shmem;
#define CF_SH_LD(sh, i)    cf_emu_sh_load((sh), (i))
#define CF_SH_ST(sh, i, v) cf_emu_sh_store((sh), (i), (v))
#define CF_GLD(sh, p)      cf_emu_gld((sh), (p))
#define CF_GST(sh, p, v)   cf_emu_gst((sh), (p), (v))
#endif

CF_DEVICE uint64_t cf_cu_add(uint64_t a, uint64_t b, uint64_t q) {
  uint64_t s = a + b;
  return s >= q ? s - q : s;
}

CF_DEVICE uint64_t cf_cu_sub(uint64_t a, uint64_t b, uint64_t q) {
  return a >= b ? a - b : a + q - b;
}

/* x = hi * 2^64 + lo, any 128-bit value, reduced fully mod q, with the
 * Barrett constant floor(2^128 / q) of kernels/cpu's cf_modulus. The
 * quotient floor(x * floor(2^128/q) / 2^128) is computed exactly; it falls
 * short of floor(x/q) by at most one, hence one correction. */
CF_DEVICE uint64_t cf_cu_reduce128(uint64_t hi, uint64_t lo, const cf_modulus *m) {
  uint64_t p1_lo = hi * m->ratio_lo, p1_hi = CF_MULHI64(hi, m->ratio_lo);
  uint64_t p2_lo = lo * m->ratio_hi, p2_hi = CF_MULHI64(lo, m->ratio_hi);
  uint64_t p0_hi = CF_MULHI64(lo, m->ratio_lo);
  uint64_t mid = p1_lo + p2_lo;
  uint64_t carry = mid < p1_lo;
  mid += p0_hi;
  carry += mid < p0_hi;
  uint64_t quot = hi * m->ratio_hi + p1_hi + p2_hi + carry; /* mod 2^64 suffices */
  uint64_t r = lo - quot * m->q;
  return r >= m->q ? r - m->q : r;
}

CF_DEVICE uint64_t cf_cu_mul(uint64_t a, uint64_t b, const cf_modulus *m) {
  return cf_cu_reduce128(CF_MULHI64(a, b), a * b, m);
}

/* a * b mod q for a, b < 2^bits (reduced values): kernels/cpu's short
 * Barrett reduction (cf_reduce_prod) with mu = floor(2^(2 bits) / q). Two
 * 64-bit products instead of five, which matters on a GPU where each one is
 * several 32-bit multiply-adds. */
CF_DEVICE uint64_t cf_cu_mul_red(uint64_t a, uint64_t b, const cf_modulus *m) {
  const int s1 = m->bits - 1, s2 = m->bits + 1; /* 1 <= s1, s2 <= 62 */
  uint64_t hi = CF_MULHI64(a, b), lo = a * b;
  uint64_t x1 = (hi << (64 - s1)) | (lo >> s1);
  uint64_t p_hi = CF_MULHI64(x1, m->mu), p_lo = x1 * m->mu;
  uint64_t quot = (p_hi << (64 - s2)) | (p_lo >> s2);
  uint64_t r = lo - quot * m->q; /* in [0, 3q) */
  r = r >= m->q ? r - m->q : r;
  return r >= m->q ? r - m->q : r;
}

/* a * w mod q in [0, 2q) for any 64-bit a, given w < q and
 * w_shoup = floor(w * 2^64 / q) (Shoup's trick, one mulhi and two muls). */
CF_DEVICE uint64_t cf_cu_mul_shoup_lazy(uint64_t a, uint64_t w, uint64_t w_shoup, uint64_t q) {
  return a * w - CF_MULHI64(a, w_shoup) * q;
}

CF_DEVICE uint64_t cf_cu_mul_shoup(uint64_t a, uint64_t w, uint64_t w_shoup, uint64_t q) {
  uint64_t r = cf_cu_mul_shoup_lazy(a, w, w_shoup, q);
  return r >= q ? r - q : r;
}

#endif
