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

struct cf_emu_shared {
  uint64_t *data;
  word_state *state;
  size_t words;
  uint32_t thread, phase;
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
          sh.thread = t;
          cf_kidx at = {bx, by, t, l->block, l->grid_x};
          l->body(at, &sh, l->args, p);
        }
        if (sh.violation[0])
          st = CF_FAIL(CF_EVERIFY, "emulated kernel %s, block (%u,%u): %s", name, bx, by,
                       sh.violation);
      }
    }
  }
  free(sh.data);
  free(sh.state);
  return st;
}
