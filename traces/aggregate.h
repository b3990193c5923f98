/*
 * Shrinks a snapshot to about max_events events for viewers with size
 * limits: merges neighbouring tasks on a worker, neighbouring copies on a
 * link, thins memory samples (keeping each bucket's peak) and drops
 * scheduler events. Merged tasks keep the sum of their busy time.
 */
#ifndef CF_TRACES_AGGREGATE_H
#define CF_TRACES_AGGREGATE_H

#include "traces/model.h"

typedef struct cf_tr_agg {
  cf_tr_snap snap;      /* the (possibly reduced) view; tasks own no deps when merged */
  uint32_t *task_count; /* tasks merged into each slice; NULL when not aggregated */
  bool aggregated;
  const cf_tr_snap *src; /* borrowed when not aggregated */
} cf_tr_agg;

/* max_events == 0 or a snapshot already small enough: agg->snap is a shallow
 * copy of s (nothing merged). */
cf_status cf_tr_aggregate(const cf_tr_snap *s, uint64_t max_events, cf_tr_agg *agg);
void cf_tr_agg_free(cf_tr_agg *agg);

#endif
