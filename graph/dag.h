/*
 * The lowered task DAG: what graph/ hands to the executors.
 *
 * Every HE operation of a program becomes kernel tasks over limb ranges of
 * RNS polynomials. A polynomial lives in a buffer: nlimbs rows of N 64-bit
 * words, row i reduced modulo the prime with index primes[i] in the
 * context's full prime list (q_0..q_L, then the special primes p_0..p_{K-1}).
 * A task touches pieces (buffer, first limb, limb count) with an access
 * mode; dependencies are implied by the order of tasks and their accesses
 * (sequential consistency, as in StarPU), so the DAG needs no edge list. The
 * explicit edges below are derived from the accesses for analysis and DOT.
 *
 * The DAG is deterministic: the same program and options give the same DAG.
 * This header is the contract between graph/ (producer) and the executors
 * (graph's sequential one, tasks/ on StarPU). It knows nothing of StarPU.
 */
#ifndef CF_GRAPH_DAG_H
#define CF_GRAPH_DAG_H

#include <stddef.h>
#include <stdint.h>

#define CF_DAG_MAX_PIECES 8

/* Kinds of kernel task. Limb-local kinds work limb by limb on a range; the
 * rest are where limbs meet (basis conversion, rescale), named as such so
 * placement and communication analysis can see them. */
typedef enum cf_kernel_kind {
  /* limb-local */
  CF_KERNEL_NTT,       /* piece0 RW: coefficient -> evaluation form */
  CF_KERNEL_INTT,      /* piece0 RW: evaluation -> coefficient form */
  CF_KERNEL_ADD,       /* piece0 W = piece1 + piece2 */
  CF_KERNEL_SUB,       /* piece0 W = piece1 - piece2 */
  CF_KERNEL_NEG,       /* piece0 W = -piece1 */
  CF_KERNEL_MUL,       /* piece0 W = piece1 * piece2 (pointwise) */
  CF_KERNEL_MUL_ACC,   /* piece0 RW += piece1 * piece2 */
  CF_KERNEL_MUL_CONST, /* piece0 W = piece1 * constant (arg.constant) */
  CF_KERNEL_COPY,      /* piece0 W = piece1 */
  CF_KERNEL_AUTOMORPH, /* piece0 W = piece1(X^arg.galois), evaluation form */
  CF_KERNEL_KS_INNER,  /* piece0, piece1 RW (acc0, acc1) += piece2 (digit) * piece3, piece4 (key) */
  CF_KERNEL_FUSED,     /* a chain of limb-local kinds merged into one task */
  /* limbs meet */
  CF_KERNEL_MODUP, /* piece0 W (extension limbs, coefficient form) from piece1 R (one digit's limbs,
                      coefficient form) */
  CF_KERNEL_MODDOWN, /* piece0 RW (Q limbs, evaluation form) -= NTT(conv(piece1 R: P limbs,
                        coefficient form)), then * P^-1 */
  CF_KERNEL_RESCALE, /* piece0 (limbs of 0..l-1, evaluation form) = (x - NTT(conv(piece1 R: limb
                        l, coefficient form))) * q_l^-1, where x is piece2 R (the same limbs of
                        the input, piece0 then W) or, with 2 pieces, piece0 itself (RW) */
  CF_KERNEL_COUNT
} cf_kernel_kind;

typedef enum cf_access { CF_ACCESS_R = 1, CF_ACCESS_W = 2, CF_ACCESS_RW = 3 } cf_access;

typedef enum cf_buffer_role {
  CF_BUFFER_CIPHERTEXT, /* a program input or output polynomial */
  CF_BUFFER_PLAINTEXT,  /* encoded weights */
  CF_BUFFER_KEY,        /* key-switching key polynomial */
  CF_BUFFER_TEMP        /* written before read, inside the DAG */
} cf_buffer_role;

typedef struct cf_dag_buffer {
  uint32_t id;
  cf_buffer_role role;
  uint32_t nlimbs;
  const uint16_t *primes; /* nlimbs prime indices */
  int ntt_form;           /* form in which the buffer starts */
  int value;              /* HE program value id it belongs to, or -1 */
  int poly;               /* which polynomial of that value (0, 1, 2), or -1 */
  const char *name;       /* for traces and DOT; owned by the DAG */
} cf_dag_buffer;

typedef struct cf_dag_piece {
  uint32_t buffer;
  uint16_t first_limb;
  uint16_t nlimbs;
  cf_access access;
} cf_dag_piece;

typedef struct cf_dag_task {
  uint32_t id;
  cf_kernel_kind kind;
  uint8_t npieces;
  cf_dag_piece pieces[CF_DAG_MAX_PIECES];
  union {
    uint64_t galois;   /* AUTOMORPH: X -> X^galois */
    uint32_t constant; /* MUL_CONST: index into the DAG's constant table */
    uint32_t digit;    /* MODUP: key-switching digit */
    uint32_t fused;    /* FUSED: index into the DAG's fused-chain table */
  } arg;
  int he_node;    /* HE program node it came from */
  int level;      /* ciphertext level the kernel works at (MODUP, MODDOWN and
                     RESCALE need it: for RESCALE the level before rescaling) */
  double cost_ns; /* estimate from the cost model */
  double bytes;   /* bytes read + written */
} cf_dag_task;

typedef struct cf_dag cf_dag;

/* Accessors: a cf_dag is built by graph/lower.c and owned by its creator. */
size_t cf_dag_ntasks(const cf_dag *dag);
const cf_dag_task *cf_dag_task_at(const cf_dag *dag, size_t i);
size_t cf_dag_nbuffers(const cf_dag *dag);
const cf_dag_buffer *cf_dag_buffer_at(const cf_dag *dag, size_t i);
/* Constants for MUL_CONST: one residue per prime index of the context. */
const uint64_t *cf_dag_constant(const cf_dag *dag, uint32_t index, size_t *nprimes);
void cf_dag_destroy(cf_dag *dag);

/* ---- extensions (graph/dag.c) ---- */

/* The prime index of each row of a piece is buffer->primes[first_limb + t].
 * Row layouts follow kernels/ckks/steps.h: ciphertexts and plaintexts are
 * Q_l (q_0..q_l); key-switching accumulators Q_l then P; ModUp outputs the Q_l
 * primes outside the digit, then P; keys q_0..q_L then P (one buffer per
 * digit and polynomial). */

/* What an executor needs to fill a buffer it does not compute. */
typedef struct cf_dag_buffer_info {
  /* PLAINTEXT: the program node whose data is encoded (a plaintext, or a
   * constant broadcast to every slot), at this level and scale. */
  int node;
  int level;
  double scale;
  uint32_t slots; /* slot count to encode with (a constant fills every slot) */
  /* KEY: Galois element (0: relinearization key), digit; buffer.poly is 0
   * for b_j and 1 for a_j. */
  uint64_t galois;
  uint32_t digit;
} cf_dag_buffer_info;
const cf_dag_buffer_info *cf_dag_buffer_info_at(const cf_dag *dag, size_t buffer);

/* Program outputs: each polynomial is the first nlimbs rows of a buffer. */
typedef struct cf_dag_output {
  const char *name;
  int value;
  int npolys;
  uint32_t buffers[3];
  uint16_t nlimbs;
} cf_dag_output;
size_t cf_dag_noutputs(const cf_dag *dag);
const cf_dag_output *cf_dag_output_at(const cf_dag *dag, size_t i);

/* FUSED tasks: the chain of limb-local steps run in order. Each step uses
 * the task's pieces at the given indices, in the order its kind's comment
 * gives them; galois/constant as in cf_dag_task.arg. */
#define CF_DAG_MAX_FUSED 8
typedef struct cf_dag_fused_step {
  cf_kernel_kind kind;
  uint8_t npieces;
  uint8_t piece[5];
  uint64_t galois;
  uint32_t constant;
} cf_dag_fused_step;
typedef struct cf_dag_fused_chain {
  uint8_t nsteps;
  cf_dag_fused_step steps[CF_DAG_MAX_FUSED];
} cf_dag_fused_chain;
const cf_dag_fused_chain *cf_dag_fused_chain_at(const cf_dag *dag, uint32_t index);
size_t cf_dag_nfused(const cf_dag *dag);

/* Explicit edges derived from accesses (read after write, write after read,
 * write after write, limb by limb): the tasks that task i depends on. */
const uint32_t *cf_dag_preds(const cf_dag *dag, size_t i, size_t *n);
size_t cf_dag_nedges(const cf_dag *dag);

/* Ring degree and prime count of the context the DAG was built for. */
uint32_t cf_dag_log_n(const cf_dag *dag);
size_t cf_dag_nprimes(const cf_dag *dag);

#endif
