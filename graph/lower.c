/* Lowering: every HE operation becomes the sequence of steps the CKKS
 * evaluator runs for it (kernels/ckks/eval.c and keyswitch.c), each split
 * into tasks over groups of `grain` rows. Limb-local steps split anywhere;
 * ModUp is split over extension rows and ModDown over output rows (groups
 * of twice the grain; each task reads all the rows where limbs meet), and
 * rescale over output rows, out of place. Values are SSA: a buffer
 * is written only by the operation that creates it, so level drops and
 * pass-through polynomials alias buffer prefixes instead of copying. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/dag_impl.h"
#include "graph/ir.h"

typedef struct decomp {
  int32_t src; /* the decomposed polynomial (evaluation form, Q_l) */
  int32_t ext[CF_CHAIN_MAX_Q];
  int ndigits;
} decomp;

typedef struct lctx {
  cf_dag *d;
  const cf_program *p;
  int node, level;
  int32_t (*vb)[3]; /* buffers of each value's polynomials */
  decomp **dc;      /* shared decompositions per value (hoisting) */
  int32_t *keys;    /* key buffer ids, searched linearly (few keys) */
  uint64_t *key_g;
  size_t nkeys;
} lctx;

void cf_lower_options_default(cf_lower_options *o) {
  o->grain = 1;
  o->fuse = false;
  o->ns_per_modmul = 1.0;
  o->ns_per_byte = 0.1;
}

static int alpha(const cf_chain *c) { return (int)((c->nq + c->dnum - 1) / c->dnum); }

/* ---- buffers ---- */

static cf_status new_buffer(lctx *x, cf_buffer_role role, const uint16_t *primes, size_t n,
                            int value, int poly, const char *name, int32_t *out) {
  cf_dag *d = x->d;
  if (d->nbufs == d->bufcap) {
    size_t cap = d->bufcap ? d->bufcap * 2 : 64;
    cf_dag_buffer *b = realloc(d->bufs, cap * sizeof *b);
    if (b) d->bufs = b;
    cf_dag_buffer_info *i = realloc(d->infos, cap * sizeof *i);
    if (i) d->infos = i;
    int16_t **p = realloc(d->pos, cap * sizeof *p);
    if (p) d->pos = p;
    if (!b || !i || !p) return CF_FAIL(CF_ENOMEM, "DAG buffers");
    d->bufcap = cap;
  }
  uint16_t *pr = malloc((n ? n : 1) * sizeof *pr);
  int16_t *pos = malloc(d->nprimes * sizeof *pos);
  char *nm = strdup(name);
  if (!pr || !pos || !nm) {
    free(pr), free(pos), free(nm);
    return CF_FAIL(CF_ENOMEM, "DAG buffer");
  }
  memcpy(pr, primes, n * sizeof *pr);
  for (size_t i = 0; i < d->nprimes; i++)
    pos[i] = -1;
  for (size_t i = 0; i < n; i++)
    pos[primes[i]] = (int16_t)i;
  uint32_t id = (uint32_t)d->nbufs;
  d->bufs[id] = (cf_dag_buffer){.id = id,
                                .role = role,
                                .nlimbs = (uint32_t)n,
                                .primes = pr,
                                .ntt_form = 1,
                                .value = value,
                                .poly = poly,
                                .name = nm};
  memset(&d->infos[id], 0, sizeof d->infos[id]);
  d->infos[id].node = -1;
  d->pos[id] = pos;
  d->nbufs++;
  *out = (int32_t)id;
  return CF_OK;
}

static size_t q_primes(uint16_t *pr, int level) {
  for (int i = 0; i <= level; i++)
    pr[i] = (uint16_t)i;
  return (size_t)level + 1;
}

static size_t qp_primes(const cf_dag *d, uint16_t *pr, int level) {
  size_t n = q_primes(pr, level);
  for (size_t k = d->nq; k < d->nprimes; k++)
    pr[n++] = (uint16_t)k;
  return n;
}

static cf_status temp(lctx *x, const uint16_t *pr, size_t n, int poly, const char *what,
                      int32_t *out) {
  char name[96];
  snprintf(name, sizeof name, "n%d.%s", x->node, what);
  return new_buffer(x, CF_BUFFER_TEMP, pr, n, x->node, poly, name, out);
}

static cf_status key_buffer(lctx *x, uint64_t galois, int digit, int poly, int32_t *out) {
  for (size_t i = 0; i < x->nkeys; i++) {
    const cf_dag_buffer_info *in = &x->d->infos[x->keys[i]];
    if (x->key_g[i] == galois && in->digit == (uint32_t)digit &&
        x->d->bufs[x->keys[i]].poly == poly) {
      *out = x->keys[i];
      return CF_OK;
    }
  }
  uint16_t pr[CF_CHAIN_MAX_Q + CF_CHAIN_MAX_P];
  size_t n = qp_primes(x->d, pr, (int)x->d->nq - 1);
  char name[96];
  if (galois)
    snprintf(name, sizeof name, "gk%llu.d%d.%c", (unsigned long long)galois, digit,
             poly ? 'a' : 'b');
  else
    snprintf(name, sizeof name, "rlk.d%d.%c", digit, poly ? 'a' : 'b');
  CF_TRY(new_buffer(x, CF_BUFFER_KEY, pr, n, -1, poly, name, out));
  x->d->infos[*out].galois = galois;
  x->d->infos[*out].digit = (uint32_t)digit;
  x->d->infos[*out].node = -1;
  int32_t *k = realloc(x->keys, (x->nkeys + 1) * sizeof *k);
  if (k) x->keys = k;
  uint64_t *g = realloc(x->key_g, (x->nkeys + 1) * sizeof *g);
  if (g) x->key_g = g;
  if (!k || !g) return CF_FAIL(CF_ENOMEM, "key list");
  x->keys[x->nkeys] = *out;
  x->key_g[x->nkeys++] = galois;
  return CF_OK;
}

/* A plaintext buffer for node v encoded at (level, scale): shared by uses. */
static cf_status plain_buffer(lctx *x, int v, int level, double scale, int32_t *out) {
  cf_dag *d = x->d;
  uint32_t slots = x->p->nodes[x->node].type.slots;
  for (size_t i = 0; i < d->nbufs; i++) {
    const cf_dag_buffer_info *in = &d->infos[i];
    if (d->bufs[i].role == CF_BUFFER_PLAINTEXT && in->node == v && in->level == level &&
        in->scale == scale && in->slots == slots) {
      *out = (int32_t)i;
      return CF_OK;
    }
  }
  uint16_t pr[CF_CHAIN_MAX_Q];
  size_t n = q_primes(pr, level);
  char name[160];
  const cf_node *nd = &x->p->nodes[v];
  if (nd->op == CF_OP_PLAINTEXT)
    snprintf(name, sizeof name, "%s@L%d", nd->name, level);
  else
    snprintf(name, sizeof name, "const%d@L%d", v, level);
  CF_TRY(new_buffer(x, CF_BUFFER_PLAINTEXT, pr, n, v, 0, name, out));
  d->infos[*out].node = v;
  d->infos[*out].level = level;
  d->infos[*out].scale = scale;
  d->infos[*out].slots = slots;
  return CF_OK;
}

/* ---- tasks ---- */

static cf_status push_task(lctx *x, cf_dag_task *t) {
  cf_dag *d = x->d;
  if (d->ntasks == d->taskcap) {
    size_t cap = d->taskcap ? d->taskcap * 2 : 256;
    cf_dag_task *n = realloc(d->tasks, cap * sizeof *n);
    if (!n) return CF_FAIL(CF_ENOMEM, "DAG tasks");
    d->tasks = n, d->taskcap = cap;
  }
  t->id = (uint32_t)d->ntasks;
  t->he_node = x->node;
  t->level = x->level;
  double mm, ntt;
  cf_dag_task_cost(d, t, &mm, &ntt);
  cf_node_cost *c = &d->node_cost[x->node];
  c->ntasks++, c->modmuls += mm, c->ntts += ntt, c->bytes += t->bytes, c->cost_ns += t->cost_ns;
  d->tasks[d->ntasks++] = *t;
  return CF_OK;
}

/* An operand of a limb-local step: the rows with the iterated primes, found
 * in the first of up to two buffers that holds each prime. */
typedef struct opnd {
  int32_t buf[2];
  cf_access acc;
  int lo, hi; /* buf[0] only serves primes in [lo, hi) when hi > 0 */
} opnd;

static int where(const cf_dag *d, const opnd *o, uint16_t prime, int *row) {
  for (int k = 0; k < 2; k++) {
    if (o->buf[k] < 0) continue;
    if (k == 0 && o->hi > 0 && (prime < o->lo || prime >= o->hi)) continue;
    int r = d->pos[o->buf[k]][prime];
    if (r >= 0) {
      *row = r;
      return o->buf[k];
    }
  }
  return -1;
}

/* Tasks of one limb-local step over the rows with primes pr[0..n): split at
 * grain boundaries and wherever an operand's rows stop being contiguous. */
static cf_status limbwise(lctx *x, cf_kernel_kind kind, uint64_t arg, const uint16_t *pr, size_t n,
                          int nops, const opnd *ops) {
  cf_dag *d = x->d;
  size_t g = d->opts.grain ? d->opts.grain : n;
  size_t i = 0;
  while (i < n) {
    int b0[5], r0[5];
    for (int k = 0; k < nops; k++) {
      b0[k] = where(d, &ops[k], pr[i], &r0[k]);
      if (b0[k] < 0)
        return CF_FAIL(CF_EINTERNAL, "lowering node %d: prime %u missing from an operand", x->node,
                       pr[i]);
    }
    size_t j = i + 1;
    for (; j < n && j / g == i / g; j++) {
      bool ok = true;
      for (int k = 0; k < nops && ok; k++) {
        int r, b = where(d, &ops[k], pr[j], &r);
        ok = b == b0[k] && r == r0[k] + (int)(j - i);
      }
      if (!ok) break;
    }
    cf_dag_task t;
    memset(&t, 0, sizeof t);
    t.kind = kind;
    t.npieces = (uint8_t)nops;
    for (int k = 0; k < nops; k++)
      t.pieces[k] = (cf_dag_piece){(uint32_t)b0[k], (uint16_t)r0[k], (uint16_t)(j - i), ops[k].acc};
    if (kind == CF_KERNEL_AUTOMORPH) t.arg.galois = arg;
    if (kind == CF_KERNEL_MUL_CONST) t.arg.constant = (uint32_t)arg;
    CF_TRY(push_task(x, &t));
    i = j;
  }
  return CF_OK;
}

static opnd O(int32_t b, cf_access a) { return (opnd){{b, -1}, a, 0, 0}; }

static cf_status step1(lctx *x, cf_kernel_kind k, const uint16_t *pr, size_t n, int32_t a) {
  opnd o[1] = {O(a, CF_ACCESS_RW)};
  return limbwise(x, k, 0, pr, n, 1, o);
}

static cf_status step2(lctx *x, cf_kernel_kind k, uint64_t arg, const uint16_t *pr, size_t n,
                       int32_t out, int32_t a) {
  opnd o[2] = {O(out, CF_ACCESS_W), O(a, CF_ACCESS_R)};
  return limbwise(x, k, arg, pr, n, 2, o);
}

static cf_status step3(lctx *x, cf_kernel_kind k, const uint16_t *pr, size_t n, int32_t out,
                       int32_t a, int32_t b) {
  opnd o[3] = {O(out, k == CF_KERNEL_MUL_ACC ? CF_ACCESS_RW : CF_ACCESS_W), O(a, CF_ACCESS_R),
               O(b, CF_ACCESS_R)};
  return limbwise(x, k, 0, pr, n, 3, o);
}

/* Basis conversions (ModUp, ModDown), where limbs meet: tasks over groups
 * of output rows [r0, r1) of buffer out. */
static cf_status meet(lctx *x, cf_kernel_kind kind, uint32_t digit, int32_t out, size_t rows,
                      int32_t in, size_t in_first, size_t in_n) {
  size_t g = x->d->opts.grain ? (size_t)x->d->opts.grain : rows;
  /* A basis conversion first scales its input rows (one product per input
   * row and coefficient), in every task: at g output rows per task that
   * repeats 1/(g+1) of the work per extra task, so these take twice the
   * grain. */
  if (x->d->opts.grain) g *= 2;
  for (size_t r = 0; r < rows; r += g) {
    size_t e = r + g < rows ? r + g : rows;
    cf_dag_task t;
    memset(&t, 0, sizeof t);
    t.kind = kind;
    t.npieces = 2;
    t.pieces[0] = (cf_dag_piece){(uint32_t)out, (uint16_t)r, (uint16_t)(e - r),
                                 kind == CF_KERNEL_MODUP ? CF_ACCESS_W : CF_ACCESS_RW};
    t.pieces[1] = (cf_dag_piece){(uint32_t)in, (uint16_t)in_first, (uint16_t)in_n, CF_ACCESS_R};
    if (kind == CF_KERNEL_MODUP) t.arg.digit = digit;
    CF_TRY(push_task(x, &t));
  }
  return CF_OK;
}

/* Rescale out of place, over groups of output rows: rows [r, e) of out
 * from the same rows of in (Q_l layout: row i holds q_i) and the top row,
 * already in coefficient form in top. */
static cf_status rescale_rows(lctx *x, int32_t out, size_t rows, int32_t top, int32_t in) {
  size_t g = x->d->opts.grain ? x->d->opts.grain : rows;
  for (size_t r = 0; r < rows; r += g) {
    size_t e = r + g < rows ? r + g : rows;
    cf_dag_task t;
    memset(&t, 0, sizeof t);
    t.kind = CF_KERNEL_RESCALE;
    t.npieces = 3;
    t.pieces[0] = (cf_dag_piece){(uint32_t)out, (uint16_t)r, (uint16_t)(e - r), CF_ACCESS_W};
    t.pieces[1] = (cf_dag_piece){(uint32_t)top, 0, 1, CF_ACCESS_R};
    t.pieces[2] = (cf_dag_piece){(uint32_t)in, (uint16_t)r, (uint16_t)(e - r), CF_ACCESS_R};
    CF_TRY(push_task(x, &t));
  }
  return CF_OK;
}

/* ---- key switching (keyswitch.c) ---- */

static cf_status decompose(lctx *x, int32_t src, int level, decomp **out) {
  cf_dag *d = x->d;
  const cf_chain *c = &x->p->chain;
  decomp *dc = calloc(1, sizeof *dc);
  if (!dc) return CF_FAIL(CF_ENOMEM, "decomposition");
  dc->src = src;
  uint16_t pr[CF_CHAIN_MAX_Q + CF_CHAIN_MAX_P];
  size_t nq = q_primes(pr, level);
  int32_t t;
  cf_status st = temp(x, pr, nq, -1, "ks.coef", &t);
  if (st == CF_OK) st = step2(x, CF_KERNEL_COPY, 0, pr, nq, t, src);
  if (st == CF_OK) st = step1(x, CF_KERNEL_INTT, pr, nq, t);
  int a = alpha(c);
  dc->ndigits = (level + a) / a;
  for (int j = 0; j < dc->ndigits && st == CF_OK; j++) {
    int first = j * a, cnt = first + a <= level + 1 ? a : level + 1 - first;
    uint16_t ep[CF_CHAIN_MAX_Q + CF_CHAIN_MAX_P];
    size_t ne = 0;
    for (int i = 0; i <= level; i++)
      if (i < first || i >= first + cnt) ep[ne++] = (uint16_t)i;
    for (size_t k = d->nq; k < d->nprimes; k++)
      ep[ne++] = (uint16_t)k;
    char what[32];
    snprintf(what, sizeof what, "ks.ext%d", j);
    st = temp(x, ep, ne, -1, what, &dc->ext[j]);
    if (st == CF_OK)
      st = meet(x, CF_KERNEL_MODUP, (uint32_t)j, dc->ext[j], ne, t, (size_t)first, (size_t)cnt);
    if (st == CF_OK) st = step1(x, CF_KERNEL_NTT, ep, ne, dc->ext[j]);
  }
  if (st != CF_OK) {
    free(dc);
    return st;
  }
  *out = dc;
  return CF_OK;
}

/* (acc0, acc1) over Q_l u P after ModDown: their first l+1 rows hold the
 * key-switched pair. galois 0: relinearization key, no automorphism. */
static cf_status ks_apply(lctx *x, const decomp *dc, int level, uint64_t galois, int32_t acc[2]) {
  cf_dag *d = x->d;
  const cf_chain *c = &x->p->chain;
  uint16_t pr[CF_CHAIN_MAX_Q + CF_CHAIN_MAX_P];
  size_t n = qp_primes(d, pr, level);
  CF_TRY(temp(x, pr, n, 0, "ks.acc0", &acc[0]));
  CF_TRY(temp(x, pr, n, 1, "ks.acc1", &acc[1]));
  int a = alpha(c);
  for (int j = 0; j < dc->ndigits; j++) {
    int first = j * a, cnt = first + a <= level + 1 ? a : level + 1 - first;
    int32_t own = dc->src, ext = dc->ext[j];
    if (galois) {
      uint16_t op[CF_CHAIN_MAX_Q];
      for (int i = 0; i < cnt; i++)
        op[i] = (uint16_t)(first + i);
      char what[32];
      snprintf(what, sizeof what, "ks.rot%d", j);
      CF_TRY(temp(x, op, (size_t)cnt, -1, what, &own));
      CF_TRY(step2(x, CF_KERNEL_AUTOMORPH, galois, op, (size_t)cnt, own, dc->src));
      /* the primes array is owned by the buffer; the bufs array may move */
      const uint16_t *ep = d->bufs[dc->ext[j]].primes;
      size_t en = d->bufs[dc->ext[j]].nlimbs;
      snprintf(what, sizeof what, "ks.rotext%d", j);
      CF_TRY(temp(x, ep, en, -1, what, &ext));
      CF_TRY(step2(x, CF_KERNEL_AUTOMORPH, galois, ep, en, ext, dc->ext[j]));
    }
    int32_t kb, ka;
    CF_TRY(key_buffer(x, galois, j, 0, &kb));
    CF_TRY(key_buffer(x, galois, j, 1, &ka));
    /* The digit in evaluation form over Q_l u P: its own rows, then ext. */
    opnd dig = {{own, ext}, CF_ACCESS_R, first, first + cnt};
    if (j == 0) {
      opnd o0[3] = {O(acc[0], CF_ACCESS_W), dig, O(kb, CF_ACCESS_R)};
      opnd o1[3] = {O(acc[1], CF_ACCESS_W), dig, O(ka, CF_ACCESS_R)};
      CF_TRY(limbwise(x, CF_KERNEL_MUL, 0, pr, n, 3, o0));
      CF_TRY(limbwise(x, CF_KERNEL_MUL, 0, pr, n, 3, o1));
    } else {
      opnd o[5] = {O(acc[0], CF_ACCESS_RW), O(acc[1], CF_ACCESS_RW), dig, O(kb, CF_ACCESS_R),
                   O(ka, CF_ACCESS_R)};
      CF_TRY(limbwise(x, CF_KERNEL_KS_INNER, 0, pr, n, 5, o));
    }
  }
  size_t nq = (size_t)level + 1, K = d->nprimes - d->nq;
  for (int i = 0; i < 2; i++) {
    CF_TRY(step1(x, CF_KERNEL_INTT, pr + nq, K, acc[i]));
    CF_TRY(meet(x, CF_KERNEL_MODDOWN, 0, acc[i], nq, acc[i], nq, K));
  }
  return CF_OK;
}

static void free_decomp(lctx *x, cf_value v) {
  free(x->dc[v]);
  x->dc[v] = NULL;
}

/* ---- operations ---- */

static cf_status rotate(lctx *x, cf_value src, uint64_t galois, bool share, int32_t out[2],
                        decomp **own) {
  const cf_type *t = &x->p->nodes[src].type;
  int l = t->level;
  decomp *dc = share ? x->dc[src] : NULL;
  if (!dc) {
    CF_TRY(decompose(x, x->vb[src][1], l, &dc));
    if (share)
      x->dc[src] = dc;
    else
      *own = dc;
  }
  int32_t acc[2];
  CF_TRY(ks_apply(x, dc, l, galois, acc));
  uint16_t pr[CF_CHAIN_MAX_Q];
  size_t n = q_primes(pr, l);
  int32_t r0, s0;
  CF_TRY(temp(x, pr, n, 0, "rot.c0", &r0));
  CF_TRY(step2(x, CF_KERNEL_AUTOMORPH, galois, pr, n, r0, x->vb[src][0]));
  CF_TRY(temp(x, pr, n, 0, "c0", &s0));
  CF_TRY(step3(x, CF_KERNEL_ADD, pr, n, s0, r0, acc[0]));
  out[0] = s0, out[1] = acc[1];
  return CF_OK;
}

static cf_status constant(lctx *x, double c, const cf_scale *ps, uint32_t *index) {
  cf_dag *d = x->d;
  double v = round(c * cf_scale_value(&x->p->chain, ps));
  if (!(fabs(v) < 0x1p62))
    return CF_FAIL(CF_ESCALE, "lowering node %%%d: constant %g times its scale exceeds 2^62",
                   x->node, c);
  int64_t z = (int64_t)v;
  if (d->nconsts == d->constcap) {
    size_t cap = d->constcap ? d->constcap * 2 : 16;
    uint64_t *n = realloc(d->consts, cap * d->nprimes * sizeof *n);
    if (!n) return CF_FAIL(CF_ENOMEM, "constants");
    d->consts = n, d->constcap = cap;
  }
  uint64_t *r = d->consts + d->nconsts * d->nprimes;
  const cf_chain *ch = &x->p->chain;
  for (size_t i = 0; i < d->nprimes; i++) {
    uint64_t q = i < d->nq ? ch->q[i] : ch->p[i - d->nq];
    uint64_t m = (uint64_t)(z < 0 ? -(z + 1) : z) % q;
    if (z < 0) m = (m + 1) % q, m = m ? q - m : 0;
    r[i] = m;
  }
  *index = (uint32_t)d->nconsts++;
  return CF_OK;
}

static cf_status lower_node(lctx *x, cf_value v) {
  const cf_program *p = x->p;
  const cf_node *n = &p->nodes[v];
  x->node = v;
  x->level = n->type.level;
  int32_t *out = x->vb[v];
  uint16_t pr[CF_CHAIN_MAX_Q];
  const cf_type *ta = n->nargs ? &p->nodes[n->args[0]].type : NULL;
  const cf_type *tb = n->nargs > 1 ? &p->nodes[n->args[1]].type : NULL;
  int l = ta ? ta->level : n->type.level;
  size_t nr = l >= 0 ? q_primes(pr, l) : 0;
  int32_t *A = n->nargs ? x->vb[n->args[0]] : NULL, *B = n->nargs > 1 ? x->vb[n->args[1]] : NULL;
  if (ta) x->level = l;
  switch (n->op) {
  case CF_OP_INPUT:
    for (int k = 0; k < n->type.polys; k++) {
      char name[160];
      snprintf(name, sizeof name, "%s.c%d", n->name, k);
      CF_TRY(new_buffer(x, CF_BUFFER_CIPHERTEXT, pr, nr, v, k, name, &out[k]));
    }
    return CF_OK;
  case CF_OP_PLAINTEXT:
  case CF_OP_CONST: return CF_OK;
  case CF_OP_ADD:
  case CF_OP_SUB: {
    cf_kernel_kind k = n->op == CF_OP_ADD ? CF_KERNEL_ADD : CF_KERNEL_SUB;
    if (tb->kind == CF_KIND_CT) {
      static const char *const names[3] = {"c0", "c1", "c2"};
      for (int i = 0; i < ta->polys; i++) {
        CF_TRY(temp(x, pr, nr, i, names[i], &out[i]));
        CF_TRY(step3(x, k, pr, nr, out[i], A[i], B[i]));
      }
      return CF_OK;
    }
    int32_t pt;
    CF_TRY(plain_buffer(x, n->args[1], l, cf_scale_value(&p->chain, &ta->scale), &pt));
    CF_TRY(temp(x, pr, nr, 0, "c0", &out[0]));
    CF_TRY(step3(x, k, pr, nr, out[0], A[0], pt));
    for (int i = 1; i < ta->polys; i++)
      out[i] = A[i];
    return CF_OK;
  }
  case CF_OP_NEG:
    for (int i = 0; i < ta->polys; i++) {
      CF_TRY(temp(x, pr, nr, i, "neg", &out[i]));
      CF_TRY(step2(x, CF_KERNEL_NEG, 0, pr, nr, out[i], A[i]));
    }
    return CF_OK;
  case CF_OP_MUL:
    if (tb->kind == CF_KIND_CT) {
      for (int i = 0; i < 3; i++)
        CF_TRY(temp(x, pr, nr, i, i == 0 ? "d0" : i == 1 ? "d1" : "d2", &out[i]));
      CF_TRY(step3(x, CF_KERNEL_MUL, pr, nr, out[0], A[0], B[0]));
      CF_TRY(step3(x, CF_KERNEL_MUL, pr, nr, out[1], A[0], B[1]));
      CF_TRY(step3(x, CF_KERNEL_MUL_ACC, pr, nr, out[1], A[1], B[0]));
      CF_TRY(step3(x, CF_KERNEL_MUL, pr, nr, out[2], A[1], B[1]));
    } else if (tb->kind == CF_KIND_PT) {
      int32_t pt;
      CF_TRY(plain_buffer(x, n->args[1], l, cf_scale_value(&p->chain, &n->pscale), &pt));
      for (int i = 0; i < ta->polys; i++) {
        CF_TRY(temp(x, pr, nr, i, "mul", &out[i]));
        CF_TRY(step3(x, CF_KERNEL_MUL, pr, nr, out[i], A[i], pt));
      }
    } else {
      uint32_t ci = 0;
      CF_TRY(constant(x, p->nodes[n->args[1]].cval, &n->pscale, &ci));
      for (int i = 0; i < ta->polys; i++) {
        CF_TRY(temp(x, pr, nr, i, "mulc", &out[i]));
        CF_TRY(step2(x, CF_KERNEL_MUL_CONST, ci, pr, nr, out[i], A[i]));
      }
    }
    return CF_OK;
  case CF_OP_RELIN: {
    decomp *dc;
    CF_TRY(decompose(x, A[2], l, &dc));
    int32_t acc[2];
    cf_status st = ks_apply(x, dc, l, 0, acc);
    free(dc);
    CF_TRY(st);
    for (int i = 0; i < 2; i++) {
      CF_TRY(temp(x, pr, nr, i, i ? "c1" : "c0", &out[i]));
      CF_TRY(step3(x, CF_KERNEL_ADD, pr, nr, out[i], A[i], acc[i]));
    }
    return CF_OK;
  }
  case CF_OP_RESCALE: {
    uint16_t top = (uint16_t)l;
    for (int i = 0; i < ta->polys; i++) {
      int32_t tb2 = -1;
      CF_TRY(temp(x, pr, nr - 1, i, i ? "c1" : "c0", &out[i]));
      CF_TRY(temp(x, &top, 1, i, "rs.top", &tb2));
      CF_TRY(step2(x, CF_KERNEL_COPY, 0, &top, 1, tb2, A[i]));
      CF_TRY(step1(x, CF_KERNEL_INTT, &top, 1, tb2));
      CF_TRY(rescale_rows(x, out[i], nr - 1, tb2, A[i]));
    }
    return CF_OK;
  }
  case CF_OP_LEVEL_DROP:
    for (int i = 0; i < ta->polys; i++)
      out[i] = A[i];
    return CF_OK;
  case CF_OP_ROTATE:
  case CF_OP_CONJ: {
    uint64_t g =
        n->op == CF_OP_CONJ ? cf_galois_conjugate(&p->chain) : cf_galois_rotation(&p->chain, n->k);
    decomp *own = NULL;
    cf_status st = rotate(x, n->args[0], g, n->hoist != 0, out, &own);
    free(own);
    return st;
  }
  case CF_OP_LINEAR: {
    /* sum_i rot(x, k_i) * pt_i: the rotations share one decomposition. */
    decomp *own = NULL;
    cf_status st = CF_OK;
    bool had = x->dc[n->args[0]] != NULL;
    for (size_t t = 0; t < n->nterms && st == CF_OK; t++) {
      int32_t r[2];
      int k = n->rots[t] % (int)ta->slots;
      if (k == 0) {
        r[0] = A[0], r[1] = A[1];
      } else {
        st = rotate(x, n->args[0], cf_galois_rotation(&p->chain, n->rots[t]), true, r, &own);
        if (st != CF_OK) break;
      }
      int32_t pt;
      x->node = v, x->level = l;
      st = plain_buffer(x, n->pts[t], l, cf_scale_value(&p->chain, &n->pscale), &pt);
      for (int i = 0; i < 2 && st == CF_OK; i++) {
        if (t == 0) {
          st = temp(x, pr, nr, i, i ? "c1" : "c0", &out[i]);
          if (st == CF_OK) st = step3(x, CF_KERNEL_MUL, pr, nr, out[i], r[i], pt);
        } else {
          st = step3(x, CF_KERNEL_MUL_ACC, pr, nr, out[i], r[i], pt);
        }
      }
    }
    if (!had && !n->hoist) free_decomp(x, n->args[0]);
    return st;
  }
  case CF_OP_POLY:
    return CF_FAIL(CF_EUNSUPPORTED,
                   "lowering node %%%d poly: polynomial nodes must be expanded first "
                   "(cf_pass_expand_poly)",
                   v);
  case CF_OP_BOOTSTRAP:
    return CF_FAIL(CF_EUNSUPPORTED,
                   "lowering node %%%d bootstrap: bootstrapping has no lowering yet; the "
                   "program can be simulated but not lowered to tasks",
                   v);
  default: return CF_FAIL(CF_EINTERNAL, "lowering node %%%d: unknown op %d", v, (int)n->op);
  }
}

cf_status cf_lower(const cf_program *p, const cf_lower_options *o, cf_dag **out) {
  if (!p || !out) return CF_FAIL(CF_EINVAL, "program or output is NULL");
  *out = NULL;
  cf_lower_options opts;
  if (o)
    opts = *o;
  else
    cf_lower_options_default(&opts);
  if (opts.grain > 65535) return CF_FAIL(CF_EINVAL, "grain %u is too large", opts.grain);
  if (!(opts.ns_per_modmul >= 0) || !(opts.ns_per_byte >= 0))
    return CF_FAIL(CF_EINVAL, "cost model constants must be non-negative");
  cf_dag *d = calloc(1, sizeof *d);
  lctx x = {.d = d, .p = p};
  if (d) {
    d->log_n = p->chain.log_n;
    d->nq = p->chain.nq;
    d->nprimes = p->chain.nq + p->chain.np;
    d->opts = opts;
    d->nnodes = p->n;
    d->node_cost = calloc(p->n + 1, sizeof *d->node_cost);
    x.vb = malloc((p->n + 1) * sizeof *x.vb);
    x.dc = calloc(p->n + 1, sizeof *x.dc);
  }
  if (!d || !d->node_cost || !x.vb || !x.dc) {
    free(x.vb), free(x.dc);
    cf_dag_destroy(d);
    return CF_FAIL(CF_ENOMEM, "lowering");
  }
  cf_status st = CF_OK;
  for (size_t v = 0; v < p->n && st == CF_OK; v++) {
    x.vb[v][0] = x.vb[v][1] = x.vb[v][2] = -1;
    st = lower_node(&x, (cf_value)v);
  }
  if (st == CF_OK) {
    d->outs = calloc(p->nout + 1, sizeof *d->outs);
    if (!d->outs) st = CF_FAIL(CF_ENOMEM, "outputs");
    for (size_t i = 0; i < p->nout && st == CF_OK; i++) {
      cf_value v = p->outs[i].v;
      cf_dag_output *o2 = &d->outs[d->nouts++];
      o2->name = p->outs[i].name;
      o2->value = v;
      o2->npolys = p->nodes[v].type.polys;
      for (int k = 0; k < o2->npolys; k++)
        o2->buffers[k] = (uint32_t)x.vb[v][k];
      o2->nlimbs = (uint16_t)(p->nodes[v].type.level + 1);
      char *nm = strdup(o2->name);
      if (!nm) st = CF_FAIL(CF_ENOMEM, "output name");
      o2->name = nm;
    }
  }
  for (size_t v = 0; v < p->n; v++)
    free(x.dc[v]);
  free(x.vb), free(x.dc), free(x.keys), free(x.key_g);
  if (st == CF_OK && opts.fuse) st = cf_dag_fuse(d);
  if (st == CF_OK) st = cf_dag_derive_edges(d);
  if (st != CF_OK) {
    cf_dag_destroy(d);
    return st;
  }
  *out = d;
  return CF_OK;
}
