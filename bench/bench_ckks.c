/*
 * Suite "ckks": the CKKS primitives at the "n16-peer" preset (the OpenFHE
 * configuration of the peer benchmarks: N=2^16, 25 Q limbs, dnum 3), all at
 * the top level with results in a new ciphertext. bench/peers/openfhe_ckks.py
 * times the same operations in OpenFHE under the same case names and
 * bench/compare-ckks prints the ratios. --quick uses the insecure toy set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "bench/bench.h"
#include "cipherflow/ckks.h"

cf_status cf_bench_ckks_run(cf_bench *b);
cf_status cf_bench_ckks_ntt_run(cf_bench *b);

typedef struct ckks_bench {
  cf_ckks_context *ctx;
  cf_ckks_secret_key *sk;
  cf_ckks_public_key *pk;
  cf_ckks_relin_key *rlk;
  cf_ckks_galois_key *gk;
  double *re;
  size_t slots;
  double scale;
  int level, dnum;
  cf_ckks_plaintext *pt;
  cf_ckks_ciphertext *a, *b, *r;
  cf_ckks_ciphertext *outs[8];
  int steps[8];
  cf_status st;
} ckks_bench;

static void note(ckks_bench *s, cf_status st) {
  if (st != CF_OK && s->st == CF_OK) s->st = st;
}

static void do_encode(void *arg) {
  ckks_bench *s = arg;
  cf_ckks_plaintext *pt = NULL;
  note(s, cf_ckks_encode(s->ctx, s->re, NULL, s->slots, s->level, s->scale, &pt));
  cf_ckks_plaintext_destroy(pt);
}
static void do_encrypt(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_encrypt_pk(s->ctx, s->pk, s->pt, s->r));
}
static void do_add(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_add(s->ctx, s->a, s->b, s->r));
}
static void do_mul_plain(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_mul_plain(s->ctx, s->a, s->pt, s->r));
}
static void do_mul_relin(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_mul(s->ctx, s->rlk, s->a, s->b, s->r));
}
static void do_rescale(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_rescale(s->ctx, s->a, s->r));
}
static void do_rotate(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_rotate(s->ctx, s->gk, s->a, 1, s->r));
}
static void do_hoisted(void *arg) {
  ckks_bench *s = arg;
  note(s, cf_ckks_rotate_hoisted(s->ctx, s->gk, s->a, s->steps, 8, s->outs));
}
static void do_rotate8(void *arg) {
  ckks_bench *s = arg;
  for (int i = 0; i < 8; i++)
    note(s, cf_ckks_rotate(s->ctx, s->gk, s->a, s->steps[i], s->outs[i]));
}

static void release(ckks_bench *s) {
  for (int i = 0; i < 8; i++)
    cf_ckks_ciphertext_destroy(s->outs[i]);
  cf_ckks_ciphertext_destroy(s->a);
  cf_ckks_ciphertext_destroy(s->b);
  cf_ckks_ciphertext_destroy(s->r);
  cf_ckks_plaintext_destroy(s->pt);
  cf_ckks_galois_key_destroy(s->gk);
  cf_ckks_relin_key_destroy(s->rlk);
  cf_ckks_public_key_destroy(s->pk);
  cf_ckks_secret_key_destroy(s->sk);
  cf_ckks_context_destroy(s->ctx);
  free(s->re);
}

static cf_status setup(ckks_bench *s, const char *preset, bool insecure) {
  cf_ckks_params *p = NULL;
  CF_TRY(cf_ckks_params_preset(preset, insecure, &p));
  cf_status st = cf_ckks_context_create(p, &s->ctx);
  s->slots = cf_ckks_params_slots(p);
  s->scale = cf_ckks_params_scale(p);
  s->level = cf_ckks_params_max_level(p);
  s->dnum = cf_ckks_params_dnum(p);
  cf_ckks_params_destroy(p);
  CF_TRY(st);
  s->re = malloc(s->slots * sizeof *s->re);
  if (!s->re) return CF_FAIL(CF_ENOMEM, "allocating bench inputs");
  for (size_t i = 0; i < s->slots; i++)
    s->re[i] = (double)((i * 7919) % 2001) / 1000.0 - 1.0;
  for (int i = 0; i < 8; i++)
    s->steps[i] = i + 1;
  CF_TRY(cf_ckks_keygen_secret(s->ctx, &s->sk));
  CF_TRY(cf_ckks_keygen_public(s->ctx, s->sk, &s->pk));
  CF_TRY(cf_ckks_keygen_relin(s->ctx, s->sk, &s->rlk));
  CF_TRY(cf_ckks_keygen_galois(s->ctx, s->sk, s->steps, 8, false, &s->gk));
  CF_TRY(cf_ckks_encode(s->ctx, s->re, NULL, s->slots, s->level, s->scale, &s->pt));
  CF_TRY(cf_ckks_ciphertext_create(s->ctx, &s->a));
  CF_TRY(cf_ckks_ciphertext_create(s->ctx, &s->b));
  CF_TRY(cf_ckks_ciphertext_create(s->ctx, &s->r));
  for (int i = 0; i < 8; i++)
    CF_TRY(cf_ckks_ciphertext_create(s->ctx, &s->outs[i]));
  CF_TRY(cf_ckks_encrypt_pk(s->ctx, s->pk, s->pt, s->a));
  CF_TRY(cf_ckks_encrypt_pk(s->ctx, s->pk, s->pt, s->b));
  return CF_OK;
}

cf_status cf_bench_ckks_run(cf_bench *b) {
  bool quick = cf_bench_quick(b);
  const char *preset = quick ? "toy" : "n16-peer";
  ckks_bench s = {0};
  cf_status st = setup(&s, preset, quick);
  if (st != CF_OK) {
    release(&s);
    return st;
  }
  char params[160];
  snprintf(params, sizeof params,
           "{\"preset\":\"%s\",\"n\":%zu,\"limbs\":%d,\"dnum\":%d,\"threads\":1}", preset,
           2 * s.slots, s.level + 1, s.dnum);
  int reps = cf_bench_reps(b, quick ? 5 : 7);
  cf_bench_time(b, "encode", params, reps, do_encode, &s);
  cf_bench_time(b, "encrypt", params, reps, do_encrypt, &s);
  cf_bench_time(b, "add", params, reps, do_add, &s);
  cf_bench_time(b, "mul_plain", params, reps, do_mul_plain, &s);
  cf_bench_time(b, "mul_relin", params, reps, do_mul_relin, &s);
  cf_bench_time(b, "rescale", params, reps, do_rescale, &s);
  cf_bench_time(b, "rotate", params, reps, do_rotate, &s);
  char params8[192];
  snprintf(params8, sizeof params8, "%.*s,\"k\":8}", (int)strlen(params) - 1, params);
  cf_bench_time(b, "hoisted_rotate", params8, reps, do_hoisted, &s);
  cf_bench_time(b, "rotate_unhoisted", params8, reps, do_rotate8, &s);
  st = s.st;
  release(&s);
  return st == CF_OK ? cf_bench_ckks_ntt_run(b) : st;
}
