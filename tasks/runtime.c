/* Starting and stopping the StarPU session with cipherflow's policy and knobs. */
#include <errno.h>
#include <string.h>

#include "base/error.h"
#include "scheduler/cf_policy.h"
#include "scheduler/policies.h"
#include "tasks/codelets_cuda.h"
#include "tasks/runtime_state.h"
#include "tasks/sp_env.h"

cf_sp_runtime_state cf_sp_rt;

void cf_sp_options_default(cf_sp_options *o) {
  memset(o, 0, sizeof *o);
  cf_sched_config_default(&o->sched);
  o->data_mode = CF_MEM_BLOCKS;
}

bool cf_sp_running(void) { return cf_sp_rt.running; }

cf_status cf_sp_start(const cf_sp_options *o) {
  if (!o) return CF_FAIL(CF_EINVAL, "StarPU start: NULL options");
  if (cf_sp_rt.running) return CF_FAIL(CF_EINVAL, "StarPU is already started in this process");
  if (o->sched.ncpus < 0 || o->sched.ncpus > STARPU_MAXCPUS)
    return CF_FAIL(CF_EINVAL, "%d CPU workers requested; this StarPU supports 1..%d",
                   o->sched.ncpus, STARPU_MAXCPUS);
  cf_sched_choice choice;
  CF_TRY(cf_sched_policy_choose(o->sched.policy, &choice));
  if (o->ram_limit_mb < 0 || (o->disk_dir && o->disk_mb < 16))
    return CF_FAIL(CF_EINVAL, "memory tiers: RAM cap %d MiB, disk %d MiB (disk needs >= 16)",
                   o->ram_limit_mb, o->disk_mb);
  CF_TRY(cf_sp_setup_env(o));
  struct starpu_conf conf;
  starpu_conf_init(&conf);
  if (choice.policy)
    conf.sched_policy = choice.policy;
  else
    conf.sched_policy_name = choice.name;
  conf.sched_policy_init = choice.init;
  if (o->sched.ncpus > 0) conf.ncpus = o->sched.ncpus;
  conf.ncuda = o->ncuda; /* 0 unless asked: the CUDA codelets have not run on a GPU yet */
  conf.nopencl = 0;
  cf_sched_own_set_prefetch(o->sched.prefetch);
  /* Whole cache lines for the AVX-512 kernels: starpu_malloc's default
   * (malloc's 16 bytes) made every 64-byte load straddle two lines. */
  starpu_malloc_set_align(64);
  int rc = starpu_init(&conf);
  if (rc == -ENODEV) return CF_FAIL(CF_ENODEV, "StarPU found no worker to run on");
  if (rc != 0) return CF_FAIL(CF_ERUNTIME, "starpu_init failed: %s", strerror(-rc));
  if (o->disk_dir) {
    int node = starpu_disk_register(&starpu_disk_unistd_ops, (void *)o->disk_dir,
                                    (starpu_ssize_t)o->disk_mb << 20);
    if (node < 0) {
      starpu_shutdown();
      return CF_FAIL(CF_EIO, "cannot use '%s' as a %d MiB disk memory node", o->disk_dir,
                     o->disk_mb);
    }
  }
  cf_sp_rt.running = true;
  cf_sp_rt.generation++;
  cf_sp_rt.tiers = o->ram_limit_mb > 0 || o->disk_dir;
  cf_sp_rt.paused = false;
  cf_sp_rt.own_policy = choice.policy != NULL;
  cf_sp_rt.priorities = o->sched.priorities;
  cf_sp_rt.share = o->sched.share;
  cf_sp_rt.progress = o->progress;
  /* Blocks live in RAM, their home: with memory tiers, data StarPU may
   * evict is registered with home node -1 instead. */
  cf_sp_rt.data_mode =
      o->data_mode == CF_MEM_BLOCKS && cf_sp_rt.tiers ? CF_MEM_SEGMENTS : o->data_mode;
  return CF_OK;
}

void cf_sp_stop(void) {
  if (!cf_sp_rt.running) return;
  cf_sp_host_end();
  cf_sp_plans_release();
  cf_sp_cuda_release();
  starpu_shutdown();
  cf_sp_rt.running = false;
}

/* StarPU 1.3's idle CPU workers poll for tasks in a tight loop: on a
 * machine with as many cores as workers they take the host thread's core
 * while it encrypts or decrypts. Pausing them (starpu_pause) stops that.
 * Not with memory tiers, where data moves may need the workers' progress. */
void cf_sp_host_begin(void) {
  if (!cf_sp_rt.running || cf_sp_rt.paused || cf_sp_rt.tiers) return;
  starpu_pause();
  cf_sp_rt.paused = true;
}

void cf_sp_host_end(void) {
  if (!cf_sp_rt.running || !cf_sp_rt.paused) return;
  starpu_resume();
  cf_sp_rt.paused = false;
}
