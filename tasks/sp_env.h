/* Environment StarPU reads at initialisation (private to tasks/). */
#ifndef CF_TASKS_SP_ENV_H
#define CF_TASKS_SP_ENV_H

#include "tasks/executor.h"

cf_status cf_sp_setup_env(const cf_sp_options *o);

#endif
