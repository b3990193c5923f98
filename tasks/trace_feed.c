/* From the executor's per-task records to the traces/ recorder. */
#include "base/error.h"
#include "cipherflow/trace.h"
#include "graph/ir.h"
#include "graph/lower.h"
#include "tasks/trace_hook.h"

enum { MAX_DEPS = 64 }; /* more predecessors than this are rare; the first ones are kept */

static const char *op_of(const cf_program *p, int node) {
  if (!p || node < 0 || (size_t)node >= p->n) return NULL;
  return cf_op_name(p->nodes[node].op); /* a literal */
}

static cf_status add_topology(const cf_trace_log *log, cf_trace *t) {
  int nn = log->nmemnodes > 0 ? log->nmemnodes : 1;
  for (int m = 0; m < nn && m < CF_TRACE_MAX_NODES; m++)
    CF_TRY(cf_trace_add_memnode(t, m, log->memnode_names ? log->memnode_names[m] : "RAM"));
  for (int w = 0; w < log->nworkers; w++) {
    int node = log->worker_memnode ? log->worker_memnode[w] : 0;
    if (node < 0 || node >= CF_TRACE_MAX_NODES) node = 0;
    CF_TRY(cf_trace_add_worker(t, w, log->worker_names[w], CF_TRACE_CPU, node));
  }
  return CF_OK;
}

cf_status cf_trace_log_record_opts(const cf_trace_log *log, const cf_dag *dag,
                                   const cf_trace_feed_opts *o, cf_trace *t) {
  if (!log || !dag || !t) return CF_FAIL(CF_EINVAL, "trace feed: NULL argument");
  if (log->n != cf_dag_ntasks(dag))
    return CF_FAIL(CF_EMISMATCH, "trace log has %zu records, DAG %zu tasks", log->n,
                   cf_dag_ntasks(dag));
  const cf_program *prog = o ? o->prog : NULL;
  uint64_t off = o ? o->id_offset : 0;
  int64_t entry = o ? o->entry_dep : -1;
  CF_TRY(add_topology(log, t));
  CF_TRY(cf_trace_reserve(t, cf_trace_event_count(t) + log->n));
  for (size_t i = 0; i < log->n; i++) {
    const cf_task_record *r = &log->records[i];
    if (r->worker < 0) continue;
    const cf_dag_task *dt = cf_dag_task_at(dag, i);
    size_t ndeps = 0;
    const uint32_t *preds = cf_dag_preds(dag, i, &ndeps);
    uint64_t deps[MAX_DEPS];
    if (ndeps > MAX_DEPS) ndeps = MAX_DEPS;
    for (size_t k = 0; k < ndeps; k++)
      deps[k] = off + preds[k];
    if (ndeps == 0 && entry >= 0) deps[ndeps++] = (uint64_t)entry;
    cf_trace_task task = {.id = off + i,
                          .worker = r->worker,
                          .start_ns = r->start_ns,
                          .end_ns = r->end_ns,
                          .kernel = cf_kernel_name(r->kind),
                          .op = op_of(prog, r->he_node),
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

cf_status cf_trace_log_record(const cf_trace_log *log, const cf_dag *dag, cf_trace *t) {
  cf_trace_feed_opts o = {.prog = NULL, .id_offset = 0, .entry_dep = -1};
  return cf_trace_log_record_opts(log, dag, &o, t);
}
