/* Shared helpers of the CKKS tests: random inputs and precision in bits. */
#ifndef CF_TESTS_CKKS_HELPERS_H
#define CF_TESTS_CKKS_HELPERS_H

#include <math.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cipherflow/ckks.h"

/* Uniform in [-1, 1) from the CSPRNG: fresh inputs on every run. */
static inline double rnd_unit(void) { return (double)randombytes_random() / 2147483648.0 - 1.0; }

static inline void rnd_fill(double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    v[i] = rnd_unit();
}

/* The insecure toy context, its slot count and default scale; false on failure. */
static inline bool toy_context(cf_ckks_context **ctx, size_t *slots, double *scale) {
  cf_ckks_params *p = NULL;
  if (cf_ckks_params_preset("toy", true, &p) != CF_OK) return false;
  bool ok = cf_ckks_context_create(p, ctx) == CF_OK;
  *slots = cf_ckks_params_slots(p);
  *scale = cf_ckks_params_scale(p);
  cf_ckks_params_destroy(p);
  return ok;
}

/* -log2 of the largest absolute error between (re, im) and (er, ei). */
static inline double precision_bits(const double *re, const double *im, const double *er,
                                    const double *ei, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double d = hypot(re[i] - er[i], (im ? im[i] : 0) - (ei ? ei[i] : 0));
    if (d > worst || isnan(d)) worst = isnan(d) ? INFINITY : d;
  }
  return worst == 0 ? 100 : -log2(worst);
}

#endif
