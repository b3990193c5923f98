/*
 * How `cipherflow infer` runs a lowered plan: one slot vector in, one out.
 * Two implementations: the frontend's own slot simulator of the plan, and
 * any executor of the graph layer (cipherflow/program.h) running the HE
 * program built from the plan. Switching to an encrypted executor is a
 * different factory (cf_executor_create_...) passed to
 * cf_plan_executor_graph; keygen then happens in prepare.
 */
#ifndef CF_FRONTENDS_LAYERS_EXECUTOR_H
#define CF_FRONTENDS_LAYERS_EXECUTOR_H

#include "cipherflow/ckks.h"
#include "cipherflow/program.h"
#include "cipherflow/status.h"
#include "frontends/layers/he_plan.h"

typedef struct cf_plan_executor {
  const char *name; /* printed by infer */
  int encrypted;    /* 0: plaintext semantics only, no keys or ciphertexts */
  void *ctx;
  /* Called once per plan before run (program build, keygen); may be NULL. */
  cf_status (*prepare)(void *ctx, const cf_he_plan *p);
  cf_status (*run)(void *ctx, const cf_he_plan *p, const double *in, double *out);
  void (*release)(void *ctx);
} cf_plan_executor;

/* The frontend's slot simulator (cf_he_plan_simulate). */
cf_plan_executor cf_plan_executor_simulator(void);

/*
 * Builds the plan's HE program (polynomials expanded by the graph's pass)
 * and runs it with the graph's plaintext-slot simulator (params == NULL; the
 * chain is generated with levels levels, 0: as many as the program needs) or
 * with the graph's CKKS evaluator over params (keygen, encryption and
 * decryption happen inside; the chain is the parameters'). A program needing
 * more levels than the chain has is refused in prepare with CF_ELEVEL and the
 * per-layer account. step_levels (p->nsteps entries, may be NULL) receives
 * the levels each layer consumes once prepare has run.
 */
cf_status cf_plan_executor_graph(const cf_ckks_params *params, int levels, int *step_levels,
                                 cf_plan_executor *out);

/* With params, the program lowered to the task DAG (the graph the StarPU
 * runtime schedules) and run sequentially by the CKKS step functions. */
cf_status cf_plan_executor_graph_dag(const cf_ckks_params *params, int *step_levels,
                                     cf_plan_executor *out);

#endif
