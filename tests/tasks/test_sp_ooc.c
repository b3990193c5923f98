/* Out of core: 32 MiB of StarPU-owned data under a 16 MiB RAM cap with a
 * disk node gives the sequential result bit for bit (data really goes to
 * disk and comes back). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "tasks/executor.h"
#include "tasks/seq_exec.h"
#include "tests/tasks/dag_builder.h"
#include "tests/tasks/ref_runner.h"
#include "tests/tasks/sp_test_env.h"

enum { N = 4096, L = 64, NB = 16, G = 8 }; /* 16 x 64 x 32 KiB = 32 MiB */

static void test_out_of_core(void **state) {
  (void)state;
  ref_ctx c;
  ref_ctx_init(&c, N, L);
  cf_dag *d = tb_new();
  uint32_t b[NB];
  for (int i = 0; i < NB; i++) {
    char name[16];
    snprintf(name, sizeof name, "x%d", i);
    b[i] = tb_buffer(d, i < 2 ? CF_BUFFER_CIPHERTEXT : CF_BUFFER_TEMP, L, 0, name);
  }
  /* x_i = x_{i-1} * x_{i-2}, then a sweep back: x_i += x_{i+1} */
  for (int i = 2; i < NB; i++)
    for (uint16_t f = 0; f < L; f += G)
      tb_task(d, CF_KERNEL_MUL, 0, 3,
              (cf_dag_piece[]){{b[i], f, G, CF_ACCESS_W},
                               {b[i - 1], f, G, CF_ACCESS_R},
                               {b[i - 2], f, G, CF_ACCESS_R}});
  for (int i = NB - 2; i >= 0; i--)
    for (uint16_t f = 0; f < L; f += G)
      tb_task(d, CF_KERNEL_ADD, 0, 3,
              (cf_dag_piece[]){{b[i], f, G, CF_ACCESS_W},
                               {b[i], f, G, CF_ACCESS_R},
                               {b[i + 1], f, G, CF_ACCESS_R}});
  cf_kernel_runner r = ref_runner(&c);
  uint64_t **x = sp_test_host(d, N, c.q, (uint64_t)time(NULL)), **y = sp_test_clone(d, N, x);
  assert_int_equal(cf_seq_execute(d, &r, x), CF_OK);

  char disk[300];
  snprintf(disk, sizeof disk, "%s/disk", sp_test_dir());
  mkdir(disk, 0700);
  cf_sp_options o = sp_test_options("cf-affinity");
  o.ram_limit_mb = 16;
  o.disk_dir = disk;
  o.disk_mb = 256;
  sp_test_start(&o);
  cf_sp_stats st;
  cf_status s = cf_sp_execute(d, &r, y, &st, NULL);
  if (s != CF_OK) fail_msg("%s", cf_last_error());
  cf_sp_stop();
  fprintf(stderr, "moved %llu bytes\n", (unsigned long long)st.bytes_moved);
  assert_true(st.bytes_moved > 0);
  for (int i = 0; i < NB; i++)
    assert_memory_equal(x[b[i]], y[b[i]], (size_t)L * N * 8);
  sp_test_free(d, x), sp_test_free(d, y);
  cf_dag_destroy(d);
}

int main(void) {
  sp_test_dir();
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_out_of_core)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
