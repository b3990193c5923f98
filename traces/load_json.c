/* Reads the Chrome Trace Event JSON that export_json.c writes. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "traces/model.h"

typedef struct loader {
  const char *path;
  cf_trace *t;
  uint64_t origin;
  size_t index; /* of the event being read, for messages */
} loader;

#define BAD(ld, ...) bad_event((ld), __FILE__, __LINE__, __VA_ARGS__)

static cf_status bad_event(const loader *ld, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static cf_status bad_event(const loader *ld, const char *file, int line, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return cf_error_at(CF_EFORMAT, file, line, "trace '%s': event #%zu: %s", ld->path, ld->index,
                     msg);
}

/* A failure of the recorder while loading, restated with file and event. */
static cf_status rewrap(const loader *ld, cf_status st) {
  if (st == CF_OK) return st;
  char detail[200];
  snprintf(detail, sizeof detail, "%s", cf_last_error());
  return cf_error_at(st, __FILE__, __LINE__, "trace '%s': event #%zu: %s", ld->path, ld->index,
                     detail);
}

/* Integer field; *out unchanged and CF_OK when absent and optional. */
static cf_status get_int(const loader *ld, json_t *obj, const char *key, bool required,
                         long long lo, long long hi, long long *out) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v)) {
    if (required) return BAD(ld, "missing integer '%s'", key);
    return CF_OK;
  }
  if (!json_is_integer(v)) return BAD(ld, "'%s' is not an integer", key);
  long long x = json_integer_value(v);
  if (x < lo || x > hi) return BAD(ld, "'%s' = %lld outside %lld..%lld", key, x, lo, hi);
  *out = x;
  return CF_OK;
}

/* Microseconds (number) to absolute ns. */
static cf_status get_time(const loader *ld, json_t *ev, const char *key, uint64_t *out) {
  json_t *v = json_object_get(ev, key);
  if (!v) return BAD(ld, "missing '%s'", key);
  if (!json_is_number(v)) return BAD(ld, "'%s' is not a number", key);
  double us = json_number_value(v);
  if (!(us >= 0) || us > 1e13) return BAD(ld, "'%s' = %g outside 0..1e13 us", key, us);
  *out = (uint64_t)llround(us * 1000.0) + ld->origin;
  return CF_OK;
}

static cf_status intern_opt(loader *ld, json_t *v, const char *what, const char **out) {
  *out = NULL;
  if (!v || json_is_null(v)) return CF_OK;
  if (!json_is_string(v)) return BAD(ld, "'%s' is not a string", what);
  return cf_trace_intern(ld->t, json_string_value(v), out);
}

static json_t *args_of(const loader *ld, json_t *ev, cf_status *st) {
  json_t *a = json_object_get(ev, "args");
  *st = CF_OK;
  if (!json_is_object(a)) *st = BAD(ld, "missing object 'args'");
  return a;
}

static cf_status read_worker(loader *ld, json_t *ev) {
  cf_status st;
  json_t *a = args_of(ld, ev, &st);
  CF_TRY(st);
  long long id = -1, node = 0;
  CF_TRY(get_int(ld, ev, "tid", true, 0, CF_TRACE_MAX_WORKERS - 1, &id));
  CF_TRY(get_int(ld, a, "worker", false, 0, CF_TRACE_MAX_WORKERS - 1, &id));
  CF_TRY(get_int(ld, a, "memnode", false, 0, CF_TRACE_MAX_NODES - 1, &node));
  json_t *name = json_object_get(a, "name");
  if (!json_is_string(name)) return BAD(ld, "thread_name without a string 'name'");
  json_t *kind = json_object_get(a, "kind");
  cf_trace_worker_kind k = CF_TRACE_CPU;
  if (kind) {
    if (!json_is_string(kind)) return BAD(ld, "'kind' is not a string");
    if (strcmp(json_string_value(kind), "cuda") == 0)
      k = CF_TRACE_CUDA;
    else if (strcmp(json_string_value(kind), "cpu") != 0)
      return BAD(ld, "worker kind '%s' is neither cpu nor cuda", json_string_value(kind));
  }
  return rewrap(ld, cf_trace_add_worker(ld->t, (int)id, json_string_value(name), k, (int)node));
}

static cf_status read_task(loader *ld, json_t *ev) {
  cf_status st;
  json_t *a = args_of(ld, ev, &st);
  CF_TRY(st);
  long long worker = 0, id = (long long)ld->index, node = -1, level = -1, lb = -1, le = -1;
  CF_TRY(get_int(ld, ev, "tid", true, 0, CF_TRACE_MAX_WORKERS - 1, &worker));
  if (!ld->t->workers[worker].used)
    return BAD(ld, "task on tid %lld, which has no thread_name metadata", worker);
  CF_TRY(get_int(ld, a, "id", false, 0, INT64_MAX, &id));
  CF_TRY(get_int(ld, a, "node", false, -1, INT64_MAX, &node));
  CF_TRY(get_int(ld, a, "level", false, -1, INT32_MAX, &level));
  json_t *limbs = json_object_get(a, "limbs");
  if (limbs) {
    if (!json_is_array(limbs) || json_array_size(limbs) != 2 ||
        !json_is_integer(json_array_get(limbs, 0)) || !json_is_integer(json_array_get(limbs, 1)))
      return BAD(ld, "'limbs' is not [begin, end]");
    lb = json_integer_value(json_array_get(limbs, 0));
    le = json_integer_value(json_array_get(limbs, 1));
    if (lb < -1 || le < -1 || lb > INT32_MAX || le > INT32_MAX)
      return BAD(ld, "'limbs' [%lld, %lld] out of range", lb, le);
  }
  uint64_t ts, dur;
  CF_TRY(get_time(ld, ev, "ts", &ts));
  CF_TRY(get_time(ld, ev, "dur", &dur));
  dur -= ld->origin;
  const char *kernel, *op;
  json_t *kname = json_object_get(a, "kernel");
  CF_TRY(intern_opt(ld, kname ? kname : json_object_get(ev, "name"), "kernel", &kernel));
  if (!kernel) return BAD(ld, "task without a name");
  CF_TRY(intern_opt(ld, json_object_get(a, "op"), "op", &op));
  json_t *deps = json_object_get(a, "deps");
  size_t nd = 0;
  uint64_t *dv = NULL;
  if (deps) {
    if (!json_is_array(deps)) return BAD(ld, "'deps' is not an array");
    nd = json_array_size(deps);
    dv = malloc((nd + 1) * sizeof *dv);
    if (!dv) return CF_FAIL(CF_ENOMEM, "trace '%s': no memory", ld->path);
    for (size_t i = 0; i < nd; i++) {
      json_t *d = json_array_get(deps, i);
      if (!json_is_integer(d) || json_integer_value(d) < 0) {
        free(dv);
        return BAD(ld, "dependency %zu is not a task id", i);
      }
      dv[i] = (uint64_t)json_integer_value(d);
    }
  }
  cf_trace_task k = {.id = (uint64_t)id,
                     .worker = (int)worker,
                     .start_ns = ts,
                     .end_ns = ts + dur,
                     .kernel = kernel,
                     .op = op,
                     .node = node,
                     .limb_begin = (int)lb,
                     .limb_end = (int)le,
                     .level = (int)level,
                     .deps = dv,
                     .ndeps = (uint32_t)nd};
  st = cf_trace_record_task(ld->t, &k);
  free(dv);
  return rewrap(ld, st);
}

static cf_status read_transfer(loader *ld, json_t *ev) {
  cf_status st;
  json_t *a = args_of(ld, ev, &st);
  CF_TRY(st);
  long long src = 0, dst = 0, bytes = 0;
  CF_TRY(get_int(ld, a, "src", true, 0, CF_TRACE_MAX_NODES - 1, &src));
  CF_TRY(get_int(ld, a, "dst", true, 0, CF_TRACE_MAX_NODES - 1, &dst));
  CF_TRY(get_int(ld, a, "bytes", true, 0, INT64_MAX, &bytes));
  uint64_t ts, dur;
  CF_TRY(get_time(ld, ev, "ts", &ts));
  CF_TRY(get_time(ld, ev, "dur", &dur));
  dur -= ld->origin;
  return rewrap(ld,
                cf_trace_record_transfer(ld->t, (int)src, (int)dst, (uint64_t)bytes, ts, ts + dur));
}

static cf_status read_counter(loader *ld, json_t *ev) {
  json_t *name = json_object_get(ev, "name");
  if (!json_is_string(name)) return BAD(ld, "counter without a string 'name'");
  const char *n = json_string_value(name);
  if (strncmp(n, "memory ", 7) != 0) return CF_OK; /* someone else's counter */
  n += 7;
  int node = -1;
  for (int i = 0; i < CF_TRACE_MAX_NODES; i++)
    if (ld->t->memnodes[i] && strcmp(ld->t->memnodes[i], n) == 0) node = i;
  if (node < 0 && sscanf(n, "node %d", &node) != 1)
    return BAD(ld, "counter '%s' names no known memory node", json_string_value(name));
  cf_status st;
  json_t *a = args_of(ld, ev, &st);
  CF_TRY(st);
  long long bytes = 0;
  CF_TRY(get_int(ld, a, "bytes", true, 0, INT64_MAX, &bytes));
  uint64_t ts;
  CF_TRY(get_time(ld, ev, "ts", &ts));
  if (node < 0 || node >= CF_TRACE_MAX_NODES) return BAD(ld, "memory node %d out of range", node);
  return rewrap(ld, cf_trace_record_memory(ld->t, node, ts, (uint64_t)bytes));
}

static cf_status read_instant(loader *ld, json_t *ev, const char *cat) {
  cf_status st;
  json_t *a = args_of(ld, ev, &st);
  CF_TRY(st);
  uint64_t ts;
  CF_TRY(get_time(ld, ev, "ts", &ts));
  if (strcmp(cat, "eviction") == 0) {
    long long from = 0, to = -1, bytes = 0;
    CF_TRY(get_int(ld, a, "from", true, 0, CF_TRACE_MAX_NODES - 1, &from));
    CF_TRY(get_int(ld, a, "to", true, -1, CF_TRACE_MAX_NODES - 1, &to));
    CF_TRY(get_int(ld, a, "bytes", true, 0, INT64_MAX, &bytes));
    return rewrap(ld, cf_trace_record_eviction(ld->t, (int)from, (int)to, (uint64_t)bytes, ts));
  }
  long long task = 0, worker = 0;
  CF_TRY(get_int(ld, a, "task", true, 0, INT64_MAX, &task));
  CF_TRY(get_int(ld, ev, "tid", true, 0, CF_TRACE_MAX_WORKERS - 1, &worker));
  if (!ld->t->workers[worker].used)
    return BAD(ld, "scheduler event on tid %lld, which has no thread_name metadata", worker);
  const char *reason;
  CF_TRY(intern_opt(ld, json_object_get(a, "reason"), "reason", &reason));
  return rewrap(
      ld, cf_trace_record_sched(ld->t, ts, (uint64_t)task, (int)worker, reason ? reason : ""));
}

static cf_status read_other_data(loader *ld, json_t *od) {
  if (!od) return CF_OK;
  if (!json_is_object(od))
    return CF_FAIL(CF_EFORMAT, "trace '%s': 'otherData' is not an object", ld->path);
  json_t *origin = json_object_get(od, "origin_ns");
  if (origin) {
    const char *s = json_is_string(origin) ? json_string_value(origin) : NULL;
    char *end = NULL;
    unsigned long long v = s ? strtoull(s, &end, 10) : 0;
    if (!s || !*s || *end || s[0] == '-')
      return CF_FAIL(CF_EFORMAT, "trace '%s': 'origin_ns' is not a decimal string", ld->path);
    if (v > ((unsigned long long)1 << 62))
      return CF_FAIL(CF_EFORMAT, "trace '%s': 'origin_ns' %s exceeds 2^62", ld->path, s);
    ld->origin = v;
  }
  json_t *nodes = json_object_get(od, "memnodes");
  if (nodes) {
    if (!json_is_array(nodes))
      return CF_FAIL(CF_EFORMAT, "trace '%s': 'memnodes' is not an array", ld->path);
    size_t i;
    json_t *n;
    json_array_foreach(nodes, i, n) {
      json_t *id = json_object_get(n, "id"), *name = json_object_get(n, "name");
      if (!json_is_integer(id) || !json_is_string(name) || json_integer_value(id) < 0 ||
          json_integer_value(id) >= CF_TRACE_MAX_NODES)
        return CF_FAIL(CF_EFORMAT, "trace '%s': memnodes[%zu] needs an id 0..%d and a name",
                       ld->path, i, CF_TRACE_MAX_NODES - 1);
      CF_TRY(cf_trace_add_memnode(ld->t, (int)json_integer_value(id), json_string_value(name)));
    }
  }
  json_t *meta = json_object_get(od, "meta");
  if (meta) {
    if (!json_is_object(meta))
      return CF_FAIL(CF_EFORMAT, "trace '%s': 'meta' is not an object", ld->path);
    const char *k;
    json_t *v;
    json_object_foreach(meta, k, v) {
      if (!json_is_string(v))
        return CF_FAIL(CF_EFORMAT, "trace '%s': meta '%s' is not a string", ld->path, k);
      if (!*k) return CF_FAIL(CF_EFORMAT, "trace '%s': meta has an empty key", ld->path);
      CF_TRY(cf_trace_set_meta(ld->t, k, json_string_value(v)));
    }
  }
  if (json_is_true(json_object_get(od, "aggregated")))
    CF_TRY(cf_trace_set_meta(ld->t, "aggregated", "true"));
  return CF_OK;
}

static cf_status read_events(loader *ld, json_t *events) {
  /* Workers first: metadata may come anywhere in the array. */
  for (int pass = 0; pass < 2; pass++) {
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev) {
      ld->index = i;
      if (!json_is_object(ev)) return BAD(ld, "not an object");
      json_t *ph = json_object_get(ev, "ph");
      if (!json_is_string(ph)) return BAD(ld, "missing string 'ph'");
      const char *p = json_string_value(ph);
      const char *name = json_string_value(json_object_get(ev, "name"));
      const char *cat = json_string_value(json_object_get(ev, "cat"));
      long long pid = 0;
      CF_TRY(get_int(ld, ev, "pid", false, INT32_MIN, INT32_MAX, &pid));
      if (pass == 0) {
        if (strcmp(p, "M") == 0 && pid == 1 && name && strcmp(name, "thread_name") == 0)
          CF_TRY(read_worker(ld, ev));
        continue;
      }
      if (strcmp(p, "X") == 0) {
        if (cat && strcmp(cat, "transfer") == 0)
          CF_TRY(read_transfer(ld, ev));
        else if (!cat || strcmp(cat, "task") == 0)
          CF_TRY(read_task(ld, ev));
      } else if (strcmp(p, "C") == 0) {
        CF_TRY(read_counter(ld, ev));
      } else if ((strcmp(p, "i") == 0 || strcmp(p, "I") == 0) && cat &&
                 (strcmp(cat, "eviction") == 0 || strcmp(cat, "sched") == 0)) {
        CF_TRY(read_instant(ld, ev, cat));
      }
    }
  }
  return CF_OK;
}

cf_status cf_trace_load_json(const char *path, cf_trace **out) {
  if (!path || !out) return CF_FAIL(CF_EINVAL, "cf_trace_load_json: NULL argument");
  *out = NULL;
  json_error_t err;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  if (!root) {
    if (err.line < 0 && err.position == 0 && strstr(err.text, "unable to open"))
      return CF_FAIL(CF_EIO, "cannot read trace '%s': %s", path, err.text);
    return CF_FAIL(CF_EFORMAT, "trace '%s' is not valid JSON (line %d, column %d): %s", path,
                   err.line, err.column, err.text);
  }
  json_t *events = json_is_array(root) ? root : json_object_get(root, "traceEvents");
  if (!json_is_array(events)) {
    json_decref(root);
    return CF_FAIL(CF_EFORMAT, "trace '%s' has no 'traceEvents' array", path);
  }
  loader ld = {.path = path};
  cf_status st = cf_trace_create(&ld.t, json_array_size(events) + 1);
  if (st == CF_OK && json_is_object(root))
    st = read_other_data(&ld, json_object_get(root, "otherData"));
  if (st == CF_OK) st = read_events(&ld, events);
  json_decref(root);
  if (st != CF_OK) {
    cf_trace_destroy(ld.t);
    return st;
  }
  *out = ld.t;
  return CF_OK;
}
