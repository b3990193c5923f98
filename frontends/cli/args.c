#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipherflow/status.h"
#include "frontends/cli/args.h"

int cli_usage_error(const char *command, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cipherflow %s: error: ", command);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_EXIT_USAGE;
}

int cli_fail(const char *command, int status) {
  const char *detail = cf_last_error();
  fprintf(stderr, "cipherflow %s: %s%s%s\n", command, cf_status_str((cf_status)status),
          *detail ? ": " : "", detail);
  return CLI_EXIT_FAIL;
}

void cli_print_help(const cli_spec *spec) {
  printf("usage: cipherflow %s %s\n\n%s\n", spec->command, spec->usage ? spec->usage : "",
         spec->summary ? spec->summary : "");
  printf("\noptions:\n");
  for (const cli_opt *o = spec->opts; o && o->name; o++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
             o->metavar ? o->metavar : "");
    printf("  %-24s %s\n", left, o->help);
  }
  printf("  %-24s %s\n", "--help", "show this help and exit");
}

static const cli_opt *find_opt(const cli_spec *spec, const char *name, size_t len) {
  for (const cli_opt *o = spec->opts; o && o->name; o++) {
    if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
  }
  return NULL;
}

static int store_value(const cli_spec *spec, const cli_opt *o, const char *value) {
  char *end = NULL;
  switch (o->kind) {
  case CLI_STRING: *(const char **)o->out = value; return CLI_EXIT_OK;
  case CLI_INT: {
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end)
      return cli_usage_error(spec->command, "--%s expects an integer, got '%s'", o->name, value);
    *(long *)o->out = v;
    return CLI_EXIT_OK;
  }
  case CLI_DOUBLE: {
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end)
      return cli_usage_error(spec->command, "--%s expects a number, got '%s'", o->name, value);
    *(double *)o->out = v;
    return CLI_EXIT_OK;
  }
  case CLI_FLAG: break;
  }
  return cli_usage_error(spec->command, "--%s takes no value", o->name);
}

int cli_parse(const cli_spec *spec, int argc, char **argv, int *npos) {
  int pos = 0;
  bool only_positional = false;
  for (int i = 1; i < argc; i++) {
    char *arg = argv[i];
    if (only_positional || arg[0] != '-' || arg[1] == '\0') {
      argv[pos++] = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_positional = true;
      continue;
    }
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      cli_print_help(spec);
      return CLI_EXIT_HELP;
    }
    if (arg[1] != '-') return cli_usage_error(spec->command, "unknown option '%s'", arg);
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *o = find_opt(spec, name, len);
    if (!o) return cli_usage_error(spec->command, "unknown option '--%.*s'", (int)len, name);
    if (o->kind == CLI_FLAG) {
      if (eq) return cli_usage_error(spec->command, "--%s takes no value", o->name);
      *(bool *)o->out = true;
      continue;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
      if (i + 1 >= argc) return cli_usage_error(spec->command, "--%s needs a value", o->name);
      value = argv[++i];
    }
    int rc = store_value(spec, o, value);
    if (rc != CLI_EXIT_OK) return rc;
  }
  if (pos < spec->min_positional)
    return cli_usage_error(spec->command, "missing argument; usage: cipherflow %s %s",
                           spec->command, spec->usage ? spec->usage : "");
  if (spec->max_positional >= 0 && pos > spec->max_positional)
    return cli_usage_error(spec->command, "unexpected argument '%s'", argv[spec->max_positional]);
  *npos = pos;
  return CLI_EXIT_OK;
}
