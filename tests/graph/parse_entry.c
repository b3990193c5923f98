#include "tests/graph/parse_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipherflow/program.h"

int parse_entry(const uint8_t *data, size_t size) {
  cf_program *p = NULL;
  cf_status st = cf_program_parse((const char *)data, size, &p);
  if (st != CF_OK) {
    if (p != NULL || cf_last_error()[0] == 0) return 1; /* no result, and a reason */
    return 0;
  }
  char *t1 = NULL, *t2 = NULL;
  cf_program *q = NULL;
  int bad = cf_program_print(p, &t1) != CF_OK || cf_program_parse(t1, strlen(t1), &q) != CF_OK ||
            cf_program_print(q, &t2) != CF_OK || strcmp(t1, t2) != 0;
  free(t1), free(t2);
  cf_program_destroy(p), cf_program_destroy(q);
  return bad;
}
