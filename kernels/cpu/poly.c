#include "kernels/cpu/poly.h"

#include <string.h>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/poly_simd.h"

#ifdef CF_HAVE_AVX512_POLY
static bool use_avx512(void) { return cf_cpu_path_active() >= CF_CPU_AVX512; }
#endif

void cf_poly_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, size_t limb_begin,
                 size_t limb_end, const cf_modulus *mods) {
#ifdef CF_HAVE_AVX512_POLY
  if (use_avx512()) {
    for (size_t i = limb_begin; i < limb_end; i++)
      cf_limb_add_avx512(out + i * n, a + i * n, b + i * n, n, mods[i].q);
    return;
  }
#endif
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q;
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n, *y = b + i * n;
    for (size_t j = 0; j < n; j++)
      o[j] = cf_add_mod(x[j], y[j], q);
  }
}

void cf_poly_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, size_t limb_begin,
                 size_t limb_end, const cf_modulus *mods) {
#ifdef CF_HAVE_AVX512_POLY
  if (use_avx512()) {
    for (size_t i = limb_begin; i < limb_end; i++)
      cf_limb_sub_avx512(out + i * n, a + i * n, b + i * n, n, mods[i].q);
    return;
  }
#endif
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q;
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n, *y = b + i * n;
    for (size_t j = 0; j < n; j++)
      o[j] = cf_sub_mod(x[j], y[j], q);
  }
}

void cf_poly_neg(uint64_t *out, const uint64_t *a, size_t n, size_t limb_begin, size_t limb_end,
                 const cf_modulus *mods) {
#ifdef CF_HAVE_AVX512_POLY
  if (use_avx512()) {
    for (size_t i = limb_begin; i < limb_end; i++)
      cf_limb_neg_avx512(out + i * n, a + i * n, n, mods[i].q);
    return;
  }
#endif
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q;
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n;
    for (size_t j = 0; j < n; j++)
      o[j] = cf_neg_mod(x[j], q);
  }
}

void cf_limb_mul_portable(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                          const cf_modulus *mod) {
  const cf_modulus m = *mod;
  for (size_t j = 0; j < n; j++)
    out[j] = cf_mul_mod_red(a[j], b[j], &m);
}

void cf_limb_mul_acc_portable(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                              const cf_modulus *mod) {
  const cf_modulus m = *mod;
  /* acc + a*b <= q^2 - q < 2^(2 bits): one short Barrett reduction. */
  for (size_t j = 0; j < n; j++)
    acc[j] = cf_reduce_prod((cf_u128)a[j] * b[j] + acc[j], &m);
}

#ifdef CF_HAVE_AVX2_POLY
static bool use_avx2(const cf_modulus *m) {
  return m->bits <= CF_SIMD_MAX_BITS && cf_cpu_path_active() >= CF_CPU_AVX2;
}
#endif

void cf_poly_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n, size_t limb_begin,
                 size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
#ifdef CF_HAVE_AVX512_POLY
    if (use_avx512()) {
      cf_limb_mul_avx512(out + i * n, a + i * n, b + i * n, n, &mods[i]);
      continue;
    }
#endif
#ifdef CF_HAVE_AVX2_POLY
    if (use_avx2(&mods[i])) {
      cf_limb_mul_avx2(out + i * n, a + i * n, b + i * n, n, &mods[i]);
      continue;
    }
#endif
    cf_limb_mul_portable(out + i * n, a + i * n, b + i * n, n, &mods[i]);
  }
}

void cf_poly_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
#ifdef CF_HAVE_AVX512_POLY
    if (use_avx512()) {
      cf_limb_mul_acc_avx512(acc + i * n, a + i * n, b + i * n, n, &mods[i]);
      continue;
    }
#endif
#ifdef CF_HAVE_AVX2_POLY
    if (use_avx2(&mods[i])) {
      cf_limb_mul_acc_avx2(acc + i * n, a + i * n, b + i * n, n, &mods[i]);
      continue;
    }
#endif
    cf_limb_mul_acc_portable(acc + i * n, a + i * n, b + i * n, n, &mods[i]);
  }
}

void cf_limb_sub_mul_const_portable(uint64_t *out, const uint64_t *a, const uint64_t *b, uint64_t s,
                                    uint64_t sp, size_t n, const cf_modulus *m) {
  const uint64_t q = m->q;
  if (b)
    for (size_t j = 0; j < n; j++)
      out[j] = cf_mul_shoup(cf_sub_mod(a[j], b[j], q), s, sp, q);
  else
    for (size_t j = 0; j < n; j++)
      out[j] = cf_mul_shoup(a[j], s, sp, q);
}

void cf_limb_sub_mul_const(uint64_t *out, const uint64_t *a, const uint64_t *b, uint64_t s,
                           uint64_t sp, size_t n, const cf_modulus *m) {
#ifdef CF_HAVE_AVX512_POLY
  if (use_avx512()) {
    cf_limb_sub_mul_const_avx512(out, a, b, s, sp, n, m);
    return;
  }
#endif
#ifdef CF_HAVE_AVX2_POLY
  if (use_avx2(m)) {
    cf_limb_sub_mul_const_avx2(out, a, b, s, sp, n, m);
    return;
  }
#endif
  cf_limb_sub_mul_const_portable(out, a, b, s, sp, n, m);
}

void cf_poly_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t n,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++)
    cf_limb_sub_mul_const(out + i * n, a + i * n, NULL, scalars[i],
                          cf_shoup_prep(scalars[i], mods[i].q), n, &mods[i]);
}

void cf_poly_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t n,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
#ifdef CF_HAVE_AVX512_POLY
  if (use_avx512()) {
    for (size_t i = limb_begin; i < limb_end; i++)
      cf_limb_add_scalar_avx512(out + i * n, a + i * n, scalars[i], n, mods[i].q);
    return;
  }
#endif
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q, s = scalars[i];
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n;
    for (size_t j = 0; j < n; j++)
      o[j] = cf_add_mod(x[j], s, q);
  }
}

void cf_poly_copy(uint64_t *out, const uint64_t *a, size_t n, size_t limb_begin, size_t limb_end) {
  if (limb_end <= limb_begin || out == a) return;
  memmove(out + limb_begin * n, a + limb_begin * n, (limb_end - limb_begin) * n * sizeof *out);
}
