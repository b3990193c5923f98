/* Fusion: a limb-local task that reads what an earlier limb-local task of the
 * same HE node wrote, on the same rows, joins it as the next step of a FUSED
 * task, provided nothing in between touches its pieces (so moving it up keeps
 * every dependency) and the union of pieces fits a task. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/dag_impl.h"

#define WINDOW 256

static bool overlap(const cf_dag_piece *a, const cf_dag_piece *b) {
  return a->buffer == b->buffer && a->first_limb < b->first_limb + b->nlimbs &&
         b->first_limb < a->first_limb + a->nlimbs;
}

static bool same(const cf_dag_piece *a, const cf_dag_piece *b) {
  return a->buffer == b->buffer && a->first_limb == b->first_limb && a->nlimbs == b->nlimbs;
}

/* Whether task u (between) conflicts with task t moving before it. */
static bool conflicts(const cf_dag_task *u, const cf_dag_task *t) {
  for (int i = 0; i < u->npieces; i++)
    for (int j = 0; j < t->npieces; j++)
      if (overlap(&u->pieces[i], &t->pieces[j]) &&
          ((u->pieces[i].access & CF_ACCESS_W) || (t->pieces[j].access & CF_ACCESS_W)))
        return true;
  return false;
}

static bool fusable(const cf_dag_task *t) {
  if (!cf_kernel_limb_local(t->kind)) return false;
  for (int i = 1; i < t->npieces; i++)
    if (t->pieces[i].nlimbs != t->pieces[0].nlimbs) return false;
  return true;
}

static cf_status new_chain(cf_dag *d, cf_dag_task *f) {
  if (d->nfused == d->fusedcap) {
    size_t cap = d->fusedcap ? d->fusedcap * 2 : 64;
    cf_dag_fused_chain *c = realloc(d->fused, cap * sizeof *c);
    if (!c) return CF_FAIL(CF_ENOMEM, "fused chains");
    d->fused = c, d->fusedcap = cap;
  }
  cf_dag_fused_chain *c = &d->fused[d->nfused];
  memset(c, 0, sizeof *c);
  c->nsteps = 1;
  c->steps[0].kind = f->kind;
  c->steps[0].npieces = f->npieces;
  for (int i = 0; i < f->npieces; i++)
    c->steps[0].piece[i] = (uint8_t)i;
  if (f->kind == CF_KERNEL_AUTOMORPH) c->steps[0].galois = f->arg.galois;
  if (f->kind == CF_KERNEL_MUL_CONST) c->steps[0].constant = f->arg.constant;
  f->kind = CF_KERNEL_FUSED;
  f->arg.fused = (uint32_t)d->nfused++;
  return CF_OK;
}

/* Appends t to fused task f if the pieces fit; returns false if not. */
static bool try_append(cf_dag *d, cf_dag_task *f, const cf_dag_task *t) {
  cf_dag_piece pieces[CF_DAG_MAX_PIECES];
  memcpy(pieces, f->pieces, sizeof pieces);
  int np = f->npieces;
  uint8_t idx[5];
  for (int j = 0; j < t->npieces; j++) {
    int k = 0;
    while (k < np && !same(&pieces[k], &t->pieces[j]))
      k++;
    if (k == np) {
      if (np == CF_DAG_MAX_PIECES) return false;
      pieces[np++] = t->pieces[j];
    } else if (pieces[k].access != CF_ACCESS_W) {
      /* read earlier in the chain, maybe written now: the task reads and writes it */
      pieces[k].access = (cf_access)(pieces[k].access | t->pieces[j].access);
    }
    idx[j] = (uint8_t)k;
  }
  cf_dag_fused_chain *c = &d->fused[f->arg.fused];
  if (c->nsteps == CF_DAG_MAX_FUSED) return false;
  cf_dag_fused_step *s = &c->steps[c->nsteps++];
  memset(s, 0, sizeof *s);
  s->kind = t->kind;
  s->npieces = t->npieces;
  memcpy(s->piece, idx, t->npieces);
  if (t->kind == CF_KERNEL_AUTOMORPH) s->galois = t->arg.galois;
  if (t->kind == CF_KERNEL_MUL_CONST) s->constant = t->arg.constant;
  memcpy(f->pieces, pieces, sizeof pieces);
  f->npieces = (uint8_t)np;
  return true;
}

cf_status cf_dag_fuse(cf_dag *d) {
  size_t n = 0; /* tasks kept so far, compacted in place */
  for (size_t i = 0; i < d->ntasks; i++) {
    cf_dag_task t = d->tasks[i];
    bool merged = false;
    if (fusable(&t)) {
      size_t lo = n > WINDOW ? n - WINDOW : 0;
      for (size_t k = n; k-- > lo;) {
        cf_dag_task *f = &d->tasks[k];
        bool feeds = false;
        for (int a = 0; a < f->npieces && !feeds; a++)
          for (int b = 0; b < t.npieces && !feeds; b++)
            feeds = (f->pieces[a].access & CF_ACCESS_W) && same(&f->pieces[a], &t.pieces[b]);
        if (!feeds) {
          if (conflicts(f, &t)) break;
          continue;
        }
        if (f->he_node != t.he_node || !fusable(f) || f->pieces[0].nlimbs != t.pieces[0].nlimbs)
          break;
        cf_dag_task copy = *f;
        size_t nf = d->nfused;
        if (f->kind != CF_KERNEL_FUSED) CF_TRY(new_chain(d, f));
        if (try_append(d, f, &t)) {
          merged = true;
        } else {
          *f = copy; /* undo */
          d->nfused = nf;
        }
        break;
      }
    }
    if (!merged) d->tasks[n++] = t;
  }
  d->ntasks = n;
  /* ids and costs after merging */
  for (size_t i = 0; i < d->nnodes; i++) {
    d->node_cost[i].ntasks = 0, d->node_cost[i].bytes = 0, d->node_cost[i].cost_ns = 0;
  }
  for (size_t i = 0; i < n; i++) {
    cf_dag_task *t = &d->tasks[i];
    t->id = (uint32_t)i;
    cf_dag_task_cost(d, t, NULL, NULL);
    cf_node_cost *c = &d->node_cost[t->he_node];
    c->ntasks++, c->bytes += t->bytes, c->cost_ns += t->cost_ns;
  }
  return CF_OK;
}
