/* SPDX-License-Identifier: Apache-2.0
 *
 * Trace-by-ID bodies into struct tempo_trace (see tempo_trace.h).
 *
 * DESIGN: jansson builds the tree (bodies are capped by the HTTP client),
 * then two passes over it: the first counts resources and spans so every
 * array is allocated once at its final size from the trace's pool, the
 * second fills them. The tree is freed before returning; the trace keeps
 * only its pool.
 */
#include "tempo/tempo_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const char *const KIND_NAMES[] = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
};
static const char *const STATUS_NAMES[] = {
    "STATUS_CODE_UNSET",
    "STATUS_CODE_OK",
    "STATUS_CODE_ERROR",
};

const char *tempo_kind_name(int kind)
{
    static const char *const names[] = {"", "internal", "server", "client", "producer", "consumer"};
    return kind > 0 && kind < 6 ? names[kind] : "";
}

/* The ResourceSpans array of any accepted top-level shape, or NULL. */
static const json_t *resource_spans_of(const json_t *root, bool *is_trace)
{
    const json_t *v;
    *is_trace = true;
    if ((v = json_object_get(root, "batches")))
        return v;
    if ((v = json_object_get(root, "resourceSpans")))
        return v;
    if ((v = json_object_get(root, "trace")) && json_is_object(v))
        return json_object_get(v, "resourceSpans");
    *is_trace = false;
    return NULL;
}

static const json_t *scope_spans_of(const json_t *rs)
{
    const json_t *v = json_object_get(rs, "scopeSpans");
    return v ? v : json_object_get(rs, "instrumentationLibrarySpans");
}

static const json_t *scope_of(const json_t *ss)
{
    const json_t *v = json_object_get(ss, "scope");
    return v ? v : json_object_get(ss, "instrumentationLibrary");
}

static size_t count_spans(const json_t *rss)
{
    size_t total = 0, i, j;
    const json_t *rs, *ss;
    json_array_foreach(rss, i, rs)
    {
        json_array_foreach(scope_spans_of(rs), j, ss) total +=
            json_array_size(json_object_get(ss, "spans"));
    }
    return total;
}

static const char *pool_str(struct tempo_pool *p, const json_t *v)
{
    size_t len;
    const char *s = tempo_json_str(v, &len);
    return tempo_pool_strndup(p, s, len);
}

static void decode_id(const json_t *v, size_t nbytes, char *out)
{
    size_t len;
    const char *s = tempo_json_str(v, &len);
    tempo_json_id(s, len, nbytes, out);
}

static void parse_events(struct tempo_pool *p, const json_t *arr, struct tempo_span *s)
{
    size_t n = json_array_size(arr);
    if (n > TEMPO_TRACE_MAX_EVENTS)
        n = TEMPO_TRACE_MAX_EVENTS;
    if (n == 0)
        return;
    s->events = tempo_pool_array(p, n, sizeof *s->events);
    s->n_events = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        struct tempo_event *ev = &s->events[i];
        ev->time_ns = tempo_json_int64(json_object_get(e, "timeUnixNano"), 0);
        ev->name = pool_str(p, json_object_get(e, "name"));
        ev->n_attrs = tempo_json_kv_list(p, json_object_get(e, "attributes"), TEMPO_TRACE_MAX_ATTRS,
                                         &ev->attrs);
    }
}

static void parse_links(struct tempo_pool *p, const json_t *arr, struct tempo_span *s)
{
    size_t n = json_array_size(arr);
    if (n > TEMPO_TRACE_MAX_LINKS)
        n = TEMPO_TRACE_MAX_LINKS;
    if (n == 0)
        return;
    s->links = tempo_pool_array(p, n, sizeof *s->links);
    s->n_links = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        const json_t *l = json_array_get(arr, i);
        struct tempo_link *lk = &s->links[i];
        decode_id(json_object_get(l, "traceId"), 16, lk->trace_id);
        decode_id(json_object_get(l, "spanId"), 8, lk->span_id);
        lk->trace_state = pool_str(p, json_object_get(l, "traceState"));
        lk->n_attrs = tempo_json_kv_list(p, json_object_get(l, "attributes"), TEMPO_TRACE_MAX_ATTRS,
                                         &lk->attrs);
    }
}

static void parse_span(struct tempo_trace *t, const json_t *js, struct tempo_span *s)
{
    struct tempo_pool *p = &t->pool;
    decode_id(json_object_get(js, "traceId"), 16, s->trace_id);
    if (!s->trace_id[0])
        memcpy(s->trace_id, t->trace_id, sizeof s->trace_id);
    decode_id(json_object_get(js, "spanId"), 8, s->span_id);
    decode_id(json_object_get(js, "parentSpanId"), 8, s->parent_span_id);
    s->name = pool_str(p, json_object_get(js, "name"));
    s->trace_state = pool_str(p, json_object_get(js, "traceState"));
    s->kind = tempo_json_enum(json_object_get(js, "kind"), KIND_NAMES, 6);
    s->start_ns = tempo_json_int64(json_object_get(js, "startTimeUnixNano"), 0);
    s->end_ns = tempo_json_int64(json_object_get(js, "endTimeUnixNano"), 0);
    const json_t *st = json_object_get(js, "status");
    s->status_code = tempo_json_enum(json_object_get(st, "code"), STATUS_NAMES, 3);
    s->status_message = pool_str(p, json_object_get(st, "message"));
    s->n_attrs =
        tempo_json_kv_list(p, json_object_get(js, "attributes"), TEMPO_TRACE_MAX_ATTRS, &s->attrs);
    parse_events(p, json_object_get(js, "events"), s);
    parse_links(p, json_object_get(js, "links"), s);
}

static void parse_resource(struct tempo_trace *t, const json_t *rs, struct tempo_resource *r)
{
    r->n_attrs =
        tempo_json_kv_list(&t->pool, json_object_get(json_object_get(rs, "resource"), "attributes"),
                           TEMPO_TRACE_MAX_ATTRS, &r->attrs);
    const char *svc = tempo_kv_string(r->attrs, r->n_attrs, "service.name");
    r->service = svc ? svc : "unknown_service";
}

static void fill(struct tempo_trace *t, const json_t *rss)
{
    size_t i, j, k, n = 0;
    const json_t *rs, *ss, *sp;
    json_array_foreach(rss, i, rs)
    {
        parse_resource(t, rs, &t->resources[i]);
        json_array_foreach(scope_spans_of(rs), j, ss)
        {
            const json_t *scope = scope_of(ss);
            const char *scope_name = pool_str(&t->pool, json_object_get(scope, "name"));
            const char *scope_version = pool_str(&t->pool, json_object_get(scope, "version"));
            json_array_foreach(json_object_get(ss, "spans"), k, sp)
            {
                if (n >= t->n_spans)
                    return;
                struct tempo_span *s = &t->spans[n++];
                parse_span(t, sp, s);
                s->resource = (uint32_t)i;
                s->scope_name = scope_name;
                s->scope_version = scope_version;
            }
        }
    }
}

static int64_t newest_time(const struct tempo_trace *t)
{
    int64_t last = 0;
    for (size_t i = 0; i < t->n_spans; i++) {
        int64_t e =
            t->spans[i].end_ns > t->spans[i].start_ns ? t->spans[i].end_ns : t->spans[i].start_ns;
        if (e > last)
            last = e;
    }
    return last;
}

struct tempo_trace *tempo_trace_parse(const char *body, size_t len, const char *trace_id,
                                      struct et_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "Tempo returned a trace that is not JSON (%s at byte %d)",
                            root ? "not an object" : jerr.text, root ? 0 : jerr.position),
               NULL;
    }
    struct tempo_trace *t = tempo_trace_from_json(root, trace_id, err);
    json_decref(root);
    return t;
}

struct tempo_trace *tempo_trace_from_json(const json_t *root, const char *trace_id,
                                          struct et_error *err)
{
    bool is_trace;
    const json_t *rss = json_is_object(root) ? resource_spans_of(root, &is_trace) : NULL;
    if (!json_is_object(root) || !is_trace || (rss && !json_is_array(rss)))
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "Tempo returned JSON that is not a trace (no batches, trace or "
                            "resourceSpans)"),
               NULL;
    size_t n_spans = count_spans(rss);
    if (n_spans > TEMPO_TRACE_MAX_SPANS)
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "the trace has %zu spans, more than the %d this plugin reads", n_spans,
                            TEMPO_TRACE_MAX_SPANS),
               NULL;
    struct tempo_trace *t = et_xcalloc(1, sizeof *t);
    t->refs = 1;
    tempo_pool_init(&t->pool);
    if (trace_id)
        snprintf(t->trace_id, sizeof t->trace_id, "%s", trace_id);
    t->n_resources = json_array_size(rss);
    t->resources = tempo_pool_array(&t->pool, t->n_resources, sizeof *t->resources);
    t->n_spans = n_spans;
    t->spans = tempo_pool_array(&t->pool, n_spans, sizeof *t->spans);
    fill(t, rss);
    if (!t->trace_id[0] && t->n_spans)
        memcpy(t->trace_id, t->spans[0].trace_id, sizeof t->trace_id);
    const char *status = tempo_json_str(json_object_get(root, "status"), NULL);
    t->partial = strcmp(status, "PARTIAL") == 0;
    t->message = t->partial ? pool_str(&t->pool, json_object_get(root, "message")) : "";
    t->bytes = sizeof *t + t->pool.bytes;
    t->last_end_ns = newest_time(t);
    return t;
}

void tempo_trace_ref(struct tempo_trace *t)
{
    __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void tempo_trace_unref(struct tempo_trace *t)
{
    if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    tempo_pool_cleanup(&t->pool);
    free(t);
}

const struct tempo_resource *tempo_span_resource(const struct tempo_trace *t,
                                                 const struct tempo_span *s)
{
    static const struct tempo_resource none = {NULL, 0, "unknown_service"};
    return s->resource < t->n_resources ? &t->resources[s->resource] : &none;
}
