/* SPDX-License-Identifier: Apache-2.0
 *
 * Summary and group frames of `triage` (see triage_frames.h). Column names,
 * types and order follow tempo_summary.c and tempo_groups.c exactly, so a
 * triage answer reads like the panel's.
 */
#include "cli/triage_frames.h"

#include <math.h>
#include <stdio.h>

#include "core/buf.h"
#include "frame/frame_helpers.h"

static size_t shown(size_t n, size_t limit)
{
    return limit && limit < n ? limit : n;
}

static void note_cut(struct frame *f, size_t kept, size_t n, const char *what)
{
    if (kept == n)
        return;
    char note[200];
    snprintf(note, sizeof note, "Showing the first %zu of %zu %s (--limit).", kept, n, what);
    frame_meta_add_notice(f, FRAME_NOTICE_INFO, note);
}

struct frame *triage_summary_frame(const char *ref_id, struct error_summary *s, size_t limit)
{
    struct frame *f = frame_new_table(ref_id, "error-summary");
    struct frame_field *svc = frame_add_field(f, "service", FRAME_STRING, false);
    struct frame_field *type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
    struct frame_field *count = frame_add_field(f, "count", FRAME_INT64, false);
    struct frame_field *first = frame_add_field(f, "firstSeen", FRAME_TIME, false);
    struct frame_field *last = frame_add_field(f, "lastSeen", FRAME_TIME, false);
    struct frame_field *trace = frame_add_trace_id_field(f, "traceID", NULL, NULL);
    struct frame_field *msg = frame_add_field(f, "message", FRAME_STRING, false);
    struct frame_field *stack = frame_add_field(f, "stacktrace", FRAME_STRING, false);
    size_t n;
    const struct error_summary_row *const *rows = error_summary_rows(s, &n);
    size_t keep = shown(n, limit);
    for (size_t i = 0; i < keep; i++) {
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
    note_cut(f, keep, n, "rows");
    if (error_summary_dropped(s))
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING,
                              "Too many service and exception type pairs: some errors are not "
                              "listed.");
    return f;
}

struct group_columns {
    struct frame_field *fingerprint, *type, *template, *culprit, *services, *routes, *count, *first,
        *last, *trend, *sparkline, *trace_id, *is_new, *previous, *change, *status;
};

static void add_columns(struct frame *f, bool compare, struct group_columns *c)
{
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
    c->trace_id = frame_add_trace_id_field(f, "traceID", NULL, NULL);
    c->is_new = frame_add_field(f, "new", FRAME_BOOL, false);
    if (!compare)
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

static void add_row(const struct group_columns *c, bool compare, const struct error_groups *g,
                    const struct error_group *r, struct et_buf *tmp)
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
    if (!compare)
        return;
    frame_field_append_int(c->previous, r->previous_count);
    if (isfinite(r->change))
        frame_field_append_float(c->change, r->change);
    else
        frame_field_append_null(c->change);
    frame_field_append_cstring(c->status, error_group_status_name(r->status));
}

struct frame *triage_groups_frame(const char *ref_id, struct error_groups *g,
                                  enum error_groups_sort sort, bool compare, size_t limit)
{
    struct frame *f = frame_new_table(ref_id, "error-groups");
    struct group_columns col = {0};
    add_columns(f, compare, &col);
    size_t n;
    const struct error_group *const *rows = error_groups_rows(g, sort, &n);
    size_t keep = shown(n, limit);
    struct et_buf tmp;
    et_buf_init(&tmp, ET_BUF_UNLIMITED);
    for (size_t i = 0; i < keep; i++)
        add_row(&col, compare, g, rows[i], &tmp);
    et_buf_cleanup(&tmp);
    note_cut(f, keep, n, "groups");
    if (error_groups_dropped(g)) {
        char note[200];
        snprintf(note, sizeof note, "%zu errors were not grouped: too many distinct groups.",
                 error_groups_dropped(g));
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, note);
    }
    return f;
}
