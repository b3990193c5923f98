/* Shared helpers of the CKKS tests: random inputs and precision in bits. */
#ifndef CF_TESTS_CKKS_HELPERS_H
#define CF_TESTS_CKKS_HELPERS_H

#include <math.h>
#include <sodium.h>
#include <stdlib.h>

#include "cipherflow/ckks.h"

/* Uniform in [-1, 1) from the CSPRNG: fresh inputs on every run. */
static inline double rnd_unit(void) { return (double)randombytes_random() / 2147483648.0 - 1.0; }

static inline void rnd_fill(double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    v[i] = rnd_unit();
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
