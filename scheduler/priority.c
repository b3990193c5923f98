#include "scheduler/priority.h"

#include <math.h>
#include <stdlib.h>

#include "base/error.h"

/* Walks the DAG backwards keeping, per limb of every buffer, the largest
 * bottom level among the later readers not yet overwritten and the bottom
 * level of the next writer: exactly the successors a task has through that
 * limb, so each task is visited once and each limb of its pieces once. */
cf_status cf_sched_bottom_levels(const cf_dag *dag, double *bl) {
  if (!dag || !bl) return CF_FAIL(CF_EINVAL, "bottom levels need a DAG and an output array");
  size_t nbuf = cf_dag_nbuffers(dag), ntasks = cf_dag_ntasks(dag);
  size_t *base = malloc((nbuf + 1) * sizeof *base);
  if (!base) return CF_FAIL(CF_ENOMEM, "bottom levels: %zu buffer offsets", nbuf + 1);
  base[0] = 0;
  for (size_t b = 0; b < nbuf; b++)
    base[b + 1] = base[b] + cf_dag_buffer_at(dag, b)->nlimbs;
  size_t nlimbs = base[nbuf];
  double *readers = malloc((nlimbs ? nlimbs : 1) * sizeof *readers);
  double *writer = malloc((nlimbs ? nlimbs : 1) * sizeof *writer);
  if (!readers || !writer) {
    free(base), free(readers), free(writer);
    return CF_FAIL(CF_ENOMEM, "bottom levels: state for %zu limbs", nlimbs);
  }
  for (size_t i = 0; i < nlimbs; i++)
    readers[i] = writer[i] = 0.0;

  cf_status st = CF_OK;
  for (size_t k = ntasks; k-- > 0;) {
    const cf_dag_task *t = cf_dag_task_at(dag, k);
    double succ = 0.0;
    for (unsigned p = 0; p < t->npieces && st == CF_OK; p++) {
      const cf_dag_piece *pc = &t->pieces[p];
      if (pc->buffer >= nbuf ||
          (size_t)pc->first_limb + pc->nlimbs > base[pc->buffer + 1] - base[pc->buffer]) {
        st = CF_FAIL(CF_EINVAL, "task %zu piece %u: buffer %u limbs %u+%u out of range", k, p,
                     pc->buffer, pc->first_limb, pc->nlimbs);
        break;
      }
      for (size_t l = base[pc->buffer] + pc->first_limb, e = l + pc->nlimbs; l < e; l++) {
        if (writer[l] > succ) succ = writer[l];
        if ((pc->access & CF_ACCESS_W) && readers[l] > succ) succ = readers[l];
      }
    }
    if (st != CF_OK) break;
    double cost = t->cost_ns > 0 ? t->cost_ns : 1.0;
    bl[k] = cost + succ;
    /* Writes first: a read-write piece resets the readers, then counts as
     * the next writer, which earlier writers and readers both precede. */
    for (unsigned p = 0; p < t->npieces; p++) {
      const cf_dag_piece *pc = &t->pieces[p];
      for (size_t l = base[pc->buffer] + pc->first_limb, e = l + pc->nlimbs; l < e; l++) {
        if (pc->access & CF_ACCESS_W) {
          writer[l] = bl[k];
          readers[l] = 0.0;
        }
      }
    }
    for (unsigned p = 0; p < t->npieces; p++) {
      const cf_dag_piece *pc = &t->pieces[p];
      if (pc->access != CF_ACCESS_R) continue;
      for (size_t l = base[pc->buffer] + pc->first_limb, e = l + pc->nlimbs; l < e; l++)
        if (bl[k] > readers[l]) readers[l] = bl[k];
    }
  }
  free(base), free(readers), free(writer);
  return st;
}

void cf_sched_levels_to_priorities(const double *bl, size_t n, int min_prio, int max_prio,
                                   int *prio) {
  double top = 0.0;
  for (size_t i = 0; i < n; i++)
    if (bl[i] > top) top = bl[i];
  double span = (double)max_prio - (double)min_prio;
  for (size_t i = 0; i < n; i++) {
    double x = top > 0 ? bl[i] / top : 0.0;
    prio[i] = (int)((long long)min_prio + llround(x * span));
  }
}
