/*
 * Running the steps of steps.h over a row range in chunks of at most
 * `grain` rows. The evaluator uses grain = SIZE_MAX (one call per step);
 * tests use small grains to check that any split gives the same bits,
 * which is what the task-graph executors rely on.
 */
#ifndef CF_KERNELS_CKKS_EXEC_H
#define CF_KERNELS_CKKS_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"

typedef struct cf_ckks_exec {
  const cf_ckks_context *ctx;
  size_t grain;
} cf_ckks_exec;

void cf_ckks_x_ntt(const cf_ckks_exec *x, uint64_t *r, const uint16_t *pr, size_t count);
void cf_ckks_x_intt(const cf_ckks_exec *x, uint64_t *r, const uint16_t *pr, size_t count);
void cf_ckks_x_add(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                   const uint16_t *pr, size_t count);
void cf_ckks_x_sub(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                   const uint16_t *pr, size_t count);
void cf_ckks_x_neg(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint16_t *pr,
                   size_t count);
void cf_ckks_x_mul(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                   const uint16_t *pr, size_t count);
void cf_ckks_x_mul_acc(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                       const uint16_t *pr, size_t count);
void cf_ckks_x_copy(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, size_t count);
void cf_ckks_x_mul_const(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *c,
                         const uint16_t *pr, size_t count);
void cf_ckks_x_automorph(const cf_ckks_exec *x, const cf_automorph_table *t, uint64_t *o,
                         const uint64_t *a, size_t count);
void cf_ckks_x_ks_inner(const cf_ckks_exec *x, uint64_t *acc0, uint64_t *acc1, const uint64_t *d,
                        const uint64_t *k0, const uint64_t *k1, const uint16_t *pr, size_t count);
void cf_ckks_x_modup(const cf_ckks_exec *x, int level, int digit, uint64_t *ext, const uint64_t *in,
                     size_t nrows);
void cf_ckks_x_moddown(const cf_ckks_exec *x, int level, uint64_t *q, const uint64_t *p,
                       uint64_t *w);
void cf_ckks_x_rescale(const cf_ckks_exec *x, int level, uint64_t *out, const uint64_t *in,
                       const uint64_t *top, uint64_t *w);

#endif
