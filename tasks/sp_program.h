/*
 * An HE program run on StarPU, behind graph's executor interface
 * (cf_executor_prepare / set_input / run / get_output).
 *
 * prepare lowers the program to a DAG (grain, fusion) and generates a fresh
 * secret key plus the relinearization and rotation keys the program needs.
 * The first run registers the DAG's data with StarPU (cf_sp_plan) and
 * copies the keys in; the data stays registered, so later runs only
 * encrypt the inputs and encode the plaintexts (each copied once, from its
 * CKKS object into StarPU's buffer), execute the DAG with the CKKS runner,
 * read the outputs back in the layout decryption reads, and decrypt them. StarPU's idle workers are
 * paused during those host stages. StarPU must be started (cf_sp_start); after a restart the next
 * run registers the data again.
 */
#ifndef CF_TASKS_SP_PROGRAM_H
#define CF_TASKS_SP_PROGRAM_H

#include "cipherflow/ckks.h"
#include "cipherflow/program.h"
#include "graph/lower.h"
#include "tasks/executor.h"

cf_status cf_executor_create_starpu(const cf_ckks_params *params, const cf_lower_options *lower,
                                    cf_executor **out);

/* Statistics and trace of the last run of a StarPU executor (NULL if none). */
const cf_sp_stats *cf_executor_starpu_stats(const cf_executor *ex);
const cf_dag *cf_executor_starpu_dag(const cf_executor *ex);
/* Also run the DAG in program order on the same encrypted inputs and keys,
 * and fail with CF_EVERIFY naming the first output that is not bit-identical. */
void cf_executor_starpu_verify(cf_executor *ex, bool on);
/* Collect per-task records on the next runs (cf_trace_log owned by the executor). */
void cf_executor_starpu_trace(cf_executor *ex, bool on);
const cf_trace_log *cf_executor_starpu_trace_log(const cf_executor *ex);

/* Where the time of the last prepare (keygen) and run went, in ns.
 * encrypt: encryption and plaintext encoding into StarPU's data (and, on a
 * run that registers it, the registration and key copies); verify: the
 * sequential reference run (0 without verify); execute: the StarPU run
 * (tasks, read-back of the outputs). */
typedef struct cf_sp_stage_times {
  uint64_t keygen_ns, encrypt_ns, verify_ns, execute_ns, decrypt_ns;
  /* When the run's stages began (and it ended), on StarPU's clock, the one
   * task records use, so the host's stages can join the trace. */
  uint64_t at_encrypt, at_verify, at_execute, at_decrypt, at_end;
} cf_sp_stage_times;
const cf_sp_stage_times *cf_executor_starpu_times(const cf_executor *ex);
/* The program the executor was prepared with (HE node ids of the DAG's tasks). */
const cf_program *cf_executor_starpu_program(const cf_executor *ex);

/* Loads a program file and applies the standard passes (polynomial
 * expansion, CSE, DCE, rotation hoisting); *params: the preset given, or
 * the one whose chain the program uses. */
cf_status cf_sp_load_program(const char *path, const char *preset, cf_program **prog,
                             cf_ckks_params **params);

/* Sets every input and external plaintext of p on ex to uniform values in
 * [-1, 1) (imaginary parts of inputs in [-0.5, 0.5)) from seed. */
cf_status cf_sp_random_inputs(cf_executor *ex, const cf_program *p, uint64_t seed);

/* The preset whose chain the program was built for, or CF_ENOTFOUND. */
cf_status cf_sp_find_preset(const cf_program *p, const char **name);

#endif
