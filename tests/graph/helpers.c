#include "tests/graph/helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cipherflow/ckks.h"
#include "graph/ckks_exec.h"
#include "graph/lower.h"

void small_chain(cf_chain *c) {
  if (cf_chain_generate(c, 10, 8, 55, 40, 2, 55, 3, 40) != CF_OK) {
    fprintf(stderr, "chain: %s\n", cf_last_error());
    abort();
  }
}

uint64_t test_seed(void) {
  static uint64_t seed;
  if (!seed) {
    const char *e = getenv("CF_TEST_SEED");
    seed = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
    if (!seed) seed = 1;
    fprintf(stderr, "CF_TEST_SEED=%llu\n", (unsigned long long)seed);
  }
  return seed;
}

uint64_t rnd(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double rnd_unit(uint64_t *s) { return (double)(rnd(s) >> 11) * 0x1p-52 - 1.0; }

cf_program *random_program(const cf_chain *c, uint64_t seed, int nops, bool with_poly) {
  cf_program *p;
  if (cf_program_create(c, CF_MANAGE_AUTO, &p) != CF_OK) abort();
  uint64_t s = seed;
  uint32_t slots = 8u << (rnd(&s) % 3);
  cf_value v[512];
  int nv = 0;
  int nin = 1 + (int)(rnd(&s) % 3);
  for (int i = 0; i < nin; i++) {
    char name[16];
    snprintf(name, sizeof name, "in%d", i);
    if (cf_prog_input(p, name, (int)c->nq - 1 - (int)(rnd(&s) % 2), 0, slots, &v[nv++]) != CF_OK)
      abort();
  }
  for (int k = 0; k < nops && nv < 500; k++) {
    cf_value a = v[rnd(&s) % (uint64_t)nv], b = v[rnd(&s) % (uint64_t)nv], r = -1, w;
    int op = (int)(rnd(&s) % (with_poly ? 11 : 10));
    cf_status st = CF_OK;
    char name[16];
    snprintf(name, sizeof name, "w%d", k);
    switch (op) {
    case 0:
    case 1: st = cf_prog_add(p, a, b, &r); break;
    case 2: st = cf_prog_sub(p, a, b, &r); break;
    case 3: st = cf_prog_negate(p, a, &r); break;
    case 4: st = cf_prog_mul(p, a, b, &r); break;
    case 5:
      st = rnd(&s) % 2 ? cf_prog_plaintext_random(p, name, slots, rnd(&s), &w)
                       : cf_prog_plaintext(p, name, NULL, slots, &w);
      if (st == CF_OK) st = cf_prog_mul(p, a, w, &r);
      break;
    case 6:
      st = cf_prog_const(p, rnd_unit(&s) * 2, &w);
      if (st == CF_OK) st = rnd(&s) % 2 ? cf_prog_mul(p, a, w, &r) : cf_prog_add(p, a, w, &r);
      break;
    case 7:
      st = cf_prog_rotate(p, a, 1 + (int)(rnd(&s) % (slots - 1)) * (rnd(&s) % 2 ? 1 : -1), &r);
      break;
    case 8: st = cf_prog_conjugate(p, a, &r); break;
    case 9: {
      int rots[4];
      cf_value pts[4];
      int nt = 1 + (int)(rnd(&s) % 4);
      for (int t = 0; t < nt && st == CF_OK; t++) {
        char pn[24];
        snprintf(pn, sizeof pn, "l%d.%d", k, t);
        rots[t] = (int)(rnd(&s) % slots);
        st = cf_prog_plaintext_random(p, pn, slots, rnd(&s), &pts[t]);
      }
      if (st == CF_OK) st = cf_prog_linear(p, a, (size_t)nt, rots, pts, &r);
      break;
    }
    default: {
      double co[6];
      int nc = 2 + (int)(rnd(&s) % 5);
      for (int i = 0; i < nc; i++)
        co[i] = rnd_unit(&s);
      st = cf_prog_poly(p, a, rnd(&s) % 2 ? CF_BASIS_CHEBYSHEV : CF_BASIS_POWER, -2, 2, (size_t)nc,
                        co, &r);
    }
    }
    if (st == CF_OK && r >= 0)
      v[nv++] = r;
    else
      cf_clear_error();
  }
  int nout = 1 + (int)(rnd(&s) % 2);
  for (int i = 0; i < nout; i++) {
    char name[16];
    snprintf(name, sizeof name, "out%d", i);
    cf_value o = i == 0 ? v[nv - 1] : v[rnd(&s) % (uint64_t)nv];
    if (cf_prog_output(p, name, o) != CF_OK) abort();
  }
  return p;
}

static void feed(cf_executor *ex, const cf_program *p, uint64_t seed) {
  for (size_t i = 0; i < p->n; i++) {
    const cf_node *n = &p->nodes[i];
    if (n->op != CF_OP_INPUT && !(n->op == CF_OP_PLAINTEXT && n->data_kind == CF_DATA_EXTERNAL))
      continue;
    uint64_t s = seed;
    for (const char *c = n->name; *c; c++)
      s = s * 131 + (unsigned char)*c;
    size_t m = n->type.slots;
    double *re = malloc(m * sizeof *re), *im = malloc(m * sizeof *im);
    for (size_t j = 0; j < m; j++)
      re[j] = rnd_unit(&s), im[j] = n->op == CF_OP_INPUT ? rnd_unit(&s) * 0.5 : 0;
    if (cf_executor_set_input(ex, n->name, re, im, m) != CF_OK) abort();
    free(re), free(im);
  }
}

double *simulate(const cf_program *p, uint64_t seed, size_t *n) {
  cf_executor *ex;
  if (cf_executor_create_sim(&ex) != CF_OK || cf_executor_prepare(ex, p) != CF_OK) abort();
  feed(ex, p, seed);
  if (cf_executor_run(ex) != CF_OK) {
    fprintf(stderr, "simulate: %s\n", cf_last_error());
    abort();
  }
  size_t total = 0;
  for (size_t i = 0; i < p->nout; i++)
    total += 2 * p->nodes[p->outs[i].v].type.slots;
  double *out = malloc((total + 1) * sizeof *out);
  size_t at = 0;
  for (size_t i = 0; i < p->nout; i++) {
    size_t m = p->nodes[p->outs[i].v].type.slots;
    if (cf_executor_get_output(ex, p->outs[i].name, out + at, out + at + m, m) != CF_OK) abort();
    at += 2 * m;
  }
  cf_executor_destroy(ex);
  *n = total;
  return out;
}

double sim_compare(const cf_program *a, const cf_program *b, uint64_t seed) {
  if (a->nout != b->nout) return 1e300;
  for (size_t i = 0; i < a->nout; i++)
    if (strcmp(a->outs[i].name, b->outs[i].name) ||
        a->nodes[a->outs[i].v].type.slots != b->nodes[b->outs[i].v].type.slots)
      return 1e300;
  size_t na, nb;
  double *x = simulate(a, seed, &na), *y = simulate(b, seed, &nb);
  double diff = 0, mag = 1e-300;
  for (size_t i = 0; i < na; i++) {
    if (fabs(x[i]) > mag) mag = fabs(x[i]);
    if (fabs(x[i] - y[i]) > diff || isnan(y[i])) diff = isnan(y[i]) ? 1e300 : fabs(x[i] - y[i]);
  }
  free(x), free(y);
  return diff / (mag > 1 ? mag : 1);
}

void cheb_interp(double (*f)(double), double a, double b, int n, double *co) {
  for (int k = 0; k < n; k++) {
    double s = 0;
    for (int j = 0; j < n; j++) {
      double th = M_PI * (j + 0.5) / n;
      s += cos(k * th) * f(0.5 * (a + b) + 0.5 * (b - a) * cos(th));
    }
    co[k] = (k ? 2.0 : 1.0) * s / n;
  }
}

double cheb_eval(const double *co, int n, double a, double b, double x) {
  double t = (2 * x - a - b) / (b - a), th = acos(fmax(-1.0, fmin(1.0, t))), s = 0;
  for (int k = 0; k < n; k++)
    s += co[k] * cos(k * th);
  return s;
}

static int bit_length(uint64_t v) { return 64 - __builtin_clzll(v); }

cf_ckks_params *params_for_chain(const cf_chain *c) {
  cf_ckks_params_spec s;
  memset(&s, 0, sizeof s);
  s.log_n = (int)c->log_n, s.nq = (int)c->nq, s.np = (int)c->np, s.dnum = (int)c->dnum;
  for (uint32_t i = 0; i < c->nq; i++)
    s.q_bits[i] = bit_length(c->q[i]);
  for (uint32_t i = 0; i < c->np; i++)
    s.p_bits[i] = bit_length(c->p[i]);
  s.log_scale = c->scale_log2;
  s.secret = CF_CKKS_SECRET_TERNARY;
  s.allow_insecure = true;
  cf_ckks_params *pr = NULL;
  cf_chain d;
  if (cf_ckks_params_create(&s, &pr) != CF_OK || cf_chain_from_params(pr, &d) != CF_OK) {
    fprintf(stderr, "parameters for the chain: %s\n", cf_last_error());
    abort();
  }
  if (memcmp(d.q, c->q, sizeof d.q) || memcmp(d.p, c->p, sizeof d.p)) {
    fprintf(stderr, "parameters for the chain: the primes differ\n");
    abort();
  }
  return pr;
}

cf_dag *lower_program(const cf_program *p, unsigned grain, bool fuse) {
  cf_lower_options o;
  cf_lower_options_default(&o);
  o.grain = grain, o.fuse = fuse;
  cf_dag *d = NULL;
  if (cf_lower(p, &o, &d) != CF_OK) {
    fprintf(stderr, "lowering: %s\n", cf_last_error());
    abort();
  }
  return d;
}
