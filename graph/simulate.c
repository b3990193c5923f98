/* The plaintext-slot simulator: runs a program on complex slot vectors in
 * double precision, without encryption. Rescale, level drop, relinearize and
 * bootstrap are identities on values; rotation shifts slots. It is the fast
 * numeric reference that passes are checked against. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "graph/executor.h"
#include "graph/ir.h"

typedef struct named {
  char *name;
  double complex *v;
  size_t n;
} named;

typedef struct sim {
  const cf_program *p;
  double complex **val; /* per node, slots values (NULL for constants) */
  named *in;
  size_t nin;
} sim;

static void clear_values(sim *s) {
  if (s->val && s->p)
    for (size_t i = 0; i < s->p->n; i++)
      free(s->val[i]);
  free(s->val);
  s->val = NULL;
}

static cf_status sim_prepare(cf_executor *ex, const cf_program *p) {
  sim *s = ex->state;
  clear_values(s);
  s->p = p;
  return CF_OK;
}

static cf_status sim_set_input(cf_executor *ex, const char *name, const double *re,
                               const double *im, size_t n) {
  sim *s = ex->state;
  named *slot = NULL;
  for (size_t i = 0; i < s->nin; i++)
    if (strcmp(s->in[i].name, name) == 0) slot = &s->in[i];
  if (!slot) {
    named *g = realloc(s->in, (s->nin + 1) * sizeof *g);
    if (!g) return CF_FAIL(CF_ENOMEM, "simulator inputs");
    s->in = g;
    slot = &s->in[s->nin];
    memset(slot, 0, sizeof *slot);
    slot->name = strdup(name);
    if (!slot->name) return CF_FAIL(CF_ENOMEM, "input name");
    s->nin++;
  }
  double complex *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return CF_FAIL(CF_ENOMEM, "input '%s'", name);
  for (size_t i = 0; i < n; i++)
    v[i] = re[i] + (im ? im[i] : 0.0) * I;
  free(slot->v);
  slot->v = v, slot->n = n;
  return CF_OK;
}

static const named *find_input(const sim *s, const char *name) {
  for (size_t i = 0; i < s->nin; i++)
    if (strcmp(s->in[i].name, name) == 0) return &s->in[i];
  return NULL;
}

/* Operand j of node n as slot values, or a broadcast constant. */
static double complex at(const sim *s, cf_value v, size_t i) {
  const cf_node *n = &s->p->nodes[v];
  if (n->type.kind == CF_KIND_CONST) return n->cval;
  return s->val[v][i];
}

/* Source slot of slot i of a (possibly shifted) plaintext or input. */
static size_t shifted(const cf_node *n, size_t i, size_t m) {
  long s = n->op == CF_OP_PLAINTEXT ? n->shift : 0;
  return (size_t)((((long)i + s) % (long)m + (long)m) % (long)m);
}

static void eval_poly(const cf_node *n, const double complex *x, double complex *y, size_t m) {
  for (size_t i = 0; i < m; i++) {
    double complex acc = 0;
    if (n->basis == CF_BASIS_POWER) {
      for (size_t k = n->ncoeffs; k-- > 0;)
        acc = acc * x[i] + n->coeffs[k];
    } else {
      double complex t = (2.0 * x[i] - (n->a + n->b)) / (n->b - n->a);
      double complex t0 = 1, t1 = t;
      acc = n->coeffs[0];
      for (size_t k = 1; k < n->ncoeffs; k++) {
        acc += n->coeffs[k] * t1;
        double complex t2 = 2.0 * t * t1 - t0;
        t0 = t1, t1 = t2;
      }
    }
    y[i] = acc;
  }
}

static cf_status sim_run(cf_executor *ex) {
  sim *s = ex->state;
  const cf_program *p = s->p;
  if (!p) return CF_FAIL(CF_EINVAL, "simulator: prepare was not called");
  clear_values(s);
  s->val = calloc(p->n + 1, sizeof *s->val);
  if (!s->val) return CF_FAIL(CF_ENOMEM, "simulator values");
  for (size_t v = 0; v < p->n; v++) {
    const cf_node *n = &p->nodes[v];
    size_t m = n->type.slots;
    if (n->type.kind == CF_KIND_CONST) continue;
    double complex *y = calloc(m ? m : 1, sizeof *y);
    if (!y) return CF_FAIL(CF_ENOMEM, "simulator values");
    s->val[v] = y;
    const double complex *a = n->nargs > 0 ? s->val[n->args[0]] : NULL;
    switch (n->op) {
    case CF_OP_INPUT:
    case CF_OP_PLAINTEXT: {
      if (n->op == CF_OP_PLAINTEXT && n->data_kind != CF_DATA_EXTERNAL) {
        double *d = malloc(m * sizeof *d);
        if (!d) return CF_FAIL(CF_ENOMEM, "plaintext data");
        if (n->data_kind == CF_DATA_INLINE)
          memcpy(d, n->data, m * sizeof *d);
        else
          cf_random_data(n->seed, d, m);
        for (size_t i = 0; i < m; i++)
          y[i] = d[shifted(n, i, m)];
        free(d);
        break;
      }
      const named *in = find_input(s, n->name);
      if (!in) return CF_FAIL(CF_ENOTFOUND, "simulator: no value given for '%s'", n->name);
      if (in->n != m)
        return CF_FAIL(CF_EINVAL, "simulator: '%s' has %u slots, %zu values given", n->name,
                       (unsigned)m, in->n);
      for (size_t i = 0; i < m; i++) {
        /* plaintexts are real (as the CKKS executors encode them) */
        if (n->op == CF_OP_PLAINTEXT && cimag(in->v[i]) != 0.0)
          return CF_FAIL(CF_EINVAL,
                         "simulator: plaintext '%s' takes real values; value %zu has imaginary "
                         "part %g",
                         n->name, i, cimag(in->v[i]));
        y[i] = in->v[shifted(n, i, m)];
      }
      break;
    }
    case CF_OP_ADD:
      for (size_t i = 0; i < m; i++)
        y[i] = a[i] + at(s, n->args[1], i);
      break;
    case CF_OP_SUB:
      for (size_t i = 0; i < m; i++)
        y[i] = a[i] - at(s, n->args[1], i);
      break;
    case CF_OP_NEG:
      for (size_t i = 0; i < m; i++)
        y[i] = -a[i];
      break;
    case CF_OP_MUL:
      for (size_t i = 0; i < m; i++)
        y[i] = a[i] * at(s, n->args[1], i);
      break;
    case CF_OP_RELIN:
    case CF_OP_RESCALE:
    case CF_OP_LEVEL_DROP:
    case CF_OP_BOOTSTRAP: memcpy(y, a, m * sizeof *y); break;
    case CF_OP_ROTATE: {
      size_t k = (size_t)(((long)n->k % (long)m + (long)m) % (long)m);
      for (size_t i = 0; i < m; i++)
        y[i] = a[(i + k) % m];
      break;
    }
    case CF_OP_CONJ:
      for (size_t i = 0; i < m; i++)
        y[i] = conj(a[i]);
      break;
    case CF_OP_LINEAR:
      for (size_t t = 0; t < n->nterms; t++) {
        size_t k = (size_t)(((long)n->rots[t] % (long)m + (long)m) % (long)m);
        const double complex *w = s->val[n->pts[t]];
        for (size_t i = 0; i < m; i++)
          y[i] += a[(i + k) % m] * w[i];
      }
      break;
    case CF_OP_POLY: eval_poly(n, a, y, m); break;
    default: return CF_FAIL(CF_EINTERNAL, "simulator: unknown op %d", (int)n->op);
    }
  }
  return CF_OK;
}

static cf_status sim_get_output(cf_executor *ex, const char *name, double *re, double *im,
                                size_t n) {
  sim *s = ex->state;
  if (!s->p || !s->val) return CF_FAIL(CF_EINVAL, "simulator: run was not called");
  for (size_t i = 0; i < s->p->nout; i++) {
    if (strcmp(s->p->outs[i].name, name) != 0) continue;
    cf_value v = s->p->outs[i].v;
    size_t m = s->p->nodes[v].type.slots;
    if (n != m) return CF_FAIL(CF_EINVAL, "output '%s' has %zu slots, buffer has %zu", name, m, n);
    for (size_t j = 0; j < m; j++) {
      re[j] = creal(s->val[v][j]);
      if (im) im[j] = cimag(s->val[v][j]);
    }
    return CF_OK;
  }
  return CF_FAIL(CF_ENOTFOUND, "no output named '%s'", name);
}

static void sim_destroy(cf_executor *ex) {
  sim *s = ex->state;
  clear_values(s);
  for (size_t i = 0; i < s->nin; i++)
    free(s->in[i].name), free(s->in[i].v);
  free(s->in);
  free(s);
  free(ex);
}

static const cf_executor_ops sim_ops = {"simulator", sim_prepare,    sim_set_input,
                                        sim_run,     sim_get_output, sim_destroy};

cf_status cf_executor_create_sim(cf_executor **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "output pointer is NULL");
  cf_executor *ex = calloc(1, sizeof *ex);
  sim *s = calloc(1, sizeof *s);
  if (!ex || !s) {
    free(ex), free(s);
    return CF_FAIL(CF_ENOMEM, "simulator");
  }
  ex->ops = &sim_ops, ex->state = s;
  *out = ex;
  return CF_OK;
}
