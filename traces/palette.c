#include <stdint.h>

#include "traces/render.h"

/* Colour-blind-safe categorical palette (Okabe-Ito, then Tableau extras). */
static const char *const palette[] = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#999933", "#882255", "#44AA99", "#AA4499", "#117733",
};

/* Well-known kernels get fixed colours so figures stay comparable across
 * traces; others are hashed (FNV-1a) into the palette. */
const char *cf_tr_kernel_color(const char *kernel) {
  static const struct {
    const char *name;
    int color;
  } fixed[] = {{"NTT", 0},     {"INTT", 4}, {"MODUP", 1}, {"KS_INNER", 2}, {"MODDOWN", 3},
               {"RESCALE", 5}, {"ADD", 7},  {"MUL", 8},   {"mixed", 6}};
  if (!kernel) return "#888888";
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    const char *a = fixed[i].name, *b = kernel;
    while (*a && *a == *b)
      a++, b++;
    if (!*a && !*b) return palette[fixed[i].color];
  }
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)kernel; *p; p++)
    h = (h ^ *p) * 16777619u;
  return palette[h % (sizeof palette / sizeof palette[0])];
}
