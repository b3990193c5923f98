/* Temporaries sharing memory (memory/share.h): the plan's properties on
 * lowered CKKS programs, checked against an independent reachability
 * computation, and StarPU runs with shared stores under several policies,
 * bit-identical to the sequential executor on every buffer that is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/dag_impl.h"
#include "graph/ir.h"
#include "graph/lower.h"
#include "memory/share.h"
#include "tasks/executor.h"
#include "tasks/seq_exec.h"
#include "tests/graph/helpers.h"
#include "tests/tasks/dag_builder.h"
#include "tests/tasks/ref_runner.h"
#include "tests/tasks/sp_test_env.h"

enum { N = 32, L = 6, K = 2 };
static ref_ctx ref;

/* ---- the plan on lowered programs ---- */

typedef struct bits {
  size_t words;
  uint64_t *w;
} bits;

static bool has(const bits *b, size_t row, size_t col) {
  return b->w[row * b->words + col / 64] >> (col % 64) & 1;
}

/* anc[i]: every task from which task i is reachable, by DAG order sweep. */
static bits task_ancestors(const cf_dag *d) {
  size_t nt = cf_dag_ntasks(d);
  bits a = {(nt + 63) / 64, NULL};
  a.w = calloc(nt * a.words + 1, sizeof *a.w);
  assert_non_null(a.w);
  for (size_t i = 0; i < nt; i++) {
    size_t np = 0;
    const uint32_t *pr = cf_dag_preds(d, i, &np);
    for (size_t k = 0; k < np; k++) {
      assert_true(pr[k] < i);
      a.w[i * a.words + pr[k] / 64] |= 1ull << (pr[k] % 64);
      for (size_t x = 0; x < a.words; x++)
        a.w[i * a.words + x] |= a.w[pr[k] * a.words + x];
    }
  }
  return a;
}

/* Whether task t is the first to touch some limb of buffer b. */
static bool entry_of(const cf_dag *d, size_t t, uint32_t b) {
  const cf_dag_task *x = cf_dag_task_at(d, t);
  for (unsigned k = 0; k < x->npieces; k++) {
    const cf_dag_piece *pc = &x->pieces[k];
    if (pc->buffer != b) continue;
    for (uint32_t l = pc->first_limb; l < (uint32_t)pc->first_limb + pc->nlimbs; l++) {
      bool before = false;
      for (size_t u = 0; u < t && !before; u++) {
        const cf_dag_task *y = cf_dag_task_at(d, u);
        for (unsigned q = 0; q < y->npieces; q++)
          before = before || (y->pieces[q].buffer == b && y->pieces[q].first_limb <= l &&
                              l < (uint32_t)y->pieces[q].first_limb + y->pieces[q].nlimbs);
      }
      if (!before) return true;
    }
  }
  return false;
}

static bool touches(const cf_dag *d, size_t t, uint32_t b) {
  const cf_dag_task *x = cf_dag_task_at(d, t);
  for (unsigned k = 0; k < x->npieces; k++)
    if (x->pieces[k].buffer == b) return true;
  return false;
}

/* Checks the plan of d: every store's buffers live one after the other,
 * inputs, keys, weights and outputs alone, and a buffer takes a store only
 * when the order StarPU then adds is one the DAG implies. Returns how many
 * temporaries share a store with an earlier buffer. */
static size_t check_plan(const cf_dag *d) {
  size_t nb = cf_dag_nbuffers(d), nt = cf_dag_ntasks(d);
  uint32_t *store = malloc(nb * sizeof *store), ns = 0;
  long *first = malloc(nb * sizeof *first), *last = malloc(nb * sizeof *last);
  bool *out = calloc(nb, sizeof *out);
  assert_true(store && first && last && out);
  assert_int_equal(cf_mem_plan_sharing(d, NULL, store, &ns), CF_OK);
  for (size_t b = 0; b < nb; b++)
    first[b] = last[b] = -1;
  for (size_t i = 0; i < nt; i++) {
    const cf_dag_task *t = cf_dag_task_at(d, i);
    for (unsigned k = 0; k < t->npieces; k++) {
      uint32_t b = t->pieces[k].buffer;
      if (first[b] < 0) first[b] = (long)i;
      last[b] = (long)i;
    }
  }
  for (size_t o = 0; o < cf_dag_noutputs(d); o++)
    for (int k = 0; k < cf_dag_output_at(d, o)->npolys; k++)
      out[cf_dag_output_at(d, o)->buffers[k]] = true;
  bits anc = task_ancestors(d);
  size_t shared = 0;
  for (size_t b = 0; b < nb; b++) {
    assert_true(store[b] < ns);
    for (size_t a = 0; a < nb; a++) {
      if (a == b || store[a] != store[b]) continue;
      const cf_dag_buffer *ba = cf_dag_buffer_at(d, a), *bb = cf_dag_buffer_at(d, b);
      assert_int_equal(ba->role, CF_BUFFER_TEMP);
      assert_int_equal(bb->role, CF_BUFFER_TEMP);
      assert_false(out[a] || out[b]);
      assert_true(first[a] >= 0 && first[b] >= 0);
      assert_true(last[a] < first[b] || last[b] < first[a]);
      if (last[a] > first[b]) continue;
      /* a came before b: every task touching a is an ancestor of every task
       * that touches a limb of b first (StarPU's new order is implied) */
      for (size_t i = (size_t)first[a]; i <= (size_t)last[a]; i++)
        for (size_t e = (size_t)first[b]; touches(d, i, (uint32_t)a) && e <= (size_t)last[b]; e++)
          if (entry_of(d, e, (uint32_t)b) && !has(&anc, e, i))
            fail_msg("buffers %s and %s share a store but task %zu does not precede task %zu",
                     ba->name, bb->name, i, e);
    }
  }
  for (size_t b = 0; b < nb; b++)
    for (size_t a = 0; a < b; a++)
      if (store[a] == store[b]) {
        shared++;
        break;
      }
  free(anc.w), free(store), free(first), free(last), free(out);
  return shared;
}

static size_t temporaries(const cf_dag *d) {
  size_t n = 0;
  for (size_t b = 0; b < cf_dag_nbuffers(d); b++)
    n += cf_dag_buffer_at(d, b)->role == CF_BUFFER_TEMP;
  return n;
}

/* A chain of squarings: each operation's temporaries can take the memory
 * of the previous one's, so most of them share. */
static void test_chain_shares(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p = NULL;
  cf_value x;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  assert_int_equal(cf_prog_input(p, "x", (int)c.nq - 1, 0, c.slots, &x), CF_OK);
  for (int i = 0; i < 4; i++)
    assert_int_equal(cf_prog_mul(p, x, x, &x), CF_OK);
  assert_int_equal(cf_prog_output(p, "y", x), CF_OK);
  const unsigned grains[] = {1, 3, 0};
  for (int g = 0; g < 3; g++)
    for (int fuse = 0; fuse < 2; fuse++) {
      cf_dag *d = lower_program(p, grains[g], fuse);
      size_t shared = check_plan(d), temps = temporaries(d);
      if (shared * 2 < temps)
        fail_msg("grain %u fuse %d: %zu of %zu temporaries share", grains[g], fuse, shared, temps);
      cf_dag_destroy(d);
    }
  cf_program_destroy(p);
}

/* Rotations of one input are independent: none may wait for another through
 * a shared store (check_plan's precedence test), and random programs. */
static void test_programs(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p = NULL;
  cf_value x, y, r;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_AUTO, &p), CF_OK);
  assert_int_equal(cf_prog_input(p, "x", (int)c.nq - 1, 0, c.slots, &x), CF_OK);
  assert_int_equal(cf_prog_rotate(p, x, 1, &y), CF_OK);
  for (int k = 2; k <= 6; k++) {
    assert_int_equal(cf_prog_rotate(p, x, k, &r), CF_OK);
    assert_int_equal(cf_prog_add(p, y, r, &y), CF_OK);
  }
  assert_int_equal(cf_prog_output(p, "y", y), CF_OK);
  for (unsigned g = 0; g < 3; g++) {
    cf_dag *d = lower_program(p, g * 2, g == 1);
    check_plan(d);
    cf_dag_destroy(d);
  }
  cf_program_destroy(p);
  uint64_t seed = test_seed();
  for (int i = 0; i < 6; i++) {
    cf_program *q = random_program(&c, seed + (uint64_t)i, 12, false);
    assert_non_null(q);
    cf_dag *d = lower_program(q, (unsigned)(i % 3) * 2, i % 2);
    check_plan(d);
    cf_dag_destroy(d);
    cf_program_destroy(q);
  }
}

/* ---- StarPU runs with shared stores ---- */

/* A buffer of a store that holds others too, not kept, or nb if none. */
static size_t some_shared(const uint8_t *keep, const uint32_t *store, size_t nb) {
  for (size_t b = 0; b < nb; b++)
    for (size_t a = 0; a < nb && !keep[b]; a++)
      if (a != b && store[a] == store[b]) return b;
  return nb;
}

/* A random CKKS-shaped DAG as one HE node (so any temporary may take any
 * dead one's store: the most sharing), a random half of its temporaries
 * kept, run on StarPU and compared with the sequential executor on the
 * kept and the non-temporary buffers. Asking to read a shared buffer is
 * refused before anything runs. */
static bool run_shared(const char *policy, uint32_t grain, cf_mem_mode mode, uint64_t seed) {
  tb_shape s = {.limbs = L, .ext = K, .grain = grain, .steps = 80, .nprimes = L + K, .seed = seed};
  cf_dag *dag = tb_random(&s, ref.q);
  for (size_t i = 0; i < cf_dag_ntasks(dag); i++)
    tb_task_mut(dag, (uint32_t)i)->he_node = 0;
  assert_int_equal(cf_dag_derive_edges(dag), CF_OK);
  size_t nb = cf_dag_nbuffers(dag);
  uint8_t *keep = calloc(nb, 1);
  uint32_t *store = malloc(nb * sizeof *store), ns = 0;
  assert_true(keep && store);
  uint64_t r = seed;
  for (size_t b = 0; b < nb; b++)
    keep[b] = cf_dag_buffer_at(dag, b)->role != CF_BUFFER_TEMP || rnd(&r) % 4 == 0;
  assert_int_equal(cf_mem_plan_sharing(dag, keep, store, &ns), CF_OK);
  size_t victim = some_shared(keep, store, nb);
  cf_kernel_runner run = ref_runner(&ref);
  cf_sp_options o = sp_test_options(policy);
  o.data_mode = mode;
  sp_test_start(&o);
  cf_sp_plan *plan = NULL;
  assert_int_equal(cf_sp_plan_create(dag, N, keep, &plan), CF_OK);
  uint64_t **want = sp_test_host(dag, N, ref.q, seed ^ 0x5A5A);
  uint64_t **got = sp_test_clone(dag, N, want), **out = calloc(nb, sizeof *out);
  assert_non_null(out);
  for (size_t b = 0; b < nb; b++)
    if (cf_dag_buffer_at(dag, b)->role != CF_BUFFER_TEMP)
      assert_int_equal(sp_test_fill(plan, dag, (uint32_t)b, want[b], N), CF_OK);
  if (victim < nb) {
    out[victim] = got[victim];
    assert_int_equal(cf_sp_plan_run(plan, &run, out, NULL, NULL), CF_EINVAL);
    assert_non_null(strstr(cf_last_error(), "shares its memory"));
  }
  for (size_t b = 0; b < nb; b++)
    out[b] = keep[b] ? got[b] : NULL;
  assert_int_equal(cf_seq_execute(dag, &run, want), CF_OK);
  if (cf_sp_plan_run(plan, &run, out, NULL, NULL) != CF_OK)
    fail_msg("%s grain %u: %s", policy, grain, cf_last_error());
  for (size_t b = 0; b < nb; b++)
    if (keep[b] && memcmp(want[b], got[b], cf_dag_buffer_at(dag, b)->nlimbs * N * sizeof **got))
      fail_msg("%s grain %u mode %d seed %llu: buffer %s differs", policy, grain, (int)mode,
               (unsigned long long)seed, cf_dag_buffer_at(dag, b)->name);
  cf_sp_plan_destroy(plan);
  cf_sp_stop();
  sp_test_free(dag, want), sp_test_free(dag, got);
  free(out), free(keep), free(store);
  cf_dag_destroy(dag);
  return victim < nb;
}

static void test_starpu_policies(void **state) {
  (void)state;
  uint64_t seed = test_seed();
  const char *policies[] = {"cf-affinity", "cf-critpath", "eager", "lws", "dmda", "random"};
  /* stores as one block, as separate segments (pieces across segments
   * staged), and as a partitioned vector */
  const cf_mem_mode modes[] = {CF_MEM_BLOCKS, CF_MEM_SEGMENTS, CF_MEM_FILTER};
  int sharing = 0;
  for (int i = 0; i < 6; i++)
    sharing += run_shared(policies[i], (uint32_t)(i % 3) * 2, modes[i % 3], seed + (uint64_t)i);
  assert_true(sharing >= 3); /* most random DAGs have temporaries that share */
}

int main(void) {
  ref_ctx_init(&ref, N, L + K);
  sp_test_dir();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chain_shares),
      cmocka_unit_test(test_programs),
      cmocka_unit_test(test_starpu_policies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
