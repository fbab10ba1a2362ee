/* SPDX-License-Identifier: Apache-2.0
 *
 * The span-metrics panels (see prom_runners.h): error rate over time,
 * hotspots by endpoint, top exception types, template-variable values.
 *
 * DESIGN: the error rate is computed from two PromQL range queries run in
 * parallel over the same grid, errors = sum by (group) (rate(calls{error}))
 * and calls = sum by (group) (rate(calls)), and combined here. Doing the
 * division in C rather than in PromQL gives three things the plain
 * "errors / calls" of the seed article cannot: groups with traffic and no
 * errors read 0 (not a gap), grouping by endpoint falls back to the span name
 * for series without an http_route (summing rates is sound, averaging ratios
 * would not be), and zero-traffic points are honest nulls instead of NaN/Inf.
 * Hotspots do the same with increase() over the panel range in one instant
 * evaluation. Only SERVER and CONSUMER spans count by default, so a failure
 * is not counted again in every CLIENT span that called it.
 */
#include "prometheus/prom_runners.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "frame/frame_helpers.h"
#include "prometheus/prom_client.h"
#include "prometheus/promql.h"
#include "prometheus/spanmetrics.h"
#include "series/spike.h"
#include "tempo/tempo_runners.h"

#define KEY_SEP '\x1f'

/* ---- shared helpers ---------------------------------------------------------------- */

/* The grouping key of a series: service and/or route (span name when the
 * series has no route), joined with KEY_SEP. */
static void series_key(const struct prom_series *s, const struct metrics_names *n, enum group_by g,
                       struct et_buf *key)
{
    et_buf_reset(key);
    if (g != GROUP_BY_ROUTE)
        et_buf_append_str(key, prom_series_label(s, n->service_label));
    et_buf_putc(key, KEY_SEP);
    if (g != GROUP_BY_SERVICE) {
        const char *route = prom_series_label(s, n->route_label);
        et_buf_append_str(key, route[0] ? route : prom_series_label(s, n->span_name_label));
    }
}

static void split_key(const char *key, const char **service, size_t *service_len,
                      const char **route)
{
    const char *sepp = strchr(key, KEY_SEP);
    *service = key;
    *service_len = sepp ? (size_t)(sepp - key) : strlen(key);
    *route = sepp ? sepp + 1 : "";
}

static int key_index(const struct et_strlist *sorted_keys, const char *key)
{
    size_t lo = 0, hi = sorted_keys->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sorted_keys->items[mid], key);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void add_warnings(struct frame *f, const struct prom_result *results, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t w = 0; w < results[i].warnings.n; w++)
            frame_meta_add_notice(f, FRAME_NOTICE_WARNING, results[i].warnings.items[w]);
}

/* "# span metrics: ...\n" followed by each PromQL, for executedQueryString. */
static void executed_text(struct et_buf *out, const struct resolved_names *rn,
                          const char *const *queries, size_t n)
{
    char desc[512];
    spanmetrics_describe(rn, desc, sizeof desc);
    et_buf_printf(out, "# span metrics: %s\n", desc);
    for (size_t i = 0; i < n; i++)
        et_buf_printf(out, "%s%s", queries[i], i + 1 < n ? "\n" : "");
}

static int first_error(const struct et_error *errs, size_t n, struct et_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (et_error_is_set(&errs[i])) {
            *err = errs[i];
            return -1;
        }
    return 0;
}

/* ---- error rate -------------------------------------------------------------------- */

struct grid {
    size_t points;
    double *calls;  /* [key][point], NAN when no sample */
    double *errors; /* [key][point], 0 when no sample */
};

static void grid_fill(struct grid *g, const struct et_strlist *keys, const struct prom_result *r,
                      const struct metrics_names *n, enum group_by gb,
                      const struct promql_range *range, double *dst)
{
    struct et_buf key;
    et_buf_init(&key, ET_BUF_UNLIMITED);
    for (size_t s = 0; s < r->n_series; s++) {
        series_key(&r->series[s], n, gb, &key);
        int k = key_index(keys, et_buf_cstr(&key));
        if (k < 0)
            continue;
        for (size_t i = 0; i < r->series[s].n_samples; i++) {
            const struct prom_sample *sm = &r->series[s].samples[i];
            double idx = round((sm->t - range->start) / range->step);
            if (idx < 0 || idx >= (double)g->points || !isfinite(sm->v))
                continue;
            double *slot = &dst[(size_t)k * g->points + (size_t)idx];
            *slot = isnan(*slot) ? sm->v : *slot + sm->v;
        }
    }
    et_buf_cleanup(&key);
}

static const char *value_name(enum rate_mode m)
{
    return m == RATE_MODE_RATIO ? "error ratio" : m == RATE_MODE_RATE ? "error rate" : "errors";
}

static const char *value_unit(enum rate_mode m)
{
    return m == RATE_MODE_RATIO ? "percentunit" : m == RATE_MODE_RATE ? "reqps" : "short";
}

static void format_value(char *out, size_t size, double v, enum rate_mode mode)
{
    if (mode == RATE_MODE_RATIO)
        snprintf(out, size, "%.2f%%", v * 100);
    else if (mode == RATE_MODE_RATE)
        snprintf(out, size, "%.3g errors/s", v);
    else
        snprintf(out, size, "%.3g errors per step", v);
}

/* "Since when?": when the series has a sustained spike, say so on the frame
 * (a notice Grafana shows on the panel) and in meta.custom.spike. */
static void annotate_spike(struct frame *f, const struct frame_field *val, const char *display,
                           enum rate_mode mode, const struct promql_range *range)
{
    size_t n = frame_field_len(val);
    double *v = et_xmalloc((n + 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = frame_field_is_null(val, i) ? NAN : frame_field_get_float(val, i);
    struct spike sp;
    if (series_find_spike(v, n, &sp)) {
        int64_t start_ms = (int64_t)llround((range->start + (double)sp.start * range->step) * 1000);
        int64_t peak_ms = (int64_t)llround((range->start + (double)sp.peak * range->step) * 1000);
        time_t secs = (time_t)(start_ms / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        char when[32], base[48], peak[48], note[512];
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        format_value(base, sizeof base, sp.baseline, mode);
        format_value(peak, sizeof peak, sp.peak_value, mode);
        snprintf(note, sizeof note, "%s: errors rising since %s UTC (%s, usually %s)", display,
                 when, peak, base);
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, note);
        json_t *spike = json_object();
        json_object_set_new(spike, "start", json_integer(start_ms));
        json_object_set_new(spike, "peak", json_integer(peak_ms));
        json_object_set_new(spike, "peakValue", json_real(sp.peak_value));
        json_object_set_new(spike, "baseline", json_real(sp.baseline));
        json_t *custom = json_object();
        json_object_set_new(custom, "spike", spike);
        frame_meta_set_custom(f, custom);
    }
    free(v);
}

static struct frame *series_frame(const struct query *q, const char *key, const struct grid *g,
                                  size_t k, const struct promql_range *range)
{
    const char *service, *route;
    size_t service_len;
    split_key(key, &service, &service_len, &route);
    char *svc = et_xstrndup(service, service_len);
    struct et_buf display;
    et_buf_init(&display, ET_BUF_UNLIMITED);
    et_buf_append_str(&display, svc);
    if (q->group_by != GROUP_BY_SERVICE)
        et_buf_printf(&display, "%s%s", display.len ? " " : "", route);
    if (display.len == 0)
        et_buf_append_str(&display, "(unknown)");

    struct frame *f = frame_new_timeseries(q->ref_id, et_buf_cstr(&display), value_name(q->mode));
    struct frame_field *time = frame_field_at(f, 0), *val = frame_field_at(f, 1);
    frame_field_set_interval(time, range->step * 1000.0);
    if (q->group_by != GROUP_BY_ROUTE)
        frame_field_set_label(val, "service", svc);
    if (q->group_by != GROUP_BY_SERVICE)
        frame_field_set_label(val, "route", route);
    frame_field_set_display_name_from_ds(val, et_buf_cstr(&display));
    frame_field_set_unit(val, value_unit(q->mode));
    if (q->mode == RATE_MODE_RATIO) {
        frame_field_set_min(val, 0);
    }
    for (size_t i = 0; i < g->points; i++) {
        double t = range->start + (double)i * range->step;
        double calls = g->calls[k * g->points + i], errors = g->errors[k * g->points + i];
        frame_field_append_time_ms(time, (int64_t)llround(t * 1000.0));
        if (isnan(calls)) { /* no traffic data at this point */
            frame_field_append_null(val);
            continue;
        }
        double e = isnan(errors) ? 0 : errors, v;
        if (q->mode == RATE_MODE_RATIO)
            v = calls > 0 ? e / calls : NAN;
        else if (q->mode == RATE_MODE_RATE)
            v = e;
        else
            v = e * range->step;
        if (isnan(v))
            frame_field_append_null(val);
        else
            frame_field_append_float(val, v);
    }
    annotate_spike(f, val, et_buf_cstr(&display), q->mode, range);
    free(svc);
    et_buf_cleanup(&display);
    return f;
}

static void collect_keys(const struct prom_result *r, const struct metrics_names *n,
                         enum group_by gb, struct et_strlist *keys)
{
    struct et_buf key;
    et_buf_init(&key, ET_BUF_UNLIMITED);
    for (size_t s = 0; s < r->n_series; s++) {
        series_key(&r->series[s], n, gb, &key);
        et_strlist_push_unique(keys, et_buf_cstr(&key));
    }
    et_strlist_sort(keys);
    et_buf_cleanup(&key);
}

static void build_rate_queries(const struct query *q, const struct resolved_names *rn,
                               const struct promql_range *range, struct et_buf *errq,
                               struct et_buf *callq)
{
    struct et_buf by;
    et_buf_init(&by, ET_BUF_UNLIMITED);
    promql_group_labels(&by, &rn->names, q->group_by);
    et_buf_printf(errq, "sum by (%s) (rate(", et_buf_cstr(&by));
    promql_selector(errq, &rn->names, rn->names.calls_metric, q, rn->route_label_present,
                    PROMQL_SEL_ERRORS | PROMQL_SEL_SPAN_KINDS);
    et_buf_printf(errq, "[%lds]))", range->window_seconds);
    et_buf_printf(callq, "sum by (%s) (rate(", et_buf_cstr(&by));
    promql_selector(callq, &rn->names, rn->names.calls_metric, q, rn->route_label_present,
                    PROMQL_SEL_SPAN_KINDS);
    et_buf_printf(callq, "[%lds]))", range->window_seconds);
    et_buf_cleanup(&by);
}

int prom_run_error_rate(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                        struct et_error *err)
{
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, err) < 0)
        return -1;
    struct promql_range range;
    promql_compute_range(q, ctx->inst->settings.scrape_interval_seconds, &range);
    struct et_buf errq, callq;
    et_buf_init(&errq, ET_BUF_UNLIMITED);
    et_buf_init(&callq, ET_BUF_UNLIMITED);
    build_rate_queries(q, &rn, &range, &errq, &callq);

    struct prom_eval evals[2] = {
        {et_buf_cstr(&errq), range.start, range.end, range.step},
        {et_buf_cstr(&callq), range.start, range.end, range.step},
    };
    struct prom_result res[2];
    struct et_error errs[2];
    prom_eval_many(ctx, evals, 2, res, errs);
    int rc = first_error(errs, 2, err);
    if (rc == 0) {
        struct et_strlist keys;
        et_strlist_init(&keys);
        collect_keys(&res[1], &rn.names, q->group_by, &keys);
        struct grid g;
        g.points = (size_t)llround((range.end - range.start) / range.step) + 1;
        g.calls = et_xmalloc(keys.n * g.points * sizeof(double) + 1);
        g.errors = et_xmalloc(keys.n * g.points * sizeof(double) + 1);
        for (size_t i = 0; i < keys.n * g.points; i++)
            g.calls[i] = g.errors[i] = NAN;
        grid_fill(&g, &keys, &res[1], &rn.names, q->group_by, &range, g.calls);
        grid_fill(&g, &keys, &res[0], &rn.names, q->group_by, &range, g.errors);

        const char *queries[2] = {et_buf_cstr(&errq), et_buf_cstr(&callq)};
        struct et_buf executed;
        et_buf_init(&executed, ET_BUF_UNLIMITED);
        executed_text(&executed, &rn, queries, 2);
        for (size_t k = 0; k < keys.n; k++) {
            struct frame *f = series_frame(q, keys.items[k], &g, k, &range);
            frame_meta_set_executed_query(f, et_buf_cstr(&executed));
            if (k == 0)
                add_warnings(f, res, 2);
            frame_list_push(out, f);
        }
        if (keys.n == 0) {
            struct frame *f = frame_new_timeseries_no_data(q->ref_id);
            frame_meta_set_executed_query(f, et_buf_cstr(&executed));
            frame_meta_add_notice(f, FRAME_NOTICE_INFO,
                                  "No span metrics matched the filters in this time range.");
            add_warnings(f, res, 2);
            frame_list_push(out, f);
        }
        et_buf_cleanup(&executed);
        free(g.calls);
        free(g.errors);
        et_strlist_cleanup(&keys);
    }
    prom_result_cleanup(&res[0]);
    prom_result_cleanup(&res[1]);
    et_buf_cleanup(&errq);
    et_buf_cleanup(&callq);
    resolved_names_cleanup(&rn);
    return rc;
}

/* ---- hotspots ------------------------------------------------------------------------- */

struct hotspot {
    const char *key;
    double errors;
    double calls;
};

static int cmp_hotspot(const void *a, const void *b)
{
    const struct hotspot *x = a, *y = b;
    if (x->errors != y->errors)
        return x->errors > y->errors ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void sum_by_key(const struct prom_result *r, const struct resolved_names *rn,
                       const struct et_strlist *keys, double *sums)
{
    struct et_buf key;
    et_buf_init(&key, ET_BUF_UNLIMITED);
    for (size_t s = 0; s < r->n_series; s++) {
        series_key(&r->series[s], &rn->names, GROUP_BY_SERVICE_ROUTE, &key);
        int k = key_index(keys, et_buf_cstr(&key));
        if (k >= 0 && r->series[s].n_samples > 0 && isfinite(r->series[s].samples[0].v))
            sums[k] += r->series[s].samples[0].v;
    }
    et_buf_cleanup(&key);
}

static struct frame *hotspots_frame(const struct query *q, struct hotspot *rows, size_t n)
{
    struct frame *f = frame_new_table(q->ref_id, "hotspots");
    struct frame_field *svc = frame_add_field(f, "service", FRAME_STRING, false);
    struct frame_field *route = frame_add_field(f, "route", FRAME_STRING, false);
    struct frame_field *errors = frame_add_field(f, "errors", FRAME_FLOAT64, false);
    struct frame_field *calls = frame_add_field(f, "calls", FRAME_FLOAT64, false);
    struct frame_field *ratio = frame_add_field(f, "errorRatio", FRAME_FLOAT64, false);
    frame_field_set_decimals(errors, 0);
    frame_field_set_decimals(calls, 0);
    frame_field_set_unit(ratio, "percentunit");
    frame_field_set_display_name_from_ds(ratio, "error ratio");
    for (size_t i = 0; i < n && i < (size_t)q->limit; i++) {
        const char *service, *rt;
        size_t service_len;
        split_key(rows[i].key, &service, &service_len, &rt);
        frame_field_append_string(svc, service, service_len);
        frame_field_append_cstring(route, rt);
        frame_field_append_float(errors, rows[i].errors);
        frame_field_append_float(calls, rows[i].calls);
        frame_field_append_float(ratio, rows[i].calls > 0 ? rows[i].errors / rows[i].calls : 0);
    }
    return f;
}

static void build_increase_query(struct et_buf *out, const struct resolved_names *rn,
                                 const struct query *q, const char *by, const char *metric,
                                 unsigned flags, long range_seconds)
{
    et_buf_printf(out, "sum by (%s) (increase(", by);
    promql_selector(out, &rn->names, metric, q, rn->route_label_present, flags);
    et_buf_printf(out, "[%lds]))", range_seconds);
}

int prom_run_hotspots(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                      struct et_error *err)
{
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, err) < 0)
        return -1;
    struct promql_range range;
    promql_compute_range(q, ctx->inst->settings.scrape_interval_seconds, &range);
    struct et_buf by, errq, callq;
    et_buf_init(&by, ET_BUF_UNLIMITED);
    et_buf_init(&errq, ET_BUF_UNLIMITED);
    et_buf_init(&callq, ET_BUF_UNLIMITED);
    promql_group_labels(&by, &rn.names, GROUP_BY_SERVICE_ROUTE);
    build_increase_query(&errq, &rn, q, et_buf_cstr(&by), rn.names.calls_metric,
                         PROMQL_SEL_ERRORS | PROMQL_SEL_SPAN_KINDS, range.range_seconds);
    build_increase_query(&callq, &rn, q, et_buf_cstr(&by), rn.names.calls_metric,
                         PROMQL_SEL_SPAN_KINDS, range.range_seconds);
    double at = (double)q->to_ms / 1000.0;
    struct prom_eval evals[2] = {{et_buf_cstr(&errq), at, at, 0}, {et_buf_cstr(&callq), at, at, 0}};
    struct prom_result res[2];
    struct et_error errs[2];
    prom_eval_many(ctx, evals, 2, res, errs);
    int rc = first_error(errs, 2, err);
    if (rc == 0) {
        struct et_strlist keys;
        et_strlist_init(&keys);
        collect_keys(&res[1], &rn.names, GROUP_BY_SERVICE_ROUTE, &keys);
        double *err_sum = et_xcalloc(keys.n + 1, sizeof(double));
        double *call_sum = et_xcalloc(keys.n + 1, sizeof(double));
        sum_by_key(&res[0], &rn, &keys, err_sum);
        sum_by_key(&res[1], &rn, &keys, call_sum);
        struct hotspot *rows = et_xcalloc(keys.n + 1, sizeof *rows);
        size_t n = 0;
        for (size_t k = 0; k < keys.n; k++)
            if (err_sum[k] > 0)
                rows[n++] = (struct hotspot){keys.items[k], err_sum[k], call_sum[k]};
        qsort(rows, n, sizeof *rows, cmp_hotspot);
        struct frame *f = hotspots_frame(q, rows, n);
        const char *queries[2] = {et_buf_cstr(&errq), et_buf_cstr(&callq)};
        struct et_buf executed;
        et_buf_init(&executed, ET_BUF_UNLIMITED);
        executed_text(&executed, &rn, queries, 2);
        frame_meta_set_executed_query(f, et_buf_cstr(&executed));
        if (!rn.route_label_present)
            frame_meta_add_notice(
                f, FRAME_NOTICE_INFO,
                "The span metrics have no http_route label: endpoints are span "
                "names. Add http.route to the connector's dimensions for routes.");
        add_warnings(f, res, 2);
        frame_list_push(out, f);
        et_buf_cleanup(&executed);
        free(rows);
        free(err_sum);
        free(call_sum);
        et_strlist_cleanup(&keys);
    }
    prom_result_cleanup(&res[0]);
    prom_result_cleanup(&res[1]);
    et_buf_cleanup(&by);
    et_buf_cleanup(&errq);
    et_buf_cleanup(&callq);
    resolved_names_cleanup(&rn);
    return rc;
}

/* ---- top exception types --------------------------------------------------------------- */

struct type_row {
    const char *service;
    const char *type;
    double count;
};

static int cmp_type_row(const void *a, const void *b)
{
    const struct type_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = strcmp(x->type, y->type);
    return c ? c : strcmp(x->service, y->service);
}

int prom_run_top_types(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                       struct et_error *err)
{
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, err) < 0)
        return -1;
    if (!rn.names.events_metric[0]) {
        resolved_names_cleanup(&rn);
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "the span metrics have no events metric for exception types");
    }
    struct promql_range range;
    promql_compute_range(q, ctx->inst->settings.scrape_interval_seconds, &range);
    struct et_buf by, query;
    et_buf_init(&by, ET_BUF_UNLIMITED);
    et_buf_init(&query, ET_BUF_UNLIMITED);
    et_buf_printf(&by, "%s, %s", rn.names.service_label, rn.names.exception_type_label);
    /* Exceptions on failed spans of any kind: each service's own exception
     * is a different event, so kinds do not double-count here. */
    build_increase_query(&query, &rn, q, et_buf_cstr(&by), rn.names.events_metric,
                         PROMQL_SEL_ERRORS | PROMQL_SEL_EXCEPTIONS, range.range_seconds);
    double at = (double)q->to_ms / 1000.0;
    struct prom_eval eval = {et_buf_cstr(&query), at, at, 0};
    struct prom_result res;
    struct et_error e;
    prom_eval_many(ctx, &eval, 1, &res, &e);
    int rc = first_error(&e, 1, err);
    if (rc == 0) {
        struct type_row *rows = et_xcalloc(res.n_series + 1, sizeof *rows);
        size_t n = 0;
        for (size_t s = 0; s < res.n_series; s++) {
            const struct prom_series *ser = &res.series[s];
            if (ser->n_samples == 0 || !isfinite(ser->samples[0].v) || ser->samples[0].v <= 0)
                continue;
            rows[n++] = (struct type_row){prom_series_label(ser, rn.names.service_label),
                                          prom_series_label(ser, rn.names.exception_type_label),
                                          ser->samples[0].v};
        }
        qsort(rows, n, sizeof *rows, cmp_type_row);
        struct frame *f = frame_new_table(q->ref_id, "top-types");
        struct frame_field *svc = frame_add_field(f, "service", FRAME_STRING, false);
        struct frame_field *type = frame_add_field(f, "exceptionType", FRAME_STRING, false);
        struct frame_field *count = frame_add_field(f, "count", FRAME_FLOAT64, false);
        frame_field_set_decimals(count, 0);
        for (size_t i = 0; i < n && i < (size_t)q->limit; i++) {
            frame_field_append_cstring(svc, rows[i].service);
            frame_field_append_cstring(type, rows[i].type);
            frame_field_append_float(count, rows[i].count);
        }
        const char *queries[1] = {et_buf_cstr(&query)};
        struct et_buf executed;
        et_buf_init(&executed, ET_BUF_UNLIMITED);
        executed_text(&executed, &rn, queries, 1);
        frame_meta_set_executed_query(f, et_buf_cstr(&executed));
        char note[300];
        snprintf(note, sizeof note, "Source: span metrics (%s), exception events on failed spans.",
                 rn.names.events_metric);
        frame_meta_add_notice(f, FRAME_NOTICE_INFO, note);
        add_warnings(f, &res, 1);
        frame_list_push(out, f);
        et_buf_cleanup(&executed);
        free(rows);
    }
    prom_result_cleanup(&res);
    et_buf_cleanup(&by);
    et_buf_cleanup(&query);
    resolved_names_cleanup(&rn);
    return rc;
}

int prom_events_metric_state(const struct query_ctx *ctx, struct et_error *err)
{
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, err) < 0) {
        if (strncmp(err->message, SPANMETRICS_NONE_FOUND, strlen(SPANMETRICS_NONE_FOUND)) != 0)
            return -1;
        et_error_clear(err);
        return 0;
    }
    int has = rn.names.events_metric[0] != '\0';
    resolved_names_cleanup(&rn);
    return has;
}

/* ---- variable values ----------------------------------------------------------------------- */

/* Label values of `label` on `metric`, narrowed by the query's other filters. */
static int values_of(const struct query_ctx *ctx, const struct resolved_names *rn,
                     const struct query *q, const char *metric, const char *label, unsigned flags,
                     struct et_strlist *out, struct et_error *err)
{
    struct et_buf match;
    et_buf_init(&match, ET_BUF_UNLIMITED);
    promql_selector(&match, &rn->names, metric, q, rn->route_label_present, flags);
    int rc = prom_label_values(ctx, label, et_buf_cstr(&match), (double)q->from_ms / 1000.0,
                               (double)q->to_ms / 1000.0, out, err);
    et_buf_cleanup(&match);
    return rc;
}

static int list_for_query(const struct query_ctx *ctx, const struct query *q,
                          struct et_strlist *out, struct et_error *err)
{
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, err) < 0)
        return -1;
    /* A variable is never narrowed by its own filter. */
    struct query narrowed = *q;
    struct et_strlist empty;
    et_strlist_init(&empty);
    int rc;
    switch (q->variable) {
    case VARIABLE_SERVICES:
        narrowed.services = empty;
        rc = values_of(ctx, &rn, &narrowed, rn.names.calls_metric, rn.names.service_label, 0, out,
                       err);
        break;
    case VARIABLE_ROUTES:
        narrowed.routes = empty;
        rc = rn.route_label_present
                 ? values_of(ctx, &rn, &narrowed, rn.names.calls_metric, rn.names.route_label,
                             PROMQL_SEL_SPAN_KINDS, out, err)
                 : 0;
        if (rc == 0 && out->n == 0)
            rc = values_of(ctx, &rn, &narrowed, rn.names.calls_metric, rn.names.span_name_label,
                           PROMQL_SEL_SPAN_KINDS, out, err);
        break;
    case VARIABLE_SPAN_NAMES:
        rc = values_of(ctx, &rn, &narrowed, rn.names.calls_metric, rn.names.span_name_label, 0, out,
                       err);
        break;
    case VARIABLE_EXCEPTION_TYPES:
    default:
        narrowed.exception_types = empty;
        if (rn.names.events_metric[0])
            rc = values_of(ctx, &rn, &narrowed, rn.names.events_metric,
                           rn.names.exception_type_label, 0, out, err);
        else if (ctx->inst->settings.tempo_url[0])
            rc = tempo_list_values(ctx, VARIABLE_EXCEPTION_TYPES, &q->services, q->from_ms,
                                   q->to_ms, out, err);
        else
            rc = 0;
        break;
    }
    resolved_names_cleanup(&rn);
    return rc;
}

int prom_run_variable(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                      struct et_error *err)
{
    struct et_strlist values;
    et_strlist_init(&values);
    if (list_for_query(ctx, q, &values, err) < 0) {
        et_strlist_cleanup(&values);
        return -1;
    }
    et_strlist_sort(&values);
    struct frame *f = frame_new("values");
    struct frame_field *text = frame_add_field(f, "text", FRAME_STRING, false);
    struct frame_field *value = frame_add_field(f, "value", FRAME_STRING, false);
    for (size_t i = 0; i < values.n && i < (size_t)q->limit; i++) {
        frame_field_append_cstring(text, values.items[i]);
        frame_field_append_cstring(value, values.items[i]);
    }
    frame_list_push(out, f);
    et_strlist_cleanup(&values);
    return 0;
}

int prom_list_values(const struct query_ctx *ctx, enum variable_kind what,
                     const struct et_strlist *services, int64_t from_ms, int64_t to_ms,
                     struct et_strlist *out, struct et_error *err)
{
    struct query q;
    memset(&q, 0, sizeof q);
    q.kind = QUERY_VARIABLE;
    q.type_name = "variable";
    q.variable = what;
    q.from_ms = from_ms;
    q.to_ms = to_ms > from_ms ? to_ms : from_ms + 1;
    q.span_kinds = SPAN_KIND_BIT_SERVER | SPAN_KIND_BIT_CONSUMER;
    et_strlist_init(&q.routes);
    et_strlist_init(&q.exception_types);
    et_strlist_init(&q.environment);
    q.services = *services; /* borrowed: not cleaned up here */
    return list_for_query(ctx, &q, out, err);
}

json_t *prom_describe_names(const struct query_ctx *ctx, struct et_error *err)
{
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, err) < 0)
        return NULL;
    const struct metrics_names *n = &rn.names;
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string(metrics_schema_name(n->schema)));
    json_object_set_new(o, "detected", json_boolean(rn.auto_detected));
    json_object_set_new(o, "callsMetric", json_string(n->calls_metric));
    json_object_set_new(o, "eventsMetric", json_string(n->events_metric));
    json_object_set_new(o, "serviceLabel", json_string(n->service_label));
    json_object_set_new(o, "routeLabel", json_string(n->route_label));
    json_object_set_new(o, "routeLabelPresent", json_boolean(rn.route_label_present));
    json_object_set_new(o, "spanNameLabel", json_string(n->span_name_label));
    json_object_set_new(o, "spanKindLabel", json_string(n->span_kind_label));
    json_object_set_new(o, "statusCodeLabel", json_string(n->status_code_label));
    json_object_set_new(o, "statusErrorValue", json_string(n->status_error_value));
    json_object_set_new(o, "exceptionTypeLabel", json_string(n->exception_type_label));
    json_object_set_new(o, "environmentLabel", json_string(n->environment_label));
    resolved_names_cleanup(&rn);
    return o;
}

int prom_health(const struct query_ctx *ctx, json_t *details)
{
    json_object_set_new(details, "url", json_string(ctx->inst->settings.prometheus_url));
    char version[128];
    struct et_error err;
    et_error_clear(&err);
    if (prom_buildinfo(ctx, version, sizeof version, &err) < 0) {
        json_object_set_new(details, "ok", json_false());
        json_object_set_new(details, "error", json_string(err.message));
        return -1;
    }
    json_object_set_new(details, "version", json_string(version));
    struct resolved_names rn;
    if (spanmetrics_resolve(ctx, &rn, &err) < 0) {
        json_object_set_new(details, "ok", json_false());
        json_object_set_new(details, "error", json_string(err.message));
        return -1;
    }
    char desc[512];
    spanmetrics_describe(&rn, desc, sizeof desc);
    char summary[640];
    snprintf(summary, sizeof summary, "span metrics %s", desc);
    json_object_set_new(details, "ok", json_true());
    json_object_set_new(details, "summary", json_string(summary));
    json_object_set_new(details, "schema", json_string(metrics_schema_name(rn.names.schema)));
    json_object_set_new(details, "schemaDetected", json_boolean(rn.auto_detected));
    json_object_set_new(details, "eventsMetric", json_string(rn.names.events_metric));
    json_object_set_new(details, "routeLabelPresent", json_boolean(rn.route_label_present));
    resolved_names_cleanup(&rn);
    return 0;
}
