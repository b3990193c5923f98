/* The subcommands of `cipherflow`, registered in one table (commands.c). */
#ifndef CF_CLI_COMMANDS_H
#define CF_CLI_COMMANDS_H

typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct cli_command {
  const char *name;
  const char *summary;
  cli_command_fn run; /* argv[0] is the subcommand's name */
} cli_command;

extern const cli_command cli_commands[];
extern const int cli_ncommands;

const cli_command *cli_find_command(const char *name);

int cmd_bench(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_infer(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
