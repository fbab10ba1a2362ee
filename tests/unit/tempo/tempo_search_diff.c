/* SPDX-License-Identifier: Apache-2.0
 *
 * New search reader against the reference one (see tempo_search_ref.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tempo_search_ref.h"

static char diff_text[512];

static const char *differ(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *differ(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diff_text, sizeof diff_text, fmt, ap);
    va_end(ap);
    return diff_text;
}

/* The message up to its parenthesised details. */
static size_t message_head(const char *m)
{
    const char *paren = strstr(m, " (");
    return paren ? (size_t)(paren - m) : strlen(m);
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static const char *diff_kv(const struct tempo_kv *a, const struct tempo_kv *b)
{
    if (strcmp(a->key, b->key) != 0)
        return differ("attribute key '%s' vs '%s'", a->key, b->key);
    if (strcmp(a->text, b->text) != 0)
        return differ("attribute text '%.200s' vs '%.200s'", a->text, b->text);
    if (a->key_id != b->key_id || a->key_id != (uint8_t)tempo_key_of(a->key))
        return differ("attribute %s%s: key id differs", a->key, "");
    if (a->type != b->type || a->i != b->i || !same_double(a->d, b->d))
        return differ("attribute %s%s: type, i or d differ", a->key, "");
    return NULL;
}

static const char *diff_span(const struct tempo_search_span *a, const struct tempo_search_span *b)
{
    if (strcmp(a->span_id, b->span_id) != 0)
        return differ("span id %s vs %s", a->span_id, b->span_id);
    if (strcmp(a->name, b->name) != 0)
        return differ("span name '%s' vs '%s'", a->name, b->name);
    if (a->start_ns != b->start_ns || a->duration_ns != b->duration_ns)
        return differ("span %s%s: start or duration differ", a->span_id, "");
    if (a->n_attrs != b->n_attrs)
        return differ("span %s%s: attribute counts differ", a->span_id, "");
    for (uint32_t i = 0; i < a->n_attrs; i++) {
        const char *d = diff_kv(&a->attrs[i], &b->attrs[i]);
        if (d)
            return d;
    }
    return NULL;
}

static const char *diff_trace(const struct tempo_search_trace *a,
                              const struct tempo_search_trace *b)
{
    if (strcmp(a->trace_id, b->trace_id) != 0)
        return differ("trace id %s vs %s", a->trace_id, b->trace_id);
    if (strcmp(a->root_service, b->root_service) != 0 || strcmp(a->root_name, b->root_name) != 0)
        return differ("trace %s%s: root service or name differ", a->trace_id, "");
    if (a->start_ns != b->start_ns || a->duration_ms != b->duration_ms || a->matched != b->matched)
        return differ("trace %s%s: start, duration or matched differ", a->trace_id, "");
    if (a->n_spans != b->n_spans)
        return differ("trace %s%s: span counts differ", a->trace_id, "");
    for (size_t i = 0; i < a->n_spans; i++) {
        const char *d = diff_span(&a->spans[i], &b->spans[i]);
        if (d)
            return d;
    }
    return NULL;
}

static const char *compare(int rc_new, const struct tempo_search_result *a,
                           const struct et_error *ea, int rc_ref,
                           const struct tempo_search_result *b, const struct et_error *eb)
{
    if (rc_new != rc_ref)
        return differ("new %s, reference %s", rc_new == 0 ? "accepts" : ea->message,
                      rc_ref == 0 ? "accepts" : eb->message);
    if (rc_new != 0) {
        size_t ha = message_head(ea->message), hb = message_head(eb->message);
        if (ea->status != eb->status || ea->source != eb->source || ha != hb ||
            memcmp(ea->message, eb->message, ha) != 0 || a->n_traces || b->n_traces)
            return differ("errors differ: '%s' vs '%s'", ea->message, eb->message);
        return NULL;
    }
    if (a->inspected_traces != b->inspected_traces || a->inspected_bytes != b->inspected_bytes)
        return differ("metrics differ%s%s", "", "");
    if (a->n_traces != b->n_traces) {
        char na[32], nb[32];
        snprintf(na, sizeof na, "%zu", a->n_traces);
        snprintf(nb, sizeof nb, "%zu", b->n_traces);
        return differ("trace counts %s vs %s", na, nb);
    }
    for (size_t i = 0; i < a->n_traces; i++) {
        const char *d = diff_trace(&a->traces[i], &b->traces[i]);
        if (d)
            return d;
    }
    return NULL;
}

/* Two readings of one body: results, errors and return codes. */
struct readings {
    struct tempo_search_result a, b;
    struct et_error ea, eb;
    int rc_a, rc_b;
};

static void readings_init(struct readings *r)
{
    tempo_search_result_init(&r->a);
    tempo_search_result_init(&r->b);
    et_error_clear(&r->ea);
    et_error_clear(&r->eb);
    r->rc_a = r->rc_b = 0;
}

static void readings_cleanup(struct readings *r)
{
    tempo_search_result_cleanup(&r->a);
    tempo_search_result_cleanup(&r->b);
}

const char *tempo_search_diff(const char *body, size_t len)
{
    struct readings r;
    readings_init(&r);
    r.rc_a = tempo_search_parse(body, len, &r.a, &r.ea);
    r.rc_b = tempo_search_parse_ref(body, len, &r.b, &r.eb);
    const char *d = compare(r.rc_a, &r.a, &r.ea, r.rc_b, &r.b, &r.eb);
    readings_cleanup(&r);
    return d;
}

const char *tempo_search_stream_diff(const char *body, size_t len, const size_t *cuts,
                                     size_t n_cuts, enum stream_reader how, bool moved, bool early)
{
    char *copy = malloc(len + 1); /* bytes that stay put, as http.c promises */
    if (!copy)
        return differ("out of memory%s", "");
    memcpy(copy, body, len);
    copy[len] = '\0';
    struct tempo_search_stream *st = how == STREAM_READER_INLINE ? tempo_search_stream_new_inline()
                                                                 : tempo_search_stream_new(0, 1);
    for (size_t i = 0; i < n_cuts; i++) {
        tempo_search_stream_feed(st, copy, cuts[i]);
        if (how == STREAM_READER_SYNC)
            tempo_search_stream_wait_idle(st);
        if (moved && i == 0)
            tempo_search_stream_feed(st, NULL, 0);
    }
    if (!early) {
        tempo_search_stream_feed(st, copy, len);
        if (how == STREAM_READER_SYNC)
            tempo_search_stream_wait_idle(st);
    }
    struct readings r; /* a: streamed, b: whole */
    readings_init(&r);
    r.rc_a = tempo_search_stream_finish(st, copy, len, &r.a, &r.ea);
    tempo_search_stream_free(st);
    r.rc_b = tempo_search_parse(body, len, &r.b, &r.eb);
    const char *d = compare(r.rc_a, &r.a, &r.ea, r.rc_b, &r.b, &r.eb);
    if (!d && r.rc_a != 0 && strcmp(r.ea.message, r.eb.message) != 0)
        d = differ("stream error '%s' vs '%s'", r.ea.message, r.eb.message);
    readings_cleanup(&r);
    free(copy);
    return d;
}
