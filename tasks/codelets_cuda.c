#include "tasks/codelets_cuda.h"

#include "base/error.h"
#include "tasks/dev_compose.h"

#if defined(STARPU_USE_CUDA) && defined(CF_HAVE_CUDA_KERNELS)

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime.h>

#include "kernels/ckks/internal.h"
#include "kernels/cuda/cuda_kernels.h"
#include "tasks/codelets.h"

/* ---- device mirrors, one set per (device, parameter fingerprint) ---- */

typedef struct mirror {
  struct mirror *next;
  int device;
  uint8_t fingerprint[32];
  int nlevels;
  cf_modulus *mods;
  cf_ntt_table *ntt;
  int *ndigits;
  cf_baseconv_table **modup; /* [level] -> ndigits[level] mirrors */
  cf_baseconv_table *moddown;
  uint64_t **p_inv; /* [level] device: p_inv then p_inv_sh */
  uint64_t **p_inv_sh;
  cf_dev_tables view;
} mirror;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static mirror *mirrors;

static cf_status cuda_status(const char *what, cudaError_t e) {
  cf_status st = (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver) ? CF_ENODEV
                 : e == cudaErrorMemoryAllocation                             ? CF_ENOMEM
                                                                              : CF_ERUNTIME;
  return CF_FAIL(st, "%s failed: %s (%s)", what, cudaGetErrorName(e), cudaGetErrorString(e));
}

static void mirror_free(mirror *m) {
  for (int l = 0; l < m->nlevels; l++) {
    for (int j = 0; m->modup && m->modup[l] && j < m->ndigits[l]; j++)
      cf_cuda_baseconv_free(&m->modup[l][j]);
    if (m->modup) free(m->modup[l]);
    if (m->moddown) cf_cuda_baseconv_free(&m->moddown[l]);
    if (m->p_inv && m->p_inv[l]) cudaFree(m->p_inv[l]);
  }
  free(m->modup);
  free(m->moddown);
  free(m->p_inv);
  free(m->p_inv_sh);
  free(m->ndigits);
  cf_cuda_ntt_tables_free(m->ntt);
  if (m->mods) cudaFree(m->mods);
  free(m);
}

static cf_status upload_words(uint64_t **dev, const void *src, size_t bytes) {
  cudaError_t e = cudaMalloc((void **)dev, bytes);
  if (e != cudaSuccess) {
    *dev = NULL;
    return cuda_status("cudaMalloc", e);
  }
  e = cudaMemcpy(*dev, src, bytes, cudaMemcpyHostToDevice);
  return e == cudaSuccess ? CF_OK : cuda_status("cudaMemcpy", e);
}

static cf_status upload_level(mirror *m, const cf_ckks_context *ctx, int l) {
  const cf_ckks_level *lv = &ctx->levels[l];
  m->ndigits[l] = lv->ndigits;
  m->modup[l] = calloc(lv->ndigits ? (size_t)lv->ndigits : 1, sizeof *m->modup[l]);
  if (!m->modup[l]) return CF_FAIL(CF_ENOMEM, "ModUp mirrors");
  for (int j = 0; j < lv->ndigits; j++)
    CF_TRY(cf_cuda_baseconv_upload(&lv->digits[j].conv, &m->modup[l][j]));
  if (ctx->K == 0) return CF_OK; /* no special primes: no ModDown */
  CF_TRY(cf_cuda_baseconv_upload(&lv->moddown.conv, &m->moddown[l]));
  size_t nq = (size_t)l + 1;
  uint64_t *host = malloc(2 * nq * sizeof *host);
  if (!host) return CF_FAIL(CF_ENOMEM, "ModDown constants");
  memcpy(host, lv->moddown.p_inv, nq * sizeof *host);
  memcpy(host + nq, lv->moddown.p_inv_sh, nq * sizeof *host);
  cf_status st = upload_words(&m->p_inv[l], host, 2 * nq * sizeof *host);
  free(host);
  if (st == CF_OK) m->p_inv_sh[l] = m->p_inv[l] + nq;
  return st;
}

static cf_status mirror_create(const cf_ckks_context *ctx, int device, mirror **out) {
  mirror *m = calloc(1, sizeof *m);
  if (!m) return CF_FAIL(CF_ENOMEM, "device tables");
  m->device = device;
  memcpy(m->fingerprint, ctx->params.fingerprint, sizeof m->fingerprint);
  size_t nl = (size_t)ctx->L + 1;
  m->ndigits = calloc(nl, sizeof *m->ndigits);
  m->modup = calloc(nl, sizeof *m->modup);
  m->moddown = calloc(nl, sizeof *m->moddown);
  m->p_inv = calloc(nl, sizeof *m->p_inv);
  m->p_inv_sh = calloc(nl, sizeof *m->p_inv_sh);
  cf_status st = (m->ndigits && m->modup && m->moddown && m->p_inv && m->p_inv_sh)
                     ? CF_OK
                     : CF_FAIL(CF_ENOMEM, "device tables");
  if (st == CF_OK) {
    m->nlevels = (int)nl;
    void *mods = NULL;
    st = upload_words((uint64_t **)&mods, ctx->mods, (size_t)ctx->nprimes * sizeof *ctx->mods);
    m->mods = mods;
  }
  if (st == CF_OK) st = cf_cuda_ntt_tables_upload(ctx->ntt, (size_t)ctx->nprimes, &m->ntt);
  for (int l = 0; st == CF_OK && l <= ctx->L; l++)
    st = upload_level(m, ctx, l);
  if (st != CF_OK) {
    mirror_free(m);
    return st;
  }
  m->view = (cf_dev_tables){.host_mods = ctx->mods,
                            .mods = m->mods,
                            .ntt = m->ntt,
                            .max_level = ctx->L,
                            .ndigits = m->ndigits,
                            .modup = (const cf_baseconv_table *const *)m->modup,
                            .moddown = m->moddown,
                            .p_inv = (const uint64_t *const *)m->p_inv,
                            .p_inv_sh = (const uint64_t *const *)m->p_inv_sh};
  *out = m;
  return CF_OK;
}

/* The mirrors of ctx on the calling thread's device, uploaded on first use. */
static cf_status tables_get(const cf_ckks_context *ctx, const mirror **out) {
  int device = -1;
  cudaError_t e = cudaGetDevice(&device);
  if (e != cudaSuccess) return cuda_status("cudaGetDevice", e);
  pthread_mutex_lock(&lock);
  mirror *m = mirrors;
  while (m && (m->device != device ||
               memcmp(m->fingerprint, ctx->params.fingerprint, sizeof m->fingerprint) != 0))
    m = m->next;
  cf_status st = CF_OK;
  if (!m) {
    st = mirror_create(ctx, device, &m);
    if (st == CF_OK) {
      m->next = mirrors;
      mirrors = m;
    }
  }
  pthread_mutex_unlock(&lock);
  if (st == CF_OK) *out = m;
  return st;
}

cf_status cf_sp_cuda_tables_prepare(const cf_ckks_context *ctx) {
  if (!ctx) return CF_FAIL(CF_EINVAL, "device tables: NULL context");
  const mirror *m;
  return tables_get(ctx, &m);
}

void cf_sp_cuda_release(void) {
  pthread_mutex_lock(&lock);
  while (mirrors) {
    mirror *m = mirrors;
    mirrors = m->next;
    cudaSetDevice(m->device);
    mirror_free(m);
  }
  pthread_mutex_unlock(&lock);
}

/* ---- the kernels on the worker's stream ---- */

#define STREAM(dev) ((cf_cuda_stream)(dev))

static cf_status op_add(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                        size_t lb, size_t le, const cf_modulus *m) {
  return cf_cuda_add(out, a, b, n, lb, le, m, STREAM(dev));
}
static cf_status op_sub(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                        size_t lb, size_t le, const cf_modulus *m) {
  return cf_cuda_sub(out, a, b, n, lb, le, m, STREAM(dev));
}
static cf_status op_mul(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n,
                        size_t lb, size_t le, const cf_modulus *m) {
  return cf_cuda_mul(out, a, b, n, lb, le, m, STREAM(dev));
}
static cf_status op_mul_acc(void *dev, uint64_t *acc, const uint64_t *a, const uint64_t *b,
                            size_t n, size_t lb, size_t le, const cf_modulus *m) {
  return cf_cuda_mul_acc(acc, a, b, n, lb, le, m, STREAM(dev));
}
static cf_status op_mul_scalar(void *dev, uint64_t *out, const uint64_t *a, const uint64_t *s,
                               const uint64_t *s_sh, size_t n, size_t lb, size_t le,
                               const cf_modulus *m) {
  return cf_cuda_mul_scalar(out, a, s, s_sh, n, lb, le, m, STREAM(dev));
}
static cf_status op_ntt(void *dev, bool inverse, const cf_ntt_table *t, size_t n, uint64_t *p,
                        size_t lb, size_t le) {
  return inverse ? cf_cuda_ntt_inverse(t, n, p, lb, le, STREAM(dev))
                 : cf_cuda_ntt_forward(t, n, p, lb, le, STREAM(dev));
}
static cf_status op_automorph(void *dev, uint64_t *out, const uint64_t *in, size_t n,
                              uint64_t galois, size_t lb, size_t le) {
  return cf_cuda_automorph_ntt(out, in, n, galois, lb, le, STREAM(dev));
}
static cf_status op_baseconv(void *dev, const cf_baseconv_table *t, uint64_t *out,
                             const uint64_t *in, size_t n, size_t lb, size_t le) {
  return cf_cuda_baseconv(t, out, in, n, lb, le, STREAM(dev));
}
/* Stream-ordered allocation: scratch lives exactly as long as the task's kernels. */
static cf_status op_alloc(void *dev, void **p, size_t bytes) {
  cudaError_t e = cudaMallocAsync(p, bytes, (cudaStream_t)dev);
  return e == cudaSuccess ? CF_OK : cuda_status("cudaMallocAsync", e);
}
static void op_free(void *dev, void *p) { cudaFreeAsync(p, (cudaStream_t)dev); }
static cf_status op_copy(void *dev, void *dst, const void *src, size_t bytes, bool from_host) {
  cudaError_t e = cudaMemcpyAsync(dst, src, bytes,
                                  from_host ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToDevice,
                                  (cudaStream_t)dev);
  return e == cudaSuccess ? CF_OK : cuda_status("cudaMemcpyAsync", e);
}
static cf_status op_zero(void *dev, void *p, size_t bytes) {
  cudaError_t e = cudaMemsetAsync(p, 0, bytes, (cudaStream_t)dev);
  return e == cudaSuccess ? CF_OK : cuda_status("cudaMemsetAsync", e);
}

static void cuda_func(void *buffers[], void *cl_arg) {
  cf_sp_task_arg *a = cl_arg;
  const cf_dag_task *t = a->task;
  const cf_ckks_context *ctx = a->run->runner->ckks;
  const mirror *m = NULL;
  cf_status st = ctx ? tables_get(ctx, &m)
                     : CF_FAIL(CF_EUNSUPPORTED, "task %u: CUDA needs the CKKS runner", t->id);
  if (st != CF_OK) {
    cf_sp_task_fail(a->run, a->index, st);
    return;
  }
  uint64_t *stack_rows[256];
  cf_limb_span span[CF_DAG_MAX_PIECES];
  uint64_t **rows = cf_sp_task_spans(a, buffers, stack_rows, 256, span);
  if (!rows) {
    cf_sp_task_fail(a->run, a->index, CF_ENOMEM);
    return;
  }
  cf_dev_ops ops = {.dev = starpu_cuda_get_local_stream(),
                    .add = op_add,
                    .sub = op_sub,
                    .mul = op_mul,
                    .mul_acc = op_mul_acc,
                    .mul_scalar = op_mul_scalar,
                    .ntt = op_ntt,
                    .automorph = op_automorph,
                    .baseconv = op_baseconv,
                    .alloc = op_alloc,
                    .free = op_free,
                    .copy = op_copy,
                    .zero = op_zero};
  size_t nconst = 0;
  const uint64_t *konst = t->kind == CF_KERNEL_MUL_CONST
                              ? cf_dag_constant(a->run->dag, t->arg.constant, &nconst)
                              : NULL;
  st = cf_dev_run_task(&ops, &m->view, t, konst, nconst, span, a->run->runner->n);
  if (st != CF_OK) cf_sp_task_fail(a->run, a->index, st);
  if (rows != stack_rows) free(rows);
}

/* CUDA workers take a task only when its runner is the CKKS runner. */
static int can_execute(unsigned workerid, struct starpu_task *task, unsigned nimpl) {
  (void)nimpl;
  if (starpu_worker_get_type((int)workerid) != STARPU_CUDA_WORKER) return 1;
  const cf_sp_task_arg *a = task->cl_arg;
  return a && a->run->runner->ckks != NULL;
}

bool cf_sp_cuda_has_kind(cf_kernel_kind kind) { return cf_dev_kind_supported(kind); }

void cf_sp_cuda_codelet_init(struct starpu_codelet *cl, cf_kernel_kind kind) {
  if (!cf_dev_kind_supported(kind)) return;
  cl->cuda_funcs[0] = cuda_func;
  cl->cuda_flags[0] = STARPU_CUDA_ASYNC;
  cl->can_execute = can_execute;
}

#else /* no CUDA in StarPU or no kernels/cuda: every codelet is CPU-only */

bool cf_sp_cuda_has_kind(cf_kernel_kind kind) {
  (void)kind;
  return false;
}

void cf_sp_cuda_codelet_init(struct starpu_codelet *cl, cf_kernel_kind kind) {
  (void)cl;
  (void)kind;
}

cf_status cf_sp_cuda_tables_prepare(const cf_ckks_context *ctx) {
  (void)ctx;
  return CF_FAIL(CF_EUNSUPPORTED, "this build has no CUDA codelets");
}

void cf_sp_cuda_release(void) {}

#endif
