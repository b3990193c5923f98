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
#include "tasks/executor.h"

typedef struct cf_trace cf_trace;

/* Where an encrypted executor's time went, in seconds, summed over runs. */
typedef struct cf_plan_stage_times {
  double keygen, encrypt, execute, verify, decrypt;
  double makespan; /* StarPU: first task start to last task end, summed over runs */
  double busy;     /* StarPU: makespan x workers x utilization, summed */
  int nworkers;    /* StarPU workers of the last run */
  size_t ntasks;   /* DAG tasks per run */
} cf_plan_stage_times;

typedef struct cf_plan_executor {
  const char *name; /* printed by infer */
  int encrypted;    /* 0: plaintext semantics only, no keys or ciphertexts */
  void *ctx;
  /* Called once per plan before run (program build, keygen); may be NULL. */
  cf_status (*prepare)(void *ctx, const cf_he_plan *p);
  cf_status (*run)(void *ctx, const cf_he_plan *p, const double *in, double *out);
  void (*release)(void *ctx);
  const cf_plan_stage_times *times; /* NULL if the executor does not break its time down */
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

/* StarPU run options of cf_plan_executor_starpu. */
typedef struct cf_plan_starpu_opts {
  cf_sp_options sp; /* policy, grain (also the lowering's), ncpus, progress */
  bool verify;      /* also run each DAG sequentially; fail unless bit-identical */
  cf_trace *trace;  /* when set, every run's tasks are recorded into it (ids continue) */
} cf_plan_starpu_opts;

/* The program lowered to the task DAG and run on StarPU (cf_executor_create_starpu):
 * prepare builds the program, generates keys and starts StarPU; release stops it. */
cf_status cf_plan_executor_starpu(const cf_ckks_params *params, const cf_plan_starpu_opts *o,
                                  int *step_levels, cf_plan_executor *out);

#endif
