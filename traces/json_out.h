/* Streaming JSON helpers shared by the writers (export, summary, HTML). */
#ifndef CF_TRACES_JSON_OUT_H
#define CF_TRACES_JSON_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "traces/model.h"

/* Writes s as a JSON string literal. '<' and '>' are escaped so the output
 * can sit inside an HTML <script> element. NULL writes null. */
void cf_tr_json_str(FILE *f, const char *s);

/* Writes ns as microseconds with three decimals: exact, and what the
 * Trace Event format expects for "ts" and "dur". */
void cf_tr_json_us(FILE *f, uint64_t ns);

/* Writes the trace as Chrome Trace Event JSON to f. */
cf_status cf_tr_write_chrome(const cf_trace *t, const cf_tr_snap *s, FILE *f,
                             const cf_trace_export_options *opt);

#endif
