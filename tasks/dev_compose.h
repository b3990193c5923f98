/*
 * A DAG task's kind composed from the device kernels of kernels/cuda
 * (cuda_kernels.h), behind a table of functions so the same composition
 * runs on a GPU (tasks/codelets_cuda.c: the cf_cuda_* wrappers on a StarPU
 * stream) and on the host through the emulation (the tests: cf_emu_*).
 *
 * Each kind gives bit-identical results to the CPU runner
 * (tasks/ckks_runner.c over kernels/ckks/steps.h): the wrappers match
 * kernels/cpu bit for bit, and every composed step ends in a fully reduced
 * residue, as the CPU step does. Row runs are split where a piece's rows
 * stop being contiguous or their prime indices stop being consecutive, so
 * each call sees limbs 0..k-1 with the tables offset by the first prime.
 *
 * Supported: NTT, INTT, ADD, SUB, NEG (0 - a), MUL, MUL_ACC, MUL_CONST,
 * COPY, AUTOMORPH, KS_INNER (two MUL_ACC), MODUP (basis conversion),
 * MODDOWN (basis conversion, NTT, SUB, MUL by P^-1). Not supported:
 * RESCALE, whose lift [x_l + h]_{q_l} - h mod q_i has no device kernel, and
 * FUSED.
 */
#ifndef CF_TASKS_DEV_COMPOSE_H
#define CF_TASKS_DEV_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"
#include "kernels/cpu/modarith.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/rns.h"
#include "tasks/runner.h"

/* The device: the kernels/cuda functions with their stream in `dev`, and
 * device memory (alloc/free, copies from the host or within the device). */
typedef struct cf_dev_ops {
  void *dev;
  cf_status (*add)(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                   size_t lb, size_t le, const cf_modulus *mods);
  cf_status (*sub)(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                   size_t lb, size_t le, const cf_modulus *mods);
  cf_status (*mul)(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                   size_t lb, size_t le, const cf_modulus *mods);
  cf_status (*mul_acc)(void *dev, uint64_t *acc, const uint64_t *a, const uint64_t *b, size_t n,
                       size_t lb, size_t le, const cf_modulus *mods);
  cf_status (*mul_scalar)(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *s,
                          const uint64_t *s_sh, size_t n, size_t lb, size_t le,
                          const cf_modulus *mods);
  cf_status (*ntt)(void *dev, bool inverse, const cf_ntt_table *tables, size_t n, uint64_t *poly,
                   size_t lb, size_t le);
  cf_status (*automorph)(void *dev, uint64_t *out, const uint64_t *in, size_t n, uint64_t galois,
                         size_t lb, size_t le);
  cf_status (*baseconv)(void *dev, const cf_baseconv_table *t, uint64_t *out, const uint64_t *in,
                        size_t n, size_t lb, size_t le);
  cf_status (*alloc)(void *dev, void **p, size_t bytes);
  void (*free)(void *dev, void *p);
  /* from_host: src is host memory (reusable once the call returns). */
  cf_status (*copy)(void *dev, void *dst, const void *src, size_t bytes, bool from_host);
  cf_status (*zero)(void *dev, void *p, size_t bytes);
} cf_dev_ops;

/* The CKKS context's tables in the device's memory, by prime index. */
typedef struct cf_dev_tables {
  const cf_modulus *host_mods; /* the same moduli in host memory */
  const cf_modulus *mods;
  const cf_ntt_table *ntt;
  int max_level;
  const int *ndigits;                    /* [level] */
  const cf_baseconv_table *const *modup; /* [level][digit]: host structs, device arrays */
  const cf_baseconv_table *moddown;      /* [level] (P -> Q_level) */
  const uint64_t *const *p_inv;          /* [level]: P^-1 mod q_i, i <= level */
  const uint64_t *const *p_inv_sh;       /* [level]: Shoup companions */
} cf_dev_tables;

bool cf_dev_kind_supported(cf_kernel_kind kind);

/* Runs task t on its pieces' rows (device pointers). konst: the DAG's
 * constant for MUL_CONST (residues by prime index, nconst of them). */
cf_status cf_dev_run_task(const cf_dev_ops *ops, const cf_dev_tables *d, const cf_dag_task *t,
                          const uint64_t *konst, size_t nconst, const cf_limb_span *s, uint32_t n);

#endif
