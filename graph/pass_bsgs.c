/* Baby-step giant-step linear transforms. A linear node
 *   y = sum_t rot(x, k_t) * p_t,   k_t = g j_t + i_t  (0 <= i_t < g)
 * becomes
 *   y = sum_j rot( sum_{t: j_t = j} rot(x, i_t) * rot(p_t, -g j), g j ),
 * since rot(a * b, s) = rot(a, s) * rot(b, s). The inner sums are linear
 * nodes over the baby rotations, flagged to share one decomposition of x;
 * the pre-rotated plaintexts are plaintext nodes with a shift. Keys drop
 * from one per distinct k to one per distinct i and per distinct g j. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/pass_util.h"

static int norm(int k, int m) { return ((k % m) + m) % m; }

static int count_distinct(const int *v, int n) {
  int c = 0;
  for (int i = 0; i < n; i++) {
    bool seen = false;
    for (int j = 0; j < i && !seen; j++)
      seen = v[j] == v[i];
    c += !seen && v[i] != 0;
  }
  return c;
}

static cf_status expand(cf_program *p, const cf_node *n, const cf_value *map, int g,
                        cf_value *out) {
  int m = (int)n->type.slots, nt = (int)n->nterms;
  int *rots = malloc((size_t)nt * sizeof *rots);
  cf_value *pts = malloc((size_t)nt * sizeof *pts);
  if (!rots || !pts) {
    free(rots), free(pts);
    return CF_FAIL(CF_ENOMEM, "baby-step giant-step terms");
  }
  cf_status st = CF_OK;
  cf_value acc = -1, x = map[n->args[0]];
  for (int j = 0; j * g < m && st == CF_OK; j++) {
    int cnt = 0;
    for (int t = 0; t < nt && st == CF_OK; t++) {
      int k = norm(n->rots[t], m);
      if (k / g != j) continue;
      rots[cnt] = k % g;
      pts[cnt] = map[n->pts[t]];
      if (j) { /* rot(p, -g j) */
        cf_node sh = p->nodes[pts[cnt]];
        sh.shift = sh.shift - g * j;
        st = cf_program_append_copy(p, &sh, NULL, &pts[cnt]);
      }
      cnt++;
    }
    if (!cnt || st != CF_OK) continue;
    cf_node in;
    cf_node_init(&in, CF_OP_LINEAR);
    in.nargs = 1, in.args[0] = x;
    in.nterms = (size_t)cnt, in.rots = rots, in.pts = pts;
    in.pscale = n->pscale;
    in.hoist = 1;
    cf_value v;
    st = cf_program_append_copy(p, &in, in.args, &v);
    if (st == CF_OK && j) st = cf_b_unary(p, CF_OP_ROTATE, v, g * j, &v);
    if (st == CF_OK) st = acc < 0 ? (acc = v, CF_OK) : cf_b_add(p, CF_OP_ADD, acc, v, 0, &acc);
  }
  free(rots), free(pts);
  if (st == CF_OK) *out = acc;
  return st;
}

cf_status cf_pass_bsgs(const cf_program *in, cf_program **out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  cf_program *p;
  CF_TRY(cf_program_new_like(in, &p));
  cf_value *map = malloc((in->n + 1) * sizeof *map);
  if (!map) {
    cf_program_destroy(p);
    return CF_FAIL(CF_ENOMEM, "value map");
  }
  cf_status st = CF_OK;
  for (size_t i = 0; i < in->n && st == CF_OK; i++) {
    const cf_node *n = &in->nodes[i];
    if (n->op == CF_OP_LINEAR && n->nterms >= 4 && !n->hoist) {
      int m = (int)n->type.slots, nt = (int)n->nterms, g = 1;
      while (g * g < nt)
        g *= 2;
      int *ks = malloc(2 * (size_t)nt * sizeof *ks);
      if (!ks) {
        st = CF_FAIL(CF_ENOMEM, "rotations");
        break;
      }
      for (int t = 0; t < nt; t++) {
        int k = norm(n->rots[t], m);
        ks[t] = k % g, ks[nt + t] = k - k % g;
      }
      int after = count_distinct(ks, nt) + count_distinct(ks + nt, nt);
      for (int t = 0; t < nt; t++)
        ks[t] = norm(n->rots[t], m);
      int before = count_distinct(ks, nt);
      free(ks);
      if (after < before) {
        st = expand(p, n, map, g, &map[i]);
        continue;
      }
    }
    st = cf_program_append_mapped(p, n, map, &map[i]);
  }
  st = cf_pass_finish(in, p, map, st, out);
  free(map);
  return st;
}
