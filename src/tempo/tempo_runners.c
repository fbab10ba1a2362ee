/* SPDX-License-Identifier: Apache-2.0
 *
 * The Tempo panels (see tempo_runners.h): recent errors, error summary,
 * exceptions of one trace, top exception types and variable values from
 * Tempo; the Tempo part of the health check. Error groups live in
 * tempo_groups.c.
 *
 * DESIGN: every panel over a time range starts from the same error sample
 * (tempo_collect.h: one search in select mode, search + concurrent trace
 * reads in fetch mode) and only differs in how it shapes the occurrences
 * into a frame. executedQueryString always carries the TraceQL, the mode and
 * what was read; notices say when the sample was capped or reads failed.
 */
#include "tempo/tempo_runners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fingerprint.h"
#include "core/mem.h"
#include "frame/frame_helpers.h"
#include "tempo/tempo_caps.h"
#include "tempo/tempo_client.h"
#include "tempo/tempo_collect.h"
#include "tempo/tempo_summary.h"
#include "tempo/tempo_traceview.h"
#include "tempo/traceql.h"

#define TOP_TYPES_SAMPLE 1000 /* error traces read for top-types from Tempo */
#define VALUES_SAMPLE    200  /* error traces read for exception types before 2.6 */
#define VALUES_MAX       10000

static struct frame_field *trace_id_field(const struct query_ctx *ctx, struct frame *f)
{
    const struct settings *s = &ctx->inst->settings;
    return frame_add_trace_id_field(f, "traceID", s->tempo_datasource_uid,
                                    s->tempo_datasource_name);
}

static void finish_frame(struct frame *f, const struct tempo_collect *c)
{
    frame_meta_set_executed_query(f, et_buf_cstr(&c->executed));
    tempo_collect_add_notices(c, f);
}

static int collect_range(const struct query_ctx *ctx, const struct query *q, int limit,
                         bool most_recent, struct tempo_collect *c, struct et_error *err)
{
    struct tempo_range r = {q->from_ms, q->to_ms, "range"};
    return tempo_collect_run(ctx, q, &r, 1, limit, most_recent, c, err);
}

/* ---- recent errors --------------------------------------------------------------------------- */

static int cmp_newest(const void *a, const void *b)
{
    const struct tempo_error *x = a, *y = b;
    if (x->time_ns != y->time_ns)
        return x->time_ns > y->time_ns ? -1 : 1;
    int c = strcmp(x->trace_id, y->trace_id);
    return c ? c : strcmp(x->span_id, y->span_id);
}

struct recent_columns {
    struct frame_field *time, *trace_id, *span_id, *service, *route, *type, *message, *stack_top,
        *stacktrace, *duration;
};

static void recent_columns(const struct query_ctx *ctx, struct frame *f, struct recent_columns *c)
{
    c->time = frame_add_field(f, "time", FRAME_TIME, false);
    c->trace_id = trace_id_field(ctx, f);
    c->span_id = frame_add_field(f, "spanID", FRAME_STRING, false);
    c->service = frame_add_field(f, "service", FRAME_STRING, false);
    c->route = frame_add_field(f, "route", FRAME_STRING, false);
    c->type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
    c->message = frame_add_field(f, "message", FRAME_STRING, false);
    c->stack_top = frame_add_field(f, "stackTop", FRAME_STRING, false);
    c->stacktrace = frame_add_field(f, "stacktrace", FRAME_STRING, false);
    c->duration = frame_add_field(f, "duration", FRAME_FLOAT64, false);
    frame_field_set_unit(c->duration, "ms");
}

/* The stack trace's first meaningful line (the analysis module decides). */
static const char *stack_top(struct fingerprint_ctx *fp, const struct tempo_error *e)
{
    if (!e->stacktrace[0])
        return "";
    struct fingerprint_input in = {.exception_type = e->exception_type,
                                   .message = e->message,
                                   .stacktrace = e->stacktrace,
                                   .stacktrace_len = strlen(e->stacktrace),
                                   .sdk_language = e->sdk_language};
    struct fingerprint out;
    fingerprint_compute(fp, &in, &out);
    return out.stack_top;
}

int tempo_run_recent_errors(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err)
{
    struct tempo_collect c;
    int rc = collect_range(ctx, q, q->limit, true, &c, err);
    if (rc == 0) {
        struct tempo_error_list *l = &c.samples[0].errors;
        qsort(l->items, l->n, sizeof *l->items, cmp_newest);
        struct frame *f = frame_new_table(q->ref_id, "recent-errors");
        struct recent_columns col;
        recent_columns(ctx, f, &col);
        struct fingerprint_ctx *fp = fingerprint_ctx_new();
        for (size_t i = 0; i < l->n && i < (size_t)q->limit; i++) {
            const struct tempo_error *e = &l->items[i];
            frame_field_append_time_ns(col.time, e->time_ns);
            frame_field_append_cstring(col.trace_id, e->trace_id);
            frame_field_append_cstring(col.span_id, e->span_id);
            frame_field_append_cstring(col.service, e->service);
            frame_field_append_cstring(col.route, e->route);
            frame_field_append_cstring(col.type, e->exception_type);
            frame_field_append_cstring(col.message, e->message);
            frame_field_append_cstring(col.stack_top, stack_top(fp, e));
            frame_field_append_cstring(col.stacktrace, e->stacktrace);
            frame_field_append_float(col.duration, (double)e->duration_ns / 1e6);
        }
        fingerprint_ctx_free(fp);
        finish_frame(f, &c);
        frame_list_push(out, f);
    }
    tempo_collect_cleanup(&c);
    return rc;
}

/* ---- error summary and top types ---------------------------------------------------------------
 */

int tempo_run_error_summary(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err)
{
    struct tempo_collect c;
    int rc = collect_range(ctx, q, q->limit, false, &c, err);
    if (rc == 0) {
        struct frame *f = tempo_summary_frame(ctx, q, &c.samples[0].errors);
        finish_frame(f, &c);
        frame_list_push(out, f);
    }
    tempo_collect_cleanup(&c);
    return rc;
}

int tempo_run_top_types(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                        struct et_error *err)
{
    struct tempo_collect c;
    int rc = collect_range(ctx, q, TOP_TYPES_SAMPLE, false, &c, err);
    if (rc == 0) {
        const struct tempo_error_list *l = &c.samples[0].errors;
        struct frame *f = tempo_top_types_frame(q, l);
        finish_frame(f, &c);
        char note[300];
        snprintf(note, sizeof note,
                 "Source: Tempo search (%zu error spans in %zu traces); the span metrics have "
                 "no events metric.",
                 l->n, c.samples[0].traces);
        frame_meta_add_notice(f, FRAME_NOTICE_INFO, note);
        frame_list_push(out, f);
    }
    tempo_collect_cleanup(&c);
    return rc;
}

/* ---- trace exceptions --------------------------------------------------------------------------
 */

struct trace_columns {
    struct frame_field *time, *trace_id, *span_id, *service, *span_name, *route, *type, *message,
        *stacktrace, *escaped;
};

static void trace_columns(const struct query_ctx *ctx, struct frame *f, struct trace_columns *c)
{
    c->time = frame_add_field(f, "time", FRAME_TIME, false);
    c->trace_id = trace_id_field(ctx, f);
    c->span_id = frame_add_field(f, "spanID", FRAME_STRING, false);
    c->service = frame_add_field(f, "service", FRAME_STRING, false);
    c->span_name = frame_add_field(f, "spanName", FRAME_STRING, false);
    c->route = frame_add_field(f, "route", FRAME_STRING, false);
    c->type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
    c->message = frame_add_field(f, "message", FRAME_STRING, false);
    c->stacktrace = frame_add_field(f, "stacktrace", FRAME_STRING, false);
    c->escaped = frame_add_field(f, "escaped", FRAME_BOOL, true);
}

static struct frame *trace_table(const struct query_ctx *ctx, const struct query *q,
                                 const struct tempo_trace *t)
{
    struct frame *f = frame_new_table(q->ref_id, "trace-exceptions");
    struct trace_columns col;
    trace_columns(ctx, f, &col);
    if (!t)
        return f;
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_all_of_trace(&l, t);
    for (size_t i = 0; i < l.n; i++) {
        const struct tempo_error *e = &l.items[i];
        frame_field_append_time_ns(col.time, e->event_ns);
        frame_field_append_cstring(col.trace_id, e->trace_id);
        frame_field_append_cstring(col.span_id, e->span_id);
        frame_field_append_cstring(col.service, e->service);
        frame_field_append_cstring(col.span_name, e->span_name);
        frame_field_append_cstring(col.route, e->route);
        frame_field_append_cstring(col.type, e->exception_type);
        frame_field_append_cstring(col.message, e->message);
        frame_field_append_cstring(col.stacktrace, e->stacktrace);
        if (e->escaped < 0)
            frame_field_append_null(col.escaped);
        else
            frame_field_append_bool(col.escaped, e->escaped != 0);
    }
    tempo_error_list_cleanup(&l);
    return f;
}

int tempo_run_trace_exceptions(const struct query_ctx *ctx, const struct query *q,
                               struct frame_list *out, struct et_error *err)
{
    char id[33];
    if (query_normalize_trace_id(q->trace_id, id, err) < 0)
        return -1;
    struct tempo_caps caps;
    if (tempo_caps_get(ctx, &caps, err) < 0)
        return -1;
    struct tempo_collect counts;
    memset(&counts, 0, sizeof counts);
    struct tempo_fetch fetch = {.trace_id = id};
    tempo_read_traces(ctx, &caps, &fetch, 1, &counts);
    if (et_error_is_set(&fetch.err)) {
        *err = fetch.err;
        return -1;
    }
    struct frame *f = trace_table(ctx, q, fetch.trace);
    struct et_buf exec;
    et_buf_init(&exec, ET_BUF_UNLIMITED);
    et_buf_printf(&exec, "# Tempo %s\nGET /api/%straces/%s%s", caps.version,
                  (caps.caps & TEMPO_CAP_V2_TRACES) ? "v2/" : "", id,
                  counts.from_cache ? " (from the trace cache)" : "");
    frame_meta_set_executed_query(f, et_buf_cstr(&exec));
    et_buf_cleanup(&exec);
    if (fetch.not_found) {
        char note[200];
        snprintf(note, sizeof note, "Trace %s was not found in Tempo.", id);
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, note);
    } else if (fetch.trace && fetch.trace->partial) {
        char note[600];
        snprintf(note, sizeof note, "Tempo returned a partial trace: %s", fetch.trace->message);
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, note);
    }
    frame_list_push(out, f);
    if (q->trace_view && fetch.trace) {
        struct frame *view = tempo_traceview_frame(fetch.trace);
        frame_set_ref_id(view, q->ref_id);
        frame_list_push(out, view);
    }
    tempo_trace_unref(fetch.trace);
    return 0;
}

/* ---- variable values
 * ----------------------------------------------------------------------------- */

/* Exception types seen in a sample of error traces (before Tempo 2.6 there is
 * no event scope to ask for tag values). */
static int types_from_sample(const struct query_ctx *ctx, const struct query *q,
                             struct et_strlist *out, struct et_error *err)
{
    struct tempo_collect c;
    int rc = collect_range(ctx, q, VALUES_SAMPLE, false, &c, err);
    for (size_t i = 0; rc == 0 && i < c.samples[0].errors.n; i++) {
        const char *t = c.samples[0].errors.items[i].exception_type;
        /* only types recorded in exception events, as the 2.6+ tag values */
        if (strcmp(t, TEMPO_NO_EXCEPTION) != 0 && strcmp(t, TEMPO_UNKNOWN_TYPE) != 0)
            et_strlist_push_unique(out, t);
    }
    tempo_collect_cleanup(&c);
    return rc;
}

static int values_for(const struct query_ctx *ctx, const struct query *q, struct et_strlist *out,
                      struct et_error *err)
{
    struct tempo_caps caps;
    if (tempo_caps_get(ctx, &caps, err) < 0)
        return -1;
    int64_t start = q->from_ms / 1000, end = (q->to_ms + 999) / 1000;
    struct et_strlist none;
    et_strlist_init(&none);
    /* a variable is never narrowed by its own filter */
    const struct et_strlist *svc = q->variable == VARIABLE_SERVICES ? &none : &q->services;
    struct et_buf filter;
    et_buf_init(&filter, ET_BUF_UNLIMITED);
    if (caps.caps & TEMPO_CAP_TAG_FILTER)
        traceql_build_scope_filter(&filter, svc, &q->environment);
    const char *f = et_buf_cstr(&filter);
    int rc;
    switch (q->variable) {
    case VARIABLE_SERVICES:
        rc = tempo_tag_values(ctx, "resource.service.name", "service.name", f, start, end,
                              VALUES_MAX, out, err);
        break;
    case VARIABLE_ROUTES:
        rc = tempo_tag_values(ctx, "span.http.route", "http.route", f, start, end, VALUES_MAX, out,
                              err);
        if (rc == 0 && out->n == 0)
            rc = tempo_tag_values(ctx, "name", NULL, f, start, end, VALUES_MAX, out, err);
        break;
    case VARIABLE_SPAN_NAMES:
        rc = tempo_tag_values(ctx, "name", NULL, f, start, end, VALUES_MAX, out, err);
        break;
    case VARIABLE_EXCEPTION_TYPES:
    default:
        if (caps.caps & TEMPO_CAP_EVENTS)
            rc = tempo_tag_values(ctx, "event.exception.type", NULL, f, start, end, VALUES_MAX, out,
                                  err);
        else
            rc = types_from_sample(ctx, q, out, err);
        break;
    }
    et_buf_cleanup(&filter);
    return rc;
}

int tempo_run_variable(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                       struct et_error *err)
{
    struct et_strlist values;
    et_strlist_init(&values);
    struct query narrowed = *q;
    struct et_strlist empty;
    et_strlist_init(&empty);
    if (q->variable == VARIABLE_EXCEPTION_TYPES)
        narrowed.exception_types = empty;
    if (q->variable == VARIABLE_ROUTES)
        narrowed.routes = empty;
    if (values_for(ctx, &narrowed, &values, err) < 0) {
        et_strlist_cleanup(&values);
        return -1;
    }
    et_strlist_sort(&values);
    struct frame *f = frame_new("values");
    struct frame_field *text = frame_add_field(f, "text", FRAME_STRING, false);
    struct frame_field *value = frame_add_field(f, "value", FRAME_STRING, false);
    for (size_t i = 0; i < values.n && i < (size_t)q->limit; i++) {
        frame_field_append_cstring(text, values.items[i]);
        frame_field_append_cstring(value, values.items[i]);
    }
    frame_list_push(out, f);
    et_strlist_cleanup(&values);
    return 0;
}

int tempo_list_values(const struct query_ctx *ctx, enum variable_kind what,
                      const struct et_strlist *services, int64_t from_ms, int64_t to_ms,
                      struct et_strlist *out, struct et_error *err)
{
    struct query q;
    memset(&q, 0, sizeof q);
    q.kind = QUERY_VARIABLE;
    q.type_name = "variable";
    q.variable = what;
    q.from_ms = from_ms;
    q.to_ms = to_ms > from_ms ? to_ms : from_ms + 1;
    q.limit = VALUES_MAX;
    et_strlist_init(&q.routes);
    et_strlist_init(&q.exception_types);
    et_strlist_init(&q.environment);
    q.services = *services; /* borrowed */
    return values_for(ctx, &q, out, err);
}

/* ---- health -------------------------------------------------------------------------------------
 */

int tempo_health(const struct query_ctx *ctx, json_t *details)
{
    json_object_set_new(details, "url", json_string(ctx->inst->settings.tempo_url));
    struct et_error err;
    et_error_clear(&err);
    struct tempo_caps caps;
    if (tempo_echo(ctx, &err) < 0 || tempo_caps_get(ctx, &caps, &err) < 0) {
        json_object_set_new(details, "ok", json_false());
        json_object_set_new(details, "error", json_string(err.message));
        return -1;
    }
    char desc[300];
    tempo_caps_describe(&caps, desc, sizeof desc);
    json_object_set_new(details, "ok", json_true());
    json_object_set_new(details, "version", json_string(caps.version));
    json_object_set_new(details, "searchMode", json_string(caps.use_select ? "select" : "fetch"));
    json_object_set_new(details, "eventScope", json_boolean((caps.caps & TEMPO_CAP_EVENTS) != 0));
    json_object_set_new(details, "summary",
                        json_string(caps.use_select ? "select mode: one TraceQL search answers"
                                                    : "fetch mode: error traces are read by ID"));
    json_object_set_new(details, "detail", json_string(desc));
    return 0;
}
