/* SPDX-License-Identifier: Apache-2.0
 *
 * Error events of offline traces and their disk spool (see triage_events.h).
 *
 * A spool record is a fixed header (time, baseline flag, which optional
 * strings are present, the length of each string) followed by the strings'
 * bytes, written with stdio to a tmpfile(); replay reads one record at a
 * time into one reusable buffer and NUL-terminates each string there.
 */
#include "cli/triage_events.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "tempo/tempo_errors.h"
#include "tempo/traceql.h"

/* ---- occurrences ------------------------------------------------------------------------- */

static bool service_wanted(const struct et_strlist *services, const char *service)
{
    return !services || services->n == 0 || et_strlist_contains(services, service);
}

/* The span's last exception event, or NULL. */
static const struct tempo_event *last_exception(const struct tempo_span *s)
{
    for (uint32_t i = s->n_events; i-- > 0;)
        if (strcmp(s->events[i].name, "exception") == 0)
            return &s->events[i];
    return NULL;
}

static const char *custom_key(const struct tempo_span *s, const struct tempo_event *ev)
{
    static const char *const keys[] = {"error.fingerprint", "grouping.fingerprint"};
    for (int i = 0; ev && i < 2; i++) {
        const char *v = tempo_kv_string(ev->attrs, ev->n_attrs, keys[i]);
        if (v)
            return v;
    }
    for (int i = 0; i < 2; i++) {
        const char *v = tempo_kv_string(s->attrs, s->n_attrs, keys[i]);
        if (v)
            return v;
    }
    return NULL;
}

static void fill_exception(struct error_event *e, const struct tempo_span *s,
                           const struct tempo_event *ev)
{
    if (!ev) {
        e->exception_type = TEMPO_NO_EXCEPTION;
        e->message = s->status_message;
        e->stacktrace = "";
        return;
    }
    const char *type = tempo_kv_string(ev->attrs, ev->n_attrs, "exception.type");
    const struct tempo_kv *msg = tempo_kv_find(ev->attrs, ev->n_attrs, "exception.message");
    const char *stack = tempo_kv_string(ev->attrs, ev->n_attrs, "exception.stacktrace");
    e->exception_type = type ? type : TEMPO_UNKNOWN_TYPE;
    e->message = msg ? msg->text : "";
    e->stacktrace = stack ? stack : "";
}

int triage_events_of_trace(const struct tempo_trace *t, const struct et_strlist *services,
                           triage_event_fn fn, void *ctx, struct et_error *err)
{
    struct et_buf route;
    et_buf_init(&route, ET_BUF_UNLIMITED);
    int rc = 0;
    for (size_t i = 0; i < t->n_spans && rc == 0; i++) {
        const struct tempo_span *s = &t->spans[i];
        const struct tempo_resource *r = tempo_span_resource(t, s);
        if (s->status_code != TEMPO_STATUS_ERROR || !service_wanted(services, r->service))
            continue;
        size_t rlen;
        const char *rp = tempo_span_route(s, &rlen);
        et_buf_reset(&route);
        et_buf_append(&route, rp, rlen);
        const struct tempo_event *ev = last_exception(s);
        struct error_event e = {
            .time_ns = s->start_ns,
            .service = r->service,
            .route = et_buf_cstr(&route),
            .sdk_language = tempo_kv_string(r->attrs, r->n_attrs, "telemetry.sdk.language"),
            .custom_fingerprint = custom_key(s, ev),
            .trace_id = s->trace_id[0] ? s->trace_id : t->trace_id,
            .span_id = s->span_id,
        };
        fill_exception(&e, s, ev);
        rc = fn(ctx, &e, err);
    }
    et_buf_cleanup(&route);
    return rc < 0 ? -1 : 0;
}

/* ---- spool ------------------------------------------------------------------------------- */

enum { F_SERVICE, F_ROUTE, F_TYPE, F_MESSAGE, F_STACK, F_LANGUAGE, F_CUSTOM, F_TRACE, F_SPAN, F_N };

struct record_head {
    int64_t time_ns;
    uint32_t len[F_N];
    uint8_t in_baseline;
    uint16_t present; /* bit i: string i was not NULL */
};
_Static_assert(F_N <= 16, "one presence bit per string");

struct triage_spool {
    FILE *file;
    size_t count;
    struct et_buf buf; /* replay: one record's strings */
};

struct triage_spool *triage_spool_new(struct et_error *err)
{
    FILE *f = tmpfile();
    if (!f)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot create a temporary file: %s",
                            strerror(errno)),
               NULL;
    struct triage_spool *s = et_xcalloc(1, sizeof *s);
    s->file = f;
    et_buf_init(&s->buf, ET_BUF_UNLIMITED);
    return s;
}

void triage_spool_free(struct triage_spool *s)
{
    if (!s)
        return;
    fclose(s->file);
    et_buf_cleanup(&s->buf);
    free(s);
}

size_t triage_spool_count(const struct triage_spool *s)
{
    return s->count;
}

static void event_fields(const struct error_event *ev, const char *out[F_N])
{
    out[F_SERVICE] = ev->service;
    out[F_ROUTE] = ev->route;
    out[F_TYPE] = ev->exception_type;
    out[F_MESSAGE] = ev->message;
    out[F_STACK] = ev->stacktrace;
    out[F_LANGUAGE] = ev->sdk_language;
    out[F_CUSTOM] = ev->custom_fingerprint;
    out[F_TRACE] = ev->trace_id;
    out[F_SPAN] = ev->span_id;
}

int triage_spool_add(struct triage_spool *s, const struct error_event *ev, struct et_error *err)
{
    const char *fields[F_N];
    event_fields(ev, fields);
    struct record_head h;
    memset(&h, 0, sizeof h);
    h.time_ns = ev->time_ns;
    h.in_baseline = ev->in_baseline;
    for (int i = 0; i < F_N; i++) {
        size_t len = fields[i] ? strlen(fields[i]) : 0;
        h.len[i] = (uint32_t)(len < TRIAGE_EVENT_MAX_STRING ? len : TRIAGE_EVENT_MAX_STRING);
        if (fields[i])
            h.present |= (uint16_t)(1u << i);
    }
    bool ok = fwrite(&h, sizeof h, 1, s->file) == 1;
    for (int i = 0; ok && i < F_N; i++)
        ok = h.len[i] == 0 || fwrite(fields[i], h.len[i], 1, s->file) == 1;
    if (!ok)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot write the temporary file: %s",
                            strerror(errno));
    s->count++;
    return 0;
}

/* Read the strings of record `h` into s->buf and point `ev` at them. */
static int read_strings(struct triage_spool *s, const struct record_head *h, struct error_event *ev)
{
    size_t total = 0, at[F_N];
    for (int i = 0; i < F_N; i++) {
        at[i] = total;
        total += (size_t)h->len[i] + 1;
    }
    et_buf_reset(&s->buf);
    if (et_buf_append_zeros(&s->buf, total) < 0)
        return -1;
    for (int i = 0; i < F_N; i++)
        if (h->len[i] && fread(s->buf.data + at[i], h->len[i], 1, s->file) != 1)
            return -1;
    const char *f[F_N];
    for (int i = 0; i < F_N; i++)
        f[i] = (h->present & (1u << i)) ? s->buf.data + at[i] : NULL;
    *ev = (struct error_event){
        .time_ns = h->time_ns,
        .service = f[F_SERVICE],
        .route = f[F_ROUTE],
        .exception_type = f[F_TYPE],
        .message = f[F_MESSAGE],
        .stacktrace = f[F_STACK],
        .sdk_language = f[F_LANGUAGE],
        .custom_fingerprint = f[F_CUSTOM],
        .trace_id = f[F_TRACE],
        .span_id = f[F_SPAN],
        .in_baseline = h->in_baseline != 0,
    };
    return 0;
}

int triage_spool_replay(struct triage_spool *s, triage_event_fn fn, void *ctx, struct et_error *err)
{
    if (fflush(s->file) != 0 || fseek(s->file, 0, SEEK_SET) != 0)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot read the temporary file: %s",
                            strerror(errno));
    for (size_t n = 0; n < s->count; n++) {
        struct record_head h;
        struct error_event ev;
        if (fread(&h, sizeof h, 1, s->file) != 1 || read_strings(s, &h, &ev) < 0)
            return et_error_set(err, 500, ET_SOURCE_PLUGIN,
                                "cannot read the temporary file back (%zu of %zu events)", n,
                                s->count);
        if (fn(ctx, &ev, err) < 0)
            return -1;
    }
    return 0;
}
