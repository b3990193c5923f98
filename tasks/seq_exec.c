#include "tasks/seq_exec.h"

#include <stdlib.h>

#include "base/error.h"

cf_status cf_seq_execute(const cf_dag *dag, const cf_kernel_runner *runner, uint64_t **host) {
  if (!dag || !runner || !runner->run || !host)
    return CF_FAIL(CF_EINVAL, "sequential execution: NULL argument");
  size_t cap = 64;
  uint64_t **rows = malloc(cap * sizeof *rows);
  if (!rows) return CF_FAIL(CF_ENOMEM, "sequential execution: row table");
  cf_status st = CF_OK;
  for (size_t i = 0, nt = cf_dag_ntasks(dag); i < nt && st == CF_OK; i++) {
    const cf_dag_task *t = cf_dag_task_at(dag, i);
    size_t need = 0;
    for (unsigned p = 0; p < t->npieces; p++)
      need += t->pieces[p].nlimbs;
    if (need > cap) {
      uint64_t **r2 = realloc(rows, need * sizeof *rows);
      if (!r2) {
        st = CF_FAIL(CF_ENOMEM, "sequential execution: %zu rows", need);
        break;
      }
      rows = r2, cap = need;
    }
    cf_limb_span span[CF_DAG_MAX_PIECES];
    size_t k = 0;
    for (unsigned p = 0; p < t->npieces && st == CF_OK; p++) {
      const cf_dag_piece *pc = &t->pieces[p];
      if (pc->buffer >= cf_dag_nbuffers(dag) || !host[pc->buffer]) {
        st = CF_FAIL(CF_EINVAL, "task %zu: buffer %u has no host memory", i, pc->buffer);
        break;
      }
      const cf_dag_buffer *b = cf_dag_buffer_at(dag, pc->buffer);
      span[p].rows = rows + k;
      span[p].nlimbs = pc->nlimbs;
      span[p].primes = b->primes ? b->primes + pc->first_limb : NULL;
      span[p].base = host[pc->buffer];
      for (unsigned l = 0; l < pc->nlimbs; l++)
        rows[k++] = host[pc->buffer] + (size_t)(pc->first_limb + l) * runner->n;
    }
    if (st == CF_OK) st = runner->run(runner->ctx, dag, t, span);
    if (st != CF_OK) st = CF_FAIL(st, "task %zu (kind %d): %s", i, (int)t->kind, cf_last_error());
  }
  free(rows);
  return st;
}
