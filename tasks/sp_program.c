#include "tasks/sp_program.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <starpu.h>

#include "base/error.h"
#include "graph/ckks_exec.h"
#include "graph/executor.h"
#include "graph/ir.h"
#include "graph/named_values.h"
#include "graph/plain_values.h"
#include "kernels/ckks/internal.h"
#include "kernels/ckks/steps.h"
#include "tasks/ckks_runner.h"
#include "tasks/seq_exec.h"

typedef struct sp_state {
  const cf_ckks_params *params;
  cf_lower_options lower;
  cf_ckks_context *ctx;
  cf_ckks_secret_key *sk;
  cf_ckks_relin_key *rlk;
  cf_ckks_galois_key *gk;
  const cf_program *p;
  cf_dag *dag;
  cf_ckks_runner *cr;
  /* Kept from run to run: StarPU's data for the DAG (keys stay filled),
   * one ciphertext per input node, and host rows for the outputs. */
  cf_sp_plan *plan;
  cf_ckks_ciphertext **cts;
  uint64_t **out_rows;  /* per buffer: where an output's rows are read to, else NULL */
  uint64_t **row_alloc; /* per buffer: out_rows' memory when not in dec (owned) */
  uint64_t **dec;       /* per output: npolys x nlimbs rows in ciphertext layout */
  bool *dec_shared;     /* per output: out_rows point into dec[i] (no copy) */
  cf_named_set in, out;
  cf_sp_stats stats;
  bool have_stats, trace_on, verify;
  cf_trace_log trace;
  cf_sp_stage_times times;
} sp_state;

static uint64_t clock_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* StarPU's clock, which task profiling times (and so traces) use. */
static uint64_t starpu_ns(void) { return (uint64_t)(starpu_timing_now() * 1e3); }

static bool same_chain(const cf_chain *a, const cf_chain *b) {
  return a->log_n == b->log_n && a->nq == b->nq && a->np == b->np && a->dnum == b->dnum &&
         !memcmp(a->q, b->q, sizeof a->q) && !memcmp(a->p, b->p, sizeof a->p);
}

cf_status cf_sp_find_preset(const cf_program *p, const char **name) {
  for (const char *const *n = cf_ckks_preset_names(); *n; n++) {
    cf_ckks_params *pr;
    if (cf_ckks_params_preset(*n, true, &pr) != CF_OK) continue;
    cf_chain c;
    bool same = cf_chain_from_params(pr, &c) == CF_OK && same_chain(&c, &p->chain);
    cf_ckks_params_destroy(pr);
    if (same) {
      *name = *n;
      return CF_OK;
    }
  }
  return CF_FAIL(CF_ENOTFOUND, "no CKKS preset has the program's chain (N = 2^%d, %d q primes)",
                 p->chain.log_n, p->chain.nq);
}

static void drop_run(sp_state *s) {
  cf_sp_plan_destroy(s->plan);
  cf_ckks_runner_destroy(s->cr);
  for (size_t v = 0; s->cts && s->p && v < s->p->n; v++)
    cf_ckks_ciphertext_destroy(s->cts[v]);
  for (size_t i = 0; s->dec && i < cf_dag_noutputs(s->dag); i++)
    free(s->dec[i]);
  for (size_t b = 0; s->row_alloc && b < cf_dag_nbuffers(s->dag); b++)
    free(s->row_alloc[b]);
  free(s->cts), free(s->out_rows), free(s->row_alloc), free(s->dec), free(s->dec_shared);
  cf_ckks_relin_key_destroy(s->rlk);
  cf_ckks_galois_key_destroy(s->gk);
  cf_dag_destroy(s->dag);
  s->plan = NULL, s->cr = NULL, s->cts = NULL, s->out_rows = NULL, s->row_alloc = NULL;
  s->dec = NULL, s->dec_shared = NULL;
  s->rlk = NULL, s->gk = NULL, s->dag = NULL, s->p = NULL;
}

/* Host memory for the outputs, in the layout decryption reads (a
 * ciphertext's polynomials one after the other) whenever the output's
 * buffers have exactly its rows, so reading them back is the only copy. */
static cf_status alloc_outputs(sp_state *s) {
  size_t nb = cf_dag_nbuffers(s->dag), no = cf_dag_noutputs(s->dag),
         n = cf_ckks_params_n(s->params);
  s->out_rows = calloc(nb ? nb : 1, sizeof *s->out_rows);
  s->row_alloc = calloc(nb ? nb : 1, sizeof *s->row_alloc);
  s->dec = calloc(no ? no : 1, sizeof *s->dec);
  s->dec_shared = calloc(no ? no : 1, sizeof *s->dec_shared);
  if (!s->out_rows || !s->row_alloc || !s->dec || !s->dec_shared)
    return CF_FAIL(CF_ENOMEM, "output buffers");
  for (size_t i = 0; i < no; i++) {
    const cf_dag_output *o = cf_dag_output_at(s->dag, i);
    size_t words = (size_t)o->nlimbs * n;
    if (o->npolys < 2 || o->npolys > 3)
      return CF_FAIL(CF_EUNSUPPORTED, "output '%s' has %d polynomials", o->name, o->npolys);
    bool shared = true;
    for (int k = 0; k < o->npolys; k++)
      shared = shared && o->buffers[k] < nb && !s->out_rows[o->buffers[k]] &&
               cf_dag_buffer_at(s->dag, o->buffers[k])->nlimbs == o->nlimbs;
    for (int k = 0; shared && k < o->npolys; k++)
      for (int j = 0; j < k; j++)
        shared = shared && o->buffers[j] != o->buffers[k];
    s->dec[i] = cf_ckks_rows_alloc(s->ctx, (size_t)o->nlimbs * (size_t)o->npolys);
    if (!s->dec[i]) return CF_FAIL(CF_ENOMEM, "output '%s'", o->name);
    s->dec_shared[i] = shared;
    if (shared) {
      for (int k = 0; k < o->npolys; k++)
        s->out_rows[o->buffers[k]] = s->dec[i] + (size_t)k * words;
      continue;
    }
    for (int k = 0; k < o->npolys; k++) {
      uint32_t b = o->buffers[k];
      if (b >= nb) return CF_FAIL(CF_EINVAL, "output '%s': buffer %u", o->name, b);
      if (s->out_rows[b]) continue;
      s->out_rows[b] = s->row_alloc[b] =
          cf_ckks_rows_alloc(s->ctx, cf_dag_buffer_at(s->dag, b)->nlimbs);
      if (!s->out_rows[b]) return CF_FAIL(CF_ENOMEM, "output '%s'", o->name);
    }
  }
  return CF_OK;
}

static cf_status sp_prepare(cf_executor *ex, const cf_program *p) {
  sp_state *s = ex->state;
  drop_run(s);
  cf_chain c;
  CF_TRY(cf_chain_from_params(s->params, &c));
  if (!same_chain(&c, &p->chain))
    return CF_FAIL(CF_EMISMATCH, "program chain differs from the executor's parameters");
  CF_TRY(cf_lower(p, &s->lower, &s->dag));
  int *steps = malloc((p->n + 1) * sizeof *steps);
  size_t ns = 0, cap = p->n + 1;
  bool conj = false, relin = false;
  cf_status st = steps ? CF_OK : CF_FAIL(CF_ENOMEM, "rotation list");
  for (size_t i = 0; st == CF_OK && i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    size_t need = ns + 1 + (n->op == CF_OP_LINEAR ? n->nterms : 0);
    if (need > cap) {
      int *g = realloc(steps, 2 * need * sizeof *g);
      if (!g)
        st = CF_FAIL(CF_ENOMEM, "rotation list");
      else
        steps = g, cap = 2 * need;
    }
    if (st != CF_OK) break;
    if (n->op == CF_OP_ROTATE) steps[ns++] = n->k;
    if (n->op == CF_OP_CONJ) conj = true;
    if (n->op == CF_OP_RELIN) relin = true;
    if (n->op == CF_OP_LINEAR)
      for (size_t t = 0; t < n->nterms; t++)
        if (n->rots[t] % (int)p->nodes[n->args[0]].type.slots) steps[ns++] = n->rots[t];
  }
  uint64_t k0 = clock_ns();
  if (st == CF_OK && relin) st = cf_ckks_keygen_relin(s->ctx, s->sk, &s->rlk);
  if (st == CF_OK && (ns || conj))
    st = cf_ckks_keygen_galois(s->ctx, s->sk, steps, ns, conj, &s->gk);
  s->times.keygen_ns = clock_ns() - k0;
  free(steps);
  if (st != CF_OK) {
    drop_run(s);
    return st;
  }
  s->p = p;
  s->cts = calloc(p->n + 1, sizeof *s->cts);
  st = s->cts ? CF_OK : CF_FAIL(CF_ENOMEM, "StarPU executor: input ciphertexts");
  if (st == CF_OK) st = cf_ckks_runner_create(s->ctx, s->dag, &s->cr);
  if (st == CF_OK) st = alloc_outputs(s);
  if (st != CF_OK) drop_run(s);
  return st;
}

static cf_status sp_set_input(cf_executor *ex, const char *name, const double *re, const double *im,
                              size_t n) {
  sp_state *s = ex->state;
  return cf_named_put(&s->in, name, re, im, n);
}

/* Row pointers by prime index: row r of the buffer is row primes[r] of src. */
static void rows_of(const uint64_t **rows, const cf_dag_buffer *b, const uint64_t *src, size_t n) {
  for (uint32_t r = 0; r < b->nlimbs; r++)
    rows[r] = src + (size_t)b->primes[r] * n;
}

/* Slots of a plaintext buffer: those of the ciphertext it meets. */
static size_t plain_slots(const sp_state *s, int node) {
  const cf_node *n = &s->p->nodes[node];
  if (n->type.slots) return n->type.slots;
  for (size_t i = 0; i < s->p->n; i++)
    for (int a = 0; a < s->p->nodes[i].nargs; a++)
      if (s->p->nodes[i].args[a] == (cf_value)node && s->p->nodes[i].nargs > 0)
        return s->p->nodes[s->p->nodes[i].args[0]].type.slots;
  return cf_ckks_params_slots(s->params);
}

/* This run's content of buffer b, as row pointers into *pt, the input's
 * ciphertext or the keys; false in *has for buffers the DAG computes.
 * Plaintexts are encoded and inputs encrypted on every run, as the direct
 * evaluator does; keys are the executor's own. */
static cf_status input_rows(sp_state *s, size_t b, const uint64_t **rows, bool *has,
                            bool *encrypted, cf_ckks_plaintext **pt) {
  const cf_dag_buffer *db = cf_dag_buffer_at(s->dag, b);
  const cf_dag_buffer_info *info = cf_dag_buffer_info_at(s->dag, b);
  size_t n = cf_ckks_params_n(s->params);
  const cf_chain *c = &s->p->chain;
  *has = false;
  if (db->role == CF_BUFFER_KEY) {
    const uint64_t *k =
        info->galois
            ? cf_ckks_galois_key_poly(s->ctx, s->gk, info->galois, (int)info->digit, db->poly)
            : cf_ckks_relin_key_poly(s->ctx, s->rlk, (int)info->digit, db->poly);
    if (!k) return CF_FAIL(CF_ENOTFOUND, "no key for buffer %s", db->name);
    rows_of(rows, db, k, n);
    *has = true;
    return CF_OK;
  }
  if (db->role == CF_BUFFER_PLAINTEXT) {
    size_t slots = info->slots ? info->slots : plain_slots(s, info->node);
    double *d = NULL;
    CF_TRY(cf_plain_values(s->p, info->node, slots, &s->in, &d));
    cf_status st = cf_ckks_encode(s->ctx, d, NULL, slots, info->level, info->scale, pt);
    free(d);
    CF_TRY(st);
    rows_of(rows, db, cf_ckks_plaintext_poly(*pt), n);
    *has = true;
    return CF_OK;
  }
  if (db->role != CF_BUFFER_CIPHERTEXT || db->value < 0) return CF_OK;
  const cf_node *node = &s->p->nodes[db->value];
  if (node->op != CF_OP_INPUT) return CF_OK;
  cf_ckks_ciphertext **ct = &s->cts[db->value];
  if (!encrypted[db->value]) {
    const cf_named *v = cf_named_get(&s->in, node->name);
    if (!v) return CF_FAIL(CF_ENOTFOUND, "no value given for input '%s'", node->name);
    if (v->n != node->type.slots)
      return CF_FAIL(CF_EINVAL, "input '%s' has %u slots, %zu values given", node->name,
                     node->type.slots, v->n);
    if (!*ct) CF_TRY(cf_ckks_ciphertext_create(s->ctx, ct));
    cf_ckks_plaintext *m = NULL;
    cf_status st = cf_ckks_encode(s->ctx, v->re, v->im, v->n, node->type.level,
                                  cf_scale_value(c, &node->type.scale), &m);
    if (st == CF_OK) st = cf_ckks_encrypt_sk(s->ctx, s->sk, m, *ct);
    cf_ckks_plaintext_destroy(m);
    CF_TRY(st);
    encrypted[db->value] = true;
  }
  rows_of(rows, db, cf_ckks_ciphertext_poly(*ct, db->poly), n);
  *has = true;
  return CF_OK;
}

/* Decrypts output i from its rows (read back by the run). */
static cf_status decrypt_output(sp_state *s, size_t i) {
  const cf_dag_output *o = cf_dag_output_at(s->dag, i);
  const cf_node *node = &s->p->nodes[o->value];
  size_t n = cf_ckks_params_n(s->params), slots = node->type.slots, words = (size_t)o->nlimbs * n;
  if (!s->dec_shared[i])
    for (int k = 0; k < o->npolys; k++)
      memcpy(s->dec[i] + (size_t)k * words, s->out_rows[o->buffers[k]], words * sizeof **s->dec);
  /* A ciphertext over the rows, read only by decryption. */
  cf_ckks_ciphertext ct = {.ctx = s->ctx,
                           .level = (int)o->nlimbs - 1,
                           .scale = cf_scale_value(&s->p->chain, &node->type.scale),
                           .slots = slots,
                           .size = o->npolys,
                           .cap = words * (size_t)o->npolys,
                           .data = s->dec[i]};
  double *re = calloc(slots ? slots : 1, sizeof *re), *im = calloc(slots ? slots : 1, sizeof *im);
  cf_ckks_plaintext *dec = NULL;
  cf_status st = re && im ? CF_OK : CF_FAIL(CF_ENOMEM, "output '%s'", o->name);
  if (st == CF_OK) st = cf_ckks_decrypt(s->ctx, s->sk, &ct, &dec);
  if (st == CF_OK) st = cf_ckks_decode(s->ctx, dec, re, im);
  if (st == CF_OK) st = cf_named_put(&s->out, o->name, re, im, slots);
  cf_ckks_plaintext_destroy(dec);
  free(re), free(im);
  return st;
}

static void free_host(const cf_dag *dag, uint64_t **h) {
  for (size_t b = 0; h && b < cf_dag_nbuffers(dag); b++)
    free(h[b]);
  free(h);
}

/* Bit-identical outputs, or CF_EVERIFY naming the first output that differs. */
static cf_status compare_outputs(const cf_dag *dag, size_t n, uint64_t **got, uint64_t **want) {
  for (size_t i = 0; i < cf_dag_noutputs(dag); i++) {
    const cf_dag_output *o = cf_dag_output_at(dag, i);
    for (int k = 0; k < o->npolys; k++) {
      const uint64_t *a = got[o->buffers[k]], *b = want[o->buffers[k]];
      for (size_t w = 0; w < (size_t)o->nlimbs * n; w++)
        if (a[w] != b[w])
          return CF_FAIL(CF_EVERIFY,
                         "output '%s' polynomial %d differs from the sequential execution at "
                         "row %zu, coefficient %zu",
                         o->name, k, w / n, w % n);
    }
  }
  return CF_OK;
}

/* Encrypts the inputs and encodes the plaintexts into StarPU's data (keys
 * only when the data does not hold them yet), and into ref[b], when ref is
 * given, for the sequential reference. */
static cf_status fill_inputs(sp_state *s, uint64_t **ref) {
  size_t nb = cf_dag_nbuffers(s->dag), n = cf_ckks_params_n(s->params), maxl = 1;
  for (size_t b = 0; b < nb; b++)
    if (cf_dag_buffer_at(s->dag, b)->nlimbs > maxl) maxl = cf_dag_buffer_at(s->dag, b)->nlimbs;
  const uint64_t **rows = malloc(maxl * sizeof *rows);
  bool *encrypted = calloc(s->p->n + 1, sizeof *encrypted);
  cf_status st = rows && encrypted ? CF_OK : CF_FAIL(CF_ENOMEM, "StarPU executor: input rows");
  for (size_t b = 0; st == CF_OK && b < nb; b++) {
    const cf_dag_buffer *db = cf_dag_buffer_at(s->dag, b);
    bool kept = db->role == CF_BUFFER_KEY && cf_sp_plan_filled(s->plan, (uint32_t)b);
    if (db->role == CF_BUFFER_TEMP || (kept && !ref)) continue;
    cf_ckks_plaintext *pt = NULL;
    bool has = false;
    st = input_rows(s, b, rows, &has, encrypted, &pt);
    if (st == CF_OK && has && !kept) st = cf_sp_plan_fill(s->plan, (uint32_t)b, rows);
    if (st == CF_OK && has && ref) {
      ref[b] = malloc((size_t)db->nlimbs * n * sizeof **ref);
      if (!ref[b]) st = CF_FAIL(CF_ENOMEM, "verification copy of buffer %zu", b);
      for (uint32_t l = 0; st == CF_OK && l < db->nlimbs; l++)
        memcpy(ref[b] + (size_t)l * n, rows[l], n * sizeof **ref);
    }
    cf_ckks_plaintext_destroy(pt);
  }
  free(rows), free(encrypted);
  return st;
}

/* The sequential reference on ref (inputs filled): room for every other buffer. */
static cf_status run_reference(sp_state *s, const cf_kernel_runner *r, uint64_t **ref) {
  size_t n = cf_ckks_params_n(s->params);
  for (size_t b = 0; b < cf_dag_nbuffers(s->dag); b++) {
    if (ref[b]) continue;
    ref[b] = calloc((size_t)cf_dag_buffer_at(s->dag, b)->nlimbs * n, sizeof **ref);
    if (!ref[b]) return CF_FAIL(CF_ENOMEM, "verification copy of buffer %zu", b);
  }
  return cf_seq_execute(s->dag, r, ref);
}

static cf_status sp_run(cf_executor *ex) {
  sp_state *s = ex->state;
  if (!s->p || !s->dag) return CF_FAIL(CF_EINVAL, "StarPU executor: prepare was not called");
  size_t nb = cf_dag_nbuffers(s->dag), n = cf_ckks_params_n(s->params);
  if (s->plan && !cf_sp_plan_current(s->plan)) {
    /* StarPU was restarted: the data registered before is gone. */
    cf_sp_plan_destroy(s->plan);
    s->plan = NULL;
  }
  uint64_t t0 = clock_ns();
  s->times.at_encrypt = starpu_ns();
  cf_sp_host_begin();
  cf_status st = s->plan ? CF_OK : cf_sp_plan_create(s->dag, (uint32_t)n, NULL, &s->plan);
  uint64_t **ref = NULL;
  if (st == CF_OK && s->verify) {
    ref = calloc(nb ? nb : 1, sizeof *ref);
    if (!ref) st = CF_FAIL(CF_ENOMEM, "verification copies");
  }
  if (st == CF_OK) st = fill_inputs(s, ref);
  cf_trace_log *trace = NULL;
  if (st == CF_OK && s->trace_on) {
    cf_trace_log_free(&s->trace);
    st = cf_trace_log_init(&s->trace, s->dag);
    trace = &s->trace;
  }
  cf_kernel_runner r = cf_ckks_runner_get(s->cr);
  uint64_t t1 = clock_ns();
  s->times.at_verify = starpu_ns();
  if (st == CF_OK && ref) st = run_reference(s, &r, ref);
  uint64_t t2 = clock_ns();
  s->times.at_execute = starpu_ns();
  s->have_stats = false;
  if (st == CF_OK) {
    st = cf_sp_plan_run(s->plan, &r, s->out_rows, &s->stats, trace);
    s->have_stats = st == CF_OK;
  }
  if (st == CF_OK && ref) st = compare_outputs(s->dag, n, s->out_rows, ref);
  free_host(s->dag, ref);
  uint64_t t3 = clock_ns();
  s->times.at_decrypt = starpu_ns();
  /* The workers stay paused after the run: decoding and whatever the
   * caller does next run on the host's cores (the next run resumes them). */
  cf_sp_host_begin();
  for (size_t i = 0; st == CF_OK && i < cf_dag_noutputs(s->dag); i++)
    st = decrypt_output(s, i);
  s->times.encrypt_ns = t1 - t0, s->times.verify_ns = t2 - t1;
  s->times.execute_ns = t3 - t2, s->times.decrypt_ns = clock_ns() - t3;
  s->times.at_end = starpu_ns();
  return st;
}

static cf_status sp_get_output(cf_executor *ex, const char *name, double *re, double *im,
                               size_t n) {
  sp_state *s = ex->state;
  const cf_named *v = cf_named_get(&s->out, name);
  if (!v) return CF_FAIL(CF_ENOTFOUND, "no output '%s' (run first)", name);
  if (n > v->n) return CF_FAIL(CF_EINVAL, "output '%s' has %zu slots, %zu asked", name, v->n, n);
  if (re) memcpy(re, v->re, n * sizeof *re);
  if (im) memcpy(im, v->im, n * sizeof *im);
  return CF_OK;
}

static void sp_destroy(cf_executor *ex) {
  sp_state *s = ex->state;
  drop_run(s);
  cf_ckks_secret_key_destroy(s->sk);
  cf_ckks_context_destroy(s->ctx);
  cf_named_clear(&s->in), cf_named_clear(&s->out);
  cf_trace_log_free(&s->trace);
  free(s);
  free(ex);
}

static const cf_executor_ops sp_ops = {.name = "starpu",
                                       .prepare = sp_prepare,
                                       .set_input = sp_set_input,
                                       .run = sp_run,
                                       .get_output = sp_get_output,
                                       .destroy = sp_destroy};

cf_status cf_executor_create_starpu(const cf_ckks_params *params, const cf_lower_options *lower,
                                    cf_executor **out) {
  if (!params || !out) return CF_FAIL(CF_EINVAL, "StarPU executor: NULL argument");
  cf_executor *ex = calloc(1, sizeof *ex);
  sp_state *s = calloc(1, sizeof *s);
  if (!ex || !s) {
    free(ex), free(s);
    return CF_FAIL(CF_ENOMEM, "StarPU executor");
  }
  s->params = params;
  if (lower)
    s->lower = *lower;
  else
    cf_lower_options_default(&s->lower);
  ex->ops = &sp_ops;
  ex->state = s;
  cf_status st = cf_ckks_context_create(params, &s->ctx);
  if (st == CF_OK) st = cf_ckks_keygen_secret(s->ctx, &s->sk);
  if (st != CF_OK) {
    sp_destroy(ex);
    return st;
  }
  *out = ex;
  return CF_OK;
}

const cf_sp_stats *cf_executor_starpu_stats(const cf_executor *ex) {
  const sp_state *s = ex && ex->ops == &sp_ops ? ex->state : NULL;
  return s && s->have_stats ? &s->stats : NULL;
}
const cf_dag *cf_executor_starpu_dag(const cf_executor *ex) {
  const sp_state *s = ex && ex->ops == &sp_ops ? ex->state : NULL;
  return s ? s->dag : NULL;
}
void cf_executor_starpu_verify(cf_executor *ex, bool on) {
  if (ex && ex->ops == &sp_ops) ((sp_state *)ex->state)->verify = on;
}
void cf_executor_starpu_trace(cf_executor *ex, bool on) {
  if (ex && ex->ops == &sp_ops) ((sp_state *)ex->state)->trace_on = on;
}
const cf_trace_log *cf_executor_starpu_trace_log(const cf_executor *ex) {
  const sp_state *s = ex && ex->ops == &sp_ops ? ex->state : NULL;
  return s && s->trace.records ? &s->trace : NULL;
}

typedef cf_status (*pass_fn)(const cf_program *, cf_program **);

static int bits(uint64_t x) { return 64 - __builtin_clzll(x); }

static cf_status params_from_chain(const cf_chain *c, cf_ckks_params **out) {
  cf_ckks_params_spec sp;
  memset(&sp, 0, sizeof sp);
  if (c->nq > CF_CKKS_MAX_PRIMES || c->np > CF_CKKS_MAX_PRIMES)
    return CF_FAIL(CF_EUNSUPPORTED, "chain with %u + %u primes", c->nq, c->np);
  sp.log_n = (int)c->log_n, sp.nq = (int)c->nq, sp.np = (int)c->np, sp.dnum = (int)c->dnum;
  for (uint32_t i = 0; i < c->nq; i++)
    sp.q_bits[i] = bits(c->q[i]);
  for (uint32_t i = 0; i < c->np; i++)
    sp.p_bits[i] = bits(c->p[i]);
  sp.log_scale = c->scale_log2;
  sp.allow_insecure = true;
  CF_TRY(cf_ckks_params_create(&sp, out));
  cf_chain got;
  cf_status st = cf_chain_from_params(*out, &got);
  if (st == CF_OK &&
      (got.nq != c->nq || got.np != c->np || memcmp(got.q, c->q, c->nq * sizeof *c->q) ||
       memcmp(got.p, c->p, c->np * sizeof *c->p)))
    st = CF_FAIL(CF_EMISMATCH, "the program's primes are not the ones CKKS generates for their "
                               "sizes; give --preset");
  if (st != CF_OK) {
    cf_ckks_params_destroy(*out);
    *out = NULL;
  }
  return st;
}

cf_status cf_sp_load_program(const char *path, const char *preset, cf_program **prog,
                             cf_ckks_params **params) {
  if (!path || !prog || !params) return CF_FAIL(CF_EINVAL, "load: NULL argument");
  cf_program *p = NULL;
  CF_TRY(cf_program_load(path, &p));
  pass_fn passes[] = {cf_pass_expand_poly, cf_pass_cse, cf_pass_dce, cf_pass_hoist_rotations};
  cf_status st = CF_OK;
  for (size_t i = 0; i < sizeof passes / sizeof passes[0] && st == CF_OK; i++) {
    cf_program *q = NULL;
    st = passes[i](p, &q);
    if (st == CF_OK) {
      cf_program_destroy(p);
      p = q;
    }
  }
  const char *name = preset;
  if (st == CF_OK && !name && cf_sp_find_preset(p, &name) != CF_OK) {
    /* No preset: parameters from the chain's own prime sizes (primes are
     * generated deterministically from them); prepare checks they match. */
    cf_clear_error();
    st = params_from_chain(&p->chain, params);
  } else if (st == CF_OK) {
    st = cf_ckks_params_preset(name, true, params);
  }
  if (st != CF_OK) {
    cf_program_destroy(p);
    return st;
  }
  *prog = p;
  return CF_OK;
}

static double unit(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1p-52 - 1.0;
}

cf_status cf_sp_random_inputs(cf_executor *ex, const cf_program *p, uint64_t seed) {
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    bool input = n->op == CF_OP_INPUT;
    if (!input && !(n->op == CF_OP_PLAINTEXT && n->data_kind == CF_DATA_EXTERNAL)) continue;
    size_t m = n->type.slots;
    double *re = malloc((m ? m : 1) * sizeof *re), *im = calloc(m ? m : 1, sizeof *im);
    if (!re || !im) {
      free(re), free(im);
      return CF_FAIL(CF_ENOMEM, "inputs of %zu slots", m);
    }
    uint64_t s = seed + i;
    for (size_t j = 0; j < m; j++)
      re[j] = unit(&s), im[j] = input ? unit(&s) * 0.5 : 0;
    cf_status st = cf_executor_set_input(ex, n->name, re, im, m);
    free(re), free(im);
    CF_TRY(st);
  }
  return CF_OK;
}

const cf_sp_stage_times *cf_executor_starpu_times(const cf_executor *ex) {
  const sp_state *s = ex && ex->ops == &sp_ops ? ex->state : NULL;
  return s ? &s->times : NULL;
}
const cf_program *cf_executor_starpu_program(const cf_executor *ex) {
  const sp_state *s = ex && ex->ops == &sp_ops ? ex->state : NULL;
  return s ? s->p : NULL;
}
