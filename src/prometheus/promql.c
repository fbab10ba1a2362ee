/* SPDX-License-Identifier: Apache-2.0
 *
 * PromQL building for the span-metrics panels (see promql.h).
 */
#include "prometheus/promql.h"

#include <math.h>
#include <string.h>

#include "query/escape.h"

static const char *const kind_values[] = {"SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                                          "SPAN_KIND_INTERNAL", "SPAN_KIND_PRODUCER",
                                          "SPAN_KIND_CONSUMER"};

static void sep(struct et_buf *out, bool *first)
{
    if (!*first)
        et_buf_putc(out, ',');
    *first = false;
}

/* label="v" for one value, label=~"a|b" for several. */
static void list_matcher(struct et_buf *out, bool *first, const char *label,
                         const struct et_strlist *values)
{
    if (values->n == 0)
        return;
    sep(out, first);
    et_buf_append_str(out, label);
    if (values->n == 1) {
        et_buf_putc(out, '=');
        escape_string_literal(out, values->items[0], strlen(values->items[0]));
    } else {
        et_buf_append_str(out, "=~");
        escape_regex_alternation(out, values);
    }
}

static void span_kind_matcher(struct et_buf *out, bool *first, const char *label, unsigned bits)
{
    if ((bits & SPAN_KIND_BITS_ALL) == SPAN_KIND_BITS_ALL || bits == 0)
        return;
    struct et_strlist kinds;
    et_strlist_init(&kinds);
    for (int i = 0; i < 5; i++)
        if (bits & (1u << i))
            et_strlist_push(&kinds, kind_values[i]);
    list_matcher(out, first, label, &kinds);
    et_strlist_cleanup(&kinds);
}

void promql_selector(struct et_buf *out, const struct metrics_names *n, const char *metric,
                     const struct query *q, bool route_label_present, unsigned flags)
{
    bool first = true;
    et_buf_append_str(out, metric);
    et_buf_putc(out, '{');
    if (flags & PROMQL_SEL_SPAN_KINDS)
        span_kind_matcher(out, &first, n->span_kind_label, q->span_kinds);
    if (flags & PROMQL_SEL_ERRORS) {
        sep(out, &first);
        et_buf_append_str(out, n->status_code_label);
        et_buf_putc(out, '=');
        escape_string_literal(out, n->status_error_value, strlen(n->status_error_value));
    }
    list_matcher(out, &first, n->service_label, &q->services);
    if (!(flags & PROMQL_SEL_NO_ROUTES))
        list_matcher(out, &first, route_label_present ? n->route_label : n->span_name_label,
                     &q->routes);
    list_matcher(out, &first, n->environment_label, &q->environment);
    if (flags & PROMQL_SEL_EXCEPTIONS) {
        if (q->exception_types.n)
            list_matcher(out, &first, n->exception_type_label, &q->exception_types);
        else {
            sep(out, &first);
            et_buf_append_str(out, n->exception_type_label);
            et_buf_append_str(out, "!=\"\"");
        }
    }
    for (size_t i = 0; i < q->n_label_matchers; i++) {
        const struct label_matcher *m = &q->label_matchers[i];
        sep(out, &first);
        et_buf_append_str(out, m->name);
        et_buf_append_str(out, m->op);
        escape_string_literal(out, m->value, strlen(m->value));
    }
    et_buf_putc(out, '}');
}

/* Grafana rounds computed intervals to values people read easily. */
static double nice_step(double step)
{
    static const double nice[] = {1,   2,   5,    10,   15,   20,   30,    60,    120,   300,
                                  600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (step <= nice[i])
            return nice[i];
    return ceil(step / 86400.0) * 86400.0;
}

void promql_compute_range(const struct query *q, int scrape, struct promql_range *r)
{
    if (scrape < 1)
        scrape = 15;
    double from = (double)q->from_ms / 1000.0, to = (double)q->to_ms / 1000.0;
    double range = to - from;
    double step;
    if (q->interval_ms > 0) {
        step = ceil((double)q->interval_ms / 1000.0); /* Grafana already made it nice */
    } else {
        double points = q->max_data_points > 0 ? (double)q->max_data_points : 1000.0;
        step = nice_step(range / points);
    }
    if (q->max_data_points > 0 && range / (double)q->max_data_points > step)
        step = ceil(range / (double)q->max_data_points);
    if (step < scrape) /* no point in a step finer than the samples (Grafana's min interval) */
        step = scrape;
    double min_step = ceil(range / 11000.0); /* Prometheus refuses more than 11,000 points */
    if (step < min_step)
        step = min_step;
    r->step = step;
    r->start = floor(from / step) * step;
    r->end = floor(to / step) * step;
    if (r->end < r->start)
        r->end = r->start;
    double window = step + scrape > 4.0 * scrape ? step + scrape : 4.0 * scrape;
    r->window_seconds = (long)ceil(window);
    r->range_seconds = (long)ceil(range);
    if (r->range_seconds < 1)
        r->range_seconds = 1;
}

void promql_group_labels(struct et_buf *out, const struct metrics_names *n, enum group_by g)
{
    if (g == GROUP_BY_SERVICE || g == GROUP_BY_SERVICE_ROUTE)
        et_buf_append_str(out, n->service_label);
    if (g == GROUP_BY_SERVICE_ROUTE)
        et_buf_append_str(out, ", ");
    if (g == GROUP_BY_ROUTE || g == GROUP_BY_SERVICE_ROUTE)
        et_buf_printf(out, "%s, %s", n->route_label, n->span_name_label);
}
