/* SPDX-License-Identifier: Apache-2.0
 *
 * Reference reader for Tempo search bodies: the jansson-tree reader that
 * src/tempo/tempo_search.c used before its single-pass scanner, kept
 * verbatim (only renamed) so the differential tests and the fuzz target can
 * check that both give the same result for every input. Test code only.
 * One change: the sum of `matched` wraps instead of overflowing (UBSan).
 */
#include "tempo_search_ref.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static json_t *load_object(const char *body, size_t len, const char *what, struct et_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
    if (json_is_object(root))
        return root;
    json_decref(root);
    if (root)
        et_error_set(err, 502, ET_SOURCE_DOWNSTREAM, "Tempo %s response is not a JSON object",
                     what);
    else
        et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                     "Tempo %s response is not valid JSON (%s at byte %d)", what, jerr.text,
                     jerr.position);
    return NULL;
}

/* Spans of all spansets, without duplicate span IDs, at most the limit. */
static size_t count_spans(const json_t *sets)
{
    size_t total = 0, i;
    const json_t *set;
    json_array_foreach(sets, i, set) total += json_array_size(json_object_get(set, "spans"));
    return total < TEMPO_SEARCH_MAX_SPANS ? total : TEMPO_SEARCH_MAX_SPANS;
}

static bool seen_span(const struct tempo_search_trace *t, const char *span_id)
{
    if (!span_id[0])
        return false;
    for (size_t i = 0; i < t->n_spans; i++)
        if (strcmp(t->spans[i].span_id, span_id) == 0)
            return true;
    return false;
}

static void parse_span(struct tempo_pool *p, const json_t *js, struct tempo_search_span *s)
{
    size_t len;
    const char *id = tempo_json_str(json_object_get(js, "spanID"), &len);
    if (!tempo_json_id(id, len, 8, s->span_id)) {
        /* spanID is hex padded to 16 digits; be lenient with shorter ones */
        char padded[33];
        if (tempo_json_hex_trace_id(id, len, padded))
            memcpy(s->span_id, padded + 16, 17);
    }
    const char *name = tempo_json_str(json_object_get(js, "name"), &len);
    s->name = tempo_pool_strndup(p, name, len);
    s->start_ns = tempo_json_int64(json_object_get(js, "startTimeUnixNano"), 0);
    s->duration_ns = tempo_json_int64(json_object_get(js, "durationNanos"), 0);
    s->n_attrs =
        tempo_json_kv_list(p, json_object_get(js, "attributes"), TEMPO_SEARCH_MAX_ATTRS, &s->attrs);
}

static void parse_spansets(struct tempo_pool *p, const json_t *jt, struct tempo_search_trace *t)
{
    const json_t *sets = json_object_get(jt, "spanSets");
    json_t *single = NULL;
    if (!json_is_array(sets) || json_array_size(sets) == 0) {
        const json_t *one = json_object_get(jt, "spanSet");
        if (!json_is_object(one))
            return;
        single = json_array();
        json_array_append(single, (json_t *)one);
        sets = single;
    }
    size_t cap = count_spans(sets), i, j;
    t->spans = tempo_pool_array(p, cap, sizeof *t->spans);
    const json_t *set, *js;
    json_array_foreach(sets, i, set)
    {
        /* wrapping, not signed overflow (the one change from the old reader) */
        t->matched = (int64_t)((uint64_t)t->matched +
                               (uint64_t)tempo_json_int64(json_object_get(set, "matched"), 0));
        json_array_foreach(json_object_get(set, "spans"), j, js)
        {
            if (t->n_spans >= cap)
                break;
            struct tempo_search_span *s = &t->spans[t->n_spans];
            parse_span(p, js, s);
            if (!seen_span(t, s->span_id))
                t->n_spans++;
        }
    }
    json_decref(single);
}

static bool parse_trace(struct tempo_pool *p, const json_t *jt, struct tempo_search_trace *t)
{
    size_t len;
    const char *id = tempo_json_str(json_object_get(jt, "traceID"), &len);
    if (!tempo_json_hex_trace_id(id, len, t->trace_id))
        return false;
    const char *s = tempo_json_str(json_object_get(jt, "rootServiceName"), &len);
    t->root_service = tempo_pool_strndup(p, s, len);
    s = tempo_json_str(json_object_get(jt, "rootTraceName"), &len);
    t->root_name = tempo_pool_strndup(p, s, len);
    t->start_ns = tempo_json_int64(json_object_get(jt, "startTimeUnixNano"), 0);
    t->duration_ms = tempo_json_int64(json_object_get(jt, "durationMs"), 0);
    parse_spansets(p, jt, t);
    return true;
}

/* ---- the search body, one trace at a time ---------------------------------------------------
 *
 * A search answer may list very many traces, and a jansson tree costs about
 * fifteen times the text (a 44 MB answer of 10^6 small traces took 700 MB).
 * So the top-level object is walked here and every element of "traces" (and
 * "metrics") is parsed on its own: memory is the body, one trace's tree and
 * the kept results. Values of other keys are only matched for nesting. */

struct walk {
    const char *p, *end;
};

static void walk_ws(struct walk *w)
{
    while (w->p < w->end && (*w->p == ' ' || *w->p == '\n' || *w->p == '\r' || *w->p == '\t'))
        w->p++;
}

/* The closing quote of the string whose contents start at `p` (a backslash
 * escapes the next character), or NULL. memchr does the long stretches:
 * a select() answer is mostly stack traces. */
static const char *string_end(const char *p, const char *end)
{
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return NULL;
        const char *b = q; /* p - 1 is a quote: backslashes before q start at p or later */
        while (b > p && b[-1] == '\\')
            b--;
        if (((q - b) & 1) == 0)
            return q;
        p = q + 1;
    }
}

/* The end of the JSON value at `p`: strings and brackets matched, contents
 * left to json_loadb. NULL when it does not end before `end`. */
static const char *value_end(const char *p, const char *end)
{
    if (p >= end)
        return NULL;
    if (*p != '{' && *p != '[' && *p != '"') { /* number, true, false, null */
        const char *start = p;
        while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
               *p != '\r' && *p != '\t')
            p++;
        return p > start ? p : NULL;
    }
    size_t depth = 0;
    while (p < end) {
        char c = *p++;
        if (c == '"') {
            p = string_end(p, end);
            if (!p)
                return NULL;
            p++;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (depth == 0)
            return p;
    }
    return NULL;
}

static int search_not_json(const char *body, const char *at, const char *why, struct et_error *err)
{
    return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                        "Tempo search response is not valid JSON (%s at byte %zu)", why,
                        (size_t)(at - body));
}

/* The next element of the array walked by `w` (after '[' or a ','), or NULL at
 * the closing ']' (then *done) or on a syntax error (then `err` is set). */
static const char *next_element(struct walk *w, const char *body, const char **elem_end, bool *done,
                                struct et_error *err)
{
    walk_ws(w);
    if (w->p < w->end && *w->p == ']') {
        w->p++;
        *done = true;
        return NULL;
    }
    const char *e = value_end(w->p, w->end);
    if (!e) {
        search_not_json(body, w->p, "unterminated value", err);
        return NULL;
    }
    const char *start = w->p;
    w->p = e;
    walk_ws(w);
    if (w->p < w->end && *w->p == ',')
        w->p++;
    else if (!(w->p < w->end && *w->p == ']')) {
        search_not_json(body, w->p, "',' or ']' expected", err);
        return NULL;
    }
    *elem_end = e;
    return start;
}

/* Walk the top-level object: where the "traces" and "metrics" values are. */
static int find_members(const char *body, size_t len, const char **traces, const char **metrics,
                        const char **metrics_end, struct et_error *err)
{
    struct walk w = {body, body + len};
    walk_ws(&w);
    w.p++; /* '{', checked by the caller */
    for (;;) {
        walk_ws(&w);
        if (w.p < w.end && *w.p == '}') {
            w.p++;
            break;
        }
        const char *key = w.p, *key_end = value_end(w.p, w.end);
        if (w.p >= w.end || *w.p != '"' || !key_end)
            return search_not_json(body, w.p, "object key expected", err);
        w.p = key_end;
        walk_ws(&w);
        if (w.p >= w.end || *w.p != ':')
            return search_not_json(body, w.p, "':' expected", err);
        w.p++;
        walk_ws(&w);
        const char *v = w.p, *v_end = value_end(w.p, w.end);
        if (!v_end)
            return search_not_json(body, w.p, "value expected", err);
        size_t klen = (size_t)(key_end - key);
        if (klen == 8 && memcmp(key, "\"traces\"", 8) == 0)
            *traces = v;
        else if (klen == 9 && memcmp(key, "\"metrics\"", 9) == 0) {
            *metrics = v;
            *metrics_end = v_end;
        }
        w.p = v_end;
        walk_ws(&w);
        if (w.p < w.end && *w.p == ',') {
            w.p++;
            continue;
        }
        if (w.p < w.end && *w.p == '}') {
            w.p++;
            break;
        }
        return search_not_json(body, w.p, "',' or '}' expected", err);
    }
    walk_ws(&w);
    if (w.p != w.end)
        return search_not_json(body, w.p, "trailing data", err);
    return 0;
}

static int read_traces(const char *body, size_t len, const char *traces,
                       struct tempo_search_result *r, struct et_error *err)
{
    if (*traces != '[')
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "Tempo search response is not in Tempo's format (traces is not a "
                            "list)");
    /* find the elements first, so the results are one pool array */
    struct walk w = {traces + 1, body + len};
    size_t n = 0, cap = 0;
    const char **bounds = NULL; /* start and end of each element kept */
    bool done = false;
    const char *e;
    while (!done) {
        const char *el = next_element(&w, body, &e, &done, err);
        if (el) {
            if (n < TEMPO_SEARCH_MAX_TRACES) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 64;
                    bounds = et_xrealloc(bounds, 2 * cap * sizeof *bounds);
                }
                bounds[2 * n] = el;
                bounds[2 * n + 1] = e;
            }
            n++;
        } else if (!done) {
            free(bounds);
            return -1;
        }
    }
    if (n > TEMPO_SEARCH_MAX_TRACES)
        n = TEMPO_SEARCH_MAX_TRACES;
    r->traces = tempo_pool_array(&r->pool, n, sizeof *r->traces);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const char *el = bounds[2 * i];
        json_error_t jerr;
        json_t *jt = json_loadb(el, (size_t)(bounds[2 * i + 1] - el),
                                JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!jt) {
            rc = search_not_json(body, el + jerr.position, jerr.text, err);
            break;
        }
        if (parse_trace(&r->pool, jt, &r->traces[r->n_traces]))
            r->n_traces++;
        json_decref(jt);
    }
    free(bounds);
    return rc;
}

static int parse_search(const char *body, size_t len, struct tempo_search_result *r,
                        struct et_error *err)
{
    struct walk w = {body, body + len};
    walk_ws(&w);
    if (w.p >= w.end || *w.p != '{') { /* jansson says what it is instead */
        json_t *root = load_object(body, len, "search", err);
        if (!root)
            return -1;
        json_decref(root);
        return search_not_json(body, w.p, "not an object", err);
    }
    const char *traces = NULL, *metrics = NULL, *metrics_end = NULL;
    if (find_members(body, len, &traces, &metrics, &metrics_end, err) < 0)
        return -1;
    if (traces && read_traces(body, len, traces, r, err) < 0)
        return -1;
    if (metrics) {
        json_error_t jerr;
        json_t *m = json_loadb(metrics, (size_t)(metrics_end - metrics), JSON_ALLOW_NUL, &jerr);
        if (!m)
            return search_not_json(body, metrics + jerr.position, jerr.text, err);
        r->inspected_traces = tempo_json_int64(json_object_get(m, "inspectedTraces"), 0);
        r->inspected_bytes = tempo_json_int64(json_object_get(m, "inspectedBytes"), 0);
        json_decref(m);
    }
    return 0;
}

int tempo_search_parse_ref(const char *body, size_t len, struct tempo_search_result *r,
                           struct et_error *err)
{
    if (parse_search(body, len, r, err) == 0)
        return 0;
    tempo_search_result_cleanup(r); /* no half answer: the traces read before the fault go */
    return -1;
}
