/* SPDX-License-Identifier: Apache-2.0
 *
 * Query runners answered from span metrics in Prometheus (contract in
 * query/runner.h): error-rate, hotspots, top-types (from the events metric)
 * and variable values; plus the Prometheus part of the health check.
 */
#ifndef ET_PROMETHEUS_PROM_RUNNERS_H
#define ET_PROMETHEUS_PROM_RUNNERS_H

#include <jansson.h>
#include <stdbool.h>

#include "query/runner.h"

int prom_run_error_rate(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                        struct et_error *err);
int prom_run_hotspots(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                      struct et_error *err);
int prom_run_top_types(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                       struct et_error *err);
int prom_run_variable(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                      struct et_error *err);

/* Whether top-types can be answered from metrics: 1 when the resolved names
 * include an events metric that exists on the server; 0 when Prometheus
 * answered and has none (or no span metrics at all); -1 with `err` set when
 * Prometheus could not tell (unreachable, refused, broken answer): that
 * failure is the query's answer, not a reason to switch to Tempo silently.
 * Detects the scheme first when needed. */
int prom_events_metric_state(const struct query_ctx *ctx, struct et_error *err);

/* Values for the editor's dropdowns (CallResource): `what` is a variable kind;
 * `services` narrows routes/span names/exception types. Appends to `out`. */
int prom_list_values(const struct query_ctx *ctx, enum variable_kind what,
                     const struct et_strlist *services, int64_t from_ms, int64_t to_ms,
                     struct et_strlist *out, struct et_error *err);

/* The resolved metric names as JSON (CallResource metrics-schema). New reference,
 * or NULL with `err` set. */
json_t *prom_describe_names(const struct query_ctx *ctx, struct et_error *err);

/* Probe Prometheus for the health check: fills `details` (url, ok, version,
 * schema, calls/events metric found, error). Returns 0 when healthy. */
int prom_health(const struct query_ctx *ctx, json_t *details);

#endif
