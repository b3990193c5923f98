/*
 * Hybrid key switching as a composition of steps (steps.h), split in two
 * so that rotations can be hoisted:
 *
 *   decompose (ModUp, once per input polynomial d at level l):
 *     T = INTT(COPY(d));  for each digit j:
 *       ext_j = MODUP(T rows of digit j);  NTT(ext_j)
 *   apply (per key, optionally with an automorphism X -> X^g):
 *     for each digit j (acc0, acc1 over Q_l u P; digit 0 writes them with
 *     MUL, later digits accumulate with KS_INNER, so no zeroing is needed):
 *       src = d's digit rows (AUTOMORPH'd if g), e = ext_j (AUTOMORPH'd if g)
 *       KS_INNER(acc, src|e, key digit j) on the row groups:
 *         acc rows [f, f+c)        <- src rows,          key rows [f, f+c)
 *         acc rows [0, f)          <- e rows [0, f),      key rows [0, f)
 *         acc rows [f+c, l+1)      <- e rows [f, l+1-c),  key rows [f+c, l+1)
 *         acc rows [l+1, l+1+K)    <- e rows [l+1-c, ..), key rows [L+1, L+1+K)
 *     INTT(acc P rows);  MODDOWN(acc Q rows, acc P rows) for acc0 and acc1
 *   The result (acc0, acc1 rows 0..l) encrypts d * s' under s (s' is the
 *   key's source secret; for g, s' = s(X^g) and the input is d(X^g)).
 */
#ifndef CF_KERNELS_CKKS_KEYSWITCH_H
#define CF_KERNELS_CKKS_KEYSWITCH_H

#include <stdbool.h>

#include "kernels/ckks/exec.h"
#include "kernels/ckks/internal.h"

typedef struct cf_ckks_decomp {
  const cf_ckks_context *ctx;
  int level;
  int ndigits;
  const uint64_t *d;                 /* input, Q_l rows, evaluation form (borrowed) */
  uint64_t *ext[CF_CKKS_MAX_PRIMES]; /* ndigits buffers, layout ext(l, j), evaluation form */
} cf_ckks_decomp;

cf_status cf_ckks_ks_decompose(const cf_ckks_exec *x, int level, const uint64_t *d,
                               cf_ckks_decomp *out);
void cf_ckks_decomp_free(cf_ckks_decomp *dc);

/* The buffers of one key switch at one level, taken once and reusable across keys. */
typedef struct cf_ckks_ks_work {
  const cf_ckks_context *ctx;
  uint64_t *acc0, *acc1; /* (l+1+K) rows each; rows 0..l hold the result */
  uint64_t *src, *et;    /* automorphism images (rotations only) */
  uint64_t *w;           /* ModDown work rows */
} cf_ckks_ks_work;

cf_status cf_ckks_ks_work_take(const cf_ckks_context *ctx, int level, bool galois,
                               cf_ckks_ks_work *w);
void cf_ckks_ks_work_give(cf_ckks_ks_work *w);

/* Checks that key covers the level's digits (the only way cf_ckks_ks_apply fails). */
cf_status cf_ckks_ks_check(const cf_ckks_context *ctx, int level, const cf_ckks_kskey *key);

/* Key switch into w->acc0 / w->acc1; w taken for dc's level, with galois set when g is. */
cf_status cf_ckks_ks_apply(const cf_ckks_exec *x, const cf_ckks_decomp *dc,
                           const cf_automorph_table *g, const cf_ckks_kskey *key,
                           cf_ckks_ks_work *w);

#endif
