/*
 * Every buffer of a DAG as StarPU data.
 *
 * Buffers live in stores: one each, or several temporaries one after the
 * other when memory/share.h planned it. A store is cut into segments at
 * every limb boundary some piece of its buffers starts or ends at, so each
 * piece maps to a run of whole segments and tasks on disjoint limb ranges
 * of one polynomial never share a handle (StarPU serializes accesses per
 * handle, not per byte), while the buffers of one store share its handles
 * and so StarPU's ordering. Three ways to get the segment handles, chosen
 * by cf_mem_mode:
 *   CF_MEM_SEGMENTS: one independently registered vector per segment;
 *   CF_MEM_FILTER: one vector per store, partitioned with
 *                  starpu_vector_filter_list into the segments;
 *   CF_MEM_BLOCKS: one starpu_malloc'd block per store, each segment
 *                  registered over its rows with home node main RAM, so a
 *                  buffer's rows are contiguous across segments and the
 *                  kinds where limbs meet need no staging copies.
 * The "starpu" bench suite compares them (docs/starpu.md).
 *
 * SEGMENTS and FILTER data is registered with home node -1: StarPU
 * allocates it where it is first written, owns it, and may evict it to a
 * disk node under a memory limit. BLOCKS data is StarPU's too (starpu_malloc,
 * freed after unregistering) but lives in main RAM, its home: the executor
 * uses it when no memory tiers are configured. Inputs (ciphertexts, weights, keys) are filled and
 * outputs read through starpu_data_acquire, never by copying behind StarPU's back.
 */
#ifndef CF_MEMORY_HANDLES_H
#define CF_MEMORY_HANDLES_H

#include <stdbool.h>
#include <stdint.h>

#include <starpu.h>

#include "cipherflow/status.h"
#include "graph/dag.h"

typedef enum cf_mem_mode { CF_MEM_SEGMENTS = 0, CF_MEM_FILTER = 1, CF_MEM_BLOCKS = 2 } cf_mem_mode;

typedef struct cf_mem_segment {
  starpu_data_handle_t handle;
  uint16_t first_limb, nlimbs;
} cf_mem_segment;

typedef struct cf_mem_registry cf_mem_registry;

/* Registers every buffer of dag; each limb holds n 64-bit words. store,
 * if not NULL, gives each buffer's store (memory/share.h): buffers of one
 * store are its first limbs and share its segment handles, cut wherever
 * any of them is. NULL: one store per buffer. */
cf_status cf_mem_register_dag(const cf_dag *dag, uint32_t n, cf_mem_mode mode,
                              const uint32_t *store, cf_mem_registry **out);

/* Unregisters and frees everything (data is dropped, not written back). */
void cf_mem_unregister(cf_mem_registry *r);

/* The segments covering a piece: *first is an index for cf_mem_segment_at. */
cf_status cf_mem_piece_segments(const cf_mem_registry *r, const cf_dag_piece *p, uint32_t *first,
                                uint32_t *count);
const cf_mem_segment *cf_mem_segment_at(const cf_mem_registry *r, uint32_t index);
uint32_t cf_mem_nsegments(const cf_mem_registry *r);
uint32_t cf_mem_ring_degree(const cf_mem_registry *r);
/* Whether every buffer's rows are one contiguous allocation (CF_MEM_BLOCKS). */
bool cf_mem_contiguous(const cf_mem_registry *r);
/* Bytes of memory behind the DAG's temporaries (*held, stores counted
 * once) and what they would take with a store each (*alone). */
void cf_mem_temp_bytes(const cf_mem_registry *r, uint64_t *held, uint64_t *alone);
/* Whether buffer b's store holds other buffers: its content does not
 * outlive the run (cf_mem_read refuses it). */
bool cf_mem_shared(const cf_mem_registry *r, uint32_t b);

/* Copies host (nlimbs x n words, limb-major) into buffer b through StarPU. */
cf_status cf_mem_fill(cf_mem_registry *r, uint32_t b, const uint64_t *host);

/* The same from one pointer per limb (rows[l]: limb l's n words). */
cf_status cf_mem_fill_rows(cf_mem_registry *r, uint32_t b, const uint64_t *const *rows);

/* Copies buffer b out to host (nlimbs x n words) once every task writing it
 * is done; CF_EINVAL for a shared buffer. */
cf_status cf_mem_read(cf_mem_registry *r, uint32_t b, uint64_t *host);

#endif
