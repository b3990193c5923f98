/* Text and DOT forms of the task DAG, and DOT of HE programs. */
#include <stdlib.h>

#include "base/error.h"
#include "graph/dag_impl.h"
#include "graph/ir.h"
#include "graph/strbuf.h"

static const char *role_name(cf_buffer_role r) {
  switch (r) {
  case CF_BUFFER_CIPHERTEXT: return "ciphertext";
  case CF_BUFFER_PLAINTEXT: return "plaintext";
  case CF_BUFFER_KEY: return "key";
  default: return "temp";
  }
}

static const char *access_name(cf_access a) {
  return a == CF_ACCESS_R ? "R" : a == CF_ACCESS_W ? "W" : "RW";
}

cf_status cf_dag_write_text(const cf_dag *d, FILE *f) {
  if (!d || !f) return CF_FAIL(CF_EINVAL, "DAG or file is NULL");
  fprintf(f, "cfdag 1\ndag logn=%u primes=%zu grain=%u fuse=%d tasks=%zu buffers=%zu edges=%zu\n",
          d->log_n, d->nprimes, d->opts.grain, d->opts.fuse ? 1 : 0, d->ntasks, d->nbufs,
          cf_dag_nedges(d));
  for (size_t i = 0; i < d->nbufs; i++) {
    const cf_dag_buffer *b = &d->bufs[i];
    fprintf(f, "buffer %u %s %s limbs=%u primes=", b->id, b->name, role_name(b->role), b->nlimbs);
    for (uint32_t k = 0; k < b->nlimbs; k++)
      fprintf(f, "%s%u", k ? "," : "", b->primes[k]);
    fprintf(f, " value=%d poly=%d", b->value, b->poly);
    const cf_dag_buffer_info *in = &d->infos[i];
    if (b->role == CF_BUFFER_PLAINTEXT)
      fprintf(f, " node=%d level=%d scale=%.17g", in->node, in->level, in->scale);
    if (b->role == CF_BUFFER_KEY)
      fprintf(f, " galois=%llu digit=%u", (unsigned long long)in->galois, in->digit);
    fprintf(f, "\n");
  }
  for (size_t i = 0; i < d->nconsts; i++) {
    fprintf(f, "constant %zu", i);
    for (size_t k = 0; k < d->nprimes; k++)
      fprintf(f, " %llu", (unsigned long long)d->consts[i * d->nprimes + k]);
    fprintf(f, "\n");
  }
  for (size_t i = 0; i < d->nfused; i++) {
    const cf_dag_fused_chain *c = &d->fused[i];
    fprintf(f, "fused %zu", i);
    for (int s = 0; s < c->nsteps; s++) {
      fprintf(f, " %s(", cf_kernel_name(c->steps[s].kind));
      for (int k = 0; k < c->steps[s].npieces; k++)
        fprintf(f, "%s%u", k ? "," : "", c->steps[s].piece[k]);
      fprintf(f, ")");
    }
    fprintf(f, "\n");
  }
  for (size_t i = 0; i < d->ntasks; i++) {
    const cf_dag_task *t = &d->tasks[i];
    fprintf(f, "task %u %s node=%d level=%d cost_ns=%.0f bytes=%.0f", t->id,
            cf_kernel_name(t->kind), t->he_node, t->level, t->cost_ns, t->bytes);
    if (t->kind == CF_KERNEL_AUTOMORPH)
      fprintf(f, " galois=%llu", (unsigned long long)t->arg.galois);
    if (t->kind == CF_KERNEL_MUL_CONST) fprintf(f, " constant=%u", t->arg.constant);
    if (t->kind == CF_KERNEL_MODUP) fprintf(f, " digit=%u", t->arg.digit);
    if (t->kind == CF_KERNEL_FUSED) fprintf(f, " chain=%u", t->arg.fused);
    fprintf(f, " pieces=");
    for (int k = 0; k < t->npieces; k++)
      fprintf(f, "%s%u[%u+%u]:%s", k ? "," : "", t->pieces[k].buffer, t->pieces[k].first_limb,
              t->pieces[k].nlimbs, access_name(t->pieces[k].access));
    size_t np;
    const uint32_t *p = cf_dag_preds(d, i, &np);
    fprintf(f, " preds=");
    for (size_t k = 0; k < np; k++)
      fprintf(f, "%s%u", k ? "," : "", p[k]);
    fprintf(f, "\n");
  }
  for (size_t i = 0; i < d->nouts; i++) {
    const cf_dag_output *o = &d->outs[i];
    fprintf(f, "output %s value=%d limbs=%u buffers=", o->name, o->value, o->nlimbs);
    for (int k = 0; k < o->npolys; k++)
      fprintf(f, "%s%u", k ? "," : "", o->buffers[k]);
    fprintf(f, "\n");
  }
  if (ferror(f)) return CF_FAIL(CF_EIO, "writing the DAG failed");
  return CF_OK;
}

static const char *kernel_color(cf_kernel_kind k) {
  switch (k) {
  case CF_KERNEL_NTT:
  case CF_KERNEL_INTT: return "lightblue";
  case CF_KERNEL_MODUP:
  case CF_KERNEL_MODDOWN:
  case CF_KERNEL_RESCALE: return "salmon";
  case CF_KERNEL_KS_INNER: return "gold";
  case CF_KERNEL_FUSED: return "palegreen";
  default: return "white";
  }
}

cf_status cf_dag_dot(const cf_dag *d, char **text) {
  if (!d || !text) return CF_FAIL(CF_EINVAL, "DAG or text pointer is NULL");
  cf_strbuf b = {0};
  cf_sb_printf(&b, "digraph dag {\n  node [shape=box, style=filled, fontsize=10];\n");
  for (size_t i = 0; i < d->ntasks; i++) {
    const cf_dag_task *t = &d->tasks[i];
    cf_sb_printf(&b, "  t%zu [label=\"%s\\n%%%d L%d rows %u+%u\", fillcolor=%s];\n", i,
                 cf_kernel_name(t->kind), t->he_node, t->level, t->pieces[0].first_limb,
                 t->pieces[0].nlimbs, kernel_color(t->kind));
  }
  for (size_t i = 0; i < d->ntasks; i++) {
    size_t np;
    const uint32_t *p = cf_dag_preds(d, i, &np);
    for (size_t k = 0; k < np; k++)
      cf_sb_printf(&b, "  t%u -> t%zu;\n", p[k], i);
  }
  cf_sb_printf(&b, "}\n");
  if (b.oom) {
    free(b.s);
    return CF_FAIL(CF_ENOMEM, "DOT text");
  }
  *text = b.s;
  return CF_OK;
}

cf_status cf_program_dot(const cf_program *p, char **text) {
  if (!p || !text) return CF_FAIL(CF_EINVAL, "program or text pointer is NULL");
  cf_strbuf b = {0};
  cf_sb_printf(&b, "digraph program {\n  node [shape=box, fontsize=10];\n");
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    char ty[640];
    cf_type_format(&n->type, ty, sizeof ty);
    const char *shape = n->op == CF_OP_INPUT                                 ? "invhouse"
                        : (n->op == CF_OP_PLAINTEXT || n->op == CF_OP_CONST) ? "note"
                                                                             : "box";
    cf_sb_printf(&b, "  v%zu [shape=%s, label=\"%%%zu %s", i, shape, i, cf_op_name(n->op));
    if (n->op == CF_OP_ROTATE) cf_sb_printf(&b, " k=%d", n->k);
    if (n->name) cf_sb_printf(&b, " %s", n->name);
    if (n->type.kind == CF_KIND_CT) cf_sb_printf(&b, "\\nlevel %d", n->type.level);
    cf_sb_printf(&b, "\"];\n");
    for (int a = 0; a < n->nargs; a++)
      cf_sb_printf(&b, "  v%d -> v%zu;\n", n->args[a], i);
    for (size_t t = 0; t < n->nterms; t++)
      cf_sb_printf(&b, "  v%d -> v%zu [style=dashed, label=\"%d\"];\n", n->pts[t], i, n->rots[t]);
  }
  for (size_t i = 0; i < p->nout; i++)
    cf_sb_printf(&b, "  out%zu [shape=house, label=\"%s\"];\n  v%d -> out%zu;\n", i,
                 p->outs[i].name, p->outs[i].v, i);
  cf_sb_printf(&b, "}\n");
  if (b.oom) {
    free(b.s);
    return CF_FAIL(CF_ENOMEM, "DOT text");
  }
  *text = b.s;
  return CF_OK;
}
