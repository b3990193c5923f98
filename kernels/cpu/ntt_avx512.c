/*
 * AVX-512 one-limb NTT, eight butterflies per vector, two arithmetics:
 *
 * IFMA (q < 2^50): Shoup multiplication with 52-bit companions
 * w' = floor(w * 2^52 / q). For y < 2^52, Q = floor(y * w' / 2^52) (one
 * vpmadd52huq) gives r = y*w - Q*q in [0, 2q), and r < 2^52 is recovered
 * exactly from its low 52 bits: lo52(y*w) + lo52(Q * (2^52 - q)) mod 2^52
 * (two vpmadd52luq and a mask). Values stay below 4q < 2^52, the same
 * invariants as the portable code: forward in [0, 4q) with u reduced to
 * [0, 2q) before use, inverse in [0, 2q).
 *
 * 64-bit (q < 2^61): Shoup with the 64-bit companions w' = floor(w*2^64/q).
 * The high word of y * w' is estimated from three 32x32 products, dropping
 * the low x low one: S = hh + (hl >> 32) + (lh >> 32) is at most two below
 * floor(y * w' / 2^64), so r = y*w - S*q (two vpmullq, exact mod 2^64) lies
 * in [0, 4q) for any 64-bit y. For q < 2^60 the broadcast twiddles use
 * w'' = floor(w * 2^63 / q) = w' >> 1 instead: with y < 2^63 as well,
 * hl + lh cannot overflow, so S = 2*hh + ((hl + lh) >> 31) saves a shift
 * and an add: S <= y * w'' / 2^63 <= y * w / q, and y * w / q - S < 4
 * (under 1 from rounding w'', under 2 from dropping ll / 2^63, under 1
 * from the floor), so r is in [0, 4q) again. Hence wider lazy ranges
 * with K = 4q: forward values in [0, 8q) with u reduced to [0, 4q), so
 * u + v and u - v + 4q stay in [0, 8q) (< 2^63 when q < 2^60); inverse
 * values in [0, 4q), sums reduced by 4q, differences x - y + 4q < 8q. The
 * IFMA path uses K = 2q in the same code.
 *
 * Layout: the stages whose butterflies span more than BLOCK values run as
 * radix-4 passes (two stages per sweep) over the whole limb; then each
 * BLOCK-value block (resident in L1) runs its remaining stages, again two at
 * a time, and the last three stages (half-sizes 4, 2, 1) run on 16 values
 * held in two registers, regrouped with permutes. The forward fully reduces
 * in its last stage; the inverse folds N^-1 into its last stage like the
 * portable one. Outputs are in [0, q), so bits match the portable variant.
 */
#include "kernels/cpu/ntt.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include "kernels/cpu/ntt_simd.h"

#define TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512ifma,avx2,fma")))
#define INLINE TARGET static inline __attribute__((always_inline))

/* Values per L1-resident block (32 KiB of data). */
#define BLOCK 4096

typedef __m512i V;

/*
 * Arithmetic: M_IFMA for q < 2^50; M_W63 for q < 2^60 (companions scaled
 * to 2^63, needs y < 2^63); M_W64 for q < 2^61.
 */
enum { M_IFMA, M_W63, M_W64 };

typedef struct ctx {
  V q, k, q2, nq52, mask52;
} ctx;

/*
 * One twiddle (broadcast or per lane): w and its companion p; for the
 * 64-bit paths ph = p >> 32 and ph2 = 2 * ph (M_W63).
 */
typedef struct tw {
  V w, p, ph, ph2;
} tw;

INLINE V ld(const uint64_t *p) { return _mm512_loadu_si512((const void *)p); }
INLINE void st(uint64_t *p, V v) { _mm512_storeu_si512((void *)p, v); }

/* x - k when that does not wrap, else x: one conditional subtraction. */
INLINE V csub(V x, V k) { return _mm512_min_epu64(x, _mm512_sub_epi64(x, k)); }

INLINE ctx make_ctx(uint64_t q, int mode) {
  ctx c;
  c.q = _mm512_set1_epi64((long long)q);
  c.q2 = _mm512_set1_epi64((long long)(2 * q));
  c.k = _mm512_set1_epi64((long long)(mode == M_IFMA ? 2 * q : 4 * q));
  c.nq52 = _mm512_set1_epi64((long long)(((uint64_t)1 << 52) - q));
  c.mask52 = _mm512_set1_epi64((long long)(((uint64_t)1 << 52) - 1));
  return c;
}

/* p is the table's companion: 52-bit (M_IFMA) or 64-bit, halved here for M_W63. */
INLINE tw tw_bcast(uint64_t w, uint64_t p, int mode) {
  if (mode == M_W63) p >>= 1;
  tw t;
  t.w = _mm512_set1_epi64((long long)w);
  t.p = _mm512_set1_epi64((long long)p);
  t.ph = _mm512_set1_epi64((long long)(p >> 32));
  t.ph2 = _mm512_set1_epi64((long long)(2 * (p >> 32)));
  return t;
}

/* Per-lane twiddles use the 64-bit companions as they are. */
INLINE int lane_mode(int mode) { return mode == M_W63 ? M_W64 : mode; }

INLINE tw tw_vec(V w, V p, int mode) {
  tw t;
  t.w = w;
  t.p = p;
  t.ph = mode == M_IFMA ? p : _mm512_srli_epi64(p, 32);
  t.ph2 = t.ph;
  return t;
}

/* y * w mod q, lazily: [0, 2q) (IFMA, needs y < 2^52) or [0, 4q) (64-bit, any y). */
INLINE V mulw(V y, tw t, const ctx *c, int mode) {
  if (mode == M_IFMA) {
    V z = _mm512_setzero_si512();
    V qh = _mm512_madd52hi_epu64(z, y, t.p);
    V lo = _mm512_madd52lo_epu64(z, y, t.w);
    return _mm512_and_si512(_mm512_madd52lo_epu64(lo, qh, c->nq52), c->mask52);
  }
  V yh = _mm512_srli_epi64(y, 32);
  V hl = _mm512_mul_epu32(yh, t.p), lh = _mm512_mul_epu32(y, t.ph);
  if (mode == M_W63) {
    /* y, p < 2^63: hl + lh < 2^64, and S = floor(y*p/2^63) - {0..3}. */
    V s = _mm512_add_epi64(_mm512_mul_epu32(yh, t.ph2),
                           _mm512_srli_epi64(_mm512_add_epi64(hl, lh), 31));
    return _mm512_sub_epi64(_mm512_mullo_epi64(y, t.w), _mm512_mullo_epi64(s, c->q));
  }
  V hh = _mm512_mul_epu32(yh, t.ph);
  V s =
      _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(hl, 32), _mm512_srli_epi64(lh, 32)));
  return _mm512_sub_epi64(_mm512_mullo_epi64(y, t.w), _mm512_mullo_epi64(s, c->q));
}

/* [0, 2K) -> [0, q). */
INLINE V full(V x, const ctx *c, int mode) {
  x = csub(x, c->k);
  if (mode != M_IFMA) x = csub(x, c->q2);
  return csub(x, c->q);
}

/* A lazy product ([0, K)) -> [0, q). */
INLINE V full_prod(V x, const ctx *c, int mode) {
  if (mode != M_IFMA) x = csub(x, c->q2);
  return csub(x, c->q);
}

/* Cooley-Tukey: x, y in [0, 2K) -> x + wy, x - wy in [0, 2K). */
INLINE void ct(V *x, V *y, tw t, const ctx *c, int mode) {
  V u = csub(*x, c->k), v = mulw(*y, t, c, mode);
  *x = _mm512_add_epi64(u, v);
  *y = _mm512_sub_epi64(_mm512_add_epi64(u, c->k), v);
}

/* Gentleman-Sande: x, y in [0, K) -> x + y, (x - y) w in [0, K). */
INLINE void gs(V *x, V *y, tw t, const ctx *c, int mode) {
  V s = _mm512_add_epi64(*x, *y), d = _mm512_sub_epi64(_mm512_add_epi64(*x, c->k), *y);
  *x = csub(s, c->k);
  *y = mulw(d, t, c, mode);
}

typedef struct tabs {
  const uint64_t *w, *p; /* twiddles and the companions this path uses */
} tabs;

INLINE tw tw_at(tabs T, size_t k, int mode) { return tw_bcast(T.w[k], T.p[k], mode); }

/* ---- forward ---- */

/* Stage (m, half), groups [i0, i1). */
INLINE void fwd_radix2(uint64_t *a, tabs T, size_t m, size_t half, size_t i0, size_t i1,
                       const ctx *c, int mode) {
  for (size_t i = i0; i < i1; i++) {
    const tw t = tw_at(T, m + i, mode);
    uint64_t *x = a + 2 * i * half, *y = x + half;
    for (size_t j = 0; j < half; j += 8) {
      V u = ld(x + j), v = ld(y + j);
      ct(&u, &v, t, c, mode);
      st(x + j, u);
      st(y + j, v);
    }
  }
}

/* Stages (m, half) and (2m, half/2) in one sweep, groups [i0, i1) of the first; half >= 16. */
INLINE void fwd_radix4(uint64_t *a, tabs T, size_t m, size_t half, size_t i0, size_t i1,
                       const ctx *c, int mode) {
  const size_t h = half / 2;
  for (size_t i = i0; i < i1; i++) {
    const tw t1 = tw_at(T, m + i, mode), t2 = tw_at(T, 2 * m + 2 * i, mode),
             t3 = tw_at(T, 2 * m + 2 * i + 1, mode);
    uint64_t *b = a + 2 * i * half;
    for (size_t j = 0; j < h; j += 8) {
      V x0 = ld(b + j), x1 = ld(b + h + j), x2 = ld(b + 2 * h + j), x3 = ld(b + 3 * h + j);
      ct(&x0, &x2, t1, c, mode);
      ct(&x1, &x3, t1, c, mode);
      ct(&x0, &x1, t2, c, mode);
      ct(&x2, &x3, t3, c, mode);
      st(b + j, x0);
      st(b + h + j, x1);
      st(b + 2 * h + j, x2);
      st(b + 3 * h + j, x3);
    }
  }
}

/* Twiddles of groups g, g+1 spread as [g x4, g+1 x4], and of g..g+3 as [g g g+1 g+1 ...]. */
INLINE V spread2(const uint64_t *p) {
  return _mm512_permutexvar_epi64(_mm512_set_epi64(1, 1, 1, 1, 0, 0, 0, 0),
                                  _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)p)));
}
INLINE V spread4(const uint64_t *p) {
  return _mm512_permutexvar_epi64(_mm512_set_epi64(3, 3, 2, 2, 1, 1, 0, 0),
                                  _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)p)));
}

/*
 * The last three stages (half 4, 2, 1) on a[off, off + len), fully
 * reducing: 16 values in two registers, regrouped by permutes between the
 * stages. One sweep per stage (in L1): a single sweep chaining all three
 * stages is slower, its long dependency chains leave the cores idle.
 */
INLINE void fwd_last3(uint64_t *a, size_t off, size_t len, size_t n, tabs T, const ctx *c,
                      int mode) {
  mode = lane_mode(mode);
  const V i2x = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
  const V i2y = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
  const V ioa = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const V iob = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  const size_t m4 = n / 8, m2 = n / 4, m1 = n / 2;
  /* half 4: X = (a0..a3, a8..a11), Y = (a4..a7, a12..a15); stored as X, Y. */
  for (size_t p = off; p < off + len; p += 16) {
    V A = ld(a + p), B = ld(a + p + 8);
    V X = _mm512_shuffle_i64x2(A, B, 0x44), Y = _mm512_shuffle_i64x2(A, B, 0xEE);
    ct(&X, &Y, tw_vec(spread2(T.w + m4 + p / 8), spread2(T.p + m4 + p / 8), mode), c, mode);
    st(a + p, X);
    st(a + p + 8, Y);
  }
  /* half 2: X = (a0 a1 a4 a5 a8 a9 a12 a13), Y = the rest. */
  for (size_t p = off; p < off + len; p += 16) {
    V X = ld(a + p), Y = ld(a + p + 8);
    V A = _mm512_permutex2var_epi64(X, i2x, Y), B = _mm512_permutex2var_epi64(X, i2y, Y);
    ct(&A, &B, tw_vec(spread4(T.w + m2 + p / 4), spread4(T.p + m2 + p / 4), mode), c, mode);
    st(a + p, A);
    st(a + p + 8, B);
  }
  /* half 1: X = even, Y = odd values; back to natural order. */
  for (size_t p = off; p < off + len; p += 16) {
    V A = ld(a + p), B = ld(a + p + 8);
    V X = _mm512_unpacklo_epi64(A, B), Y = _mm512_unpackhi_epi64(A, B);
    ct(&X, &Y, tw_vec(ld(T.w + m1 + p / 2), ld(T.p + m1 + p / 2), mode), c, mode);
    X = full(X, c, mode);
    Y = full(Y, c, mode);
    st(a + p, _mm512_permutex2var_epi64(X, ioa, Y));
    st(a + p + 8, _mm512_permutex2var_epi64(X, iob, Y));
  }
}

/* Stages with half in [8, block/2] of one block at a + off (groups local to the block). */
INLINE void fwd_block(uint64_t *a, size_t off, size_t blk, size_t n, tabs T, const ctx *c,
                      int mode) {
  size_t half = blk / 2, m = n / blk;
  int stages = __builtin_ctzll(blk) - 3;
  if (stages & 1) {
    fwd_radix2(a, T, m, half, off / (2 * half), (off + blk) / (2 * half), c, mode);
    m <<= 1;
    half >>= 1;
    stages--;
  }
  for (; stages > 0; stages -= 2, m <<= 2, half >>= 2)
    fwd_radix4(a, T, m, half, off / (2 * half), (off + blk) / (2 * half), c, mode);
  fwd_last3(a, off, blk, n, T, c, mode);
}

INLINE void forward(const cf_ntt_table *t, uint64_t *a, tabs T, int mode) {
  const size_t n = t->n;
  const ctx c = make_ctx(t->mod.q, mode);
  const size_t blk = n < BLOCK ? n : BLOCK;
  size_t m = 1, half = n / 2;
  int global = __builtin_ctzll(n / blk);
  if (global & 1) {
    fwd_radix2(a, T, m, half, 0, m, &c, mode);
    m <<= 1;
    half >>= 1;
    global--;
  }
  for (; global > 0; global -= 2, m <<= 2, half >>= 2)
    fwd_radix4(a, T, m, half, 0, m, &c, mode);
  for (size_t off = 0; off < n; off += blk)
    fwd_block(a, off, blk, n, T, &c, mode);
}

/* ---- inverse ---- */

/* The first three inverse stages (half 1, 2, 4), mirroring fwd_last3. */
INLINE void inv_last3(uint64_t *a, size_t off, size_t len, size_t n, tabs T, const ctx *c,
                      int mode) {
  mode = lane_mode(mode);
  const V iev = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
  const V iod = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
  const V i1x = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
  const V i1y = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
  const size_t m4 = n / 8, m2 = n / 4, m1 = n / 2;
  for (size_t p = off; p < off + len; p += 16) {
    V A = ld(a + p), B = ld(a + p + 8);
    V X = _mm512_permutex2var_epi64(A, iev, B), Y = _mm512_permutex2var_epi64(A, iod, B);
    gs(&X, &Y, tw_vec(ld(T.w + m1 + p / 2), ld(T.p + m1 + p / 2), mode), c, mode);
    st(a + p, X);
    st(a + p + 8, Y);
  }
  for (size_t p = off; p < off + len; p += 16) {
    V X = ld(a + p), Y = ld(a + p + 8);
    V A = _mm512_unpacklo_epi64(X, Y), B = _mm512_unpackhi_epi64(X, Y);
    gs(&A, &B, tw_vec(spread4(T.w + m2 + p / 4), spread4(T.p + m2 + p / 4), mode), c, mode);
    st(a + p, A);
    st(a + p + 8, B);
  }
  for (size_t p = off; p < off + len; p += 16) {
    V A = ld(a + p), B = ld(a + p + 8);
    V X = _mm512_permutex2var_epi64(A, i1x, B), Y = _mm512_permutex2var_epi64(A, i1y, B);
    gs(&X, &Y, tw_vec(spread2(T.w + m4 + p / 8), spread2(T.p + m4 + p / 8), mode), c, mode);
    st(a + p, _mm512_shuffle_i64x2(X, Y, 0x44));
    st(a + p + 8, _mm512_shuffle_i64x2(X, Y, 0xEE));
  }
}

INLINE void inv_radix2(uint64_t *a, tabs T, size_t m, size_t half, size_t i0, size_t i1,
                       const ctx *c, int mode) {
  for (size_t i = i0; i < i1; i++) {
    const tw t = tw_at(T, m + i, mode);
    uint64_t *x = a + 2 * i * half, *y = x + half;
    for (size_t j = 0; j < half; j += 8) {
      V u = ld(x + j), v = ld(y + j);
      gs(&u, &v, t, c, mode);
      st(x + j, u);
      st(y + j, v);
    }
  }
}

/*
 * Stages (m, half) and (m/2, 2*half) in one sweep, groups [i0, i1) of the
 * second; when m == 2 the second is the last stage, with N^-1 folded in
 * (tl0 = N^-1, tl1 = N^-1 * inv[1]) and outputs fully reduced.
 */
INLINE void inv_radix4(uint64_t *a, tabs T, size_t m, size_t half, size_t i0, size_t i1, tw tl0,
                       tw tl1, const ctx *c, int mode) {
  for (size_t i = i0; i < i1; i++) {
    const tw t1 = tw_at(T, m + 2 * i, mode), t2 = tw_at(T, m + 2 * i + 1, mode);
    const tw t3 = m == 2 ? tl0 : tw_at(T, m / 2 + i, mode);
    uint64_t *b = a + 4 * i * half;
    for (size_t j = 0; j < half; j += 8) {
      V x0 = ld(b + j), x1 = ld(b + half + j), x2 = ld(b + 2 * half + j), x3 = ld(b + 3 * half + j);
      gs(&x0, &x1, t1, c, mode);
      gs(&x2, &x3, t2, c, mode);
      if (m == 2) {
        V s0 = _mm512_add_epi64(x0, x2), d0 = _mm512_sub_epi64(_mm512_add_epi64(x0, c->k), x2);
        V s1 = _mm512_add_epi64(x1, x3), d1 = _mm512_sub_epi64(_mm512_add_epi64(x1, c->k), x3);
        x0 = full_prod(mulw(s0, tl0, c, mode), c, mode);
        x2 = full_prod(mulw(d0, tl1, c, mode), c, mode);
        x1 = full_prod(mulw(s1, tl0, c, mode), c, mode);
        x3 = full_prod(mulw(d1, tl1, c, mode), c, mode);
      } else {
        gs(&x0, &x2, t3, c, mode);
        gs(&x1, &x3, t3, c, mode);
      }
      st(b + j, x0);
      st(b + half + j, x1);
      st(b + 2 * half + j, x2);
      st(b + 3 * half + j, x3);
    }
  }
}

/* The last stage alone (half = N/2). */
INLINE void inv_final(uint64_t *a, size_t n, tw tl0, tw tl1, const ctx *c, int mode) {
  uint64_t *x = a, *y = a + n / 2;
  for (size_t j = 0; j < n / 2; j += 8) {
    V u = ld(x + j), v = ld(y + j);
    V s = _mm512_add_epi64(u, v), d = _mm512_sub_epi64(_mm512_add_epi64(u, c->k), v);
    st(x + j, full_prod(mulw(s, tl0, c, mode), c, mode));
    st(y + j, full_prod(mulw(d, tl1, c, mode), c, mode));
  }
}

INLINE void inv_block(uint64_t *a, size_t off, size_t blk, size_t n, tabs T, const ctx *c,
                      int mode) {
  inv_last3(a, off, blk, n, T, c, mode);
  /* Regular stages with half in [8, min(blk/2, n/4)]. */
  size_t top = blk < n ? blk / 2 : n / 4;
  size_t half = 8, m = n / 16;
  tw none = {0};
  while (half <= top) {
    if (2 * half <= top) {
      inv_radix4(a, T, m, half, off / (4 * half), (off + blk) / (4 * half), none, none, c, mode);
      half <<= 2;
      m >>= 2;
    } else {
      inv_radix2(a, T, m, half, off / (2 * half), (off + blk) / (2 * half), c, mode);
      half <<= 1;
      m >>= 1;
    }
  }
}

INLINE void inverse(const cf_ntt_table *t, uint64_t *a, tabs T, uint64_t ni_p, uint64_t li_p,
                    int mode) {
  const size_t n = t->n;
  const ctx c = make_ctx(t->mod.q, mode);
  const size_t blk = n < BLOCK ? n : BLOCK;
  for (size_t off = 0; off < n; off += blk)
    inv_block(a, off, blk, n, T, &c, mode);
  const tw tl0 = tw_bcast(t->n_inv, ni_p, mode), tl1 = tw_bcast(t->last_inv, li_p, mode);
  /* Remaining stages: half from blk (or n/2 when one block) to n/2, the last folded. */
  size_t half = blk < n ? blk : n / 2, m = n / (2 * half);
  int left = __builtin_ctzll(n / half);
  if (left == 1) {
    inv_final(a, n, tl0, tl1, &c, mode);
    return;
  }
  if (left & 1) {
    inv_radix2(a, T, m, half, 0, m, &c, mode);
    half <<= 1;
    m >>= 1;
  }
  for (; m >= 2; half <<= 2, m >>= 2)
    inv_radix4(a, T, m, half, 0, m / 2, tl0, tl1, &c, mode);
}

/* ---- entry points ---- */

TARGET static void forward_ifma(const cf_ntt_table *t, uint64_t *a) {
  forward(t, a, (tabs){t->fwd, t->fwd_sh52}, M_IFMA);
}
TARGET static void forward_w63(const cf_ntt_table *t, uint64_t *a) {
  forward(t, a, (tabs){t->fwd, t->fwd_sh}, M_W63);
}
TARGET static void forward_w64(const cf_ntt_table *t, uint64_t *a) {
  forward(t, a, (tabs){t->fwd, t->fwd_sh}, M_W64);
}
TARGET static void inverse_ifma(const cf_ntt_table *t, uint64_t *a) {
  inverse(t, a, (tabs){t->inv, t->inv_sh52}, t->n_inv_sh52, t->last_inv_sh52, M_IFMA);
}
TARGET static void inverse_w63(const cf_ntt_table *t, uint64_t *a) {
  inverse(t, a, (tabs){t->inv, t->inv_sh}, t->n_inv_sh, t->last_inv_sh, M_W63);
}
TARGET static void inverse_w64(const cf_ntt_table *t, uint64_t *a) {
  inverse(t, a, (tabs){t->inv, t->inv_sh}, t->n_inv_sh, t->last_inv_sh, M_W64);
}

void cf_ntt_forward_avx512(const cf_ntt_table *t, uint64_t *a) {
  if (t->n < 16)
    cf_ntt_forward_portable(t, a);
  else if (t->fwd_sh52)
    forward_ifma(t, a);
  else if (t->mod.bits <= 60)
    forward_w63(t, a);
  else
    forward_w64(t, a);
}

void cf_ntt_inverse_avx512(const cf_ntt_table *t, uint64_t *a) {
  if (t->n < 16)
    cf_ntt_inverse_portable(t, a);
  else if (t->fwd_sh52)
    inverse_ifma(t, a);
  else if (t->mod.bits <= 60)
    inverse_w63(t, a);
  else
    inverse_w64(t, a);
}

#else
typedef int cf_ntt_avx512_unused; /* not an x86-64 GNU compiler: no AVX-512 variant */
#endif
