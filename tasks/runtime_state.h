/* The process-wide StarPU session (private to tasks/): StarPU allows one
 * initialisation at a time, so the executor's settings live here between
 * cf_sp_start and cf_sp_stop. */
#ifndef CF_TASKS_RUNTIME_STATE_H
#define CF_TASKS_RUNTIME_STATE_H

#include <stdbool.h>

#include "memory/handles.h"

typedef struct cf_sp_runtime_state {
  bool running;
  bool own_policy;
  bool priorities;
  bool share; /* plans share temporaries' memory (memory/share.h) */
  bool progress;
  cf_mem_mode data_mode;
  unsigned generation; /* counts starts: data of an earlier session is gone */
  bool tiers;          /* a RAM cap or disk node: workers must keep moving data */
  bool paused;         /* workers paused by cf_sp_host_begin */
} cf_sp_runtime_state;

extern cf_sp_runtime_state cf_sp_rt;

/* Unregisters the data of every live plan (before starpu_shutdown). */
void cf_sp_plans_release(void);

#endif
