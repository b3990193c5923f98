/* Sequential DAG runner over the CKKS steps (see ckks_dag.h). */
#include "graph/ckks_dag.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"

typedef struct run {
  const cf_dag *d;
  const cf_ckks_context *ctx;
  const cf_ckks_galois_key *gk;
  uint64_t **buf;
  uint64_t *w; /* scratch for ModDown and rescale */
  size_t n;
} run;

static uint64_t *row(const run *r, const cf_dag_piece *p) {
  return r->buf[p->buffer] + (size_t)p->first_limb * r->n;
}

static const uint16_t *primes(const run *r, const cf_dag_piece *p) {
  return cf_dag_buffer_at(r->d, p->buffer)->primes + p->first_limb;
}

static cf_status step(const run *r, cf_kernel_kind k, uint64_t galois, uint32_t cidx, int level,
                      uint32_t digit, const cf_dag_piece *const *pc) {
  const cf_ckks_context *ctx = r->ctx;
  size_t cnt = pc[0]->nlimbs;
  switch (k) {
  case CF_KERNEL_NTT: cf_ckks_step_ntt(ctx, row(r, pc[0]), primes(r, pc[0]), cnt); break;
  case CF_KERNEL_INTT: cf_ckks_step_intt(ctx, row(r, pc[0]), primes(r, pc[0]), cnt); break;
  case CF_KERNEL_ADD:
    cf_ckks_step_add(ctx, row(r, pc[0]), row(r, pc[1]), row(r, pc[2]), primes(r, pc[0]), cnt);
    break;
  case CF_KERNEL_SUB:
    cf_ckks_step_sub(ctx, row(r, pc[0]), row(r, pc[1]), row(r, pc[2]), primes(r, pc[0]), cnt);
    break;
  case CF_KERNEL_NEG:
    cf_ckks_step_neg(ctx, row(r, pc[0]), row(r, pc[1]), primes(r, pc[0]), cnt);
    break;
  case CF_KERNEL_MUL:
    cf_ckks_step_mul(ctx, row(r, pc[0]), row(r, pc[1]), row(r, pc[2]), primes(r, pc[0]), cnt);
    break;
  case CF_KERNEL_MUL_ACC:
    cf_ckks_step_mul_acc(ctx, row(r, pc[0]), row(r, pc[1]), row(r, pc[2]), primes(r, pc[0]), cnt);
    break;
  case CF_KERNEL_MUL_CONST: {
    const uint64_t *c = cf_dag_constant(r->d, cidx, NULL);
    if (!c) return CF_FAIL(CF_EINTERNAL, "constant %u missing", cidx);
    cf_ckks_step_mul_const(ctx, row(r, pc[0]), row(r, pc[1]), c, primes(r, pc[0]), cnt);
    break;
  }
  case CF_KERNEL_COPY: cf_ckks_step_copy(ctx, row(r, pc[0]), row(r, pc[1]), cnt); break;
  case CF_KERNEL_AUTOMORPH: {
    const cf_ckks_galois_entry *e = r->gk ? cf_ckks_galois_find(r->gk, galois) : NULL;
    if (!e)
      return CF_FAIL(CF_ENOTFOUND, "no Galois key for element %llu", (unsigned long long)galois);
    cf_ckks_step_automorph(ctx, &e->table, row(r, pc[0]), row(r, pc[1]), cnt);
    break;
  }
  case CF_KERNEL_KS_INNER:
    cf_ckks_step_ks_inner(ctx, row(r, pc[0]), row(r, pc[1]), row(r, pc[2]), row(r, pc[3]),
                          row(r, pc[4]), primes(r, pc[0]), cnt);
    break;
  case CF_KERNEL_MODUP:
    cf_ckks_step_modup(ctx, level, (int)digit, r->buf[pc[0]->buffer], row(r, pc[1]),
                       pc[0]->first_limb, (size_t)pc[0]->first_limb + cnt);
    break;
  case CF_KERNEL_MODDOWN:
    cf_ckks_step_moddown(ctx, level, r->buf[pc[0]->buffer], row(r, pc[1]), r->w, pc[0]->first_limb,
                         (size_t)pc[0]->first_limb + cnt);
    break;
  case CF_KERNEL_RESCALE: /* in place, or from piece 2 (rows 0..l-1 of the input) */
    cf_ckks_step_rescale(ctx, level, r->buf[pc[0]->buffer],
                         pc[2] ? r->buf[pc[2]->buffer] : r->buf[pc[0]->buffer], row(r, pc[1]), r->w,
                         pc[0]->first_limb, (size_t)pc[0]->first_limb + cnt);
    break;
  default: return CF_FAIL(CF_EINTERNAL, "kernel kind %d cannot run here", (int)k);
  }
  return CF_OK;
}

static cf_status fill(run *r, const cf_program *p, const cf_ckks_relin_key *rlk,
                      cf_ckks_plain_fn plain, void *user, cf_ckks_ciphertext **cts, size_t b) {
  const cf_dag_buffer *bf = cf_dag_buffer_at(r->d, b);
  const cf_dag_buffer_info *in = cf_dag_buffer_info_at(r->d, b);
  size_t bytes = (size_t)bf->nlimbs * r->n * sizeof(uint64_t);
  if (bf->role == CF_BUFFER_CIPHERTEXT) {
    const cf_ckks_ciphertext *ct = cts[bf->value];
    if (!ct || ct->level + 1 != (int)bf->nlimbs || bf->poly >= ct->size)
      return CF_FAIL(CF_EINVAL, "input %s: no ciphertext at the expected level", bf->name);
    memcpy(r->buf[b], ct->data + (size_t)bf->poly * bf->nlimbs * r->n, bytes);
  } else if (bf->role == CF_BUFFER_PLAINTEXT) {
    cf_ckks_plaintext *pt = NULL;
    CF_TRY(plain(user, in->node, in->slots, in->level, in->scale, &pt));
    memcpy(r->buf[b], pt->data, bytes);
    cf_ckks_plaintext_destroy(pt);
  } else if (bf->role == CF_BUFFER_KEY) {
    const cf_ckks_kskey *ks = NULL;
    if (in->galois == 0) {
      ks = rlk ? &rlk->ks : NULL;
    } else {
      const cf_ckks_galois_entry *e = r->gk ? cf_ckks_galois_find(r->gk, in->galois) : NULL;
      ks = e ? &e->ks : NULL;
    }
    if (!ks || (int)in->digit >= ks->dnum || bf->nlimbs != (uint32_t)r->ctx->nprimes)
      return CF_FAIL(CF_ENOTFOUND, "key buffer %s: no such key", bf->name);
    const uint64_t *src = (bf->poly ? ks->a : ks->b) + (size_t)in->digit * bf->nlimbs * r->n;
    memcpy(r->buf[b], src, bytes);
  }
  (void)p;
  return CF_OK;
}

cf_status cf_ckks_run_dag(const cf_dag *d, const cf_program *p, const cf_ckks_context *ctx,
                          const cf_ckks_relin_key *rlk, const cf_ckks_galois_key *gk,
                          cf_ckks_plain_fn plain, void *user, cf_ckks_ciphertext **cts) {
  run r = {.d = d, .ctx = ctx, .gk = gk, .n = ctx->n};
  size_t nb = cf_dag_nbuffers(d);
  r.buf = calloc(nb + 1, sizeof *r.buf);
  r.w = cf_ckks_rows_alloc(ctx, (size_t)ctx->nprimes);
  cf_status st = r.buf && r.w ? CF_OK : CF_FAIL(CF_ENOMEM, "DAG buffers");
  for (size_t b = 0; b < nb && st == CF_OK; b++) {
    r.buf[b] = calloc((size_t)cf_dag_buffer_at(d, b)->nlimbs * r.n + 1, sizeof(uint64_t));
    if (!r.buf[b]) st = CF_FAIL(CF_ENOMEM, "DAG buffer %zu", b);
    if (st == CF_OK) st = fill(&r, p, rlk, plain, user, cts, b);
  }
  for (size_t i = 0; i < cf_dag_ntasks(d) && st == CF_OK; i++) {
    const cf_dag_task *t = cf_dag_task_at(d, i);
    const cf_dag_piece *pc[CF_DAG_MAX_PIECES] = {0};
    if (t->kind == CF_KERNEL_FUSED) {
      const cf_dag_fused_chain *c = cf_dag_fused_chain_at(d, t->arg.fused);
      for (int s = 0; s < c->nsteps && st == CF_OK; s++) {
        for (int k = 0; k < c->steps[s].npieces; k++)
          pc[k] = &t->pieces[c->steps[s].piece[k]];
        st = step(&r, c->steps[s].kind, c->steps[s].galois, c->steps[s].constant, t->level, 0, pc);
      }
      continue;
    }
    for (int k = 0; k < t->npieces; k++)
      pc[k] = &t->pieces[k];
    st = step(&r, t->kind, t->kind == CF_KERNEL_AUTOMORPH ? t->arg.galois : 0,
              t->kind == CF_KERNEL_MUL_CONST ? t->arg.constant : 0, t->level,
              t->kind == CF_KERNEL_MODUP ? t->arg.digit : 0, pc);
  }
  for (size_t o = 0; o < cf_dag_noutputs(d) && st == CF_OK; o++) {
    const cf_dag_output *op = cf_dag_output_at(d, o);
    const cf_type *ty = &p->nodes[op->value].type;
    cf_ckks_ciphertext t;
    st = cf_ckks_ct_alloc(ctx, &t, op->npolys, op->nlimbs - 1);
    if (st != CF_OK) break;
    for (int k = 0; k < op->npolys; k++)
      memcpy(t.data + (size_t)k * op->nlimbs * r.n, r.buf[op->buffers[k]],
             (size_t)op->nlimbs * r.n * sizeof(uint64_t));
    t.scale = cf_scale_value(&p->chain, &ty->scale);
    t.slots = ty->slots;
    if (!cts[op->value]) st = cf_ckks_ciphertext_create(ctx, &cts[op->value]);
    if (st == CF_OK)
      cf_ckks_ct_move(cts[op->value], &t);
    else
      free(t.data);
  }
  for (size_t b = 0; r.buf && b < nb; b++)
    free(r.buf[b]);
  free(r.buf), free(r.w);
  return st;
}
