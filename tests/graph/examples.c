#include "tests/graph/examples.h"

#include <math.h>
#include <stdio.h>

#define TRY(x)                                                                                     \
  do {                                                                                             \
    cf_status s_ = (x);                                                                            \
    if (s_ != CF_OK) {                                                                             \
      cf_program_destroy(p);                                                                       \
      return s_;                                                                                   \
    }                                                                                              \
  } while (0)

cf_status example_chain(cf_chain *c) { return cf_chain_generate(c, 12, 10, 60, 40, 2, 60, 3, 40); }

/* x^2 + x: the smallest program with a multiplication. */
static cf_status square_add(const cf_chain *c, cf_program **out) {
  cf_program *p = NULL;
  TRY(cf_program_create(c, CF_MANAGE_AUTO, &p));
  cf_value x, y;
  TRY(cf_prog_input(p, "x", 9, 0, 64, &x));
  TRY(cf_prog_mul(p, x, x, &y));
  TRY(cf_prog_add(p, y, x, &y));
  TRY(cf_prog_output(p, "y", y));
  *out = p;
  return CF_OK;
}

/* Sum of all 16 slots by rotations, plus a conjugation and a plaintext. */
static cf_status rotate_sum(const cf_chain *c, cf_program **out) {
  cf_program *p = NULL;
  TRY(cf_program_create(c, CF_MANAGE_AUTO, &p));
  cf_value x, s, r, w, t;
  TRY(cf_prog_input(p, "x", 5, 0, 16, &x));
  s = x;
  for (int k = 1; k < 16; k *= 2) {
    TRY(cf_prog_rotate(p, s, k, &r));
    TRY(cf_prog_add(p, s, r, &s));
  }
  /* rotations of one value: candidates for hoisting */
  cf_value a = x;
  for (int k = 1; k <= 3; k++) {
    TRY(cf_prog_rotate(p, x, -k, &r));
    TRY(cf_prog_add(p, a, r, &a));
  }
  TRY(cf_prog_conjugate(p, x, &t));
  TRY(cf_prog_sub(p, a, t, &a));
  TRY(cf_prog_plaintext_random(p, "w", 16, 7, &w));
  TRY(cf_prog_mul(p, a, w, &a));
  TRY(cf_prog_add(p, s, a, &s));
  TRY(cf_prog_output(p, "sum", s));
  *out = p;
  return CF_OK;
}

/* Chebyshev approximation of the logistic function on [-8, 8]. */
static cf_status sigmoid(const cf_chain *c, cf_program **out) {
  cf_program *p = NULL;
  TRY(cf_program_create(c, CF_MANAGE_AUTO, &p));
  enum { D = 16 };
  double co[D];
  for (int k = 0; k < D; k++) { /* Chebyshev interpolation at the D nodes */
    double s = 0;
    for (int j = 0; j < D; j++) {
      double th = M_PI * (j + 0.5) / D, xv = 8 * cos(th);
      s += cos(k * th) / (1 + exp(-xv));
    }
    co[k] = (k ? 2.0 : 1.0) * s / D;
  }
  cf_value x, y;
  TRY(cf_prog_input(p, "x", 9, 0, 64, &x));
  TRY(cf_prog_poly(p, x, CF_BASIS_CHEBYSHEV, -8, 8, D, co, &y));
  TRY(cf_prog_output(p, "y", y));
  *out = p;
  return CF_OK;
}

/* Two-layer perceptron on 64 slots: a 64x64 matrix-vector product in
 * baby-step giant-step form (8 hoisted baby rotations, 8 giant steps) with
 * explicit operations, a degree-7 Chebyshev activation, and a second dense
 * layer as one hoisted linear node. */
static cf_status mlp(const cf_chain *c, cf_program **out) {
  cf_program *p = NULL;
  TRY(cf_program_create(c, CF_MANAGE_AUTO, &p));
  enum { S = 64, B = 8 };
  cf_value x, baby[B], acc = -1;
  TRY(cf_prog_input(p, "x", 9, 0, S, &x));
  baby[0] = x;
  for (int i = 1; i < B; i++)
    TRY(cf_prog_rotate(p, x, i, &baby[i]));
  for (int j = 0; j < S / B; j++) {
    cf_value inner = -1;
    for (int i = 0; i < B; i++) {
      char name[32];
      snprintf(name, sizeof name, "w1.%d", j * B + i);
      cf_value w, t;
      TRY(cf_prog_plaintext_random(p, name, S, 1000u + (unsigned)(j * B + i), &w));
      TRY(cf_prog_mul(p, baby[i], w, &t));
      if (inner < 0)
        inner = t;
      else
        TRY(cf_prog_add(p, inner, t, &inner));
    }
    if (j) TRY(cf_prog_rotate(p, inner, j * B, &inner));
    if (acc < 0)
      acc = inner;
    else
      TRY(cf_prog_add(p, acc, inner, &acc));
  }
  cf_value b1, h;
  TRY(cf_prog_plaintext_random(p, "b1", S, 2000, &b1));
  TRY(cf_prog_add(p, acc, b1, &acc));
  const double act[8] = {0.5, 0.6, 0.0, -0.12, 0.0, 0.04, 0.0, -0.01};
  TRY(cf_prog_poly(p, acc, CF_BASIS_CHEBYSHEV, -4, 4, 8, act, &h));
  int rots[16];
  cf_value pts[16];
  for (int i = 0; i < 16; i++) {
    char name[32];
    snprintf(name, sizeof name, "w2.%d", i);
    rots[i] = i;
    TRY(cf_prog_plaintext_random(p, name, S, 3000u + (unsigned)i, &pts[i]));
  }
  cf_value y;
  TRY(cf_prog_linear(p, h, 16, rots, pts, &y));
  TRY(cf_prog_output(p, "logits", y));
  *out = p;
  return CF_OK;
}

/* A manually managed program: explicit relinearize, rescale, level drop. */
static cf_status manual(const cf_chain *c, cf_program **out) {
  cf_program *p = NULL;
  TRY(cf_program_create(c, CF_MANAGE_NONE, &p));
  cf_value x, y, z, k, t;
  TRY(cf_prog_input(p, "x", 4, 0, 32, &x));
  TRY(cf_prog_input(p, "y", 3, 0, 32, &y));
  TRY(cf_prog_mul(p, x, x, &z));
  TRY(cf_prog_relinearize(p, z, &z));
  TRY(cf_prog_rescale(p, z, &z));
  TRY(cf_prog_const(p, 0.25, &k));
  TRY(cf_prog_mul(p, y, k, &t));
  TRY(cf_prog_rescale(p, t, &t));
  TRY(cf_prog_level_drop(p, z, 2, &z));
  TRY(cf_prog_negate(p, t, &t));
  TRY(cf_prog_output(p, "z", z));
  TRY(cf_prog_output(p, "t", t));
  *out = p;
  return CF_OK;
}

const example examples[] = {
    {"square_add.cfp", square_add}, {"rotate_sum.cfp", rotate_sum},
    {"sigmoid.cfp", sigmoid},       {"mlp.cfp", mlp},
    {"manual.cfp", manual},
};
const int nexamples = (int)(sizeof examples / sizeof examples[0]);
