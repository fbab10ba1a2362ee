/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/prometheus without a server: the streaming response
 * parser (every envelope and result shape of notes/metrics.md §4.2–4.3,
 * hostile bodies) and the PromQL builder (selectors, escaping, step and rate
 * window).
 */
#include <math.h>
#include <string.h>

#include "config/settings.h"
#include "core/buf.h"
#include "prometheus/prom_parse.h"
#include "prometheus/promql.h"
#include "query/query.h"
#include "test.h"

static int parse(const char *body, long status, struct prom_result *r, struct et_error *err)
{
    prom_result_init(r);
    et_error_clear(err);
    return prom_parse_response(body, strlen(body), status, r, err);
}

static void test_matrix_with_special_values(void)
{
    const char *body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
        "{\"metric\":{\"service_name\":\"checkout\",\"a\":\"\\u00e9\\n\"},"
        "\"values\":[[1767225599.5,\"722\"],[1767225600,\"NaN\"],[1767225615.25,\"+Inf\"],"
        "[1767225630,\"-Inf\"],[1767225645,\"0.0042\"]]},"
        "{\"metric\":{},\"values\":[]}]},\"warnings\":[\"w1\"],\"infos\":[\"i1\"]}";
    struct prom_result r;
    struct et_error err;
    ASSERT_EQ_INT(parse(body, 200, &r, &err), 0);
    ASSERT_EQ_INT(r.type, PROM_RESULT_MATRIX);
    ASSERT_EQ_UINT(r.n_series, 2);
    ASSERT_EQ_STR(prom_series_label(&r.series[0], "service_name"), "checkout");
    ASSERT_EQ_STR(prom_series_label(&r.series[0], "a"), "\xc3\xa9\n");
    ASSERT_EQ_STR(prom_series_label(&r.series[0], "missing"), "");
    ASSERT_EQ_STR(r.series[0].labels[0].name, "a"); /* sorted */
    ASSERT_EQ_UINT(r.series[0].n_samples, 5);
    ASSERT_EQ_DBL(r.series[0].samples[0].t, 1767225599.5, 0);
    ASSERT_EQ_DBL(r.series[0].samples[0].v, 722, 0);
    ASSERT_TRUE(isnan(r.series[0].samples[1].v));
    ASSERT_TRUE(isinf(r.series[0].samples[2].v) && r.series[0].samples[2].v > 0);
    ASSERT_TRUE(isinf(r.series[0].samples[3].v) && r.series[0].samples[3].v < 0);
    ASSERT_EQ_DBL(r.series[0].samples[4].v, 0.0042, 0);
    ASSERT_EQ_UINT(r.series[1].n_samples, 0);
    ASSERT_EQ_UINT(r.warnings.n, 2);
    ASSERT_EQ_STR(r.warnings.items[1], "i1");
    prom_result_cleanup(&r);
}

static void test_vector_scalar_labels_and_key_order(void)
{
    struct prom_result r;
    struct et_error err;
    /* data before status, resultType after result, an unknown key and a histogram */
    ASSERT_EQ_INT(parse("{\"data\":{\"result\":[{\"value\":[1,\"2\"],\"metric\":{\"x\":\"y\"},"
                        "\"histogram\":[1,{\"count\":\"3\",\"buckets\":[[0,\"1\",\"2\",\"3\"]]}]}],"
                        "\"resultType\":\"vector\",\"extra\":{\"nested\":[true,false,null]}},"
                        "\"status\":\"success\"}",
                        200, &r, &err),
                  0);
    ASSERT_EQ_INT(r.type, PROM_RESULT_VECTOR);
    ASSERT_EQ_UINT(r.n_series, 1);
    ASSERT_EQ_DBL(r.series[0].samples[0].v, 2, 0);
    prom_result_cleanup(&r);
    ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":"
                        " [ 1767225600.5 , \"3.5\" ]}}",
                        200, &r, &err),
                  0);
    ASSERT_EQ_INT(r.type, PROM_RESULT_SCALAR);
    ASSERT_EQ_DBL(r.series[0].samples[0].v, 3.5, 0);
    prom_result_cleanup(&r);
    ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":[\"a\",\"b\\\"c\"]}", 200, &r, &err), 0);
    ASSERT_EQ_INT(r.type, PROM_RESULT_LABELS);
    ASSERT_EQ_UINT(r.strings.n, 2);
    ASSERT_EQ_STR(r.strings.items[1], "b\"c");
    prom_result_cleanup(&r);
    ASSERT_EQ_INT(
        parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}", 200,
              &r, &err),
        0);
    ASSERT_EQ_UINT(r.n_series, 0);
    prom_result_cleanup(&r);
}

static void expect_error(const char *body, long status, int want_status, const char *needle)
{
    struct prom_result r;
    struct et_error err;
    ASSERT_EQ_INT(parse(body, status, &r, &err), -1);
    ASSERT_EQ_INT(err.status, want_status);
    ASSERT_EQ_INT(err.source, ET_SOURCE_DOWNSTREAM);
    ASSERT_CONTAINS(err.message, needle);
    ASSERT_EQ_UINT(r.n_series, 0);
    prom_result_cleanup(&r);
}

static void test_error_envelopes_and_garbage(void)
{
    expect_error("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter "
                 "\\\"query\\\": 1:16: parse error: unclosed left parenthesis\"}",
                 400, 400, "bad_data error: invalid parameter \"query\": 1:16: parse error");
    expect_error("{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"found duplicate "
                 "series\"}",
                 422, 422, "duplicate series");
    expect_error("{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out\"}",
                 503, 503, "timeout");
    expect_error("404 page not found\n", 404, 404, "Prometheus answered 404: 404 page not found");
    expect_error("Method Not Allowed", 405, 405, "Method Not Allowed");
    expect_error("no org id", 401, 401, "no org id");
    expect_error("<html><body>Bad Gateway</body></html>", 502, 502, "<html>");
    expect_error("", 200, 502, "(empty)");
    expect_error(
        "{\"status\":\"success\",\"data\":{\"result\":[{\"metric\":{},\"values\":[[1,\"2\"", 200,
        502, "not valid JSON");
    expect_error(
        "{\"status\":\"success\",\"data\":{\"result\":[{\"metric\":{},\"values\":[[1,\"x\"]]}]}}",
        200, 502, "not a number");
    expect_error("{\"status\":\"success\"} trailing", 200, 502, "trailing data");
    expect_error("{\"hello\":\"world\"}", 200, 502, "not the Prometheus API JSON");
    expect_error("[1,2,3]", 200, 502, "not the Prometheus API JSON");
    expect_error("{\"status\":\"success\",\"data\":{\"result\":[{\"metric\":\"str\"}]}}", 200, 502,
                 "not valid JSON");
}

static void test_deep_nesting_and_limits(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_buf_append_str(&b, "{\"status\":\"success\",\"data\":{\"x\":");
    for (int i = 0; i < 10000; i++)
        et_buf_putc(&b, '[');
    et_buf_append_str(&b, "}}");
    expect_error(et_buf_cstr(&b), 200, 502, "nested too deeply");
    et_buf_reset(&b);
    et_buf_append_str(&b, "{\"status\":\"success\",\"data\":{\"result\":[");
    for (int i = 0; i <= PROM_MAX_SERIES; i++)
        et_buf_printf(&b, "%s{\"metric\":{},\"value\":[1,\"1\"]}", i ? "," : "");
    et_buf_append_str(&b, "]}}");
    expect_error(et_buf_cstr(&b), 200, 502, "too many series");
    et_buf_cleanup(&b);
}

/* Label values are merged without duplicates in O(n log n): a million values
 * (the parser's cap) take well under a second, not hours. */
static void test_label_values_take_unique_and_shape(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_buf_append_str(&b, "{\"status\":\"success\",\"data\":[");
    for (int i = 0; i < 1000000; i++)
        et_buf_printf(&b, "%s\"v%d\"", i ? "," : "", i % 500000);
    et_buf_append_str(&b, "]}");
    struct prom_result r;
    struct et_error err;
    ASSERT_EQ_INT(parse(et_buf_cstr(&b), 200, &r, &err), 0);
    struct et_strlist out;
    et_strlist_init(&out);
    et_strlist_push(&out, "v7");
    et_strlist_push(&out, "already");
    ASSERT_EQ_INT(prom_result_take_labels(&r, &out, &err), 0);
    ASSERT_EQ_UINT(out.n, 500001); /* 500,000 distinct, "v7" not twice, "already" kept */
    size_t v7 = 0;
    for (size_t i = 0; i < out.n; i++)
        v7 += strcmp(out.items[i], "v7") == 0;
    ASSERT_EQ_UINT(v7, 1);
    prom_result_cleanup(&r);
    et_strlist_cleanup(&out);
    et_buf_cleanup(&b);

    const char *objects = "{\"status\":\"success\",\"data\":{\"values\":[\"a\"]}}";
    ASSERT_EQ_INT(parse(objects, 200, &r, &err), 0);
    et_strlist_init(&out);
    ASSERT_EQ_INT(prom_result_take_labels(&r, &out, &err), -1);
    ASSERT_EQ_INT(err.status, 502);
    ASSERT_CONTAINS(err.message, "no list of values");
    prom_result_cleanup(&r);
    et_strlist_cleanup(&out);
}

/* ---- PromQL ---------------------------------------------------------------------------- */

static struct query make_query(const char *json)
{
    struct query q;
    struct et_error err;
    if (query_parse("A", "error-rate", json, strlen(json), 1767218400000LL, 1767225600000LL, 15000,
                    1000, &q, &err) < 0)
        UNIT_FAIL("query_parse: %s", err.message);
    return q;
}

static void test_selector_escapes_every_value(void)
{
    struct metrics_names n;
    metrics_names_for_schema(METRICS_SCHEMA_OTEL, NULL, &n);
    struct query q = make_query("{\"services\":[\"a\\\"}) or vector(1) #\"],\"routes\":[\"/x.*\","
                                "\"/y|z\"],\"environment\":[\"prod\\n\"],\"labelFilter\":"
                                "\"ns=~\\\"sh.*\\\"\"}");
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    promql_selector(&b, &n, n.calls_metric, &q, true, PROMQL_SEL_ERRORS | PROMQL_SEL_SPAN_KINDS);
    ASSERT_EQ_STR(
        et_buf_cstr(&b),
        "traces_span_metrics_calls_total{span_kind=~\"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER\","
        "status_code=\"STATUS_CODE_ERROR\",service_name=\"a\\\"}) or vector(1) #\","
        "http_route=~\"/x\\\\.\\\\*|/y\\\\|z\",deployment_environment=\"prod\\n\","
        "ns=~\"sh.*\"}");
    et_buf_reset(&b);
    promql_selector(&b, &n, n.events_metric, &q, false,
                    PROMQL_SEL_EXCEPTIONS | PROMQL_SEL_NO_ROUTES);
    ASSERT_EQ_STR(et_buf_cstr(&b),
                  "traces_span_metrics_events_total{service_name=\"a\\\"}) or vector(1) #\","
                  "deployment_environment=\"prod\\n\",exception_type!=\"\",ns=~\"sh.*\"}");
    et_buf_cleanup(&b);
    query_cleanup(&q);
    metrics_names_cleanup(&n);
}

static void test_tempo_names_and_group_labels(void)
{
    struct metrics_names n;
    metrics_names_for_schema(METRICS_SCHEMA_TEMPO, NULL, &n);
    ASSERT_EQ_STR(n.calls_metric, "traces_spanmetrics_calls_total");
    ASSERT_EQ_STR(n.events_metric, "");
    ASSERT_EQ_STR(n.service_label, "service");
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    promql_group_labels(&b, &n, GROUP_BY_SERVICE_ROUTE);
    ASSERT_EQ_STR(et_buf_cstr(&b), "service, http_route, span_name");
    et_buf_reset(&b);
    promql_group_labels(&b, &n, GROUP_BY_ROUTE);
    ASSERT_EQ_STR(et_buf_cstr(&b), "http_route, span_name");
    et_buf_cleanup(&b);
    metrics_names_cleanup(&n);

    struct metrics_names over = {0}, c;
    over.calls_metric = "my_calls";
    over.service_label = "svc";
    metrics_names_for_schema(METRICS_SCHEMA_CUSTOM, &over, &c);
    ASSERT_EQ_STR(c.calls_metric, "my_calls");
    ASSERT_EQ_STR(c.service_label, "svc");
    ASSERT_EQ_STR(c.route_label, "http_route");
    metrics_names_cleanup(&c);
}

static void test_step_and_rate_window(void)
{
    struct query q = make_query("{}");
    struct promql_range r;
    /* 2 h, intervalMs 15 s, maxDataPoints 1000: 7200/1000 = 7.2 -> step 15 */
    promql_compute_range(&q, 15, &r);
    ASSERT_EQ_DBL(r.step, 15, 0);
    ASSERT_EQ_DBL(r.start, 1767218400, 0);
    ASSERT_EQ_DBL(r.end, 1767225600, 0);
    ASSERT_EQ_INT(r.window_seconds, 60); /* max(15+15, 4*15) */
    ASSERT_EQ_INT(r.range_seconds, 7200);
    /* a year with a 1 ms interval: points stay under 11,000 */
    q.from_ms = 1735689600000LL;
    q.to_ms = 1767225600000LL;
    q.interval_ms = 1;
    q.max_data_points = 0;
    promql_compute_range(&q, 60, &r);
    ASSERT_TRUE((r.end - r.start) / r.step <= 11000);
    ASSERT_TRUE(r.window_seconds >= (long)(r.step + 60));
    query_cleanup(&q);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_matrix_with_special_values),
    UNIT_TEST(test_vector_scalar_labels_and_key_order),
    UNIT_TEST(test_error_envelopes_and_garbage),
    UNIT_TEST(test_deep_nesting_and_limits),
    UNIT_TEST(test_label_values_take_unique_and_shape),
    UNIT_TEST(test_selector_escapes_every_value),
    UNIT_TEST(test_tempo_names_and_group_labels),
    UNIT_TEST(test_step_and_rate_window),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
