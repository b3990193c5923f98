/* Chunked execution of the steps (see exec.h). */
#include "kernels/ckks/exec.h"

/* b_ = first row of the chunk, c_ = its row count */
#define CHUNKS(count)                                                                              \
  for (size_t b_ = 0, c_ = 0;                                                                      \
       b_ < (count) && ((c_ = (count)-b_ < x->grain ? (count)-b_ : x->grain), 1); b_ += c_)
#define R(p) ((p) + b_ * x->ctx->n)

void cf_ckks_x_ntt(const cf_ckks_exec *x, uint64_t *r, const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_ntt(x->ctx, R(r), pr + b_, c_);
}
void cf_ckks_x_intt(const cf_ckks_exec *x, uint64_t *r, const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_intt(x->ctx, R(r), pr + b_, c_);
}
void cf_ckks_x_add(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                   const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_add(x->ctx, R(o), R(a), R(b), pr + b_, c_);
}
void cf_ckks_x_sub(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                   const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_sub(x->ctx, R(o), R(a), R(b), pr + b_, c_);
}
void cf_ckks_x_neg(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint16_t *pr,
                   size_t count) {
  CHUNKS(count) cf_ckks_step_neg(x->ctx, R(o), R(a), pr + b_, c_);
}
void cf_ckks_x_mul(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                   const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_mul(x->ctx, R(o), R(a), R(b), pr + b_, c_);
}
void cf_ckks_x_mul_acc(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *b,
                       const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_mul_acc(x->ctx, R(o), R(a), R(b), pr + b_, c_);
}
void cf_ckks_x_copy(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, size_t count) {
  CHUNKS(count) cf_ckks_step_copy(x->ctx, R(o), R(a), c_);
}
void cf_ckks_x_mul_const(const cf_ckks_exec *x, uint64_t *o, const uint64_t *a, const uint64_t *c,
                         const uint16_t *pr, size_t count) {
  CHUNKS(count) cf_ckks_step_mul_const(x->ctx, R(o), R(a), c, pr + b_, c_);
}
void cf_ckks_x_automorph(const cf_ckks_exec *x, const cf_automorph_table *t, uint64_t *o,
                         const uint64_t *a, size_t count) {
  CHUNKS(count) cf_ckks_step_automorph(x->ctx, t, R(o), R(a), c_);
}
void cf_ckks_x_ks_inner(const cf_ckks_exec *x, uint64_t *acc0, uint64_t *acc1, const uint64_t *d,
                        const uint64_t *k0, const uint64_t *k1, const uint16_t *pr, size_t count) {
  CHUNKS(count)
  cf_ckks_step_ks_inner(x->ctx, R(acc0), R(acc1), R(d), R(k0), R(k1), pr + b_, c_);
}
void cf_ckks_x_modup(const cf_ckks_exec *x, int level, int digit, uint64_t *ext, const uint64_t *in,
                     size_t nrows) {
  CHUNKS(nrows) cf_ckks_step_modup(x->ctx, level, digit, ext, in, b_, b_ + c_);
}
void cf_ckks_x_moddown(const cf_ckks_exec *x, int level, uint64_t *q, const uint64_t *p,
                       uint64_t *w) {
  size_t rows = (size_t)level + 1;
  CHUNKS(rows) cf_ckks_step_moddown(x->ctx, level, q, p, w, b_, b_ + c_);
}
void cf_ckks_x_rescale(const cf_ckks_exec *x, int level, uint64_t *out, const uint64_t *in,
                       const uint64_t *top, uint64_t *w) {
  size_t rows = (size_t)level;
  CHUNKS(rows) cf_ckks_step_rescale(x->ctx, level, out, in, top, w, b_, b_ + c_);
}
