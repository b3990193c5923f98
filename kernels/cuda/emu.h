/*
 * Host emulation of CUDA kernels: runs a kernel's per-thread body on the CPU
 * by walking the grid, block by block; within a block, phase by phase
 * (a phase is the code between two __syncthreads()); within a phase, thread
 * by thread. For a kernel that follows the rules in docs/cuda.md this gives
 * exactly the result of the GPU: every value a thread reads in shared memory
 * was written before the last barrier or by the thread itself.
 *
 * The emulation checks those rules instead of trusting them. In shared
 * memory each word remembers which thread wrote it and which thread read it
 * in the current phase, so a word written by one thread and touched by
 * another in the same phase (a missing barrier), a read of a word nobody
 * wrote, and an index past the block's shared memory are reported. In
 * global memory (accesses through CF_GLD / CF_GST) a word written by one
 * thread and touched by another thread of the launch is reported, unless
 * both are in the same block with a barrier between them. Reports are
 * CF_EVERIFY naming the kernel, block, phase, thread and word.
 */
#ifndef CF_KERNELS_CUDA_EMU_H
#define CF_KERNELS_CUDA_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cuda/kidx.h"

/* What a body's memory accesses go through in the emulation: its block's
 * shared memory and the launch's record of global accesses. Opaque to
 * bodies, which use CF_SH_LD / CF_SH_ST / CF_GLD / CF_GST (portable.cuh). */
typedef struct cf_emu_shared cf_emu_shared;

uint64_t cf_emu_sh_load(cf_emu_shared *sh, size_t i);
void cf_emu_sh_store(cf_emu_shared *sh, size_t i, uint64_t v);
/* Global memory written in a launch is accessed through CF_GLD / CF_GST,
 * which land here and check that no two threads of the launch touch one
 * word where one of them writes, unless they are in the same block and a
 * barrier separates them. */
uint64_t cf_emu_gld(cf_emu_shared *sh, const uint64_t *p);
void cf_emu_gst(cf_emu_shared *sh, uint64_t *p, uint64_t v);

/* A kernel body as the emulation calls it: the thread's coordinates, its
 * block's shared memory, the kernel's arguments and the phase number. */
typedef void (*cf_emu_body)(cf_kidx at, cf_emu_shared *sh, const void *args, unsigned phase);

typedef struct cf_emu_launch {
  const char *name; /* kernel name, for messages */
  unsigned grid_x, grid_y;
  unsigned block;      /* threads per block (1-D) */
  size_t shared_words; /* 64-bit words of shared memory per block */
  unsigned phases;     /* barriers + 1 */
  cf_emu_body body;
  const void *args;
} cf_emu_launch;

/* Runs the launch. CF_EINVAL for an empty or oversized grid, CF_ENOMEM,
 * CF_EVERIFY for a broken emulation rule (the message says which). */
cf_status cf_emu_run(const cf_emu_launch *l);

#endif
