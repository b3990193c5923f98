#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipherflow/program.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "graph/ir.h"
#include "graph/lower.h"

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  size_t n = strlen(text);
  int ok = fwrite(text, 1, n, f) == n;
  ok = (fclose(f) == 0) && ok;
  if (!ok) remove(path);
  return ok ? 0 : -1;
}

static void print_program_stats(const char *title, const cf_program *p) {
  size_t count[CF_OP_COUNT] = {0};
  for (size_t i = 0; i < p->n; i++)
    count[p->nodes[i].op]++;
  printf("%s: %zu nodes, %zu outputs\n  ops:", title, p->n, p->nout);
  for (int k = 0; k < CF_OP_COUNT; k++)
    if (count[k]) printf(" %s %zu", cf_op_name((cf_op)k), count[k]);
  int md = 0, lv = 0;
  cf_program_depth(p, &md, &lv);
  printf("\n  depth: multiplicative %d, levels consumed %d\n", md, lv);
}

typedef cf_status (*pass_fn)(const cf_program *, cf_program **);

static cf_status run_pass(pass_fn f, cf_program **p) {
  cf_program *q;
  cf_status st = f(*p, &q);
  if (st != CF_OK) return st;
  cf_program_destroy(*p);
  *p = q;
  return CF_OK;
}

int cmd_compile(int argc, char **argv) {
  long grain = 1;
  bool fuse = false;
  const char *dag_out = NULL, *dot = NULL, *dag_dot = NULL;
  const cli_opt opts[] = {
      {"grain", CLI_INT, &grain, "K", "limbs per task, 0 for whole polynomials (default 1)"},
      {"fuse", CLI_FLAG, &fuse, NULL, "merge chains of limb-local tasks into fused tasks"},
      {"dag-out", CLI_STRING, &dag_out, "FILE", "write the lowered task DAG as text"},
      {"dot", CLI_STRING, &dot, "FILE", "write the HE program (after passes) as DOT"},
      {"dag-dot", CLI_STRING, &dag_dot, "FILE", "write the task DAG as DOT"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "compile",
      .usage = "PROGRAM [--grain K] [--fuse] [--dag-out FILE] [--dot FILE] [--dag-dot FILE]",
      .summary = "Compile an HE program (text form): expand polynomials, put linear transforms in "
                 "baby-step giant-step form, eliminate common and "
                 "dead subexpressions, hoist rotations, lower to the task DAG, and print "
                 "statistics (ops, depth, rotation keys, tasks by kernel, critical path).",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  if (grain < 0 || grain > 65535)
    return cli_usage_error("compile", "--grain must be in 0..65535, got %ld", grain);
  cf_program *p = NULL;
  cf_status st = cf_program_load(argv[0], &p);
  if (st != CF_OK) return cli_fail("compile", st);
  print_program_stats("program", p);
  pass_fn passes[] = {cf_pass_expand_poly, cf_pass_bsgs, cf_pass_cse, cf_pass_dce,
                      cf_pass_hoist_rotations};
  for (size_t i = 0; i < sizeof passes / sizeof passes[0] && st == CF_OK; i++)
    st = run_pass(passes[i], &p);
  if (st != CF_OK) {
    cf_program_destroy(p);
    return cli_fail("compile", st);
  }
  print_program_stats("after passes", p);
  uint64_t *g = NULL;
  size_t ng = 0;
  int relin = 0;
  st = cf_program_rotation_keys(p, &g, &ng, &relin);
  if (st == CF_OK) {
    printf("  keys: relinearization %s, %zu rotation keys", relin ? "yes" : "no", ng);
    for (size_t i = 0; i < ng && i < 16; i++)
      printf("%s%llu", i ? "," : " galois ", (unsigned long long)g[i]);
    printf("%s\n", ng > 16 ? ",..." : "");
    free(g);
  }
  if (st == CF_OK && dot) {
    char *text = NULL;
    st = cf_program_dot(p, &text);
    if (st == CF_OK && write_file(dot, text) != 0) {
      free(text);
      cf_program_destroy(p);
      return cli_usage_error("compile", "cannot write '%s'", dot);
    }
    free(text);
  }
  cf_lower_options lo;
  cf_lower_options_default(&lo);
  lo.grain = (unsigned)grain;
  lo.fuse = fuse;
  cf_dag *d = NULL;
  if (st == CF_OK) st = cf_lower(p, &lo, &d);
  cf_program_destroy(p);
  if (st != CF_OK) return cli_fail("compile", st);
  size_t byk[CF_KERNEL_COUNT] = {0};
  for (size_t i = 0; i < cf_dag_ntasks(d); i++)
    byk[cf_dag_task_at(d, i)->kind]++;
  printf("dag: %zu tasks, %zu edges, %zu buffers (grain %ld, fusion %s)\n  tasks:",
         cf_dag_ntasks(d), cf_dag_nedges(d), cf_dag_nbuffers(d), grain, fuse ? "on" : "off");
  for (int k = 0; k < CF_KERNEL_COUNT; k++)
    if (byk[k]) printf(" %s %zu", cf_kernel_name((cf_kernel_kind)k), byk[k]);
  double total = 0;
  size_t len = 0;
  double cp = cf_dag_critical_path(d, &total, &len);
  printf(
      "\n  critical path: %.1f us over %zu tasks; total work %.1f us; average parallelism %.1f\n",
      cp / 1e3, len, total / 1e3, cp > 0 ? total / cp : 0.0);
  int out = CLI_EXIT_OK;
  if (dag_out) {
    FILE *f = fopen(dag_out, "w");
    if (!f) {
      out = cli_usage_error("compile", "cannot write '%s'", dag_out);
    } else {
      st = cf_dag_write_text(d, f);
      if (fclose(f) != 0 && st == CF_OK) st = CF_EIO;
      if (st != CF_OK) {
        remove(dag_out);
        out = cli_fail("compile", st);
      }
    }
  }
  if (out == CLI_EXIT_OK && dag_dot) {
    char *text = NULL;
    st = cf_dag_dot(d, &text);
    if (st != CF_OK)
      out = cli_fail("compile", st);
    else if (write_file(dag_dot, text) != 0)
      out = cli_usage_error("compile", "cannot write '%s'", dag_dot);
    free(text);
  }
  cf_dag_destroy(d);
  return out;
}
