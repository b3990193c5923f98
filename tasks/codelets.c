#include "tasks/codelets.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/error.h"
#include "cipherflow/ckks.h"
#include "tasks/codelets_cuda.h"

enum { STACK_ROWS = 256 };

static uint64_t ts_ns(const struct timespec *t) {
  return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

void cf_sp_task_fail(cf_sp_run *run, uint32_t index, cf_status st) {
  int ok = CF_OK;
  if (atomic_compare_exchange_strong(&run->status, &ok, (int)st))
    atomic_store(&run->failed_at, index);
}

uint64_t **cf_sp_task_spans(const cf_sp_task_arg *a, void *buffers[], uint64_t **stack_rows,
                            size_t nstack, cf_limb_span *span) {
  const cf_dag_task *t = a->task;
  uint32_t n = a->run->runner->n;
  uint64_t **rows = a->limbs <= nstack ? stack_rows : malloc(a->limbs * sizeof *rows);
  if (!rows) return NULL;
  uint32_t k = 0, b = 0;
  const cf_dag *dag = a->run->dag;
  for (unsigned p = 0; p < t->npieces; p++) {
    const cf_dag_piece *pc = &t->pieces[p];
    const cf_dag_buffer *db = cf_dag_buffer_at(dag, pc->buffer);
    span[p].rows = rows + k;
    span[p].nlimbs = pc->nlimbs;
    span[p].primes = db->primes ? db->primes + pc->first_limb : NULL;
    span[p].base = a->run->contiguous && a->nseg[p]
                       ? (uint64_t *)STARPU_VECTOR_GET_PTR(buffers[b]) - (size_t)pc->first_limb * n
                       : NULL;
    for (uint32_t s = 0; s < a->nseg[p]; s++, b++) {
      uint64_t *ptr = (uint64_t *)STARPU_VECTOR_GET_PTR(buffers[b]);
      uint32_t seg_limbs = STARPU_VECTOR_GET_NX(buffers[b]) / n;
      for (uint32_t l = 0; l < seg_limbs; l++)
        rows[k++] = ptr + (size_t)l * n;
    }
  }
  return rows;
}

static void cpu_func(void *buffers[], void *cl_arg) {
  cf_sp_task_arg *a = cl_arg;
  uint64_t *stack_rows[STACK_ROWS];
  cf_limb_span span[CF_DAG_MAX_PIECES];
  uint64_t **rows = cf_sp_task_spans(a, buffers, stack_rows, STACK_ROWS, span);
  if (!rows) {
    cf_sp_task_fail(a->run, a->index, CF_ENOMEM);
    return;
  }
  cf_status st = a->run->runner->run(a->run->runner->ctx, a->run->dag, a->task, span);
  if (st != CF_OK) cf_sp_task_fail(a->run, a->index, st);
  if (rows != stack_rows) free(rows);
}

void cf_sp_task_done(void *arg) {
  cf_sp_task_arg *a = arg;
  cf_trace_log *log = a->run->trace;
  if (log) {
    struct starpu_task *task = starpu_task_get_current();
    struct starpu_profiling_task_info *info = task ? task->profiling_info : NULL;
    if (info) {
      cf_task_record *r = &log->records[a->index];
      r->worker = info->workerid;
      r->start_ns = ts_ns(&info->start_time);
      r->end_ns = ts_ns(&info->end_time);
    }
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t t = ts_ns(&now), prev = atomic_load(&a->run->last_done_ns);
  while (t > prev && !atomic_compare_exchange_weak(&a->run->last_done_ns, &prev, t)) {
  }
  atomic_fetch_add(&a->run->done, 1);
}

/*
 * Limbs of the task's first piece whose prime is 2^50 or more. The CPU
 * kernels take a different, about twice slower path for them (64-bit
 * instead of IFMA arithmetic), so tasks of one kind and size with and
 * without such limbs need separate history entries.
 */
static uint32_t wide_limbs(const cf_sp_task_arg *a) {
  const cf_ckks_context *ctx = a->run->runner->ckks;
  const cf_dag_piece *pc = &a->task->pieces[0];
  const cf_dag_buffer *db = cf_dag_buffer_at(a->run->dag, pc->buffer);
  if (!ctx || !db->primes) return 0;
  const cf_ckks_params *p = cf_ckks_context_params(ctx);
  uint32_t wide = 0;
  for (uint32_t l = 0; l < pc->nlimbs; l++)
    wide += cf_ckks_params_prime(p, db->primes[pc->first_limb + l]) >= (1ull << 50);
  return wide;
}

/* History-model key: kernel, N, limbs, and how many of them are wide. */
static uint32_t footprint(struct starpu_task *task) {
  const cf_sp_task_arg *a = task->cl_arg;
  uint32_t key = starpu_hash_crc32c_be((uint32_t)a->task->kind, 0);
  key = starpu_hash_crc32c_be(a->run->runner->n, key);
  key = starpu_hash_crc32c_be(a->limbs, key);
  return starpu_hash_crc32c_be(wide_limbs(a), key);
}

static struct starpu_perfmodel models[CF_KERNEL_COUNT];
static struct starpu_codelet codelets[CF_KERNEL_COUNT];
static char symbols[CF_KERNEL_COUNT][32];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void setup(void) {
  for (int k = 0; k < CF_KERNEL_COUNT; k++) {
    snprintf(symbols[k], sizeof symbols[k], "cf_%s", cf_kernel_kind_name((cf_kernel_kind)k));
    models[k].type = STARPU_HISTORY_BASED;
    models[k].symbol = symbols[k];
    models[k].footprint = footprint;
    codelets[k].cpu_funcs[0] = cpu_func;
    codelets[k].cpu_funcs_name[0] = "cf_sp_cpu_func";
    cf_sp_cuda_codelet_init(&codelets[k], (cf_kernel_kind)k);
    codelets[k].nbuffers = STARPU_VARIABLE_NBUFFERS;
    codelets[k].model = &models[k];
    codelets[k].name = symbols[k] + 3;
  }
}

struct starpu_codelet *cf_sp_codelet(cf_kernel_kind kind) {
  if ((unsigned)kind >= CF_KERNEL_COUNT) return NULL;
  pthread_once(&once, setup);
  return &codelets[kind];
}

struct starpu_perfmodel *cf_sp_perfmodel(cf_kernel_kind kind) {
  if ((unsigned)kind >= CF_KERNEL_COUNT) return NULL;
  pthread_once(&once, setup);
  return &models[kind];
}
