#include "frontends/layers/executor.h"

static cf_status sim_run(void *ctx, const cf_he_plan *p, const double *in, double *out) {
  (void)ctx;
  return cf_he_plan_simulate(p, in, out);
}

cf_plan_executor cf_plan_executor_simulator(void) {
  return (cf_plan_executor){.name = "plaintext slot simulator (no encryption)",
                            .encrypted = 0,
                            .run = sim_run};
}
