/* SPDX-License-Identifier: Apache-2.0
 *
 * Error occurrences: what every Tempo panel is built from.
 *
 * One occurrence is one ERROR span, represented by one exception: the span's
 * last exception event (the final failure when a span records retries; also
 * what Tempo's select() reports when a span has several), or, with an
 * exception-type filter, the last exception event whose type is in the
 * filter. An ERROR span with no exception event is an occurrence of type
 * "(no exception)" whose message is the span's status message; an exception
 * event without `exception.type` is of type "(unknown)".
 *
 * Occurrences come from two sources with the same rules: whole traces (fetch
 * mode, trace-exceptions) and search results whose spans carry the selected
 * attributes (select mode). Both apply the filters exactly: service
 * (`service.name` of the resource, "unknown_service" when absent), route
 * (`http.route`, else `url.path`, else `http.target` without its query
 * string, else the span name; old and new semantic conventions), environment
 * (`deployment.environment.name`, else `deployment.environment`, resource
 * first, then span) and exception type.
 *
 * Ownership: a list owns copies of every string (its pool), so it outlives
 * the traces and search results it was read from.
 * Thread safety: one thread per list.
 */
#ifndef ET_TEMPO_TEMPO_ERRORS_H
#define ET_TEMPO_TEMPO_ERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/query.h"
#include "tempo/tempo_pool.h"
#include "tempo/tempo_search.h"
#include "tempo/tempo_trace.h"

#define TEMPO_UNKNOWN_TYPE "(unknown)"

struct tempo_error {
    int64_t time_ns;     /* span start */
    int64_t event_ns;    /* exception event time; span start when unknown */
    int64_t duration_ns; /* span duration */
    char trace_id[33];
    char span_id[17];
    const char *service;            /* never NULL */
    const char *route;              /* never NULL */
    const char *span_name;          /* never NULL */
    const char *exception_type;     /* never NULL */
    const char *message;            /* never NULL */
    const char *stacktrace;         /* "" when none */
    const char *sdk_language;       /* telemetry.sdk.language, "" when unknown */
    const char *custom_fingerprint; /* the application's grouping key (attribute
                                       error.fingerprint or grouping.fingerprint of the
                                       exception event, else of the span), "" when none */
    int escaped;                    /* exception.escaped: 1, 0, or -1 when absent */
    uint32_t seq;                   /* position when appended (stable sorts) */
};

struct tempo_error_list {
    struct tempo_error *items;
    size_t n;
    size_t cap;
    struct tempo_pool pool;
};

void tempo_error_list_init(struct tempo_error_list *l);
void tempo_error_list_cleanup(struct tempo_error_list *l);

/* The filters of a query, as used on occurrences. `types_done` says the
 * server already narrowed by exception type (the TraceQL had it); the type
 * still picks which exception represents the span. */
struct tempo_filter {
    const struct query *q;
    bool check_environment; /* false when the data has no environment (select mode) */
};

/* Append the occurrences of every ERROR span of `t` that passes the filter. */
void tempo_errors_from_trace(struct tempo_error_list *out, const struct tempo_trace *t,
                             const struct tempo_filter *f);

/* Append the occurrences of the spans of a search result trace (select mode;
 * every span there matched `status = error`). */
void tempo_errors_from_search(struct tempo_error_list *out, const struct tempo_search_trace *st,
                              const struct tempo_filter *f);
/* The same without copying: the occurrences' strings point into the search
 * result's pool, which the caller hands to `out` afterwards
 * (tempo_pool_adopt(&out->pool, &result->pool)) or keeps alive as long. */
void tempo_errors_from_search_borrowing(struct tempo_error_list *out,
                                        const struct tempo_search_trace *st,
                                        const struct tempo_filter *f);

/* tempo_errors_from_search_borrowing() of every trace of traces[0..n) that
 * `skip` (when not NULL) does not reject, in order: exactly the list that
 * loop gives, with room made once and the next trace's attributes fetched
 * ahead (1,000 traces' spans parsed on another core: 0.6 -> 0.3 ms). */
void tempo_errors_from_search_all(struct tempo_error_list *out,
                                  const struct tempo_search_trace *traces, size_t n,
                                  const struct tempo_filter *f,
                                  bool (*skip)(const struct tempo_search_trace *t, const void *arg),
                                  const void *skip_arg);
/* Every exception event of every span of `t` (any status), plus one
 * "(no exception)" entry per ERROR span without exception events, sorted by
 * event time, then span ID (trace-exceptions). */
void tempo_errors_all_of_trace(struct tempo_error_list *out, const struct tempo_trace *t);

/* The route and environment rules (see the file comment), exposed for tests.
 * The route is s[0..*len) (an http.target loses its query string). */
const char *tempo_span_route(const struct tempo_span *s, size_t *len);
const char *tempo_span_environment(const struct tempo_trace *t, const struct tempo_span *s);

#endif
