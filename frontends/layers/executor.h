/*
 * How `cipherflow infer` runs a lowered plan: one slot vector in, one out.
 * Implementations: the plaintext slot simulator here; an encrypted one
 * builds the graph program from the plan and runs it with the graph's
 * executors (sequential CKKS or StarPU), including keygen, encryption and
 * decryption, reported as stages.
 */
#ifndef CF_FRONTENDS_LAYERS_EXECUTOR_H
#define CF_FRONTENDS_LAYERS_EXECUTOR_H

#include "cipherflow/status.h"
#include "frontends/layers/he_plan.h"

typedef struct cf_plan_executor {
  const char *name;     /* printed by infer */
  int encrypted;        /* 0: plaintext semantics only, no keys or ciphertexts */
  void *ctx;
  /* Called once per plan before run (keygen lives here); may be NULL. */
  cf_status (*prepare)(void *ctx, const cf_he_plan *p);
  cf_status (*run)(void *ctx, const cf_he_plan *p, const double *in, double *out);
  void (*release)(void *ctx);
} cf_plan_executor;

/* The plaintext slot simulator (cf_he_plan_simulate). */
cf_plan_executor cf_plan_executor_simulator(void);

#endif
