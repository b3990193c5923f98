#include "memory/handles.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* The memory behind one or more buffers (memory/share.h): a buffer of
 * nlimbs limbs is its store's first nlimbs limbs. */
typedef struct mem_store {
  uint32_t nlimbs; /* the largest buffer's */
  uint32_t first_seg, nseg;
  uint32_t *limb_seg;          /* limb -> segment index; segments start on cuts */
  starpu_data_handle_t parent; /* CF_MEM_FILTER only */
  starpu_data_handle_t *children;
  uint64_t *block; /* CF_MEM_BLOCKS only: nlimbs x n words from starpu_malloc */
} mem_store;

struct cf_mem_registry {
  uint32_t n;
  cf_mem_mode mode;
  size_t nbuffers;
  uint32_t *store_of;             /* per buffer */
  uint32_t *buf_limbs;            /* per buffer */
  uint8_t *shared;                /* per buffer: its store holds other buffers too */
  uint64_t temp_held, temp_alone; /* bytes behind the temporaries (cf_mem_temp_bytes) */
  size_t nstores;                 /* registered (all of them once registration succeeded) */
  size_t nalloc;                  /* store records, whose tables are freed */
  mem_store *stores;
  cf_mem_segment *segs;
  uint32_t nsegs;
};

static void mark(uint8_t *cut, const cf_dag_piece *p) {
  cut[p->first_limb] = 1;
  cut[p->first_limb + p->nlimbs] = 1;
}

/* Cut points of every store: cuts[base[s] + l] for l in 0..nlimbs, the
 * union of the cuts of its buffers' pieces and of its buffers' ends. */
static cf_status find_cuts(const cf_dag *dag, const cf_mem_registry *r, const size_t *base,
                           uint8_t *cuts) {
  size_t nbuf = r->nbuffers;
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
      uint32_t nl = r->buf_limbs[p->buffer];
      if (p->nlimbs == 0 || (uint32_t)p->first_limb + p->nlimbs > nl)
        return CF_FAIL(CF_EINVAL, "task %zu piece %u: limbs %u+%u outside buffer %u (%u limbs)", i,
                       k, p->first_limb, p->nlimbs, p->buffer, nl);
      mark(cuts + base[r->store_of[p->buffer]], p);
    }
  }
  for (size_t b = 0; b < nbuf; b++)
    cuts[base[r->store_of[b]] + r->buf_limbs[b]] = 1;
  return CF_OK;
}

static cf_status register_store(cf_mem_registry *r, mem_store *ms, const uint8_t *cut) {
  uint32_t n = r->n;
  cf_mem_segment *seg = r->segs + ms->first_seg;
  uint32_t k = 0, start = 0;
  for (uint32_t l = 1; l <= ms->nlimbs; l++) {
    if (!cut[l]) continue;
    seg[k].first_limb = (uint16_t)start;
    seg[k].nlimbs = (uint16_t)(l - start);
    for (uint32_t j = start; j < l; j++)
      ms->limb_seg[j] = ms->first_seg + k;
    k++, start = l;
  }
  if (r->mode == CF_MEM_SEGMENTS) {
    for (uint32_t s = 0; s < ms->nseg; s++)
      starpu_vector_data_register(&seg[s].handle, -1, 0, (uint32_t)seg[s].nlimbs * n,
                                  sizeof(uint64_t));
    return CF_OK;
  }
  if (r->mode == CF_MEM_BLOCKS) {
    if (starpu_malloc((void **)&ms->block, (size_t)ms->nlimbs * n * sizeof(uint64_t)) != 0) {
      ms->block = NULL;
      return CF_FAIL(CF_ENOMEM, "block of %u limbs", ms->nlimbs);
    }
    for (uint32_t s = 0; s < ms->nseg; s++)
      starpu_vector_data_register(&seg[s].handle, STARPU_MAIN_RAM,
                                  (uintptr_t)(ms->block + (size_t)seg[s].first_limb * n),
                                  (uint32_t)seg[s].nlimbs * n, sizeof(uint64_t));
    return CF_OK;
  }
  uint32_t *sizes = malloc(ms->nseg * sizeof *sizes);
  ms->children = malloc(ms->nseg * sizeof *ms->children);
  if (!sizes || !ms->children) {
    free(sizes);
    return CF_FAIL(CF_ENOMEM, "filter of %u segments", ms->nseg);
  }
  for (uint32_t s = 0; s < ms->nseg; s++)
    sizes[s] = (uint32_t)seg[s].nlimbs * n;
  starpu_vector_data_register(&ms->parent, -1, 0, ms->nlimbs * n, sizeof(uint64_t));
  struct starpu_data_filter f = {
      .filter_func = starpu_vector_filter_list, .nchildren = ms->nseg, .filter_arg_ptr = sizes};
  starpu_data_partition_plan(ms->parent, &f, ms->children);
  starpu_data_partition_submit(ms->parent, ms->nseg, ms->children);
  for (uint32_t s = 0; s < ms->nseg; s++)
    seg[s].handle = ms->children[s];
  free(sizes);
  return CF_OK;
}

/* The buffer tables: each buffer's store and size; stores sized by their
 * largest buffer. */
static cf_status map_buffers(const cf_dag *dag, const uint32_t *store, cf_mem_registry *r) {
  size_t nbuf = r->nbuffers;
  r->store_of = malloc((nbuf ? nbuf : 1) * sizeof *r->store_of);
  r->buf_limbs = malloc((nbuf ? nbuf : 1) * sizeof *r->buf_limbs);
  r->shared = calloc(nbuf ? nbuf : 1, 1);
  if (!r->store_of || !r->buf_limbs || !r->shared)
    return CF_FAIL(CF_ENOMEM, "register: tables of %zu buffers", nbuf);
  r->nstores = 0;
  for (size_t b = 0; b < nbuf; b++) {
    uint32_t nl = cf_dag_buffer_at(dag, b)->nlimbs;
    if (nl == 0 || nl > 65535) return CF_FAIL(CF_EINVAL, "buffer %zu has %u limbs", b, nl);
    if (store && store[b] >= nbuf)
      return CF_FAIL(CF_EINVAL, "register: buffer %zu in store %u of at most %zu", b, store[b],
                     nbuf);
    r->store_of[b] = store ? store[b] : (uint32_t)b;
    r->buf_limbs[b] = nl;
    if (r->store_of[b] >= r->nstores) r->nstores = r->store_of[b] + 1;
  }
  r->stores = calloc(r->nstores ? r->nstores : 1, sizeof *r->stores);
  uint32_t *users = calloc(r->nstores ? r->nstores : 1, sizeof *users);
  if (!r->stores || !users) {
    free(users);
    return CF_FAIL(CF_ENOMEM, "register: %zu store records", r->nstores);
  }
  r->nalloc = r->nstores;
  for (size_t b = 0; b < nbuf; b++) {
    mem_store *ms = &r->stores[r->store_of[b]];
    if (ms->nlimbs < r->buf_limbs[b]) ms->nlimbs = r->buf_limbs[b];
    users[r->store_of[b]]++;
  }
  for (size_t b = 0; b < nbuf; b++)
    r->shared[b] = users[r->store_of[b]] > 1;
  cf_status st = CF_OK;
  for (size_t s = 0; s < r->nstores && st == CF_OK; s++)
    if (!users[s]) st = CF_FAIL(CF_EINVAL, "register: store %zu holds no buffer", s);
  uint64_t limb = (uint64_t)r->n * sizeof(uint64_t);
  for (size_t b = 0; b < nbuf; b++) {
    uint32_t s = r->store_of[b];
    if (cf_dag_buffer_at(dag, b)->role != CF_BUFFER_TEMP) continue;
    r->temp_alone += r->buf_limbs[b] * limb;
    if (users[s]) r->temp_held += r->stores[s].nlimbs * limb;
    users[s] = 0; /* each store counted once */
  }
  free(users);
  return st;
}

cf_status cf_mem_register_dag(const cf_dag *dag, uint32_t n, cf_mem_mode mode,
                              const uint32_t *store, cf_mem_registry **out) {
  if (!dag || !out) return CF_FAIL(CF_EINVAL, "register: NULL argument");
  if (n == 0 || n > (1u << 20))
    return CF_FAIL(CF_EINVAL, "register: ring degree %u out of range", n);
  if (mode != CF_MEM_SEGMENTS && mode != CF_MEM_FILTER && mode != CF_MEM_BLOCKS)
    return CF_FAIL(CF_EINVAL, "register: unknown data mode %d", (int)mode);
  cf_mem_registry *r = calloc(1, sizeof *r);
  if (!r) return CF_FAIL(CF_ENOMEM, "register: registry");
  r->n = n, r->mode = mode, r->nbuffers = cf_dag_nbuffers(dag);
  cf_status st = map_buffers(dag, store, r);
  size_t ns = r->nstores, *base = NULL;
  uint8_t *cuts = NULL;
  if (st == CF_OK) {
    base = malloc((ns + 1) * sizeof *base);
    if (!base) st = CF_FAIL(CF_ENOMEM, "register: %zu stores", ns);
  }
  if (st == CF_OK) {
    base[0] = 0;
    for (size_t s = 0; s < ns; s++)
      base[s + 1] = base[s] + r->stores[s].nlimbs + 1;
    cuts = calloc(base[ns] + 1, 1);
    if (!cuts) st = CF_FAIL(CF_ENOMEM, "register: cut table");
  }
  if (st == CF_OK) st = find_cuts(dag, r, base, cuts);
  for (size_t s = 0; st == CF_OK && s < ns; s++) {
    uint8_t *c = cuts + base[s];
    mem_store *ms = &r->stores[s];
    c[0] = c[ms->nlimbs] = 1;
    ms->first_seg = r->nsegs;
    for (uint32_t l = 1; l <= ms->nlimbs; l++)
      ms->nseg += c[l];
    r->nsegs += ms->nseg;
    ms->limb_seg = malloc(ms->nlimbs * sizeof *ms->limb_seg);
    if (!ms->limb_seg) st = CF_FAIL(CF_ENOMEM, "register: limb table of store %zu", s);
  }
  if (st == CF_OK) {
    r->segs = calloc(r->nsegs ? r->nsegs : 1, sizeof *r->segs);
    if (!r->segs) st = CF_FAIL(CF_ENOMEM, "register: %u segments", r->nsegs);
  }
  size_t done = 0; /* registered stores: only those are unregistered */
  while (st == CF_OK && done < ns) {
    st = register_store(r, &r->stores[done], cuts + base[done]);
    if (st == CF_OK) done++;
  }
  r->nstores = done;
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
  for (size_t i = 0; i < r->nstores && r->stores && r->segs; i++) {
    mem_store *ms = &r->stores[i];
    if (r->mode == CF_MEM_FILTER && ms->parent) {
      /* Gather node -1: the parent has no home copy to gather into (StarPU
       * 1.3 asserts when partition_clean picks main RAM for home -1 data). */
      starpu_data_unpartition_submit(ms->parent, ms->nseg, ms->children, -1);
      starpu_data_partition_clean(ms->parent, ms->nseg, ms->children);
      starpu_data_unregister_no_coherency(ms->parent);
    } else if (r->mode != CF_MEM_FILTER) {
      for (uint32_t s = 0; s < ms->nseg; s++)
        if (r->segs[ms->first_seg + s].handle)
          starpu_data_unregister_no_coherency(r->segs[ms->first_seg + s].handle);
      if (ms->block) starpu_free(ms->block);
    }
  }
  for (size_t i = 0; r->stores && i < r->nalloc; i++) {
    free(r->stores[i].limb_seg);
    free(r->stores[i].children);
  }
  free(r->stores), free(r->segs);
  free(r->store_of), free(r->buf_limbs), free(r->shared);
  free(r);
}

cf_status cf_mem_piece_segments(const cf_mem_registry *r, const cf_dag_piece *p, uint32_t *first,
                                uint32_t *count) {
  if (!r || !p || p->buffer >= r->nbuffers)
    return CF_FAIL(CF_EINVAL, "piece names buffer %u of %zu", p ? p->buffer : 0,
                   r ? r->nbuffers : 0);
  const mem_store *ms = &r->stores[r->store_of[p->buffer]];
  if (p->nlimbs == 0 || (uint32_t)p->first_limb + p->nlimbs > r->buf_limbs[p->buffer])
    return CF_FAIL(CF_EINVAL, "piece limbs %u+%u outside buffer %u", p->first_limb, p->nlimbs,
                   p->buffer);
  uint32_t a = ms->limb_seg[p->first_limb], z = ms->limb_seg[p->first_limb + p->nlimbs - 1];
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
bool cf_mem_shared(const cf_mem_registry *r, uint32_t b) {
  return r && b < r->nbuffers && r->shared[b];
}

void cf_mem_temp_bytes(const cf_mem_registry *r, uint64_t *held, uint64_t *alone) {
  *held = r->temp_held, *alone = r->temp_alone;
}

/* Each segment of buffer b (its store's segments below its end) acquired in
 * turn; rows[l] is limb l's host memory. */
static cf_status transfer(cf_mem_registry *r, uint32_t b, uint64_t *const *rows, bool in) {
  if (!r || !rows || b >= r->nbuffers)
    return CF_FAIL(CF_EINVAL, "%s: buffer %u of %zu", in ? "fill" : "read", b, r ? r->nbuffers : 0);
  const mem_store *ms = &r->stores[r->store_of[b]];
  for (uint32_t s = 0; s < ms->nseg; s++) {
    const cf_mem_segment *sg = &r->segs[ms->first_seg + s];
    if (sg->first_limb >= r->buf_limbs[b]) break;
    int rc = starpu_data_acquire(sg->handle, in ? STARPU_W : STARPU_R);
    if (rc != 0) return CF_FAIL(CF_ERUNTIME, "acquiring buffer %u segment %u: %d", b, s, rc);
    uint64_t *ptr = (uint64_t *)starpu_vector_get_local_ptr(sg->handle);
    for (uint32_t l = 0; l < sg->nlimbs; l++) {
      uint64_t *dev = ptr + (size_t)l * r->n, *host = rows[sg->first_limb + l];
      memcpy(in ? dev : host, in ? host : dev, r->n * sizeof *ptr);
    }
    starpu_data_release(sg->handle);
  }
  return CF_OK;
}

/* Row pointers into one limb-major host array. */
static cf_status with_rows(cf_mem_registry *r, uint32_t b, uint64_t *host, bool in) {
  if (!r || !host || b >= r->nbuffers)
    return CF_FAIL(CF_EINVAL, "%s: buffer %u of %zu", in ? "fill" : "read", b, r ? r->nbuffers : 0);
  uint64_t **rows = malloc(r->buf_limbs[b] * sizeof *rows);
  if (!rows) return CF_FAIL(CF_ENOMEM, "%s: %u rows", in ? "fill" : "read", r->buf_limbs[b]);
  for (uint32_t l = 0; l < r->buf_limbs[b]; l++)
    rows[l] = host + (size_t)l * r->n;
  cf_status st = transfer(r, b, rows, in);
  free(rows);
  return st;
}

cf_status cf_mem_fill(cf_mem_registry *r, uint32_t b, const uint64_t *host) {
  return with_rows(r, b, (uint64_t *)host, true);
}

cf_status cf_mem_fill_rows(cf_mem_registry *r, uint32_t b, const uint64_t *const *rows) {
  return transfer(r, b, (uint64_t *const *)rows, true);
}

cf_status cf_mem_read(cf_mem_registry *r, uint32_t b, uint64_t *host) {
  if (r && b < r->nbuffers && r->shared[b])
    return CF_FAIL(CF_EINVAL, "read: buffer %u shares its memory with later temporaries", b);
  return with_rows(r, b, host, false);
}
