/* SPDX-License-Identifier: Apache-2.0
 *
 * PromQL for the span-metrics panels, built from a parsed query and the
 * resolved metric names (the corrected queries of notes/metrics.md §3.3).
 *
 * Every user value goes through query/escape.h: a single value becomes
 * label="v", several become label=~"a|b" with each literal regex-escaped, and
 * labelFilter matchers are re-emitted from their parsed form. Metric and
 * label names come from settings, where they were validated as Prometheus
 * identifiers. Nothing a user sends can change a query's structure.
 *
 * Ownership: builders append to a caller's et_buf. Thread safety: pure.
 */
#ifndef ET_PROMETHEUS_PROMQL_H
#define ET_PROMETHEUS_PROMQL_H

#include <stdbool.h>

#include "config/settings.h"
#include "core/buf.h"
#include "query/query.h"

/* Selector options. */
enum promql_sel_flags {
    PROMQL_SEL_ERRORS = 1,     /* status_code = error value */
    PROMQL_SEL_SPAN_KINDS = 2, /* the query's span kinds (skipped when all) */
    PROMQL_SEL_EXCEPTIONS = 4, /* exception_type != "" and the exceptionTypes filter */
    PROMQL_SEL_NO_ROUTES = 8,  /* leave the routes filter out */
};

/* `metric{matchers}` for the query's filters. `route_label_present` picks the
 * label the routes filter applies to (route label, else span name). */
void promql_selector(struct et_buf *out, const struct metrics_names *names, const char *metric,
                     const struct query *q, bool route_label_present, unsigned flags);

/* The time grid of a range query and its rate window. */
struct promql_range {
    double start; /* seconds, aligned to step */
    double end;
    double step;         /* seconds, >= 1, points <= 11000 */
    long window_seconds; /* rate window: max(step + scrape, 4 * scrape) */
    long range_seconds;  /* whole panel range, for increase() over the range */
};

void promql_compute_range(const struct query *q, int scrape_interval_seconds,
                          struct promql_range *out);

/* The `by (...)` label list of an error-rate grouping, e.g. "service_name" or
 * "service_name, http_route, span_name". */
void promql_group_labels(struct et_buf *out, const struct metrics_names *names,
                         enum group_by group_by);

#endif
