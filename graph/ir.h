/* The HE program representation shared by the builder, passes, text format,
 * simulator and lowering. Nodes are in topological order; node i defines
 * value i. */
#ifndef CF_GRAPH_IR_H
#define CF_GRAPH_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/program.h"

typedef enum cf_op {
  CF_OP_INPUT,
  CF_OP_PLAINTEXT,
  CF_OP_CONST,
  CF_OP_ADD,
  CF_OP_SUB,
  CF_OP_NEG,
  CF_OP_MUL,
  CF_OP_RELIN,
  CF_OP_RESCALE,
  CF_OP_LEVEL_DROP,
  CF_OP_ROTATE,
  CF_OP_CONJ,
  CF_OP_LINEAR,
  CF_OP_POLY,
  CF_OP_BOOTSTRAP,
  CF_OP_COUNT
} cf_op;

enum { CF_KIND_CT = 0, CF_KIND_PT = 1, CF_KIND_CONST = 2 };
enum { CF_DATA_INLINE = 0, CF_DATA_RANDOM = 1, CF_DATA_EXTERNAL = 2 };

/* Exact scale: 2^log2 * prod_i q_i^e[i]. A product of two ciphertexts
 * adds exponents, so repeated squaring (polynomial bases) doubles them per
 * level: the bounds leave room for about 14 squarings in a row. */
#define CF_SCALE_EMAX    16000
#define CF_SCALE_LOG2MAX (1 << 24)
typedef struct cf_scale {
  int32_t log2;
  int16_t e[CF_CHAIN_MAX_Q];
} cf_scale;

typedef struct cf_type {
  uint8_t kind;
  uint8_t polys;
  int16_t level;
  uint32_t slots;
  cf_scale scale;
} cf_type;

typedef struct cf_node {
  cf_op op;
  int nargs;
  cf_value args[2];
  cf_type type;
  /* attributes, by op */
  int k;           /* ROTATE */
  int level_to;    /* LEVEL_DROP, BOOTSTRAP */
  int hoist;       /* ROTATE, CONJ, LINEAR: share the ModUp of the source */
  cf_scale pscale; /* MUL with pt/const, LINEAR: encoding scale */
  double cval;     /* CONST */
  char *name;      /* INPUT, PLAINTEXT */
  int data_kind;   /* PLAINTEXT */
  int shift;       /* PLAINTEXT: slot i holds data[(i + shift) mod slots] */
  uint64_t seed;
  double *data;  /* slots values when inline */
  size_t nterms; /* LINEAR */
  int *rots;
  cf_value *pts;
  int basis; /* POLY */
  double a, b;
  size_t ncoeffs;
  double *coeffs;
} cf_node;

typedef struct cf_output {
  char *name;
  cf_value v;
} cf_output;

struct cf_program {
  cf_chain chain;
  int manage;
  cf_node *nodes;
  size_t n, cap;
  cf_output *outs;
  size_t nout, outcap;
};

const char *cf_op_name(cf_op op);
int cf_op_from_name(const char *s, size_t len); /* -1 if unknown */

/* Scales. */
void cf_scale_pow2(cf_scale *s, int log2);
bool cf_scale_eq(const cf_scale *a, const cf_scale *b);
/* These return false (and leave *out unspecified) when an exponent would
 * leave +-CF_SCALE_EMAX (2: +-CF_SCALE_LOG2MAX). */
bool cf_scale_mul(cf_scale *out, const cf_scale *a, const cf_scale *b);
bool cf_scale_div(cf_scale *out, const cf_scale *a, const cf_scale *b);
bool cf_scale_mul_q(cf_scale *s, int i, int times); /* times may be negative */
double cf_scale_log2(const cf_chain *c, const cf_scale *s);
/* Numeric value, without intermediate overflow (inf only if the value
 * itself does not fit a double). */
double cf_scale_value(const cf_chain *c, const cf_scale *s);
/* "2^40*q3/q2^2" into buf; returns chars written */
int cf_scale_format(const cf_scale *s, char *buf, size_t cap);
void cf_type_format(const cf_type *t, char *buf, size_t cap);
bool cf_type_eq(const cf_type *a, const cf_type *b);

/* Node construction. A node template is completed (type inferred, checked)
 * and appended; on success the program owns its arrays. manage selects the
 * auto-managing builder for arithmetic. */
void cf_node_init(cf_node *n, cf_op op);
cf_status cf_program_append(cf_program *p, cf_node *tmpl, cf_value *out);
/* Copy of src's attributes and data with new operands (for passes). */
cf_status cf_program_append_copy(cf_program *p, const cf_node *src, const cf_value *args,
                                 cf_value *out);
/* Copy of src with operands and linear-term plaintexts renamed through map. */
cf_status cf_program_append_mapped(cf_program *p, const cf_node *src, const cf_value *map,
                                   cf_value *out);
cf_status cf_program_new_like(const cf_program *in, cf_program **out);
cf_status cf_program_add_output(cf_program *p, const char *name, cf_value v);
/* Deep copy of a node's owned arrays into dst (for passes). */
cf_status cf_node_clone_data(cf_node *dst, const cf_node *src);
void cf_node_free(cf_node *n);
/* Internal input with an exact type (used to type polynomial expansions). */
cf_status cf_program_input_typed(cf_program *p, const char *name, const cf_type *t, cf_value *out);

/* Arithmetic with an explicit management mode (program.c / manage.c). */
cf_status cf_b_add(cf_program *p, cf_op op, cf_value a, cf_value b, int manage, cf_value *out);
cf_status cf_b_mul(cf_program *p, cf_value a, cf_value b, int manage, cf_value *out);
cf_status cf_b_linear(cf_program *p, cf_value x, size_t n, const int *rots, const cf_value *pts,
                      int manage, cf_value *out);
cf_status cf_b_mul_const_scaled(cf_program *p, cf_value x, double c, const cf_scale *pscale,
                                cf_value *out);
cf_status cf_b_unary(cf_program *p, cf_op op, cf_value a, int arg, cf_value *out);
/* Brings a to (level, scale) exactly; may cost one level. */
cf_status cf_manage_align_to(cf_program *p, cf_value a, int level, const cf_scale *scale,
                             cf_value *out);
/* Auto-managed finish of a multiplication result: relinearize, rescale. */
cf_status cf_manage_after_mul(cf_program *p, cf_value v, cf_value *out);

/* Polynomial expansion into p (auto-managed); used by the pass and to type
 * POLY nodes when they are built. */
cf_status cf_poly_expand(cf_program *p, cf_value x, const cf_node *poly, cf_value *out);

/* Deterministic data for random(seed) plaintexts: value j of the stream. */
void cf_random_data(uint64_t seed, double *out, size_t n);
uint64_t cf_galois_rotation(const cf_chain *c, int k);
uint64_t cf_galois_conjugate(const cf_chain *c);

#endif
