/* CKKS parameter sets: presets, user sets, prime generation, the security check. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"
#include "kernels/cpu/primes.h"

/*
 * 128-bit classical bounds on log2(QP) for a uniform ternary secret: the HE
 * standard (homomorphicencryption.org, v1.1) up to N = 2^15, and the
 * current OpenFHE table (lattice/stdlatticeparms) for 2^16 and 2^17. Older
 * OpenFHE releases listed 1772 for 2^16; the newer, smaller figure is used.
 */
int cf_ckks_security_bound_128(size_t n) {
  switch (n) {
  case 1024: return 27;
  case 2048: return 54;
  case 4096: return 109;
  case 8192: return 218;
  case 16384: return 438;
  case 32768: return 881;
  case 65536: return 1747;
  case 131072: return 3523;
  default: return 0;
  }
}

typedef struct preset {
  const char *name;
  int log_n;
  int q0_bits, q_bits, nq;
  int p_bits, np;
  int dnum;
  double log_scale;
} preset;

/* Level budgets are documented in docs/ckks.md. */
static const preset presets[] = {
    {"toy", 11, 50, 40, 4, 50, 2, 2, 40},       /* 320 bits at N=2^11: insecure */
    {"n14", 14, 50, 40, 7, 45, 3, 3, 40},       /* ~425 <= 438 */
    {"n15", 15, 56, 46, 13, 60, 4, 3, 46},      /* ~848 <= 881 */
    {"n16", 16, 50, 40, 40, 45, 3, 14, 40},     /* ~1745 <= 1747, 39 levels */
    {"n16-peer", 16, 60, 50, 25, 60, 8, 3, 50}, /* ~1740 <= 1747, the OpenFHE peer setup */
};

static const char *const preset_names[] = {"toy", "n14", "n15", "n16", "n16-peer", NULL};

const char *const *cf_ckks_preset_names(void) { return preset_names; }

cf_status cf_ckks_params_preset(const char *name, bool allow_insecure, cf_ckks_params **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_params_preset: out is NULL");
  *out = NULL;
  if (!name) return CF_FAIL(CF_EINVAL, "cf_ckks_params_preset: name is NULL");
  for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
    const preset *ps = &presets[i];
    if (strcmp(ps->name, name) != 0) continue;
    cf_ckks_params_spec s;
    memset(&s, 0, sizeof s);
    s.log_n = ps->log_n;
    s.nq = ps->nq;
    s.q_bits[0] = ps->q0_bits;
    for (int j = 1; j < ps->nq; j++)
      s.q_bits[j] = ps->q_bits;
    s.np = ps->np;
    for (int j = 0; j < ps->np; j++)
      s.p_bits[j] = ps->p_bits;
    s.dnum = ps->dnum;
    s.log_scale = ps->log_scale;
    s.secret = CF_CKKS_SECRET_TERNARY;
    s.allow_insecure = allow_insecure;
    cf_status st = cf_ckks_params_create(&s, out);
    if (st == CF_OK) snprintf((*out)->name, sizeof(*out)->name, "%s", name);
    return st;
  }
  return CF_FAIL(CF_ENOTFOUND, "unknown CKKS preset '%s' (known: toy, n14, n15, n16, n16-peer)",
                 name);
}

cf_status cf_ckks_params_check_spec(const cf_ckks_params_spec *s) {
  if (s->log_n < 10 || s->log_n > CF_NTT_MAX_LOGN)
    return CF_FAIL(CF_EINVAL, "log_n = %d outside [10, %d]", s->log_n, CF_NTT_MAX_LOGN);
  if (s->nq < 1 || s->nq > CF_CKKS_MAX_PRIMES)
    return CF_FAIL(CF_EINVAL, "nq = %d outside [1, %d]", s->nq, CF_CKKS_MAX_PRIMES);
  if (s->np < 1 || s->np > CF_CKKS_MAX_PRIMES)
    return CF_FAIL(CF_EINVAL, "np = %d outside [1, %d] (key switching needs special primes)", s->np,
                   CF_CKKS_MAX_PRIMES);
  int minbits = s->log_n + 4 > 20 ? s->log_n + 4 : 20;
  for (int i = 0; i < s->nq + s->np; i++) {
    int b = i < s->nq ? s->q_bits[i] : s->p_bits[i - s->nq];
    if (b < minbits || b > 60)
      return CF_FAIL(CF_EINVAL, "%s prime %d has %d bits, outside [%d, 60]", i < s->nq ? "Q" : "P",
                     i < s->nq ? i : i - s->nq, b, minbits);
  }
  if (s->dnum < 1 || s->dnum > s->nq)
    return CF_FAIL(CF_EINVAL, "dnum = %d outside [1, nq = %d]", s->dnum, s->nq);
  if (!(s->log_scale >= 1.0 && s->log_scale <= 60.0))
    return CF_FAIL(CF_ESCALE, "log_scale = %g outside [1, 60]", s->log_scale);
  if (s->secret != CF_CKKS_SECRET_TERNARY && s->secret != CF_CKKS_SECRET_HAMMING)
    return CF_FAIL(CF_EINVAL, "unknown secret distribution %d", (int)s->secret);
  if (s->secret == CF_CKKS_SECRET_HAMMING &&
      (s->hamming_weight < 1 || s->hamming_weight > (1 << s->log_n)))
    return CF_FAIL(CF_EINVAL, "hamming weight %d outside [1, N = %d]", s->hamming_weight,
                   1 << s->log_n);
  return CF_OK;
}

cf_status cf_ckks_params_create(const cf_ckks_params_spec *spec, cf_ckks_params **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_params_create: out is NULL");
  *out = NULL;
  if (!spec) return CF_FAIL(CF_EINVAL, "cf_ckks_params_create: spec is NULL");
  CF_TRY(cf_ckks_params_check_spec(spec));
  cf_ckks_params *p = calloc(1, sizeof *p);
  if (!p) return CF_FAIL(CF_ENOMEM, "allocating CKKS parameters");
  p->spec = *spec;
  if (spec->secret == CF_CKKS_SECRET_TERNARY) p->spec.hamming_weight = 0;
  p->logn = spec->log_n;
  p->n = (size_t)1 << spec->log_n;
  /* Primes of each size, largest first, all distinct across Q and P. */
  int total = spec->nq + spec->np;
  for (int i = 0; i < total; i++) {
    int b = i < spec->nq ? spec->q_bits[i] : spec->p_bits[i - spec->nq];
    cf_status st =
        cf_primes_generate(b, p->n, 1, CF_PRIMES_DESCENDING, p->primes, (size_t)i, &p->primes[i]);
    if (st != CF_OK) {
      size_t two_n = 2 * p->n;
      free(p);
      return CF_FAIL(st, "no %d-bit prime = 1 mod %zu left for prime %d", b, two_n, i);
    }
  }
  cf_status st = cf_ckks_params_finish(p, "custom");
  if (st != CF_OK) {
    free(p);
    return st;
  }
  *out = p;
  return CF_OK;
}

static void put_u64(uint8_t *b, uint64_t v) {
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
}

size_t cf_ckks_params_encode(const cf_ckks_params *p, uint8_t *buf) {
  const cf_ckks_params_spec *s = &p->spec;
  size_t len = 32 + 8 * (size_t)(s->nq + s->np);
  if (!buf) return len;
  memcpy(buf, "CFCKPRM1", 8);
  buf[8] = (uint8_t)s->log_n;
  buf[9] = (uint8_t)s->nq;
  buf[10] = (uint8_t)s->np;
  buf[11] = (uint8_t)s->dnum;
  buf[12] = (uint8_t)s->secret;
  buf[13] = buf[14] = buf[15] = 0;
  put_u64(buf + 16, (uint64_t)(uint32_t)s->hamming_weight);
  uint64_t scale_bits;
  memcpy(&scale_bits, &s->log_scale, 8);
  put_u64(buf + 24, scale_bits);
  for (int i = 0; i < s->nq + s->np; i++)
    put_u64(buf + 32 + 8 * (size_t)i, p->primes[i]);
  return len;
}

/* Security check and fingerprint, shared by creation and deserialization
 * (which supplies the primes itself). */
cf_status cf_ckks_params_finish(cf_ckks_params *p, const char *name) {
  const cf_ckks_params_spec *s = &p->spec;
  if (p->name[0] == 0) snprintf(p->name, sizeof p->name, "%s", name);
  double bits = 0;
  for (int i = 0; i < s->nq + s->np; i++)
    bits += log2((double)p->primes[i]);
  p->log2_qp = bits;
  p->bound = cf_ckks_security_bound_128(p->n);
  p->insecure = p->bound == 0 || bits > (double)p->bound;
  if (p->insecure && !s->allow_insecure) {
    if (p->bound == 0)
      return CF_FAIL(CF_EINSECURE, "no 128-bit bound known for N=%zu; set allow_insecure", p->n);
    return CF_FAIL(CF_EINSECURE,
                   "log2(QP) = %.1f exceeds the HE-standard 128-bit bound %d for N=%zu "
                   "(set allow_insecure for test parameters)",
                   bits, p->bound, p->n);
  }
  uint8_t enc[32 + 8 * CF_CKKS_NPRIMES_MAX];
  size_t len = cf_ckks_params_encode(p, enc);
  crypto_generichash(p->fingerprint, sizeof p->fingerprint, enc, len, NULL, 0);
  return CF_OK;
}

void cf_ckks_params_destroy(cf_ckks_params *p) { free(p); }

size_t cf_ckks_params_n(const cf_ckks_params *p) { return p ? p->n : 0; }
size_t cf_ckks_params_slots(const cf_ckks_params *p) { return p ? p->n / 2 : 0; }
int cf_ckks_params_max_level(const cf_ckks_params *p) { return p ? p->spec.nq - 1 : -1; }
int cf_ckks_params_nq(const cf_ckks_params *p) { return p ? p->spec.nq : 0; }
int cf_ckks_params_np(const cf_ckks_params *p) { return p ? p->spec.np : 0; }
int cf_ckks_params_dnum(const cf_ckks_params *p) { return p ? p->spec.dnum : 0; }
double cf_ckks_params_log_scale(const cf_ckks_params *p) { return p ? p->spec.log_scale : 0; }
double cf_ckks_params_scale(const cf_ckks_params *p) { return p ? exp2(p->spec.log_scale) : 0; }
double cf_ckks_params_log2_qp(const cf_ckks_params *p) { return p ? p->log2_qp : 0; }
bool cf_ckks_params_insecure(const cf_ckks_params *p) { return p ? p->insecure : true; }
cf_ckks_secret_dist cf_ckks_params_secret(const cf_ckks_params *p, int *hamming_weight) {
  if (hamming_weight) *hamming_weight = p ? p->spec.hamming_weight : 0;
  return p ? p->spec.secret : CF_CKKS_SECRET_TERNARY;
}
uint64_t cf_ckks_params_prime(const cf_ckks_params *p, int i) {
  if (!p || i < 0 || i >= p->spec.nq + p->spec.np) return 0;
  return p->primes[i];
}
const uint8_t *cf_ckks_params_fingerprint(const cf_ckks_params *p) {
  return p ? p->fingerprint : NULL;
}
