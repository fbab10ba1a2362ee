/* SPDX-License-Identifier: Apache-2.0
 *
 * Error occurrences from traces and search results (see tempo_errors.h).
 */
#include "tempo/tempo_errors.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "tempo/traceql.h"

void tempo_error_list_init(struct tempo_error_list *l)
{
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
    tempo_pool_init(&l->pool);
}

void tempo_error_list_cleanup(struct tempo_error_list *l)
{
    free(l->items);
    tempo_pool_cleanup(&l->pool);
    tempo_error_list_init(l);
}

/* Room for `more` occurrences past the current ones. */
static void reserve(struct tempo_error_list *l, size_t more)
{
    l->items = et_xgrow(l->items, &l->cap, l->n + more, sizeof *l->items);
}

static struct tempo_error *push(struct tempo_error_list *l)
{
    l->items = et_xgrow(l->items, &l->cap, l->n + 1, sizeof *l->items);
    struct tempo_error *e = &l->items[l->n++];
    memset(e, 0, sizeof *e);
    e->escaped = -1;
    e->seq = (uint32_t)(l->n - 1);
    return e;
}

static const char *copy(struct tempo_error_list *l, const char *s)
{
    return s ? tempo_pool_strndup(&l->pool, s, strlen(s)) : "";
}

/* ---- rules shared by both sources ------------------------------------------------------------ */

/* The route: http.route, else url.path, else http.target without its
 * query, else the span name (the attributes as found in the span). */
static const char *route_rule(const struct tempo_kv *route, const struct tempo_kv *path,
                              const struct tempo_kv *target, const char *name, size_t *len)
{
    const char *v = tempo_kv_text(route);
    if (!v)
        v = tempo_kv_text(path);
    if (v) {
        *len = strlen(v);
        return v;
    }
    v = tempo_kv_text(target);
    if (v) {
        *len = strcspn(v, "?");
        return v;
    }
    *len = strlen(name);
    return name;
}

static bool in_list(const struct et_strlist *l, const char *s, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->items[i]) == len && memcmp(l->items[i], s, len) == 0)
            return true;
    return false;
}

static bool list_allows(const struct et_strlist *l, const char *s, size_t len)
{
    return l->n == 0 || in_list(l, s, len);
}

/* list_allows() of a NUL-terminated string, read only when there is a list. */
static bool list_allows_cstr(const struct et_strlist *l, const char *s)
{
    return l->n == 0 || in_list(l, s, strlen(s));
}

/* ---- from whole traces ----------------------------------------------------------------------- */

const char *tempo_span_route(const struct tempo_span *s, size_t *len)
{
    return route_rule(tempo_kv_find_id(s->attrs, s->n_attrs, TEMPO_KEY_HTTP_ROUTE),
                      tempo_kv_find_id(s->attrs, s->n_attrs, TEMPO_KEY_URL_PATH),
                      tempo_kv_find_id(s->attrs, s->n_attrs, TEMPO_KEY_HTTP_TARGET), s->name, len);
}

const char *tempo_span_environment(const struct tempo_trace *t, const struct tempo_span *s)
{
    static const char *const keys[] = {"deployment.environment.name", "deployment.environment"};
    const struct tempo_resource *r = tempo_span_resource(t, s);
    for (int i = 0; i < 2; i++) {
        const char *v = tempo_kv_string(r->attrs, r->n_attrs, keys[i]);
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

static bool is_exception(const struct tempo_event *ev)
{
    return strcmp(ev->name, "exception") == 0;
}

static const char *event_type(const struct tempo_event *ev)
{
    const char *t = tempo_kv_string(ev->attrs, ev->n_attrs, "exception.type");
    return t ? t : TEMPO_UNKNOWN_TYPE;
}

/* The event that represents span `s` under the type filter, or NULL for
 * "(no exception)". Sets *pass to whether the span passes the type filter. */
static const struct tempo_event *representative(const struct tempo_span *s,
                                                const struct et_strlist *types, bool *pass)
{
    const struct tempo_event *last = NULL;
    for (uint32_t i = s->n_events; i-- > 0;) {
        const struct tempo_event *ev = &s->events[i];
        if (!is_exception(ev))
            continue;
        if (!last)
            last = ev;
        if (types->n == 0) {
            *pass = true;
            return ev;
        }
        const char *t = event_type(ev);
        if (in_list(types, t, strlen(t))) {
            *pass = true;
            return ev;
        }
    }
    *pass =
        types->n == 0 || (!last && in_list(types, TEMPO_NO_EXCEPTION, strlen(TEMPO_NO_EXCEPTION)));
    return NULL;
}

/* Message of an exception event: exception.message as text ("" when absent). */
static const char *event_message(const struct tempo_event *ev)
{
    const struct tempo_kv *kv = tempo_kv_find(ev->attrs, ev->n_attrs, "exception.message");
    return kv ? kv->text : "";
}

static int event_escaped(const struct tempo_event *ev)
{
    const struct tempo_kv *kv = tempo_kv_find(ev->attrs, ev->n_attrs, "exception.escaped");
    if (!kv)
        return -1;
    if (kv->type == TEMPO_VALUE_BOOL)
        return kv->i != 0;
    return strcmp(kv->text, "true") == 0;
}

/* The application's own grouping key: on the exception event, else on the span. */
static const char *custom_fingerprint(const struct tempo_span *s, const struct tempo_event *ev)
{
    static const char *const keys[] = {"error.fingerprint", "grouping.fingerprint"};
    for (size_t i = 0; ev && i < sizeof keys / sizeof *keys; i++) {
        const char *v = tempo_kv_string(ev->attrs, ev->n_attrs, keys[i]);
        if (v && v[0])
            return v;
    }
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *v = tempo_kv_string(s->attrs, s->n_attrs, keys[i]);
        if (v && v[0])
            return v;
    }
    return "";
}

static void fill_from_span(struct tempo_error_list *out, struct tempo_error *e,
                           const struct tempo_trace *t, const struct tempo_span *s,
                           const struct tempo_event *ev)
{
    const struct tempo_resource *r = tempo_span_resource(t, s);
    size_t rlen;
    const char *route = tempo_span_route(s, &rlen);
    e->time_ns = s->start_ns;
    e->duration_ns = s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0;
    memcpy(e->trace_id, s->trace_id[0] ? s->trace_id : t->trace_id, sizeof e->trace_id);
    memcpy(e->span_id, s->span_id, sizeof e->span_id);
    e->service = copy(out, r->service);
    e->route = tempo_pool_strndup(&out->pool, route, rlen);
    e->span_name = copy(out, s->name);
    e->sdk_language = copy(out, tempo_kv_string(r->attrs, r->n_attrs, "telemetry.sdk.language"));
    e->custom_fingerprint = copy(out, custom_fingerprint(s, ev));
    if (ev) {
        e->event_ns = ev->time_ns ? ev->time_ns : s->start_ns;
        e->exception_type = copy(out, event_type(ev));
        e->message = copy(out, event_message(ev));
        e->stacktrace = copy(out, tempo_kv_string(ev->attrs, ev->n_attrs, "exception.stacktrace"));
        e->escaped = event_escaped(ev);
    } else {
        e->event_ns = s->start_ns;
        e->exception_type = TEMPO_NO_EXCEPTION;
        e->message = copy(out, s->status_message);
        e->stacktrace = "";
    }
}

static bool span_passes(const struct tempo_trace *t, const struct tempo_span *s,
                        const struct tempo_filter *f)
{
    const struct query *q = f->q;
    const char *svc = tempo_span_resource(t, s)->service;
    if (!list_allows_cstr(&q->services, svc))
        return false;
    size_t rlen;
    const char *route = tempo_span_route(s, &rlen);
    if (!list_allows(&q->routes, route, rlen))
        return false;
    if (f->check_environment && q->environment.n > 0) {
        const char *env = tempo_span_environment(t, s);
        if (!env || !in_list(&q->environment, env, strlen(env)))
            return false;
    }
    return true;
}

void tempo_errors_from_trace(struct tempo_error_list *out, const struct tempo_trace *t,
                             const struct tempo_filter *f)
{
    for (size_t i = 0; i < t->n_spans; i++) {
        const struct tempo_span *s = &t->spans[i];
        if (s->status_code != TEMPO_STATUS_ERROR || !span_passes(t, s, f))
            continue;
        bool pass;
        const struct tempo_event *ev = representative(s, &f->q->exception_types, &pass);
        if (pass)
            fill_from_span(out, push(out), t, s, ev);
    }
}

/* ---- from search results (select mode) ------------------------------------------------------- */

/* The attributes a search span is read for, each the first of its key (as
 * tempo_kv_find() would find it), found in one pass over the span by the
 * key ids the parser gave them. */
struct search_keys {
    const struct tempo_kv *by_key[TEMPO_KEY_COUNT];
};

static void search_keys_find(const struct tempo_search_span *s, struct search_keys *k)
{
    memset(k, 0, sizeof *k);
    for (uint32_t i = 0; i < s->n_attrs; i++) {
        unsigned id = s->attrs[i].key_id;
        if (id != TEMPO_KEY_OTHER && id < TEMPO_KEY_COUNT && !k->by_key[id]) {
            k->by_key[id] = &s->attrs[i];
            __builtin_prefetch(s->attrs[i].text); /* read next: its misses overlap */
        }
    }
}

/* A string of the search result: borrowed, or copied into the list. */
static const char *take(struct tempo_error_list *l, const char *s, bool borrow)
{
    return borrow ? (s ? s : "") : copy(l, s);
}

static void from_search(struct tempo_error_list *out, const struct tempo_search_trace *st,
                        const struct tempo_filter *f, bool borrow)
{
    const struct query *q = f->q;
    for (size_t i = 0; i < st->n_spans; i++) {
        const struct tempo_search_span *s = &st->spans[i];
        struct search_keys k;
        search_keys_find(s, &k);
        const char *svc = tempo_kv_text(k.by_key[TEMPO_KEY_SERVICE_NAME]);
        if (!svc)
            svc = "unknown_service";
        size_t rlen;
        const char *route = route_rule(k.by_key[TEMPO_KEY_HTTP_ROUTE], k.by_key[TEMPO_KEY_URL_PATH],
                                       k.by_key[TEMPO_KEY_HTTP_TARGET], s->name, &rlen);
        const char *type = tempo_kv_text(k.by_key[TEMPO_KEY_EXCEPTION_TYPE]);
        const char *stack = tempo_kv_text(k.by_key[TEMPO_KEY_EXCEPTION_STACKTRACE]);
        bool has_exception = type || k.by_key[TEMPO_KEY_EXCEPTION_MESSAGE] || stack;
        if (!type)
            type = has_exception ? TEMPO_UNKNOWN_TYPE : TEMPO_NO_EXCEPTION;
        if (!list_allows_cstr(&q->services, svc) || !list_allows(&q->routes, route, rlen) ||
            !list_allows_cstr(&q->exception_types, type))
            continue;
        struct tempo_error *e = push(out);
        e->time_ns = e->event_ns = s->start_ns;
        e->duration_ns = s->duration_ns;
        memcpy(e->trace_id, st->trace_id, sizeof e->trace_id);
        memcpy(e->span_id, s->span_id, sizeof e->span_id);
        e->service = take(out, svc, borrow);
        e->route =
            borrow && route[rlen] == '\0' ? route : tempo_pool_strndup(&out->pool, route, rlen);
        e->span_name = take(out, s->name, borrow);
        e->exception_type = take(out, type, borrow);
        e->sdk_language = take(out, tempo_kv_text(k.by_key[TEMPO_KEY_SDK_LANGUAGE]), borrow);
        const char *custom = tempo_kv_text(k.by_key[TEMPO_KEY_ERROR_FINGERPRINT]);
        if (!custom)
            custom = tempo_kv_text(k.by_key[TEMPO_KEY_GROUPING_FINGERPRINT]);
        e->custom_fingerprint = take(out, custom, borrow);
        e->stacktrace = take(out, stack, borrow);
        if (has_exception) {
            e->message = take(out,
                              k.by_key[TEMPO_KEY_EXCEPTION_MESSAGE]
                                  ? k.by_key[TEMPO_KEY_EXCEPTION_MESSAGE]->text
                                  : "",
                              borrow);
            const struct tempo_kv *esc = k.by_key[TEMPO_KEY_EXCEPTION_ESCAPED];
            e->escaped = !esc                            ? -1
                         : esc->type == TEMPO_VALUE_BOOL ? esc->i != 0
                                                         : strcmp(esc->text, "true") == 0;
        } else {
            e->message = take(out, tempo_kv_text(k.by_key[TEMPO_KEY_STATUS_MESSAGE]), borrow);
        }
    }
}

void tempo_errors_from_search(struct tempo_error_list *out, const struct tempo_search_trace *st,
                              const struct tempo_filter *f)
{
    from_search(out, st, f, false);
}

void tempo_errors_from_search_borrowing(struct tempo_error_list *out,
                                        const struct tempo_search_trace *st,
                                        const struct tempo_filter *f)
{
    from_search(out, st, f, true);
}

void tempo_errors_from_search_all(struct tempo_error_list *out,
                                  const struct tempo_search_trace *traces, size_t n,
                                  const struct tempo_filter *f,
                                  bool (*skip)(const struct tempo_search_trace *t, const void *arg),
                                  const void *skip_arg)
{
    size_t spans = 0;
    for (size_t t = 0; t < n; t++)
        spans += traces[t].n_spans;
    reserve(out, spans);
    for (size_t t = 0; t < n; t++) {
        /* the spans were parsed on another core, most likely (the stream
         * reader): ask for the next trace's attributes while reading this one */
        if (t + 1 < n)
            for (size_t i = 0; i < traces[t + 1].n_spans; i++)
                __builtin_prefetch(traces[t + 1].spans[i].attrs);
        if (!skip || !skip(&traces[t], skip_arg))
            from_search(out, &traces[t], f, true);
    }
}

/* ---- trace-exceptions ------------------------------------------------------------------------ */

static int cmp_event_time(const void *a, const void *b)
{
    const struct tempo_error *x = a, *y = b;
    if (x->event_ns != y->event_ns)
        return x->event_ns < y->event_ns ? -1 : 1;
    int c = strcmp(x->span_id, y->span_id);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tempo_errors_all_of_trace(struct tempo_error_list *out, const struct tempo_trace *t)
{
    size_t first = out->n;
    for (size_t i = 0; i < t->n_spans; i++) {
        const struct tempo_span *s = &t->spans[i];
        bool any = false;
        for (uint32_t j = 0; j < s->n_events; j++) {
            if (!is_exception(&s->events[j]))
                continue;
            fill_from_span(out, push(out), t, s, &s->events[j]);
            any = true;
        }
        if (!any && s->status_code == TEMPO_STATUS_ERROR)
            fill_from_span(out, push(out), t, s, NULL);
    }
    if (out->n > first) /* items may still be NULL when nothing was pushed */
        qsort(out->items + first, out->n - first, sizeof *out->items, cmp_event_time);
}
