/*
 * The DAG run in program order on host memory: the reference the StarPU
 * executor must match bit for bit when given the same runner.
 */
#ifndef CF_TASKS_SEQ_EXEC_H
#define CF_TASKS_SEQ_EXEC_H

#include "tasks/runner.h"

/* host[b] holds buffer b (nlimbs x n words); every buffer must be present. */
cf_status cf_seq_execute(const cf_dag *dag, const cf_kernel_runner *runner, uint64_t **host);

#endif
