/* The direct sequential evaluator: runs an HE program operation by operation
 * with the CKKS evaluator (kernels/ckks), encrypting inputs with a fresh
 * secret key and decrypting outputs. The reference for the task runtimes. */
#ifndef CF_GRAPH_CKKS_EXEC_H
#define CF_GRAPH_CKKS_EXEC_H

#include "cipherflow/ckks.h"
#include "cipherflow/program.h"

/* The chain description of a parameter set (primes, dnum, default scale). */
cf_status cf_chain_from_params(const cf_ckks_params *params, cf_chain *c);

/* An executor over params; programs must be built for cf_chain_from_params
 * of the same parameters. Keys are generated in prepare for exactly the
 * rotations the program needs. Polynomial nodes must be expanded first;
 * bootstrap is not supported. */
cf_status cf_executor_create_ckks(const cf_ckks_params *params, cf_executor **out);

/* The same, but running the lowered task DAG (cf_lower with o, NULL for
 * defaults) sequentially with the step functions of kernels/ckks/steps.h. */
typedef struct cf_lower_options cf_lower_options;
cf_status cf_executor_create_ckks_dag(const cf_ckks_params *params, const cf_lower_options *o,
                                      cf_executor **out);

/* Runs a prepared CKKS executor's program both ways on the same encrypted
 * inputs (inputs set as for run) and counts the output words that differ
 * between the evaluator and the DAG lowered with o. */
cf_status cf_ckks_exec_compare_dag(cf_executor *ex, const cf_lower_options *o, size_t *differing);

#endif
