/* Lowering an HE program to the task DAG of graph/dag.h, and analyses of
 * the DAG (critical path, text and DOT export). */
#ifndef CF_GRAPH_LOWER_H
#define CF_GRAPH_LOWER_H

#include <stdbool.h>
#include <stdio.h>

#include "cipherflow/program.h"
#include "graph/dag.h"

typedef struct cf_lower_options {
  unsigned grain;       /* limbs per task; 0: whole polynomial */
  bool fuse;            /* merge chains of limb-local tasks into FUSED tasks */
  double ns_per_modmul; /* cost model: one 64-bit modular multiplication */
  double ns_per_byte;   /* cost model: one byte read or written */
} cf_lower_options;

void cf_lower_options_default(cf_lower_options *o);

/* Refuses programs with POLY nodes (run cf_pass_expand_poly) and BOOTSTRAP. */
cf_status cf_lower(const cf_program *p, const cf_lower_options *o, cf_dag **out);

/* Cost of an HE node summed over its tasks. */
typedef struct cf_node_cost {
  size_t ntasks;
  double modmuls;
  double ntts; /* limb NTTs and inverse NTTs, including those inside ModDown/rescale */
  double bytes;
  double cost_ns;
} cf_node_cost;
const cf_node_cost *cf_dag_node_cost(const cf_dag *dag, int node); /* NULL if none */
size_t cf_dag_nnodes(const cf_dag *dag);

const char *cf_kernel_name(cf_kernel_kind k);
bool cf_kernel_limb_local(cf_kernel_kind k);
/* Longest path weighted by cost_ns; *total_ns: sum of all tasks. */
double cf_dag_critical_path(const cf_dag *dag, double *total_ns, size_t *path_tasks);
cf_status cf_dag_write_text(const cf_dag *dag, FILE *f);
cf_status cf_dag_dot(const cf_dag *dag, char **text);

#endif
