/* Device mirrors of kernels/cpu's NTT and basis conversion tables. */
#include <stdlib.h>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.cuh"

static cf_status cuda_fail(const char *fn, const char *what, cudaError_t e) {
  cf_status st = (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver) ? CF_ENODEV
                 : e == cudaErrorMemoryAllocation                             ? CF_ENOMEM
                                                                              : CF_ERUNTIME;
  return CF_FAIL(st, "%s: %s failed: %s (%s)", fn, what, cudaGetErrorName(e),
                 cudaGetErrorString(e));
}

extern "C" cf_status cf_cuda_ntt_tables_upload(const cf_ntt_table *host, size_t count,
                                               cf_ntt_table **dev) {
  const char *fn = __func__;
  if (!host || !dev || count == 0) return CF_FAIL(CF_EINVAL, "%s: no tables to upload", fn);
  *dev = NULL;
  size_t n = host[0].n;
  for (size_t i = 0; i < count; ++i)
    if (host[i].n != n || !host[i].fwd || !host[i].fwd_sh || !host[i].inv || !host[i].inv_sh)
      return CF_FAIL(CF_EINVAL, "%s: table %zu is empty or has n = %zu, not %zu", fn, i, host[i].n,
                     n);
  /* One allocation: the structs, then per limb fwd, fwd_sh, inv, inv_sh. */
  size_t head = count * sizeof(cf_ntt_table), arrays = count * 4 * n * sizeof(uint64_t);
  char *base = NULL;
  cudaError_t e = cudaMalloc((void **)&base, head + arrays);
  if (e != cudaSuccess) return cuda_fail(fn, "cudaMalloc", e);
  cf_status st = CF_OK;
  cf_ntt_table *mirror = (cf_ntt_table *)malloc(head);
  if (!mirror) st = CF_FAIL(CF_ENOMEM, "%s: no host memory for %zu tables", fn, count);
  for (size_t i = 0; st == CF_OK && i < count; ++i) {
    uint64_t *arr = (uint64_t *)(base + head) + i * 4 * n;
    const uint64_t *src[4] = {host[i].fwd, host[i].fwd_sh, host[i].inv, host[i].inv_sh};
    for (int k = 0; k < 4 && st == CF_OK; ++k) {
      e = cudaMemcpy(arr + k * n, src[k], n * sizeof(uint64_t), cudaMemcpyHostToDevice);
      if (e != cudaSuccess) st = cuda_fail(fn, "cudaMemcpy", e);
    }
    mirror[i] = host[i];
    mirror[i].fwd = arr;
    mirror[i].fwd_sh = arr + n;
    mirror[i].inv = arr + 2 * n;
    mirror[i].inv_sh = arr + 3 * n;
  }
  if (st == CF_OK) {
    e = cudaMemcpy(base, mirror, head, cudaMemcpyHostToDevice);
    if (e != cudaSuccess) st = cuda_fail(fn, "cudaMemcpy", e);
  }
  free(mirror);
  if (st != CF_OK) {
    cudaFree(base);
    return st;
  }
  *dev = (cf_ntt_table *)base;
  return CF_OK;
}

extern "C" void cf_cuda_ntt_tables_free(cf_ntt_table *dev) {
  if (dev) cudaFree(dev);
}

extern "C" cf_status cf_cuda_baseconv_upload(const cf_baseconv_table *host,
                                             cf_baseconv_table *mirror) {
  const char *fn = __func__;
  if (!host || !mirror || !host->a || !host->b || host->na == 0 || host->nb == 0)
    return CF_FAIL(CF_EINVAL, "%s: empty basis conversion table", fn);
  size_t na = host->na, nb = host->nb;
  size_t mods = (na + nb) * sizeof(cf_modulus), words = (2 * na + nb * na) * sizeof(uint64_t);
  char *base = NULL;
  cudaError_t e = cudaMalloc((void **)&base, mods + words);
  if (e != cudaSuccess) return cuda_fail(fn, "cudaMalloc", e);
  cf_baseconv_table m = *host;
  m.a = (cf_modulus *)base;
  m.b = m.a + na;
  m.ahat_inv = (uint64_t *)(base + mods);
  m.ahat_inv_sh = m.ahat_inv + na;
  m.ahat_mod_b = m.ahat_inv_sh + na;
  const void *src[5] = {host->a, host->b, host->ahat_inv, host->ahat_inv_sh, host->ahat_mod_b};
  void *dst[5] = {m.a, m.b, m.ahat_inv, m.ahat_inv_sh, m.ahat_mod_b};
  size_t len[5] = {na * sizeof(cf_modulus), nb * sizeof(cf_modulus), na * sizeof(uint64_t),
                   na * sizeof(uint64_t), nb * na * sizeof(uint64_t)};
  for (int k = 0; k < 5; ++k) {
    e = cudaMemcpy(dst[k], src[k], len[k], cudaMemcpyHostToDevice);
    if (e != cudaSuccess) {
      cudaFree(base);
      return cuda_fail(fn, "cudaMemcpy", e);
    }
  }
  *mirror = m;
  return CF_OK;
}

extern "C" void cf_cuda_baseconv_free(cf_baseconv_table *mirror) {
  if (mirror && mirror->a) cudaFree(mirror->a);
  if (mirror) mirror->a = NULL;
}
