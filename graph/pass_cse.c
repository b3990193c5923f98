/* Common subexpression elimination: a node equal to an earlier one (same
 * operation, operands after renaming, attributes and data) is replaced by it.
 * Inputs are never merged: they are distinct by name. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/pass_util.h"

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001B3ull;
  return h;
}

static uint64_t node_hash(const cf_node *n) {
  uint64_t h = mix(14695981039346656037ull, (uint64_t)n->op);
  for (int i = 0; i < n->nargs; i++)
    h = mix(h, (uint64_t)n->args[i]);
  h = mix(h, (uint64_t)(int64_t)n->k);
  h = mix(h, (uint64_t)(int64_t)n->level_to);
  h = hash_bytes(h, &n->pscale, sizeof n->pscale);
  h = hash_bytes(h, &n->cval, sizeof n->cval);
  h = mix(h, n->nterms);
  if (n->nterms) {
    h = hash_bytes(h, n->rots, n->nterms * sizeof *n->rots);
    h = hash_bytes(h, n->pts, n->nterms * sizeof *n->pts);
  }
  h = hash_bytes(h, n->coeffs, n->ncoeffs * sizeof(double));
  if (n->name) h = hash_bytes(h, n->name, strlen(n->name));
  return h;
}

static bool same_data(const cf_node *a, const cf_node *b) {
  if (a->op != b->op || a->nargs != b->nargs || a->k != b->k || a->level_to != b->level_to ||
      a->hoist != b->hoist || memcmp(&a->pscale, &b->pscale, sizeof a->pscale) != 0 ||
      memcmp(&a->cval, &b->cval, sizeof a->cval) != 0 || !cf_type_eq(&a->type, &b->type))
    return false;
  for (int i = 0; i < a->nargs; i++)
    if (a->args[i] != b->args[i]) return false;
  if (a->nterms != b->nterms || a->ncoeffs != b->ncoeffs || a->basis != b->basis ||
      memcmp(&a->a, &b->a, sizeof a->a) || memcmp(&a->b, &b->b, sizeof a->b))
    return false;
  if (a->nterms && (memcmp(a->rots, b->rots, a->nterms * sizeof *a->rots) ||
                    memcmp(a->pts, b->pts, a->nterms * sizeof *a->pts)))
    return false;
  if (a->ncoeffs && memcmp(a->coeffs, b->coeffs, a->ncoeffs * sizeof(double))) return false;
  if (a->op == CF_OP_PLAINTEXT) {
    if (strcmp(a->name, b->name) != 0 || a->data_kind != b->data_kind || a->seed != b->seed ||
        a->shift != b->shift)
      return false;
    if (a->data && memcmp(a->data, b->data, a->type.slots * sizeof(double))) return false;
  }
  return true;
}

cf_status cf_pass_cse(const cf_program *in, cf_program **out) {
  if (!in || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  cf_program *p;
  CF_TRY(cf_program_new_like(in, &p));
  size_t nb = 16;
  while (nb < 2 * in->n)
    nb *= 2;
  cf_value *map = malloc((in->n + 1) * sizeof *map);
  cf_value *table = malloc(nb * sizeof *table);
  if (!map || !table) {
    free(map), free(table);
    cf_program_destroy(p);
    return CF_FAIL(CF_ENOMEM, "cse tables");
  }
  for (size_t i = 0; i < nb; i++)
    table[i] = -1;
  cf_status st = CF_OK;
  for (size_t i = 0; i < in->n && st == CF_OK; i++) {
    const cf_node *n = &in->nodes[i];
    cf_value v;
    st = cf_program_append_mapped(p, n, map, &v);
    if (st != CF_OK) break;
    map[i] = v;
    if (n->op == CF_OP_INPUT) continue;
    const cf_node *m = &p->nodes[v];
    size_t h = (size_t)node_hash(m) & (nb - 1);
    for (; table[h] >= 0; h = (h + 1) & (nb - 1)) {
      if (same_data(&p->nodes[table[h]], m)) break;
    }
    if (table[h] >= 0) {
      /* duplicate: drop the node just appended */
      cf_node_free(&p->nodes[--p->n]);
      map[i] = table[h];
    } else {
      table[h] = v;
    }
  }
  free(table);
  st = cf_pass_finish(in, p, map, st, out);
  free(map);
  return st;
}
