/* SPDX-License-Identifier: Apache-2.0
 *
 * Search, tag-values and build-info bodies (see tempo_search.h).
 */
#include "tempo/tempo_search.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void tempo_search_result_init(struct tempo_search_result *r)
{
    memset(r, 0, sizeof *r);
    tempo_pool_init(&r->pool);
}

void tempo_search_result_cleanup(struct tempo_search_result *r)
{
    tempo_pool_cleanup(&r->pool);
    tempo_search_result_init(r);
}

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
        t->matched += tempo_json_int64(json_object_get(set, "matched"), 0);
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

int tempo_search_parse(const char *body, size_t len, struct tempo_search_result *r,
                       struct et_error *err)
{
    json_t *root = load_object(body, len, "search", err);
    if (!root)
        return -1;
    const json_t *traces = json_object_get(root, "traces");
    size_t n = json_array_size(traces), i;
    if (n > TEMPO_SEARCH_MAX_TRACES)
        n = TEMPO_SEARCH_MAX_TRACES;
    r->traces = tempo_pool_array(&r->pool, n, sizeof *r->traces);
    for (i = 0; i < n; i++)
        if (parse_trace(&r->pool, json_array_get(traces, i), &r->traces[r->n_traces]))
            r->n_traces++;
    const json_t *m = json_object_get(root, "metrics");
    r->inspected_traces = tempo_json_int64(json_object_get(m, "inspectedTraces"), 0);
    r->inspected_bytes = tempo_json_int64(json_object_get(m, "inspectedBytes"), 0);
    json_decref(root);
    return 0;
}

const char *tempo_search_span_attr(const struct tempo_search_span *s, const char *key)
{
    return tempo_kv_string(s->attrs, s->n_attrs, key);
}

int tempo_tag_values_parse(const char *body, size_t len, size_t max, struct et_strlist *out,
                           struct et_error *err)
{
    json_t *root = load_object(body, len, "tag values", err);
    if (!root)
        return -1;
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(root, "tagValues"), i, v)
    {
        if (out->n >= max)
            break;
        const json_t *s = json_is_object(v) ? json_object_get(v, "value") : v;
        size_t slen;
        const char *text = tempo_json_str(s, &slen);
        if (slen > 0 && !memchr(text, '\0', slen))
            et_strlist_push_unique(out, text);
    }
    json_decref(root);
    return 0;
}

int tempo_buildinfo_parse(const char *body, size_t len, char *version, size_t size,
                          struct et_error *err)
{
    json_t *root = load_object(body, len, "build info", err);
    if (!root)
        return -1;
    const char *v = json_string_value(json_object_get(root, "version"));
    /* Prometheus-style {"data":{"version"}} too, for gateways that wrap it */
    if (!v)
        v = json_string_value(json_object_get(json_object_get(root, "data"), "version"));
    int rc = 0;
    if (!v || !*v)
        rc = et_error_set(err, 502, ET_SOURCE_DOWNSTREAM, "Tempo build info has no version");
    else
        snprintf(version, size, "%s", v);
    json_decref(root);
    return rc;
}
