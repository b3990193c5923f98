/* The example programs of examples/programs/, built with the public API. */
#ifndef CF_TESTS_GRAPH_EXAMPLES_H
#define CF_TESTS_GRAPH_EXAMPLES_H

#include "cipherflow/program.h"

typedef struct example {
  const char *file;
  cf_status (*build)(const cf_chain *c, cf_program **out);
} example;

extern const example examples[];
extern const int nexamples;

/* The chain every example uses: N = 2^12, 10 levels of 40-bit primes. */
cf_status example_chain(cf_chain *c);

#endif
