/* The storage behind cf_dag, shared by lowering, fusion and the analyses. */
#ifndef CF_GRAPH_DAG_IMPL_H
#define CF_GRAPH_DAG_IMPL_H

#include "graph/lower.h"

struct cf_dag {
  uint32_t log_n;
  size_t nprimes; /* nq + np */
  size_t nq;
  cf_lower_options opts;
  cf_dag_task *tasks;
  size_t ntasks, taskcap;
  cf_dag_buffer *bufs;
  cf_dag_buffer_info *infos;
  int16_t **pos; /* per buffer: row of each prime index, or -1 */
  size_t nbufs, bufcap;
  uint64_t *consts; /* nconsts * nprimes residues */
  size_t nconsts, constcap;
  cf_dag_fused_chain *fused;
  size_t nfused, fusedcap;
  cf_dag_output *outs;
  size_t nouts;
  cf_node_cost *node_cost;
  size_t nnodes;
  uint32_t *pred_off; /* ntasks + 1 */
  uint32_t *preds;
};

/* Per-task cost from the kernel kind and pieces. */
void cf_dag_task_cost(const cf_dag *d, cf_dag_task *t, double *modmuls, double *ntts);
cf_status cf_dag_fuse(cf_dag *d);
cf_status cf_dag_derive_edges(cf_dag *d);

#endif
