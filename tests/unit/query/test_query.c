/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/query: query JSON parsing (types, defaults, hostile
 * input), multi-value splitting, the labelFilter grammar, trace-ID
 * normalisation and the PromQL/TraceQL escaping boundary.
 */
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "query/escape.h"
#include "query/query.h"
#include "test.h"

#define FROM 1767218400000LL
#define TO   1767225600000LL

static int parse(const char *type, const char *json, struct query *q, struct et_error *err)
{
    et_error_clear(err);
    return query_parse("A", type, json, json ? strlen(json) : 0, FROM, TO, 15000, 1000, q, err);
}

static void test_defaults_per_kind(void)
{
    struct query q;
    struct et_error err;
    ASSERT_EQ_INT(parse("error-rate", "{}", &q, &err), 0);
    ASSERT_EQ_INT(q.kind, QUERY_ERROR_RATE);
    ASSERT_EQ_STR(q.type_name, "error-rate");
    ASSERT_EQ_INT(q.group_by, GROUP_BY_SERVICE);
    ASSERT_EQ_INT(q.mode, RATE_MODE_RATIO);
    ASSERT_EQ_UINT(q.span_kinds, SPAN_KIND_BIT_SERVER | SPAN_KIND_BIT_CONSUMER);
    ASSERT_EQ_STR(q.ref_id, "A");
    query_cleanup(&q);
    ASSERT_EQ_INT(parse("recent-errors", NULL, &q, &err), 0);
    ASSERT_EQ_INT(q.limit, 50);
    query_cleanup(&q);
    ASSERT_EQ_INT(parse("hotspots", "{}", &q, &err), 0);
    ASSERT_EQ_INT(q.limit, 10);
    query_cleanup(&q);
    ASSERT_EQ_INT(parse("error-groups", "{}", &q, &err), 0);
    ASSERT_EQ_INT(q.buckets, 20);
    ASSERT_EQ_INT(q.sort, GROUPS_SORT_COUNT);
    ASSERT_FALSE(q.compare_previous);
    query_cleanup(&q);
}

static void test_query_type_from_json_and_proto(void)
{
    struct query q;
    struct et_error err;
    ASSERT_EQ_INT(parse("", "{\"queryType\":\"hotspots\"}", &q, &err), 0);
    ASSERT_EQ_INT(q.kind, QUERY_HOTSPOTS);
    query_cleanup(&q);
    /* DataQuery.queryType wins over the JSON */
    ASSERT_EQ_INT(parse("top-types", "{\"queryType\":\"hotspots\"}", &q, &err), 0);
    ASSERT_EQ_INT(q.kind, QUERY_TOP_TYPES);
    query_cleanup(&q);
    ASSERT_EQ_INT(parse("", "{}", &q, &err), -1);
    ASSERT_EQ_INT(err.status, 400);
    ASSERT_CONTAINS(err.message, "queryType is missing");
    ASSERT_EQ_INT(parse("nope", "{}", &q, &err), -1);
    ASSERT_CONTAINS(err.message, "unknown queryType \"nope\"");
    ASSERT_CONTAINS(err.message, "error-groups");
}

static void test_full_query_fields(void)
{
    struct query q;
    struct et_error err;
    const char *json = "{\"services\":[\"checkout\",\"pay\\\"ment\"],\"routes\":\"{/a,/b}\","
                       "\"exceptionTypes\":\"java.lang.NPE\",\"environment\":[],"
                       "\"groupBy\":\"service_route\",\"mode\":\"count\","
                       "\"spanKinds\":[\"server\",\"client\"],\"labelFilter\":"
                       "\"k8s_ns=\\\"shop\\\", region=~'eu-.*'\"}";
    ASSERT_EQ_INT(parse("error-rate", json, &q, &err), 0);
    ASSERT_EQ_UINT(q.services.n, 2);
    ASSERT_EQ_STR(q.services.items[1], "pay\"ment");
    ASSERT_EQ_UINT(q.routes.n, 2);
    ASSERT_EQ_STR(q.routes.items[0], "/a");
    ASSERT_EQ_STR(q.routes.items[1], "/b");
    ASSERT_EQ_UINT(q.exception_types.n, 1);
    ASSERT_EQ_UINT(q.environment.n, 0);
    ASSERT_EQ_INT(q.group_by, GROUP_BY_SERVICE_ROUTE);
    ASSERT_EQ_INT(q.mode, RATE_MODE_COUNT);
    ASSERT_EQ_UINT(q.span_kinds, SPAN_KIND_BIT_SERVER | SPAN_KIND_BIT_CLIENT);
    ASSERT_EQ_UINT(q.n_label_matchers, 2);
    ASSERT_EQ_STR(q.label_matchers[0].name, "k8s_ns");
    ASSERT_EQ_STR(q.label_matchers[0].op, "=");
    ASSERT_EQ_STR(q.label_matchers[0].value, "shop");
    ASSERT_EQ_STR(q.label_matchers[1].op, "=~");
    ASSERT_EQ_STR(q.label_matchers[1].value, "eu-.*");
    query_cleanup(&q);
}

static void test_all_markers_mean_no_filter(void)
{
    struct query q;
    struct et_error err;
    ASSERT_EQ_INT(
        parse("hotspots", "{\"services\":\"$__all\",\"routes\":[\"a\",\"All\"]}", &q, &err), 0);
    ASSERT_EQ_UINT(q.services.n, 0);
    ASSERT_EQ_UINT(q.routes.n, 0);
    query_cleanup(&q);
    ASSERT_EQ_INT(parse("hotspots", "{\"services\":\"{a,$__all}\",\"routes\":\"*\"}", &q, &err), 0);
    ASSERT_EQ_UINT(q.services.n, 1);
    ASSERT_EQ_UINT(q.routes.n, 0);
    query_cleanup(&q);
}

static void expect_400(const char *type, const char *json, const char *needle)
{
    struct query q;
    struct et_error err;
    ASSERT_EQ_INT(parse(type, json, &q, &err), -1);
    ASSERT_EQ_INT(err.status, 400);
    ASSERT_EQ_INT(err.source, ET_SOURCE_PLUGIN);
    ASSERT_CONTAINS(err.message, needle);
}

static void test_wrong_types_are_400_naming_the_field(void)
{
    expect_400("hotspots", "{\"services\":42}", "services must be a list of strings");
    expect_400("hotspots", "{\"services\":[1]}", "services must be a list of strings");
    expect_400("hotspots", "{\"routes\":{}}", "routes must be");
    expect_400("hotspots", "{\"limit\":\"ten\"}", "limit must be a whole number");
    expect_400("hotspots", "{\"limit\":-1}", "limit must be between 1 and 1000");
    expect_400("hotspots", "{\"limit\":1e300}", "limit must be a whole number");
    expect_400("recent-errors", "{\"limit\":1001}", "between 1 and 1000");
    expect_400("error-rate", "{\"mode\":3}", "mode must be a string");
    expect_400("error-rate", "{\"mode\":\"avg\"}", "mode must be one of ratio, rate, count");
    expect_400("error-rate", "{\"spanKinds\":[\"server\",\"bogus\"]}", "spanKinds");
    expect_400("error-groups", "{\"buckets\":1}", "buckets must be between 2 and 200");
    expect_400("error-groups", "{\"compareTo\":\"yesterday\"}", "compareTo must be one of");
    expect_400("trace-exceptions", "{\"traceView\":\"yes\"}", "traceView must be true or false");
    expect_400("trace-exceptions", "{\"traceView\":true}", "needs a traceId");
    expect_400("trace-exceptions", "{\"traceId\":\"xyz\"}", "hexadecimal");
    expect_400("trace-exceptions", "{\"traceId\":123}", "traceId must be a string");
    expect_400("hotspots", "{\"labelFilter\":\"a=b\"}", "value must be quoted");
    expect_400("hotspots", "[1,2]", "must be an object");
    expect_400("hotspots", "{\"services\":", "invalid query JSON");
    expect_400("hotspots", "{\"services\":[\"a\\u0000b\"]}", "invalid query JSON");
}

static void test_time_range_checks(void)
{
    struct query q;
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(query_parse("A", "hotspots", "{}", 2, TO, FROM, 0, 0, &q, &err), -1);
    ASSERT_CONTAINS(err.message, "from must be before to");
    ASSERT_EQ_INT(query_parse("A", "hotspots", "{}", 2, FROM, FROM, 0, 0, &q, &err), -1);
    ASSERT_EQ_INT(query_parse("A", "hotspots", "{}", 2, -5, FROM, 0, 0, &q, &err), -1);
    ASSERT_CONTAINS(err.message, "1970 and 9999");
    ASSERT_EQ_INT(query_parse("A", "hotspots", "{}", 2, 0, 253402300799999LL, 0, 0, &q, &err), 0);
    query_cleanup(&q);
    ASSERT_EQ_INT(query_parse("A", "hotspots", "{}", 2, 0, 253402300800000LL, 0, 0, &q, &err), -1);
    ASSERT_EQ_INT(query_parse("A", "hotspots", "{}", 2, FROM, TO, -1, 0, &q, &err), -1);
}

static void test_hostile_sizes(void)
{
    /* 1001 values in one filter, and one value over 4 KiB */
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_buf_append_str(&b, "{\"services\":[");
    for (int i = 0; i <= 1000; i++)
        et_buf_printf(&b, "%s\"s%d\"", i ? "," : "", i);
    et_buf_append_str(&b, "]}");
    expect_400("hotspots", et_buf_cstr(&b), "more than 1000 values");
    et_buf_reset(&b);
    et_buf_append_str(&b, "{\"routes\":[\"");
    for (int i = 0; i < 5000; i++)
        et_buf_putc(&b, 'r');
    et_buf_append_str(&b, "\"]}");
    expect_400("hotspots", et_buf_cstr(&b), "longer than 4096 bytes");
    /* deep nesting in an unknown field is refused by the JSON reader, not a crash */
    et_buf_reset(&b);
    et_buf_append_str(&b, "{\"x\":");
    for (int i = 0; i < 100000; i++)
        et_buf_putc(&b, '[');
    et_buf_append_str(&b, "}");
    expect_400("hotspots", et_buf_cstr(&b), "invalid query JSON");
    et_buf_cleanup(&b);
}

static void test_label_filter_grammar(void)
{
    struct label_matcher *m;
    size_t n;
    struct et_error err;
    const char *ok = "{ a=\"x\\\"y\" , b!='q', c_1 =~ \"x|y\", d!~\"\\\\\\n\" }";
    ASSERT_EQ_INT(query_parse_label_filter(ok, strlen(ok), &m, &n, &err), 0);
    ASSERT_EQ_UINT(n, 4);
    ASSERT_EQ_STR(m[0].value, "x\"y");
    ASSERT_EQ_STR(m[1].op, "!=");
    ASSERT_EQ_STR(m[2].name, "c_1");
    ASSERT_EQ_STR(m[3].value, "\\\n");
    query_label_matchers_free(m, n);
    static const char *const bad[] = {
        "a=\"x\"}",
        "{a=\"x\"",
        "a=\"x\" b=\"y\"",
        "1a=\"x\"",
        "a==\"x\"",
        "a=\"x",
        "a=\"x\\q\"",
        "a=\"x\"; drop",
        "a=\"x\") or vector(1",
        "a=\"x\"} or {b=\"y\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        et_error_clear(&err);
        if (query_parse_label_filter(bad[i], strlen(bad[i]), &m, &n, &err) == 0)
            UNIT_FAIL("accepted bad labelFilter %s", bad[i]);
        ASSERT_EQ_INT(err.status, 400);
    }
    /* a matcher cut right after the operator (found by fuzzing) */
    ASSERT_EQ_INT(query_parse_label_filter("b=", 2, &m, &n, &err), -1);
    ASSERT_EQ_INT(query_parse_label_filter("", 0, &m, &n, &err), 0);
    ASSERT_EQ_UINT(n, 0);
}

static void test_trace_id_normalisation(void)
{
    char out[33];
    struct et_error err;
    ASSERT_EQ_INT(query_normalize_trace_id("169BDEFCAE1F19", out, &err), 0);
    ASSERT_EQ_STR(out, "000000000000000000169bdefcae1f19");
    ASSERT_EQ_UINT(strlen(out), 32);
    ASSERT_EQ_INT(query_normalize_trace_id("4bf92f3577b34da6a3ce929d0e0e4736", out, &err), 0);
    ASSERT_EQ_STR(out, "4bf92f3577b34da6a3ce929d0e0e4736");
    ASSERT_EQ_INT(query_normalize_trace_id("4bf92f3577b34da6a3ce929d0e0e47361", out, &err), -1);
    ASSERT_EQ_INT(query_normalize_trace_id("../../etc", out, &err), -1);
    ASSERT_EQ_INT(query_normalize_trace_id("", out, &err), -1);
}

static const char *lit(const char *s, struct et_buf *b)
{
    et_buf_reset(b);
    escape_string_literal(b, s, strlen(s));
    return et_buf_cstr(b);
}

static void test_string_literals_are_closed(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    ASSERT_EQ_STR(lit("plain", &b), "\"plain\"");
    ASSERT_EQ_STR(lit("a\"b", &b), "\"a\\\"b\"");
    ASSERT_EQ_STR(lit("a\\", &b), "\"a\\\\\"");
    ASSERT_EQ_STR(lit("\"} or vector(1) #", &b), "\"\\\"} or vector(1) #\"");
    ASSERT_EQ_STR(lit("l1\nl2\r\t", &b), "\"l1\\nl2\\r\\t\"");
    ASSERT_EQ_STR(lit("\x01\x7f", &b), "\"\\x01\\x7f\"");
    ASSERT_EQ_STR(lit("caf\xc3\xa9 \xe2\x9c\x93", &b), "\"caf\xc3\xa9 \xe2\x9c\x93\"");
    ASSERT_EQ_STR(lit("bad\xff", &b), "\"bad\\xff\"");
    et_buf_cleanup(&b);
}

static void test_regex_alternation_matches_literals(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    struct et_strlist l;
    et_strlist_init(&l);
    et_strlist_push(&l, "a.b");
    et_strlist_push(&l, "x|y");
    et_strlist_push(&l, "(.*)");
    et_strlist_push(&l, "q\"\\");
    escape_regex_alternation(&b, &l);
    /* RE2 escapes first (\. \| \( \. \* \) \\), then string escaping doubles backslashes */
    ASSERT_EQ_STR(et_buf_cstr(&b), "\"a\\\\.b|x\\\\|y|\\\\(\\\\.\\\\*\\\\)|q\\\"\\\\\\\\\"");
    et_strlist_cleanup(&l);
    et_buf_cleanup(&b);
}

static void test_split_multi_value(void)
{
    struct et_strlist l;
    struct et_error err;
    et_strlist_init(&l);
    ASSERT_EQ_INT(query_split_multi_value("{a,b,a}", 7, &l, &err), 0);
    ASSERT_EQ_UINT(l.n, 2);
    et_strlist_cleanup(&l);
    ASSERT_EQ_INT(query_split_multi_value("{}", 2, &l, &err), 0);
    ASSERT_EQ_UINT(l.n, 0);
    ASSERT_EQ_INT(query_split_multi_value("{single}", 8, &l, &err), 0);
    ASSERT_EQ_STR(l.items[0], "single");
    et_strlist_cleanup(&l);
    ASSERT_EQ_INT(query_split_multi_value("{unclosed", 9, &l, &err), 0);
    ASSERT_EQ_STR(l.items[0], "{unclosed");
    et_strlist_cleanup(&l);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_defaults_per_kind),
    UNIT_TEST(test_query_type_from_json_and_proto),
    UNIT_TEST(test_full_query_fields),
    UNIT_TEST(test_all_markers_mean_no_filter),
    UNIT_TEST(test_wrong_types_are_400_naming_the_field),
    UNIT_TEST(test_time_range_checks),
    UNIT_TEST(test_hostile_sizes),
    UNIT_TEST(test_label_filter_grammar),
    UNIT_TEST(test_trace_id_normalisation),
    UNIT_TEST(test_string_literals_are_closed),
    UNIT_TEST(test_regex_alternation_matches_literals),
    UNIT_TEST(test_split_multi_value),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
