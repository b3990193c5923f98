/* cipherflow trace summary|diff|view|svg|export: work on recorded trace files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cipherflow/trace.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"
#include "traces/aggregate.h"
#include "traces/json_out.h"
#include "traces/render.h"
#include "traces/summary.h"

/* A loaded trace and its sorted view. */
typedef struct loaded {
  cf_trace *t;
  cf_tr_snap s;
} loaded;

static cf_status load(const char *path, loaded *l) {
  memset(l, 0, sizeof *l);
  CF_TRY(cf_trace_load_json(path, &l->t));
  cf_status st = cf_tr_snapshot(l->t, &l->s);
  if (st != CF_OK) cf_trace_destroy(l->t);
  return st;
}

static void unload(loaded *l) {
  cf_tr_snap_free(&l->s);
  cf_trace_destroy(l->t);
}

/* The shared parser knows long options only; -o is the conventional spelling. */
static void alias_short_output(int argc, char **argv) {
  static char output[] = "--output";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (strcmp(argv[i], "-o") == 0) argv[i] = output;
  }
}

static int parse(const cli_spec *spec, int argc, char **argv, int *npos) {
  alias_short_output(argc, argv);
  return cli_parse(spec, argc, argv, npos);
}

static FILE *open_out(const char *cmd, const char *path, int *rc) {
  *rc = CLI_EXIT_OK;
  if (!path || strcmp(path, "-") == 0) return stdout;
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "cipherflow %s: cannot write '%s': %s\n", cmd, path, strerror(errno));
    *rc = CLI_EXIT_FAIL;
  }
  return f;
}

static int close_out(const char *cmd, FILE *f, const char *path) {
  if (f == stdout) return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  if (fclose(f) != 0) {
    fprintf(stderr, "cipherflow %s: cannot write '%s'\n", cmd, path);
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}

static int trace_summary(int argc, char **argv) {
  bool json = false;
  long gaps = 5;
  const cli_opt opts[] = {
      {"json", CLI_FLAG, &json, NULL, "print the figures as one JSON object"},
      {"gaps", CLI_INT, &gaps, "N", "how many of the longest idle gaps to list (default 5)"},
      {NULL, 0, NULL, NULL, NULL},
  };
  const cli_spec spec = {
      .command = "trace summary",
      .usage = "FILE [--json] [--gaps N]",
      .summary = "Makespan, busy and idle time per worker, time by kernel and by HE op, the "
                 "critical path of the executed DAG against the makespan, bytes moved per "
                 "link, memory peaks and the longest idle gaps with the task that ended each "
                 "and the dependency it waited for.",
      .opts = opts,
      .min_positional = 1,
      .max_positional = 1};
  int npos = 0, rc = parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  if (gaps < 0 || gaps > 1000000)
    return cli_usage_error(spec.command, "--gaps must be 0..1000000, got %ld", gaps);
  loaded l;
  cf_status st = load(argv[0], &l);
  if (st != CF_OK) return cli_fail(spec.command, st);
  cf_tr_summary m;
  st = cf_tr_summarize(l.t, &l.s, (size_t)gaps, &m);
  if (st == CF_OK) {
    if (json) {
      cf_tr_summary_json(stdout, l.t, &l.s, &m);
      putchar('\n');
    } else {
      cf_tr_summary_print(stdout, l.t, &l.s, &m);
    }
    cf_tr_summary_free(&m);
  }
  unload(&l);
  return st == CF_OK ? CLI_EXIT_OK : cli_fail(spec.command, st);
}

static int trace_diff(int argc, char **argv) {
  const cli_spec spec = {
      .command = "trace diff",
      .usage = "A B",
      .summary = "The summary figures of two traces side by side, with B - A and the relative "
                 "change: makespan, work, critical path, busy time per worker, time per kernel "
                 "and HE op, bytes per link.",
      .min_positional = 2,
      .max_positional = 2};
  int npos = 0, rc = parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  loaded a, b;
  cf_status st = load(argv[0], &a);
  if (st != CF_OK) return cli_fail(spec.command, st);
  st = load(argv[1], &b);
  if (st != CF_OK) {
    unload(&a);
    return cli_fail(spec.command, st);
  }
  cf_tr_summary sa, sb;
  st = cf_tr_summarize(a.t, &a.s, 0, &sa);
  if (st == CF_OK) {
    st = cf_tr_summarize(b.t, &b.s, 0, &sb);
    if (st == CF_OK) {
      cf_tr_summary_diff(stdout, argv[0], a.t, &sa, argv[1], b.t, &sb);
      cf_tr_summary_free(&sb);
    }
    cf_tr_summary_free(&sa);
  }
  unload(&a);
  unload(&b);
  return st == CF_OK ? CLI_EXIT_OK : cli_fail(spec.command, st);
}

/* view, svg and export share their shape: FILE -o OUT. */
typedef enum out_kind { OUT_HTML, OUT_SVG, OUT_JSON } out_kind;

static int trace_write(int argc, char **argv, out_kind kind) {
  const char *out = NULL;
  long max_events = kind == OUT_HTML ? 50000 : kind == OUT_SVG ? 20000 : 0;
  bool flows = false;
  cli_opt opts[4] = {
      {"output", CLI_STRING, &out, "PATH", "where to write (-o works too; '-' for stdout)"},
      {NULL, 0, NULL, NULL, NULL},
  };
  int nopt = 1;
  opts[nopt++] = (cli_opt){"max-events", CLI_INT, &max_events, "N",
                           kind == OUT_HTML  ? "aggregate above N events (default 50000, 0: never)"
                           : kind == OUT_SVG ? "aggregate above N events (default 20000, 0: never)"
                                             : "aggregate above N events (default 0: never)"};
  if (kind == OUT_JSON)
    opts[nopt++] = (cli_opt){"flows", CLI_FLAG, &flows, NULL,
                             "add one flow arrow per dependency (Perfetto draws them)"};
  opts[nopt] = (cli_opt){NULL, 0, NULL, NULL, NULL};
  cli_spec spec = {.opts = opts, .min_positional = 1, .max_positional = 1};
  if (kind == OUT_HTML) {
    spec.command = "trace view";
    spec.usage = "FILE -o PAGE.html [--max-events N]";
    spec.summary = "Write a self-contained HTML page (no network needed) with the trace "
                   "embedded: a Gantt chart per worker coloured by kernel, copies per link, "
                   "memory counters, zoom (wheel), pan (drag), details on hover, the summary "
                   "figures and a legend.";
  } else if (kind == OUT_SVG) {
    spec.command = "trace svg";
    spec.usage = "FILE -o OUT.svg [--max-events N]";
    spec.summary = "Write an SVG Gantt chart of the trace for reports: a row per worker and "
                   "per link, memory curves, a time axis and a legend.";
  } else {
    spec.command = "trace export";
    spec.usage = "FILE -o OUT.json [--flows] [--max-events N]";
    spec.summary = "Rewrite a trace as Chrome Trace Event JSON, optionally with dependency "
                   "flows or aggregated to fit a viewer's size limit (see docs/traces.md).";
  }
  int npos = 0, rc = parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  if (!out) return cli_usage_error(spec.command, "missing -o PATH");
  if (max_events < 0)
    return cli_usage_error(spec.command, "--max-events must be >= 0, got %ld", max_events);
  loaded l;
  cf_status st = load(argv[0], &l);
  if (st != CF_OK) return cli_fail(spec.command, st);
  FILE *f = open_out(spec.command, out, &rc);
  if (!f) {
    unload(&l);
    return rc;
  }
  if (kind == OUT_HTML)
    st = cf_tr_write_html(l.t, &l.s, f, (uint64_t)max_events);
  else if (kind == OUT_SVG) {
    cf_tr_agg agg;
    st = cf_tr_aggregate(&l.s, (uint64_t)max_events, &agg);
    if (st == CF_OK) {
      st = cf_tr_write_svg(l.t, &agg.snap, f);
      cf_tr_agg_free(&agg);
    }
  } else {
    cf_trace_export_options o = {.flows = flows, .max_events = (uint64_t)max_events};
    st = cf_tr_write_chrome(l.t, &l.s, f, &o);
  }
  rc = close_out(spec.command, f, out);
  size_t ntasks = l.s.ntasks;
  unload(&l);
  if (st != CF_OK) return cli_fail(spec.command, st);
  if (rc == CLI_EXIT_OK && f != stdout)
    fprintf(stderr, "cipherflow %s: wrote %s (%zu tasks)\n", spec.command, out, ntasks);
  return rc;
}

int cmd_trace(int argc, char **argv) {
  static const struct {
    const char *name, *summary;
  } subs[] = {
      {"summary", "makespan, busy/idle, kernels, HE ops, critical path, links, idle gaps"},
      {"diff", "two traces' figures side by side with differences"},
      {"view", "a self-contained HTML viewer page with the trace embedded"},
      {"svg", "an SVG Gantt chart for reports"},
      {"export", "rewrite as Chrome JSON with flows or aggregation"},
  };
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    printf("usage: cipherflow trace SUBCOMMAND FILE... [options]\n\n"
           "Work on execution traces (Chrome Trace Event JSON, opens in the Perfetto UI and "
           "chrome://tracing).\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
      printf("  %-8s %s\n", subs[i].name, subs[i].summary);
    printf("\n'cipherflow trace SUBCOMMAND --help' describes one.\n");
    return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "summary") == 0) return trace_summary(argc - 1, argv + 1);
  if (strcmp(sub, "diff") == 0) return trace_diff(argc - 1, argv + 1);
  if (strcmp(sub, "view") == 0) return trace_write(argc - 1, argv + 1, OUT_HTML);
  if (strcmp(sub, "svg") == 0) return trace_write(argc - 1, argv + 1, OUT_SVG);
  if (strcmp(sub, "export") == 0) return trace_write(argc - 1, argv + 1, OUT_JSON);
  return cli_usage_error("trace", "unknown subcommand '%s' (summary, diff, view, svg, export)",
                         sub);
}
