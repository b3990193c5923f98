#include "kernels/cpu/ntt.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ntt_simd.h"
#include "kernels/cpu/primes.h"

/* floor(w * 2^52 / q) for w < q < 2^50: the IFMA variant's Shoup companion. */
static uint64_t shoup52(uint64_t w, uint64_t q) { return (uint64_t)(((cf_u128)w << 52) / q); }

cf_status cf_ntt_table_init(cf_ntt_table *t, size_t n, uint64_t q) {
  memset(t, 0, sizeof *t);
  if (n < 2 || (n & (n - 1)) || n > ((size_t)1 << CF_NTT_MAX_LOGN))
    return CF_FAIL(CF_EINVAL, "NTT degree %zu is not a power of two in [2, 2^%d]", n,
                   CF_NTT_MAX_LOGN);
  cf_modulus m;
  CF_TRY(cf_modulus_init(&m, q));
  uint64_t psi;
  CF_TRY(cf_primitive_root_2n(q, n, &psi));
  int logn = __builtin_ctzll(n);
  const bool ifma = m.bits <= CF_IFMA_MAX_BITS && cf_cpu_avx512_available();
  uint64_t *buf = malloc((ifma ? 6 : 4) * n * sizeof *buf);
  if (!buf) return CF_FAIL(CF_ENOMEM, "NTT tables for N=%zu", n);
  t->n = n;
  t->logn = logn;
  t->mod = m;
  t->psi = psi;
  t->fwd = buf;
  t->fwd_sh = buf + n;
  t->inv = buf + 2 * n;
  t->inv_sh = buf + 3 * n;
  uint64_t psi_inv;
  if (!cf_inv_mod(psi, q, &psi_inv)) {
    cf_ntt_table_free(t);
    return CF_FAIL(CF_EINTERNAL, "root %llu not invertible mod %llu", (unsigned long long)psi,
                   (unsigned long long)q);
  }
  uint64_t p = 1, pi = 1;
  for (size_t k = 0; k < n; k++) {
    size_t r = cf_bitrev(k, logn);
    t->fwd[r] = p;
    t->inv[r] = pi;
    p = cf_mul_mod(p, psi, &m);
    pi = cf_mul_mod(pi, psi_inv, &m);
  }
  for (size_t k = 0; k < n; k++) {
    t->fwd_sh[k] = cf_shoup_prep(t->fwd[k], q);
    t->inv_sh[k] = cf_shoup_prep(t->inv[k], q);
  }
  if (!cf_inv_mod(n % q, q, &t->n_inv)) {
    cf_ntt_table_free(t);
    return CF_FAIL(CF_EINVAL, "N=%zu not invertible mod %llu", n, (unsigned long long)q);
  }
  t->n_inv_sh = cf_shoup_prep(t->n_inv, q);
  t->last_inv = cf_mul_mod(t->n_inv, t->inv[1], &m);
  t->last_inv_sh = cf_shoup_prep(t->last_inv, q);
  if (ifma) {
    t->fwd_sh52 = buf + 4 * n;
    t->inv_sh52 = buf + 5 * n;
    for (size_t k = 0; k < n; k++) {
      t->fwd_sh52[k] = shoup52(t->fwd[k], q);
      t->inv_sh52[k] = shoup52(t->inv[k], q);
    }
    t->n_inv_sh52 = shoup52(t->n_inv, q);
    t->last_inv_sh52 = shoup52(t->last_inv, q);
  }
  return CF_OK;
}

void cf_ntt_table_free(cf_ntt_table *t) {
  if (!t) return;
  free(t->fwd);
  memset(t, 0, sizeof *t);
}

/*
 * Harvey's butterfly keeps X in [0, 4q) between stages: X is brought to
 * [0, 2q) before use, W*Y is a lazy Shoup product in [0, 2q), so X + WY and
 * X - WY + 2q stay below 4q < 2^64.
 */
void cf_ntt_forward_portable(const cf_ntt_table *t, uint64_t *a) {
  const size_t n = t->n;
  const uint64_t q = t->mod.q, q2 = 2 * q;
  size_t half = n >> 1;
  for (size_t m = 1; m < n; m <<= 1, half >>= 1) {
    for (size_t i = 0; i < m; i++) {
      const uint64_t w = t->fwd[m + i], wp = t->fwd_sh[m + i];
      uint64_t *x = a + 2 * i * half, *y = x + half;
      for (size_t j = 0; j < half; j++) {
        uint64_t u = x[j];
        u -= (u >= q2) ? q2 : 0;
        uint64_t v = cf_mul_shoup_lazy(y[j], w, wp, q);
        x[j] = u + v;
        y[j] = u - v + q2;
      }
    }
  }
  for (size_t j = 0; j < n; j++) {
    uint64_t u = a[j];
    u -= (u >= q2) ? q2 : 0;
    a[j] = u - ((u >= q) ? q : 0);
  }
}

void cf_ntt_inverse_portable(const cf_ntt_table *t, uint64_t *a) {
  const size_t n = t->n;
  const uint64_t q = t->mod.q, q2 = 2 * q;
  size_t half = 1;
  /* Values stay in [0, 2q): sums are reduced once, differences go through Shoup. */
  for (size_t m = n >> 1; m > 1; m >>= 1, half <<= 1) {
    for (size_t i = 0; i < m; i++) {
      const uint64_t w = t->inv[m + i], wp = t->inv_sh[m + i];
      uint64_t *x = a + 2 * i * half, *y = x + half;
      for (size_t j = 0; j < half; j++) {
        uint64_t u = x[j], v = y[j];
        uint64_t s = u + v;
        s -= (s >= q2) ? q2 : 0;
        x[j] = s;
        y[j] = cf_mul_shoup_lazy(u - v + q2, w, wp, q);
      }
    }
  }
  /* Last stage with N^-1 folded in: x = (u + v)/N, y = (u - v) * psi_inv_1 / N. */
  const uint64_t ni = t->n_inv, nip = t->n_inv_sh, li = t->last_inv, lip = t->last_inv_sh;
  uint64_t *x = a, *y = a + half;
  for (size_t j = 0; j < half; j++) {
    uint64_t u = x[j], v = y[j];
    x[j] = cf_mul_shoup(u + v, ni, nip, q);
    y[j] = cf_mul_shoup(u - v + q2, li, lip, q);
  }
}

cf_cpu_path cf_ntt_path(const cf_ntt_table *t) {
  cf_cpu_path active = cf_cpu_path_active();
#ifdef CF_HAVE_AVX512_NTT
  if (active >= CF_CPU_AVX512 && t->n >= 16) return CF_CPU_AVX512;
#endif
#ifdef CF_HAVE_AVX2_NTT
  if (active >= CF_CPU_AVX2 && t->mod.bits <= CF_SIMD_MAX_BITS) return CF_CPU_AVX2;
#endif
  (void)active;
  (void)t;
  return CF_CPU_PORTABLE;
}

void cf_ntt_forward(const cf_ntt_table *t, uint64_t *a) {
  switch (cf_ntt_path(t)) {
#ifdef CF_HAVE_AVX512_NTT
  case CF_CPU_AVX512: cf_ntt_forward_avx512(t, a); return;
#endif
#ifdef CF_HAVE_AVX2_NTT
  case CF_CPU_AVX2: cf_ntt_forward_avx2(t, a); return;
#endif
  default: cf_ntt_forward_portable(t, a);
  }
}

void cf_ntt_inverse(const cf_ntt_table *t, uint64_t *a) {
  switch (cf_ntt_path(t)) {
#ifdef CF_HAVE_AVX512_NTT
  case CF_CPU_AVX512: cf_ntt_inverse_avx512(t, a); return;
#endif
#ifdef CF_HAVE_AVX2_NTT
  case CF_CPU_AVX2: cf_ntt_inverse_avx2(t, a); return;
#endif
  default: cf_ntt_inverse_portable(t, a);
  }
}

void cf_ntt_forward_limbs(const cf_ntt_table *tables, uint64_t *poly, size_t limb_begin,
                          size_t limb_end) {
  for (size_t i = limb_begin; i < limb_end; i++)
    cf_ntt_forward(&tables[i], poly + i * tables[i].n);
}

void cf_ntt_inverse_limbs(const cf_ntt_table *tables, uint64_t *poly, size_t limb_begin,
                          size_t limb_end) {
  for (size_t i = limb_begin; i < limb_end; i++)
    cf_ntt_inverse(&tables[i], poly + i * tables[i].n);
}
