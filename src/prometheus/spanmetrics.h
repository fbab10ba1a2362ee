/* SPDX-License-Identifier: Apache-2.0
 *
 * Which span-metrics naming the Prometheus server has, resolved once per
 * datasource instance.
 *
 * With metricsSchema `auto` the server is asked which of the known calls and
 * events metrics exist (one /api/v1/label/__name__/values call with a match
 * on the candidate names): OTel connector >= v0.109 (traces_span_metrics_*),
 * older connector (calls_total/events_total), Tempo's metrics-generator
 * (traces_spanmetrics_*, label `service`). A configured scheme is used as
 * is, but the events metric and the route label are still checked, so the
 * plugin knows whether top-types can come from metrics and how hotspots
 * fall back to span names. The result is cached in the instance; a failed
 * detection is not cached (the next query tries again).
 *
 * Ownership: the names copied out are freed with metrics_names_cleanup().
 * Thread safety: any thread (uses the instance lock).
 */
#ifndef ET_PROMETHEUS_SPANMETRICS_H
#define ET_PROMETHEUS_SPANMETRICS_H

#include <stdbool.h>

#include "config/settings.h"
#include "query/runner.h"

struct resolved_names {
    struct metrics_names names; /* events_metric is "" when the server has none */
    bool route_label_present;
    bool auto_detected; /* scheme found by detection (vs configured) */
};

/* Resolve (detect if needed) and copy out. -1 with `err` when the server
 * cannot be asked or has none of the known metrics in auto mode. */
/* How the error of spanmetrics_resolve() begins when Prometheus answered but
 * has no span metrics at all (as opposed to Prometheus failing). */
#define SPANMETRICS_NONE_FOUND "no span metrics found in Prometheus"

int spanmetrics_resolve(const struct query_ctx *ctx, struct resolved_names *out,
                        struct et_error *err);
void resolved_names_cleanup(struct resolved_names *r);

/* "otel (detected)" / "tempo (configured)" for notices and health. */
void spanmetrics_describe(const struct resolved_names *r, char *out, size_t size);

#endif
