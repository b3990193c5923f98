/* The direct sequential evaluator (see ckks_exec.h). */
#include "graph/ckks_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/ckks_dag.h"
#include "graph/executor.h"
#include "graph/ir.h"
#include "graph/lower.h"
#include "graph/named_values.h"
#include "graph/plain_values.h"
#include "kernels/ckks/internal.h"

typedef struct ck {
  const cf_ckks_params *params;
  cf_ckks_context *ctx;
  cf_ckks_secret_key *sk;
  cf_ckks_relin_key *rlk;
  cf_ckks_galois_key *gk;
  const cf_program *p;
  cf_ckks_ciphertext **ct; /* per node */
  cf_named_set in;
  bool dag; /* run the lowered task DAG instead of the evaluator */
  cf_lower_options lo;
} ck;

static void clear_values(ck *s) {
  if (s->ct && s->p)
    for (size_t i = 0; i < s->p->n; i++)
      cf_ckks_ciphertext_destroy(s->ct[i]);
  free(s->ct);
  s->ct = NULL;
}

static void clear_keys(ck *s) {
  cf_ckks_relin_key_destroy(s->rlk);
  cf_ckks_galois_key_destroy(s->gk);
  s->rlk = NULL, s->gk = NULL;
}

static cf_status ck_prepare(cf_executor *ex, const cf_program *p) {
  ck *s = ex->state;
  clear_values(s);
  clear_keys(s);
  s->p = NULL;
  cf_chain c;
  CF_TRY(cf_chain_from_params(s->params, &c));
  if (c.log_n != p->chain.log_n || c.nq != p->chain.nq || c.np != p->chain.np ||
      c.dnum != p->chain.dnum || memcmp(c.q, p->chain.q, sizeof c.q) != 0 ||
      memcmp(c.p, p->chain.p, sizeof c.p) != 0)
    return CF_FAIL(CF_EMISMATCH, "program chain differs from the executor's parameters");
  for (size_t i = 0; i < p->n; i++) {
    if (p->nodes[i].op == CF_OP_POLY)
      return CF_FAIL(CF_EUNSUPPORTED,
                     "node %%%zu poly: expand polynomials first "
                     "(cf_pass_expand_poly)",
                     i);
    if (p->nodes[i].op == CF_OP_BOOTSTRAP)
      return CF_FAIL(CF_EUNSUPPORTED, "node %%%zu bootstrap: not supported by the evaluator", i);
  }
  int *steps = malloc((p->n + 1) * 16 * sizeof *steps);
  if (!steps) return CF_FAIL(CF_ENOMEM, "rotation list");
  size_t ns = 0;
  bool conj = false, relin = false;
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    if (n->op == CF_OP_ROTATE) steps[ns++] = n->k;
    if (n->op == CF_OP_CONJ) conj = true;
    if (n->op == CF_OP_RELIN) relin = true;
    if (n->op == CF_OP_LINEAR) {
      int *g = realloc(steps, (p->n + 1 + ns + n->nterms) * 16 * sizeof *g);
      if (!g) {
        free(steps);
        return CF_FAIL(CF_ENOMEM, "rotation list");
      }
      steps = g;
      for (size_t t = 0; t < n->nterms; t++)
        if (n->rots[t] % (int)n->type.slots) steps[ns++] = n->rots[t];
    }
  }
  cf_status st = CF_OK;
  if (relin) st = cf_ckks_keygen_relin(s->ctx, s->sk, &s->rlk);
  if (st == CF_OK && (ns || conj))
    st = cf_ckks_keygen_galois(s->ctx, s->sk, steps, ns, conj, &s->gk);
  free(steps);
  if (st != CF_OK) return st;
  s->p = p;
  return CF_OK;
}

static cf_status ck_set_input(cf_executor *ex, const char *name, const double *re, const double *im,
                              size_t n) {
  ck *s = ex->state;
  return cf_named_put(&s->in, name, re, im, n);
}

static cf_status encode(const ck *s, cf_value v, size_t slots, int level, double scale,
                        cf_ckks_plaintext **pt) {
  double *d = NULL;
  CF_TRY(cf_plain_values(s->p, v, slots, &s->in, &d));
  cf_status st = cf_ckks_encode(s->ctx, d, NULL, slots, level, scale, pt);
  free(d);
  return st;
}

static cf_status eval_node(ck *s, size_t v, cf_ckks_ciphertext *out) {
  const cf_program *p = s->p;
  const cf_node *n = &p->nodes[v];
  const cf_chain *c = &p->chain;
  cf_ckks_ciphertext *A = n->nargs ? s->ct[n->args[0]] : NULL;
  cf_ckks_ciphertext *B = n->nargs > 1 ? s->ct[n->args[1]] : NULL;
  const cf_type *ta = n->nargs ? &p->nodes[n->args[0]].type : NULL;
  cf_ckks_plaintext *pt = NULL;
  cf_status st = CF_OK;
  switch (n->op) {
  case CF_OP_INPUT: {
    const cf_named *in = cf_named_get(&s->in, n->name);
    if (!in) return CF_FAIL(CF_ENOTFOUND, "no value given for input '%s'", n->name);
    if (in->n != n->type.slots)
      return CF_FAIL(CF_EINVAL, "input '%s' has %u slots, %zu values given", n->name, n->type.slots,
                     in->n);
    st = cf_ckks_encode(s->ctx, in->re, in->im, in->n, n->type.level,
                        cf_scale_value(c, &n->type.scale), &pt);
    if (st == CF_OK) st = cf_ckks_encrypt_sk(s->ctx, s->sk, pt, out);
    break;
  }
  case CF_OP_ADD:
  case CF_OP_SUB:
    if (B) {
      st = n->op == CF_OP_ADD ? cf_ckks_add(s->ctx, A, B, out) : cf_ckks_sub(s->ctx, A, B, out);
    } else {
      st = encode(s, n->args[1], ta->slots, ta->level, cf_scale_value(c, &ta->scale), &pt);
      if (st == CF_OK)
        st = n->op == CF_OP_ADD ? cf_ckks_add_plain(s->ctx, A, pt, out)
                                : cf_ckks_sub_plain(s->ctx, A, pt, out);
    }
    break;
  case CF_OP_NEG: st = cf_ckks_negate(s->ctx, A, out); break;
  case CF_OP_MUL:
    if (B) {
      st = cf_ckks_mul_norelin(s->ctx, A, B, out);
    } else if (p->nodes[n->args[1]].op == CF_OP_CONST) {
      st = cf_ckks_mul_const(s->ctx, A, p->nodes[n->args[1]].cval, 0.0,
                             cf_scale_value(c, &n->pscale), out);
    } else {
      st = encode(s, n->args[1], ta->slots, ta->level, cf_scale_value(c, &n->pscale), &pt);
      if (st == CF_OK) st = cf_ckks_mul_plain(s->ctx, A, pt, out);
    }
    break;
  case CF_OP_RELIN: st = cf_ckks_relinearize(s->ctx, s->rlk, A, out); break;
  case CF_OP_RESCALE: st = cf_ckks_rescale(s->ctx, A, out); break;
  case CF_OP_LEVEL_DROP: st = cf_ckks_drop_level(s->ctx, A, n->level_to, out); break;
  case CF_OP_ROTATE: st = cf_ckks_rotate(s->ctx, s->gk, A, n->k, out); break;
  case CF_OP_CONJ: st = cf_ckks_conjugate(s->ctx, s->gk, A, out); break;
  case CF_OP_LINEAR: {
    /* hoisted rotations, then multiply-accumulate, as the lowering does */
    cf_ckks_ciphertext **rot = calloc(n->nterms, sizeof *rot), *t = NULL;
    if (!rot) return CF_FAIL(CF_ENOMEM, "linear terms");
    for (size_t i = 0; i < n->nterms && st == CF_OK; i++)
      st = cf_ckks_ciphertext_create(s->ctx, &rot[i]);
    int *ks = malloc(n->nterms * sizeof *ks);
    if (!ks) st = CF_FAIL(CF_ENOMEM, "linear terms");
    for (size_t i = 0; st == CF_OK && i < n->nterms; i++)
      ks[i] = n->rots[i] % (int)ta->slots ? n->rots[i] : 0; /* 0: the term needs no rotation */
    if (st == CF_OK) st = cf_ckks_rotate_hoisted(s->ctx, s->gk, A, ks, n->nterms, rot);
    free(ks);
    if (st == CF_OK) st = cf_ckks_ciphertext_create(s->ctx, &t);
    for (size_t i = 0; i < n->nterms && st == CF_OK; i++) {
      cf_ckks_plaintext *w = NULL;
      st = encode(s, n->pts[i], ta->slots, ta->level, cf_scale_value(c, &n->pscale), &w);
      if (st == CF_OK) st = cf_ckks_mul_plain(s->ctx, rot[i], w, i ? t : out);
      if (st == CF_OK && i) st = cf_ckks_add(s->ctx, out, t, out);
      cf_ckks_plaintext_destroy(w);
    }
    for (size_t i = 0; i < n->nterms; i++)
      cf_ckks_ciphertext_destroy(rot[i]);
    free(rot);
    cf_ckks_ciphertext_destroy(t);
    break;
  }
  default: st = CF_FAIL(CF_EUNSUPPORTED, "node %%%zu %s: not supported", v, cf_op_name(n->op));
  }
  cf_ckks_plaintext_destroy(pt);
  return st;
}

static cf_status plain_cb(void *user, int node, size_t slots, int level, double scale,
                          cf_ckks_plaintext **out) {
  return encode(user, node, slots, level, scale, out);
}

/* Evaluates the nodes (only the inputs when inputs_only) into s->ct. */
static cf_status run_eval(ck *s, bool inputs_only) {
  const cf_program *p = s->p;
  clear_values(s);
  s->ct = calloc(p->n + 1, sizeof *s->ct);
  if (!s->ct) return CF_FAIL(CF_ENOMEM, "ciphertexts");
  for (size_t v = 0; v < p->n; v++) {
    if (p->nodes[v].type.kind != CF_KIND_CT) continue;
    if (inputs_only && p->nodes[v].op != CF_OP_INPUT) continue;
    CF_TRY(cf_ckks_ciphertext_create(s->ctx, &s->ct[v]));
    cf_status st = eval_node(s, v, s->ct[v]);
    if (st != CF_OK) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", cf_last_error());
      return CF_FAIL(st, "evaluating node %%%zu %s: %s", v, cf_op_name(p->nodes[v].op), msg);
    }
  }
  return CF_OK;
}

static cf_status run_dag(ck *s) {
  cf_dag *d;
  CF_TRY(cf_lower(s->p, &s->lo, &d));
  cf_status st = cf_ckks_run_dag(d, s->p, s->ctx, s->rlk, s->gk, plain_cb, s, s->ct);
  cf_dag_destroy(d);
  return st;
}

static cf_status ck_run(cf_executor *ex) {
  ck *s = ex->state;
  if (!s->p) return CF_FAIL(CF_EINVAL, "CKKS executor: prepare was not called or failed");
  CF_TRY(run_eval(s, s->dag));
  return s->dag ? run_dag(s) : CF_OK;
}

static cf_status ck_get_output(cf_executor *ex, const char *name, double *re, double *im,
                               size_t n) {
  ck *s = ex->state;
  if (!s->p || !s->ct) return CF_FAIL(CF_EINVAL, "CKKS executor: run was not called");
  for (size_t i = 0; i < s->p->nout; i++) {
    if (strcmp(s->p->outs[i].name, name) != 0) continue;
    cf_value v = s->p->outs[i].v;
    size_t m = s->p->nodes[v].type.slots;
    if (n != m) return CF_FAIL(CF_EINVAL, "output '%s' has %zu slots, buffer has %zu", name, m, n);
    cf_ckks_plaintext *pt;
    CF_TRY(cf_ckks_decrypt(s->ctx, s->sk, s->ct[v], &pt));
    double *r2 = malloc(s->p->chain.slots * sizeof *r2),
           *i2 = malloc(s->p->chain.slots * sizeof *i2);
    cf_status st = r2 && i2 ? cf_ckks_decode(s->ctx, pt, r2, i2) : CF_FAIL(CF_ENOMEM, "decode");
    if (st == CF_OK) {
      memcpy(re, r2, m * sizeof *re);
      if (im) memcpy(im, i2, m * sizeof *im);
    }
    free(r2), free(i2);
    cf_ckks_plaintext_destroy(pt);
    return st;
  }
  return CF_FAIL(CF_ENOTFOUND, "no output named '%s'", name);
}

static void ck_destroy(cf_executor *ex) {
  ck *s = ex->state;
  clear_values(s);
  clear_keys(s);
  cf_named_clear(&s->in);
  cf_ckks_secret_key_destroy(s->sk);
  cf_ckks_context_destroy(s->ctx);
  free(s);
  free(ex);
}

static const cf_executor_ops ck_ops = {"ckks", ck_prepare,    ck_set_input,
                                       ck_run, ck_get_output, ck_destroy};

cf_status cf_executor_create_ckks_dag(const cf_ckks_params *params, const cf_lower_options *o,
                                      cf_executor **out) {
  CF_TRY(cf_executor_create_ckks(params, out));
  ck *s = (*out)->state;
  s->dag = true;
  if (o)
    s->lo = *o;
  else
    cf_lower_options_default(&s->lo);
  return CF_OK;
}

cf_status cf_ckks_exec_compare_dag(cf_executor *ex, const cf_lower_options *o, size_t *differing) {
  if (!ex || ex->ops != &ck_ops || !differing)
    return CF_FAIL(CF_EINVAL, "not a CKKS executor, or differing is NULL");
  ck *s = ex->state;
  if (!s->p) return CF_FAIL(CF_EINVAL, "CKKS executor: prepare was not called or failed");
  const cf_program *p = s->p;
  CF_TRY(run_eval(s, false));
  cf_ckks_ciphertext **ref = calloc(p->nout + 1, sizeof *ref);
  if (!ref) return CF_FAIL(CF_ENOMEM, "reference outputs");
  cf_status st = CF_OK;
  for (size_t i = 0; i < p->nout && st == CF_OK; i++) {
    st = cf_ckks_ciphertext_create(s->ctx, &ref[i]);
    if (st == CF_OK) st = cf_ckks_ciphertext_copy(s->ct[p->outs[i].v], ref[i]);
  }
  /* the same encrypted inputs, through the DAG */
  for (size_t v = 0; v < p->n && st == CF_OK; v++)
    if (p->nodes[v].op != CF_OP_INPUT) cf_ckks_ciphertext_destroy(s->ct[v]), s->ct[v] = NULL;
  cf_lower_options keep = s->lo;
  if (o)
    s->lo = *o;
  else
    cf_lower_options_default(&s->lo);
  if (st == CF_OK) st = run_dag(s);
  s->lo = keep;
  size_t diff = 0;
  for (size_t i = 0; i < p->nout && st == CF_OK; i++) {
    const cf_ckks_ciphertext *a = ref[i], *b = s->ct[p->outs[i].v];
    size_t words = (size_t)a->size * (size_t)(a->level + 1) * s->ctx->n;
    if (a->size != b->size || a->level != b->level) {
      diff += words;
      continue;
    }
    for (size_t w = 0; w < words; w++)
      diff += a->data[w] != b->data[w];
  }
  for (size_t i = 0; i < p->nout; i++)
    cf_ckks_ciphertext_destroy(ref[i]);
  free(ref);
  if (st == CF_OK) *differing = diff;
  return st;
}

cf_status cf_executor_create_ckks(const cf_ckks_params *params, cf_executor **out) {
  if (!params || !out) return CF_FAIL(CF_EINVAL, "parameters or output is NULL");
  cf_executor *ex = calloc(1, sizeof *ex);
  ck *s = calloc(1, sizeof *s);
  if (!ex || !s) {
    free(ex), free(s);
    return CF_FAIL(CF_ENOMEM, "CKKS executor");
  }
  s->params = params;
  cf_status st = cf_ckks_context_create(params, &s->ctx);
  if (st == CF_OK) st = cf_ckks_keygen_secret(s->ctx, &s->sk);
  if (st != CF_OK) {
    cf_ckks_context_destroy(s->ctx);
    free(ex), free(s);
    return st;
  }
  ex->ops = &ck_ops, ex->state = s;
  *out = ex;
  return CF_OK;
}
