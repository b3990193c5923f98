/* Host emulation of CUDA kernels (see emu.h). */
#include "kernels/cuda/emu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define NOBODY UINT32_MAX
#define MANY   (UINT32_MAX - 1)

/* Per word: the last writer and its phase, and this phase's reader (or MANY). */
typedef struct word_state {
  uint32_t writer, write_phase;
  uint32_t reader, read_phase;
} word_state;

/* A global word touched in this launch: its last writer and its reader
 * (thread MANY once two threads read it), as (block, thread, phase). */
typedef struct global_word {
  const uint64_t *addr; /* NULL: free slot */
  uint32_t wblock, wthread, wphase;
  uint32_t rblock, rthread, rphase;
} global_word;

struct cf_emu_shared {
  uint64_t *data;
  word_state *state;
  size_t words;
  uint32_t block, thread, phase; /* block is linear: y * grid_x + x */
  global_word *global;           /* open addressing, capacity a power of two */
  size_t global_cap, global_used;
  int out_of_memory;
  char violation[256]; /* first broken rule in this launch, empty if none */
};

static void violate(cf_emu_shared *sh, size_t i, const char *what) {
  if (sh->violation[0]) return;
  snprintf(sh->violation, sizeof sh->violation,
           "%s word %zu (thread %" PRIu32 ", phase %" PRIu32 ")", what, i, sh->thread, sh->phase);
}

uint64_t cf_emu_sh_load(cf_emu_shared *sh, size_t i) {
  if (i >= sh->words) {
    violate(sh, i, "shared load past the end at");
    return 0;
  }
  word_state *w = &sh->state[i];
  if (w->writer == NOBODY)
    violate(sh, i, "shared load of uninitialised");
  else if (w->write_phase == sh->phase && w->writer != sh->thread)
    violate(sh, i, "missing barrier: shared load of another thread's same-phase write to");
  if (w->read_phase != sh->phase || w->reader == NOBODY) {
    w->reader = sh->thread;
    w->read_phase = sh->phase;
  } else if (w->reader != sh->thread) {
    w->reader = MANY;
  }
  return sh->data[i];
}

void cf_emu_sh_store(cf_emu_shared *sh, size_t i, uint64_t v) {
  if (i >= sh->words) {
    violate(sh, i, "shared store past the end at");
    return;
  }
  word_state *w = &sh->state[i];
  if (w->writer != NOBODY && w->write_phase == sh->phase && w->writer != sh->thread)
    violate(sh, i, "missing barrier: two threads store in one phase to");
  else if (w->reader != NOBODY && w->read_phase == sh->phase && w->reader != sh->thread)
    violate(sh, i, "missing barrier: shared store after another thread's same-phase load of");
  w->writer = sh->thread;
  w->write_phase = sh->phase;
  sh->data[i] = v;
}

static void violate_global(cf_emu_shared *sh, const uint64_t *p, const char *what, uint32_t block,
                           uint32_t thread) {
  if (sh->violation[0]) return;
  snprintf(sh->violation, sizeof sh->violation,
           "%s at %p (thread %" PRIu32 ", phase %" PRIu32 "; other: block %" PRIu32
           ", thread %" PRIu32 ")",
           what, (const void *)p, sh->thread, sh->phase, block, thread);
}

static size_t global_slot(const global_word *tab, size_t cap, const uint64_t *p) {
  size_t h = (size_t)(((uint64_t)(uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ull) & (cap - 1);
  while (tab[h].addr && tab[h].addr != p)
    h = (h + 1) & (cap - 1);
  return h;
}

/* The record of global word p, created if new; NULL when out of memory. */
static global_word *global_find(cf_emu_shared *sh, const uint64_t *p) {
  if (2 * (sh->global_used + 1) > sh->global_cap) {
    size_t cap = sh->global_cap ? 2 * sh->global_cap : 4096;
    global_word *tab = calloc(cap, sizeof *tab);
    if (!tab) {
      sh->out_of_memory = 1;
      return NULL;
    }
    for (size_t i = 0; i < sh->global_cap; ++i)
      if (sh->global[i].addr) tab[global_slot(tab, cap, sh->global[i].addr)] = sh->global[i];
    free(sh->global);
    sh->global = tab;
    sh->global_cap = cap;
  }
  size_t h = global_slot(sh->global, sh->global_cap, p);
  global_word *w = &sh->global[h];
  if (!w->addr) {
    *w = (global_word){p, NOBODY, NOBODY, 0, NOBODY, NOBODY, 0};
    sh->global_used++;
  }
  return w;
}

/* Another thread's access races with this one unless it was in the same
 * block before a barrier (__syncthreads also orders global memory). */
static int global_conflict(const cf_emu_shared *sh, uint32_t block, uint32_t thread,
                           uint32_t phase) {
  if (thread == NOBODY || (block == sh->block && thread == sh->thread)) return 0;
  return block != sh->block || phase == sh->phase;
}

uint64_t cf_emu_gld(cf_emu_shared *sh, const uint64_t *p) {
  global_word *w = global_find(sh, p);
  if (!w) return *p;
  if (global_conflict(sh, w->wblock, w->wthread, w->wphase))
    violate_global(sh, p, "global load of a word another thread stores in this launch", w->wblock,
                   w->wthread);
  if (w->rthread == NOBODY) {
    w->rblock = sh->block, w->rthread = sh->thread, w->rphase = sh->phase;
  } else if (w->rthread != MANY && (w->rblock != sh->block || w->rthread != sh->thread)) {
    w->rthread = MANY;
  }
  return *p;
}

void cf_emu_gst(cf_emu_shared *sh, uint64_t *p, uint64_t v) {
  global_word *w = global_find(sh, p);
  if (w) {
    if (global_conflict(sh, w->wblock, w->wthread, w->wphase))
      violate_global(sh, p, "two threads store to one global word in this launch", w->wblock,
                     w->wthread);
    else if (w->rthread == MANY)
      violate_global(sh, p, "global store to a word several threads load in this launch", w->rblock,
                     w->rthread);
    else if (global_conflict(sh, w->rblock, w->rthread, w->rphase))
      violate_global(sh, p, "global store to a word another thread loads in this launch", w->rblock,
                     w->rthread);
    w->wblock = sh->block, w->wthread = sh->thread, w->wphase = sh->phase;
  }
  *p = v;
}

static void reset_block(cf_emu_shared *sh) {
  /* Shared memory starts undefined on a GPU: poison it so that a read the
   * checker missed still shows up as a wrong result. */
  memset(sh->data, 0xa5, sh->words * sizeof *sh->data);
  for (size_t i = 0; i < sh->words; ++i)
    sh->state[i] = (word_state){NOBODY, 0, NOBODY, 0};
}

cf_status cf_emu_run(const cf_emu_launch *l) {
  const char *name = l && l->name ? l->name : "(unnamed)";
  if (!l || !l->body) return CF_FAIL(CF_EINVAL, "emulated kernel %s: no body", name);
  if (l->grid_x == 0 || l->grid_y == 0 || l->block == 0 || l->phases == 0)
    return CF_FAIL(CF_EINVAL, "emulated kernel %s: empty launch (grid %ux%u, block %u, %u phases)",
                   name, l->grid_x, l->grid_y, l->block, l->phases);
  if (l->block > 1024 || l->grid_y > 65535)
    return CF_FAIL(CF_EINVAL,
                   "emulated kernel %s: block of %u threads or grid.y %u beyond CUDA limits", name,
                   l->block, l->grid_y);
  if (l->shared_words > (size_t)227 * 1024 / 8)
    return CF_FAIL(CF_EINVAL, "emulated kernel %s: %zu words of shared memory exceed 227 KiB", name,
                   l->shared_words);

  cf_emu_shared sh = {0};
  sh.words = l->shared_words;
  if (sh.words) { /* a body with no shared memory still gets the checker: any access fails */
    sh.data = malloc(sh.words * sizeof *sh.data);
    sh.state = malloc(sh.words * sizeof *sh.state);
    if (!sh.data || !sh.state) {
      free(sh.data);
      free(sh.state);
      return CF_FAIL(CF_ENOMEM, "emulated kernel %s: no memory for %zu shared words", name,
                     sh.words);
    }
  }
  cf_status st = CF_OK;
  for (unsigned by = 0; by < l->grid_y && st == CF_OK; ++by) {
    for (unsigned bx = 0; bx < l->grid_x && st == CF_OK; ++bx) {
      if (sh.words) reset_block(&sh);
      for (unsigned p = 0; p < l->phases && st == CF_OK; ++p) {
        sh.phase = p;
        for (unsigned t = 0; t < l->block; ++t) {
          sh.block = by * l->grid_x + bx;
          sh.thread = t;
          cf_kidx at = {bx, by, t, l->block, l->grid_x};
          l->body(at, &sh, l->args, p);
        }
        if (sh.out_of_memory)
          st = CF_FAIL(CF_ENOMEM, "emulated kernel %s: no memory to track global accesses", name);
        else if (sh.violation[0])
          st = CF_FAIL(CF_EVERIFY, "emulated kernel %s, block (%u,%u): %s", name, bx, by,
                       sh.violation);
      }
    }
  }
  free(sh.data);
  free(sh.state);
  free(sh.global);
  return st;
}
