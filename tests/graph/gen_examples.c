/* Writes the example programs: gen_examples DIR */
#include <stdio.h>
#include <stdlib.h>

#include "tests/graph/examples.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_examples DIR\n");
    return 2;
  }
  cf_chain c;
  if (example_chain(&c) != CF_OK) return 1;
  for (int i = 0; i < nexamples; i++) {
    cf_program *p;
    char *text, path[4096];
    if (examples[i].build(&c, &p) != CF_OK || cf_program_print(p, &text) != CF_OK) {
      fprintf(stderr, "%s: %s\n", examples[i].file, cf_last_error());
      return 1;
    }
    snprintf(path, sizeof path, "%s/%s", argv[1], examples[i].file);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
      fprintf(stderr, "cannot write %s\n", path);
      return 1;
    }
    free(text);
    cf_program_destroy(p);
  }
  return 0;
}
