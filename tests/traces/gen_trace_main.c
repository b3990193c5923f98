/* cf_trace_gen OUT.json [workers] [limbs] [ops] [seed]: writes a synthetic
 * CKKS-like trace (see gen_ckks.h) and prints its task count. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/traces/gen_ckks.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: cf_trace_gen OUT.json [workers] [limbs] [ops] [seed]\n");
    return 2;
  }
  gen_opts o = {.workers = argc > 2 ? atoi(argv[2]) : 3,
                .limbs = argc > 3 ? atoi(argv[3]) : 8,
                .ops = argc > 4 ? atoi(argv[4]) : 6,
                .seed = argc > 5 ? strtoull(argv[5], NULL, 10) : 1,
                .deps = true,
                .sched = true};
  cf_trace *t;
  gen_stats st;
  cf_status s = cf_trace_create(&t, 0);
  if (s == CF_OK) s = gen_ckks_trace(t, &o, &st);
  cf_trace_export_options eo = {.flows = true};
  if (s == CF_OK) s = cf_trace_export_json(t, argv[1], &eo);
  cf_trace_destroy(t);
  if (s != CF_OK) {
    fprintf(stderr, "cf_trace_gen: %s: %s\n", cf_status_str(s), cf_last_error());
    return 1;
  }
  printf("%zu\n", st.tasks);
  return 0;
}
