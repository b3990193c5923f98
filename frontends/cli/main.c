/* cipherflow: the command-line entry point. Dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cipherflow/version.h"
#include "frontends/cli/args.h"
#include "frontends/cli/commands.h"

int cmd_version(int argc, char **argv) {
  static const cli_spec spec = {.command = "version",
                                .usage = "",
                                .summary = "Print cipherflow's version.",
                                .max_positional = 0};
  int npos = 0;
  int rc = cli_parse(&spec, argc, argv, &npos);
  if (rc != CLI_EXIT_OK) return rc == CLI_EXIT_HELP ? CLI_EXIT_OK : rc;
  printf("cipherflow %s\n", cf_version());
  return CLI_EXIT_OK;
}

int cmd_help(int argc, char **argv) {
  if (argc >= 2 && argv[1][0] == '-') {
    if (strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)
      return cli_usage_error("help", "unknown option '%s'", argv[1]);
    printf("usage: cipherflow help [SUBCOMMAND]\n\nList the subcommands, or show one's help.\n");
    return CLI_EXIT_OK;
  }
  if (argc >= 2) {
    const cli_command *c = cli_find_command(argv[1]);
    if (!c) return cli_usage_error("help", "unknown subcommand '%s'", argv[1]);
    char *sub_argv[] = {(char *)c->name, "--help", NULL};
    return c->run(2, sub_argv);
  }
  printf("usage: cipherflow SUBCOMMAND [options]\n\n"
         "cipherflow runs neural networks on CKKS-encrypted data, as task graphs on StarPU.\n\n"
         "subcommands:\n");
  for (int i = 0; i < cli_ncommands; i++)
    printf("  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
  printf("\n'cipherflow SUBCOMMAND --help' describes one. Logging: "
         "CIPHERFLOW_LOG=error|warn|info|debug.\n");
  return CLI_EXIT_OK;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    cmd_help(1, argv);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) return cmd_version(1, argv + 1);
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) return cmd_help(1, argv + 1);
  const cli_command *c = cli_find_command(name);
  if (!c) {
    if (name[0] == '-')
      fprintf(stderr, "cipherflow: error: unknown option '%s'\n", name);
    else
      fprintf(stderr, "cipherflow: error: unknown subcommand '%s' (see 'cipherflow help')\n", name);
    return CLI_EXIT_USAGE;
  }
  int rc = c->run(argc - 1, argv + 1);
  return rc < 0 ? CLI_EXIT_OK : rc;
}
