#include "tasks/dev_compose.h"

#include <stdlib.h>

#include "base/error.h"

bool cf_dev_kind_supported(cf_kernel_kind kind) {
  switch (kind) {
  case CF_KERNEL_NTT:
  case CF_KERNEL_INTT:
  case CF_KERNEL_ADD:
  case CF_KERNEL_SUB:
  case CF_KERNEL_NEG:
  case CF_KERNEL_MUL:
  case CF_KERNEL_MUL_ACC:
  case CF_KERNEL_MUL_CONST:
  case CF_KERNEL_COPY:
  case CF_KERNEL_AUTOMORPH:
  case CF_KERNEL_KS_INNER:
  case CF_KERNEL_MODUP:
  case CF_KERNEL_MODDOWN: return true;
  default: return false;
  }
}

/* Rows from r on that are contiguous in every piece and, when primes is
 * given, have consecutive prime indices. */
static uint32_t run_length(const cf_limb_span *s, unsigned np, uint32_t r, uint32_t n,
                           const uint16_t *primes) {
  uint32_t k = 1;
  for (; r + k < s[0].nlimbs; k++) {
    if (primes && primes[r + k] != primes[r] + k) return k;
    for (unsigned p = 0; p < np; p++)
      if (s[p].rows[r + k] != s[p].rows[r] + (size_t)k * n) return k;
  }
  return k;
}

/* Device scratch; the free is queued after the kernels that use it. */
static cf_status take(const cf_dev_ops *o, uint64_t **p, size_t words) {
  void *v = NULL;
  CF_TRY(o->alloc(o->dev, &v, (words ? words : 1) * sizeof(uint64_t)));
  *p = v;
  return CF_OK;
}

static void give(const cf_dev_ops *o, uint64_t *p) {
  if (p) o->free(o->dev, p);
}

/* MUL_CONST: the task's constant per row and its Shoup companion, on the device. */
static cf_status upload_constants(const cf_dev_ops *o, const cf_dev_tables *d, const cf_dag_task *t,
                                  const uint64_t *konst, size_t nconst, const cf_limb_span *s,
                                  uint64_t **dev) {
  uint32_t rows = s[0].nlimbs;
  uint64_t *host = malloc((2 * (size_t)rows + 1) * sizeof *host);
  if (!host) return CF_FAIL(CF_ENOMEM, "task %u: constants", t->id);
  cf_status st = CF_OK;
  for (uint32_t r = 0; r < rows && st == CF_OK; r++) {
    uint16_t p = s[0].primes[r];
    if (!konst || p >= nconst)
      st = CF_FAIL(CF_EINVAL, "task %u: constant %u missing", t->id, t->arg.constant);
    else {
      host[r] = konst[p];
      host[rows + r] = cf_shoup_prep(konst[p], d->host_mods[p].q);
    }
  }
  if (st == CF_OK) st = take(o, dev, 2 * (size_t)rows);
  if (st == CF_OK) {
    st = o->copy(o->dev, *dev, host, 2 * (size_t)rows * sizeof *host, true);
    if (st != CF_OK) give(o, *dev);
  }
  free(host);
  return st;
}

static cf_status limb_local(const cf_dev_ops *o, const cf_dev_tables *d, const cf_dag_task *t,
                            const uint64_t *konst, size_t nconst, const cf_limb_span *s,
                            uint32_t n) {
  unsigned np = t->npieces;
  uint32_t rows = s[0].nlimbs;
  for (unsigned p = 1; p < np; p++)
    if (s[p].nlimbs != rows)
      return CF_FAIL(CF_EINVAL, "task %u: piece %u has %u limbs, piece 0 has %u", t->id, p,
                     s[p].nlimbs, rows);
  const uint16_t *pr = s[0].primes;
  if (!pr && rows) return CF_FAIL(CF_EINVAL, "task %u: rows without prime indices", t->id);
  uint64_t *extra = NULL; /* MUL_CONST: constants; NEG: a zero row run */
  if (t->kind == CF_KERNEL_MUL_CONST) CF_TRY(upload_constants(o, d, t, konst, nconst, s, &extra));
  if (t->kind == CF_KERNEL_NEG) {
    CF_TRY(take(o, &extra, (size_t)rows * n));
    cf_status st = o->zero(o->dev, extra, (size_t)rows * n * sizeof(uint64_t));
    if (st != CF_OK) {
      give(o, extra);
      return st;
    }
  }
  cf_status st = CF_OK;
  for (uint32_t row = 0; row < rows && st == CF_OK;) {
    uint32_t k = run_length(s, np, row, n, pr);
    uint64_t *x[CF_DAG_MAX_PIECES];
    for (unsigned p = 0; p < np; p++)
      x[p] = s[p].rows[row];
    const cf_modulus *m = d->mods + pr[row];
    const cf_ntt_table *tab = d->ntt + pr[row];
    switch (t->kind) {
    case CF_KERNEL_NTT: st = o->ntt(o->dev, false, tab, n, x[0], 0, k); break;
    case CF_KERNEL_INTT: st = o->ntt(o->dev, true, tab, n, x[0], 0, k); break;
    case CF_KERNEL_ADD: st = o->add(o->dev, x[0], x[1], x[2], n, 0, k, m); break;
    case CF_KERNEL_SUB: st = o->sub(o->dev, x[0], x[1], x[2], n, 0, k, m); break;
    case CF_KERNEL_NEG: st = o->sub(o->dev, x[0], extra, x[1], n, 0, k, m); break;
    case CF_KERNEL_MUL: st = o->mul(o->dev, x[0], x[1], x[2], n, 0, k, m); break;
    case CF_KERNEL_MUL_ACC: st = o->mul_acc(o->dev, x[0], x[1], x[2], n, 0, k, m); break;
    case CF_KERNEL_MUL_CONST:
      st = o->mul_scalar(o->dev, x[0], x[1], extra + row, extra + rows + row, n, 0, k, m);
      break;
    case CF_KERNEL_COPY:
      if (x[0] != x[1]) st = o->copy(o->dev, x[0], x[1], (size_t)k * n * sizeof(uint64_t), false);
      break;
    case CF_KERNEL_AUTOMORPH: st = o->automorph(o->dev, x[0], x[1], n, t->arg.galois, 0, k); break;
    case CF_KERNEL_KS_INNER:
      st = o->mul_acc(o->dev, x[0], x[2], x[3], n, 0, k, m);
      if (st == CF_OK) st = o->mul_acc(o->dev, x[1], x[2], x[4], n, 0, k, m);
      break;
    default:
      st =
          CF_FAIL(CF_EUNSUPPORTED, "task %u: kind %d has no device implementation", t->id, t->kind);
    }
    row += k;
  }
  give(o, extra);
  return st;
}

/* t shifted to its target limbs [first, nb): limb 0 of the copy is limb
 * `first`, so outputs can be addressed from any row (arrays stay on the device). */
static cf_baseconv_table shifted(const cf_baseconv_table *t, size_t first) {
  cf_baseconv_table s = *t;
  s.b += first;
  s.ahat_mod_b += first * t->na;
  s.nb -= first;
  return s;
}

/* The input rows of a conversion as one contiguous device array. */
static cf_status gather(const cf_dev_ops *o, const cf_limb_span *s, uint32_t n, const uint64_t **in,
                        uint64_t **copy) {
  *copy = NULL;
  if (run_length(s, 1, 0, n, NULL) == s->nlimbs) {
    *in = s->rows[0];
    return CF_OK;
  }
  CF_TRY(take(o, copy, (size_t)s->nlimbs * n));
  for (uint32_t r = 0; r < s->nlimbs; r++) {
    cf_status st = o->copy(o->dev, *copy + (size_t)r * n, s->rows[r], n * sizeof(uint64_t), false);
    if (st != CF_OK) {
      give(o, *copy);
      return st;
    }
  }
  *in = *copy;
  return CF_OK;
}

static cf_status limbs_meet(const cf_dev_ops *o, const cf_dev_tables *d, const cf_dag_task *t,
                            const cf_limb_span *s, uint32_t n) {
  if (t->npieces != 2) return CF_FAIL(CF_EINVAL, "task %u: needs 2 pieces", t->id);
  if (t->level < 0 || t->level > d->max_level)
    return CF_FAIL(CF_ELEVEL, "task %u: level %d outside [0, %d]", t->id, t->level, d->max_level);
  if (t->kind == CF_KERNEL_MODUP && t->arg.digit >= (uint32_t)d->ndigits[t->level])
    return CF_FAIL(CF_EINVAL, "task %u: digit %u at level %d", t->id, t->arg.digit, t->level);
  const cf_baseconv_table *conv =
      t->kind == CF_KERNEL_MODUP ? &d->modup[t->level][t->arg.digit] : &d->moddown[t->level];
  uint32_t f0 = t->pieces[0].first_limb, rows = s[0].nlimbs;
  if (s[1].nlimbs != conv->na || f0 + rows > conv->nb)
    return CF_FAIL(CF_EINVAL,
                   "task %u: %u input rows and rows [%u, %u) for a %zu -> %zu conversion", t->id,
                   s[1].nlimbs, f0, f0 + rows, conv->na, conv->nb);
  const uint64_t *in;
  uint64_t *in_copy, *w = NULL;
  CF_TRY(gather(o, &s[1], n, &in, &in_copy));
  cf_status st = CF_OK;
  if (t->kind == CF_KERNEL_MODUP) {
    /* ext rows [f0, f0 + rows) straight into the output rows. */
    for (uint32_t r = 0; r < rows && st == CF_OK;) {
      uint32_t k = run_length(s, 1, r, n, NULL);
      cf_baseconv_table sh = shifted(conv, f0 + r);
      st = o->baseconv(o->dev, &sh, s[0].rows[r], in, n, 0, k);
      r += k;
    }
  } else {
    /* w = NTT(conv(p)) on Q rows [f0, f0 + rows), then q = (q - w) * P^-1. */
    cf_baseconv_table sh = shifted(conv, f0);
    st = take(o, &w, (size_t)rows * n);
    if (st == CF_OK) st = o->baseconv(o->dev, &sh, w, in, n, 0, rows);
    if (st == CF_OK) st = o->ntt(o->dev, false, d->ntt + f0, n, w, 0, rows);
    for (uint32_t r = 0; r < rows && st == CF_OK;) {
      uint32_t k = run_length(s, 1, r, n, NULL);
      uint64_t *q = s[0].rows[r];
      const uint64_t *wr = w + (size_t)r * n;
      const cf_modulus *m = d->mods + f0 + r;
      st = o->sub(o->dev, q, q, wr, n, 0, k, m);
      if (st == CF_OK)
        st = o->mul_scalar(o->dev, q, q, d->p_inv[t->level] + f0 + r,
                           d->p_inv_sh[t->level] + f0 + r, n, 0, k, m);
      r += k;
    }
  }
  give(o, w);
  give(o, in_copy);
  return st;
}

cf_status cf_dev_run_task(const cf_dev_ops *ops, const cf_dev_tables *d, const cf_dag_task *t,
                          const uint64_t *konst, size_t nconst, const cf_limb_span *s, uint32_t n) {
  if (!ops || !d || !t || !s) return CF_FAIL(CF_EINVAL, "device task: NULL argument");
  switch (t->kind) {
  case CF_KERNEL_MODUP:
  case CF_KERNEL_MODDOWN: return limbs_meet(ops, d, t, s, n);
  case CF_KERNEL_RESCALE:
  case CF_KERNEL_FUSED:
    return CF_FAIL(CF_EUNSUPPORTED, "task %u: kind %d has no device implementation", t->id,
                   t->kind);
  default: return limb_local(ops, d, t, konst, nconst, s, n);
  }
}
