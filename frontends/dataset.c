#include "frontends/dataset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

cf_status cf_dataset_load(const char *path, cf_dataset *out) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) return CF_FAIL(CF_EIO, "cannot open %s: %s", path, strerror(errno));
  unsigned char h[16];
  cf_status st = CF_OK;
  if (fread(h, 1, 16, f) != 16 || memcmp(h, "CFTS", 4) != 0) {
    st = CF_FAIL(CF_EFORMAT, "%s is not a CFTS file (bad magic)", path);
  } else if (le32(h + 4) != 1) {
    st = CF_FAIL(CF_EVERSION, "%s: CFTS version %u (supported: 1)", path, le32(h + 4));
  } else {
    uint32_t n = le32(h + 8), w = le32(h + 12);
    if (n == 0 || w == 0 || n > (1u << 24) || w > (1u << 20) || (uint64_t)n * w > (1u << 28)) {
      st = CF_FAIL(CF_EFORMAT, "%s: %u rows of %u values is out of range", path, n, w);
    } else {
      out->rows = malloc(sizeof(double) * n * w);
      out->labels = malloc(sizeof(int32_t) * n);
      if (!out->rows || !out->labels)
        st = CF_FAIL(CF_ENOMEM, "no memory for %s", path);
      else if (fread(out->rows, sizeof(double), (size_t)n * w, f) != (size_t)n * w ||
               fread(out->labels, sizeof(int32_t), n, f) != n)
        st =
            CF_FAIL(CF_EFORMAT, "%s is truncated (expected %u x %u values and labels)", path, n, w);
      else if (fgetc(f) != EOF)
        st = CF_FAIL(CF_EFORMAT, "%s has trailing bytes after %u rows", path, n);
      out->count = (int)n, out->width = (int)w;
      for (size_t i = 0; st == CF_OK && i < (size_t)n * w; i++)
        if (!isfinite(out->rows[i]))
          st = CF_FAIL(CF_EFORMAT, "%s: value %zu is not finite", path, i);
    }
  }
  fclose(f);
  if (st != CF_OK) cf_dataset_free(out);
  return st;
}

void cf_dataset_free(cf_dataset *d) {
  free(d->rows);
  free(d->labels);
  memset(d, 0, sizeof *d);
}
