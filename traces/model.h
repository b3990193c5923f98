/*
 * The recorder's storage and the sorted, flat view (snapshot) that export,
 * summary and the viewers read.
 */
#ifndef CF_TRACES_MODEL_H
#define CF_TRACES_MODEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cipherflow/trace.h"

enum { CF_TR_CHUNK_SHIFT = 12, CF_TR_CHUNK = 1 << CF_TR_CHUNK_SHIFT };

typedef enum cf_tr_kind {
  CF_TR_TASK = 1,
  CF_TR_TRANSFER,
  CF_TR_MEMORY,
  CF_TR_EVICTION,
  CF_TR_SCHED,
} cf_tr_kind;

/* One recorded event; fields are read according to kind. */
typedef struct cf_tr_event {
  atomic_uchar ready; /* set last (release): the exporter skips unset slots */
  uint8_t kind;
  int32_t a, b; /* task: worker, limb_begin; transfer/eviction: src, dst; memory: node */
  int32_t c, d; /* task: limb_end, level; sched: worker */
  uint32_t ndeps;
  uint64_t id; /* task id; sched: task id */
  uint64_t t0, t1;
  uint64_t u;         /* transfer/eviction/memory: bytes */
  int64_t node;       /* task: HE node id */
  uint64_t dep_first; /* index of the first dependency in the dependency store */
  const char *name;   /* task: kernel; sched: reason */
  const char *op;
} cf_tr_event;

/* An append-only store: slots are claimed with one atomic add; chunks are
 * allocated on first touch and installed with compare-and-swap. */
typedef struct cf_tr_store {
  size_t elem_size;
  uint64_t cap;
  size_t nchunks;
  _Atomic(void *) *chunks;
  atomic_uint_fast64_t next;
} cf_tr_store;

typedef struct cf_tr_worker {
  bool used;
  char *name;
  cf_trace_worker_kind kind;
  int memnode;
} cf_tr_worker;

typedef struct cf_tr_meta {
  char *key, *value;
} cf_tr_meta;

struct cf_trace {
  uint64_t serial;    /* unique per trace in this process, for per-thread slot blocks */
  cf_tr_store events; /* cf_tr_event */
  cf_tr_store deps;   /* uint64_t */
  atomic_uint_fast64_t dropped;
  atomic_uint_fast64_t dropped_deps;
  cf_tr_worker workers[CF_TRACE_MAX_WORKERS];
  char *memnodes[CF_TRACE_MAX_NODES]; /* names; NULL if unregistered */
  cf_tr_meta *meta;
  size_t nmeta;
  char **strings; /* interned, sorted */
  size_t nstrings;
  pthread_mutex_t setup_lock;
};

/* The view of a finished trace: owned arrays, times as recorded (ns). */
typedef struct cf_tr_transfer {
  int src, dst;
  uint64_t bytes, start, end;
} cf_tr_transfer;
typedef struct cf_tr_sample {
  int node;
  uint64_t ts, bytes;
} cf_tr_sample;
typedef struct cf_tr_eviction {
  int from, to;
  uint64_t bytes, ts;
} cf_tr_eviction;
typedef struct cf_tr_sched {
  uint64_t ts, task;
  int worker;
  const char *reason;
} cf_tr_sched;

typedef struct cf_tr_snap {
  cf_trace_task *tasks; /* sorted by (start, worker, id); deps point into dep_store */
  size_t ntasks;
  uint64_t *dep_store;
  cf_tr_transfer *transfers; /* sorted by start */
  size_t ntransfers;
  cf_tr_sample *samples; /* sorted by (node, ts) */
  size_t nsamples;
  cf_tr_eviction *evictions; /* sorted by ts */
  size_t nevictions;
  cf_tr_sched *scheds; /* sorted by ts */
  size_t nscheds;
  int *worker_ids; /* registered workers, ascending */
  size_t nworkers;
  uint64_t t_min, t_max; /* over every event; both 0 if empty */
} cf_tr_snap;

/* Slots handed out so far (published or not); slot i if published, else
 * NULL; dependency i of the dependency store. */
uint64_t cf_tr_slot_count(const cf_trace *t);
const cf_tr_event *cf_tr_event_at(const cf_trace *t, uint64_t i);
const uint64_t *cf_tr_dep_at(const cf_trace *t, uint64_t i);

cf_status cf_tr_snapshot(const cf_trace *t, cf_tr_snap *out);
void cf_tr_snap_free(cf_tr_snap *s);

/* Index of the task with this id in s->tasks, or -1 (binary search over a
 * by-id index built on demand). */
typedef struct cf_tr_index {
  uint64_t *ids;
  size_t *pos;
  size_t n;
} cf_tr_index;
cf_status cf_tr_index_build(const cf_tr_snap *s, cf_tr_index *out);
long cf_tr_index_find(const cf_tr_index *ix, uint64_t id);
void cf_tr_index_free(cf_tr_index *ix);

/* Name of a memory node: registered name or "node N" in buf. */
const char *cf_tr_node_name(const cf_trace *t, int node, char *buf, size_t len);

#endif
