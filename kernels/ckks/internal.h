/*
 * Private layout of the CKKS objects, shared by the files of kernels/ckks.
 *
 * Prime indices: 0..L are q_0..q_L, L+1..L+K are p_0..p_{K-1}. A
 * polynomial at level l over Q_l has rows 0..l (row i mod q_i); over Q_l u P
 * ("extended") it has rows 0..l then K rows for p_0..p_{K-1}.
 */
#ifndef CF_KERNELS_CKKS_INTERNAL_H
#define CF_KERNELS_CKKS_INTERNAL_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cipherflow/ckks.h"
#include "kernels/ckks/scratch.h"
#include "kernels/cpu/automorph.h"
#include "kernels/cpu/modarith.h"
#include "kernels/cpu/ntt.h"
#include "kernels/cpu/rns.h"

#define CF_CKKS_NPRIMES_MAX (2 * CF_CKKS_MAX_PRIMES)
#define CF_CKKS_SEED_BYTES  32

struct cf_ckks_params {
  cf_ckks_params_spec spec;
  char name[32];
  size_t n;
  int logn;
  uint64_t primes[CF_CKKS_NPRIMES_MAX]; /* q_0..q_{nq-1}, p_0..p_{np-1} */
  double log2_qp;
  int bound; /* 128-bit bound for n, 0 if unknown */
  bool insecure;
  uint8_t fingerprint[32];
};

/* Tables for one key-switching digit at one level. */
typedef struct cf_ckks_digit {
  int first, count;       /* the digit's Q primes: first..first+count-1 */
  size_t next;            /* extension rows: (l+1-count) + K */
  uint16_t *ext_primes;   /* prime index of each extension row */
  cf_baseconv_table conv; /* digit primes -> extension primes */
} cf_ckks_digit;

/* Tables for one level l. */
typedef struct cf_ckks_level {
  int ndigits;
  cf_ckks_digit *digits;
  cf_moddown_table moddown; /* Q_l u P -> Q_l */
  cf_rescale_table rescale; /* q_0..q_l, drops q_l (l >= 1 only) */
  int has_rescale;
} cf_ckks_level;

struct cf_ckks_context {
  cf_ckks_params params;
  size_t n;
  int logn;
  int L;                 /* max level */
  int K;                 /* special primes */
  int nprimes;           /* L + 1 + K */
  int alpha;             /* Q primes per digit */
  cf_modulus *mods;      /* by prime index */
  cf_ntt_table *ntt;     /* by prime index */
  uint64_t *p_mod_q;     /* P mod q_i, i <= L */
  cf_ckks_level *levels; /* 0..L */
  /* encoder: ksi[k] = exp(2 pi i k / 2N), k in [0, 2N]; rot[j] = 5^j mod 2N */
  double complex *ksi;
  uint64_t *rot;
  double complex *fft_tw;   /* special-FFT twiddles by stage: [lenh + j], lenh < N/2 */
  cf_ckks_scratch *scratch; /* the evaluator's reusable temporaries (the one mutable member) */
};

struct cf_ckks_plaintext {
  int level;
  double scale;
  size_t slots;
  uint64_t *data; /* (level+1) rows, NTT form */
};

struct cf_ckks_ciphertext {
  const cf_ckks_context *ctx;
  int level;
  double scale;
  size_t slots;
  int size;       /* 0 when empty */
  size_t cap;     /* words allocated at data */
  uint64_t *data; /* size polys of (level+1) rows, NTT form */
};

struct cf_ckks_secret_key {
  int8_t *coeffs; /* N signed coefficients */
  uint64_t *s;    /* NTT form over every prime (nprimes rows) */
};

/* A hybrid key-switching key: for digit j, (b_j, a_j) over Q_L u P in NTT
 * form with b_j = -a_j s + e_j + [q_i in digit j] P s'. The a_j come from
 * seed. */
typedef struct cf_ckks_kskey {
  int dnum;
  uint8_t seed[CF_CKKS_SEED_BYTES];
  uint64_t *b; /* dnum * nprimes rows */
  uint64_t *a; /* expanded from seed */
} cf_ckks_kskey;

struct cf_ckks_public_key {
  uint8_t seed[CF_CKKS_SEED_BYTES];
  uint64_t *b; /* L+1 rows */
  uint64_t *a; /* expanded from seed */
};

struct cf_ckks_relin_key {
  cf_ckks_kskey ks;
};

typedef struct cf_ckks_galois_entry {
  uint64_t galois;
  cf_automorph_table table;
  cf_ckks_kskey ks;
} cf_ckks_galois_entry;

struct cf_ckks_galois_key {
  size_t count;
  cf_ckks_galois_entry *entries;
};

static inline size_t cf_ckks_rows_bytes(const cf_ckks_context *ctx, size_t rows) {
  return rows * ctx->n * sizeof(uint64_t);
}

/* Rows of polynomial data on a 64-byte boundary (free with free): the
 * AVX-512 kernels load 64 bytes at a time, and malloc's 16-byte alignment
 * made every such load straddle two cache lines. */
static inline uint64_t *cf_ckks_rows_alloc(const cf_ckks_context *ctx, size_t rows) {
  size_t bytes = cf_ckks_rows_bytes(ctx, rows);
  return aligned_alloc(64, bytes ? (bytes + 63) / 64 * 64 : 64);
}

/* Temporary rows from the context's scratch pool (NULL when out of memory). */
static inline uint64_t *cf_ckks_tmp_rows(const cf_ckks_context *ctx, size_t rows) {
  return cf_ckks_scratch_take(ctx->scratch, rows * ctx->n);
}
static inline void cf_ckks_tmp_free(const cf_ckks_context *ctx, uint64_t *p) {
  cf_ckks_scratch_give(ctx->scratch, p);
}

/* params.c */
cf_status cf_ckks_params_check_spec(const cf_ckks_params_spec *s);
cf_status cf_ckks_params_finish(cf_ckks_params *p, const char *name);
/* Canonical encoding (what the fingerprint hashes). buf may be NULL to get the size. */
size_t cf_ckks_params_encode(const cf_ckks_params *p, uint8_t *buf);

/* sampling.c: everything from libsodium's CSPRNG */
void cf_ckks_sample_ternary(int8_t *out, size_t n);
cf_status cf_ckks_sample_hamming(int8_t *out, size_t n, int h);
/* Centred binomial with eta = 21 (variance 10.5, sigma ~ 3.24). */
void cf_ckks_sample_error(int8_t *out, size_t n);
/* Signed small coefficients -> rows (coefficient form) for the given prime indices. */
void cf_ckks_small_to_rows(const cf_ckks_context *ctx, const int8_t *c, uint64_t *rows,
                           const uint16_t *primes, size_t count);
/* Uniform rows from a seed (ChaCha20, nonce = (stream, prime index)); valid in any form. */
void cf_ckks_expand_uniform(const cf_ckks_context *ctx, const uint8_t seed[32], uint32_t stream,
                            uint64_t *rows, const uint16_t *primes, size_t count);

/* keys.c */
void cf_ckks_kskey_free(cf_ckks_kskey *k);
cf_status cf_ckks_kskey_expand(const cf_ckks_context *ctx, cf_ckks_kskey *k);
cf_status cf_ckks_pk_expand(const cf_ckks_context *ctx, cf_ckks_public_key *pk);
uint64_t cf_ckks_galois_for_step(const cf_ckks_context *ctx, int step);
const cf_ckks_galois_entry *cf_ckks_galois_find(const cf_ckks_galois_key *gk, uint64_t g);

/* ciphertext helpers (ciphertext.c) */
cf_status cf_ckks_ct_alloc(const cf_ckks_context *ctx, cf_ckks_ciphertext *ct, int size, int level);
/*
 * Storage t for a result of (size, level) that goes to out: out's own
 * buffer when out is not one of the inputs and is large enough (no fresh
 * pages), fresh storage otherwise. Finish with cf_ckks_ct_move(out, t), or
 * cf_ckks_ct_abort(out, t) on failure.
 */
cf_status cf_ckks_ct_begin(const cf_ckks_context *ctx, cf_ckks_ciphertext *out, const void *in1,
                           const void *in2, int size, int level, cf_ckks_ciphertext *t);
void cf_ckks_ct_abort(cf_ckks_ciphertext *out, cf_ckks_ciphertext *t);
/* Moves src's contents into dst (dst's old storage is freed unless src uses it). */
void cf_ckks_ct_move(cf_ckks_ciphertext *dst, cf_ckks_ciphertext *src);
cf_status cf_ckks_pt_alloc(const cf_ckks_context *ctx, int level, cf_ckks_plaintext **out);
void cf_ckks_identity_primes(uint16_t *primes, int first, int count);

#endif
