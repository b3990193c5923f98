/* libFuzzer harness for the program text parser (built with CF_FUZZ=ON). */
#include <stdlib.h>

#include "tests/graph/parse_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (parse_entry(data, size)) abort();
  return 0;
}
