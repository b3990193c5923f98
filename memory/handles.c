#include "memory/handles.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

typedef struct mem_buffer {
  uint32_t nlimbs;
  uint32_t first_seg, nseg;
  uint32_t *limb_seg;          /* limb -> segment index; segments start on cuts */
  starpu_data_handle_t parent; /* CF_MEM_FILTER only */
  starpu_data_handle_t *children;
  uint64_t *block; /* CF_MEM_BLOCKS only: nlimbs x n words from starpu_malloc */
} mem_buffer;

struct cf_mem_registry {
  uint32_t n;
  cf_mem_mode mode;
  size_t nbuffers; /* registered (all of them once registration succeeded) */
  size_t nalloc;   /* buffer records, whose tables are freed */
  mem_buffer *bufs;
  cf_mem_segment *segs;
  uint32_t nsegs;
};

static void mark(uint8_t *cut, const cf_dag_piece *p) {
  cut[p->first_limb] = 1;
  cut[p->first_limb + p->nlimbs] = 1;
}

/* Cut points of every buffer: cuts[base[b] + l] for l in 0..nlimbs. */
static cf_status find_cuts(const cf_dag *dag, const size_t *base, uint8_t *cuts) {
  size_t nbuf = cf_dag_nbuffers(dag);
  for (size_t i = 0, nt = cf_dag_ntasks(dag); i < nt; i++) {
    const cf_dag_task *t = cf_dag_task_at(dag, i);
    if (t->npieces > CF_DAG_MAX_PIECES)
      return CF_FAIL(CF_EINVAL, "task %zu has %u pieces (max %d)", i, t->npieces,
                     CF_DAG_MAX_PIECES);
    for (unsigned k = 0; k < t->npieces; k++) {
      const cf_dag_piece *p = &t->pieces[k];
      if (p->buffer >= nbuf)
        return CF_FAIL(CF_EINVAL, "task %zu piece %u names buffer %u of %zu", i, k, p->buffer,
                       nbuf);
      uint32_t nl = cf_dag_buffer_at(dag, p->buffer)->nlimbs;
      if (p->nlimbs == 0 || (uint32_t)p->first_limb + p->nlimbs > nl)
        return CF_FAIL(CF_EINVAL, "task %zu piece %u: limbs %u+%u outside buffer %u (%u limbs)", i,
                       k, p->first_limb, p->nlimbs, p->buffer, nl);
      mark(cuts + base[p->buffer], p);
    }
  }
  return CF_OK;
}

static cf_status register_buffer(cf_mem_registry *r, mem_buffer *mb, const uint8_t *cut) {
  uint32_t n = r->n;
  cf_mem_segment *seg = r->segs + mb->first_seg;
  uint32_t k = 0, start = 0;
  for (uint32_t l = 1; l <= mb->nlimbs; l++) {
    if (!cut[l]) continue;
    seg[k].first_limb = (uint16_t)start;
    seg[k].nlimbs = (uint16_t)(l - start);
    for (uint32_t j = start; j < l; j++)
      mb->limb_seg[j] = mb->first_seg + k;
    k++, start = l;
  }
  if (r->mode == CF_MEM_SEGMENTS) {
    for (uint32_t s = 0; s < mb->nseg; s++)
      starpu_vector_data_register(&seg[s].handle, -1, 0, (uint32_t)seg[s].nlimbs * n,
                                  sizeof(uint64_t));
    return CF_OK;
  }
  if (r->mode == CF_MEM_BLOCKS) {
    if (starpu_malloc((void **)&mb->block, (size_t)mb->nlimbs * n * sizeof(uint64_t)) != 0) {
      mb->block = NULL;
      return CF_FAIL(CF_ENOMEM, "block of %u limbs", mb->nlimbs);
    }
    for (uint32_t s = 0; s < mb->nseg; s++)
      starpu_vector_data_register(&seg[s].handle, STARPU_MAIN_RAM,
                                  (uintptr_t)(mb->block + (size_t)seg[s].first_limb * n),
                                  (uint32_t)seg[s].nlimbs * n, sizeof(uint64_t));
    return CF_OK;
  }
  uint32_t *sizes = malloc(mb->nseg * sizeof *sizes);
  mb->children = malloc(mb->nseg * sizeof *mb->children);
  if (!sizes || !mb->children) {
    free(sizes);
    return CF_FAIL(CF_ENOMEM, "filter of %u segments", mb->nseg);
  }
  for (uint32_t s = 0; s < mb->nseg; s++)
    sizes[s] = (uint32_t)seg[s].nlimbs * n;
  starpu_vector_data_register(&mb->parent, -1, 0, mb->nlimbs * n, sizeof(uint64_t));
  struct starpu_data_filter f = {
      .filter_func = starpu_vector_filter_list, .nchildren = mb->nseg, .filter_arg_ptr = sizes};
  starpu_data_partition_plan(mb->parent, &f, mb->children);
  starpu_data_partition_submit(mb->parent, mb->nseg, mb->children);
  for (uint32_t s = 0; s < mb->nseg; s++)
    seg[s].handle = mb->children[s];
  free(sizes);
  return CF_OK;
}

cf_status cf_mem_register_dag(const cf_dag *dag, uint32_t n, cf_mem_mode mode,
                              cf_mem_registry **out) {
  if (!dag || !out) return CF_FAIL(CF_EINVAL, "register: NULL argument");
  if (n == 0 || n > (1u << 20))
    return CF_FAIL(CF_EINVAL, "register: ring degree %u out of range", n);
  if (mode != CF_MEM_SEGMENTS && mode != CF_MEM_FILTER && mode != CF_MEM_BLOCKS)
    return CF_FAIL(CF_EINVAL, "register: unknown data mode %d", (int)mode);
  size_t nbuf = cf_dag_nbuffers(dag);
  size_t *base = malloc((nbuf + 1) * sizeof *base);
  if (!base) return CF_FAIL(CF_ENOMEM, "register: %zu buffers", nbuf);
  base[0] = 0;
  for (size_t b = 0; b < nbuf; b++) {
    const cf_dag_buffer *db = cf_dag_buffer_at(dag, b);
    if (db->nlimbs == 0 || db->nlimbs > 65535) {
      free(base);
      return CF_FAIL(CF_EINVAL, "buffer %zu has %u limbs", b, db->nlimbs);
    }
    base[b + 1] = base[b] + db->nlimbs + 1;
  }
  uint8_t *cuts = calloc(base[nbuf] + 1, 1);
  cf_mem_registry *r = calloc(1, sizeof *r);
  if (!cuts || !r) {
    free(base), free(cuts), free(r);
    return CF_FAIL(CF_ENOMEM, "register: cut table");
  }
  r->n = n, r->mode = mode, r->nbuffers = nbuf, r->nalloc = nbuf;
  cf_status st = find_cuts(dag, base, cuts);
  if (st == CF_OK) {
    r->bufs = calloc(nbuf ? nbuf : 1, sizeof *r->bufs);
    if (!r->bufs) st = CF_FAIL(CF_ENOMEM, "register: %zu buffer records", nbuf);
  }
  for (size_t b = 0; st == CF_OK && b < nbuf; b++) {
    uint8_t *c = cuts + base[b];
    mem_buffer *mb = &r->bufs[b];
    mb->nlimbs = cf_dag_buffer_at(dag, b)->nlimbs;
    c[0] = c[mb->nlimbs] = 1; /* unused buffers become one segment */
    mb->first_seg = r->nsegs;
    for (uint32_t l = 1; l <= mb->nlimbs; l++)
      mb->nseg += c[l];
    r->nsegs += mb->nseg;
    mb->limb_seg = malloc(mb->nlimbs * sizeof *mb->limb_seg);
    if (!mb->limb_seg) st = CF_FAIL(CF_ENOMEM, "register: limb table of buffer %zu", b);
  }
  if (st == CF_OK) {
    r->segs = calloc(r->nsegs ? r->nsegs : 1, sizeof *r->segs);
    if (!r->segs) st = CF_FAIL(CF_ENOMEM, "register: %u segments", r->nsegs);
  }
  for (size_t b = 0; st == CF_OK && b < nbuf; b++) {
    st = register_buffer(r, &r->bufs[b], cuts + base[b]);
    if (st != CF_OK) r->nbuffers = b; /* unregister only what was registered */
  }
  free(base), free(cuts);
  if (st != CF_OK) {
    cf_mem_unregister(r);
    return st;
  }
  *out = r;
  return CF_OK;
}

void cf_mem_unregister(cf_mem_registry *r) {
  if (!r) return;
  for (size_t b = 0; b < r->nbuffers && r->bufs && r->segs; b++) {
    mem_buffer *mb = &r->bufs[b];
    if (r->mode == CF_MEM_FILTER && mb->parent) {
      /* Gather node -1: the parent has no home copy to gather into (StarPU
       * 1.3 asserts when partition_clean picks main RAM for home -1 data). */
      starpu_data_unpartition_submit(mb->parent, mb->nseg, mb->children, -1);
      starpu_data_partition_clean(mb->parent, mb->nseg, mb->children);
      starpu_data_unregister_no_coherency(mb->parent);
    } else if (r->mode != CF_MEM_FILTER) {
      for (uint32_t s = 0; s < mb->nseg; s++)
        if (r->segs[mb->first_seg + s].handle)
          starpu_data_unregister_no_coherency(r->segs[mb->first_seg + s].handle);
      if (mb->block) starpu_free(mb->block);
    }
  }
  for (size_t b = 0; r->bufs && b < r->nalloc; b++) {
    free(r->bufs[b].limb_seg);
    free(r->bufs[b].children);
  }
  free(r->bufs);
  free(r->segs);
  free(r);
}

cf_status cf_mem_piece_segments(const cf_mem_registry *r, const cf_dag_piece *p, uint32_t *first,
                                uint32_t *count) {
  if (!r || !p || p->buffer >= r->nbuffers)
    return CF_FAIL(CF_EINVAL, "piece names buffer %u of %zu", p ? p->buffer : 0,
                   r ? r->nbuffers : 0);
  const mem_buffer *mb = &r->bufs[p->buffer];
  if (p->nlimbs == 0 || (uint32_t)p->first_limb + p->nlimbs > mb->nlimbs)
    return CF_FAIL(CF_EINVAL, "piece limbs %u+%u outside buffer %u", p->first_limb, p->nlimbs,
                   p->buffer);
  uint32_t a = mb->limb_seg[p->first_limb], z = mb->limb_seg[p->first_limb + p->nlimbs - 1];
  if (r->segs[a].first_limb != p->first_limb ||
      r->segs[z].first_limb + r->segs[z].nlimbs != p->first_limb + p->nlimbs)
    return CF_FAIL(CF_EINTERNAL, "piece %u+%u of buffer %u does not fall on segment cuts",
                   p->first_limb, p->nlimbs, p->buffer);
  *first = a;
  *count = z - a + 1;
  return CF_OK;
}

const cf_mem_segment *cf_mem_segment_at(const cf_mem_registry *r, uint32_t i) {
  return &r->segs[i];
}
uint32_t cf_mem_nsegments(const cf_mem_registry *r) { return r->nsegs; }
uint32_t cf_mem_ring_degree(const cf_mem_registry *r) { return r->n; }
bool cf_mem_contiguous(const cf_mem_registry *r) { return r && r->mode == CF_MEM_BLOCKS; }

static cf_status transfer(cf_mem_registry *r, uint32_t b, uint64_t *host, bool in) {
  if (!r || !host || b >= r->nbuffers)
    return CF_FAIL(CF_EINVAL, "%s: buffer %u of %zu", in ? "fill" : "read", b, r ? r->nbuffers : 0);
  const mem_buffer *mb = &r->bufs[b];
  for (uint32_t s = 0; s < mb->nseg; s++) {
    const cf_mem_segment *sg = &r->segs[mb->first_seg + s];
    int rc = starpu_data_acquire(sg->handle, in ? STARPU_W : STARPU_R);
    if (rc != 0) return CF_FAIL(CF_ERUNTIME, "acquiring buffer %u segment %u: %d", b, s, rc);
    uint64_t *ptr = (uint64_t *)starpu_vector_get_local_ptr(sg->handle);
    size_t words = (size_t)sg->nlimbs * r->n;
    uint64_t *h = host + (size_t)sg->first_limb * r->n;
    if (in)
      memcpy(ptr, h, words * sizeof *ptr);
    else
      memcpy(h, ptr, words * sizeof *ptr);
    starpu_data_release(sg->handle);
  }
  return CF_OK;
}

cf_status cf_mem_fill(cf_mem_registry *r, uint32_t b, const uint64_t *host) {
  return transfer(r, b, (uint64_t *)host, true);
}

cf_status cf_mem_fill_rows(cf_mem_registry *r, uint32_t b, const uint64_t *const *rows) {
  if (!r || !rows || b >= r->nbuffers)
    return CF_FAIL(CF_EINVAL, "fill: buffer %u of %zu", b, r ? r->nbuffers : 0);
  const mem_buffer *mb = &r->bufs[b];
  for (uint32_t s = 0; s < mb->nseg; s++) {
    const cf_mem_segment *sg = &r->segs[mb->first_seg + s];
    int rc = starpu_data_acquire(sg->handle, STARPU_W);
    if (rc != 0) return CF_FAIL(CF_ERUNTIME, "acquiring buffer %u segment %u: %d", b, s, rc);
    uint64_t *ptr = (uint64_t *)starpu_vector_get_local_ptr(sg->handle);
    for (uint32_t l = 0; l < sg->nlimbs; l++)
      memcpy(ptr + (size_t)l * r->n, rows[sg->first_limb + l], r->n * sizeof *ptr);
    starpu_data_release(sg->handle);
  }
  return CF_OK;
}

cf_status cf_mem_read(cf_mem_registry *r, uint32_t b, uint64_t *host) {
  return transfer(r, b, host, false);
}
