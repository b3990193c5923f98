/* Summary figures against a hand-computed trace and, on random traces,
 * against independent references: a unit time grid for busy time and idle
 * gaps, a memoised recursion over dependency ids for the critical path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cipherflow/trace.h"
#include "traces/model.h"
#include "traces/summary.h"

enum { BASE = 1000 };

static void add(cf_trace *t, uint64_t id, int w, uint64_t s, uint64_t e, const char *k,
                const char *op, const uint64_t *deps, uint32_t nd) {
  cf_trace_task task = {.id = id,
                        .worker = w,
                        .start_ns = BASE + s,
                        .end_ns = BASE + e,
                        .kernel = k,
                        .op = op,
                        .node = -1,
                        .limb_begin = -1,
                        .limb_end = -1,
                        .level = -1,
                        .deps = deps,
                        .ndeps = nd};
  assert_int_equal(cf_trace_record_task(t, &task), CF_OK);
}

static void hand_computed_trace(void **state) {
  (void)state;
  cf_trace *t;
  assert_int_equal(cf_trace_create(&t, 0), CF_OK);
  assert_int_equal(cf_trace_add_memnode(t, 0, "RAM"), CF_OK);
  assert_int_equal(cf_trace_add_memnode(t, 1, "disk"), CF_OK);
  assert_int_equal(cf_trace_add_worker(t, 0, "cpu0", CF_TRACE_CPU, 0), CF_OK);
  assert_int_equal(cf_trace_add_worker(t, 1, "cpu1", CF_TRACE_CPU, 1), CF_OK);
  const uint64_t d1[] = {1}, d12[] = {1, 2}, d34[] = {3, 4};
  add(t, 5, 0, 25, 30, "MODDOWN", NULL, d34, 2); /* recorded out of order on purpose */
  add(t, 1, 0, 0, 10, "NTT", "rotate", NULL, 0);
  add(t, 2, 1, 0, 4, "NTT", "rotate", NULL, 0);
  add(t, 3, 1, 12, 20, "KS_INNER", "rescale", d12, 2);
  add(t, 4, 0, 15, 18, "NTT", "rescale", d1, 1);
  assert_int_equal(cf_trace_record_transfer(t, 0, 1, 100, BASE + 1, BASE + 3), CF_OK);
  assert_int_equal(cf_trace_record_transfer(t, 0, 1, 50, BASE + 5, BASE + 6), CF_OK);
  assert_int_equal(cf_trace_record_transfer(t, 1, 0, 70, BASE + 19, BASE + 24), CF_OK);
  assert_int_equal(cf_trace_record_memory(t, 0, BASE, 5), CF_OK);
  assert_int_equal(cf_trace_record_memory(t, 0, BASE + 10, 9), CF_OK);
  assert_int_equal(cf_trace_record_memory(t, 0, BASE + 20, 3), CF_OK);
  assert_int_equal(cf_trace_record_eviction(t, 0, 1, 4, BASE + 11), CF_OK);
  assert_int_equal(cf_trace_record_eviction(t, 0, -1, 6, BASE + 12), CF_OK);
  cf_tr_snap s;
  cf_tr_summary m;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  assert_int_equal(cf_tr_summarize(t, &s, 10, &m), CF_OK);
  assert_int_equal(m.makespan_ns, 30);
  assert_int_equal(m.work_ns, 10 + 4 + 8 + 3 + 5);
  assert_int_equal(m.nworkers, 2);
  assert_int_equal(m.workers[0].busy_ns, 18);
  assert_int_equal(m.workers[0].idle_ns, 12);
  assert_int_equal(m.workers[1].busy_ns, 12);
  assert_int_equal(m.workers[1].idle_ns, 18);
  assert_true(m.have_deps);
  assert_int_equal(m.critical_ns, 23);
  assert_int_equal(m.ncritical, 3);
  assert_int_equal(s.tasks[m.critical[0]].id, 1);
  assert_int_equal(s.tasks[m.critical[1]].id, 3);
  assert_int_equal(s.tasks[m.critical[2]].id, 5);
  /* Gaps, longest first: cpu1 trailing 10, cpu1 [4,12) 8, cpu0 [18,25) 7, cpu0 [10,15) 5. */
  assert_int_equal(m.ngaps, 4);
  const uint64_t len[] = {10, 8, 7, 5}, start[] = {20, 4, 18, 10};
  const int worker[] = {1, 1, 0, 0};
  const long next_id[] = {-1, 3, 5, 4}, waited_id[] = {-1, 1, 3, 1};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(m.gaps[i].len_ns, len[i]);
    assert_int_equal(m.gaps[i].start_ns, BASE + start[i]);
    assert_int_equal(m.gaps[i].worker, worker[i]);
    if (next_id[i] < 0)
      assert_int_equal(m.gaps[i].next, -1);
    else
      assert_int_equal(s.tasks[m.gaps[i].next].id, next_id[i]);
    if (waited_id[i] < 0)
      assert_int_equal(m.gaps[i].waited_for, -1);
    else
      assert_int_equal(s.tasks[m.gaps[i].waited_for].id, waited_id[i]);
  }
  /* The copy into RAM that ended at 24 explains cpu0's wait before task 5. */
  assert_int_equal(m.gaps[2].transfers_in, 1);
  assert_int_equal(s.transfers[m.gaps[2].last_copy].bytes, 70);
  assert_int_equal(m.gaps[3].transfers_in, 0);
  /* By kernel and op. */
  assert_int_equal(m.nkernels, 3);
  assert_string_equal(m.kernels[0].name, "NTT");
  assert_int_equal(m.kernels[0].total_ns, 17);
  assert_int_equal(m.kernels[0].count, 3);
  assert_string_equal(m.kernels[1].name, "KS_INNER");
  assert_int_equal(m.kernels[1].total_ns, 8);
  assert_string_equal(m.ops[0].name, "rotate");
  assert_int_equal(m.ops[0].total_ns, 14);
  assert_string_equal(m.ops[1].name, "rescale");
  assert_int_equal(m.ops[1].total_ns, 11);
  assert_string_equal(m.ops[2].name, "(none)");
  /* Links and memory. */
  assert_int_equal(m.nlinks, 2);
  assert_int_equal(m.links[0].src, 0);
  assert_int_equal(m.links[0].bytes, 150);
  assert_int_equal(m.links[0].count, 2);
  assert_int_equal(m.links[0].busy_ns, 3);
  assert_int_equal(m.links[1].bytes, 70);
  assert_int_equal(m.nnodes, 1);
  assert_int_equal(m.nodes[0].peak_bytes, 9);
  assert_int_equal(m.nodes[0].evictions, 2);
  assert_int_equal(m.nodes[0].evicted_bytes, 10);
  /* The text report names the copy as the reason. */
  char *text = NULL;
  size_t tlen = 0;
  FILE *f = open_memstream(&text, &tlen);
  cf_tr_summary_print(f, t, &s, &m);
  fclose(f);
  assert_non_null(strstr(text, "waited for a copy disk -> RAM of 70 B"));
  assert_non_null(strstr(text, "critical path 23 ns = 76.7% of the makespan, 3 tasks"));
  free(text);
  cf_tr_summary_free(&m);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
}

static void no_dependencies_means_no_critical_path(void **state) {
  (void)state;
  cf_trace *t;
  assert_int_equal(cf_trace_create(&t, 0), CF_OK);
  assert_int_equal(cf_trace_add_worker(t, 0, "cpu0", CF_TRACE_CPU, 0), CF_OK);
  add(t, 1, 0, 0, 5, "NTT", NULL, NULL, 0);
  add(t, 2, 0, 9, 12, "NTT", NULL, NULL, 0);
  cf_tr_snap s;
  cf_tr_summary m;
  assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
  assert_int_equal(cf_tr_summarize(t, &s, 5, &m), CF_OK);
  assert_false(m.have_deps);
  assert_int_equal(m.ncritical, 0);
  char *text = NULL;
  size_t tlen = 0;
  FILE *f = open_memstream(&text, &tlen);
  cf_tr_summary_print(f, t, &s, &m);
  fclose(f);
  assert_non_null(strstr(text, "critical path unavailable"));
  free(text);
  cf_tr_summary_free(&m);
  cf_tr_snap_free(&s);
  cf_trace_destroy(t);
}

typedef struct rtask {
  uint64_t id;
  int w;
  uint64_t s, e;
  uint64_t deps[8];
  uint32_t nd;
} rtask;

/* Random tasks, sometimes overlapping on a worker, with deps on earlier
 * tasks that ended before the dependant starts. */
static int random_tasks(rtask *r, int n, int nw) {
  uint64_t free_at[4] = {0};
  for (int i = 0; i < n; i++) {
    rtask *k = &r[i];
    k->id = 1000 + (uint64_t)i * 7;
    k->w = rand() % nw;
    k->nd = 0;
    uint64_t ready = 0;
    for (int j = 0; j < i && k->nd < 8; j++) {
      if (rand() % 4 == 0) {
        k->deps[k->nd++] = r[j].id;
        if (r[j].e > ready) ready = r[j].e;
      }
    }
    k->s = (ready > free_at[k->w] ? ready : free_at[k->w]) + (uint64_t)(rand() % 6);
    if (rand() % 8 == 0 && k->s >= 2 && k->nd == 0) k->s -= 2; /* overlap */
    k->e = k->s + 1 + (uint64_t)(rand() % 20);
    if (k->e > free_at[k->w]) free_at[k->w] = k->e;
  }
  return n;
}

static uint64_t ref_longest(const rtask *r, int n, int i, uint64_t *memo) {
  if (memo[i]) return memo[i];
  uint64_t best = 0;
  for (uint32_t d = 0; d < r[i].nd; d++)
    for (int j = 0; j < n; j++)
      if (r[j].id == r[i].deps[d]) {
        uint64_t l = ref_longest(r, n, j, memo);
        if (l > best) best = l;
      }
  return memo[i] = best + (r[i].e - r[i].s);
}

static int cmp_u64_desc(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x > y ? -1 : x < y;
}

static void random_traces_match_references(void **state) {
  (void)state;
  for (int round = 0; round < 200; round++) {
    int nw = 1 + rand() % 4, n = 2 + rand() % 30;
    rtask r[32];
    random_tasks(r, n, nw);
    cf_trace *t;
    assert_int_equal(cf_trace_create(&t, 0), CF_OK);
    for (int w = 0; w < nw; w++)
      assert_int_equal(cf_trace_add_worker(t, w, "w", CF_TRACE_CPU, 0), CF_OK);
    int order[32];
    for (int i = 0; i < n; i++)
      order[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rand() % (i + 1), x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    for (int i = 0; i < n; i++) {
      const rtask *k = &r[order[i]];
      add(t, k->id, k->w, k->s, k->e, "K", NULL, k->deps, k->nd);
    }
    cf_tr_snap s;
    cf_tr_summary m;
    assert_int_equal(cf_tr_snapshot(t, &s), CF_OK);
    assert_int_equal(cf_tr_summarize(t, &s, 1000, &m), CF_OK);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < n; i++) {
      if (r[i].s < lo) lo = r[i].s;
      if (r[i].e > hi) hi = r[i].e;
    }
    assert_int_equal(m.makespan_ns, hi - lo);
    /* Grid: busy cells per worker and maximal idle runs. */
    uint64_t runs[256];
    int nruns = 0;
    for (int w = 0; w < nw; w++) {
      uint64_t busy = 0, run = 0;
      for (uint64_t c = lo; c < hi; c++) {
        bool b = false;
        for (int i = 0; i < n; i++)
          b |= r[i].w == w && r[i].s <= c && c < r[i].e;
        if (b) {
          busy++;
          if (run) runs[nruns++] = run;
          run = 0;
        } else {
          run++;
        }
      }
      if (run) runs[nruns++] = run;
      assert_int_equal(m.workers[w].busy_ns, busy);
      assert_int_equal(m.workers[w].idle_ns, hi - lo - busy);
    }
    qsort(runs, (size_t)nruns, sizeof runs[0], cmp_u64_desc);
    assert_int_equal(m.ngaps, nruns);
    for (int i = 0; i < nruns; i++)
      assert_int_equal(m.gaps[i].len_ns, runs[i]);
    uint64_t memo[32] = {0}, cp = 0;
    bool any = false;
    for (int i = 0; i < n; i++) {
      uint64_t l = ref_longest(r, n, i, memo);
      if (l > cp) cp = l;
      any |= r[i].nd > 0;
    }
    assert_int_equal(m.have_deps, any);
    if (any) {
      assert_int_equal(m.critical_ns, cp);
      /* The reported chain is a real dependency chain summing to that length. */
      uint64_t sum = 0;
      for (size_t i = 0; i < m.ncritical; i++) {
        const cf_trace_task *k = &s.tasks[m.critical[i]];
        sum += k->end_ns - k->start_ns;
        if (i) {
          bool linked = false;
          for (uint32_t d = 0; d < k->ndeps; d++)
            linked |= k->deps[d] == s.tasks[m.critical[i - 1]].id;
          assert_true(linked);
        }
      }
      assert_int_equal(sum, cp);
    }
    cf_tr_summary_free(&m);
    cf_tr_snap_free(&s);
    cf_trace_destroy(t);
  }
}

static void diff_reports_changes(void **state) {
  (void)state;
  cf_trace *t[2];
  cf_tr_snap s[2];
  cf_tr_summary m[2];
  for (int k = 0; k < 2; k++) {
    rtask r[32];
    int n = 5 + rand() % 20;
    random_tasks(r, n, 2);
    assert_int_equal(cf_trace_create(&t[k], 0), CF_OK);
    assert_int_equal(cf_trace_add_worker(t[k], 0, "cpu0", CF_TRACE_CPU, 0), CF_OK);
    assert_int_equal(cf_trace_add_worker(t[k], 1, "cpu1", CF_TRACE_CPU, 0), CF_OK);
    assert_int_equal(cf_trace_set_meta(t[k], "policy", k ? "dmdas" : "eager"), CF_OK);
    for (int i = 0; i < n; i++)
      add(t[k], r[i].id, r[i].w, r[i].s * 1000, r[i].e * 1000, "NTT", "rotate", r[i].deps, r[i].nd);
    assert_int_equal(cf_tr_snapshot(t[k], &s[k]), CF_OK);
    assert_int_equal(cf_tr_summarize(t[k], &s[k], 0, &m[k]), CF_OK);
  }
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  cf_tr_summary_diff(f, "a.json", t[0], &m[0], "b.json", t[1], &m[1]);
  fclose(f);
  assert_non_null(strstr(text, "policy   A=eager  B=dmdas  (differs)"));
  char want[64];
  snprintf(want, sizeof want, "%+8.1f%%",
           100.0 * ((double)m[1].makespan_ns - (double)m[0].makespan_ns) /
               (double)m[0].makespan_ns);
  const char *line = strstr(text, "  makespan");
  assert_non_null(line);
  const char *eol = strchr(line, '\n');
  char *found = strstr(line, want);
  assert_true(found && found < eol);
  snprintf(want, sizeof want, "%+15lld", (long long)m[1].ntasks - (long long)m[0].ntasks);
  assert_non_null(strstr(text, want));
  free(text);
  for (int k = 0; k < 2; k++) {
    cf_tr_summary_free(&m[k]);
    cf_tr_snap_free(&s[k]);
    cf_trace_destroy(t[k]);
  }
}

int main(void) {
  srand((unsigned)time(NULL));
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hand_computed_trace),
      cmocka_unit_test(no_dependencies_means_no_critical_path),
      cmocka_unit_test(random_traces_match_references),
      cmocka_unit_test(diff_reports_changes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
