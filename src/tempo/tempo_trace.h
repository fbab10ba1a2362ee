/* SPDX-License-Identifier: Apache-2.0
 *
 * A whole trace as Tempo returns it by ID, parsed into plain C structs.
 *
 * Accepted bodies (notes/tempo.md §3): v1 `{"batches":[ResourceSpans…]}`,
 * v2 `{"trace":{"resourceSpans":[…]},"status":"PARTIAL","message":…}`
 * (`{"trace":{}}` is "not found"), a bare `{"resourceSpans":[…]}` (a
 * tempopb.Trace, or one line of the OpenTelemetry Collector's file
 * exporter); inside them `scopeSpans`/`scope` or the pre-2.0
 * `instrumentationLibrarySpans`/`instrumentationLibrary`. IDs may be base64
 * (Tempo) or hex (OTLP/JSON); 64-bit integers strings or numbers; zero
 * values absent; enums names or numbers. Anything malformed inside a span
 * yields zero values, never a failure; only a body that is not a JSON object
 * of one of these shapes is an error.
 *
 * Everything of a trace lives in its own pool, so a trace is freed in one
 * call and weighs `bytes` (what the trace cache counts).
 *
 * Ownership: a trace is refcounted: tempo_trace_parse() returns one
 * reference; tempo_trace_ref() adds one (the trace cache shares traces
 * between queries) and tempo_trace_unref() drops one, freeing the trace with
 * the last. Thread safety: a parsed trace is immutable and may be read by any
 * thread; ref/unref are atomic.
 */
#ifndef ET_TEMPO_TEMPO_TRACE_H
#define ET_TEMPO_TEMPO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "tempo/tempo_json.h"
#include "tempo/tempo_pool.h"

/* Limits on one trace (why: a hostile or runaway trace must stay bounded;
 * Tempo's own default max_bytes_per_trace is 5 MB, far below these). */
#define TEMPO_TRACE_MAX_SPANS  200000
#define TEMPO_TRACE_MAX_ATTRS  1024 /* per span, resource, event or link */
#define TEMPO_TRACE_MAX_EVENTS 1024 /* per span */
#define TEMPO_TRACE_MAX_LINKS  128  /* per span */

/* OTLP enums (proto numbers). */
enum tempo_span_kind {
    TEMPO_KIND_UNSPECIFIED = 0,
    TEMPO_KIND_INTERNAL = 1,
    TEMPO_KIND_SERVER = 2,
    TEMPO_KIND_CLIENT = 3,
    TEMPO_KIND_PRODUCER = 4,
    TEMPO_KIND_CONSUMER = 5,
};

enum tempo_status_code {
    TEMPO_STATUS_UNSET = 0,
    TEMPO_STATUS_OK = 1,
    TEMPO_STATUS_ERROR = 2,
};

struct tempo_resource {
    struct tempo_kv *attrs;
    uint32_t n_attrs;
    const char *service; /* service.name, or "unknown_service" (OTel's default) */
};

struct tempo_event {
    int64_t time_ns;
    const char *name;
    struct tempo_kv *attrs;
    uint32_t n_attrs;
};

struct tempo_link {
    char trace_id[33]; /* hex, "" when invalid */
    char span_id[17];
    const char *trace_state;
    struct tempo_kv *attrs;
    uint32_t n_attrs;
};

struct tempo_span {
    char trace_id[33];       /* hex; the trace's ID when the span has none */
    char span_id[17];        /* hex, "" when missing or invalid */
    char parent_span_id[17]; /* "" for a root span */
    const char *name;
    const char *trace_state;
    int kind; /* enum tempo_span_kind */
    int64_t start_ns;
    int64_t end_ns;
    int status_code; /* enum tempo_status_code */
    const char *status_message;
    struct tempo_kv *attrs;
    uint32_t n_attrs;
    struct tempo_event *events;
    uint32_t n_events;
    struct tempo_link *links;
    uint32_t n_links;
    uint32_t resource; /* index into trace->resources */
    const char *scope_name;
    const char *scope_version;
};

struct tempo_trace {
    char trace_id[33]; /* as requested (or of the first span) */
    struct tempo_resource *resources;
    size_t n_resources;
    struct tempo_span *spans; /* in body order */
    size_t n_spans;
    bool partial;        /* v2 "status":"PARTIAL" (trace too large) */
    const char *message; /* v2 "message" with a partial trace, else "" */
    size_t bytes;        /* memory held by the trace */
    int64_t last_end_ns; /* newest span end (or start) in the trace */

    /* private */
    struct tempo_pool pool;
    int refs;
};

/* Parse a trace body. `trace_id` (32 hex, may be NULL) names the trace for
 * spans without a trace ID. Returns the trace, or NULL with `err` set: 502
 * downstream for a body that is not a trace. A body with no spans at all
 * (v2 `{"trace":{}}`) gives a trace with n_spans == 0: callers treat that
 * as "not found". */
struct tempo_trace *tempo_trace_parse(const char *body, size_t len, const char *trace_id,
                                      struct et_error *err);
/* The same from a JSON value already parsed (borrowed; the trace copies
 * what it keeps), for callers that read JSON themselves, such as offline
 * triage of trace files. Same results and errors as tempo_trace_parse(). */
struct tempo_trace *tempo_trace_from_json(const json_t *root, const char *trace_id,
                                          struct et_error *err);
void tempo_trace_ref(struct tempo_trace *t);
/* Drop a reference (NULL is ignored). */
void tempo_trace_unref(struct tempo_trace *t);

/* The span's resource. */
const struct tempo_resource *tempo_span_resource(const struct tempo_trace *t,
                                                 const struct tempo_span *s);

/* Kind as Grafana's trace view spells it ("server", ...; "" when unspecified). */
const char *tempo_kind_name(int kind);

#endif
