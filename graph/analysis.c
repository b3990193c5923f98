/* Analyses: rotation keys needed and multiplicative depth. */
#include <stdlib.h>

#include "base/error.h"
#include "graph/ir.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

cf_status cf_program_rotation_keys(const cf_program *p, uint64_t **galois, size_t *n, int *relin) {
  if (!p || !galois || !n) return CF_FAIL(CF_EINVAL, "program or outputs are NULL");
  size_t cap = 16, len = 0;
  uint64_t *g = malloc(cap * sizeof *g);
  if (!g) return CF_FAIL(CF_ENOMEM, "galois list");
  int rl = 0;
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *nd = &p->nodes[i];
    size_t need = nd->op == CF_OP_LINEAR ? nd->nterms : 1;
    if (len + need > cap) {
      while (len + need > cap)
        cap *= 2;
      uint64_t *r = realloc(g, cap * sizeof *g);
      if (!r) {
        free(g);
        return CF_FAIL(CF_ENOMEM, "galois list");
      }
      g = r;
    }
    if (nd->op == CF_OP_ROTATE) g[len++] = cf_galois_rotation(&p->chain, nd->k);
    if (nd->op == CF_OP_CONJ) g[len++] = cf_galois_conjugate(&p->chain);
    if (nd->op == CF_OP_RELIN) rl = 1;
    if (nd->op == CF_OP_LINEAR)
      for (size_t t = 0; t < nd->nterms; t++)
        if (nd->rots[t] % (int)nd->type.slots != 0)
          g[len++] = cf_galois_rotation(&p->chain, nd->rots[t]);
  }
  qsort(g, len, sizeof *g, cmp_u64);
  size_t u = 0;
  for (size_t i = 0; i < len; i++)
    if (u == 0 || g[u - 1] != g[i]) g[u++] = g[i];
  *galois = g, *n = u;
  if (relin) *relin = rl;
  return CF_OK;
}

/* Depth of a polynomial evaluation of this degree, ceil(log2(d+1)) + 1 for
 * the coefficients; an estimate for unexpanded POLY nodes. */
static int poly_depth(size_t ncoeffs) {
  int d = 0;
  while ((1ul << d) < ncoeffs)
    d++;
  return d + 1;
}

cf_status cf_program_depth(const cf_program *p, int *mult_depth, int *levels) {
  if (!p) return CF_FAIL(CF_EINVAL, "program is NULL");
  int *md = calloc(p->n + 1, sizeof *md), *lv = calloc(p->n + 1, sizeof *lv);
  if (!md || !lv) {
    free(md), free(lv);
    return CF_FAIL(CF_ENOMEM, "depth tables");
  }
  int bm = 0, bl = 0;
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    int m = 0, l = 0;
    for (int a = 0; a < n->nargs; a++) {
      if (md[n->args[a]] > m) m = md[n->args[a]];
      if (lv[n->args[a]] > l) l = lv[n->args[a]];
    }
    if (n->op == CF_OP_MUL || n->op == CF_OP_LINEAR) m++;
    if (n->op == CF_OP_RESCALE) l++;
    if (n->op == CF_OP_POLY)
      m += poly_depth(n->ncoeffs), l += p->nodes[n->args[0]].type.level - n->type.level;
    if (n->op == CF_OP_BOOTSTRAP) m = 0, l = 0;
    md[i] = m, lv[i] = l;
  }
  for (size_t i = 0; i < p->nout; i++) {
    if (md[p->outs[i].v] > bm) bm = md[p->outs[i].v];
    if (lv[p->outs[i].v] > bl) bl = lv[p->outs[i].v];
  }
  free(md), free(lv);
  if (mult_depth) *mult_depth = bm;
  if (levels) *levels = bl;
  return CF_OK;
}
