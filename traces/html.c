/* Fills the viewer template: the trace, its summary and kernel colours are
 * embedded as JSON so the page works from file:// with no network. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "traces/json_out.h"
#include "traces/render.h"
#include "traces/summary.h"

static cf_status write_colors(const cf_tr_snap *s, FILE *f) {
  const char **seen = malloc((s->ntasks + 2) * sizeof *seen);
  if (!seen) return CF_FAIL(CF_ENOMEM, "trace view: no memory");
  size_t n = 0;
  seen[n++] = "mixed"; /* aggregated slices */
  fputc('{', f);
  cf_tr_json_str(f, "mixed");
  fprintf(f, ":\"%s\"", cf_tr_kernel_color("mixed"));
  for (size_t i = 0; i < s->ntasks; i++) {
    size_t k = 0;
    while (k < n && strcmp(seen[k], s->tasks[i].kernel) != 0)
      k++;
    if (k < n) continue;
    seen[n++] = s->tasks[i].kernel;
    fputc(',', f);
    cf_tr_json_str(f, s->tasks[i].kernel);
    fprintf(f, ":\"%s\"", cf_tr_kernel_color(s->tasks[i].kernel));
  }
  fputc('}', f);
  free(seen);
  return CF_OK;
}

cf_status cf_tr_write_html(const cf_trace *t, const cf_tr_snap *s, FILE *f, uint64_t max_events) {
  if (!t || !s || !f) return CF_FAIL(CF_EINVAL, "trace view: NULL argument");
  cf_tr_summary sum;
  CF_TRY(cf_tr_summarize(t, s, 10, &sum));
  static const char *const markers[] = {"@@CF_TRACE@@", "@@CF_SUMMARY@@", "@@CF_COLORS@@"};
  const char *p = cf_tr_viewer_html;
  cf_status st = CF_OK;
  while (st == CF_OK) {
    const char *hit = NULL;
    int which = -1;
    for (int m = 0; m < 3; m++) {
      const char *h = strstr(p, markers[m]);
      if (h && (!hit || h < hit)) {
        hit = h;
        which = m;
      }
    }
    if (!hit) {
      fputs(p, f);
      break;
    }
    fwrite(p, 1, (size_t)(hit - p), f);
    p = hit + strlen(markers[which]);
    if (which == 0) {
      cf_trace_export_options o = {.flows = false, .max_events = max_events};
      st = cf_tr_write_chrome(t, s, f, &o);
    } else if (which == 1) {
      cf_tr_summary_json(f, t, s, &sum);
    } else {
      st = write_colors(s, f);
    }
  }
  cf_tr_summary_free(&sum);
  if (st == CF_OK && ferror(f)) st = CF_FAIL(CF_EIO, "trace view: write failed");
  return st;
}
