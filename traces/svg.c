/* SVG Gantt chart for reports: no script, opens anywhere. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "traces/render.h"

enum { WIDTH = 1200, LEFT = 120, RIGHT = 20, TOP = 40, ROW = 22, MEM_LANE = 40, LEGEND_ROW = 18 };

static void xml_text(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default:
      if ((unsigned char)*s >= 0x20) fputc(*s, f);
    }
  }
}

/* 1, 2 or 5 times a power of ten, so that about n ticks fit in span. */
static double tick_step(double span, int n) {
  double raw = span / n, p = pow(10, floor(log10(raw)));
  if (raw / p < 2) return p;
  if (raw / p < 5) return 2 * p;
  return 5 * p;
}

typedef struct link {
  int src, dst;
} link;

cf_status cf_tr_write_svg(const cf_trace *t, const cf_tr_snap *s, FILE *f) {
  if (!t || !s || !f) return CF_FAIL(CF_EINVAL, "trace svg: NULL argument");
  link links[64];
  size_t nlinks = 0;
  for (size_t i = 0; i < s->ntransfers && nlinks < 64; i++) {
    size_t l = 0;
    while (l < nlinks &&
           (links[l].src != s->transfers[i].src || links[l].dst != s->transfers[i].dst))
      l++;
    if (l == nlinks) links[nlinks++] = (link){s->transfers[i].src, s->transfers[i].dst};
  }
  const char *kernels[64];
  size_t nk = 0;
  for (size_t i = 0; i < s->ntasks && nk < 64; i++) {
    size_t k = 0;
    while (k < nk && strcmp(kernels[k], s->tasks[i].kernel) != 0)
      k++;
    if (k == nk) kernels[nk++] = s->tasks[i].kernel;
  }
  uint64_t t0 = s->t_min, span = s->t_max > s->t_min ? s->t_max - s->t_min : 1;
  double plot_w = WIDTH - LEFT - RIGHT;
  double rows_h = (double)(s->nworkers + nlinks) * ROW;
  double mem_top = TOP + rows_h + 30;
  int nlanes = 0; /* samples are sorted by node */
  for (size_t i = 0; i < s->nsamples; i++)
    if (i == 0 || s->samples[i].node != s->samples[i - 1].node) nlanes++;
  double legend_top = mem_top + nlanes * MEM_LANE + (nlanes ? 16 : 0);
  double height = legend_top + LEGEND_ROW * (1 + (double)(nk + 5) / 6) + 10;
#define X(ns) (LEFT + plot_w * (double)((ns)-t0) / (double)span)
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
          "viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
          WIDTH, height, WIDTH, height);
  fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n", WIDTH,
          height);
  fputs("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", f);
  const char *prog = cf_trace_get_meta(t, "program");
  xml_text(f, prog ? prog : "cipherflow trace");
  fputs("</text>\n", f);
  /* Axis. */
  double step_us = tick_step((double)span / 1e3, 10);
  fprintf(f, "<g class=\"axis\" stroke=\"#dddddd\">\n");
  for (double us = 0; us <= (double)span / 1e3 + 1e-9; us += step_us) {
    double x = LEFT + plot_w * us * 1e3 / (double)span;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>", x, TOP - 5, x,
            TOP + rows_h);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%d\" stroke=\"none\" fill=\"#444444\" "
            "text-anchor=\"middle\">%.6g ms</text>\n",
            x, TOP - 8, us / 1e3);
  }
  fputs("</g>\n", f);
  /* Worker and link rows. */
  for (size_t w = 0; w < s->nworkers; w++) {
    int id = s->worker_ids[w];
    double y = TOP + (double)w * ROW;
    fprintf(f, "<g class=\"worker-row\" data-worker=\"%d\"><text x=\"10\" y=\"%.1f\">", id,
            y + ROW * 0.65);
    xml_text(f, t->workers[id].name);
    fputs("</text></g>\n", f);
  }
  for (size_t l = 0; l < nlinks; l++) {
    char a[32], b[32];
    double y = TOP + (double)(s->nworkers + l) * ROW;
    fprintf(f, "<g class=\"link-row\"><text x=\"10\" y=\"%.1f\">", y + ROW * 0.65);
    xml_text(f, cf_tr_node_name(t, links[l].src, a, sizeof a));
    fputs(" → ", f);
    xml_text(f, cf_tr_node_name(t, links[l].dst, b, sizeof b));
    fputs("</text></g>\n", f);
  }
  fputs("<g class=\"tasks\" stroke=\"none\">\n", f);
  for (size_t i = 0; i < s->ntasks; i++) {
    const cf_trace_task *k = &s->tasks[i];
    size_t row = 0;
    while (row < s->nworkers && s->worker_ids[row] != k->worker)
      row++;
    double x0 = X(k->start_ns), x1 = X(k->end_ns);
    fprintf(f,
            "<rect class=\"task\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
            "fill=\"%s\"><title>",
            x0, TOP + (double)row * ROW + 2, x1 - x0 > 0.3 ? x1 - x0 : 0.3, ROW - 4,
            cf_tr_kernel_color(k->kernel));
    fprintf(f, "task %" PRIu64 " ", k->id);
    xml_text(f, k->kernel);
    if (k->op) {
      fputs(" (", f);
      xml_text(f, k->op);
      fputc(')', f);
    }
    fprintf(f, " %.3f us</title></rect>\n", (double)(k->end_ns - k->start_ns) / 1e3);
  }
  fputs("</g>\n<g class=\"transfers\" fill=\"#7f7f7f\">\n", f);
  for (size_t i = 0; i < s->ntransfers; i++) {
    const cf_tr_transfer *x = &s->transfers[i];
    size_t l = 0;
    while (l < nlinks && (links[l].src != x->src || links[l].dst != x->dst))
      l++;
    if (l == nlinks) continue;
    double x0 = X(x->start), x1 = X(x->end);
    fprintf(f,
            "<rect class=\"transfer\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\">"
            "<title>%" PRIu64 " bytes</title></rect>\n",
            x0, TOP + (double)(s->nworkers + l) * ROW + 5, x1 - x0 > 0.3 ? x1 - x0 : 0.3, ROW - 10,
            x->bytes);
  }
  fputs("</g>\n", f);
  /* One lane per memory node, each scaled to its own peak. */
  static const char *mem_colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b"};
  int lane = 0;
  for (size_t i = 0; i < s->nsamples; lane++) {
    int node = s->samples[i].node;
    size_t first = i;
    uint64_t peak = 1;
    for (; i < s->nsamples && s->samples[i].node == node; i++)
      if (s->samples[i].bytes > peak) peak = s->samples[i].bytes;
    const char *c = mem_colors[lane % 5];
    double top = mem_top + lane * MEM_LANE, h = MEM_LANE - 8;
    char nb[32];
    fprintf(f,
            "<rect x=\"%d\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
            "stroke=\"#cccccc\"/>\n<text x=\"10\" y=\"%.1f\" fill=\"%s\">memory ",
            LEFT, top, plot_w, h, top + 12, c);
    xml_text(f, cf_tr_node_name(t, node, nb, sizeof nb));
    fprintf(
        f,
        "</text><text x=\"10\" y=\"%.1f\" fill=\"#777777\" font-size=\"10\">peak %.1f MiB</text>\n",
        top + 25, (double)peak / (1 << 20));
    fprintf(f, "<polyline class=\"memory\" fill=\"none\" stroke=\"%s\" points=\"", c);
    double prev_y = top + h;
    for (size_t k = first; k < i; k++) {
      double x = X(s->samples[k].ts);
      double y = top + h - (h - 2) * (double)s->samples[k].bytes / (double)peak;
      fprintf(f, "%.1f,%.1f %.1f,%.1f ", x, prev_y, x, y); /* step curve */
      prev_y = y;
    }
    fprintf(f, "%.1f,%.1f\"/>\n", X(s->t_max), prev_y);
  }
  fputs("<g class=\"legend\">\n", f);
  for (size_t k = 0; k < nk; k++) {
    double x = LEFT + (double)(k % 6) * 170, y = legend_top + (double)(k / 6) * LEGEND_ROW;
    fprintf(f,
            "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">",
            x, y, cf_tr_kernel_color(kernels[k]), x + 16, y + 10);
    xml_text(f, kernels[k]);
    fputs("</text>\n", f);
  }
  fputs("</g>\n</svg>\n", f);
#undef X
  return ferror(f) ? CF_FAIL(CF_EIO, "trace svg: write failed") : CF_OK;
}
