#include "tests/tasks/ref_runner.h"

#include <stdbool.h>
#include <stdlib.h>

#include "base/error.h"

typedef unsigned __int128 u128;

static uint64_t mulm(uint64_t a, uint64_t b, uint64_t q) { return (uint64_t)((u128)a * b % q); }
static uint64_t addm(uint64_t a, uint64_t b, uint64_t q) { return (a + b) % q; }
static uint64_t subm(uint64_t a, uint64_t b, uint64_t q) { return (a + q - b % q) % q; }
static uint64_t powm(uint64_t a, uint64_t e, uint64_t q) {
  uint64_t r = 1;
  for (a %= q; e; e >>= 1, a = mulm(a, a, q))
    if (e & 1) r = mulm(r, a, q);
  return r;
}
static uint64_t invm(uint64_t a, uint64_t q) { return powm(a, q - 2, q); }

static bool is_prime(uint64_t n) {
  if (n < 4) return n > 1;
  uint64_t d = n - 1;
  int s = 0;
  while (!(d & 1))
    d >>= 1, s++;
  static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (size_t i = 0; i < 12; i++) {
    uint64_t x = powm(bases[i], d, n);
    if (x == 1 || x == n - 1) continue;
    bool comp = true;
    for (int r = 1; r < s && comp; r++) {
      x = mulm(x, x, n);
      if (x == n - 1) comp = false;
    }
    if (comp) return false;
  }
  return true;
}

void ref_ctx_init(ref_ctx *c, uint32_t n, uint32_t nprimes) {
  c->n = n;
  c->nprimes = nprimes;
  uint64_t m = 2 * (uint64_t)n, cand = ((1ull << 40) / m) * m + 1;
  for (uint32_t i = 0; i < nprimes; cand += m) {
    if (!is_prime(cand)) continue;
    c->q[i] = cand;
    /* psi = g^((q-1)/2n) for a g whose power is a primitive 2n-th root. */
    for (uint64_t g = 2;; g++) {
      uint64_t psi = powm(g, (cand - 1) / m, cand);
      if (powm(psi, n, cand) == cand - 1) {
        c->psi[i] = psi;
        break;
      }
    }
    i++;
  }
}

static uint64_t prime_of(const ref_ctx *c, const cf_limb_span *s, uint32_t l) {
  return c->q[s->primes[l] % c->nprimes];
}

static cf_status ntt_row(const ref_ctx *c, uint64_t *row, uint16_t pi, bool inverse) {
  uint32_t n = c->n;
  uint64_t q = c->q[pi % c->nprimes], psi = c->psi[pi % c->nprimes];
  if (inverse) psi = invm(psi, q);
  uint64_t *out = malloc(n * sizeof *out);
  if (!out) return CF_FAIL(CF_ENOMEM, "reference NTT row");
  for (uint32_t j = 0; j < n; j++) {
    uint64_t acc = 0;
    /* forward: X_j = sum_i x_i psi^((2j+1)i); inverse: x_i = n^-1 sum_j X_j psi^-((2j+1)i)
     * computed the same way with the roles of i and j swapped. */
    for (uint32_t i = 0; i < n; i++) {
      uint64_t e = inverse ? (uint64_t)(2 * i + 1) * j : (uint64_t)(2 * j + 1) * i;
      acc = addm(acc, mulm(row[i], powm(psi, e % (2 * (uint64_t)n), q), q), q);
    }
    out[j] = inverse ? mulm(acc, invm(n, q), q) : acc;
  }
  for (uint32_t j = 0; j < n; j++)
    row[j] = out[j];
  free(out);
  return CF_OK;
}

static cf_status run(void *ctx, const cf_dag *dag, const cf_dag_task *t, const cf_limb_span *s) {
  ref_ctx *c = ctx;
  uint32_t n = c->n;
  switch (t->kind) {
  case CF_KERNEL_NTT:
  case CF_KERNEL_INTT:
    for (uint32_t l = 0; l < s[0].nlimbs; l++)
      CF_TRY(ntt_row(c, s[0].rows[l], s[0].primes[l], t->kind == CF_KERNEL_INTT));
    return CF_OK;
  case CF_KERNEL_ADD:
  case CF_KERNEL_SUB:
  case CF_KERNEL_MUL:
  case CF_KERNEL_MUL_ACC:
    for (uint32_t l = 0; l < s[0].nlimbs; l++) {
      uint64_t q = prime_of(c, &s[0], l);
      uint64_t *o = s[0].rows[l], *a = s[1].rows[l], *b = s[2].rows[l];
      for (uint32_t i = 0; i < n; i++) {
        uint64_t x = t->kind == CF_KERNEL_ADD   ? addm(a[i], b[i], q)
                     : t->kind == CF_KERNEL_SUB ? subm(a[i], b[i], q)
                                                : mulm(a[i], b[i], q);
        o[i] = t->kind == CF_KERNEL_MUL_ACC ? addm(o[i], x, q) : x;
      }
    }
    return CF_OK;
  case CF_KERNEL_NEG:
  case CF_KERNEL_COPY:
  case CF_KERNEL_MUL_CONST: {
    size_t nc = 0;
    const uint64_t *k =
        t->kind == CF_KERNEL_MUL_CONST ? cf_dag_constant(dag, t->arg.constant, &nc) : NULL;
    for (uint32_t l = 0; l < s[0].nlimbs; l++) {
      uint64_t q = prime_of(c, &s[0], l);
      if (t->kind == CF_KERNEL_MUL_CONST && (!k || s[0].primes[l] >= nc))
        return CF_FAIL(CF_EINVAL, "constant %u has no residue for prime %u", t->arg.constant,
                       s[0].primes[l]);
      for (uint32_t i = 0; i < n; i++) {
        uint64_t x = s[1].rows[l][i];
        s[0].rows[l][i] = t->kind == CF_KERNEL_NEG    ? subm(0, x, q)
                          : t->kind == CF_KERNEL_COPY ? x
                                                      : mulm(x, k[s[0].primes[l]], q);
      }
    }
    return CF_OK;
  }
  case CF_KERNEL_AUTOMORPH:
    for (uint32_t l = 0; l < s[0].nlimbs; l++)
      for (uint32_t i = 0; i < n; i++)
        s[0].rows[l][i] = s[1].rows[l][(uint32_t)((i * t->arg.galois) % n)];
    return CF_OK;
  case CF_KERNEL_KS_INNER:
    for (uint32_t l = 0; l < s[0].nlimbs; l++) {
      uint64_t q = prime_of(c, &s[0], l);
      for (uint32_t i = 0; i < n; i++) {
        uint64_t d = s[2].rows[l][i];
        s[0].rows[l][i] = addm(s[0].rows[l][i], mulm(d, s[3].rows[l][i], q), q);
        s[1].rows[l][i] = addm(s[1].rows[l][i], mulm(d, s[4].rows[l][i], q), q);
      }
    }
    return CF_OK;
  case CF_KERNEL_MODUP: /* ext_j = sum_i x_i (i+1) mod p_j */
    for (uint32_t j = 0; j < s[0].nlimbs; j++) {
      uint64_t p = prime_of(c, &s[0], j);
      for (uint32_t x = 0; x < n; x++) {
        uint64_t acc = 0;
        for (uint32_t i = 0; i < s[1].nlimbs; i++)
          acc = addm(acc, mulm(s[1].rows[i][x] % p, i + 1, p), p);
        s[0].rows[j][x] = acc;
      }
    }
    return CF_OK;
  case CF_KERNEL_MODDOWN: /* x_i = (x_i - sum_j y_j) * P^-1 mod q_i */
    for (uint32_t i = 0; i < s[0].nlimbs; i++) {
      uint64_t q = prime_of(c, &s[0], i), pinv = 1;
      for (uint32_t j = 0; j < s[1].nlimbs; j++)
        pinv = mulm(pinv, prime_of(c, &s[1], j) % q, q);
      pinv = invm(pinv, q);
      for (uint32_t x = 0; x < n; x++) {
        uint64_t y = 0;
        for (uint32_t j = 0; j < s[1].nlimbs; j++)
          y = addm(y, s[1].rows[j][x] % q, q);
        s[0].rows[i][x] = mulm(subm(s[0].rows[i][x], y, q), pinv, q);
      }
    }
    return CF_OK;
  case CF_KERNEL_RESCALE: /* x_i = (x_i - x_l) * q_l^-1 mod q_i */
    for (uint32_t i = 0; i < s[0].nlimbs; i++) {
      uint64_t q = prime_of(c, &s[0], i), ql = prime_of(c, &s[1], 0);
      uint64_t inv = invm(ql % q, q);
      for (uint32_t x = 0; x < n; x++)
        s[0].rows[i][x] = mulm(subm(s[0].rows[i][x], s[1].rows[0][x] % q, q), inv, q);
    }
    return CF_OK;
  default: return CF_FAIL(CF_EUNSUPPORTED, "reference runner: kind %d", (int)t->kind);
  }
}

cf_kernel_runner ref_runner(ref_ctx *c) {
  return (cf_kernel_runner){.run = run, .ctx = c, .n = c->n};
}
