/* Printer of the line-based program text (grammar in docs/program-text.md). */
#include <stdlib.h>

#include "base/error.h"
#include "graph/ir.h"
#include "graph/strbuf.h"

static void scale(cf_strbuf *b, const cf_scale *s) {
  char buf[512];
  cf_scale_format(s, buf, sizeof buf);
  cf_sb_printf(b, "%s", buf);
}

static void doubles(cf_strbuf *b, const double *v, size_t n) {
  cf_sb_printf(b, "[");
  for (size_t i = 0; i < n; i++) {
    if (i) cf_sb_printf(b, ", ");
    cf_sb_double(b, v[i]);
  }
  cf_sb_printf(b, "]");
}

static void node_line(cf_strbuf *b, const cf_program *p, size_t i) {
  const cf_node *n = &p->nodes[i];
  cf_sb_printf(b, "%%%zu = %s", i, cf_op_name(n->op));
  switch (n->op) {
  case CF_OP_INPUT: cf_sb_printf(b, " \"%s\"", n->name); break;
  case CF_OP_PLAINTEXT:
    cf_sb_printf(b, " \"%s\" ", n->name);
    if (n->data_kind == CF_DATA_EXTERNAL)
      cf_sb_printf(b, "external");
    else if (n->data_kind == CF_DATA_RANDOM)
      cf_sb_printf(b, "random(%llu)", (unsigned long long)n->seed);
    else
      doubles(b, n->data, n->type.slots);
    break;
  case CF_OP_CONST: cf_sb_printf(b, " "), cf_sb_double(b, n->cval); break;
  case CF_OP_LINEAR:
    cf_sb_printf(b, " %%%d [", n->args[0]);
    for (size_t t = 0; t < n->nterms; t++)
      cf_sb_printf(b, "%s%d: %%%d", t ? ", " : "", n->rots[t], n->pts[t]);
    cf_sb_printf(b, "] {pscale=");
    scale(b, &n->pscale);
    cf_sb_printf(b, "}");
    break;
  default:
    for (int a = 0; a < n->nargs; a++)
      cf_sb_printf(b, "%s%%%d", a ? ", " : " ", n->args[a]);
  }
  switch (n->op) {
  case CF_OP_MUL:
    if (p->nodes[n->args[1]].type.kind != CF_KIND_CT) {
      cf_sb_printf(b, " {pscale=");
      scale(b, &n->pscale);
      cf_sb_printf(b, "}");
    }
    break;
  case CF_OP_LEVEL_DROP:
  case CF_OP_BOOTSTRAP: cf_sb_printf(b, " {level=%d}", n->level_to); break;
  case CF_OP_ROTATE: cf_sb_printf(b, " {k=%d%s}", n->k, n->hoist ? ", hoist" : ""); break;
  case CF_OP_CONJ:
    if (n->hoist) cf_sb_printf(b, " {hoist}");
    break;
  case CF_OP_PLAINTEXT:
    if (n->shift) cf_sb_printf(b, " {shift=%d}", n->shift);
    break;
  case CF_OP_LINEAR:
    if (n->hoist) b->len -= 1, cf_sb_printf(b, ", hoist}"); /* inside the pscale braces */
    break;
  case CF_OP_POLY:
    cf_sb_printf(b, " {basis=%s, a=", n->basis == CF_BASIS_CHEBYSHEV ? "chebyshev" : "power");
    cf_sb_double(b, n->a);
    cf_sb_printf(b, ", b=");
    cf_sb_double(b, n->b);
    cf_sb_printf(b, ", coeffs=");
    doubles(b, n->coeffs, n->ncoeffs);
    cf_sb_printf(b, "}");
    break;
  default: break;
  }
  char ty[640];
  cf_type_format(&n->type, ty, sizeof ty);
  cf_sb_printf(b, " : %s\n", ty);
}

cf_status cf_program_print(const cf_program *p, char **text) {
  if (!p || !text) return CF_FAIL(CF_EINVAL, "program or text pointer is NULL");
  cf_strbuf b = {0};
  const cf_chain *c = &p->chain;
  cf_sb_printf(&b, "cfprogram 1\nchain logn=%u slots=%u dnum=%u scale=2^%d manage=%s\nq", c->log_n,
               c->slots, c->dnum, c->scale_log2, p->manage == CF_MANAGE_AUTO ? "auto" : "none");
  for (uint32_t i = 0; i < c->nq; i++)
    cf_sb_printf(&b, " %llu", (unsigned long long)c->q[i]);
  cf_sb_printf(&b, "\np");
  for (uint32_t i = 0; i < c->np; i++)
    cf_sb_printf(&b, " %llu", (unsigned long long)c->p[i]);
  cf_sb_printf(&b, "\n");
  for (size_t i = 0; i < p->n; i++)
    node_line(&b, p, i);
  for (size_t i = 0; i < p->nout; i++)
    cf_sb_printf(&b, "output \"%s\" = %%%d\n", p->outs[i].name, p->outs[i].v);
  if (b.oom || !b.s) {
    free(b.s);
    return CF_FAIL(CF_ENOMEM, "program text");
  }
  *text = b.s;
  return CF_OK;
}
