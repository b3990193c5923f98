#include "kernels/cpu/poly.h"

#include <string.h>

void cf_poly_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                 size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q;
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n, *y = b + i * n;
    for (size_t j = 0; j < n; j++) o[j] = cf_add_mod(x[j], y[j], q);
  }
}

void cf_poly_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                 size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q;
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n, *y = b + i * n;
    for (size_t j = 0; j < n; j++) o[j] = cf_sub_mod(x[j], y[j], q);
  }
}

void cf_poly_neg(uint64_t *out, const uint64_t *a, size_t n, size_t limb_begin, size_t limb_end,
                 const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q;
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n;
    for (size_t j = 0; j < n; j++) o[j] = cf_neg_mod(x[j], q);
  }
}

void cf_poly_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                 size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const cf_modulus m = mods[i];
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n, *y = b + i * n;
    for (size_t j = 0; j < n; j++) o[j] = cf_mul_mod_red(x[j], y[j], &m);
  }
}

void cf_poly_mul_acc(uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                     size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const cf_modulus m = mods[i];
    uint64_t *o = acc + i * n;
    const uint64_t *x = a + i * n, *y = b + i * n;
    /* acc + x*y <= q^2 - q < 2^(2 bits): one short Barrett reduction. */
    for (size_t j = 0; j < n; j++) o[j] = cf_reduce_prod((cf_u128)x[j] * y[j] + o[j], &m);
  }
}

void cf_poly_mul_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t n,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q, w = scalars[i], wp = cf_shoup_prep(w, q);
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n;
    for (size_t j = 0; j < n; j++) o[j] = cf_mul_shoup(x[j], w, wp, q);
  }
}

void cf_poly_add_scalar(uint64_t *out, const uint64_t *a, const uint64_t *scalars, size_t n,
                        size_t limb_begin, size_t limb_end, const cf_modulus *mods) {
  for (size_t i = limb_begin; i < limb_end; i++) {
    const uint64_t q = mods[i].q, s = scalars[i];
    uint64_t *o = out + i * n;
    const uint64_t *x = a + i * n;
    for (size_t j = 0; j < n; j++) o[j] = cf_add_mod(x[j], s, q);
  }
}

void cf_poly_copy(uint64_t *out, const uint64_t *a, size_t n, size_t limb_begin,
                  size_t limb_end) {
  if (limb_end <= limb_begin || out == a) return;
  memmove(out + limb_begin * n, a + limb_begin * n, (limb_end - limb_begin) * n * sizeof *out);
}
