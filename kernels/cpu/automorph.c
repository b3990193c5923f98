#include "kernels/cpu/automorph.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ntt.h"

#ifdef CF_HAVE_AVX512_AUTOMORPH
#include <immintrin.h>
#endif

cf_status cf_automorph_table_init(cf_automorph_table *t, size_t n, uint64_t k) {
  memset(t, 0, sizeof *t);
  if (n < 2 || (n & (n - 1)) || n > ((size_t)1 << CF_NTT_MAX_LOGN))
    return CF_FAIL(CF_EINVAL, "automorphism degree %zu is not a power of two in [2, 2^%d]", n,
                   CF_NTT_MAX_LOGN);
  if ((k & 1) == 0) return CF_FAIL(CF_EINVAL, "Galois element %llu is even", (unsigned long long)k);
  const uint64_t two_n = 2 * (uint64_t)n, mask = two_n - 1;
  k &= mask;
  int logn = __builtin_ctzll(n);
  uint32_t *buf = malloc(2 * n * sizeof *buf);
  if (!buf) return CF_FAIL(CF_ENOMEM, "automorphism tables for N=%zu", n);
  t->n = n;
  t->k = k;
  t->coeff = buf;
  t->perm = buf + n;
  for (size_t i = 0; i < n; i++) {
    uint64_t d = ((uint64_t)i * k) & mask;
    t->coeff[i] = d >= n ? (uint32_t)(d - n) | (1u << 31) : (uint32_t)d;
  }
  /* Slot j evaluates at psi^(2 brev(j) + 1); the output wants exponent e*k. */
  for (size_t j = 0; j < n; j++) {
    uint64_t e = 2 * (uint64_t)cf_bitrev(j, logn) + 1;
    uint64_t ek = (e * k) & mask;
    t->perm[j] = (uint32_t)cf_bitrev((size_t)((ek - 1) >> 1), logn);
  }
  return CF_OK;
}

void cf_automorph_table_free(cf_automorph_table *t) {
  if (!t) return;
  free(t->coeff);
  memset(t, 0, sizeof *t);
}

void cf_automorph_coeff(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  const size_t n = t->n;
  for (size_t l = limb_begin; l < limb_end; l++) {
    const uint64_t q = mods[l].q;
    const uint64_t *x = in + l * n;
    uint64_t *o = out + l * n;
    for (size_t i = 0; i < n; i++) {
      uint32_t d = t->coeff[i];
      uint64_t v = x[i];
      o[d & 0x7fffffffu] = (d >> 31) ? cf_neg_mod(v, q) : v;
    }
  }
}

void cf_automorph_ntt_portable(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                               size_t limb_begin, size_t limb_end) {
  const size_t n = t->n;
  for (size_t l = limb_begin; l < limb_end; l++) {
    const uint64_t *x = in + l * n;
    uint64_t *o = out + l * n;
    for (size_t j = 0; j < n; j++)
      o[j] = x[t->perm[j]];
  }
}

#ifdef CF_HAVE_AVX512_AUTOMORPH
/* Eight table entries drive one 64-bit gather; n >= 8 is a multiple of 8 (power of two). */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2"))) void
cf_automorph_ntt_avx512(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                        size_t limb_begin, size_t limb_end) {
  const size_t n = t->n;
  if (n < 8) {
    cf_automorph_ntt_portable(t, out, in, limb_begin, limb_end);
    return;
  }
  for (size_t l = limb_begin; l < limb_end; l++) {
    const long long *x = (const long long *)(in + l * n);
    uint64_t *o = out + l * n;
    for (size_t j = 0; j < n; j += 8) {
      __m256i idx = _mm256_loadu_si256((const __m256i *)(t->perm + j));
      _mm512_storeu_si512(o + j, _mm512_i32gather_epi64(idx, x, 8));
    }
  }
}
#endif

void cf_automorph_ntt(const cf_automorph_table *t, uint64_t *out, const uint64_t *in,
                      size_t limb_begin, size_t limb_end) {
#ifdef CF_HAVE_AVX512_AUTOMORPH
  if (cf_cpu_path_active() >= CF_CPU_AVX512) {
    cf_automorph_ntt_avx512(t, out, in, limb_begin, limb_end);
    return;
  }
#endif
  cf_automorph_ntt_portable(t, out, in, limb_begin, limb_end);
}
