/*
 * The CKKS encoder: the canonical embedding restricted to the slots
 * zeta^(5^j) (zeta = exp(2 pi i / 2N)), computed with the "special FFT"
 * over the rotation group <5> mod 2N. With s slots (a power of two <= N/2)
 * and gap = N / (2s), a vector z is encoded as
 *   m = sum_i round(Re w_i * scale) X^(i*gap) + round(Im w_i * scale) X^(N/2 + i*gap)
 * where w = special-inverse-FFT(z), so that m(zeta^(5^j)) ~ scale * z_j.
 * Sparse vectors are thereby replicated N/(2s) times across the full slots.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "kernels/ckks/internal.h"

static void bit_reverse(double complex *v, size_t n) {
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1)
      j ^= bit;
    j ^= bit;
    if (i < j) {
      double complex t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
  }
}

/*
 * The butterflies below spell out the complex products: C's `*` on
 * double complex checks for NaN and may call __muldc3, which doubled the
 * transform's time. ctx->fft_tw[lenh + j] is the stage-(2 lenh) twiddle
 * ksi[(5^j mod 8 lenh) * 2N / (8 lenh)]; the inverse uses its conjugate.
 */
static inline double complex cmul(double complex a, double ar, double ai) {
  double x = creal(a), y = cimag(a);
  return (x * ar - y * ai) + I * (x * ai + y * ar);
}

/* Evaluates at the slots: v[j] <- sum_k v_k-packing at zeta^(5^j). */
static void fft_special(const cf_ckks_context *ctx, double complex *v, size_t size) {
  bit_reverse(v, size);
  for (size_t len = 2; len <= size; len <<= 1) {
    size_t lenh = len >> 1;
    const double complex *tw = ctx->fft_tw + lenh;
    for (size_t i = 0; i < size; i += len) {
      for (size_t j = 0; j < lenh; j++) {
        double complex u = v[i + j];
        double complex w = cmul(v[i + j + lenh], creal(tw[j]), cimag(tw[j]));
        v[i + j] = u + w;
        v[i + j + lenh] = u - w;
      }
    }
  }
}

static void fft_special_inv(const cf_ckks_context *ctx, double complex *v, size_t size) {
  for (size_t len = size; len >= 2; len >>= 1) {
    size_t lenh = len >> 1;
    const double complex *tw = ctx->fft_tw + lenh;
    for (size_t i = 0; i < size; i += len) {
      for (size_t j = 0; j < lenh; j++) {
        double complex u = v[i + j] + v[i + j + lenh];
        double complex w = cmul(v[i + j] - v[i + j + lenh], creal(tw[j]), -cimag(tw[j]));
        v[i + j] = u;
        v[i + j + lenh] = w;
      }
    }
  }
  bit_reverse(v, size);
  double inv = 1.0 / (double)size; /* size is a power of two: exact */
  for (size_t i = 0; i < size; i++)
    v[i] *= inv;
}

cf_status cf_ckks_pt_alloc(const cf_ckks_context *ctx, int level, cf_ckks_plaintext **out) {
  cf_ckks_plaintext *pt = calloc(1, sizeof *pt);
  /* Not zeroed: encode, decrypt and load write every row. */
  if (pt) pt->data = cf_ckks_rows_alloc(ctx, (size_t)level + 1);
  if (!pt || !pt->data) {
    if (pt) free(pt);
    return CF_FAIL(CF_ENOMEM, "allocating a plaintext of %d limbs", level + 1);
  }
  pt->level = level;
  *out = pt;
  return CF_OK;
}

static uint64_t signed_mod(int64_t c, const cf_modulus *m) {
  if (c >= 0) return cf_reduce64((uint64_t)c, m);
  uint64_t r = cf_reduce64((uint64_t)(-(c + 1)) + 1, m);
  return r ? m->q - r : 0;
}

cf_status cf_ckks_encode(const cf_ckks_context *ctx, const double *re, const double *im,
                         size_t slots, int level, double scale, cf_ckks_plaintext **out) {
  if (!out) return CF_FAIL(CF_EINVAL, "cf_ckks_encode: out is NULL");
  *out = NULL;
  if (!ctx || !re) return CF_FAIL(CF_EINVAL, "cf_ckks_encode: ctx or values NULL");
  if (slots == 0 || (slots & (slots - 1)) || slots > ctx->n / 2)
    return CF_FAIL(CF_EINVAL, "slot count %zu is not a power of two in [1, N/2 = %zu]", slots,
                   ctx->n / 2);
  if (level < 0 || level > ctx->L)
    return CF_FAIL(CF_ELEVEL, "level %d outside [0, %d]", level, ctx->L);
  if (!(scale >= 1.0 && scale < 0x1p62))
    return CF_FAIL(CF_ESCALE, "scale %g outside [1, 2^62)", scale);
  size_t n = ctx->n, gap = n / (2 * slots);
  double complex *v = malloc(slots * sizeof *v);
  int64_t *coef = calloc(n, sizeof *coef);
  if (!v || !coef) {
    free(v);
    free(coef);
    return CF_FAIL(CF_ENOMEM, "allocating encoder buffers for N=%zu", n);
  }
  for (size_t i = 0; i < slots; i++) {
    double b = im ? im[i] : 0.0;
    if (!isfinite(re[i]) || !isfinite(b)) {
      free(v);
      free(coef);
      return CF_FAIL(CF_EINVAL, "slot %zu is not a finite number", i);
    }
    v[i] = re[i] + I * b;
  }
  fft_special_inv(ctx, v, slots);
  uint64_t cmax = 0; /* largest |coefficient| */
  for (size_t i = 0; i < slots; i++) {
    double a = round(creal(v[i]) * scale), b = round(cimag(v[i]) * scale);
    if (fabs(a) >= 0x1p62 || fabs(b) >= 0x1p62) {
      free(v);
      free(coef);
      return CF_FAIL(CF_ESCALE, "encoded coefficient %g exceeds 2^62 (scale %g too large)",
                     fabs(a) > fabs(b) ? a : b, scale);
    }
    coef[i * gap] = (int64_t)a;
    coef[n / 2 + i * gap] = (int64_t)b;
    double big = fmax(fabs(a), fabs(b));
    cmax = big > (double)cmax ? (uint64_t)big : cmax;
  }
  free(v);
  cf_ckks_plaintext *pt;
  cf_status st = cf_ckks_pt_alloc(ctx, level, &pt);
  if (st != CF_OK) {
    free(coef);
    return st;
  }
  for (int r = 0; r <= level; r++) {
    uint64_t *row = pt->data + (size_t)r * n;
    const cf_modulus *m = &ctx->mods[r];
    if (cmax < m->q) { /* the usual case: one select per coefficient, vectorised */
      for (size_t k = 0; k < n; k++)
        row[k] = (uint64_t)coef[k] + (coef[k] < 0 ? m->q : 0);
    } else {
      for (size_t k = 0; k < n; k++)
        row[k] = signed_mod(coef[k], m);
    }
    cf_ntt_forward(&ctx->ntt[r], row);
  }
  free(coef);
  pt->scale = scale;
  pt->slots = slots;
  *out = pt;
  return CF_OK;
}

static int64_t centred(uint64_t x, uint64_t q) {
  return x > q / 2 ? -(int64_t)(q - x) : (int64_t)x;
}

/*
 * Decoding reconstructs the centred coefficients from the first k limbs by
 * Garner's algorithm with balanced mixed-radix digits (a small value has
 * zero high digits, so the Horner sum in long double is exact enough). k is
 * the fewest limbs with at least log2(scale) + 60 bits, which covers any
 * slot value below 2^59 in magnitude.
 */
cf_status cf_ckks_decode(const cf_ckks_context *ctx, const cf_ckks_plaintext *pt, double *re,
                         double *im) {
  if (!ctx || !pt || !re) return CF_FAIL(CF_EINVAL, "cf_ckks_decode: NULL argument");
  size_t n = ctx->n, slots = pt->slots, gap = n / (2 * slots);
  int k = 0;
  double bits = 0, need = log2(pt->scale) + 60;
  while (k <= pt->level && bits < need)
    bits += log2((double)ctx->params.primes[k++]);
  uint64_t *rows = malloc((size_t)k * n * sizeof *rows);
  double complex *v = malloc(slots * sizeof *v);
  if (!rows || !v) {
    free(rows);
    free(v);
    return CF_FAIL(CF_ENOMEM, "allocating decoder buffers");
  }
  memcpy(rows, pt->data, (size_t)k * n * sizeof *rows);
  for (int r = 0; r < k; r++)
    cf_ntt_inverse(&ctx->ntt[r], rows + (size_t)r * n);
  /* inv_prod[j] = (q_0 ... q_{j-1})^-1 mod q_j */
  uint64_t inv_prod[CF_CKKS_NPRIMES_MAX];
  for (int j = 1; j < k; j++) {
    uint64_t p = 1;
    for (int i = 0; i < j; i++)
      p = cf_mul_mod(p, cf_reduce64(ctx->params.primes[i], &ctx->mods[j]), &ctx->mods[j]);
    if (!cf_inv_mod(p, ctx->params.primes[j], &inv_prod[j])) inv_prod[j] = 0;
  }
  double scale = pt->scale;
  for (size_t s = 0; s < slots; s++) {
    double part[2];
    for (int h = 0; h < 2; h++) {
      size_t idx = h * (n / 2) + s * gap;
      int64_t dig[CF_CKKS_NPRIMES_MAX];
      for (int j = 0; j < k; j++) {
        const cf_modulus *m = &ctx->mods[j];
        uint64_t acc = 0;
        for (int i = j - 1; i >= 0; i--)
          acc = cf_add_mod(cf_mul_mod(acc, cf_reduce64(ctx->params.primes[i], m), m),
                           signed_mod(dig[i], m), m->q);
        uint64_t x = rows[(size_t)j * n + idx];
        uint64_t t = j == 0 ? x : cf_mul_mod(cf_sub_mod(x, acc, m->q), inv_prod[j], m);
        dig[j] = centred(t, m->q);
      }
      long double val = 0;
      for (int j = k - 1; j >= 0; j--)
        val = val * (long double)ctx->params.primes[j] + (long double)dig[j];
      part[h] = (double)(val / (long double)scale);
    }
    v[s] = part[0] + I * part[1];
  }
  free(rows);
  fft_special(ctx, v, slots);
  for (size_t s = 0; s < slots; s++) {
    re[s] = creal(v[s]);
    if (im) im[s] = cimag(v[s]);
  }
  free(v);
  return CF_OK;
}

void cf_ckks_plaintext_destroy(cf_ckks_plaintext *pt) {
  if (!pt) return;
  free(pt->data);
  free(pt);
}
int cf_ckks_plaintext_level(const cf_ckks_plaintext *pt) { return pt ? pt->level : -1; }
double cf_ckks_plaintext_scale(const cf_ckks_plaintext *pt) { return pt ? pt->scale : 0; }
size_t cf_ckks_plaintext_slots(const cf_ckks_plaintext *pt) { return pt ? pt->slots : 0; }
