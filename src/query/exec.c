/* SPDX-License-Identifier: Apache-2.0
 *
 * Running panel queries (see exec.h): parse, dispatch through the immutable
 * runner table, stamp the refId, check the frames, count the outcome.
 *
 * Two query types have a choice of backend, decided here so the runners stay
 * single-backend: top-types comes from the span-metrics events metric when
 * Prometheus has one, else from Tempo; variable values come from Prometheus
 * when it is configured, else from Tempo tags.
 */
#include "query/exec.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
#include "prometheus/prom_runners.h"
#include "query/query.h"
#include "query/runner.h"
#include "tempo/tempo_runners.h"

static bool has_prometheus(const struct query_ctx *ctx)
{
    return ctx->inst->settings.prometheus_url[0] != '\0';
}

static bool has_tempo(const struct query_ctx *ctx)
{
    return ctx->inst->settings.tempo_url[0] != '\0';
}

static int run_top_types(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                         struct et_error *err)
{
    int events = has_prometheus(ctx) ? prom_events_metric_state(ctx, err) : 0;
    if (events < 0)
        return -1;
    if (events)
        return prom_run_top_types(ctx, q, out, err);
    if (has_tempo(ctx))
        return tempo_run_top_types(ctx, q, out, err);
    if (has_prometheus(ctx))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "top-types needs the span-metrics events metric (connector option "
                            "events.enabled with dimension exception.type) or a Tempo URL; "
                            "Prometheus has no events metric and no Tempo URL is configured");
    return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                        "top-types needs a Prometheus URL or a Tempo URL in the datasource "
                        "settings");
}

static int run_variable(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                        struct et_error *err)
{
    if (has_prometheus(ctx))
        return prom_run_variable(ctx, q, out, err);
    if (has_tempo(ctx))
        return tempo_run_variable(ctx, q, out, err);
    return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                        "variable queries need a Prometheus URL or a Tempo URL in the datasource "
                        "settings");
}

struct runner_entry {
    query_run_fn run;
    enum {
        NEEDS_NOTHING,
        NEEDS_PROMETHEUS,
        NEEDS_TEMPO,
    } needs;
};

static const struct runner_entry runners[QUERY_KIND_COUNT] = {
    [QUERY_ERROR_RATE] = {prom_run_error_rate, NEEDS_PROMETHEUS},
    [QUERY_HOTSPOTS] = {prom_run_hotspots, NEEDS_PROMETHEUS},
    [QUERY_TOP_TYPES] = {run_top_types, NEEDS_NOTHING},
    [QUERY_VARIABLE] = {run_variable, NEEDS_NOTHING},
    [QUERY_RECENT_ERRORS] = {tempo_run_recent_errors, NEEDS_TEMPO},
    [QUERY_ERROR_SUMMARY] = {tempo_run_error_summary, NEEDS_TEMPO},
    [QUERY_TRACE_EXCEPTIONS] = {tempo_run_trace_exceptions, NEEDS_TEMPO},
    [QUERY_ERROR_GROUPS] = {tempo_run_error_groups, NEEDS_TEMPO},
};

static const char *const type_names[QUERY_KIND_COUNT + 1] = {
    "error-rate",    "hotspots",         "top-types",    "variable", "recent-errors",
    "error-summary", "trace-exceptions", "error-groups", NULL,
};

const char *const *exec_query_type_names(void)
{
    return type_names;
}

void exec_result_init(struct exec_result *r)
{
    frame_list_init(&r->frames);
    et_error_clear(&r->err);
}

void exec_result_cleanup(struct exec_result *r)
{
    frame_list_cleanup(&r->frames);
    et_error_clear(&r->err);
}

static int check_backend(const struct query_ctx *ctx, const struct query *q, int needs,
                         struct et_error *err)
{
    if (needs == NEEDS_PROMETHEUS && !has_prometheus(ctx))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "%s needs a Prometheus URL in the datasource settings", q->type_name);
    if (needs == NEEDS_TEMPO && !has_tempo(ctx))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "%s needs a Tempo URL in the datasource settings", q->type_name);
    return 0;
}

static void finish_frames(struct exec_result *out, const char *ref_id)
{
    for (size_t i = 0; i < out->frames.n; i++) {
        frame_set_ref_id(out->frames.items[i], ref_id);
        if (frame_validate(out->frames.items[i], &out->err) < 0) {
            frame_list_cleanup(&out->frames);
            frame_list_init(&out->frames);
            return;
        }
    }
}

void exec_run_query(struct instance *inst, const struct exec_query *eq,
                    const struct et_cancel *cancel, struct exec_result *out)
{
    int64_t started = et_now_monotonic_ns();
    struct query q;
    struct query_ctx ctx = {inst, cancel};
    const char *ref_id = eq->ref_id ? eq->ref_id : "";
    const char *type_for_metrics = "invalid";

    if (query_parse(ref_id, eq->query_type, eq->json, eq->json_len, eq->from_ms, eq->to_ms,
                    eq->interval_ms, eq->max_data_points, &q, &out->err) < 0)
        goto done;
    type_for_metrics = q.type_name;
    const struct runner_entry *r = &runners[q.kind];
    if (check_backend(&ctx, &q, r->needs, &out->err) == 0) {
        if (r->run(&ctx, &q, &out->frames, &out->err) < 0) {
            if (!et_error_is_set(&out->err))
                et_error_set(&out->err, 500, ET_SOURCE_PLUGIN, "%s failed", q.type_name);
            frame_list_cleanup(&out->frames);
            frame_list_init(&out->frames);
        } else {
            et_error_clear(&out->err);
            finish_frames(out, ref_id);
        }
    }
    query_cleanup(&q);
done:;
    int status = et_error_is_set(&out->err) ? out->err.status : 200;
    et_metrics_query(inst->metrics, type_for_metrics, status);
    if (et_log_get_level() <= ET_LOG_DEBUG) {
        char ms[32], st[16];
        snprintf(ms, sizeof ms, "%.3f", (double)(et_now_monotonic_ns() - started) / 1e6);
        snprintf(st, sizeof st, "%d", status);
        et_log(ET_LOG_DEBUG, "query", "query finished", "refId", ref_id, "queryType",
               type_for_metrics, "status", st, "durationMs", ms, "error",
               et_error_is_set(&out->err) ? out->err.message : "", NULL);
    }
}
