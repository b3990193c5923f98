/* The chain description of a CKKS parameter set. */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "cipherflow/ckks.h"
#include "graph/ckks_exec.h"
#include "graph/ir.h"

cf_status cf_chain_from_params(const cf_ckks_params *params, cf_chain *c) {
  if (!params || !c) return CF_FAIL(CF_EINVAL, "parameters or chain is NULL");
  int nq = cf_ckks_params_nq(params), np = cf_ckks_params_np(params);
  if (nq > CF_CHAIN_MAX_Q || np > CF_CHAIN_MAX_P)
    return CF_FAIL(CF_EINVAL, "%d q primes and %d special primes exceed the chain limits %d, %d",
                   nq, np, CF_CHAIN_MAX_Q, CF_CHAIN_MAX_P);
  double ls = cf_ckks_params_log_scale(params);
  if (ls != floor(ls)) return CF_FAIL(CF_ESCALE, "default scale 2^%g is not a power of two", ls);
  size_t n = cf_ckks_params_n(params);
  memset(c, 0, sizeof *c);
  while ((1ul << c->log_n) < n)
    c->log_n++;
  c->slots = (uint32_t)cf_ckks_params_slots(params);
  c->nq = (uint32_t)nq, c->np = (uint32_t)np;
  for (int i = 0; i < nq; i++)
    c->q[i] = cf_ckks_params_prime(params, i);
  for (int i = 0; i < np; i++)
    c->p[i] = cf_ckks_params_prime(params, nq + i);
  c->dnum = (uint32_t)cf_ckks_params_dnum(params);
  c->scale_log2 = (int)ls;
  return cf_chain_check(c);
}
