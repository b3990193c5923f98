/* Writing the trace of one StarPU execution, for `run` and `tune`. */
#ifndef CF_CLI_RUN_TRACE_H
#define CF_CLI_RUN_TRACE_H

#include "graph/executor.h"
#include "scheduler/config.h"

/* The last run of a StarPU executor as traces' Chrome JSON at path
 * (readable by `cipherflow trace`), labelled with the program and config. */
cf_status cli_write_run_trace(const char *path, const cf_executor *ex, const char *program,
                              const cf_sched_config *c);

#endif
