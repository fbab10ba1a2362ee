/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the Tempo logic without a server: the TraceQL builder
 * (exact text, hostile values), version → capabilities, error occurrences
 * (representative exception, "(no exception)", route and environment rules
 * over old and new semantic conventions, filters) from traces and from
 * select-mode search spans, HTTP status → error mapping, the byte-bounded
 * trace LRU, and the trace-view frame. Expected values are written by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/http.h"
#include "query/query.h"
#include "tempo/tempo_caps.h"
#include "tempo/tempo_client.h"
#include "tempo/tempo_errors.h"
#include "tempo/tempo_search.h"
#include "tempo/tempo_trace.h"
#include "tempo/tempo_traceview.h"
#include "tempo/trace_cache.h"
#include "tempo/traceql.h"
#include "test.h"

static void query_init(struct query *q)
{
    memset(q, 0, sizeof *q);
    et_strlist_init(&q->services);
    et_strlist_init(&q->routes);
    et_strlist_init(&q->exception_types);
    et_strlist_init(&q->environment);
}

static void query_free(struct query *q)
{
    et_strlist_cleanup(&q->services);
    et_strlist_cleanup(&q->routes);
    et_strlist_cleanup(&q->exception_types);
    et_strlist_cleanup(&q->environment);
}

static char *build(const struct query *q, bool events, bool select, bool recent)
{
    struct traceql_options opt = {events, select, recent};
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    traceql_build_errors(&b, q, &opt);
    return et_buf_take(&b, NULL);
}

/* ---- TraceQL ------------------------------------------------------------------------------------
 */

static void test_traceql_plain_and_select(void)
{
    struct query q;
    query_init(&q);
    char *s = build(&q, false, false, false);
    ASSERT_EQ_STR(s, "{ status = error }");
    free(s);
    s = build(&q, true, true, true);
    ASSERT_EQ_STR(
        s, "{ status = error } | select(resource.service.name, span.http.route, "
           "span.url.path, span.http.target, name, statusMessage, event.exception.type, "
           "event.exception.message, event.exception.stacktrace, "
           "event.exception.escaped, resource.telemetry.sdk.language, event.error.fingerprint, "
           "span.error.fingerprint, span.grouping.fingerprint) "
           "with(most_recent=true)");
    free(s);
    query_free(&q);
}

static void test_traceql_filters(void)
{
    struct query q;
    query_init(&q);
    et_strlist_push(&q.services, "checkout");
    et_strlist_push(&q.services, "pay");
    et_strlist_push(&q.routes, "/a/{id}");
    et_strlist_push(&q.environment, "prod");
    et_strlist_push(&q.exception_types, "E1");
    char *s = build(&q, true, false, false);
    ASSERT_EQ_STR(s, "{ status = error && (resource.service.name = \"checkout\" || "
                     "resource.service.name = \"pay\") && (span.http.route = \"/a/{id}\" || "
                     "span.url.path = \"/a/{id}\" || span.http.target = \"/a/{id}\" || "
                     "name = \"/a/{id}\" || span.http.target =~ \"^/a/\\\\{id\\\\}\\\\?.*$\") && "
                     "(.deployment.environment.name = \"prod\" || .deployment.environment = "
                     "\"prod\") && (event.exception.type = \"E1\") }");
    free(s);
    ASSERT_TRUE(traceql_filters_types(&q, true));
    ASSERT_FALSE(traceql_filters_types(&q, false));
    /* no event scope: the type condition is left to the caller */
    s = build(&q, false, false, false);
    ASSERT_NOT_CONTAINS(s, "event.");
    free(s);
    et_strlist_push(&q.exception_types, TEMPO_NO_EXCEPTION);
    ASSERT_FALSE(traceql_filters_types(&q, true));
    s = build(&q, true, false, false);
    ASSERT_NOT_CONTAINS(s, "event.exception.type =");
    free(s);
    query_free(&q);
}

static void test_traceql_hostile_values_stay_literals(void)
{
    struct query q;
    query_init(&q);
    et_strlist_push(&q.services, "a\"} || { true } | select(x) \\ \n\xc3\xa9");
    char *s = build(&q, false, false, false);
    ASSERT_EQ_STR(s, "{ status = error && (resource.service.name = "
                     "\"a\\\"} || { true } | select(x) \\\\ \\n\xc3\xa9\") }");
    free(s);
    query_free(&q);
}

static void test_traceql_scope_filter(void)
{
    struct et_strlist svc, env;
    et_strlist_init(&svc);
    et_strlist_init(&env);
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    traceql_build_scope_filter(&b, &svc, &env);
    ASSERT_EQ_UINT(b.len, 0);
    et_strlist_push(&svc, "x");
    traceql_build_scope_filter(&b, &svc, &env);
    ASSERT_EQ_STR(et_buf_cstr(&b), "{ (resource.service.name = \"x\") }");
    et_buf_cleanup(&b);
    et_strlist_cleanup(&svc);
}

static void test_caps_for_versions(void)
{
    ASSERT_EQ_INT(tempo_caps_for_version("2.0.1"), 0);
    ASSERT_EQ_INT(tempo_caps_for_version("2.5.0"), TEMPO_CAP_SELECT | TEMPO_CAP_TAG_FILTER);
    int c26 = tempo_caps_for_version("v2.6.1");
    ASSERT_TRUE((c26 & TEMPO_CAP_EVENTS) && (c26 & TEMPO_CAP_V2_TRACES));
    ASSERT_FALSE(c26 & TEMPO_CAP_MOST_RECENT);
    ASSERT_TRUE(tempo_caps_for_version("2.8.0") & TEMPO_CAP_MOST_RECENT);
    ASSERT_TRUE(tempo_caps_for_version("3.1.0-dev") & TEMPO_CAP_EVENTS);
    ASSERT_TRUE(tempo_caps_for_version("2.10.0") & TEMPO_CAP_EVENTS); /* not 2.1 */
    ASSERT_EQ_INT(tempo_caps_for_version("main-abc123"), -1);
    ASSERT_EQ_INT(tempo_caps_for_version(""), -1);
    ASSERT_EQ_INT(tempo_caps_for_version("2"), -1);
}

/* ---- occurrences --------------------------------------------------------------------------------
 */

/* A trace with: a span with two exception events (E1 then E2), one ERROR
 * span without events (old semconv http.target with a query), one OK span
 * with an exception event, one ERROR span with url.path and an event that
 * has no exception.type, one ERROR span with no route attribute. */
static const char TRACE[] =
    "{\"batches\":[{\"resource\":{\"attributes\":["
    "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"svc\"}},"
    "{\"key\":\"deployment.environment\",\"value\":{\"stringValue\":\"prod\"}},"
    "{\"key\":\"telemetry.sdk.language\",\"value\":{\"stringValue\":\"java\"}}]},"
    "\"scopeSpans\":[{\"spans\":["
    "{\"spanId\":\"0000000000000001\",\"name\":\"s1\",\"startTimeUnixNano\":\"100\","
    "\"endTimeUnixNano\":\"300\",\"attributes\":[{\"key\":\"http.route\",\"value\":"
    "{\"stringValue\":\"/r1\"}}],\"events\":["
    "{\"name\":\"exception\",\"timeUnixNano\":\"150\",\"attributes\":[{\"key\":\"exception.type\","
    "\"value\":{\"stringValue\":\"E1\"}},{\"key\":\"exception.message\",\"value\":{\"stringValue\":"
    "\"m1\"}}]},"
    "{\"name\":\"log\",\"timeUnixNano\":\"160\"},"
    "{\"name\":\"exception\",\"timeUnixNano\":\"170\",\"attributes\":[{\"key\":\"exception.type\","
    "\"value\":{\"stringValue\":\"E2\"}},{\"key\":\"exception.message\",\"value\":{\"intValue\":"
    "\"42\"}},{\"key\":\"exception.escaped\",\"value\":{\"boolValue\":true}},"
    "{\"key\":\"exception.stacktrace\",\"value\":{\"stringValue\":\"st2\"}},"
    "{\"key\":\"error.fingerprint\",\"value\":{\"stringValue\":\"fp-e2\"}}]}],"
    "\"status\":{\"code\":\"STATUS_CODE_ERROR\"}},"
    "{\"spanId\":\"0000000000000002\",\"name\":\"s2\",\"startTimeUnixNano\":\"90\","
    "\"attributes\":[{\"key\":\"http.target\",\"value\":{\"stringValue\":\"/t?x=1\"}},"
    "{\"key\":\"grouping.fingerprint\",\"value\":{\"stringValue\":\"gw-503\"}}],"
    "\"status\":{\"message\":\"gateway 503\",\"code\":\"STATUS_CODE_ERROR\"}},"
    "{\"spanId\":\"0000000000000003\",\"name\":\"s3\",\"startTimeUnixNano\":\"95\","
    "\"events\":[{\"name\":\"exception\",\"timeUnixNano\":\"96\",\"attributes\":[{\"key\":"
    "\"exception.type\",\"value\":{\"stringValue\":\"Handled\"}}]}],\"status\":{}},"
    "{\"spanId\":\"0000000000000004\",\"name\":\"s4\",\"startTimeUnixNano\":\"80\","
    "\"attributes\":[{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/u\"}},"
    "{\"key\":\"http.target\",\"value\":{\"stringValue\":\"/ignored\"}}],"
    "\"events\":[{\"name\":\"exception\",\"timeUnixNano\":\"81\",\"attributes\":[{\"key\":"
    "\"exception.message\",\"value\":{\"stringValue\":\"untyped\"}}]}],"
    "\"status\":{\"code\":\"STATUS_CODE_ERROR\"}},"
    "{\"spanId\":\"0000000000000005\",\"name\":\"s5\",\"startTimeUnixNano\":\"70\","
    "\"status\":{\"code\":2}}"
    "]}]}]}";

static struct tempo_trace *sample_trace(void)
{
    struct et_error err;
    struct tempo_trace *t =
        tempo_trace_parse(TRACE, strlen(TRACE), "0123456789abcdef0123456789abcdef", &err);
    if (!t)
        UNIT_FAIL("%s", err.message);
    return t;
}

static void test_occurrences_from_a_trace(void)
{
    struct tempo_trace *t = sample_trace();
    struct query q;
    query_init(&q);
    struct tempo_filter f = {&q, true};
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_from_trace(&l, t, &f);
    ASSERT_EQ_UINT(l.n, 4); /* s1, s2, s4, s5: ERROR spans only */
    const struct tempo_error *e = &l.items[0];
    ASSERT_EQ_STR(e->exception_type, "E2"); /* the last exception event */
    ASSERT_EQ_STR(e->message, "42");
    ASSERT_EQ_STR(e->stacktrace, "st2");
    ASSERT_EQ_INT(e->escaped, 1);
    ASSERT_EQ_INT(e->event_ns, 170);
    ASSERT_EQ_INT(e->duration_ns, 200);
    ASSERT_EQ_STR(e->route, "/r1");
    ASSERT_EQ_STR(e->service, "svc");
    ASSERT_EQ_STR(e->sdk_language, "java");
    ASSERT_EQ_STR(e->custom_fingerprint, "fp-e2"); /* the event's own grouping key */
    ASSERT_EQ_STR(e->trace_id, "0123456789abcdef0123456789abcdef");
    e = &l.items[1];
    ASSERT_EQ_STR(e->exception_type, TEMPO_NO_EXCEPTION);
    ASSERT_EQ_STR(e->message, "gateway 503");
    ASSERT_EQ_STR(e->route, "/t");                  /* http.target without its query */
    ASSERT_EQ_STR(e->custom_fingerprint, "gw-503"); /* the span's grouping key */
    ASSERT_EQ_INT(e->escaped, -1);
    e = &l.items[2];
    ASSERT_EQ_STR(e->exception_type, TEMPO_UNKNOWN_TYPE);
    ASSERT_EQ_STR(e->message, "untyped");
    ASSERT_EQ_STR(e->route, "/u"); /* url.path before http.target */
    ASSERT_EQ_STR(e->custom_fingerprint, "");
    ASSERT_EQ_STR(l.items[3].route, "s5"); /* no route: the span name */
    tempo_error_list_cleanup(&l);
    query_free(&q);
    tempo_trace_unref(t);
}

static size_t count_with(const struct tempo_trace *t, struct query *q)
{
    struct tempo_filter f = {q, true};
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_from_trace(&l, t, &f);
    size_t n = l.n;
    tempo_error_list_cleanup(&l);
    return n;
}

static void test_occurrence_filters(void)
{
    struct tempo_trace *t = sample_trace();
    struct query q;
    query_init(&q);
    et_strlist_push(&q.exception_types, "E1");
    struct tempo_filter f = {&q, true};
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_from_trace(&l, t, &f);
    ASSERT_EQ_UINT(l.n, 1);
    ASSERT_EQ_STR(l.items[0].exception_type, "E1"); /* the event of the filtered type */
    ASSERT_EQ_STR(l.items[0].message, "m1");
    tempo_error_list_cleanup(&l);
    et_strlist_push(&q.exception_types, TEMPO_NO_EXCEPTION);
    ASSERT_EQ_UINT(count_with(t, &q), 3); /* s1 (E1), s2, s5 */
    query_free(&q);

    query_init(&q);
    et_strlist_push(&q.routes, "/t");
    ASSERT_EQ_UINT(count_with(t, &q), 1);
    et_strlist_push(&q.routes, "/ignored"); /* not the route of s4 (url.path wins) */
    ASSERT_EQ_UINT(count_with(t, &q), 1);
    query_free(&q);

    query_init(&q);
    et_strlist_push(&q.environment, "prod");
    ASSERT_EQ_UINT(count_with(t, &q), 4);
    et_strlist_cleanup(&q.environment);
    et_strlist_push(&q.environment, "staging");
    ASSERT_EQ_UINT(count_with(t, &q), 0);
    et_strlist_push(&q.services, "other");
    ASSERT_EQ_UINT(count_with(t, &q), 0);
    query_free(&q);
    tempo_trace_unref(t);
}

static void test_every_exception_of_a_trace(void)
{
    struct tempo_trace *t = sample_trace();
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_all_of_trace(&l, t);
    /* by event time: s5 (70, no exception), s4 (81), s2 (90, no exception),
     * s3 (96, OK span but recorded), s1 E1 (150), s1 E2 (170) */
    ASSERT_EQ_UINT(l.n, 6);
    const char *types[] = {
        TEMPO_NO_EXCEPTION, TEMPO_UNKNOWN_TYPE, TEMPO_NO_EXCEPTION, "Handled", "E1", "E2"};
    int64_t times[] = {70, 81, 90, 96, 150, 170};
    for (size_t i = 0; i < 6; i++) {
        ASSERT_EQ_STR(l.items[i].exception_type, types[i]);
        ASSERT_EQ_INT(l.items[i].event_ns, times[i]);
    }
    tempo_error_list_cleanup(&l);
    tempo_trace_unref(t);
}

/* A search answer parsed (it must be valid). */
static void parse_search_ok(const char *body, struct tempo_search_result *r)
{
    struct et_error err;
    tempo_search_result_init(r);
    ASSERT_EQ_INT(tempo_search_parse(body, strlen(body), r, &err), 0);
}

static void test_occurrences_from_select_search(void)
{
    const char *body =
        "{\"traces\":[{\"traceID\":\"abc\",\"spanSets\":[{\"matched\":3,\"spans\":["
        "{\"spanID\":\"0000000000000001\",\"name\":\"GET\",\"startTimeUnixNano\":\"10\","
        "\"durationNanos\":\"5\",\"attributes\":["
        "{\"key\":\"status\",\"value\":{\"stringValue\":\"error\"}},"
        "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"svc\"}},"
        "{\"key\":\"http.target\",\"value\":{\"stringValue\":\"/x?y\"}},"
        "{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"E\"}},"
        "{\"key\":\"exception.message\",\"value\":{\"stringValue\":\"m\"}},"
        "{\"key\":\"exception.escaped\",\"value\":{\"boolValue\":false}},"
        "{\"key\":\"error.fingerprint\",\"value\":{\"stringValue\":\"sel-fp\"}}]},"
        "{\"spanID\":\"0000000000000002\",\"name\":\"POST\",\"startTimeUnixNano\":\"20\","
        "\"attributes\":[{\"key\":\"statusMessage\",\"value\":{\"stringValue\":\"down\"}}]},"
        "{\"spanID\":\"0000000000000003\",\"name\":\"PUT\",\"attributes\":["
        "{\"key\":\"exception.stacktrace\",\"value\":{\"stringValue\":\"st\"}}]}]}]}]}";
    struct tempo_search_result r;
    parse_search_ok(body, &r);
    struct query q;
    query_init(&q);
    struct tempo_filter f = {&q, false};
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_from_search(&l, &r.traces[0], &f);
    ASSERT_EQ_UINT(l.n, 3);
    ASSERT_EQ_STR(l.items[0].trace_id, "00000000000000000000000000000abc");
    ASSERT_EQ_STR(l.items[0].route, "/x");
    ASSERT_EQ_STR(l.items[0].exception_type, "E");
    ASSERT_EQ_INT(l.items[0].escaped, 0);
    ASSERT_EQ_INT(l.items[0].duration_ns, 5);
    ASSERT_EQ_STR(l.items[0].custom_fingerprint, "sel-fp");
    ASSERT_EQ_STR(l.items[1].custom_fingerprint, "");
    ASSERT_EQ_STR(l.items[1].service, "unknown_service");
    ASSERT_EQ_STR(l.items[1].exception_type, TEMPO_NO_EXCEPTION);
    ASSERT_EQ_STR(l.items[1].message, "down");
    ASSERT_EQ_STR(l.items[1].route, "POST");
    ASSERT_EQ_STR(l.items[2].exception_type, TEMPO_UNKNOWN_TYPE);
    tempo_error_list_cleanup(&l);
    et_strlist_push(&q.routes, "/x");
    tempo_error_list_init(&l);
    tempo_errors_from_search(&l, &r.traces[0], &f);
    ASSERT_EQ_UINT(l.n, 1);
    tempo_error_list_cleanup(&l);
    query_free(&q);
    tempo_search_result_cleanup(&r);
}

static void test_attribute_key_ids(void)
{
    static const struct {
        const char *key;
        enum tempo_key id;
    } cases[] = {
        {"service.name", TEMPO_KEY_SERVICE_NAME},
        {"http.route", TEMPO_KEY_HTTP_ROUTE},
        {"url.path", TEMPO_KEY_URL_PATH},
        {"http.target", TEMPO_KEY_HTTP_TARGET},
        {"exception.type", TEMPO_KEY_EXCEPTION_TYPE},
        {"exception.message", TEMPO_KEY_EXCEPTION_MESSAGE},
        {"exception.stacktrace", TEMPO_KEY_EXCEPTION_STACKTRACE},
        {"exception.escaped", TEMPO_KEY_EXCEPTION_ESCAPED},
        {"telemetry.sdk.language", TEMPO_KEY_SDK_LANGUAGE},
        {"error.fingerprint", TEMPO_KEY_ERROR_FINGERPRINT},
        {"grouping.fingerprint", TEMPO_KEY_GROUPING_FINGERPRINT},
        {"statusMessage", TEMPO_KEY_STATUS_MESSAGE},
        {"", TEMPO_KEY_OTHER},
        {"exception.", TEMPO_KEY_OTHER},
        {"exception.types", TEMPO_KEY_OTHER},
        {"exception.typ", TEMPO_KEY_OTHER},
        {"Exception.type", TEMPO_KEY_OTHER},
        {"service.name ", TEMPO_KEY_OTHER},
        {"service", TEMPO_KEY_OTHER},
        {"http.routes", TEMPO_KEY_OTHER},
        {"url.pat", TEMPO_KEY_OTHER},
        {"telemetry.sdk.name", TEMPO_KEY_OTHER},
        {"grouping.fingerprint.x", TEMPO_KEY_OTHER},
        {"status", TEMPO_KEY_OTHER},
        {"error", TEMPO_KEY_OTHER},
        {"x", TEMPO_KEY_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ASSERT_EQ_INT(tempo_key_of(cases[i].key), cases[i].id);
}

/* The attribute rules of select-mode occurrences, one rule per span: the
 * first attribute of a key decides (a non-string first value reads as
 * absent), http.route > url.path > http.target (query cut) > span name,
 * an empty error.fingerprint falls back to grouping.fingerprint, keys that
 * only start like a known one are not it. */
static void test_select_search_attribute_rules(void)
{
    /* clang-format off */
#define KV(k, v) "{\"key\":\"" k "\",\"value\":{\"stringValue\":\"" v "\"}}"
#define SPAN(id, attrs) \
    "{\"spanID\":\"000000000000000" id "\",\"name\":\"op" id "\",\"attributes\":[" attrs "]}"
    const char *body =
        "{\"traces\":[{\"traceID\":\"1\",\"spanSets\":[{\"spans\":["
        SPAN("1", "{\"key\":\"service.name\",\"value\":{\"intValue\":\"7\"}},"
                  KV("service.name", "late") ","
                  KV("url.path", "/u") "," KV("http.target", "/t?q") "," KV("http.route", "/r") ","
                  KV("exception.typeX", "no") ","
                  KV("exception.type", "E1") "," KV("exception.type", "E2") ","
                  KV("error.fingerprint", "") "," KV("grouping.fingerprint", "gfp") ","
                  KV("telemetry.sdk.language", "go") "," KV("exception.escaped", "true")) ","
        SPAN("2", KV("http.target", "/t?q") ","
                  KV("statusMessage", "") "," KV("statusMessage", "second") ","
                  KV("exception.message", "m2")) ","
        SPAN("3", KV("url.path", "/u") "," KV("http.target", "/t") ","
                  KV("exception.", "x") "," KV("servicename", "x") ","
                  KV("error.fingerprint", "efp"))
        "]}]}]}";
#undef KV
#undef SPAN
    /* clang-format on */
    struct tempo_search_result r;
    parse_search_ok(body, &r);
    struct query q;
    query_init(&q);
    struct tempo_filter f = {&q, false};
    for (int borrow = 0; borrow < 2; borrow++) {
        struct tempo_error_list l;
        tempo_error_list_init(&l);
        if (borrow)
            tempo_errors_from_search_borrowing(&l, &r.traces[0], &f);
        else
            tempo_errors_from_search(&l, &r.traces[0], &f);
        ASSERT_EQ_UINT(l.n, 3);
        ASSERT_EQ_STR(l.items[0].service, "unknown_service");
        ASSERT_EQ_STR(l.items[0].route, "/r");
        ASSERT_EQ_STR(l.items[0].exception_type, "E1");
        ASSERT_EQ_STR(l.items[0].custom_fingerprint, "gfp");
        ASSERT_EQ_STR(l.items[0].sdk_language, "go");
        ASSERT_EQ_INT(l.items[0].escaped, 1);
        ASSERT_EQ_STR(l.items[0].message, "");
        ASSERT_EQ_STR(l.items[1].route, "/t");
        ASSERT_EQ_STR(l.items[1].exception_type, TEMPO_UNKNOWN_TYPE);
        ASSERT_EQ_STR(l.items[1].message, "m2");
        ASSERT_EQ_INT(l.items[1].escaped, -1);
        ASSERT_EQ_STR(l.items[2].route, "/u");
        ASSERT_EQ_STR(l.items[2].service, "unknown_service");
        ASSERT_EQ_STR(l.items[2].exception_type, TEMPO_NO_EXCEPTION);
        ASSERT_EQ_STR(l.items[2].message, "");
        ASSERT_EQ_STR(l.items[2].custom_fingerprint, "efp");
        tempo_error_list_cleanup(&l);
    }
    query_free(&q);
    tempo_search_result_cleanup(&r);
}

/* A select-mode body of `n` traces with 1-3 spans each, services, routes
 * and types varying. */
static void many_traces_body(struct et_buf *b, size_t n)
{
    et_buf_append_str(b, "{\"traces\":[");
    for (size_t t = 0; t < n; t++) {
        et_buf_printf(b, "%s{\"traceID\":\"%zx\",\"spanSets\":[{\"spans\":[", t ? "," : "", t + 1);
        for (size_t k = 0; k <= t % 3; k++)
            et_buf_printf(b,
                          "%s{\"spanID\":\"%016zx\",\"name\":\"op%zu\","
                          "\"startTimeUnixNano\":\"%zu\",\"attributes\":["
                          "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"svc%zu\"}},"
                          "{\"key\":\"http.route\",\"value\":{\"stringValue\":\"/r%zu\"}},"
                          "{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"E%zu\"}},"
                          "{\"key\":\"exception.message\",\"value\":{\"stringValue\":\"m%zu\"}}"
                          "]}",
                          k ? "," : "", t * 4 + k + 1, k, 1000 + t * 10 + k, t % 5, t % 4, t % 7,
                          t);
        et_buf_append_str(b, "]}]}");
    }
    et_buf_append_str(b, "]}");
}

static bool skip_every_fifth(const struct tempo_search_trace *t, const void *arg)
{
    (void)arg;
    return strtoull(t->trace_id, NULL, 16) % 5 == 0;
}

/* tempo_errors_from_search_all() gives exactly what a loop of
 * tempo_errors_from_search_borrowing() gives (100, 300, 1,001 traces):
 * order, seq, every field, the same borrowed pointers; with and without a
 * filter, after earlier items. */
static void test_occurrences_of_all_search_traces(void)
{
    struct tempo_error_list none; /* no traces: a result with no array */
    tempo_error_list_init(&none);
    tempo_errors_from_search_all(&none, NULL, 0, NULL, NULL, NULL);
    ASSERT_EQ_UINT(none.n, 0);
    tempo_error_list_cleanup(&none);
    static const size_t sizes[] = {100, 300, 1001};
    for (size_t z = 0; z < 3; z++) {
        struct et_buf b;
        et_buf_init(&b, ET_BUF_UNLIMITED);
        many_traces_body(&b, sizes[z]);
        struct tempo_search_result r;
        parse_search_ok(et_buf_cstr(&b), &r);
        ASSERT_EQ_UINT(r.n_traces, sizes[z]);
        for (int filtered = 0; filtered < 2; filtered++) {
            struct query q;
            query_init(&q);
            if (filtered)
                et_strlist_push(&q.routes, "/r1");
            struct tempo_filter f = {&q, false};
            struct tempo_error_list loop, all;
            tempo_error_list_init(&loop);
            tempo_error_list_init(&all);
            tempo_errors_from_search(&loop, &r.traces[0], &f); /* items before */
            tempo_errors_from_search(&all, &r.traces[0], &f);
            for (size_t t = 0; t < r.n_traces; t++)
                if (!skip_every_fifth(&r.traces[t], NULL))
                    tempo_errors_from_search_borrowing(&loop, &r.traces[t], &f);
            tempo_errors_from_search_all(&all, r.traces, r.n_traces, &f, skip_every_fifth, NULL);
            ASSERT_EQ_UINT(all.n, loop.n);
            ASSERT_TRUE(loop.n > sizes[z] / 3);
            for (size_t i = 0; i < loop.n; i++) {
                const struct tempo_error *x = &all.items[i], *y = &loop.items[i];
                ASSERT_EQ_UINT(x->seq, i);
                ASSERT_EQ_UINT(y->seq, i);
                ASSERT_EQ_STR(x->trace_id, y->trace_id);
                ASSERT_EQ_STR(x->span_id, y->span_id);
                ASSERT_EQ_INT(x->time_ns, y->time_ns);
                ASSERT_TRUE(x->service == y->service || i == 0);
                ASSERT_EQ_STR(x->service, y->service);
                ASSERT_EQ_STR(x->route, y->route);
                ASSERT_EQ_STR(x->exception_type, y->exception_type);
                ASSERT_EQ_STR(x->message, y->message);
                ASSERT_EQ_STR(x->stacktrace, y->stacktrace);
            }
            tempo_error_list_cleanup(&loop);
            tempo_error_list_cleanup(&all);
            query_free(&q);
        }
        tempo_search_result_cleanup(&r);
        et_buf_cleanup(&b);
    }
}

/* The values the summary groups by (service.name, exception.type) get one
 * pointer per text within a search answer; other values keep their own. */
static void test_search_keeps_grouped_values_once(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    many_traces_body(&b, 40);
    struct tempo_search_result r;
    parse_search_ok(et_buf_cstr(&b), &r);
    const struct tempo_search_span *a = &r.traces[0].spans[0], *c = &r.traces[35].spans[0];
    const struct tempo_search_span *d = &r.traces[1].spans[0];
    /* traces 0 and 35: svc0, E0 (35 % 5 == 0, 35 % 7 == 0); trace 1: svc1, E1 */
    ASSERT_EQ_STR(tempo_search_span_attr(c, "service.name"), "svc0");
    ASSERT_TRUE(tempo_search_span_attr(a, "service.name") ==
                tempo_search_span_attr(c, "service.name"));
    ASSERT_TRUE(tempo_search_span_attr(a, "exception.type") ==
                tempo_search_span_attr(c, "exception.type"));
    ASSERT_TRUE(tempo_search_span_attr(a, "service.name") !=
                tempo_search_span_attr(d, "service.name"));
    /* routes /r0 and /r0 (0 % 4, 36 % 4): not grouped by, kept as read */
    const struct tempo_search_span *e = &r.traces[36].spans[0];
    ASSERT_EQ_STR(tempo_search_span_attr(e, "http.route"), "/r0");
    ASSERT_TRUE(tempo_search_span_attr(a, "http.route") != tempo_search_span_attr(e, "http.route"));
    tempo_search_result_cleanup(&r);
    et_buf_cleanup(&b);
}

/* ---- HTTP status mapping ------------------------------------------------------------------------
 */

static void status_error(long status, const char *body, struct et_error *err)
{
    struct http_response r;
    http_response_init(&r);
    r.status = status;
    et_buf_append_str(&r.body, body);
    et_error_clear(err);
    ASSERT_EQ_INT(tempo_status_error(&r, "search", err), -1);
    http_response_cleanup(&r);
}

static void test_status_errors(void)
{
    struct et_error err;
    status_error(400, "invalid TraceQL query: parse error at line 1, col 2: x\n", &err);
    ASSERT_EQ_STR(err.message, "invalid TraceQL query: parse error at line 1, col 2: x");
    ASSERT_EQ_INT(err.status, 400);
    ASSERT_EQ_INT(err.source, ET_SOURCE_DOWNSTREAM);
    status_error(401, "no org id\n", &err);
    ASSERT_EQ_INT(err.status, 401);
    ASSERT_CONTAINS(err.message, "no org id");
    ASSERT_CONTAINS(err.message, "tenant");
    status_error(429, "job queue full", &err);
    ASSERT_CONTAINS(err.message, "overloaded");
    status_error(502, "<html>\r\n<body>bad gateway</body>\r\n</html>", &err);
    ASSERT_EQ_INT(err.status, 502);
    ASSERT_NOT_CONTAINS(err.message, "\n");
    status_error(404, "", &err);
    ASSERT_CONTAINS(err.message, "(empty body)");
    ASSERT_CONTAINS(err.message, "URL");
}

/* ---- trace cache
 * ---------------------------------------------------------------------------------- */

static struct tempo_trace *tiny_trace(const char *id, int64_t end_ns)
{
    char body[300];
    snprintf(body, sizeof body,
             "{\"batches\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"0000000000000001\","
             "\"endTimeUnixNano\":\"%lld\"}]}]}]}",
             (long long)end_ns);
    struct et_error err;
    return tempo_trace_parse(body, strlen(body), id, &err);
}

static void put_new(struct trace_cache *c, int n, struct tempo_trace **out)
{
    char id[33];
    snprintf(id, sizeof id, "%032d", n);
    struct tempo_trace *t = tiny_trace(id, 1000);
    trace_cache_put(c, t, 10);
    *out = t; /* the caller's reference */
}

static bool cached(struct trace_cache *c, int n)
{
    char id[33];
    snprintf(id, sizeof id, "%032d", n);
    struct tempo_trace *t = trace_cache_get(c, id);
    tempo_trace_unref(t);
    return t != NULL;
}

static void test_cache_lru_bounded_in_bytes(void)
{
    struct tempo_trace *probe = tiny_trace("00000000000000000000000000000000", 0);
    size_t w = probe->bytes + 64; /* weight of one entry */
    tempo_trace_unref(probe);
    struct trace_cache *c = trace_cache_new(w * 4, 0);
    struct tempo_trace *t[8];
    for (int i = 1; i <= 6; i++)
        put_new(c, i, &t[i]);
    struct trace_cache_stats st;
    trace_cache_get_stats(c, &st);
    ASSERT_EQ_UINT(st.entries, 4);
    ASSERT_TRUE(st.bytes <= w * 4);
    ASSERT_EQ_UINT(st.evictions, 2);
    ASSERT_FALSE(cached(c, 1)); /* the two oldest were evicted */
    ASSERT_FALSE(cached(c, 2));
    struct tempo_trace *hit = trace_cache_get(c, "00000000000000000000000000000003");
    ASSERT_TRUE(hit == t[3]);
    /* 3 is now the most recent: the next insert evicts 4, not 3 */
    put_new(c, 7, &t[7]);
    ASSERT_FALSE(cached(c, 4));
    ASSERT_TRUE(cached(c, 3));
    ASSERT_TRUE(cached(c, 7));
    trace_cache_get_stats(c, &st);
    ASSERT_EQ_UINT(st.hits, 3);
    ASSERT_EQ_UINT(st.misses, 3);
    /* the same ID again replaces the entry */
    struct tempo_trace *again = tiny_trace("00000000000000000000000000000007", 1000);
    trace_cache_put(c, again, 10);
    struct tempo_trace *now = trace_cache_get(c, "00000000000000000000000000000007");
    ASSERT_TRUE(now == again);
    tempo_trace_unref(now);
    tempo_trace_unref(again);
    /* the cache's references go with it; ours stay valid */
    trace_cache_free(c);
    ASSERT_EQ_UINT(hit->n_spans, 1);
    tempo_trace_unref(hit);
    for (int i = 1; i <= 7; i++)
        tempo_trace_unref(t[i]);
}

static void test_cache_refuses_heavy_and_settling_traces(void)
{
    struct tempo_trace *t = tiny_trace("00000000000000000000000000000007", 1000);
    size_t w = t->bytes + 64;
    /* a trace heavier than a quarter of the budget is not kept */
    struct trace_cache *small = trace_cache_new(w * 2, 0);
    trace_cache_put(small, t, 10);
    ASSERT_NULL(trace_cache_get(small, "00000000000000000000000000000007"));
    trace_cache_free(small);
    tempo_trace_unref(t);
    /* a trace whose last span ended less than settle_ms ago is not kept */
    struct trace_cache *settle = trace_cache_new(w * 100, 60000);
    struct tempo_trace *fresh = tiny_trace("00000000000000000000000000000008", 100LL * 1000000);
    trace_cache_put(settle, fresh, 120);
    ASSERT_NULL(trace_cache_get(settle, "00000000000000000000000000000008"));
    trace_cache_put(settle, fresh, 100 + 60001);
    struct tempo_trace *settled = trace_cache_get(settle, "00000000000000000000000000000008");
    ASSERT_TRUE(settled == fresh);
    tempo_trace_unref(settled);
    trace_cache_free(settle);
    tempo_trace_unref(fresh);
}

static void test_cache_zero_budget_keeps_nothing(void)
{
    struct trace_cache *c = trace_cache_new(0, 0);
    struct tempo_trace *t = tiny_trace("00000000000000000000000000000001", 1);
    trace_cache_put(c, t, 10);
    ASSERT_NULL(trace_cache_get(c, "00000000000000000000000000000001"));
    trace_cache_free(c);
    tempo_trace_unref(t);
    ASSERT_NULL(trace_cache_get(NULL, "x"));
}

/* ---- trace view
 * ----------------------------------------------------------------------------------- */

/* A cell as a C string (frame storage is not NUL-terminated per cell). */
static char *cell(const struct frame *f, const char *field, size_t row)
{
    size_t len;
    const char *s = frame_field_get_string(frame_field_by_name(f, field), row, &len);
    char *out = malloc(len + 1);
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

static void test_trace_view_frame(void)
{
    struct tempo_trace *t = sample_trace();
    struct frame *f = tempo_traceview_frame(t);
    ASSERT_EQ_STR(frame_name(f), "Trace");
    ASSERT_EQ_UINT(frame_row_count(f), 5);
    struct et_error err;
    ASSERT_EQ_INT(frame_validate(f, &err), 0);
    char *l0 = cell(f, "logs", 0);
    ASSERT_EQ_STR(l0, "[{\"timestamp\":0.00015,\"name\":\"exception\",\"fields\":[{\"key\":"
                      "\"event\",\"value\":\"exception\"},{\"key\":\"exception.type\",\"value\":"
                      "\"E1\"},{\"key\":\"exception.message\",\"value\":\"m1\"}]},"
                      "{\"timestamp\":0.00016,\"name\":\"log\",\"fields\":[{\"key\":\"event\","
                      "\"value\":\"log\"}]},{\"timestamp\":0.00017,\"name\":\"exception\","
                      "\"fields\":[{\"key\":\"event\",\"value\":\"exception\"},{\"key\":"
                      "\"exception.type\",\"value\":\"E2\"},{\"key\":\"exception.message\","
                      "\"value\":42},{\"key\":\"exception.escaped\",\"value\":true},{\"key\":"
                      "\"exception.stacktrace\",\"value\":\"st2\"},{\"key\":"
                      "\"error.fingerprint\",\"value\":\"fp-e2\"}]}]");
    free(l0);
    char *tags = cell(f, "serviceTags", 0);
    ASSERT_EQ_STR(tags, "[{\"key\":\"service.name\",\"value\":\"svc\"},{\"key\":"
                        "\"deployment.environment\",\"value\":\"prod\"},{\"key\":"
                        "\"telemetry.sdk.language\",\"value\":\"java\"}]");
    free(tags);
    ASSERT_TRUE(frame_field_is_null(frame_field_by_name(f, "parentSpanID"), 0));
    ASSERT_EQ_INT(frame_field_get_int(frame_field_by_name(f, "statusCode"), 0), 2);
    frame_free(f);
    tempo_trace_unref(t);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_traceql_plain_and_select),
    UNIT_TEST(test_traceql_filters),
    UNIT_TEST(test_traceql_hostile_values_stay_literals),
    UNIT_TEST(test_traceql_scope_filter),
    UNIT_TEST(test_caps_for_versions),
    UNIT_TEST(test_occurrences_from_a_trace),
    UNIT_TEST(test_occurrence_filters),
    UNIT_TEST(test_every_exception_of_a_trace),
    UNIT_TEST(test_occurrences_from_select_search),
    UNIT_TEST(test_select_search_attribute_rules),
    UNIT_TEST(test_attribute_key_ids),
    UNIT_TEST(test_occurrences_of_all_search_traces),
    UNIT_TEST(test_search_keeps_grouped_values_once),
    UNIT_TEST(test_status_errors),
    UNIT_TEST(test_cache_lru_bounded_in_bytes),
    UNIT_TEST(test_cache_refuses_heavy_and_settling_traces),
    UNIT_TEST(test_cache_zero_budget_keeps_nothing),
    UNIT_TEST(test_trace_view_frame),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
