#include "frontends/cli/run_trace.h"

#include <stdio.h>

#include "base/error.h"
#include "cipherflow/trace.h"
#include "tasks/sp_program.h"
#include "tasks/trace_hook.h"

cf_status cli_write_run_trace(const char *path, const cf_executor *ex, const char *program,
                              const cf_sched_config *c) {
  const cf_trace_log *log = cf_executor_starpu_trace_log(ex);
  if (!log) return CF_FAIL(CF_EINTERNAL, "the executor recorded no task trace");
  cf_trace *t = NULL;
  CF_TRY(cf_trace_create(&t, 0));
  char g[16];
  snprintf(g, sizeof g, c->grain ? "%d" : "all", c->grain);
  cf_status st = cf_trace_set_meta(t, "policy", c->policy);
  if (st == CF_OK) st = cf_trace_set_meta(t, "program", program);
  if (st == CF_OK) st = cf_trace_set_meta(t, "grain", g);
  cf_trace_feed_opts fo = {.prog = cf_executor_starpu_program(ex), .id_offset = 0, .entry_dep = -1};
  if (st == CF_OK) st = cf_trace_log_record_opts(log, cf_executor_starpu_dag(ex), &fo, t);
  cf_trace_export_options eo = {.flows = false, .max_events = 0};
  if (st == CF_OK) st = cf_trace_export_json(t, path, &eo);
  cf_trace_destroy(t);
  return st;
}
