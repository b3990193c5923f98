#include "tests/tasks/dag_builder.h"

#include "graph/dag_impl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fills graph's own DAG storage (graph/dag_impl.h), so graph's accessors
 * and cf_dag_destroy work on these DAGs unchanged. */

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return p;
  size_t c = *cap ? *cap * 2 : 16;
  while (c < need)
    c *= 2;
  p = realloc(p, c * elem);
  if (!p) abort(); /* test helper: out of memory is fatal */
  *cap = c;
  return p;
}

enum { TB_PRIMES = 64 };

cf_dag *tb_new(void) {
  cf_dag *d = calloc(1, sizeof *d);
  if (!d) abort();
  d->nprimes = TB_PRIMES;
  return d;
}

uint32_t tb_buffer(cf_dag *d, cf_buffer_role role, uint32_t nlimbs, uint16_t first_prime,
                   const char *name) {
  size_t cap = d->bufcap, cap2 = d->bufcap, cap3 = d->bufcap;
  d->bufs = grow(d->bufs, &cap, d->nbufs + 1, sizeof *d->bufs);
  d->infos = grow(d->infos, &cap2, d->nbufs + 1, sizeof *d->infos);
  d->pos = grow(d->pos, &cap3, d->nbufs + 1, sizeof *d->pos);
  d->bufcap = cap;
  uint16_t *pr = malloc(nlimbs * sizeof *pr);
  char *nm = malloc(strlen(name) + 1);
  if (!pr || !nm) abort();
  strcpy(nm, name);
  for (uint32_t i = 0; i < nlimbs; i++)
    pr[i] = (uint16_t)(first_prime + i);
  uint32_t id = (uint32_t)d->nbufs++;
  d->bufs[id] = (cf_dag_buffer){.id = id,
                                .role = role,
                                .nlimbs = nlimbs,
                                .primes = pr,
                                .ntt_form = 1,
                                .value = -1,
                                .poly = -1,
                                .name = nm};
  memset(&d->infos[id], 0, sizeof d->infos[id]);
  d->pos[id] = NULL;
  return id;
}

uint32_t tb_task(cf_dag *d, cf_kernel_kind kind, double cost_ns, unsigned npieces,
                 const cf_dag_piece *pieces) {
  d->tasks = grow(d->tasks, &d->taskcap, d->ntasks + 1, sizeof *d->tasks);
  uint32_t id = (uint32_t)d->ntasks++;
  cf_dag_task *t = &d->tasks[id];
  memset(t, 0, sizeof *t);
  t->id = id, t->kind = kind, t->npieces = (uint8_t)npieces, t->cost_ns = cost_ns;
  t->he_node = (int)id / 4, t->level = 0;
  memcpy(t->pieces, pieces, npieces * sizeof *pieces);
  return id;
}

cf_dag_task *tb_task_mut(cf_dag *d, uint32_t index) { return &d->tasks[index]; }

uint32_t tb_constant(cf_dag *d, const uint64_t *residues, size_t nprimes) {
  d->consts = grow(d->consts, &d->constcap, (d->nconsts + 1) * d->nprimes, sizeof *d->consts);
  uint64_t *c = d->consts + d->nconsts * d->nprimes;
  for (size_t i = 0; i < d->nprimes; i++)
    c[i] = i < nprimes ? residues[i] : 0;
  return (uint32_t)d->nconsts++;
}

/* ---- random CKKS-shaped DAGs ---- */

static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static cf_dag_piece pc(uint32_t b, uint32_t first, uint32_t n, cf_access a) {
  return (cf_dag_piece){
      .buffer = b, .first_limb = (uint16_t)first, .nlimbs = (uint16_t)n, .access = a};
}

/* Emits one limb-local operation over limbs [0, L) split by grain. */
static void chunked(cf_dag *d, const tb_shape *s, cf_kernel_kind k, unsigned np,
                    const uint32_t *bufs, const cf_access *acc, uint64_t arg) {
  uint32_t g = s->grain ? s->grain : s->limbs;
  for (uint32_t f = 0; f < s->limbs; f += g) {
    uint32_t n = f + g <= s->limbs ? g : s->limbs - f;
    cf_dag_piece p[CF_DAG_MAX_PIECES];
    for (unsigned i = 0; i < np; i++)
      p[i] = pc(bufs[i], f, n, acc[i]);
    uint32_t t =
        tb_task(d, k, 1000.0 * n * (k == CF_KERNEL_NTT || k == CF_KERNEL_INTT ? 5 : 1), np, p);
    tb_task_mut(d, t)->level = (int)s->limbs - 1;
    if (k == CF_KERNEL_AUTOMORPH) tb_task_mut(d, t)->arg.galois = arg;
    if (k == CF_KERNEL_MUL_CONST) tb_task_mut(d, t)->arg.constant = (uint32_t)arg;
  }
}

cf_dag *tb_random(const tb_shape *s, const uint64_t *primes) {
  cf_dag *d = tb_new();
  uint64_t st = s->seed;
  uint32_t L = s->limbs, K = s->ext;
  uint32_t vals[64];
  uint32_t nv = 0;
  char name[32];
  for (int i = 0; i < 4; i++) {
    snprintf(name, sizeof name, "ct%d", i);
    vals[nv++] = tb_buffer(d, CF_BUFFER_CIPHERTEXT, L, 0, name);
  }
  uint32_t w = tb_buffer(d, CF_BUFFER_PLAINTEXT, L, 0, "w");
  uint32_t key0 = tb_buffer(d, CF_BUFFER_KEY, L, 0, "key0");
  uint32_t key1 = tb_buffer(d, CF_BUFFER_KEY, L, 0, "key1");
  uint64_t cres[64];
  for (uint32_t i = 0; i < s->nprimes && i < 64; i++)
    cres[i] = rng_next(&st) % primes[i];
  uint32_t cidx = tb_constant(d, cres, s->nprimes < 64 ? s->nprimes : 64);
  int ntemp = 0;
  for (uint32_t step = 0; step < s->steps; step++) {
    uint32_t a = vals[rng_next(&st) % nv], b = vals[rng_next(&st) % nv];
    uint32_t op = (uint32_t)(rng_next(&st) % 10);
    bool fresh = nv < 64 && (rng_next(&st) & 1);
    uint32_t out = a;
    if (fresh && op >= 2 && op <= 5) {
      snprintf(name, sizeof name, "t%d", ntemp++);
      out = tb_buffer(d, CF_BUFFER_TEMP, L, 0, name);
      vals[nv++] = out;
    }
    switch (op) {
    case 0: chunked(d, s, CF_KERNEL_NTT, 1, &a, (cf_access[]){CF_ACCESS_RW}, 0); break;
    case 1: chunked(d, s, CF_KERNEL_INTT, 1, &a, (cf_access[]){CF_ACCESS_RW}, 0); break;
    case 2: {
      cf_kernel_kind k =
          (cf_kernel_kind[]){CF_KERNEL_ADD, CF_KERNEL_SUB, CF_KERNEL_MUL}[rng_next(&st) % 3];
      chunked(d, s, k, 3, (uint32_t[]){out, a, b},
              (cf_access[]){CF_ACCESS_W, CF_ACCESS_R, CF_ACCESS_R}, 0);
      break;
    }
    case 3: {
      cf_kernel_kind k =
          (cf_kernel_kind[]){CF_KERNEL_NEG, CF_KERNEL_COPY, CF_KERNEL_MUL_CONST}[rng_next(&st) % 3];
      chunked(d, s, k, 2, (uint32_t[]){out, a}, (cf_access[]){CF_ACCESS_W, CF_ACCESS_R}, cidx);
      break;
    }
    case 4:
      if (out == a) break; /* automorphism is out of place */
      chunked(d, s, CF_KERNEL_AUTOMORPH, 2, (uint32_t[]){out, a},
              (cf_access[]){CF_ACCESS_W, CF_ACCESS_R}, 2 * (rng_next(&st) % 8) + 3);
      break;
    case 5:
      chunked(d, s, CF_KERNEL_MUL, 3, (uint32_t[]){out, a, w},
              (cf_access[]){CF_ACCESS_W, CF_ACCESS_R, CF_ACCESS_R}, 0);
      break;
    case 6:
      if (a == b) break;
      chunked(d, s, CF_KERNEL_MUL_ACC, 3, (uint32_t[]){a, b, w},
              (cf_access[]){CF_ACCESS_RW, CF_ACCESS_R, CF_ACCESS_R}, 0);
      break;
    case 7: {
      uint32_t c = vals[rng_next(&st) % nv];
      if (a == b || c == a || c == b) break;
      chunked(d, s, CF_KERNEL_KS_INNER, 5, (uint32_t[]){a, b, c, key0, key1},
              (cf_access[]){CF_ACCESS_RW, CF_ACCESS_RW, CF_ACCESS_R, CF_ACCESS_R, CF_ACCESS_R}, 0);
      break;
    }
    case 8: {
      /* Key-switch frame: extend one digit to the special primes, then
       * bring the extension back down into a. */
      if (K == 0) break;
      snprintf(name, sizeof name, "ext%d", ntemp++);
      uint32_t ext = tb_buffer(d, CF_BUFFER_TEMP, K, (uint16_t)L, name);
      uint32_t dl = L > 1 ? 1 + (uint32_t)(rng_next(&st) % (L - 1)) : 1;
      cf_dag_piece p[2] = {pc(ext, 0, K, CF_ACCESS_W), pc(b, 0, dl, CF_ACCESS_R)};
      uint32_t t = tb_task(d, CF_KERNEL_MODUP, 4000.0 * K, 2, p);
      tb_task_mut(d, t)->arg.digit = 0;
      cf_dag_piece q[2] = {pc(a, 0, L, CF_ACCESS_RW), pc(ext, 0, K, CF_ACCESS_R)};
      tb_task(d, CF_KERNEL_MODDOWN, 4000.0 * L, 2, q);
      break;
    }
    case 9: {
      if (L < 2) break;
      cf_dag_piece p[2] = {pc(a, 0, L - 1, CF_ACCESS_RW), pc(a, L - 1, 1, CF_ACCESS_R)};
      uint32_t t = tb_task(d, CF_KERNEL_RESCALE, 2000.0 * L, 2, p);
      tb_task_mut(d, t)->level = (int)L - 1; /* top row L-1 divided out of rows 0..L-2 */
      break;
    }
    }
  }
  return d;
}
