/* SPDX-License-Identifier: Apache-2.0
 *
 * Trace-view frame (see tempo_traceview.h). The JSON columns are written with
 * the Go-compatible escaper (core/json_escape.h); attribute values keep
 * their type (numbers, booleans, strings; arrays and maps as their JSON
 * text), as Grafana's Tempo backend does.
 */
#include "tempo/tempo_traceview.h"

#include <math.h>
#include <string.h>

#include "core/buf.h"
#include "core/json_escape.h"

static void kv_value(struct et_buf *b, const struct tempo_kv *kv)
{
    switch (kv->type) {
    case TEMPO_VALUE_INT:
        et_buf_printf(b, "%lld", (long long)kv->i);
        break;
    case TEMPO_VALUE_DOUBLE:
        if (isfinite(kv->d))
            et_json_append_double(b, kv->d);
        else
            et_json_append_cstring(b, kv->text);
        break;
    case TEMPO_VALUE_BOOL:
        et_buf_append_str(b, kv->i ? "true" : "false");
        break;
    default:
        et_json_append_cstring(b, kv->text);
    }
}

static void kv_array(struct et_buf *b, const struct tempo_kv *kvs, uint32_t n)
{
    et_buf_putc(b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            et_buf_putc(b, ',');
        et_buf_append_str(b, "{\"key\":");
        et_json_append_cstring(b, kvs[i].key);
        et_buf_append_str(b, ",\"value\":");
        kv_value(b, &kvs[i]);
        et_buf_putc(b, '}');
    }
    et_buf_putc(b, ']');
}

static void logs_json(struct et_buf *b, const struct tempo_span *s)
{
    et_buf_putc(b, '[');
    for (uint32_t i = 0; i < s->n_events; i++) {
        const struct tempo_event *ev = &s->events[i];
        if (i)
            et_buf_putc(b, ',');
        et_buf_append_str(b, "{\"timestamp\":");
        et_json_append_double(b, (double)ev->time_ns / 1e6);
        et_buf_append_str(b, ",\"name\":");
        et_json_append_cstring(b, ev->name);
        et_buf_append_str(b, ",\"fields\":[{\"key\":\"event\",\"value\":");
        et_json_append_cstring(b, ev->name);
        et_buf_putc(b, '}');
        if (ev->n_attrs) {
            et_buf_putc(b, ',');
            struct et_buf inner;
            et_buf_init(&inner, ET_BUF_UNLIMITED);
            kv_array(&inner, ev->attrs, ev->n_attrs);
            /* drop the brackets of the attribute array: they join the event field */
            et_buf_append(b, inner.data + 1, inner.len - 2);
            et_buf_cleanup(&inner);
        }
        et_buf_append_str(b, "]}");
    }
    et_buf_putc(b, ']');
}

static void references_json(struct et_buf *b, const struct tempo_span *s)
{
    et_buf_putc(b, '[');
    for (uint32_t i = 0; i < s->n_links; i++) {
        const struct tempo_link *l = &s->links[i];
        if (i)
            et_buf_putc(b, ',');
        et_buf_append_str(b, "{\"traceID\":");
        et_json_append_cstring(b, l->trace_id);
        et_buf_append_str(b, ",\"spanID\":");
        et_json_append_cstring(b, l->span_id);
        et_buf_append_str(b, ",\"tags\":");
        kv_array(b, l->attrs, l->n_attrs);
        et_buf_putc(b, '}');
    }
    et_buf_putc(b, ']');
}

struct columns {
    struct frame_field *trace_id, *span_id, *parent, *operation, *service, *service_tags, *start,
        *duration, *logs, *references, *tags, *kind, *status_code, *status_message, *lib_name,
        *lib_version, *trace_state;
};

static void add_columns(struct frame *f, struct columns *c)
{
    c->trace_id = frame_add_field(f, "traceID", FRAME_STRING, false);
    c->span_id = frame_add_field(f, "spanID", FRAME_STRING, false);
    c->parent = frame_add_field(f, "parentSpanID", FRAME_STRING, true);
    c->operation = frame_add_field(f, "operationName", FRAME_STRING, false);
    c->service = frame_add_field(f, "serviceName", FRAME_STRING, false);
    c->service_tags = frame_add_field(f, "serviceTags", FRAME_JSON, false);
    c->start = frame_add_field(f, "startTime", FRAME_FLOAT64, false);
    c->duration = frame_add_field(f, "duration", FRAME_FLOAT64, false);
    c->logs = frame_add_field(f, "logs", FRAME_JSON, false);
    c->references = frame_add_field(f, "references", FRAME_JSON, false);
    c->tags = frame_add_field(f, "tags", FRAME_JSON, false);
    c->kind = frame_add_field(f, "kind", FRAME_STRING, false);
    c->status_code = frame_add_field(f, "statusCode", FRAME_INT64, false);
    c->status_message = frame_add_field(f, "statusMessage", FRAME_STRING, false);
    c->lib_name = frame_add_field(f, "instrumentationLibraryName", FRAME_STRING, false);
    c->lib_version = frame_add_field(f, "instrumentationLibraryVersion", FRAME_STRING, false);
    c->trace_state = frame_add_field(f, "traceState", FRAME_STRING, false);
}

static void add_json(struct frame_field *field, struct et_buf *b)
{
    frame_field_append_json(field, et_buf_cstr(b), b->len);
    et_buf_reset(b);
}

static void add_span(const struct columns *c, const struct tempo_trace *t,
                     const struct tempo_span *s, struct et_buf *b)
{
    const struct tempo_resource *r = tempo_span_resource(t, s);
    frame_field_append_cstring(c->trace_id, s->trace_id[0] ? s->trace_id : t->trace_id);
    frame_field_append_cstring(c->span_id, s->span_id);
    frame_field_append_cstring(c->parent, s->parent_span_id[0] ? s->parent_span_id : NULL);
    frame_field_append_cstring(c->operation, s->name);
    frame_field_append_cstring(c->service, r->service);
    kv_array(b, r->attrs, r->n_attrs);
    add_json(c->service_tags, b);
    frame_field_append_float(c->start, (double)s->start_ns / 1e6);
    int64_t d = s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0;
    frame_field_append_float(c->duration, (double)d / 1e6);
    logs_json(b, s);
    add_json(c->logs, b);
    references_json(b, s);
    add_json(c->references, b);
    kv_array(b, s->attrs, s->n_attrs);
    add_json(c->tags, b);
    frame_field_append_cstring(c->kind, tempo_kind_name(s->kind));
    frame_field_append_int(c->status_code, s->status_code);
    frame_field_append_cstring(c->status_message, s->status_message);
    frame_field_append_cstring(c->lib_name, s->scope_name);
    frame_field_append_cstring(c->lib_version, s->scope_version);
    frame_field_append_cstring(c->trace_state, s->trace_state);
}

struct frame *tempo_traceview_frame(const struct tempo_trace *t)
{
    struct frame *f = frame_new("Trace");
    frame_meta_set_preferred_visualisation(f, "trace");
    struct columns c;
    add_columns(f, &c);
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    for (size_t i = 0; i < t->n_spans; i++)
        if (t->spans[i].span_id[0])
            add_span(&c, t, &t->spans[i], &b);
    et_buf_cleanup(&b);
    return f;
}
