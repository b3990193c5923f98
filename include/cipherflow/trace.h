/*
 * Execution traces: a recorder that a runtime feeds while it runs, and the
 * Chrome Trace Event JSON files (Perfetto UI, chrome://tracing) it writes and
 * reads back.
 *
 * Setup (one thread, before recording): cf_trace_create, cf_trace_set_meta,
 * cf_trace_add_memnode, cf_trace_add_worker, cf_trace_intern.
 * Recording (any number of threads at once, lock-free; allocation only of
 * one chunk per 4096 events, none within cf_trace_reserve's reservation): cf_trace_record_task,
 * _transfer, _memory, _eviction, _sched. Output (after every recording thread has finished):
 * cf_trace_export_json.
 *
 * Times are nanoseconds on one clock of the caller's choice (cf_trace_now_ns
 * is CLOCK_MONOTONIC). Strings passed to the record calls (kernel, op,
 * reason) are stored by pointer: they must be string literals or come from
 * cf_trace_intern, and live until cf_trace_destroy.
 */
#ifndef CIPHERFLOW_TRACE_H
#define CIPHERFLOW_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "cipherflow/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_trace cf_trace;

enum {
  CF_TRACE_MAX_WORKERS = 1024, /* worker ids are 0 .. 1023 */
  CF_TRACE_MAX_NODES = 64,     /* memory node ids are 0 .. 63 */
  CF_TRACE_DEFAULT_MAX_EVENTS = 1 << 24,
};

typedef enum cf_trace_worker_kind { CF_TRACE_CPU = 0, CF_TRACE_CUDA = 1 } cf_trace_worker_kind;

/* One executed task. */
typedef struct cf_trace_task {
  uint64_t id; /* unique per trace; dependencies refer to it */
  int worker;  /* a registered worker id */
  uint64_t start_ns, end_ns;
  const char *kernel;       /* "NTT", "MODUP", ... (literal or interned) */
  const char *op;           /* HE operation, "rotate"; NULL if none */
  int64_t node;             /* HE program node id; -1 if none */
  int limb_begin, limb_end; /* RNS limb range [begin, end); both -1 if none */
  int level;                /* ciphertext level; -1 if unknown */
  const uint64_t *deps;     /* ids of the tasks this one waited for (copied) */
  uint32_t ndeps;
} cf_trace_task;

/* max_events: event slots kept before further events are counted as dropped
 * (each recording thread may leave up to 63 slots of its last block unused);
 * 0 means CF_TRACE_DEFAULT_MAX_EVENTS. Memory grows with use, not with it. */
cf_status cf_trace_create(cf_trace **out, uint64_t max_events);
void cf_trace_destroy(cf_trace *t);

/* Free-form metadata; conventional keys: program, params, policy, grain,
 * host. Setting a key again replaces its value. */
cf_status cf_trace_set_meta(cf_trace *t, const char *key, const char *value);
/* NULL if the key is not set. */
const char *cf_trace_get_meta(const cf_trace *t, const char *key);

/* Allocates and pre-faults storage for the first `events` events (and two
 * dependencies each) so that recording them allocates nothing. Optional. */
cf_status cf_trace_reserve(cf_trace *t, uint64_t events);

/* A memory node (tier): "RAM", "CUDA0", "disk". Ids are the runtime's. */
cf_status cf_trace_add_memnode(cf_trace *t, int node, const char *name);
cf_status cf_trace_add_worker(cf_trace *t, int id, const char *name, cf_trace_worker_kind kind,
                              int memnode);

/* A copy of s owned by the trace, equal strings give the same pointer. */
cf_status cf_trace_intern(cf_trace *t, const char *s, const char **out);

uint64_t cf_trace_now_ns(void);

/* Hot path: thread-safe and lock-free. Over the event cap they return CF_OK
 * and count the event in cf_trace_dropped. */
cf_status cf_trace_record_task(cf_trace *t, const cf_trace_task *task);
cf_status cf_trace_record_transfer(cf_trace *t, int src_node, int dst_node, uint64_t bytes,
                                   uint64_t start_ns, uint64_t end_ns);
/* Bytes in use on a memory node at ts_ns (a counter sample). */
cf_status cf_trace_record_memory(cf_trace *t, int node, uint64_t ts_ns, uint64_t bytes_used);
/* Data evicted from from_node to to_node (-1: dropped, a clean copy existed). */
cf_status cf_trace_record_eviction(cf_trace *t, int from_node, int to_node, uint64_t bytes,
                                   uint64_t ts_ns);
/* A scheduler decision: task_id was given to worker because of reason. */
cf_status cf_trace_record_sched(cf_trace *t, uint64_t ts_ns, uint64_t task_id, int worker,
                                const char *reason);

uint64_t cf_trace_event_count(const cf_trace *t);
uint64_t cf_trace_dropped(const cf_trace *t);

typedef struct cf_trace_export_options {
  bool flows;          /* one s/f flow pair per dependency edge */
  uint64_t max_events; /* 0: no limit; else merge neighbouring tasks and thin
                          counters until at most about this many events */
} cf_trace_export_options;

/* Writes Chrome Trace Event JSON. opt may be NULL (no flows, no limit). */
cf_status cf_trace_export_json(const cf_trace *t, const char *path,
                               const cf_trace_export_options *opt);
/* Reads a file written by cf_trace_export_json into a new trace. */
cf_status cf_trace_load_json(const char *path, cf_trace **out);

#ifdef __cplusplus
}
#endif
#endif
