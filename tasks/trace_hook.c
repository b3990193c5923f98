#include "tasks/trace_hook.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static const char *const kind_names[CF_KERNEL_COUNT] = {
    [CF_KERNEL_NTT] = "ntt",           [CF_KERNEL_INTT] = "intt",
    [CF_KERNEL_ADD] = "add",           [CF_KERNEL_SUB] = "sub",
    [CF_KERNEL_NEG] = "neg",           [CF_KERNEL_MUL] = "mul",
    [CF_KERNEL_MUL_ACC] = "mul_acc",   [CF_KERNEL_MUL_CONST] = "mul_const",
    [CF_KERNEL_COPY] = "copy",         [CF_KERNEL_AUTOMORPH] = "automorph",
    [CF_KERNEL_KS_INNER] = "ks_inner", [CF_KERNEL_FUSED] = "fused",
    [CF_KERNEL_MODUP] = "modup",       [CF_KERNEL_MODDOWN] = "moddown",
    [CF_KERNEL_RESCALE] = "rescale",
};

const char *cf_kernel_kind_name(cf_kernel_kind kind) {
  return (unsigned)kind < CF_KERNEL_COUNT ? kind_names[kind] : "?";
}

cf_status cf_trace_log_init(cf_trace_log *log, const cf_dag *dag) {
  if (!log || !dag) return CF_FAIL(CF_EINVAL, "trace log: NULL argument");
  memset(log, 0, sizeof *log);
  log->n = cf_dag_ntasks(dag);
  log->records = calloc(log->n ? log->n : 1, sizeof *log->records);
  if (!log->records) return CF_FAIL(CF_ENOMEM, "trace log: %zu records", log->n);
  for (size_t i = 0; i < log->n; i++) {
    const cf_dag_task *t = cf_dag_task_at(dag, i);
    log->records[i] = (cf_task_record){.task = (uint32_t)i,
                                       .kind = t->kind,
                                       .he_node = t->he_node,
                                       .level = t->level,
                                       .worker = -1};
  }
  return CF_OK;
}

void cf_trace_log_free(cf_trace_log *log) {
  if (!log) return;
  free(log->records);
  free(log->worker_names), free(log->worker_memnode), free(log->memnode_names);
  memset(log, 0, sizeof *log);
}
