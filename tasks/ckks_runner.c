#include "tasks/ckks_runner.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/steps.h"

typedef struct galois_table {
  uint64_t galois;
  cf_automorph_table table;
} galois_table;

struct cf_ckks_runner {
  const cf_ckks_context *ctx;
  uint32_t n;
  galois_table *tables;
  size_t ntables;
};

cf_status cf_ckks_runner_create(const cf_ckks_context *ctx, const cf_dag *dag,
                                cf_ckks_runner **out) {
  if (!ctx || !dag || !out) return CF_FAIL(CF_EINVAL, "CKKS runner: NULL argument");
  cf_ckks_runner *r = calloc(1, sizeof *r);
  if (!r) return CF_FAIL(CF_ENOMEM, "CKKS runner");
  r->ctx = ctx;
  r->n = (uint32_t)cf_ckks_params_n(cf_ckks_context_params(ctx));
  for (size_t i = 0, nt = cf_dag_ntasks(dag); i < nt; i++) {
    const cf_dag_task *t = cf_dag_task_at(dag, i);
    uint64_t gal[CF_DAG_MAX_FUSED + 1];
    size_t ng = 0;
    if (t->kind == CF_KERNEL_AUTOMORPH) gal[ng++] = t->arg.galois;
    const cf_dag_fused_chain *ch =
        t->kind == CF_KERNEL_FUSED ? cf_dag_fused_chain_at(dag, t->arg.fused) : NULL;
    for (unsigned k = 0; ch && k < ch->nsteps; k++)
      if (ch->steps[k].kind == CF_KERNEL_AUTOMORPH) gal[ng++] = ch->steps[k].galois;
    for (size_t gi = 0; gi < ng; gi++) {
      bool have = false;
      for (size_t k = 0; k < r->ntables && !have; k++)
        have = r->tables[k].galois == gal[gi];
      if (have) continue;
      galois_table *g = realloc(r->tables, (r->ntables + 1) * sizeof *g);
      if (!g) {
        cf_ckks_runner_destroy(r);
        return CF_FAIL(CF_ENOMEM, "CKKS runner: automorphism tables");
      }
      r->tables = g;
      g[r->ntables].galois = gal[gi];
      cf_status st = cf_automorph_table_init(&g[r->ntables].table, r->n, gal[gi]);
      if (st != CF_OK) {
        cf_ckks_runner_destroy(r);
        return st;
      }
      r->ntables++;
    }
  }
  *out = r;
  return CF_OK;
}

void cf_ckks_runner_destroy(cf_ckks_runner *r) {
  if (!r) return;
  for (size_t k = 0; k < r->ntables; k++)
    cf_automorph_table_free(&r->tables[k].table);
  free(r->tables);
  free(r);
}

/* Rows from r on that are contiguous in every piece. */
static uint32_t run_length(const cf_limb_span *s, unsigned np, uint32_t r, uint32_t n) {
  uint32_t k = 1;
  for (; r + k < s[0].nlimbs; k++)
    for (unsigned p = 0; p < np; p++)
      if (s[p].rows[r + k] != s[p].rows[r] + (size_t)k * n) return k;
  return k;
}

static bool contiguous(const cf_limb_span *s, uint32_t n) {
  return s->nlimbs == 0 || run_length(s, 1, 0, n) == s->nlimbs;
}

static cf_status limb_local(const cf_ckks_runner *r, const cf_dag *dag, const cf_dag_task *t,
                            const cf_limb_span *s) {
  const cf_ckks_context *c = r->ctx;
  unsigned np = t->npieces;
  for (unsigned p = 1; p < np; p++)
    if (s[p].nlimbs != s[0].nlimbs)
      return CF_FAIL(CF_EINVAL, "task %u: piece %u has %u limbs, piece 0 has %u", t->id, p,
                     s[p].nlimbs, s[0].nlimbs);
  const uint64_t *konst = NULL;
  const cf_automorph_table *tab = NULL;
  if (t->kind == CF_KERNEL_MUL_CONST) {
    size_t nc = 0;
    konst = cf_dag_constant(dag, t->arg.constant, &nc);
    for (uint32_t l = 0; konst && l < s[0].nlimbs; l++)
      if (s[0].primes[l] >= nc) konst = NULL;
    if (!konst) return CF_FAIL(CF_EINVAL, "task %u: constant %u missing", t->id, t->arg.constant);
  }
  if (t->kind == CF_KERNEL_AUTOMORPH) {
    for (size_t k = 0; k < r->ntables && !tab; k++)
      if (r->tables[k].galois == t->arg.galois) tab = &r->tables[k].table;
    if (!tab)
      return CF_FAIL(CF_EINVAL, "task %u: no table for galois %llu", t->id,
                     (unsigned long long)t->arg.galois);
  }
  for (uint32_t row = 0; row < s[0].nlimbs;) {
    uint32_t k = run_length(s, np, row, r->n);
    uint64_t *x[CF_DAG_MAX_PIECES];
    for (unsigned p = 0; p < np; p++)
      x[p] = s[p].rows[row];
    const uint16_t *pr = s[0].primes + row;
    switch (t->kind) {
    case CF_KERNEL_NTT: cf_ckks_step_ntt(c, x[0], pr, k); break;
    case CF_KERNEL_INTT: cf_ckks_step_intt(c, x[0], pr, k); break;
    case CF_KERNEL_ADD: cf_ckks_step_add(c, x[0], x[1], x[2], pr, k); break;
    case CF_KERNEL_SUB: cf_ckks_step_sub(c, x[0], x[1], x[2], pr, k); break;
    case CF_KERNEL_NEG: cf_ckks_step_neg(c, x[0], x[1], pr, k); break;
    case CF_KERNEL_MUL: cf_ckks_step_mul(c, x[0], x[1], x[2], pr, k); break;
    case CF_KERNEL_MUL_ACC: cf_ckks_step_mul_acc(c, x[0], x[1], x[2], pr, k); break;
    case CF_KERNEL_COPY: cf_ckks_step_copy(c, x[0], x[1], k); break;
    case CF_KERNEL_MUL_CONST: cf_ckks_step_mul_const(c, x[0], x[1], konst, pr, k); break;
    case CF_KERNEL_AUTOMORPH: cf_ckks_step_automorph(c, tab, x[0], x[1], k); break;
    case CF_KERNEL_KS_INNER: cf_ckks_step_ks_inner(c, x[0], x[1], x[2], x[3], x[4], pr, k); break;
    default: return CF_FAIL(CF_EUNSUPPORTED, "task %u: kind %d is not limb-local", t->id, t->kind);
    }
    row += k;
  }
  return CF_OK;
}

/* Scratch rows for the kinds where limbs meet, kept per thread and grown as
 * needed: a ModDown at N = 2^16 needs megabytes, and a fresh allocation per
 * task would page-fault it in every time. Slots: staged output, staged
 * input, work rows, staged rescale source. */
enum { SCRATCH_SLOTS = 4 };
typedef struct scratch {
  uint64_t *rows[SCRATCH_SLOTS];
  size_t words[SCRATCH_SLOTS];
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void scratch_free(void *p) {
  scratch *s = p;
  for (int i = 0; i < SCRATCH_SLOTS; i++)
    free(s->rows[i]);
  free(s);
}

static void scratch_init(void) {
  scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

/* At least words words in this thread's slot, or NULL. */
static uint64_t *scratch_get(int slot, size_t words) {
  pthread_once(&scratch_once, scratch_init);
  if (!scratch_key_ok) return NULL;
  scratch *s = pthread_getspecific(scratch_key);
  if (!s) {
    if (!(s = calloc(1, sizeof *s))) return NULL;
    if (pthread_setspecific(scratch_key, s) != 0) {
      free(s);
      return NULL;
    }
  }
  if (s->words[slot] < words) {
    free(s->rows[slot]);
    /* whole cache lines, as the AVX-512 kernels load them */
    s->rows[slot] = aligned_alloc(64, (words * sizeof(uint64_t) + 63) / 64 * 64);
    s->words[slot] = s->rows[slot] ? words : 0;
  }
  return s->rows[slot];
}

/* A polynomial addressed from row 0 whose rows [first, first+span->nlimbs)
 * are the piece: the piece itself when it starts at row 0 and is
 * contiguous, else scratch (copied in when the step reads it). */
typedef struct staged {
  uint64_t *base;
  uint64_t *scratch;
} staged;

static cf_status stage(staged *st, int slot, const cf_limb_span *s, uint32_t first, uint32_t n,
                       bool read) {
  st->scratch = NULL;
  if (first == 0 && contiguous(s, n)) {
    st->base = s->rows[0];
    return CF_OK;
  }
  /* The buffer is one block: address it from its row 0; the steps touch
   * only the piece's rows. */
  if (s->base && s->nlimbs && s->rows[0] == s->base + (size_t)first * n && contiguous(s, n)) {
    st->base = s->base;
    return CF_OK;
  }
  st->scratch = scratch_get(slot, ((size_t)first + s->nlimbs) * n);
  if (!st->scratch) return CF_FAIL(CF_ENOMEM, "staging %u rows", first + s->nlimbs);
  st->base = st->scratch;
  if (read)
    for (uint32_t l = 0; l < s->nlimbs; l++)
      memcpy(st->scratch + (size_t)(first + l) * n, s->rows[l], n * sizeof(uint64_t));
  return CF_OK;
}

static void unstage(staged *st, const cf_limb_span *s, uint32_t first, uint32_t n, bool write) {
  if (!st->scratch) return;
  if (write)
    for (uint32_t l = 0; l < s->nlimbs; l++)
      memcpy(s->rows[l], st->scratch + (size_t)(first + l) * n, n * sizeof(uint64_t));
}

static cf_status limbs_meet(const cf_ckks_runner *r, const cf_dag_task *t, const cf_limb_span *s) {
  bool from = t->kind == CF_KERNEL_RESCALE && t->npieces == 3; /* rescale out of place */
  if (t->npieces != 2 && !from)
    return CF_FAIL(CF_EINVAL, "task %u: %s needs 2 pieces%s", t->id,
                   t->kind == CF_KERNEL_MODUP     ? "modup"
                   : t->kind == CF_KERNEL_MODDOWN ? "moddown"
                                                  : "rescale",
                   t->kind == CF_KERNEL_RESCALE ? " (or 3)" : "");
  uint32_t n = r->n, f0 = t->pieces[0].first_limb, e0 = f0 + s[0].nlimbs;
  if (from && s[2].nlimbs != s[0].nlimbs)
    return CF_FAIL(CF_EINVAL, "task %u: rescale from %u rows into %u", t->id, s[2].nlimbs,
                   s[0].nlimbs);
  staged out, in, src = {0};
  CF_TRY(stage(&out, 0, &s[0], f0, n, t->kind != CF_KERNEL_MODUP && !from));
  cf_status st = stage(&in, 1, &s[1], 0, n, true);
  if (st == CF_OK && from) st = stage(&src, 3, &s[2], f0, n, true);
  if (st != CF_OK) {
    unstage(&in, &s[1], 0, n, false);
    unstage(&out, &s[0], f0, n, false);
    return st;
  }
  uint64_t *w = NULL;
  if (t->kind != CF_KERNEL_MODUP) {
    w = scratch_get(2, (size_t)e0 * n);
    if (!w) st = CF_FAIL(CF_ENOMEM, "task %u: scratch of %u rows", t->id, e0);
  }
  if (st == CF_OK) {
    if (t->kind == CF_KERNEL_MODUP)
      cf_ckks_step_modup(r->ctx, t->level, (int)t->arg.digit, out.base, in.base, f0, e0);
    else if (t->kind == CF_KERNEL_MODDOWN)
      cf_ckks_step_moddown(r->ctx, t->level, out.base, in.base, w, f0, e0);
    else
      cf_ckks_step_rescale(r->ctx, t->level, out.base, from ? src.base : out.base, in.base, w, f0,
                           e0);
  }
  if (from) unstage(&src, &s[2], f0, n, false);
  unstage(&in, &s[1], 0, n, false);
  unstage(&out, &s[0], f0, n, st == CF_OK);
  return st;
}

static cf_status run(void *ctx, const cf_dag *dag, const cf_dag_task *t, const cf_limb_span *s) {
  const cf_ckks_runner *r = ctx;
  switch (t->kind) {
  case CF_KERNEL_MODUP:
  case CF_KERNEL_MODDOWN:
  case CF_KERNEL_RESCALE: return limbs_meet(r, t, s);
  case CF_KERNEL_FUSED: {
    /* The chain's steps in order, each on the task pieces it names. */
    const cf_dag_fused_chain *ch = cf_dag_fused_chain_at(dag, t->arg.fused);
    if (!ch) return CF_FAIL(CF_EINVAL, "task %u: no fused chain %u", t->id, t->arg.fused);
    for (unsigned k = 0; k < ch->nsteps; k++) {
      const cf_dag_fused_step *fs = &ch->steps[k];
      cf_dag_task sub = {.id = t->id,
                         .kind = fs->kind,
                         .npieces = fs->npieces,
                         .he_node = t->he_node,
                         .level = t->level};
      cf_limb_span sp[CF_DAG_MAX_PIECES];
      for (unsigned q = 0; q < fs->npieces; q++) {
        if (fs->piece[q] >= t->npieces || fs->kind >= CF_KERNEL_FUSED)
          return CF_FAIL(CF_EINVAL, "task %u: fused step %u is malformed", t->id, k);
        sub.pieces[q] = t->pieces[fs->piece[q]];
        sp[q] = s[fs->piece[q]];
      }
      if (fs->kind == CF_KERNEL_AUTOMORPH) sub.arg.galois = fs->galois;
      if (fs->kind == CF_KERNEL_MUL_CONST) sub.arg.constant = fs->constant;
      CF_TRY(limb_local(r, dag, &sub, sp));
    }
    return CF_OK;
  }
  default: return limb_local(r, dag, t, s);
  }
}

cf_kernel_runner cf_ckks_runner_get(cf_ckks_runner *r) {
  return (cf_kernel_runner){.run = run, .ctx = r, .n = r->n, .ckks = r->ctx};
}
