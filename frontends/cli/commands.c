#include <string.h>

#include "frontends/cli/commands.h"

/* Keep sorted by name: `cipherflow help` lists them in this order. */
const cli_command cli_commands[] = {
    {"bench", "run a benchmark suite and print a table or JSON lines", cmd_bench},
    {"calibrate", "fill StarPU performance models for a CKKS preset", cmd_calibrate},
    {"compile", "compile an HE program to the task DAG and print statistics", cmd_compile},
    {"help", "list the subcommands, or show one's help", cmd_help},
    {"infer", "run an ONNX model encrypted and compare with the plaintext model", cmd_infer},
    {"run", "run an HE program encrypted on StarPU and check it against the simulator", cmd_run},
    {"trace", "summarize, compare and view execution traces", cmd_trace},
    {"tune", "try scheduling policies and grains on a program; save the best", cmd_tune},
    {"version", "print the version", cmd_version},
};
const int cli_ncommands = (int)(sizeof cli_commands / sizeof cli_commands[0]);

const cli_command *cli_find_command(const char *name) {
  for (int i = 0; i < cli_ncommands; i++) {
    if (strcmp(cli_commands[i].name, name) == 0) return &cli_commands[i];
  }
  return NULL;
}
