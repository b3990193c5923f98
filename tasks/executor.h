/*
 * The StarPU executor: runs a lowered DAG on StarPU's workers.
 *
 *   cf_sp_options o; cf_sp_options_default(&o);
 *   cf_sp_start(&o);                   // starpu_init with the chosen policy
 *   cf_sp_execute(dag, &runner, host, &stats, NULL);
 *   cf_sp_stop();
 *
 * Every buffer is StarPU data (memory/handles.h); tasks are submitted in DAG
 * order with their access modes, so StarPU's implicit dependencies give
 * exactly the order the sequential executor follows, and the results are
 * bit-identical for the same runner. Priorities come from bottom levels on
 * the cost model (scheduler/priority.h) unless switched off.
 *
 * StarPU allows one initialisation per process at a time: start/stop bracket
 * any number of executions with the same policy.
 */
#ifndef CF_TASKS_EXECUTOR_H
#define CF_TASKS_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "memory/handles.h"
#include "scheduler/config.h"
#include "tasks/runner.h"
#include "tasks/trace_hook.h"

typedef struct cf_sp_options {
  cf_sched_config sched; /* policy, priorities, ncpus, prefetch, transfer weight */
  const char *model_dir; /* performance models and bus calibration; NULL: default */
  cf_mem_mode data_mode;
  bool calibrate; /* keep refining performance models during runs */
  bool progress;  /* progress line on stderr for runs over 2 s (terminal only) */
  /* Memory tiers: cap StarPU's use of RAM (MiB, 0 = no cap) and give it a
   * disk directory to evict to (disk_mb >= 16 MiB, StarPU's minimum). */
  int ram_limit_mb;
  const char *disk_dir;
  int disk_mb;
  /* CUDA workers when StarPU has CUDA: 0 (default) none, -1 StarPU's choice. */
  int ncuda;
} cf_sp_options;

typedef struct cf_sp_stats {
  uint64_t wall_ns;     /* first submission to last completion */
  uint64_t submit_ns;   /* time spent submitting */
  uint64_t register_ns; /* registering and filling data (cf_sp_execute only) */
  size_t ntasks;
  int nworkers;
  double utilization;   /* executing time / (workers x wall) */
  uint64_t idle_ns;     /* workers x wall - executing time */
  uint64_t bytes_moved; /* over all buses */
  /* Memory behind the temporaries, and what it would be without sharing. */
  uint64_t temp_bytes, temp_bytes_unshared;
  /* From the run's start to the first submission (input checks, waiting
   * for fills), on StarPU's clock (that of task profiling and traces), ns. */
  uint64_t data_in_start_ns, data_in_end_ns;
} cf_sp_stats;

void cf_sp_options_default(cf_sp_options *o);

/* The directory performance models go to when none is given:
 * $CIPHERFLOW_MODEL_DIR, else $XDG_CACHE_HOME/cipherflow/starpu, else
 * $HOME/.cache/cipherflow/starpu. */
cf_status cf_sp_default_model_dir(char *out, size_t cap);

/* Initialises StarPU. CF_ENODEV if StarPU finds no worker; CF_ENOTFOUND for
 * an unknown policy; CF_EINVAL for more CPUs than this StarPU supports. */
cf_status cf_sp_start(const cf_sp_options *o);
void cf_sp_stop(void);
bool cf_sp_running(void);

/* Brackets host-only work (encryption, decryption) between runs: idle
 * workers are paused instead of polling for tasks on the host's cores.
 * Runs resume them; cf_sp_host_end resumes them explicitly. The StarPU
 * program executor (tasks/sp_program.h) leaves them paused after a run, as
 * decoding and the caller's next steps are host work; code submitting its
 * own tasks afterwards calls cf_sp_host_end first. Nested or unmatched
 * calls are harmless. */
void cf_sp_host_begin(void);
void cf_sp_host_end(void);

/*
 * Runs dag. host[b] (nlimbs x n words, limb-major), where not NULL, is the
 * initial content of buffer b (ignored for temporaries) and receives its
 * final content if some task wrote it. trace, if not NULL, receives one
 * record per task (cf_trace_log_init must have sized it for this DAG).
 */
cf_status cf_sp_execute(const cf_dag *dag, const cf_kernel_runner *runner, uint64_t **host,
                        cf_sp_stats *stats, cf_trace_log *trace);

/*
 * The same in steps, for DAGs run many times: a plan registers the DAG's
 * data once and keeps it registered, so what one fill gives (keys,
 * weights) serves every later run that does not overwrite it, and
 * temporaries keep their memory between runs. The data stays StarPU's
 * (home node -1, evictable); fills and reads go through acquire/release.
 * Priorities and affinity hints are computed once too. A plan belongs to
 * the StarPU session it was made in: cf_sp_stop unregisters its data,
 * cf_sp_plan_current then says false, and only destroy is allowed. Plans
 * are made, run and destroyed from one thread.
 */
typedef struct cf_sp_plan cf_sp_plan;
/* With sharing on (cf_sched_config.share), temporaries share memory
 * (memory/share.h) except the DAG's outputs and, if keep is not NULL, the
 * buffers with keep[b] != 0: only those can be read after a run. */
cf_status cf_sp_plan_create(const cf_dag *dag, uint32_t n, const uint8_t *keep, cf_sp_plan **out);
void cf_sp_plan_destroy(cf_sp_plan *p);
bool cf_sp_plan_current(const cf_sp_plan *p);
/* Gives buffer b content: rows[l] holds limb l's n words. It lasts until a
 * run writes the buffer (temporaries never keep it). */
cf_status cf_sp_plan_fill(cf_sp_plan *p, uint32_t b, const uint64_t *const *rows);
bool cf_sp_plan_filled(const cf_sp_plan *p, uint32_t b);
/* Runs the DAG; out[b], where not NULL, receives the final content of
 * buffer b if some task wrote it. */
cf_status cf_sp_plan_run(cf_sp_plan *p, const cf_kernel_runner *runner, uint64_t **out,
                         cf_sp_stats *stats, cf_trace_log *trace);

#endif
