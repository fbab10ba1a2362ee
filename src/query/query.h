/* SPDX-License-Identifier: Apache-2.0
 *
 * The query model: one panel query's JSON (docs/queries.md) parsed into a
 * plain struct that the runners use.
 *
 * Parsing is the first line of defence against hostile dashboards: every
 * known field is type-checked (a wrong JSON type is a 400 naming the field),
 * numbers are range-checked, list values are checked for NUL bytes and size,
 * the time range must make sense, and the free `labelFilter` is parsed into
 * matchers (so it can be re-escaped later, never pasted into PromQL).
 *
 * Ownership: query_parse() fills a caller-provided struct that owns all its
 * strings; query_cleanup() frees them. Thread safety: pure.
 */
#ifndef ET_QUERY_QUERY_H
#define ET_QUERY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strlist.h"

enum query_kind {
    QUERY_ERROR_RATE,
    QUERY_HOTSPOTS,
    QUERY_TOP_TYPES,
    QUERY_VARIABLE,
    QUERY_RECENT_ERRORS,
    QUERY_ERROR_SUMMARY,
    QUERY_TRACE_EXCEPTIONS,
    QUERY_ERROR_GROUPS,
    QUERY_KIND_COUNT,
};

enum group_by {
    GROUP_BY_SERVICE,
    GROUP_BY_ROUTE,
    GROUP_BY_SERVICE_ROUTE,
};

enum rate_mode {
    RATE_MODE_RATIO, /* errors / calls, unit percentunit */
    RATE_MODE_RATE,  /* errors per second */
    RATE_MODE_COUNT, /* errors per step */
};

enum variable_kind {
    VARIABLE_SERVICES,
    VARIABLE_ROUTES,
    VARIABLE_EXCEPTION_TYPES,
    VARIABLE_SPAN_NAMES,
};

enum groups_sort {
    GROUPS_SORT_COUNT,
    GROUPS_SORT_NEW,
};

/* Span kinds as bits (OTel SpanKind). */
enum span_kind_bits {
    SPAN_KIND_BIT_SERVER = 1,
    SPAN_KIND_BIT_CLIENT = 2,
    SPAN_KIND_BIT_INTERNAL = 4,
    SPAN_KIND_BIT_PRODUCER = 8,
    SPAN_KIND_BIT_CONSUMER = 16,
    SPAN_KIND_BITS_ALL = 31,
};

/* One Prometheus label matcher from `labelFilter`: name op "value". */
struct label_matcher {
    char *name;  /* [a-zA-Z_][a-zA-Z0-9_]* */
    char op[3];  /* "=", "!=", "=~" or "!~" */
    char *value; /* the literal (unescaped) value */
};

/* Limits on outside input (why: keep one query's cost bounded). */
#define QUERY_MAX_LIST_VALUES    1000 /* values per filter list */
#define QUERY_MAX_VALUE_BYTES    4096 /* bytes per filter value */
#define QUERY_MAX_LABEL_MATCHERS 32

struct query {
    char *ref_id;
    enum query_kind kind;
    const char *type_name; /* static: the canonical queryType string */

    int64_t from_ms; /* panel range, epoch ms; from < to */
    int64_t to_ms;
    int64_t interval_ms;     /* 0 when unknown */
    int64_t max_data_points; /* 0 when unknown */

    struct et_strlist services; /* empty list: no filter */
    struct et_strlist routes;
    struct et_strlist exception_types;
    struct et_strlist environment;
    struct label_matcher *label_matchers;
    size_t n_label_matchers;

    enum group_by group_by; /* error-rate */
    enum rate_mode mode;    /* error-rate */
    unsigned span_kinds;    /* span_kind_bits; default SERVER|CONSUMER */
    int limit;              /* per-kind default applied */
    enum variable_kind variable;
    char trace_id[33];     /* trace-exceptions: 32 lower-case hex digits, "" otherwise */
    bool trace_view;       /* trace-exceptions: add a trace-view frame */
    enum groups_sort sort; /* error-groups */
    bool compare_previous; /* error-groups: compareTo previous-range */
    int buckets;           /* error-groups trend buckets */
};

/* Parse one query. `query_type` (DataQuery.queryType) wins over the JSON's
 * "queryType" when non-empty. Errors are 400 (plugin) with a message naming
 * the field; an unknown query type lists the known ones. On error `out` needs
 * no cleanup. */
int query_parse(const char *ref_id, const char *query_type, const char *json, size_t json_len,
                int64_t from_ms, int64_t to_ms, int64_t interval_ms, int64_t max_data_points,
                struct query *out, struct et_error *err);
void query_cleanup(struct query *q);

/* Canonical name of a kind ("error-rate" ...), and the reverse (-1 if unknown). */
const char *query_kind_name(enum query_kind kind);
int query_kind_parse(const char *name);

/* Parse the labelFilter grammar: optional braces around `name op "value"`
 * items separated by commas; values in double or single quotes with \ escapes.
 * Exposed for tests and fuzzing. On success the caller frees with
 * query_label_matchers_free(). */
int query_parse_label_filter(const char *text, size_t len, struct label_matcher **out, size_t *n,
                             struct et_error *err);
void query_label_matchers_free(struct label_matcher *m, size_t n);

/* Normalise a trace ID: 1..32 hex digits (any case) → 32 lower-case digits,
 * left-padded with zeros. Returns -1 (400) for anything else. */
int query_normalize_trace_id(const char *in, char out[33], struct et_error *err);

/* Split a template-variable value into a list: JSON arrays are handled by the
 * parser; this handles strings: "{a,b}" (Grafana's multi-value glob format) →
 * [a, b]; "$__all", "*", "All" and "" → empty (no filter); anything else → [s].
 * Exposed for tests and fuzzing. */
int query_split_multi_value(const char *s, size_t len, struct et_strlist *out,
                            struct et_error *err);

#endif
