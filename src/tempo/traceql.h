/* SPDX-License-Identifier: Apache-2.0
 *
 * TraceQL for the error panels, built from a parsed query.
 *
 * Every user value (service, route, exception type, environment) enters
 * through escape_string_literal() or, for the one regex, escape_regex_literal()
 * wrapped in a string literal (query/escape.h): a value can never end its
 * literal or add syntax. Lists become `(a = "x" || a = "y")` equality chains,
 * not regexes, because Tempo before 2.7 does not anchor regexes.
 *
 * The filter selects ERROR spans:
 *   { status = error
 *     && (resource.service.name = "…" || …)
 *     && (span.http.route = "…" || span.url.path = "…" || span.http.target = "…"
 *         || span.http.target =~ "^…\?.*$" || name = "…" || …)
 *     && (.deployment.environment.name = "…" || .deployment.environment = "…" || …)
 *     && (event.exception.type = "…" || …) }       (event scope: Tempo 2.6+)
 * The route and environment conditions are deliberately wider than the
 * plugin's own rule (route = http.route, else url.path, else http.target
 * without its query, else the span name); callers apply the exact rule to
 * what comes back. Exception types are left out when the server has no event
 * scope or when "(no exception)" is among them (callers filter instead).
 *
 * Select mode appends `| select(...)` of everything a row needs, so the
 * search alone answers (notes/tempo.md §2: the attributes come back under
 * their bare names).
 *
 * Thread safety: pure.
 */
#ifndef ET_TEMPO_TRACEQL_H
#define ET_TEMPO_TRACEQL_H

#include <stdbool.h>

#include "core/buf.h"
#include "query/query.h"

/* The exception type of ERROR spans that carry no exception event. */
#define TEMPO_NO_EXCEPTION "(no exception)"

struct traceql_options {
    bool events;      /* the server has the event scope (2.6+) */
    bool select;      /* append select() of the row attributes */
    bool most_recent; /* append with(most_recent=true) (2.8+) */
};

/* The error-span query for `q`'s filters (see the file comment). */
void traceql_build_errors(struct et_buf *out, const struct query *q,
                          const struct traceql_options *opt);

/* True when traceql_build_errors() puts the exception-type condition in the
 * query (so the server already narrowed by type). */
bool traceql_filters_types(const struct query *q, bool events);

/* `{ resource.service.name = "a" || … }` narrowing tag values by service
 * (and environment); "" (nothing appended) when there is nothing to narrow. */
void traceql_build_scope_filter(struct et_buf *out, const struct et_strlist *services,
                                const struct et_strlist *environment);

/* A tiny query that only parses on servers with the event scope (the probe
 * used when build info is unavailable). */
const char *traceql_event_probe(void);

#endif
