/* SPDX-License-Identifier: Apache-2.0
 *
 * Span-metrics naming detection, cached per datasource (see spanmetrics.h).
 */
#include "prometheus/spanmetrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "prometheus/prom_client.h"
#include "query/escape.h"

static void copy_names(const struct metrics_names *src, struct metrics_names *dst)
{
    dst->schema = src->schema;
    dst->calls_metric = et_xstrdup(src->calls_metric);
    dst->events_metric = et_xstrdup(src->events_metric);
    dst->service_label = et_xstrdup(src->service_label);
    dst->route_label = et_xstrdup(src->route_label);
    dst->span_name_label = et_xstrdup(src->span_name_label);
    dst->span_kind_label = et_xstrdup(src->span_kind_label);
    dst->status_code_label = et_xstrdup(src->status_code_label);
    dst->status_error_value = et_xstrdup(src->status_error_value);
    dst->exception_type_label = et_xstrdup(src->exception_type_label);
    dst->environment_label = et_xstrdup(src->environment_label);
}

void resolved_names_cleanup(struct resolved_names *r)
{
    metrics_names_cleanup(&r->names);
}

void spanmetrics_describe(const struct resolved_names *r, char *out, size_t size)
{
    snprintf(out, size, "%s (%s; calls %s, events %s)", metrics_schema_name(r->names.schema),
             r->auto_detected ? "detected" : "configured", r->names.calls_metric,
             r->names.events_metric[0] ? r->names.events_metric : "none");
}

static bool take_from_cache(struct instance *inst, struct resolved_names *out)
{
    pthread_mutex_lock(&inst->lock);
    bool hit = inst->names_detected;
    if (hit) {
        copy_names(&inst->names, &out->names);
        out->route_label_present = inst->route_label_present;
        out->auto_detected = inst->names_auto_detected;
    }
    pthread_mutex_unlock(&inst->lock);
    return hit;
}

static void store_in_cache(struct instance *inst, const struct resolved_names *r)
{
    pthread_mutex_lock(&inst->lock);
    if (!inst->names_detected) {
        copy_names(&r->names, &inst->names);
        inst->route_label_present = r->route_label_present;
        inst->names_auto_detected = r->auto_detected;
        inst->names_detected = true;
    }
    pthread_mutex_unlock(&inst->lock);
}

/* The candidate metric names present on the server. */
static int present_metrics(const struct query_ctx *ctx, const struct metrics_names *configured,
                           struct et_strlist *present, struct et_error *err)
{
    static const char *const known[] = {
        "traces_span_metrics_calls_total",
        "traces_span_metrics_events_total",
        "calls_total",
        "events_total",
        "traces_spanmetrics_calls_total",
    };
    struct et_strlist names;
    et_strlist_init(&names);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        et_strlist_push_unique(&names, known[i]);
    if (configured) {
        et_strlist_push_unique(&names, configured->calls_metric);
        if (configured->events_metric[0])
            et_strlist_push_unique(&names, configured->events_metric);
    }
    struct et_buf match;
    et_buf_init(&match, ET_BUF_UNLIMITED);
    et_buf_append_str(&match, "{__name__=~");
    escape_regex_alternation(&match, &names);
    et_buf_putc(&match, '}');
    int rc = prom_label_values(ctx, "__name__", et_buf_cstr(&match), 0, 0, present, err);
    et_buf_cleanup(&match);
    et_strlist_cleanup(&names);
    return rc;
}

static int detect_scheme(const struct et_strlist *present)
{
    if (et_strlist_contains(present, "traces_span_metrics_calls_total"))
        return METRICS_SCHEMA_OTEL;
    if (et_strlist_contains(present, "calls_total"))
        return METRICS_SCHEMA_OTEL_LEGACY;
    if (et_strlist_contains(present, "traces_spanmetrics_calls_total"))
        return METRICS_SCHEMA_TEMPO;
    return -1;
}

static int check_route_label(const struct query_ctx *ctx, struct resolved_names *r,
                             struct et_error *err)
{
    struct et_strlist routes;
    et_strlist_init(&routes);
    /* Any value of the route label on the calls metric means routes exist. */
    int rc =
        prom_label_values(ctx, r->names.route_label, r->names.calls_metric, 0, 0, &routes, err);
    r->route_label_present = rc == 0 && routes.n > 0;
    et_strlist_cleanup(&routes);
    return rc;
}

int spanmetrics_resolve(const struct query_ctx *ctx, struct resolved_names *out,
                        struct et_error *err)
{
    memset(out, 0, sizeof *out);
    if (take_from_cache(ctx->inst, out))
        return 0;
    const struct settings *s = &ctx->inst->settings;
    struct et_strlist present;
    et_strlist_init(&present);
    int rc;
    if (s->metrics_schema == METRICS_SCHEMA_AUTO) {
        rc = present_metrics(ctx, NULL, &present, err);
        int scheme = rc == 0 ? detect_scheme(&present) : -1;
        if (rc == 0 && scheme < 0) {
            rc = et_error_set(err, 404, ET_SOURCE_DOWNSTREAM,
                              SPANMETRICS_NONE_FOUND
                              " (looked for "
                              "traces_span_metrics_calls_total, calls_total and "
                              "traces_spanmetrics_calls_total); set metricsSchema to custom "
                              "with callsMetric if your names differ");
        }
        if (rc == 0) {
            metrics_names_for_schema((enum metrics_schema)scheme, NULL, &out->names);
            out->auto_detected = true;
        }
    } else {
        metrics_names_for_schema(s->metrics_schema, &s->custom_names, &out->names);
        rc = present_metrics(ctx, &out->names, &present, err);
    }
    if (rc == 0 && out->names.events_metric[0] &&
        !et_strlist_contains(&present, out->names.events_metric)) {
        free(out->names.events_metric);
        out->names.events_metric = et_xstrdup("");
    }
    if (rc == 0)
        rc = check_route_label(ctx, out, err);
    et_strlist_cleanup(&present);
    if (rc < 0) {
        metrics_names_cleanup(&out->names);
        return -1;
    }
    store_in_cache(ctx->inst, out);
    return 0;
}
