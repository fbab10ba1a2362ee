/* SPDX-License-Identifier: Apache-2.0
 *
 * Service + exception type counts (see tempo_summary.h), computed by the
 * analysis module's error-summary aggregator (analysis/error_summary.h).
 */
#include "tempo/tempo_summary.h"

#include "analysis/error_summary.h"
#include "frame/frame_helpers.h"

/* The list's strings stay put while it lives, and the search parser gives
 * equal services and types one pointer: the summary groups by pointer. */
static struct error_summary *summarise(const struct tempo_error_list *l)
{
    struct error_summary *s = error_summary_new_stable();
    for (size_t i = 0; i < l->n; i++) {
        const struct tempo_error *e = &l->items[i];
        struct error_event ev = {
            .time_ns = e->time_ns,
            .service = e->service,
            .route = e->route,
            .exception_type = e->exception_type,
            .message = e->message,
            .stacktrace = e->stacktrace,
            .sdk_language = e->sdk_language,
            .custom_fingerprint = e->custom_fingerprint,
            .trace_id = e->trace_id,
            .span_id = e->span_id,
        };
        error_summary_add(s, &ev);
    }
    return s;
}

struct frame *tempo_summary_frame(const struct query_ctx *ctx, const struct query *q,
                                  const struct tempo_error_list *errors)
{
    const struct settings *st = &ctx->inst->settings;
    struct frame *f = frame_new_table(q->ref_id, "error-summary");
    struct frame_field *svc = frame_add_field(f, "service", FRAME_STRING, false);
    struct frame_field *type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
    struct frame_field *count = frame_add_field(f, "count", FRAME_INT64, false);
    struct frame_field *first = frame_add_field(f, "firstSeen", FRAME_TIME, false);
    struct frame_field *last = frame_add_field(f, "lastSeen", FRAME_TIME, false);
    struct frame_field *trace =
        frame_add_trace_id_field(f, "traceID", st->tempo_datasource_uid, st->tempo_datasource_name);
    struct frame_field *msg = frame_add_field(f, "message", FRAME_STRING, false);
    struct frame_field *stack = frame_add_field(f, "stacktrace", FRAME_STRING, false);
    struct error_summary *s = summarise(errors);
    size_t n;
    const struct error_summary_row *const *rows = error_summary_rows(s, &n);
    for (size_t i = 0; i < n; i++) {
        const struct error_summary_row *r = rows[i];
        frame_field_append_cstring(svc, r->service);
        frame_field_append_cstring(type, r->exception_type);
        frame_field_append_int(count, r->count);
        frame_field_append_time_ns(first, r->first_seen_ns);
        frame_field_append_time_ns(last, r->last_seen_ns);
        frame_field_append_cstring(trace, r->trace_id);
        frame_field_append_cstring(msg, r->message);
        frame_field_append_cstring(stack, r->stacktrace);
    }
    if (error_summary_dropped(s))
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING,
                              "Too many service and exception type pairs: some errors are not "
                              "listed.");
    error_summary_free(s);
    return f;
}

struct frame *tempo_top_types_frame(const struct query *q, const struct tempo_error_list *errors)
{
    struct frame *f = frame_new_table(q->ref_id, "top-types");
    struct frame_field *svc = frame_add_field(f, "service", FRAME_STRING, false);
    struct frame_field *type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
    struct frame_field *count = frame_add_field(f, "count", FRAME_FLOAT64, false);
    frame_field_set_decimals(count, 0);
    struct error_summary *s = summarise(errors);
    size_t n;
    const struct error_summary_row *const *rows = error_summary_rows(s, &n);
    for (size_t i = 0; i < n && i < (size_t)q->limit; i++) {
        frame_field_append_cstring(svc, rows[i]->service);
        frame_field_append_cstring(type, rows[i]->exception_type);
        frame_field_append_float(count, (double)rows[i]->count);
    }
    error_summary_free(s);
    return f;
}
