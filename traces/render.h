/* Pictures of a trace: an SVG Gantt chart and the self-contained HTML viewer. */
#ifndef CF_TRACES_RENDER_H
#define CF_TRACES_RENDER_H

#include <stdio.h>

#include "traces/model.h"

/* A colour ("#rrggbb") for a kernel name, the same in SVG and HTML. */
const char *cf_tr_kernel_color(const char *kernel);

/* SVG 1.1 Gantt chart: a row per worker, a row per link, memory curves,
 * a time axis and a legend. Every task is one <rect class="task">. */
cf_status cf_tr_write_svg(const cf_trace *t, const cf_tr_snap *s, FILE *f);

/* The viewer page with the trace (Chrome JSON, at most max_events events,
 * 0 for all) and its summary embedded. */
cf_status cf_tr_write_html(const cf_trace *t, const cf_tr_snap *s, FILE *f, uint64_t max_events);

/* The viewer template, generated at build time from traces/viewer.html. */
extern const char cf_tr_viewer_html[];

#endif
