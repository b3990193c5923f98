#include "tasks/executor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "memory/share.h"
#include "scheduler/cf_policy.h"
#include "scheduler/policies.h"
#include "scheduler/priority.h"
#include "tasks/codelets.h"
#include "tasks/runtime_state.h"

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static enum starpu_data_access_mode sp_mode(cf_access a) {
  return a == CF_ACCESS_R ? STARPU_R : a == CF_ACCESS_W ? STARPU_W : STARPU_RW;
}

/* Checks that every limb is written before it is read unless the buffer
 * holds given content (filled[b]), and notes which buffers the DAG writes. */
static cf_status check_inputs(const cf_dag *dag, const uint8_t *filled, uint8_t *written) {
  size_t nbuf = cf_dag_nbuffers(dag), total = 0;
  size_t *base = malloc((nbuf + 1) * sizeof *base);
  if (!base) return CF_FAIL(CF_ENOMEM, "input check");
  for (size_t b = 0; b < nbuf; b++)
    base[b] = total, total += cf_dag_buffer_at(dag, b)->nlimbs;
  uint8_t *init = calloc(total ? total : 1, 1);
  if (!init) {
    free(base);
    return CF_FAIL(CF_ENOMEM, "input check: %zu limbs", total);
  }
  for (size_t b = 0; b < nbuf; b++) {
    written[b] = 0;
    if (filled[b]) memset(init + base[b], 1, cf_dag_buffer_at(dag, b)->nlimbs);
  }
  cf_status st = CF_OK;
  for (size_t i = 0, nt = cf_dag_ntasks(dag); i < nt && st == CF_OK; i++) {
    const cf_dag_task *t = cf_dag_task_at(dag, i);
    if ((unsigned)t->kind >= CF_KERNEL_COUNT) {
      st = CF_FAIL(CF_EINVAL, "task %zu has unknown kernel kind %d", i, (int)t->kind);
      break;
    }
    for (unsigned p = 0; p < t->npieces && st == CF_OK; p++) {
      const cf_dag_piece *pc = &t->pieces[p];
      if (pc->access == CF_ACCESS_W) continue;
      for (unsigned l = 0; l < pc->nlimbs; l++)
        if (!init[base[pc->buffer] + pc->first_limb + l]) {
          st = CF_FAIL(CF_EINVAL,
                       "task %zu reads limb %u of buffer %u (%s) before anything "
                       "writes it and no initial content was given",
                       i, pc->first_limb + l, pc->buffer,
                       cf_dag_buffer_at(dag, pc->buffer)->name
                           ? cf_dag_buffer_at(dag, pc->buffer)->name
                           : "?");
          break;
        }
    }
    for (unsigned p = 0; p < t->npieces; p++) {
      const cf_dag_piece *pc = &t->pieces[p];
      if (!(pc->access & CF_ACCESS_W)) continue;
      written[pc->buffer] = 1;
      memset(init + base[pc->buffer] + pc->first_limb, 1, pc->nlimbs);
    }
  }
  free(base), free(init);
  return st;
}

/* Limb group of a task for cf-affinity: limb-local tasks on a sub-range of
 * a polynomial are grouped by which block of limbs they touch. */
static long limb_group(const cf_dag *dag, const cf_dag_task *t) {
  if (t->kind >= CF_KERNEL_MODUP || t->npieces == 0) return -1;
  const cf_dag_piece *p = &t->pieces[0];
  if (p->nlimbs >= cf_dag_buffer_at(dag, p->buffer)->nlimbs) return -1;
  return p->first_limb / p->nlimbs;
}

static cf_status submit_one(cf_mem_registry *reg, cf_sp_task_arg *a, int prio, void *hint) {
  const cf_dag_task *t = a->task;
  uint32_t first[CF_DAG_MAX_PIECES], nbuf = 0;
  for (unsigned p = 0; p < t->npieces; p++) {
    CF_TRY(cf_mem_piece_segments(reg, &t->pieces[p], &first[p], &a->nseg[p]));
    nbuf += a->nseg[p];
    a->limbs += t->pieces[p].nlimbs;
  }
  struct starpu_task *task = starpu_task_create();
  if (!task) return CF_FAIL(CF_ENOMEM, "creating StarPU task %u", a->index);
  task->cl = cf_sp_codelet(t->kind);
  task->cl_arg = a;
  task->cl_arg_size = sizeof *a;
  task->callback_func = cf_sp_task_done;
  task->callback_arg = a;
  task->priority = prio;
  task->sched_data = hint;
  task->nbuffers = (int)nbuf;
  starpu_data_handle_t *handles = task->handles;
  enum starpu_data_access_mode *modes = task->modes;
  if (nbuf > STARPU_NMAXBUFS) {
    /* StarPU frees these with the task. */
    handles = task->dyn_handles = malloc(nbuf * sizeof *handles);
    modes = task->dyn_modes = malloc(nbuf * sizeof *modes);
    if (!handles || !modes) {
      task->destroy = 1;
      starpu_task_destroy(task);
      return CF_FAIL(CF_ENOMEM, "task %u: %u handles", a->index, nbuf);
    }
  }
  uint32_t k = 0;
  for (unsigned p = 0; p < t->npieces; p++)
    for (uint32_t s = 0; s < a->nseg[p]; s++, k++) {
      handles[k] = cf_mem_segment_at(reg, first[p] + s)->handle;
      modes[k] = sp_mode(t->pieces[p].access);
    }
  /* A handle given twice (out = a + b with out == a) must carry the union
   * of its modes in every slot: StarPU 1.3 fetches per slot, and a slot
   * left at W on data evicted to disk is not brought back. */
  for (uint32_t i = 0; i < nbuf; i++)
    for (uint32_t j = 0; j < i; j++)
      if (handles[i] == handles[j])
        modes[i] = modes[j] = (enum starpu_data_access_mode)(modes[i] | modes[j]);
  int rc = starpu_task_submit(task);
  if (rc != 0) {
    starpu_task_destroy(task);
    return CF_FAIL(rc == -ENODEV ? CF_ENODEV : CF_ERUNTIME, "submitting task %u (%s): %s", a->index,
                   cf_kernel_kind_name(t->kind),
                   rc == -ENODEV ? "no worker can run it" : strerror(-rc));
  }
  return CF_OK;
}

static void wait_all(cf_sp_run *run, size_t n, uint64_t t0) {
  bool show = cf_sp_rt.progress && isatty(STDERR_FILENO), shown = false;
  if (!show) {
    starpu_task_wait_for_all();
    return;
  }
  uint64_t next = t0 + 2000000000u;
  while (atomic_load(&run->done) < n) {
    struct timespec d = {0, 5 * 1000 * 1000};
    nanosleep(&d, NULL);
    uint64_t now = now_ns();
    if (show && now >= next) {
      size_t done = atomic_load(&run->done);
      fprintf(stderr, "\rcipherflow: %zu/%zu tasks (%.0f%%), %.1f s", done, n,
              100.0 * (double)done / (double)n, (double)(now - t0) * 1e-9);
      shown = true;
      next = now + 500000000u;
    }
  }
  starpu_task_wait_for_all();
  if (shown) fprintf(stderr, "\n");
}

static void worker_stats(cf_sp_stats *s, uint64_t wall, uint64_t *exec_total) {
  uint64_t exec = 0;
  int nw = (int)starpu_worker_get_count();
  for (int w = 0; w < nw; w++) {
    struct starpu_profiling_worker_info wi;
    if (starpu_profiling_worker_get_info(w, &wi) == 0)
      exec +=
          (uint64_t)wi.executing_time.tv_sec * 1000000000u + (uint64_t)wi.executing_time.tv_nsec;
  }
  uint64_t bytes = 0;
  for (int b = 0, nb = starpu_bus_get_count(); b < nb; b++) {
    struct starpu_profiling_bus_info bi;
    if (starpu_bus_get_profiling_info(b, &bi) == 0) bytes += (uint64_t)bi.transferred_bytes;
  }
  if (s) {
    s->nworkers = nw;
    s->bytes_moved = bytes;
    s->utilization = wall && nw ? (double)exec / ((double)wall * nw) : 0.0;
    s->idle_ns = (uint64_t)nw * wall > exec ? (uint64_t)nw * wall - exec : 0;
  }
  if (exec_total) *exec_total = exec;
}

/* Memory nodes and each worker's node, for the trace's tiers. */
static void name_memnodes(cf_trace_log *trace) {
  free(trace->worker_memnode), free(trace->memnode_names);
  trace->worker_memnode = calloc((size_t)(trace->nworkers ? trace->nworkers : 1), sizeof(int));
  for (int w = 0; trace->worker_memnode && w < trace->nworkers; w++)
    trace->worker_memnode[w] = (int)starpu_worker_get_memory_node((unsigned)w);
  int nn = (int)starpu_memory_nodes_get_count();
  trace->memnode_names = calloc((size_t)(nn > 0 ? nn : 1), sizeof *trace->memnode_names);
  trace->nmemnodes = trace->memnode_names ? nn : 0;
  int ncuda = 0;
  for (int m = 0; m < trace->nmemnodes; m++) {
    enum starpu_node_kind k = starpu_node_get_kind((unsigned)m);
    char *name = trace->memnode_names[m];
    if (k == STARPU_CUDA_RAM)
      snprintf(name, sizeof trace->memnode_names[m], "CUDA%d", ncuda++);
    else
      snprintf(name, sizeof trace->memnode_names[m], "%s",
               k == STARPU_CPU_RAM    ? "RAM"
               : k == STARPU_DISK_RAM ? "disk"
                                      : "other");
  }
}

struct cf_sp_plan {
  const cf_dag *dag;
  uint32_t n;
  unsigned generation; /* the StarPU session the handles belong to */
  cf_mem_registry *reg;
  size_t nt, nb;
  cf_sp_task_arg *args;
  int *prio;
  void **hints;
  uint8_t *filled;         /* buffer holds content given by cf_sp_plan_fill */
  uint8_t *written;        /* some task writes the buffer */
  cf_sp_run run;           /* what the tasks of the current run share */
  cf_sp_plan *prev, *next; /* live plans, released by cf_sp_stop */
};

static cf_sp_plan *live_plans;

void cf_sp_plans_release(void) {
  for (cf_sp_plan *p = live_plans; p; p = p->next) {
    cf_mem_unregister(p->reg);
    p->reg = NULL;
  }
  live_plans = NULL;
}

static void unlink_plan(cf_sp_plan *p) {
  if (p->prev) p->prev->next = p->next;
  if (p->next) p->next->prev = p->prev;
  if (live_plans == p) live_plans = p->next;
  p->prev = p->next = NULL;
}

/* Registers the DAG's data, with temporaries sharing stores if asked. */
static cf_status register_plan(cf_sp_plan *p, const uint8_t *keep) {
  uint32_t *store = NULL, nstores = 0;
  if (cf_sp_rt.share) {
    store = malloc((p->nb ? p->nb : 1) * sizeof *store);
    if (!store) return CF_FAIL(CF_ENOMEM, "StarPU plan: stores of %zu buffers", p->nb);
    cf_status st = cf_mem_plan_sharing(p->dag, keep, store, &nstores);
    if (st != CF_OK) {
      free(store);
      return st;
    }
  }
  cf_status st = cf_mem_register_dag(p->dag, p->n, cf_sp_rt.data_mode, store, &p->reg);
  free(store);
  return st;
}

cf_status cf_sp_plan_create(const cf_dag *dag, uint32_t n, const uint8_t *keep, cf_sp_plan **out) {
  if (!cf_sp_rt.running) return CF_FAIL(CF_EINVAL, "StarPU plan before cf_sp_start");
  if (!dag || !out) return CF_FAIL(CF_EINVAL, "StarPU plan: NULL argument");
  cf_sp_plan *p = calloc(1, sizeof *p);
  if (!p) return CF_FAIL(CF_ENOMEM, "StarPU plan");
  size_t nt = cf_dag_ntasks(dag), nb = cf_dag_nbuffers(dag);
  p->dag = dag, p->n = n, p->nt = nt, p->nb = nb, p->generation = cf_sp_rt.generation;
  p->args = calloc(nt ? nt : 1, sizeof *p->args);
  p->prio = calloc(nt ? nt : 1, sizeof *p->prio);
  p->hints = calloc(nt ? nt : 1, sizeof *p->hints);
  p->filled = calloc(nb ? nb : 1, 1);
  p->written = calloc(nb ? nb : 1, 1);
  double *bl = cf_sp_rt.priorities ? malloc((nt ? nt : 1) * sizeof *bl) : NULL;
  cf_status st = (!p->args || !p->prio || !p->hints || !p->filled || !p->written ||
                  (cf_sp_rt.priorities && !bl))
                     ? CF_FAIL(CF_ENOMEM, "StarPU plan: per-task state for %zu tasks", nt)
                     : CF_OK;
  for (size_t i = 0; st == CF_OK && i < nt; i++)
    if ((unsigned)cf_dag_task_at(dag, i)->kind >= CF_KERNEL_COUNT)
      st = CF_FAIL(CF_EINVAL, "task %zu has unknown kernel kind %d", i,
                   (int)cf_dag_task_at(dag, i)->kind);
  /* One worker runs every task anyway: critical-path order cannot shorten
   * its makespan, and submission order (the program's, one HE operation
   * after the other) keeps each operation's rows in cache where priorities
   * would interleave independent operations. */
  if (st == CF_OK && cf_sp_rt.priorities && starpu_worker_get_count() > 1) {
    st = cf_sched_bottom_levels(dag, bl);
    if (st == CF_OK)
      cf_sched_levels_to_priorities(bl, nt, starpu_sched_get_min_priority(),
                                    starpu_sched_get_max_priority(), p->prio);
  }
  free(bl);
  for (size_t i = 0; st == CF_OK && cf_sp_rt.own_policy && i < nt; i++)
    p->hints[i] = cf_sched_affinity_hint(limb_group(dag, cf_dag_task_at(dag, i)));
  if (st == CF_OK) st = register_plan(p, keep);
  if (st != CF_OK) {
    cf_sp_plan_destroy(p);
    return st;
  }
  p->next = live_plans;
  if (live_plans) live_plans->prev = p;
  live_plans = p;
  *out = p;
  return CF_OK;
}

bool cf_sp_plan_current(const cf_sp_plan *p) {
  return p && p->reg && cf_sp_rt.running && p->generation == cf_sp_rt.generation;
}

void cf_sp_plan_destroy(cf_sp_plan *p) {
  if (!p) return;
  /* cf_sp_stop unregistered the data of plans of its session. */
  if (cf_sp_plan_current(p)) {
    unlink_plan(p);
    cf_mem_unregister(p->reg);
  }
  free(p->args), free(p->prio), free(p->hints), free(p->filled), free(p->written);
  free(p);
}

cf_status cf_sp_plan_fill(cf_sp_plan *p, uint32_t b, const uint64_t *const *rows) {
  if (!cf_sp_plan_current(p)) return CF_FAIL(CF_EINVAL, "fill: plan of a stopped StarPU session");
  if (b >= p->nb || !rows) return CF_FAIL(CF_EINVAL, "fill: buffer %u of %zu", b, p->nb);
  CF_TRY(cf_mem_fill_rows(p->reg, b, rows));
  p->filled[b] = 1;
  return CF_OK;
}

bool cf_sp_plan_filled(const cf_sp_plan *p, uint32_t b) { return p && b < p->nb && p->filled[b]; }

cf_status cf_sp_plan_run(cf_sp_plan *p, const cf_kernel_runner *runner, uint64_t **out,
                         cf_sp_stats *stats, cf_trace_log *trace) {
  if (!cf_sp_plan_current(p))
    return CF_FAIL(CF_EINVAL, "StarPU plan: not made in the running StarPU session");
  if (!runner || !runner->run) return CF_FAIL(CF_EINVAL, "execute: NULL runner");
  if (runner->n != p->n)
    return CF_FAIL(CF_EINVAL, "execute: runner of degree %u, plan of %u", runner->n, p->n);
  const cf_dag *dag = p->dag;
  size_t nt = p->nt;
  if (trace && trace->n != nt)
    return CF_FAIL(CF_EINVAL, "trace log sized for %zu tasks, DAG has %zu", trace->n, nt);
  for (size_t b = 0; out && b < p->nb; b++)
    if (out[b] && cf_mem_shared(p->reg, (uint32_t)b))
      return CF_FAIL(CF_EINVAL,
                     "buffer %zu (%s) shares its memory with other temporaries: keep it when "
                     "creating the plan to read it",
                     b, cf_dag_buffer_at(dag, b)->name ? cf_dag_buffer_at(dag, b)->name : "?");
  uint64_t sp_in = (uint64_t)(starpu_timing_now() * 1e3);
  CF_TRY(check_inputs(dag, p->filled, p->written));
  cf_sp_host_end();
  starpu_task_wait_for_all(); /* fills done before the clock starts */
  cf_sp_run *run = &p->run;
  *run = (cf_sp_run){
      .dag = dag, .runner = runner, .trace = trace, .contiguous = cf_mem_contiguous(p->reg)};
  atomic_init(&run->done, 0);
  atomic_init(&run->status, CF_OK);
  atomic_init(&run->failed_at, 0);
  atomic_init(&run->last_done_ns, 0);
  bool profiling = trace || stats;
  if (profiling) {
    starpu_profiling_status_set(STARPU_PROFILING_ENABLE);
    worker_stats(NULL, 0, NULL); /* reading resets the counters */
  }
  cf_status st = CF_OK;
  uint64_t t0 = now_ns(), submitted = 0;
  uint64_t sp_t0 = (uint64_t)(starpu_timing_now() * 1e3);
  for (size_t i = 0; st == CF_OK && i < nt; i++) {
    p->args[i] = (cf_sp_task_arg){.run = run, .task = cf_dag_task_at(dag, i), .index = (uint32_t)i};
    st = submit_one(p->reg, &p->args[i], p->prio[i], p->hints[i]);
    if (st == CF_OK) submitted++;
  }
  uint64_t t_sub = now_ns();
  wait_all(run, submitted, t0);
  /* The makespan ends at the last completion, not when this thread noticed. */
  uint64_t t1 = atomic_load(&run->last_done_ns);
  if (t1 < t0) t1 = now_ns();
  if (profiling) {
    worker_stats(stats, t1 - t0, NULL);
    starpu_profiling_status_set(STARPU_PROFILING_DISABLE);
  }
  if (st == CF_OK && atomic_load(&run->status) != CF_OK) {
    size_t at = atomic_load(&run->failed_at);
    cf_status ks = (cf_status)atomic_load(&run->status);
    st = CF_FAIL(ks, "task %zu (%s) failed: %s", at,
                 cf_kernel_kind_name(cf_dag_task_at(dag, at)->kind), cf_status_str(ks));
  }
  for (size_t b = 0; st == CF_OK && out && b < p->nb; b++)
    if (out[b] && (p->written[b] || p->filled[b])) st = cf_mem_read(p->reg, (uint32_t)b, out[b]);
  /* What a task overwrote no longer holds the content given by fill. */
  for (size_t b = 0; b < p->nb; b++)
    if (p->written[b] || cf_dag_buffer_at(dag, b)->role == CF_BUFFER_TEMP) p->filled[b] = 0;
  if (trace && profiling) {
    trace->t0_ns = UINT64_MAX;
    for (size_t i = 0; i < nt; i++)
      if (trace->records[i].worker >= 0 && trace->records[i].start_ns < trace->t0_ns)
        trace->t0_ns = trace->records[i].start_ns;
    int nw = (int)starpu_worker_get_count();
    free(trace->worker_names);
    trace->worker_names = calloc((size_t)nw, sizeof *trace->worker_names);
    trace->nworkers = trace->worker_names ? nw : 0;
    for (int w = 0; w < trace->nworkers; w++)
      starpu_worker_get_name(w, trace->worker_names[w], sizeof trace->worker_names[w]);
    name_memnodes(trace);
  }
  if (stats) {
    stats->wall_ns = t1 - t0;
    stats->submit_ns = t_sub - t0;
    stats->data_in_start_ns = sp_in, stats->data_in_end_ns = sp_t0;
    stats->ntasks = nt;
    cf_mem_temp_bytes(p->reg, &stats->temp_bytes, &stats->temp_bytes_unshared);
  }
  return st;
}

cf_status cf_sp_execute(const cf_dag *dag, const cf_kernel_runner *runner, uint64_t **host,
                        cf_sp_stats *stats, cf_trace_log *trace) {
  if (!cf_sp_rt.running) return CF_FAIL(CF_EINVAL, "cf_sp_execute before cf_sp_start");
  if (!dag || !runner || !runner->run) return CF_FAIL(CF_EINVAL, "execute: NULL DAG or runner");
  uint64_t t_reg = now_ns();
  cf_sp_plan *p = NULL;
  size_t nb = cf_dag_nbuffers(dag);
  uint8_t *keep = calloc(nb ? nb : 1, 1); /* what host[] asks to read back */
  if (!keep) return CF_FAIL(CF_ENOMEM, "execute: %zu buffer flags", nb);
  for (size_t b = 0; host && b < nb; b++)
    keep[b] = host[b] != NULL;
  cf_status st = cf_sp_plan_create(dag, runner->n, keep, &p);
  free(keep);
  CF_TRY(st);
  uint64_t **rows = NULL;
  size_t cap = 0;
  for (size_t b = 0; st == CF_OK && host && b < p->nb; b++) {
    const cf_dag_buffer *db = cf_dag_buffer_at(dag, b);
    if (!host[b] || db->role == CF_BUFFER_TEMP) continue;
    if (db->nlimbs > cap) {
      uint64_t **g = realloc(rows, db->nlimbs * sizeof *g);
      if (!g) {
        st = CF_FAIL(CF_ENOMEM, "fill: %u rows", db->nlimbs);
        break;
      }
      rows = g, cap = db->nlimbs;
    }
    for (uint32_t l = 0; l < db->nlimbs; l++)
      rows[l] = host[b] + (size_t)l * runner->n;
    st = cf_sp_plan_fill(p, (uint32_t)b, (const uint64_t *const *)rows);
  }
  free(rows);
  uint64_t t_run = now_ns();
  if (st == CF_OK) st = cf_sp_plan_run(p, runner, host, stats, trace);
  if (stats) stats->register_ns = t_run - t_reg;
  cf_sp_plan_destroy(p);
  return st;
}
