/*
 * A small DAG constructor for the executor tests, and a generator of
 * CKKS-shaped random DAGs (NTTs, products, key-switch inner products, basis
 * extension, rescale) at a chosen grain, written straight into graph's DAG
 * storage so the executors see exactly what lowering would hand them.
 */
#ifndef CF_TESTS_TASKS_DAG_BUILDER_H
#define CF_TESTS_TASKS_DAG_BUILDER_H

#include <stdint.h>

#include "graph/dag.h"

cf_dag *tb_new(void);
/* Adds a buffer over prime indices first_prime..first_prime+nlimbs-1. */
uint32_t tb_buffer(cf_dag *d, cf_buffer_role role, uint32_t nlimbs, uint16_t first_prime,
                   const char *name);
/* Adds a task; returns its index. cost_ns 0 lets priorities count it as 1. */
uint32_t tb_task(cf_dag *d, cf_kernel_kind kind, double cost_ns, unsigned npieces,
                 const cf_dag_piece *pieces);
cf_dag_task *tb_task_mut(cf_dag *d, uint32_t index);
/* Adds a constant (one residue per prime index, nprimes of them). */
uint32_t tb_constant(cf_dag *d, const uint64_t *residues, size_t nprimes);

typedef struct tb_shape {
  uint32_t limbs;   /* L: limbs of a ciphertext polynomial */
  uint32_t ext;     /* K: extension limbs (special primes follow the L primes) */
  uint32_t grain;   /* limbs per limb-local task, 0 = whole polynomial */
  uint32_t steps;   /* operations to generate */
  uint32_t nprimes; /* primes the runner knows (>= L + K) */
  uint64_t seed;
} tb_shape;

/* A random CKKS-shaped DAG; its inputs are the non-temporary buffers. */
cf_dag *tb_random(const tb_shape *s, const uint64_t *primes);

#endif
