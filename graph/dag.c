/* The task DAG: accessors, cost model, derived edges and critical path. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/dag_impl.h"

static const char *const kernel_names[CF_KERNEL_COUNT] = {
    "NTT",  "INTT",      "ADD",      "SUB",   "NEG",   "MUL",     "MUL_ACC", "MUL_CONST",
    "COPY", "AUTOMORPH", "KS_INNER", "FUSED", "MODUP", "MODDOWN", "RESCALE"};

const char *cf_kernel_name(cf_kernel_kind k) {
  return (unsigned)k < CF_KERNEL_COUNT ? kernel_names[k] : "?";
}

bool cf_kernel_limb_local(cf_kernel_kind k) { return k <= CF_KERNEL_FUSED; }

size_t cf_dag_ntasks(const cf_dag *d) { return d ? d->ntasks : 0; }
const cf_dag_task *cf_dag_task_at(const cf_dag *d, size_t i) {
  return d && i < d->ntasks ? &d->tasks[i] : NULL;
}
size_t cf_dag_nbuffers(const cf_dag *d) { return d ? d->nbufs : 0; }
const cf_dag_buffer *cf_dag_buffer_at(const cf_dag *d, size_t i) {
  return d && i < d->nbufs ? &d->bufs[i] : NULL;
}
const cf_dag_buffer_info *cf_dag_buffer_info_at(const cf_dag *d, size_t i) {
  return d && i < d->nbufs ? &d->infos[i] : NULL;
}
const uint64_t *cf_dag_constant(const cf_dag *d, uint32_t index, size_t *nprimes) {
  if (!d || index >= d->nconsts) return NULL;
  if (nprimes) *nprimes = d->nprimes;
  return d->consts + (size_t)index * d->nprimes;
}
size_t cf_dag_noutputs(const cf_dag *d) { return d ? d->nouts : 0; }
const cf_dag_output *cf_dag_output_at(const cf_dag *d, size_t i) {
  return d && i < d->nouts ? &d->outs[i] : NULL;
}
const cf_dag_fused_chain *cf_dag_fused_chain_at(const cf_dag *d, uint32_t i) {
  return d && i < d->nfused ? &d->fused[i] : NULL;
}
size_t cf_dag_nfused(const cf_dag *d) { return d ? d->nfused : 0; }
uint32_t cf_dag_log_n(const cf_dag *d) { return d ? d->log_n : 0; }
size_t cf_dag_nprimes(const cf_dag *d) { return d ? d->nprimes : 0; }
size_t cf_dag_nnodes(const cf_dag *d) { return d ? d->nnodes : 0; }
const cf_node_cost *cf_dag_node_cost(const cf_dag *d, int node) {
  return d && node >= 0 && (size_t)node < d->nnodes ? &d->node_cost[node] : NULL;
}
const uint32_t *cf_dag_preds(const cf_dag *d, size_t i, size_t *n) {
  if (!d || i >= d->ntasks || !d->pred_off) {
    if (n) *n = 0;
    return NULL;
  }
  if (n) *n = d->pred_off[i + 1] - d->pred_off[i];
  return d->preds + d->pred_off[i];
}
size_t cf_dag_nedges(const cf_dag *d) { return d && d->pred_off ? d->pred_off[d->ntasks] : 0; }

void cf_dag_destroy(cf_dag *d) {
  if (!d) return;
  for (size_t i = 0; i < d->nbufs; i++) {
    free((void *)d->bufs[i].primes);
    free((void *)d->bufs[i].name);
    free(d->pos[i]);
  }
  for (size_t i = 0; i < d->nouts; i++)
    free((void *)d->outs[i].name);
  free(d->tasks), free(d->bufs), free(d->infos), free(d->pos), free(d->consts), free(d->fused);
  free(d->outs), free(d->node_cost), free(d->pred_off), free(d->preds);
  free(d);
}

/* Modular multiplications and NTTs of one step over `rows` rows. */
static void step_cost(const cf_dag *d, cf_kernel_kind k, size_t rows, size_t in_rows, double *mm,
                      double *ntt) {
  double n = (double)(1u << d->log_n), half_nlogn = n / 2 * d->log_n;
  double K = (double)(d->nprimes - d->nq);
  *mm = 0, *ntt = 0;
  switch (k) {
  case CF_KERNEL_NTT:
  case CF_KERNEL_INTT: *mm = rows * half_nlogn, *ntt = (double)rows; break;
  case CF_KERNEL_MUL:
  case CF_KERNEL_MUL_ACC:
  case CF_KERNEL_MUL_CONST: *mm = rows * n; break;
  case CF_KERNEL_KS_INNER: *mm = 2 * rows * n; break;
  /* fast basis conversion: in_rows scalings, then rows * in_rows products */
  case CF_KERNEL_MODUP: *mm = in_rows * n + rows * in_rows * n; break;
  case CF_KERNEL_MODDOWN: *mm = K * n + rows * (K * n + n + half_nlogn), *ntt = (double)rows; break;
  case CF_KERNEL_RESCALE: *mm = rows * (2 * n + half_nlogn), *ntt = (double)rows; break;
  default: break;
  }
}

void cf_dag_task_cost(const cf_dag *d, cf_dag_task *t, double *modmuls, double *ntts) {
  double n = (double)(1u << d->log_n), mm = 0, nt = 0, bytes = 0;
  for (int i = 0; i < t->npieces; i++)
    bytes += t->pieces[i].nlimbs * n * 8 * (t->pieces[i].access == CF_ACCESS_RW ? 2 : 1);
  if (t->kind == CF_KERNEL_FUSED) {
    const cf_dag_fused_chain *c = &d->fused[t->arg.fused];
    for (int s = 0; s < c->nsteps; s++) {
      double a, b;
      step_cost(d, c->steps[s].kind, t->pieces[c->steps[s].piece[0]].nlimbs, 0, &a, &b);
      mm += a, nt += b;
    }
  } else {
    step_cost(d, t->kind, t->pieces[0].nlimbs, t->npieces > 1 ? t->pieces[1].nlimbs : 0, &mm, &nt);
  }
  t->bytes = bytes;
  t->cost_ns = mm * d->opts.ns_per_modmul + bytes * d->opts.ns_per_byte;
  if (modmuls) *modmuls = mm;
  if (ntts) *ntts = nt;
}

/* Limb by limb: last writer and the readers since, per buffer row. */
typedef struct rd {
  uint32_t task;
  int32_t next;
} rd;

cf_status cf_dag_derive_edges(cf_dag *d) {
  size_t *off = calloc(d->nbufs + 1, sizeof *off);
  if (!off) return CF_FAIL(CF_ENOMEM, "edge tables");
  for (size_t b = 0; b < d->nbufs; b++)
    off[b + 1] = off[b] + d->bufs[b].nlimbs;
  size_t rows = off[d->nbufs];
  int32_t *writer = malloc((rows + 1) * sizeof *writer), *head = malloc((rows + 1) * sizeof *head);
  size_t rcap = 1024, rlen = 0, ecap = 1024, elen = 0;
  rd *pool = malloc(rcap * sizeof *pool);
  uint32_t *edges = malloc(ecap * sizeof *edges);
  d->pred_off = calloc(d->ntasks + 1, sizeof *d->pred_off);
  cf_status st = CF_OK;
  if (!writer || !head || !pool || !edges || !d->pred_off) st = CF_FAIL(CF_ENOMEM, "edge tables");
  for (size_t i = 0; st == CF_OK && i < rows; i++)
    writer[i] = -1, head[i] = -1;
  for (size_t t = 0; st == CF_OK && t < d->ntasks; t++) {
    size_t start = elen;
    const cf_dag_task *tk = &d->tasks[t];
    for (int pi = 0; pi < tk->npieces && st == CF_OK; pi++) {
      const cf_dag_piece *pc = &tk->pieces[pi];
      for (size_t r = pc->first_limb; r < (size_t)pc->first_limb + pc->nlimbs; r++) {
        size_t s = off[pc->buffer] + r;
        if (elen + 64 > ecap) {
          uint32_t *g = realloc(edges, (ecap *= 2) * sizeof *g);
          if (!g) {
            st = CF_FAIL(CF_ENOMEM, "edges");
            break;
          }
          edges = g;
        }
        if (writer[s] >= 0 && (uint32_t)writer[s] != t) edges[elen++] = (uint32_t)writer[s];
        if (pc->access & CF_ACCESS_W) {
          for (int32_t h = head[s]; h >= 0; h = pool[h].next) {
            if (pool[h].task == t) continue;
            if (elen == ecap) {
              uint32_t *g = realloc(edges, (ecap *= 2) * sizeof *g);
              if (!g) {
                st = CF_FAIL(CF_ENOMEM, "edges");
                break;
              }
              edges = g;
            }
            edges[elen++] = pool[h].task;
          }
        }
      }
    }
    /* update states after collecting, so a task's own pieces do not interact */
    for (int pi = 0; pi < tk->npieces && st == CF_OK; pi++) {
      const cf_dag_piece *pc = &tk->pieces[pi];
      for (size_t r = pc->first_limb; r < (size_t)pc->first_limb + pc->nlimbs; r++) {
        size_t s = off[pc->buffer] + r;
        if (pc->access & CF_ACCESS_W) {
          writer[s] = (int32_t)t;
          head[s] = -1;
        } else {
          if (rlen == rcap) {
            rd *g = realloc(pool, (rcap *= 2) * sizeof *g);
            if (!g) {
              st = CF_FAIL(CF_ENOMEM, "edge tables");
              break;
            }
            pool = g;
          }
          pool[rlen] = (rd){(uint32_t)t, head[s]};
          head[s] = (int32_t)rlen++;
        }
      }
    }
    /* sort and deduplicate this task's predecessors */
    for (size_t i = start + 1; i < elen; i++) {
      uint32_t v = edges[i];
      size_t j = i;
      while (j > start && edges[j - 1] > v)
        edges[j] = edges[j - 1], j--;
      edges[j] = v;
    }
    size_t u = start;
    for (size_t i = start; i < elen; i++)
      if (u == start || edges[u - 1] != edges[i]) edges[u++] = edges[i];
    elen = u;
    if (st == CF_OK) d->pred_off[t + 1] = (uint32_t)elen;
  }
  free(off), free(writer), free(head), free(pool);
  if (st != CF_OK) {
    free(edges);
    return st;
  }
  d->preds = edges;
  return CF_OK;
}

double cf_dag_critical_path(const cf_dag *d, double *total_ns, size_t *path_tasks) {
  if (!d || !d->ntasks) {
    if (total_ns) *total_ns = 0;
    if (path_tasks) *path_tasks = 0;
    return 0;
  }
  double *cp = malloc(d->ntasks * sizeof *cp);
  size_t *len = malloc(d->ntasks * sizeof *len);
  double best = 0, total = 0;
  size_t blen = 0;
  if (!cp || !len) {
    free(cp), free(len);
    return -1;
  }
  for (size_t t = 0; t < d->ntasks; t++) {
    double m = 0;
    size_t ml = 0;
    for (uint32_t e = d->pred_off[t]; e < d->pred_off[t + 1]; e++)
      if (cp[d->preds[e]] > m) m = cp[d->preds[e]], ml = len[d->preds[e]];
    cp[t] = m + d->tasks[t].cost_ns;
    len[t] = ml + 1;
    total += d->tasks[t].cost_ns;
    if (cp[t] > best) best = cp[t], blen = len[t];
  }
  free(cp), free(len);
  if (total_ns) *total_ns = total;
  if (path_tasks) *path_tasks = blen;
  return best;
}
