/* CFTS files: a table of float64 rows with an int32 label each (format in
 * examples/digits/README.md). Test splits and reference outputs use it. */
#ifndef CF_FRONTENDS_DATASET_H
#define CF_FRONTENDS_DATASET_H

#include <stdint.h>

#include "cipherflow/status.h"

typedef struct cf_dataset {
  int count, width;
  double *rows;    /* count * width */
  int32_t *labels; /* count; -1: none */
} cf_dataset;

cf_status cf_dataset_load(const char *path, cf_dataset *out);
void cf_dataset_free(cf_dataset *d);

#endif
