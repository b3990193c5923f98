/* One interface for every way of running an HE program: the plaintext-slot
 * simulator (graph/simulate.c), the direct CKKS evaluator and the task-graph
 * runtime. An executor implements this vtable; cf_executor_* dispatch. */
#ifndef CF_GRAPH_EXECUTOR_H
#define CF_GRAPH_EXECUTOR_H

#include "cipherflow/program.h"

typedef struct cf_executor_ops {
  const char *name;
  /* Takes a reference to the program (which must outlive the run). */
  cf_status (*prepare)(cf_executor *ex, const cf_program *p);
  /* Inputs and externally supplied plaintexts, by name. */
  cf_status (*set_input)(cf_executor *ex, const char *name, const double *re, const double *im,
                         size_t n);
  cf_status (*run)(cf_executor *ex);
  cf_status (*get_output)(cf_executor *ex, const char *name, double *re, double *im, size_t n);
  void (*destroy)(cf_executor *ex);
} cf_executor_ops;

struct cf_executor {
  const cf_executor_ops *ops;
  void *state;
};

#endif
