#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"

int cmd_bench(int argc, char **argv) {
  bool json = false, quick = false, list = false;
  long reps = 0;
  const cli_opt opts[] = {
      {"json", CLI_FLAG, &json, NULL, "one JSON object per line instead of a table"},
      {"reps", CLI_INT, &reps, "N", "repetitions per case (default: chosen per case)"},
      {"quick", CLI_FLAG, &quick, NULL, "small sizes only, for a smoke run"},
      {"list", CLI_FLAG, &list, NULL, "list the suites and exit"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {.command = "bench",
                         .usage = "SUITE|all [--json] [--reps N] [--quick]",
                         .summary = "Run a benchmark suite. Each case reports the median, minimum "
                                    "and maximum over its repetitions, or a ratio measured in "
                                    "the same run.",
                         .opts = opts,
                         .min_positional = 0,
                         .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  if (list || npos == 0) {
    printf("suites:\n");
    for (int i = 0; i < cf_bench_nsuites; i++)
      printf("  %-14s %s\n", cf_bench_suites[i].name, cf_bench_suites[i].summary);
    return npos == 0 && !list ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  if (reps < 0) return cli_usage_error("bench", "--reps must be positive, got %ld", reps);
  bool all = strcmp(argv[0], "all") == 0, found = false;
  for (int i = 0; i < cf_bench_nsuites; i++) {
    if (!all && strcmp(argv[0], cf_bench_suites[i].name) != 0) continue;
    found = true;
    cf_status st = cf_bench_run_suite(&cf_bench_suites[i], json, (int)reps, quick);
    if (st != CF_OK) return cli_fail("bench", st);
  }
  if (!found) return cli_usage_error("bench", "unknown suite '%s' (see --list)", argv[0]);
  return CLI_EXIT_OK;
}
