/* SPDX-License-Identifier: Apache-2.0
 *
 * Parsing one panel query's JSON into struct query (see query.h and
 * docs/queries.md). Strict types, bounded sizes, clear 400 messages.
 */
#include "query/query.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

/* Years 1970..9999 in ms; Prometheus and Tempo refuse anything outside anyway. */
#define MIN_TIME_MS 0LL
#define MAX_TIME_MS 253402300799999LL

static const char *const kind_names[QUERY_KIND_COUNT] = {
    [QUERY_ERROR_RATE] = "error-rate",
    [QUERY_HOTSPOTS] = "hotspots",
    [QUERY_TOP_TYPES] = "top-types",
    [QUERY_VARIABLE] = "variable",
    [QUERY_RECENT_ERRORS] = "recent-errors",
    [QUERY_ERROR_SUMMARY] = "error-summary",
    [QUERY_TRACE_EXCEPTIONS] = "trace-exceptions",
    [QUERY_ERROR_GROUPS] = "error-groups",
};

/* Per kind: default limit and maximum limit (0 = no limit field). */
static const struct {
    int def;
    int max;
} kind_limits[QUERY_KIND_COUNT] = {
    [QUERY_ERROR_RATE] = {0, 0},        [QUERY_HOTSPOTS] = {10, 1000},
    [QUERY_TOP_TYPES] = {10, 1000},     [QUERY_VARIABLE] = {1000, 10000},
    [QUERY_RECENT_ERRORS] = {50, 1000}, [QUERY_ERROR_SUMMARY] = {1000, 10000},
    [QUERY_TRACE_EXCEPTIONS] = {0, 0},  [QUERY_ERROR_GROUPS] = {1000, 10000},
};

const char *query_kind_name(enum query_kind kind)
{
    return (unsigned)kind < QUERY_KIND_COUNT ? kind_names[kind] : "unknown";
}

int query_kind_parse(const char *name)
{
    for (int i = 0; i < QUERY_KIND_COUNT; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return i;
    return -1;
}

/* ---- small typed getters ------------------------------------------------------- */

static int bad_type(struct et_error *err, const char *key, const char *what)
{
    return et_error_set(err, 400, ET_SOURCE_PLUGIN, "invalid query: %s must be %s", key, what);
}

/* A string field; NULL when absent or null. */
static int get_str(json_t *q, const char *key, const char **out, size_t *len, struct et_error *err)
{
    json_t *v = json_object_get(q, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return bad_type(err, key, "a string");
    *out = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    return 0;
}

static int get_bool(json_t *q, const char *key, bool *out, struct et_error *err)
{
    json_t *v = json_object_get(q, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return bad_type(err, key, "true or false");
    *out = json_is_true(v);
    return 0;
}

static int get_int(json_t *q, const char *key, int min, int max, int *out, struct et_error *err)
{
    json_t *v = json_object_get(q, key);
    if (!v || json_is_null(v))
        return 0;
    long long x;
    if (json_is_integer(v))
        x = json_integer_value(v);
    else if (json_is_real(v) && json_real_value(v) >= -1e18 && json_real_value(v) <= 1e18 &&
             json_real_value(v) == (double)(long long)json_real_value(v))
        x = (long long)json_real_value(v);
    else if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 20) {
        char *end;
        x = strtoll(json_string_value(v), &end, 10);
        if (*end)
            return bad_type(err, key, "a whole number");
    } else
        return bad_type(err, key, "a whole number");
    if (x < min || x > max)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: %s must be between %d and %d (got %lld)", key, min, max,
                            x);
    *out = (int)x;
    return 0;
}

/* An enum field: a string that must be one of `names` (index written to *out). */
static int get_enum(json_t *q, const char *key, const char *const *names, size_t n, int *out,
                    struct et_error *err)
{
    const char *s;
    if (get_str(q, key, &s, NULL, err) < 0)
        return -1;
    if (!s || !*s)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char allowed[256] = "";
    for (size_t i = 0; i < n; i++) {
        strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
        if (i + 1 < n)
            strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
    }
    return et_error_set(err, 400, ET_SOURCE_PLUGIN, "invalid query: %s must be one of %s", key,
                        allowed);
}

/* ---- multi-value lists ------------------------------------------------------------- */

static bool is_all_marker(const char *s, size_t len)
{
    return len == 0 || (len == 6 && memcmp(s, "$__all", 6) == 0) || (len == 1 && *s == '*') ||
           (len == 3 && memcmp(s, "All", 3) == 0);
}

static int push_value(struct et_strlist *out, const char *s, size_t len, struct et_error *err)
{
    if (memchr(s, '\0', len))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: filter values must not contain NUL bytes");
    if (len > QUERY_MAX_VALUE_BYTES)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: a filter value is longer than %d bytes",
                            QUERY_MAX_VALUE_BYTES);
    if (out->n >= QUERY_MAX_LIST_VALUES)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: more than %d values in one filter",
                            QUERY_MAX_LIST_VALUES);
    char *tmp = et_xstrndup(s, len);
    et_strlist_push_unique(out, tmp);
    free(tmp);
    return 0;
}

int query_split_multi_value(const char *s, size_t len, struct et_strlist *out, struct et_error *err)
{
    if (is_all_marker(s, len))
        return 0;
    if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
        const char *p = s + 1, *end = s + len - 1;
        while (p <= end) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *stop = comma ? comma : end;
            if (!is_all_marker(p, (size_t)(stop - p)) &&
                push_value(out, p, (size_t)(stop - p), err) < 0)
                return -1;
            if (!comma)
                break;
            p = comma + 1;
        }
        return 0;
    }
    return push_value(out, s, len, err);
}

static int get_list(json_t *q, const char *key, struct et_strlist *out, struct et_error *err)
{
    json_t *v = json_object_get(q, key);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v))
        return query_split_multi_value(json_string_value(v), json_string_length(v), out, err);
    if (!json_is_array(v))
        return bad_type(err, key, "a list of strings");
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            return bad_type(err, key, "a list of strings");
        const char *s = json_string_value(item);
        size_t len = json_string_length(item);
        if (is_all_marker(s, len)) { /* "All" anywhere means no filter */
            et_strlist_cleanup(out);
            return 0;
        }
        if (push_value(out, s, len, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- labelFilter ---------------------------------------------------------------- */

void query_label_matchers_free(struct label_matcher *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].name);
        free(m[i].value);
    }
    free(m);
}

struct lf_parser {
    const char *p, *end;
    struct et_error *err;
};

static void lf_skip_space(struct lf_parser *lp)
{
    while (lp->p < lp->end && isspace((unsigned char)*lp->p))
        lp->p++;
}

static int lf_fail(struct lf_parser *lp, const char *what, const char *start)
{
    return et_error_set(lp->err, 400, ET_SOURCE_PLUGIN,
                        "invalid labelFilter at offset %zu: %s (expected name=\"value\" items "
                        "separated by commas)",
                        (size_t)(lp->p - start), what);
}

static char *lf_string(struct lf_parser *lp, const char *start)
{
    char quote = lp->p < lp->end ? *lp->p : '\0';
    if (quote != '"' && quote != '\'') {
        lf_fail(lp, "value must be quoted", start);
        return NULL;
    }
    lp->p++;
    struct et_buf b;
    et_buf_init(&b, QUERY_MAX_VALUE_BYTES);
    while (lp->p < lp->end && *lp->p != quote) {
        char c = *lp->p++;
        if (c == '\\') {
            if (lp->p >= lp->end)
                break;
            c = *lp->p++;
            if (c == 'n')
                c = '\n';
            else if (c == 't')
                c = '\t';
            else if (c != '\\' && c != '"' && c != '\'') {
                et_buf_cleanup(&b);
                lf_fail(lp, "unknown escape in value", start);
                return NULL;
            }
        } else if (c == '\0' || c == '\n') {
            et_buf_cleanup(&b);
            lf_fail(lp, "control character in value", start);
            return NULL;
        }
        et_buf_putc(&b, c);
    }
    if (lp->p >= lp->end || b.failed) {
        et_buf_cleanup(&b);
        lf_fail(lp, "unterminated or too long value", start);
        return NULL;
    }
    lp->p++; /* closing quote */
    return et_buf_take(&b, NULL);
}

static int lf_matcher(struct lf_parser *lp, const char *start, struct label_matcher *m)
{
    const char *name = lp->p;
    if (lp->p >= lp->end || !(isalpha((unsigned char)*lp->p) || *lp->p == '_'))
        return lf_fail(lp, "label name expected", start);
    while (lp->p < lp->end && (isalnum((unsigned char)*lp->p) || *lp->p == '_'))
        lp->p++;
    size_t name_len = (size_t)(lp->p - name);
    lf_skip_space(lp);
    const char *op = lp->p;
    if (lp->end - lp->p >= 2 &&
        (memcmp(op, "!=", 2) == 0 || memcmp(op, "=~", 2) == 0 || memcmp(op, "!~", 2) == 0)) {
        memcpy(m->op, op, 2);
        m->op[2] = '\0';
        lp->p += 2;
    } else if (lp->p < lp->end && *op == '=') {
        memcpy(m->op, "=", 2);
        lp->p++;
    } else {
        return lf_fail(lp, "operator =, !=, =~ or !~ expected", start);
    }
    lf_skip_space(lp);
    char *value = lf_string(lp, start);
    if (!value)
        return -1;
    m->name = et_xstrndup(name, name_len);
    m->value = value;
    return 0;
}

int query_parse_label_filter(const char *text, size_t len, struct label_matcher **out, size_t *n,
                             struct et_error *err)
{
    struct lf_parser lp = {text, text + len, err};
    struct label_matcher *ms = NULL;
    size_t count = 0;
    *out = NULL;
    *n = 0;
    lf_skip_space(&lp);
    bool braces = lp.p < lp.end && *lp.p == '{';
    if (braces)
        lp.p++;
    for (;;) {
        lf_skip_space(&lp);
        if (lp.p >= lp.end || (braces && *lp.p == '}'))
            break;
        if (count >= QUERY_MAX_LABEL_MATCHERS) {
            query_label_matchers_free(ms, count);
            return lf_fail(&lp, "too many matchers", text);
        }
        ms = et_xrealloc(ms, (count + 1) * sizeof *ms);
        memset(&ms[count], 0, sizeof *ms);
        if (lf_matcher(&lp, text, &ms[count]) < 0) {
            query_label_matchers_free(ms, count);
            return -1;
        }
        count++;
        lf_skip_space(&lp);
        if (lp.p < lp.end && *lp.p == ',') {
            lp.p++;
            continue;
        }
        break;
    }
    lf_skip_space(&lp);
    if (braces) {
        if (lp.p >= lp.end || *lp.p != '}') {
            query_label_matchers_free(ms, count);
            return lf_fail(&lp, "closing brace expected", text);
        }
        lp.p++;
        lf_skip_space(&lp);
    }
    if (lp.p != lp.end) {
        query_label_matchers_free(ms, count);
        return lf_fail(&lp, "unexpected text", text);
    }
    *out = ms;
    *n = count;
    return 0;
}

/* ---- trace IDs -------------------------------------------------------------------- */

int query_normalize_trace_id(const char *in, char out[33], struct et_error *err)
{
    size_t len = strlen(in);
    if (len == 0 || len > 32)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: traceId must be 1 to 32 hexadecimal digits");
    for (size_t i = 0; i < len; i++)
        if (!isxdigit((unsigned char)in[i]))
            return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                "invalid query: traceId must be hexadecimal (bad character at "
                                "position %zu)",
                                i + 1);
    memset(out, '0', 32 - len);
    for (size_t i = 0; i < len; i++)
        out[32 - len + i] = (char)tolower((unsigned char)in[i]);
    out[32] = '\0';
    return 0;
}

/* ---- the whole query ----------------------------------------------------------------- */

static int parse_span_kinds(json_t *q, unsigned *out, struct et_error *err)
{
    static const char *const names[] = {"server", "client", "internal", "producer", "consumer"};
    json_t *v = json_object_get(q, "spanKinds");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return bad_type(err, "spanKinds", "a list of span kinds");
    unsigned bits = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *s = json_is_string(item) ? json_string_value(item) : NULL;
        if (s && strcmp(s, "all") == 0) {
            bits = SPAN_KIND_BITS_ALL;
            continue;
        }
        size_t k;
        for (k = 0; s && k < 5; k++)
            if (strcmp(s, names[k]) == 0)
                break;
        if (!s || k == 5)
            return bad_type(err, "spanKinds",
                            "a list of server, client, internal, producer, consumer or all");
        bits |= 1u << k;
    }
    if (bits)
        *out = bits;
    return 0;
}

static int parse_kind_fields(json_t *j, struct query *q, struct et_error *err)
{
    static const char *const group_names[] = {"service", "route", "service_route"};
    static const char *const mode_names[] = {"ratio", "rate", "count"};
    static const char *const var_names[] = {"services", "routes", "exception-types", "span-names"};
    static const char *const sort_names[] = {"count", "new"};
    static const char *const compare_names[] = {"none", "previous-range"};
    int v;

    v = (int)q->group_by;
    if (get_enum(j, "groupBy", group_names, 3, &v, err) < 0)
        return -1;
    q->group_by = (enum group_by)v;
    v = (int)q->mode;
    if (get_enum(j, "mode", mode_names, 3, &v, err) < 0)
        return -1;
    q->mode = (enum rate_mode)v;
    if (parse_span_kinds(j, &q->span_kinds, err) < 0)
        return -1;
    v = (int)q->variable;
    if (get_enum(j, "variable", var_names, 4, &v, err) < 0)
        return -1;
    q->variable = (enum variable_kind)v;
    v = (int)q->sort;
    if (get_enum(j, "sort", sort_names, 2, &v, err) < 0)
        return -1;
    q->sort = (enum groups_sort)v;
    v = 0;
    if (get_enum(j, "compareTo", compare_names, 2, &v, err) < 0)
        return -1;
    q->compare_previous = v == 1;
    if (get_int(j, "buckets", 2, 200, &q->buckets, err) < 0)
        return -1;
    if (get_bool(j, "traceView", &q->trace_view, err) < 0)
        return -1;
    if (kind_limits[q->kind].max > 0 &&
        get_int(j, "limit", 1, kind_limits[q->kind].max, &q->limit, err) < 0)
        return -1;

    const char *tid;
    if (get_str(j, "traceId", &tid, NULL, err) < 0)
        return -1;
    if (q->kind == QUERY_TRACE_EXCEPTIONS) {
        if (!tid || !*tid)
            return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                "invalid query: trace-exceptions needs a traceId");
        /* A trace ID may arrive through a template variable with spaces around it. */
        char trimmed[64] = {0};
        size_t n = strlen(tid);
        while (n && isspace((unsigned char)tid[n - 1]))
            n--;
        while (n && isspace((unsigned char)*tid))
            tid++, n--;
        if (n >= sizeof trimmed)
            return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                "invalid query: traceId must be 1 to 32 hexadecimal digits");
        memcpy(trimmed, tid, n);
        trimmed[n] = '\0';
        if (query_normalize_trace_id(trimmed, q->trace_id, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_filters(json_t *j, struct query *q, struct et_error *err)
{
    if (get_list(j, "services", &q->services, err) < 0 ||
        get_list(j, "routes", &q->routes, err) < 0 ||
        get_list(j, "exceptionTypes", &q->exception_types, err) < 0 ||
        get_list(j, "environment", &q->environment, err) < 0)
        return -1;
    const char *lf;
    size_t lf_len = 0;
    if (get_str(j, "labelFilter", &lf, &lf_len, err) < 0)
        return -1;
    if (lf && lf_len > 0 &&
        query_parse_label_filter(lf, lf_len, &q->label_matchers, &q->n_label_matchers, err) < 0)
        return -1;
    return 0;
}

static int check_range(struct query *q, struct et_error *err)
{
    if (q->from_ms < MIN_TIME_MS || q->to_ms > MAX_TIME_MS || q->from_ms > MAX_TIME_MS)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: time range must lie between 1970 and 9999");
    if (q->from_ms >= q->to_ms)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: time range is empty (from must be before to)");
    if (q->interval_ms < 0 || q->max_data_points < 0)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: intervalMs and maxDataPoints must not be negative");
    return 0;
}

static int resolve_kind(const char *query_type, json_t *j, struct query *q, struct et_error *err)
{
    const char *type = query_type && *query_type ? query_type : NULL;
    if (!type && get_str(j, "queryType", &type, NULL, err) < 0)
        return -1;
    if (!type || !*type)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "invalid query: queryType is missing (one of error-rate, hotspots, "
                            "top-types, variable, recent-errors, error-summary, trace-exceptions, "
                            "error-groups)");
    int k = query_kind_parse(type);
    if (k < 0) {
        char shown[64];
        snprintf(shown, sizeof shown, "%s", type);
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "unknown queryType \"%s\" (known: error-rate, hotspots, top-types, "
                            "variable, recent-errors, error-summary, trace-exceptions, "
                            "error-groups)",
                            shown);
    }
    q->kind = (enum query_kind)k;
    q->type_name = kind_names[k];
    return 0;
}

int query_parse(const char *ref_id, const char *query_type, const char *json, size_t json_len,
                int64_t from_ms, int64_t to_ms, int64_t interval_ms, int64_t max_data_points,
                struct query *q, struct et_error *err)
{
    memset(q, 0, sizeof *q);
    q->ref_id = et_xstrdup(ref_id ? ref_id : "");
    q->from_ms = from_ms;
    q->to_ms = to_ms;
    q->interval_ms = interval_ms;
    q->max_data_points = max_data_points;
    q->span_kinds = SPAN_KIND_BIT_SERVER | SPAN_KIND_BIT_CONSUMER;
    q->buckets = 20;
    et_strlist_init(&q->services);
    et_strlist_init(&q->routes);
    et_strlist_init(&q->exception_types);
    et_strlist_init(&q->environment);

    json_error_t jerr;
    json_t *j = NULL;
    if (json && json_len > 0) {
        j = json_loadb(json, json_len, 0, &jerr);
        if (!j) {
            et_error_set(err, 400, ET_SOURCE_PLUGIN,
                         "invalid query JSON: %s (at line %d, column %d)", jerr.text, jerr.line,
                         jerr.column);
            goto fail;
        }
        if (!json_is_object(j)) {
            et_error_set(err, 400, ET_SOURCE_PLUGIN, "invalid query JSON: must be an object");
            goto fail;
        }
    } else {
        j = json_object();
    }
    if (resolve_kind(query_type, j, q, err) < 0)
        goto fail;
    q->limit = kind_limits[q->kind].def;
    if (check_range(q, err) < 0 || parse_filters(j, q, err) < 0 || parse_kind_fields(j, q, err) < 0)
        goto fail;
    json_decref(j);
    return 0;
fail:
    json_decref(j);
    query_cleanup(q);
    return -1;
}

void query_cleanup(struct query *q)
{
    free(q->ref_id);
    q->ref_id = NULL;
    et_strlist_cleanup(&q->services);
    et_strlist_cleanup(&q->routes);
    et_strlist_cleanup(&q->exception_types);
    et_strlist_cleanup(&q->environment);
    query_label_matchers_free(q->label_matchers, q->n_label_matchers);
    q->label_matchers = NULL;
    q->n_label_matchers = 0;
}
