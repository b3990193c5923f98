/* Option parsing shared by every subcommand, so they all behave alike. */
#ifndef CF_CLI_ARGS_H
#define CF_CLI_ARGS_H

#include <stdbool.h>

typedef enum cli_opt_kind { CLI_FLAG, CLI_STRING, CLI_INT, CLI_DOUBLE } cli_opt_kind;

typedef struct cli_opt {
  const char *name; /* long name without dashes: "grain" for --grain */
  cli_opt_kind kind;
  void *out;           /* bool*, const char**, long*, double* by kind */
  const char *metavar; /* "K" in "--grain K"; NULL for flags */
  const char *help;
} cli_opt;

typedef struct cli_spec {
  const char *command; /* "compile" */
  const char *usage;   /* "PROGRAM [options]" */
  const char *summary; /* one paragraph shown by --help */
  const cli_opt *opts; /* terminated by an entry with name == NULL */
  int min_positional;
  int max_positional; /* -1: no limit */
} cli_spec;

/* Exit codes shared by all subcommands. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_HELP = -1 };

/*
 * Parses argv (argv[0] is the subcommand name). Positional arguments are
 * moved to the front of argv and counted in *npos. Returns CLI_EXIT_OK,
 * CLI_EXIT_HELP after printing help for --help, or CLI_EXIT_USAGE after
 * printing a one-line error naming the offending argument.
 */
int cli_parse(const cli_spec *spec, int argc, char **argv, int *npos);

/* Prints the help text of a subcommand to stdout. */
void cli_print_help(const cli_spec *spec);

/* Prints "cipherflow CMD: error: ..." to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints a failing status with cf_last_error() and returns CLI_EXIT_FAIL. */
int cli_fail(const char *command, int status);

#endif
