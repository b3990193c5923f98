/* From the executor's per-task records to the traces/ recorder. */
#include "base/error.h"
#include "cipherflow/trace.h"
#include "graph/lower.h"
#include "tasks/trace_hook.h"

cf_status cf_trace_log_record(const cf_trace_log *log, const cf_dag *dag, cf_trace *t) {
  if (!log || !dag || !t) return CF_FAIL(CF_EINVAL, "trace feed: NULL argument");
  if (log->n != cf_dag_ntasks(dag))
    return CF_FAIL(CF_EMISMATCH, "trace log has %zu records, DAG %zu tasks", log->n,
                   cf_dag_ntasks(dag));
  CF_TRY(cf_trace_add_memnode(t, 0, "RAM"));
  for (int w = 0; w < log->nworkers; w++)
    CF_TRY(cf_trace_add_worker(t, w, log->worker_names[w], CF_TRACE_CPU, 0));
  CF_TRY(cf_trace_reserve(t, log->n));
  for (size_t i = 0; i < log->n; i++) {
    const cf_task_record *r = &log->records[i];
    if (r->worker < 0) continue;
    const cf_dag_task *dt = cf_dag_task_at(dag, i);
    size_t ndeps = 0;
    const uint32_t *preds = cf_dag_preds(dag, i, &ndeps);
    uint64_t deps[64];
    if (ndeps > 64) ndeps = 64; /* the viewer draws the first ones */
    for (size_t k = 0; k < ndeps; k++)
      deps[k] = preds[k];
    cf_trace_task task = {.id = i,
                          .worker = r->worker,
                          .start_ns = r->start_ns,
                          .end_ns = r->end_ns,
                          .kernel = cf_kernel_name(r->kind),
                          .op = NULL,
                          .node = r->he_node,
                          .limb_begin = dt->npieces ? dt->pieces[0].first_limb : -1,
                          .limb_end =
                              dt->npieces ? dt->pieces[0].first_limb + dt->pieces[0].nlimbs : -1,
                          .level = r->level,
                          .deps = ndeps ? deps : NULL,
                          .ndeps = (uint32_t)ndeps};
    CF_TRY(cf_trace_record_task(t, &task));
  }
  return CF_OK;
}
