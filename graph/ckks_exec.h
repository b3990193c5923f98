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

#endif
