/* Lowering: determinism, task counts as a function of grain, access sanity
 * (every row read was written before or is an input, plaintext or key),
 * derived edges against a direct search, and equal semantics of grain and
 * fusion variants, checked by running the DAG on row hashes: each row
 * written is a hash of the kernel, its prime and the rows it reads. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/lower.h"
#include "tests/graph/examples.h"
#include "tests/graph/helpers.h"

static uint64_t H(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

typedef struct hx {
  const cf_dag *d;
  uint64_t **row;
  char **def;
} hx;

static uint64_t rd(hx *x, const cf_dag_piece *p, size_t t, size_t task) {
  size_t r = p->first_limb + t;
  if (!x->def[p->buffer][r])
    fail_msg("task %zu reads row %zu of buffer %u (%s) before it is written", task, r, p->buffer,
             cf_dag_buffer_at(x->d, p->buffer)->name);
  return x->row[p->buffer][r];
}

static void wr(hx *x, const cf_dag_piece *p, size_t t, uint64_t v) {
  x->row[p->buffer][p->first_limb + t] = v;
  x->def[p->buffer][p->first_limb + t] = 1;
}

static uint16_t prime_of(hx *x, const cf_dag_piece *p, size_t t) {
  return cf_dag_buffer_at(x->d, p->buffer)->primes[p->first_limb + t];
}

/* Whether the kernel reads its first piece (dag.h: RW), by kind and piece
 * count (a rescale with a third piece reads its input from there). */
static bool reads_out(cf_kernel_kind k, int n) {
  return k == CF_KERNEL_NTT || k == CF_KERNEL_INTT || k == CF_KERNEL_MUL_ACC ||
         k == CF_KERNEL_MODDOWN || (k == CF_KERNEL_RESCALE && n == 2);
}

static void step(hx *x, cf_kernel_kind k, uint64_t arg, const cf_dag_piece *const *pc, int n,
                 size_t task, bool fused) {
  if (!fused && k != CF_KERNEL_KS_INNER)
    assert_int_equal(pc[0]->access, reads_out(k, n) ? CF_ACCESS_RW : CF_ACCESS_W);
  for (int i = 0; i < n; i++) {
    const cf_dag_buffer *b = cf_dag_buffer_at(x->d, pc[i]->buffer);
    assert_true((size_t)pc[i]->first_limb + pc[i]->nlimbs <= b->nlimbs);
  }
  if (cf_kernel_limb_local(k)) {
    for (size_t t = 0; t < pc[0]->nlimbs; t++) {
      uint16_t pr = prime_of(x, pc[0], t);
      for (int i = 1; i < n; i++) {
        assert_int_equal(pc[i]->nlimbs, pc[0]->nlimbs);
        if (prime_of(x, pc[i], t) != pr) fail_msg("task %zu: pieces on different primes", task);
      }
      if (k == CF_KERNEL_KS_INNER) {
        uint64_t a0 = rd(x, pc[0], t, task), a1 = rd(x, pc[1], t, task), dg = rd(x, pc[2], t, task);
        uint64_t v0 = H(H(H(H(k, pr), a0), dg), rd(x, pc[3], t, task));
        uint64_t v1 = H(H(H(H(k + 100, pr), a1), dg), rd(x, pc[4], t, task));
        wr(x, pc[0], t, v0), wr(x, pc[1], t, v1);
        continue;
      }
      uint64_t h = H(H(k, arg), pr);
      if (reads_out(k, n)) h = H(h, rd(x, pc[0], t, task));
      for (int i = 1; i < n; i++)
        h = H(h, rd(x, pc[i], t, task));
      wr(x, pc[0], t, h);
    }
    return;
  }
  /* limbs meet: each output row depends on every input row */
  uint64_t in = H(k, arg);
  for (size_t t = 0; t < pc[1]->nlimbs; t++)
    in = H(in, H(prime_of(x, pc[1], t), rd(x, pc[1], t, task)));
  for (size_t t = 0; t < pc[0]->nlimbs; t++) {
    uint64_t h = H(in, prime_of(x, pc[0], t));
    if (reads_out(k, n)) h = H(h, rd(x, pc[0], t, task));
    if (k == CF_KERNEL_RESCALE && n == 3) { /* the same row of the input */
      assert_int_equal(pc[2]->nlimbs, pc[0]->nlimbs);
      assert_int_equal(prime_of(x, pc[2], t), prime_of(x, pc[0], t));
      h = H(h, rd(x, pc[2], t, task));
    }
    wr(x, pc[0], t, h);
  }
}

static uint64_t const_hash(const cf_dag *d, uint32_t index) {
  size_t np;
  const uint64_t *c = cf_dag_constant(d, index, &np);
  assert_non_null(c);
  uint64_t h = 0;
  for (size_t k = 0; k < np; k++)
    h = H(h, c[k]);
  return h;
}

/* Runs the DAG on hashes; returns one hash per output. */
static uint64_t *hash_run(const cf_dag *d) {
  hx x = {d, calloc(cf_dag_nbuffers(d), sizeof(uint64_t *)),
          calloc(cf_dag_nbuffers(d), sizeof(char *))};
  for (size_t b = 0; b < cf_dag_nbuffers(d); b++) {
    const cf_dag_buffer *bf = cf_dag_buffer_at(d, b);
    const cf_dag_buffer_info *in = cf_dag_buffer_info_at(d, b);
    x.row[b] = calloc(bf->nlimbs, sizeof(uint64_t));
    x.def[b] = calloc(bf->nlimbs, 1);
    if (bf->role == CF_BUFFER_TEMP) continue;
    for (uint32_t r = 0; r < bf->nlimbs; r++) {
      uint64_t h = H(bf->role, bf->primes[r]);
      if (bf->role == CF_BUFFER_CIPHERTEXT) h = H(H(h, (uint64_t)bf->value), (uint64_t)bf->poly);
      if (bf->role == CF_BUFFER_PLAINTEXT) {
        uint64_t sb;
        memcpy(&sb, &in->scale, sizeof sb);
        h = H(H(H(h, (uint64_t)in->node), (uint64_t)in->level), sb);
      }
      if (bf->role == CF_BUFFER_KEY) h = H(H(H(h, in->galois), in->digit), (uint64_t)bf->poly);
      x.row[b][r] = h;
      x.def[b][r] = 1;
    }
  }
  for (size_t i = 0; i < cf_dag_ntasks(d); i++) {
    const cf_dag_task *t = cf_dag_task_at(d, i);
    assert_int_equal(t->id, i);
    if (t->kind == CF_KERNEL_FUSED) {
      const cf_dag_fused_chain *c = cf_dag_fused_chain_at(d, t->arg.fused);
      assert_non_null(c);
      assert_true(c->nsteps >= 2);
      for (int s = 0; s < c->nsteps; s++) {
        const cf_dag_piece *pc[5];
        for (int k = 0; k < c->steps[s].npieces; k++) {
          assert_true(c->steps[s].piece[k] < t->npieces);
          pc[k] = &t->pieces[c->steps[s].piece[k]];
        }
        uint64_t arg = c->steps[s].kind == CF_KERNEL_AUTOMORPH ? c->steps[s].galois : 0;
        if (c->steps[s].kind == CF_KERNEL_MUL_CONST) arg = const_hash(d, c->steps[s].constant);
        step(&x, c->steps[s].kind, arg, pc, c->steps[s].npieces, i, true);
      }
      continue;
    }
    const cf_dag_piece *pc[CF_DAG_MAX_PIECES];
    for (int k = 0; k < t->npieces; k++)
      pc[k] = &t->pieces[k];
    uint64_t arg = t->kind == CF_KERNEL_AUTOMORPH   ? t->arg.galois
                   : t->kind == CF_KERNEL_MUL_CONST ? t->arg.constant
                   : t->kind == CF_KERNEL_MODUP     ? t->arg.digit
                                                    : 0;
    if (t->kind == CF_KERNEL_MUL_CONST) arg = const_hash(d, t->arg.constant);
    step(&x, t->kind, arg, pc, t->npieces, i, false);
  }
  uint64_t *out = calloc(cf_dag_noutputs(d) + 1, sizeof *out);
  for (size_t o = 0; o < cf_dag_noutputs(d); o++) {
    const cf_dag_output *op = cf_dag_output_at(d, o);
    uint64_t h = 0;
    for (int k = 0; k < op->npolys; k++) {
      for (uint16_t r = 0; r < op->nlimbs; r++) {
        cf_dag_piece pc = {op->buffers[k], r, 1, CF_ACCESS_R};
        h = H(h, rd(&x, &pc, 0, SIZE_MAX));
      }
    }
    out[o] = h;
  }
  for (size_t b = 0; b < cf_dag_nbuffers(d); b++)
    free(x.row[b]), free(x.def[b]);
  free(x.row), free(x.def);
  return out;
}

/* Edges, row by row: the last writer of every row a task touches is among
 * its preds, and so is every reader since then when the task writes it. */
static bool has_pred(const uint32_t *pr, size_t np, size_t j) {
  for (size_t k = 0; k < np; k++)
    if (pr[k] == j) return true;
  return false;
}

static void check_edges(const cf_dag *d) {
  for (size_t i = 0; i < cf_dag_ntasks(d); i++) {
    size_t np;
    const uint32_t *pr = cf_dag_preds(d, i, &np);
    for (size_t k = 0; k < np; k++)
      assert_true(pr[k] < i && (k == 0 || pr[k - 1] < pr[k]));
    const cf_dag_task *t = cf_dag_task_at(d, i);
    for (int a = 0; a < t->npieces; a++) {
      const cf_dag_piece *pa = &t->pieces[a];
      for (uint32_t row = pa->first_limb; row < (uint32_t)pa->first_limb + pa->nlimbs; row++) {
        for (size_t j = i; j-- > 0;) {
          const cf_dag_task *u = cf_dag_task_at(d, j);
          int acc = 0;
          for (int b = 0; b < u->npieces; b++) {
            const cf_dag_piece *pb = &u->pieces[b];
            if (pb->buffer == pa->buffer && pb->first_limb <= row &&
                row < (uint32_t)pb->first_limb + pb->nlimbs)
              acc |= pb->access;
          }
          if (!acc) continue;
          if ((acc & CF_ACCESS_W) || (pa->access & CF_ACCESS_W))
            if (!has_pred(pr, np, j)) fail_msg("task %zu lacks an edge from task %zu", i, j);
          if (acc & CF_ACCESS_W) break;
        }
      }
    }
  }
}

static void test_variants_agree(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(example_chain(&c), CF_OK);
  for (int e = 0; e < nexamples; e++) {
    cf_program *p, *q, *h;
    assert_int_equal(examples[e].build(&c, &p), CF_OK);
    assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
    cf_dag *ref = lower_program(q, 1, false);
    check_edges(ref);
    uint64_t *want = hash_run(ref);
    unsigned grains[] = {1, 2, 3, 5, 0};
    size_t prev = SIZE_MAX;
    for (int g = 0; g < 5; g++) {
      for (int f = 0; f < 2; f++) {
        cf_dag *d = lower_program(q, grains[g], f);
        uint64_t *got = hash_run(d);
        for (size_t o = 0; o < cf_dag_noutputs(d); o++)
          if (got[o] != want[o])
            fail_msg("%s grain %u fuse %d: output %zu differs", examples[e].file, grains[g], f, o);
        if (!f) {
          assert_true(cf_dag_ntasks(d) <= prev); /* coarser grain, no more tasks */
          prev = cf_dag_ntasks(d);
        }
        double total, cp = cf_dag_critical_path(d, &total, NULL), maxc = 0;
        for (size_t i = 0; i < cf_dag_ntasks(d); i++)
          if (cf_dag_task_at(d, i)->cost_ns > maxc) maxc = cf_dag_task_at(d, i)->cost_ns;
        assert_true(cp >= maxc && cp <= total * (1 + 1e-12));
        free(got);
        cf_dag_destroy(d);
      }
    }
    /* hoisting and CSE change buffers and task counts, not values */
    assert_int_equal(cf_pass_hoist_rotations(q, &h), CF_OK);
    cf_dag *dh = lower_program(h, 2, true);
    uint64_t *got = hash_run(dh);
    for (size_t o = 0; o < cf_dag_noutputs(dh); o++)
      assert_true(got[o] == want[o]);
    size_t modup_plain = 0, modup_hoisted = 0;
    for (size_t i = 0; i < cf_dag_ntasks(ref); i++)
      modup_plain += cf_dag_task_at(ref, i)->kind == CF_KERNEL_MODUP;
    cf_dag *dh1 = lower_program(h, 1, false);
    for (size_t i = 0; i < cf_dag_ntasks(dh1); i++)
      modup_hoisted += cf_dag_task_at(dh1, i)->kind == CF_KERNEL_MODUP;
    assert_true(modup_hoisted <= modup_plain);
    if (strcmp(examples[e].file, "mlp.cfp") == 0 || strcmp(examples[e].file, "rotate_sum.cfp") == 0)
      assert_true(modup_hoisted < modup_plain);
    free(got), free(want);
    cf_dag_destroy(dh), cf_dag_destroy(dh1), cf_dag_destroy(ref);
    cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(h);
  }
}

static void test_random_variants(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  for (int k = 0; k < 15; k++) {
    cf_program *p = random_program(&c, test_seed() + 31u * (uint64_t)k, 20, false);
    cf_dag *a = lower_program(p, 1, false), *b = lower_program(p, 3, true),
           *z = lower_program(p, 0, true);
    check_edges(b);
    uint64_t *ha = hash_run(a), *hb = hash_run(b), *hz = hash_run(z);
    for (size_t o = 0; o < cf_dag_noutputs(a); o++)
      assert_true(ha[o] == hb[o] && ha[o] == hz[o]);
    free(ha), free(hb), free(hz);
    cf_dag_destroy(a), cf_dag_destroy(b), cf_dag_destroy(z);
    cf_program_destroy(p);
  }
}

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

static void test_task_counts(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  for (int level = 1; level <= 7; level += 3) {
    cf_program *p;
    assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &p), CF_OK);
    cf_value x, y, s, m, r;
    assert_int_equal(cf_prog_input(p, "x", level, 0, 8, &x), CF_OK);
    assert_int_equal(cf_prog_input(p, "y", level, 0, 8, &y), CF_OK);
    assert_int_equal(cf_prog_add(p, x, y, &s), CF_OK);
    assert_int_equal(cf_prog_output(p, "s", s), CF_OK);
    cf_program *q;
    assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &q), CF_OK);
    assert_int_equal(cf_prog_input(q, "x", level, 0, 8, &x), CF_OK);
    assert_int_equal(cf_prog_input(q, "y", level, 0, 8, &y), CF_OK);
    assert_int_equal(cf_prog_mul(q, x, y, &m), CF_OK);
    assert_int_equal(cf_prog_output(q, "m", m), CF_OK);
    cf_program *w;
    assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &w), CF_OK);
    assert_int_equal(cf_prog_input(w, "x", level, 60, 8, &x), CF_OK);
    assert_int_equal(cf_prog_rescale(w, x, &r), CF_OK);
    assert_int_equal(cf_prog_output(w, "r", r), CF_OK);
    size_t rows = (size_t)level + 1;
    for (unsigned g = 0; g <= 9; g++) {
      size_t per = g ? ceil_div(rows, g) : 1, per_l = g ? ceil_div(rows - 1, g) : 1;
      cf_dag *d = lower_program(p, g, false);
      assert_int_equal(cf_dag_ntasks(d), 2 * per);
      cf_dag_destroy(d);
      d = lower_program(q, g, false);
      assert_int_equal(cf_dag_ntasks(d), 4 * per);
      cf_dag_destroy(d);
      d = lower_program(w, g, false);
      /* per polynomial: copy top, INTT top, rescale (out of place) */
      assert_int_equal(cf_dag_ntasks(d), 2 * (per_l + 2));
      size_t meet = 0;
      for (size_t i = 0; i < cf_dag_ntasks(d); i++)
        meet += cf_dag_task_at(d, i)->kind == CF_KERNEL_RESCALE;
      assert_int_equal(meet, 2 * per_l);
      cf_dag_destroy(d);
      d = lower_program(w, g, true); /* the copy and INTT of the top row fuse */
      assert_int_equal(cf_dag_ntasks(d), 2 * (per_l + 1));
      cf_dag_destroy(d);
    }
    cf_program_destroy(p), cf_program_destroy(q), cf_program_destroy(w);
  }
}

static void test_determinism_and_refusals(void **state) {
  (void)state;
  cf_chain c;
  assert_int_equal(example_chain(&c), CF_OK);
  cf_program *p, *q;
  assert_int_equal(examples[3].build(&c, &p), CF_OK); /* mlp */
  cf_lower_options o;
  cf_lower_options_default(&o);
  cf_dag *d;
  assert_int_equal(cf_lower(p, &o, &d), CF_EUNSUPPORTED);
  assert_non_null(strstr(cf_last_error(), "poly"));
  assert_non_null(strstr(cf_last_error(), "expanded"));
  assert_int_equal(cf_pass_expand_poly(p, &q), CF_OK);
  char *texts[2];
  for (int r = 0; r < 2; r++) {
    cf_dag *e = lower_program(q, 2, true);
    size_t len;
    FILE *f = open_memstream(&texts[r], &len);
    assert_int_equal(cf_dag_write_text(e, f), CF_OK);
    fclose(f);
    cf_dag_destroy(e);
  }
  assert_string_equal(texts[0], texts[1]);
  assert_non_null(strstr(texts[0], "task 0 "));
  free(texts[0]), free(texts[1]);
  cf_program_destroy(p), cf_program_destroy(q);
  cf_chain s;
  small_chain(&s);
  assert_int_equal(cf_program_create(&s, CF_MANAGE_AUTO, &p), CF_OK);
  cf_value x, b;
  assert_int_equal(cf_prog_input(p, "x", 2, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_bootstrap(p, x, 6, &b), CF_OK);
  assert_int_equal(cf_prog_output(p, "b", b), CF_OK);
  assert_int_equal(cf_lower(p, &o, &d), CF_EUNSUPPORTED);
  assert_non_null(strstr(cf_last_error(), "node %1 bootstrap"));
  cf_program_destroy(p);
}

/* Node costs: a ct*ct multiplication costs 4 (l+1) N modular products. */
static void test_cost_model(void **state) {
  (void)state;
  cf_chain c;
  small_chain(&c);
  cf_program *p;
  assert_int_equal(cf_program_create(&c, CF_MANAGE_NONE, &p), CF_OK);
  cf_value x, m, r;
  assert_int_equal(cf_prog_input(p, "x", 5, 0, 8, &x), CF_OK);
  assert_int_equal(cf_prog_mul(p, x, x, &m), CF_OK);
  assert_int_equal(cf_prog_relinearize(p, m, &r), CF_OK);
  assert_int_equal(cf_prog_output(p, "r", r), CF_OK);
  cf_dag *d = lower_program(p, 1, false);
  const cf_node_cost *nc = cf_dag_node_cost(d, m);
  double n = 1u << c.log_n;
  assert_true(nc->modmuls == 4 * 6 * n);
  assert_true(nc->ntts == 0);
  assert_int_equal(nc->ntasks, 4 * 6);
  assert_true(nc->bytes == 4 * 6 * n * 8 * 3 + 6 * n * 8); /* MUL_ACC reads and writes d1 */
  const cf_node_cost *rc = cf_dag_node_cost(d, r);
  /* INTT of 6 rows, NTT of the extensions, ModDown NTTs: at least 6 + 6 */
  assert_true(rc->ntts >= 12);
  assert_true(rc->cost_ns > nc->cost_ns);
  cf_dag_destroy(d);
  cf_program_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_variants_agree), cmocka_unit_test(test_random_variants),
      cmocka_unit_test(test_task_counts),    cmocka_unit_test(test_determinism_and_refusals),
      cmocka_unit_test(test_cost_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
