/*
 * The CKKS scheme on the CPU: parameters, context, encoding, keys,
 * encryption and the evaluator.
 *
 * Every object is an opaque handle created by a *_create / keygen / encode /
 * encrypt / load function and released with its *_destroy function
 * (destroy(NULL) does nothing). Functions that can fail return cf_status
 * and leave the detail in cf_last_error(); on failure no output object is
 * produced.
 *
 * Evaluator results go into a caller-provided ciphertext (create an empty
 * one with cf_ckks_ciphertext_create). The result may alias an input
 * (in-place use): an operation writes into the result's own storage only
 * when that aliases no input, else into fresh storage that then replaces
 * the result's contents, so aliasing is always safe. When an operation
 * fails, its result ciphertext is either unchanged or left empty (size 0),
 * never half-written.
 *
 * Ciphertexts and plaintexts are kept in NTT (evaluation) form with limbs
 * q_0..q_level. A ciphertext at level l has l+1 limbs; rescale drops one
 * and divides the scale by q_l.
 */
#ifndef CIPHERFLOW_CKKS_H
#define CIPHERFLOW_CKKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_ckks_params cf_ckks_params;
typedef struct cf_ckks_context cf_ckks_context;
typedef struct cf_ckks_plaintext cf_ckks_plaintext;
typedef struct cf_ckks_ciphertext cf_ckks_ciphertext;
typedef struct cf_ckks_secret_key cf_ckks_secret_key;
typedef struct cf_ckks_public_key cf_ckks_public_key;
typedef struct cf_ckks_relin_key cf_ckks_relin_key;
typedef struct cf_ckks_galois_key cf_ckks_galois_key;

/* ------------------------------------------------------------------ */
/* Parameters                                                          */
/* ------------------------------------------------------------------ */

#define CF_CKKS_MAX_PRIMES 64

typedef enum cf_ckks_secret_dist {
  CF_CKKS_SECRET_TERNARY = 0, /* each coefficient uniform in {-1, 0, 1} */
  CF_CKKS_SECRET_HAMMING = 1, /* exactly h coefficients in {-1, 1}, the rest 0 */
} cf_ckks_secret_dist;

/* A user-built parameter set. Primes are generated deterministically from
 * the bit sizes (the largest primes of that size with q = 1 mod 2N). */
typedef struct cf_ckks_params_spec {
  int log_n;                      /* ring degree N = 2^log_n, 10..17 */
  int nq;                         /* number of Q primes (levels + 1) */
  int q_bits[CF_CKKS_MAX_PRIMES]; /* bit size of q_0..q_{nq-1}, 20..60 */
  int np;                         /* number of special primes P */
  int p_bits[CF_CKKS_MAX_PRIMES]; /* bit size of p_0..p_{np-1}, 20..60 */
  int dnum;                       /* key-switching digits, 1..nq */
  double log_scale;               /* default scale as log2 */
  cf_ckks_secret_dist secret;
  int hamming_weight;  /* for CF_CKKS_SECRET_HAMMING */
  bool allow_insecure; /* accept log2(QP) above the 128-bit bound */
} cf_ckks_params_spec;

/*
 * Presets: "toy" (N=2^11, insecure, unit tests only; needs allow_insecure),
 * "n14", "n15", "n16" (128-bit classical), "n16-peer" (the OpenFHE
 * configuration of the peer benchmarks, 128-bit). See docs/ckks.md.
 */
cf_status cf_ckks_params_preset(const char *name, bool allow_insecure, cf_ckks_params **out);
cf_status cf_ckks_params_create(const cf_ckks_params_spec *spec, cf_ckks_params **out);
void cf_ckks_params_destroy(cf_ckks_params *p);

/* Names of the presets, NULL-terminated. */
const char *const *cf_ckks_preset_names(void);

/*
 * The HE standard's 128-bit classical bound on log2(QP) for ring degree n
 * (uniform ternary secret), or 0 when the table has no entry for n.
 */
int cf_ckks_security_bound_128(size_t n);

size_t cf_ckks_params_n(const cf_ckks_params *p);
size_t cf_ckks_params_slots(const cf_ckks_params *p);  /* N/2 */
int cf_ckks_params_max_level(const cf_ckks_params *p); /* nq - 1 */
int cf_ckks_params_nq(const cf_ckks_params *p);
int cf_ckks_params_np(const cf_ckks_params *p);
int cf_ckks_params_dnum(const cf_ckks_params *p);
double cf_ckks_params_log_scale(const cf_ckks_params *p);
double cf_ckks_params_scale(const cf_ckks_params *p);
double cf_ckks_params_log2_qp(const cf_ckks_params *p);
bool cf_ckks_params_insecure(const cf_ckks_params *p);
cf_ckks_secret_dist cf_ckks_params_secret(const cf_ckks_params *p, int *hamming_weight);
/* Prime with index i of the full list q_0..q_{nq-1}, p_0..p_{np-1}; 0 if out of range. */
uint64_t cf_ckks_params_prime(const cf_ckks_params *p, int i);
/* 32-byte BLAKE2b fingerprint of the canonical encoding. */
const uint8_t *cf_ckks_params_fingerprint(const cf_ckks_params *p);

/* ------------------------------------------------------------------ */
/* Context: all precomputed tables. Immutable after creation, so it can */
/* be shared by threads.                                               */
/* ------------------------------------------------------------------ */

cf_status cf_ckks_context_create(const cf_ckks_params *params, cf_ckks_context **out);
void cf_ckks_context_destroy(cf_ckks_context *ctx);
const cf_ckks_params *cf_ckks_context_params(const cf_ckks_context *ctx);

/* ------------------------------------------------------------------ */
/* Plaintexts and encoding                                             */
/* ------------------------------------------------------------------ */

/*
 * Encodes slots complex values (re[i] + i*im[i]; im may be NULL for real
 * values) at level and scale into NTT form. slots is a power of two,
 * 1 <= slots <= N/2. CF_ESCALE if a scaled coefficient does not fit 62 bits.
 */
cf_status cf_ckks_encode(const cf_ckks_context *ctx, const double *re, const double *im,
                         size_t slots, int level, double scale, cf_ckks_plaintext **out);

/* Decodes into re[0..slots) and im[0..slots) (im may be NULL). */
cf_status cf_ckks_decode(const cf_ckks_context *ctx, const cf_ckks_plaintext *pt, double *re,
                         double *im);

void cf_ckks_plaintext_destroy(cf_ckks_plaintext *pt);
int cf_ckks_plaintext_level(const cf_ckks_plaintext *pt);
double cf_ckks_plaintext_scale(const cf_ckks_plaintext *pt);
size_t cf_ckks_plaintext_slots(const cf_ckks_plaintext *pt);

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

cf_status cf_ckks_keygen_secret(const cf_ckks_context *ctx, cf_ckks_secret_key **out);
cf_status cf_ckks_keygen_public(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                cf_ckks_public_key **out);
cf_status cf_ckks_keygen_relin(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                               cf_ckks_relin_key **out);
/* Galois keys for rotations by steps[0..nsteps) (any integer, taken mod
 * N/2) and, if conjugate, for complex conjugation. */
cf_status cf_ckks_keygen_galois(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                                const int *steps, size_t nsteps, bool conjugate,
                                cf_ckks_galois_key **out);
void cf_ckks_secret_key_destroy(cf_ckks_secret_key *k);
void cf_ckks_public_key_destroy(cf_ckks_public_key *k);
void cf_ckks_relin_key_destroy(cf_ckks_relin_key *k);
void cf_ckks_galois_key_destroy(cf_ckks_galois_key *k);
/* Whether gk holds the key for rotation by step (conjugation: conj=true). */
bool cf_ckks_galois_key_has(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk, int step,
                            bool conj);

/* ------------------------------------------------------------------ */
/* Ciphertexts, encryption, decryption                                 */
/* ------------------------------------------------------------------ */

/* An empty ciphertext, to receive evaluator results. */
cf_status cf_ckks_ciphertext_create(const cf_ckks_context *ctx, cf_ckks_ciphertext **out);
void cf_ckks_ciphertext_destroy(cf_ckks_ciphertext *ct);
cf_status cf_ckks_ciphertext_copy(const cf_ckks_ciphertext *in, cf_ckks_ciphertext *out);
int cf_ckks_ciphertext_level(const cf_ckks_ciphertext *ct);
double cf_ckks_ciphertext_scale(const cf_ckks_ciphertext *ct);
size_t cf_ckks_ciphertext_slots(const cf_ckks_ciphertext *ct);
int cf_ckks_ciphertext_size(const cf_ckks_ciphertext *ct); /* 2, or 3 before relinearization */

cf_status cf_ckks_encrypt_pk(const cf_ckks_context *ctx, const cf_ckks_public_key *pk,
                             const cf_ckks_plaintext *pt, cf_ckks_ciphertext *out);
cf_status cf_ckks_encrypt_sk(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                             const cf_ckks_plaintext *pt, cf_ckks_ciphertext *out);
cf_status cf_ckks_decrypt(const cf_ckks_context *ctx, const cf_ckks_secret_key *sk,
                          const cf_ckks_ciphertext *ct, cf_ckks_plaintext **out);

/* ------------------------------------------------------------------ */
/* Evaluator. Binary operations need equal levels and scales equal to  */
/* within a relative 2^-20 (the result keeps a's scale).               */
/* ------------------------------------------------------------------ */

cf_status cf_ckks_add(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                      const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out);
cf_status cf_ckks_sub(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                      const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out);
cf_status cf_ckks_negate(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                         cf_ckks_ciphertext *out);
cf_status cf_ckks_add_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                            const cf_ckks_plaintext *p, cf_ckks_ciphertext *out);
cf_status cf_ckks_sub_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                            const cf_ckks_plaintext *p, cf_ckks_ciphertext *out);
/* Result scale = a's scale * p's scale (no rescale). */
cf_status cf_ckks_mul_plain(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                            const cf_ckks_plaintext *p, cf_ckks_ciphertext *out);
/* Multiplies every slot by re + i*im, encoded as round(re*cscale) +
 * round(im*cscale) X^(N/2) (X^(N/2) acts as i on every slot). Result scale =
 * a's scale * cscale. */
cf_status cf_ckks_mul_const(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a, double re,
                            double im, double cscale, cf_ckks_ciphertext *out);
/* Tensor product, size 3 result (scale = product of scales). */
cf_status cf_ckks_mul_norelin(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                              const cf_ckks_ciphertext *b, cf_ckks_ciphertext *out);
cf_status cf_ckks_relinearize(const cf_ckks_context *ctx, const cf_ckks_relin_key *rlk,
                              const cf_ckks_ciphertext *a, cf_ckks_ciphertext *out);
/* Tensor product then relinearization. */
cf_status cf_ckks_mul(const cf_ckks_context *ctx, const cf_ckks_relin_key *rlk,
                      const cf_ckks_ciphertext *a, const cf_ckks_ciphertext *b,
                      cf_ckks_ciphertext *out);
/* Divides by the top prime q_l: level - 1, scale / q_l. */
cf_status cf_ckks_rescale(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a,
                          cf_ckks_ciphertext *out);
/* Drops limbs down to level (scale unchanged). */
cf_status cf_ckks_drop_level(const cf_ckks_context *ctx, const cf_ckks_ciphertext *a, int level,
                             cf_ckks_ciphertext *out);
/* Left rotation: slot i of the result is slot (i + step) mod slots of a. */
cf_status cf_ckks_rotate(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                         const cf_ckks_ciphertext *a, int step, cf_ckks_ciphertext *out);
cf_status cf_ckks_conjugate(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                            const cf_ckks_ciphertext *a, cf_ckks_ciphertext *out);
/* Rotations of one ciphertext by several steps sharing one decomposition
 * (ModUp) of the input; outs[i] receives the rotation by steps[i].
 * Bit-identical to calling cf_ckks_rotate for each step. */
cf_status cf_ckks_rotate_hoisted(const cf_ckks_context *ctx, const cf_ckks_galois_key *gk,
                                 const cf_ckks_ciphertext *a, const int *steps, size_t nsteps,
                                 cf_ckks_ciphertext *const *outs);

#ifdef __cplusplus
}
#endif
#endif
