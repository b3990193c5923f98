/*
 * The StarPU layer's task records fed into the traces/ recorder
 * (cf_trace_log_record_opts), written as JSON and read back: on random
 * CKKS-shaped DAGs every executed task comes back with its worker, times,
 * kernel, limb range, level and node, and its dependencies are checked
 * against the DAG's accesses directly (every dependency is a real conflict
 * on a shared limb with a write, and every conflicting earlier task is
 * reachable through the recorded dependencies, so the critical path sees
 * every ordering StarPU enforced). Ids are shifted by the run offset and
 * entry tasks wait for the given host task. No StarPU needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cipherflow/trace.h"
#include "graph/dag_impl.h"
#include "graph/lower.h"
#include "tasks/trace_hook.h"
#include "tests/tasks/dag_builder.h"
#include "traces/model.h"

static uint64_t rnd(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* Two tasks conflict when they touch a common limb of a buffer and at least
 * one of them writes it. */
static int conflict(const cf_dag_task *a, const cf_dag_task *b) {
  for (unsigned i = 0; i < a->npieces; i++)
    for (unsigned j = 0; j < b->npieces; j++) {
      const cf_dag_piece *p = &a->pieces[i], *q = &b->pieces[j];
      if (p->buffer != q->buffer) continue;
      int lo = p->first_limb > q->first_limb ? p->first_limb : q->first_limb;
      int hi = p->first_limb + p->nlimbs < q->first_limb + q->nlimbs ? p->first_limb + p->nlimbs
                                                                     : q->first_limb + q->nlimbs;
      if (lo < hi && ((p->access & CF_ACCESS_W) || (q->access & CF_ACCESS_W))) return 1;
    }
  return 0;
}

static const uint64_t primes[] = {12289,    40961,     65537,     786433,    7340033,
                                  23068673, 104857601, 167772161, 469762049, 998244353};

static void one_dag(uint64_t seed, uint32_t grain) {
  uint64_t s = seed;
  uint32_t limbs = 3 + (uint32_t)(rnd(&s) % 5);
  tb_shape sh = {.limbs = limbs,
                 .ext = 2,
                 .grain = grain,
                 .steps = 8 + (uint32_t)(rnd(&s) % 10),
                 .nprimes = limbs + 2,
                 .seed = seed};
  cf_dag *dag = tb_random(&sh, primes);
  assert_non_null(dag);
  assert_int_equal(cf_dag_derive_edges(dag), CF_OK); /* lowering does this */
  size_t nt = cf_dag_ntasks(dag);
  assert_true(nt > 0);

  cf_trace_log log;
  assert_int_equal(cf_trace_log_init(&log, dag), CF_OK);
  log.nworkers = 2;
  log.worker_names = calloc(2, sizeof *log.worker_names);
  assert_non_null(log.worker_names);
  strcpy(log.worker_names[0], "CPU 0");
  strcpy(log.worker_names[1], "CPU 1");
  uint64_t t = 1000000 + rnd(&s) % 1000;
  for (size_t i = 0; i < nt; i++) {
    log.records[i].worker = (int)(rnd(&s) % 2);
    log.records[i].start_ns = t;
    log.records[i].end_ns = t + 1 + rnd(&s) % 5000;
    t = log.records[i].end_ns + rnd(&s) % 100;
  }
  uint64_t off = rnd(&s) % 100000, host_id = off + nt;

  cf_trace *tr;
  assert_int_equal(cf_trace_create(&tr, 0), CF_OK);
  assert_int_equal(cf_trace_add_worker(tr, 2, "host", CF_TRACE_CPU, 0), CF_OK);
  cf_trace_task host = {.id = host_id,
                        .worker = 2,
                        .start_ns = 0,
                        .end_ns = 999999,
                        .kernel = "ENCRYPT",
                        .node = -1,
                        .limb_begin = -1,
                        .limb_end = -1,
                        .level = -1};
  assert_int_equal(cf_trace_record_task(tr, &host), CF_OK);
  cf_trace_feed_opts fo = {.prog = NULL, .id_offset = off, .entry_dep = (int64_t)host_id};
  assert_int_equal(cf_trace_log_record_opts(&log, dag, &fo, tr), CF_OK);
  char path[] = "/tmp/cf_trace_feed_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(cf_trace_export_json(tr, path, NULL), CF_OK);
  cf_trace_destroy(tr);
  cf_trace *back;
  assert_int_equal(cf_trace_load_json(path, &back), CF_OK);
  unlink(path);
  cf_tr_snap snap;
  assert_int_equal(cf_tr_snapshot(back, &snap), CF_OK);
  assert_int_equal(snap.ntasks, nt + 1);
  assert_int_equal(snap.nworkers, 3);

  /* reach[i]: the tasks i transitively waits for, as recorded. */
  size_t words = (nt + 63) / 64;
  uint64_t *reach = calloc(nt * words, sizeof *reach);
  const cf_trace_task **by = calloc(nt, sizeof *by);
  assert_non_null(reach);
  assert_non_null(by);
  for (size_t k = 0; k < snap.ntasks; k++) {
    const cf_trace_task *x = &snap.tasks[k];
    if (x->id == host_id) continue;
    assert_true(x->id >= off && x->id < off + nt);
    by[x->id - off] = x;
  }
  for (size_t i = 0; i < nt; i++) {
    const cf_trace_task *x = by[i];
    assert_non_null(x);
    const cf_dag_task *dt = cf_dag_task_at(dag, i);
    assert_int_equal(x->worker, log.records[i].worker);
    assert_int_equal(x->end_ns - x->start_ns, log.records[i].end_ns - log.records[i].start_ns);
    assert_string_equal(x->kernel, cf_kernel_name(dt->kind));
    assert_int_equal(x->limb_begin, dt->pieces[0].first_limb);
    assert_int_equal(x->limb_end, dt->pieces[0].first_limb + dt->pieces[0].nlimbs);
    assert_int_equal(x->level, dt->level);
    assert_int_equal(x->node, dt->he_node);
    int entry = 1;
    for (size_t j = 0; j < i; j++)
      if (conflict(cf_dag_task_at(dag, j), dt)) entry = 0;
    if (entry) {
      /* Nothing in the DAG comes first: the task waits for the host stage. */
      assert_int_equal(x->ndeps, 1);
      assert_int_equal(x->deps[0], host_id);
      continue;
    }
    for (uint32_t d = 0; d < x->ndeps; d++) {
      assert_true(x->deps[d] >= off && x->deps[d] < off + i);
      size_t j = x->deps[d] - off;
      assert_true(conflict(cf_dag_task_at(dag, j), dt));
      reach[i * words + j / 64] |= 1ull << (j % 64);
      for (size_t w = 0; w < words; w++)
        reach[i * words + w] |= reach[j * words + w];
    }
    for (size_t j = 0; j < i; j++)
      if (conflict(cf_dag_task_at(dag, j), dt))
        assert_true(reach[i * words + j / 64] >> (j % 64) & 1);
  }
  free(reach), free(by);
  cf_tr_snap_free(&snap);
  cf_trace_destroy(back);
  cf_trace_log_free(&log);
  cf_dag_destroy(dag);
}

static void test_random_dags(void **state) {
  (void)state;
  uint64_t seed = (uint64_t)time(NULL);
  printf("seed %llu\n", (unsigned long long)seed);
  static const uint32_t grains[] = {1, 2, 0};
  for (int k = 0; k < 12; k++)
    one_dag(seed + (uint64_t)k * 7919, grains[k % 3]);
}

/* Tasks that never ran are left out; memory nodes and worker nodes come
 * from the log. */
static void test_unexecuted_and_nodes(void **state) {
  (void)state;
  tb_shape sh = {.limbs = 4, .ext = 2, .grain = 2, .steps = 6, .nprimes = 6, .seed = 3};
  cf_dag *dag = tb_random(&sh, primes);
  cf_trace_log log;
  assert_int_equal(cf_trace_log_init(&log, dag), CF_OK);
  log.nworkers = 1;
  log.worker_names = calloc(1, sizeof *log.worker_names);
  log.worker_memnode = calloc(1, sizeof *log.worker_memnode);
  log.memnode_names = calloc(2, sizeof *log.memnode_names);
  log.nmemnodes = 2;
  strcpy(log.worker_names[0], "CPU 0");
  strcpy(log.memnode_names[0], "RAM");
  strcpy(log.memnode_names[1], "disk");
  size_t ran = 0;
  for (size_t i = 0; i < log.n; i += 2, ran++)
    log.records[i].worker = 0, log.records[i].start_ns = 10 * i, log.records[i].end_ns = 10 * i + 5;
  cf_trace *tr;
  assert_int_equal(cf_trace_create(&tr, 0), CF_OK);
  assert_int_equal(cf_trace_log_record(&log, dag, tr), CF_OK);
  assert_int_equal(cf_trace_event_count(tr), ran);
  char buf[32];
  assert_string_equal(cf_tr_node_name(tr, 1, buf, sizeof buf), "disk");
  cf_trace_destroy(tr);
  /* A log of another DAG is refused. */
  log.n--;
  assert_int_equal(cf_trace_create(&tr, 0), CF_OK);
  assert_int_equal(cf_trace_log_record(&log, dag, tr), CF_EMISMATCH);
  log.n++;
  cf_trace_destroy(tr);
  cf_trace_log_free(&log);
  cf_dag_destroy(dag);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_dags),
                                     cmocka_unit_test(test_unexecuted_and_nodes)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
