#include "kernels/ckks/scratch.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/error.h"

enum { IDLE_MAX = 32, HEADER = 64 };

/* Every buffer starts with a header that remembers its capacity. */
typedef struct block {
  size_t words;
} block;

struct cf_ckks_scratch {
  atomic_flag lock;
  size_t cap_bytes, idle_bytes;
  int nidle;
  block *idle[IDLE_MAX];
};

static uint64_t *payload(block *b) { return (uint64_t *)((char *)b + HEADER); }
static block *header(uint64_t *p) { return (block *)((char *)p - HEADER); }
static size_t block_bytes(size_t words) { return HEADER + words * sizeof(uint64_t); }

static void lock(cf_ckks_scratch *s) {
  while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire)) {
  }
}
static void unlock(cf_ckks_scratch *s) {
  atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

cf_status cf_ckks_scratch_create(size_t cap_bytes, cf_ckks_scratch **out) {
  cf_ckks_scratch *s = calloc(1, sizeof *s);
  if (!s) return CF_FAIL(CF_ENOMEM, "allocating the scratch pool");
  atomic_flag_clear(&s->lock);
  s->cap_bytes = cap_bytes;
  *out = s;
  return CF_OK;
}

void cf_ckks_scratch_destroy(cf_ckks_scratch *s) {
  if (!s) return;
  for (int i = 0; i < s->nidle; i++)
    free(s->idle[i]);
  free(s);
}

/*
 * The smallest idle block with at least `min` words (fits = true) or with
 * fewer than `min` words (fits = false), removed from the pool; NULL if none.
 */
static block *take_smallest(cf_ckks_scratch *s, size_t min, bool fits) {
  int best = -1;
  for (int i = 0; i < s->nidle; i++)
    if ((s->idle[i]->words >= min) == fits &&
        (best < 0 || s->idle[i]->words < s->idle[best]->words))
      best = i;
  if (best < 0) return NULL;
  block *b = s->idle[best];
  s->idle[best] = s->idle[--s->nidle];
  s->idle_bytes -= block_bytes(b->words);
  return b;
}

uint64_t *cf_ckks_scratch_take(cf_ckks_scratch *s, size_t words) {
  lock(s);
  block *b = take_smallest(s, words, true);
  unlock(s);
  if (!b) {
    size_t bytes = block_bytes(words);
    b = aligned_alloc(HEADER, (bytes + HEADER - 1) / HEADER * HEADER);
    if (!b) return NULL;
    b->words = words;
  }
  return payload(b);
}

void cf_ckks_scratch_give(cf_ckks_scratch *s, uint64_t *p) {
  if (!p) return;
  block *b = header(p), *evicted[IDLE_MAX];
  size_t bytes = block_bytes(b->words);
  int nev = 0;
  lock(s);
  /* Smaller idle blocks make room for a newcomer: large buffers are the costly ones. */
  while (bytes <= s->cap_bytes && (s->nidle == IDLE_MAX || s->idle_bytes + bytes > s->cap_bytes)) {
    block *e = take_smallest(s, b->words, false);
    if (!e) break;
    evicted[nev++] = e;
  }
  bool keep = s->nidle < IDLE_MAX && s->idle_bytes + bytes <= s->cap_bytes;
  if (keep) {
    s->idle[s->nidle++] = b;
    s->idle_bytes += bytes;
  }
  unlock(s);
  for (int i = 0; i < nev; i++)
    free(evicted[i]);
  if (!keep) free(b);
}
