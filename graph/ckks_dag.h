/* Running a lowered task DAG sequentially with the CKKS step functions
 * (kernels/ckks/steps.h): the check that lowering matches the evaluator
 * word for word, and the model for task executors. */
#ifndef CF_GRAPH_CKKS_DAG_H
#define CF_GRAPH_CKKS_DAG_H

#include "cipherflow/ckks.h"
#include "graph/dag.h"
#include "graph/ir.h"

/* Encodes program node `node` (plaintext or constant) for a PLAINTEXT buffer. */
typedef cf_status (*cf_ckks_plain_fn)(void *user, int node, size_t slots, int level, double scale,
                                      cf_ckks_plaintext **out);

/* cts[v] holds the ciphertext of each input node v; the outputs of p are
 * written into cts[v] for their values v (created ciphertexts). */
cf_status cf_ckks_run_dag(const cf_dag *d, const cf_program *p, const cf_ckks_context *ctx,
                          const cf_ckks_relin_key *rlk, const cf_ckks_galois_key *gk,
                          cf_ckks_plain_fn plain, void *user, cf_ckks_ciphertext **cts);

#endif
