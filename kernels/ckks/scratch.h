/*
 * A bounded pool of the evaluator's large temporaries (key-switching
 * buffers, tensor products, rescale work rows), kept between calls.
 *
 * Why: at N = 2^16 one multiply-relinearize needs about 175 MB of
 * temporaries. Fresh allocations that size come from mmap, and the kernel
 * clears and faults in every page on first touch: a fifth of the operation's
 * time before this pool. Buffers handed back are kept (up to a byte cap and
 * a count) and the next request of at most their size reuses them.
 *
 * Safe to use from several threads on one context (a spin lock guards the
 * pool; it is held for a few dozen instructions per call).
 */
#ifndef CF_KERNELS_CKKS_SCRATCH_H
#define CF_KERNELS_CKKS_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"

typedef struct cf_ckks_scratch cf_ckks_scratch;

/* A pool that holds at most cap_bytes of idle buffers. */
cf_status cf_ckks_scratch_create(size_t cap_bytes, cf_ckks_scratch **out);

/* Frees the pool and every idle buffer (NULL is fine). */
void cf_ckks_scratch_destroy(cf_ckks_scratch *s);

/* A buffer of at least `words` 64-bit words, 64-byte aligned; NULL when out of memory. */
uint64_t *cf_ckks_scratch_take(cf_ckks_scratch *s, size_t words);

/* Hands p (from cf_ckks_scratch_take of the same pool, or NULL) back. */
void cf_ckks_scratch_give(cf_ckks_scratch *s, uint64_t *p);

#endif
