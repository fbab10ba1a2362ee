/* SPDX-License-Identifier: Apache-2.0
 *
 * The error-groups panel from Tempo (see tempo_runners.h and
 * docs/queries.md): the error sample of the range and of the previous range
 * of equal length (the baseline, searched in parallel), grouped by
 * stack-trace fingerprint by the analysis module's engine
 * (analysis/error_groups.h), which also computes trends, `new`, the
 * previous-range comparison and `resolved`.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/error_groups.h"
#include "frame/frame_helpers.h"
#include "tempo/tempo_collect.h"
#include "tempo/tempo_runners.h"

struct group_columns {
    struct frame_field *fingerprint, *type, *template, *culprit, *services, *routes, *count, *first,
        *last, *trend, *sparkline, *trace_id, *is_new, *previous, *change, *status;
};

static void add_columns(const struct query_ctx *ctx, const struct query *q, struct frame *f,
                        struct group_columns *c)
{
    const struct settings *s = &ctx->inst->settings;
    c->fingerprint = frame_add_field(f, "fingerprint", FRAME_STRING, false);
    c->type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
    c->template = frame_add_field(f, "messageTemplate", FRAME_STRING, false);
    c->culprit = frame_add_field(f, "culprit", FRAME_STRING, false);
    c->services = frame_add_field(f, "services", FRAME_STRING, false);
    c->routes = frame_add_field(f, "routes", FRAME_STRING, false);
    c->count = frame_add_field(f, "count", FRAME_INT64, false);
    c->first = frame_add_field(f, "firstSeen", FRAME_TIME, false);
    c->last = frame_add_field(f, "lastSeen", FRAME_TIME, false);
    c->trend = frame_add_field(f, "trend", FRAME_JSON, false);
    c->sparkline = frame_add_field(f, "sparkline", FRAME_STRING, false);
    c->trace_id =
        frame_add_trace_id_field(f, "traceID", s->tempo_datasource_uid, s->tempo_datasource_name);
    c->is_new = frame_add_field(f, "new", FRAME_BOOL, false);
    if (!q->compare_previous)
        return;
    c->previous = frame_add_field(f, "previousCount", FRAME_INT64, false);
    c->change = frame_add_field(f, "change", FRAME_FLOAT64, true);
    c->status = frame_add_field(f, "status", FRAME_STRING, false);
}

/* "a, b, c" (and ", …" when the engine stopped listing). */
static void join(struct et_buf *b, const struct et_strlist *l, bool capped)
{
    et_buf_reset(b);
    for (size_t i = 0; i < l->n; i++)
        et_buf_printf(b, "%s%s", i ? ", " : "", l->items[i]);
    if (capped)
        et_buf_append_str(b, ", \xe2\x80\xa6");
}

static void add_row(const struct group_columns *c, const struct query *q,
                    const struct error_groups *g, const struct error_group *r, struct et_buf *tmp)
{
    frame_field_append_cstring(c->fingerprint, r->id);
    frame_field_append_cstring(c->type, r->exception_type);
    frame_field_append_cstring(c->template, r->message_template);
    frame_field_append_cstring(c->culprit, r->culprit);
    join(tmp, &r->services, r->services_capped);
    frame_field_append_cstring(c->services, et_buf_cstr(tmp));
    join(tmp, &r->routes, r->routes_capped);
    frame_field_append_cstring(c->routes, et_buf_cstr(tmp));
    frame_field_append_int(c->count, r->count);
    frame_field_append_time_ns(c->first, r->first_seen_ns);
    frame_field_append_time_ns(c->last, r->last_seen_ns);
    et_buf_reset(tmp);
    error_group_trend_json(g, r, tmp);
    frame_field_append_json(c->trend, et_buf_cstr(tmp), tmp->len);
    frame_field_append_cstring(c->sparkline, r->sparkline);
    frame_field_append_cstring(c->trace_id, r->trace_id);
    frame_field_append_bool(c->is_new, r->is_new);
    if (!q->compare_previous)
        return;
    frame_field_append_int(c->previous, r->previous_count);
    if (isfinite(r->change))
        frame_field_append_float(c->change, r->change);
    else
        frame_field_append_null(c->change);
    frame_field_append_cstring(c->status, error_group_status_name(r->status));
}

static void feed(struct error_groups *g, const struct tempo_error_list *l, bool baseline)
{
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
            .in_baseline = baseline,
        };
        error_groups_add(g, &ev);
    }
}

static struct frame *groups_frame(const struct query_ctx *ctx, const struct query *q,
                                  const struct tempo_collect *c)
{
    struct error_groups_options opt = {
        .from_ns = q->from_ms * 1000000,
        .to_ns = q->to_ms * 1000000,
        .buckets = q->buckets,
        .baseline = true,
        .list_resolved = q->compare_previous,
    };
    struct error_groups *g = error_groups_new(&opt);
    feed(g, &c->samples[0].errors, false);
    feed(g, &c->samples[1].errors, true);
    struct frame *f = frame_new_table(q->ref_id, "error-groups");
    struct group_columns col = {0};
    add_columns(ctx, q, f, &col);
    size_t n;
    const struct error_group *const *rows = error_groups_rows(
        g, q->sort == GROUPS_SORT_NEW ? ERROR_GROUPS_BY_NEW : ERROR_GROUPS_BY_COUNT, &n);
    struct et_buf tmp;
    et_buf_init(&tmp, ET_BUF_UNLIMITED);
    for (size_t i = 0; i < n; i++)
        add_row(&col, q, g, rows[i], &tmp);
    char note[400];
    snprintf(note, sizeof note,
             "Grouped %zu error spans of the range by stack-trace fingerprint (%zu in the "
             "previous range, the baseline for new and resolved groups).",
             c->samples[0].errors.n, c->samples[1].errors.n);
    frame_meta_add_notice(f, FRAME_NOTICE_INFO, note);
    if (error_groups_dropped(g)) {
        snprintf(note, sizeof note, "%zu errors were not grouped: too many distinct groups.",
                 error_groups_dropped(g));
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, note);
    }
    et_buf_cleanup(&tmp);
    error_groups_free(g);
    return f;
}

int tempo_run_error_groups(const struct query_ctx *ctx, const struct query *q,
                           struct frame_list *out, struct et_error *err)
{
    int64_t span = q->to_ms - q->from_ms;
    struct tempo_range ranges[2] = {
        {q->from_ms, q->to_ms, "range"},
        {q->from_ms - span, q->from_ms, "previous range"},
    };
    struct tempo_collect c;
    int rc = tempo_collect_run(ctx, q, ranges, 2, q->limit, false, &c, err);
    if (rc == 0) {
        struct frame *f = groups_frame(ctx, q, &c);
        frame_meta_set_executed_query(f, et_buf_cstr(&c.executed));
        tempo_collect_add_notices(&c, f);
        frame_list_push(out, f);
    }
    tempo_collect_cleanup(&c);
    return rc;
}
