/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the Tempo JSON readers: IDs (base64 and hex), 64-bit
 * integers as strings or numbers, attribute values, trace bodies (v1
 * batches, v2 trace, bare resourceSpans, pre-2.0 instrumentationLibrarySpans,
 * partial and empty traces), search responses (spanSet, spanSets, short
 * trace IDs), tag values and build info. Expected values are written by hand;
 * the recorded Tempo bodies of ../shared/reference/tempo are cross-checked
 * when present.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "tempo/tempo_json.h"
#include "tempo/tempo_search.h"
#include "tempo/tempo_trace.h"
#include "test.h"

static const char *REF_DIR = "../shared/reference/tempo/";

static char *read_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", REF_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        et_buf_append(&b, chunk, n);
    fclose(f);
    return et_buf_take(&b, len);
}

static struct tempo_trace *parse_trace(const char *body)
{
    struct et_error err;
    et_error_clear(&err);
    struct tempo_trace *t = tempo_trace_parse(body, strlen(body), NULL, &err);
    if (!t)
        UNIT_FAIL("parse failed: %s", err.message);
    return t;
}

/* ---- tempo_json ---------------------------------------------------------------------------- */

static void test_ids_base64_and_hex(void)
{
    char out[33];
    ASSERT_TRUE(tempo_json_id("W47/95gDgQPSabYzgT/HAA==", 24, 16, out));
    ASSERT_EQ_STR(out, "5b8efff798038103d269b633813fc700");
    ASSERT_TRUE(tempo_json_id("W47/95gDgQPSabYzgT/HAA", 22, 16, out)); /* no padding */
    ASSERT_EQ_STR(out, "5b8efff798038103d269b633813fc700");
    ASSERT_TRUE(tempo_json_id("W47_95gDgQPSabYzgT_HAA==", 24, 16, out)); /* URL-safe */
    ASSERT_EQ_STR(out, "5b8efff798038103d269b633813fc700");
    ASSERT_TRUE(tempo_json_id("7uGbfsPBsQA=", 12, 8, out));
    ASSERT_EQ_STR(out, "eee19b7ec3c1b100");
    ASSERT_TRUE(tempo_json_id("EEE19B7EC3C1B100", 16, 8, out)); /* hex, upper case */
    ASSERT_EQ_STR(out, "eee19b7ec3c1b100");
    ASSERT_FALSE(tempo_json_id("AAAAAAAAAAA=", 12, 8, out)); /* all zero: no ID */
    ASSERT_EQ_STR(out, "");
    ASSERT_FALSE(tempo_json_id("7uGbfsPBsQ==", 12, 8, out)); /* 7 bytes */
    ASSERT_FALSE(tempo_json_id("7uGb*sPBsQA=", 12, 8, out));
    ASSERT_FALSE(tempo_json_id("", 0, 8, out));
    ASSERT_FALSE(tempo_json_id("eee19b7ec3c1b10g", 16, 8, out));
}

static void test_search_trace_ids_are_padded(void)
{
    char out[33];
    ASSERT_TRUE(tempo_json_hex_trace_id("169bdefcae1f19", 14, out));
    ASSERT_EQ_STR(out, "000000000000000000169bdefcae1f19");
    ASSERT_TRUE(tempo_json_hex_trace_id("ABC", 3, out));
    ASSERT_EQ_STR(out, "00000000000000000000000000000abc");
    ASSERT_FALSE(tempo_json_hex_trace_id("", 0, out));
    ASSERT_FALSE(tempo_json_hex_trace_id("123456789012345678901234567890123", 33, out));
    ASSERT_FALSE(tempo_json_hex_trace_id("12x4", 4, out));
}

static void test_int64_from_strings_and_numbers(void)
{
    json_t *v = json_loads("[\"1700000000123456789\",1700000000123456789,\"18446744073709551615\","
                           "\"-5\",\"12a\",true,1.5e3,\"\"]",
                           0, NULL);
    ASSERT_NOT_NULL(v);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 0), -1), 1700000000123456789LL);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 1), -1), 1700000000123456789LL);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 2), -1), INT64_MAX); /* uint64: clamped */
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 3), -1), -5);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 4), -1), -1);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 5), -1), -1);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 6), -1), 1500);
    ASSERT_EQ_INT(tempo_json_int64(json_array_get(v, 7), -1), -1);
    ASSERT_EQ_INT(tempo_json_int64(NULL, 7), 7);
    json_decref(v);
    json_t *d = json_loads("[\"NaN\",\"Infinity\",\"-Infinity\",0.25,\"1e-7\"]", 0, NULL);
    ASSERT_TRUE(isnan(tempo_json_double(json_array_get(d, 0), 0)));
    ASSERT_TRUE(isinf(tempo_json_double(json_array_get(d, 1), 0)));
    ASSERT_TRUE(tempo_json_double(json_array_get(d, 2), 0) < 0);
    ASSERT_EQ_DBL(tempo_json_double(json_array_get(d, 3), 0), 0.25, 0);
    ASSERT_EQ_DBL(tempo_json_double(json_array_get(d, 4), 0), 1e-7, 0);
    json_decref(d);
}

static void test_attribute_values_keep_their_type(void)
{
    const char *text =
        "[{\"key\":\"s\",\"value\":{\"stringValue\":\"x\\ny\"}},"
        "{\"key\":\"i\",\"value\":{\"intValue\":\"-42\"}},"
        "{\"key\":\"d\",\"value\":{\"doubleValue\":1}},"
        "{\"key\":\"n\",\"value\":{\"doubleValue\":\"NaN\"}},"
        "{\"key\":\"b\",\"value\":{\"boolValue\":false}},"
        "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"p\"},"
        "{\"intValue\":\"3\"},{\"boolValue\":true}]}}},"
        "{\"key\":\"k\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"z\",\"value\":"
        "{\"doubleValue\":0.5}}]}}},"
        "{\"key\":\"by\",\"value\":{\"bytesValue\":\"AQI=\"}},"
        "{\"key\":\"e\",\"value\":{}},"
        "{\"value\":{\"stringValue\":\"no key\"}}]";
    json_t *arr = json_loads(text, 0, NULL);
    struct tempo_pool pool;
    tempo_pool_init(&pool);
    struct tempo_kv *kv;
    uint32_t n = tempo_json_kv_list(&pool, arr, 100, &kv);
    ASSERT_EQ_UINT(n, 10);
    ASSERT_EQ_INT(kv[0].type, TEMPO_VALUE_STRING);
    ASSERT_EQ_STR(kv[0].text, "x\ny");
    ASSERT_EQ_INT(kv[1].type, TEMPO_VALUE_INT);
    ASSERT_EQ_INT(kv[1].i, -42);
    ASSERT_EQ_STR(kv[1].text, "-42");
    ASSERT_EQ_STR(kv[2].text, "1");
    ASSERT_EQ_STR(kv[3].text, "NaN");
    ASSERT_EQ_INT(kv[4].type, TEMPO_VALUE_BOOL);
    ASSERT_EQ_STR(kv[4].text, "false");
    ASSERT_EQ_STR(kv[5].text, "[\"p\",3,true]");
    ASSERT_EQ_STR(kv[6].text, "{\"z\":0.5}");
    ASSERT_EQ_STR(kv[7].text, "AQI=");
    ASSERT_EQ_INT(kv[8].type, TEMPO_VALUE_EMPTY);
    ASSERT_EQ_STR(kv[9].key, "");
    ASSERT_NULL(tempo_kv_string(kv, n, "i")); /* not a string */
    ASSERT_EQ_STR(tempo_kv_string(kv, n, "s"), "x\ny");
    ASSERT_EQ_UINT(tempo_json_kv_list(&pool, arr, 3, &kv), 3); /* capped */
    tempo_pool_cleanup(&pool);
    json_decref(arr);
}

/* ---- traces -------------------------------------------------------------------------------- */

static const char SPAN_ERROR[] =
    "{\"traceId\":\"S/kvNXezTaajzpKdDg5HNg==\",\"spanId\":\"APBnqgupArc=\","
    "\"parentSpanId\":\"U5lcP0LNitg=\",\"name\":\"GET /checkout\",\"kind\":\"SPAN_KIND_SERVER\","
    "\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000000250000000\","
    "\"attributes\":[{\"key\":\"http.route\",\"value\":{\"stringValue\":\"/checkout\"}}],"
    "\"events\":[{\"timeUnixNano\":\"1700000000200000000\",\"name\":\"exception\","
    "\"attributes\":[{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"E1\"}}]},"
    "{\"timeUnixNano\":\"1700000000210000000\",\"name\":\"exception\",\"attributes\":["
    "{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"E2\"}},"
    "{\"key\":\"exception.stacktrace\",\"value\":{\"stringValue\":\"line1\\n\\tat x.y(Z.java:1)"
    "\"}}]}],\"status\":{\"message\":\"boom\",\"code\":\"STATUS_CODE_ERROR\"}}";

static void check_error_span(const struct tempo_trace *t)
{
    ASSERT_EQ_UINT(t->n_spans, 1);
    const struct tempo_span *s = &t->spans[0];
    ASSERT_EQ_STR(s->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    ASSERT_EQ_STR(s->span_id, "00f067aa0ba902b7");
    ASSERT_EQ_STR(s->parent_span_id, "53995c3f42cd8ad8");
    ASSERT_EQ_INT(s->kind, TEMPO_KIND_SERVER);
    ASSERT_EQ_INT(s->status_code, TEMPO_STATUS_ERROR);
    ASSERT_EQ_STR(s->status_message, "boom");
    ASSERT_EQ_INT(s->start_ns, 1700000000000000000LL);
    ASSERT_EQ_INT(s->end_ns, 1700000000250000000LL);
    ASSERT_EQ_UINT(s->n_events, 2);
    ASSERT_EQ_STR(s->events[1].name, "exception");
    ASSERT_EQ_INT(s->events[1].time_ns, 1700000000210000000LL);
    ASSERT_EQ_STR(tempo_kv_string(s->events[1].attrs, s->events[1].n_attrs, "exception.stacktrace"),
                  "line1\n\tat x.y(Z.java:1)");
    ASSERT_EQ_STR(tempo_span_resource(t, s)->service, "checkout");
    ASSERT_EQ_STR(s->scope_name, "io.opentelemetry.spring");
    ASSERT_EQ_INT(t->last_end_ns, 1700000000250000000LL);
    ASSERT_TRUE(t->bytes > sizeof *t);
}

static void test_trace_v1_v2_and_bare_bodies(void)
{
    const char *heads[] = {"{\"batches\":[", "{\"trace\":{\"resourceSpans\":[",
                           "{\"resourceSpans\":["};
    const char *tails[] = {"]}", "]},\"metrics\":{\"inspectedBytes\":\"123\"}}", "]}"};
    char rs[4096], body[4200];
    snprintf(rs, sizeof rs,
             "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
             "\"checkout\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"io.opentelemetry.spring\"},"
             "\"spans\":[%s]}]}",
             SPAN_ERROR);
    for (size_t i = 0; i < 3; i++) {
        snprintf(body, sizeof body, "%s%s%s", heads[i], rs, tails[i]);
        struct tempo_trace *t = parse_trace(body);
        check_error_span(t);
        ASSERT_FALSE(t->partial);
        tempo_trace_unref(t);
    }
}

static void test_trace_pre_2_0_instrumentation_library_spans(void)
{
    char body[4200];
    snprintf(
        body, sizeof body,
        "{\"batches\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
        "{\"stringValue\":\"checkout\"}}]},\"instrumentationLibrarySpans\":[{"
        "\"instrumentationLibrary\":{\"name\":\"io.opentelemetry.spring\"},\"spans\":[%s]}]}]}",
        SPAN_ERROR);
    struct tempo_trace *t = parse_trace(body);
    check_error_span(t);
    tempo_trace_unref(t);
}

static void test_trace_hex_ids_numbers_and_int_enums(void)
{
    const char *body =
        "{\"resourceSpans\":[{\"resource\":{},\"scopeSpans\":[{\"spans\":[{"
        "\"traceId\":\"4BF92F3577B34DA6A3CE929D0E0E4736\",\"spanId\":\"00f067aa0ba902b7\","
        "\"parentSpanId\":\"\",\"kind\":3,\"startTimeUnixNano\":1700000000000000000,"
        "\"endTimeUnixNano\":1700000000000001000,\"status\":{\"code\":2}}]}]}]}";
    struct tempo_trace *t = parse_trace(body);
    ASSERT_EQ_UINT(t->n_spans, 1);
    ASSERT_EQ_STR(t->spans[0].trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    ASSERT_EQ_STR(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    ASSERT_EQ_STR(t->spans[0].parent_span_id, "");
    ASSERT_EQ_INT(t->spans[0].kind, TEMPO_KIND_CLIENT);
    ASSERT_EQ_INT(t->spans[0].status_code, TEMPO_STATUS_ERROR);
    ASSERT_EQ_INT(t->spans[0].end_ns - t->spans[0].start_ns, 1000);
    ASSERT_EQ_STR(tempo_span_resource(t, &t->spans[0])->service, "unknown_service");
    ASSERT_EQ_STR(t->spans[0].name, "");
    tempo_trace_unref(t);
}

static void test_trace_missing_ids_take_the_requested_one(void)
{
    const char *body = "{\"batches\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"x\","
                       "\"traceId\":\"garbage\",\"spanId\":\"???\"}]}]}]}";
    struct et_error err;
    struct tempo_trace *t =
        tempo_trace_parse(body, strlen(body), "0123456789abcdef0123456789abcdef", &err);
    ASSERT_NOT_NULL(t);
    ASSERT_EQ_STR(t->spans[0].trace_id, "0123456789abcdef0123456789abcdef");
    ASSERT_EQ_STR(t->spans[0].span_id, "");
    tempo_trace_unref(t);
}

static void test_trace_empty_partial_and_refusals(void)
{
    struct tempo_trace *t = parse_trace("{\"trace\":{},\"metrics\":{\"inspectedBytes\":\"1\"}}");
    ASSERT_EQ_UINT(t->n_spans, 0); /* v2 "not found" */
    tempo_trace_unref(t);
    t = parse_trace("{\"batches\":[]}");
    ASSERT_EQ_UINT(t->n_spans, 0);
    tempo_trace_unref(t);
    t = parse_trace("{\"trace\":{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\"}"
                    "]}]}]},\"status\":\"PARTIAL\",\"message\":\"Trace exceeds maximum size\"}");
    ASSERT_TRUE(t->partial);
    ASSERT_EQ_STR(t->message, "Trace exceeds maximum size");
    tempo_trace_unref(t);
    const char *bad[] = {
        "", "[]", "{\"foo\":1}", "{\"batches\":5}", "{\"batches\":[", "<html>oops</html>", "null"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct et_error err;
        et_error_clear(&err);
        ASSERT_NULL(tempo_trace_parse(bad[i], strlen(bad[i]), NULL, &err));
        ASSERT_EQ_INT(err.status, 502);
        ASSERT_EQ_INT(err.source, ET_SOURCE_DOWNSTREAM);
    }
}

static void test_trace_wrong_types_inside_are_zero_values(void)
{
    struct tempo_trace *t = parse_trace(
        "{\"batches\":[{\"resource\":[1],\"scopeSpans\":[{\"scope\":5,\"spans\":[{\"name\":7,"
        "\"startTimeUnixNano\":{},\"events\":{\"x\":1},\"attributes\":\"no\",\"status\":[],"
        "\"kind\":\"SPAN_KIND_BOGUS\",\"links\":[{\"traceId\":1}]}, 3]}]}]}");
    ASSERT_EQ_UINT(t->n_spans, 2);
    ASSERT_EQ_STR(t->spans[0].name, "");
    ASSERT_EQ_INT(t->spans[0].start_ns, 0);
    ASSERT_EQ_UINT(t->spans[0].n_events, 0);
    ASSERT_EQ_UINT(t->spans[0].n_links, 1);
    ASSERT_EQ_STR(t->spans[0].links[0].trace_id, "");
    ASSERT_EQ_INT(t->spans[0].kind, 0);
    tempo_trace_unref(t);
}

static void test_recorded_tempo_trace_bodies(void)
{
    size_t len;
    char *v2 = read_file("trace-by-id-v2_docs-main_curl.json", &len);
    if (!v2) {
        fprintf(stderr, "  (../shared absent: recorded bodies not checked)\n");
        return;
    }
    struct et_error err;
    struct tempo_trace *t = tempo_trace_parse(v2, len, NULL, &err);
    ASSERT_NOT_NULL(t);
    ASSERT_EQ_UINT(t->n_spans, 1);
    /* the same trace and span IDs the recorded search body shows in hex */
    ASSERT_EQ_STR(t->spans[0].trace_id, "5b8efff798038103d269b633813fc700");
    ASSERT_EQ_STR(t->spans[0].span_id, "eee19b7ec3c1b100");
    ASSERT_EQ_STR(t->spans[0].scope_name, "my.library");
    ASSERT_EQ_STR(t->spans[0].scope_version, "1.0.0");
    ASSERT_EQ_STR(tempo_span_resource(t, &t->spans[0])->service, "my.service");
    ASSERT_EQ_INT(t->spans[0].status_code, TEMPO_STATUS_UNSET);
    tempo_trace_unref(t);
    free(v2);

    char *vulture = read_file("trace-otlp-jsonpb_vulture-testdata.json", &len);
    ASSERT_NOT_NULL(vulture);
    t = tempo_trace_parse(vulture, len, NULL, &err);
    ASSERT_NOT_NULL(t);
    ASSERT_TRUE(t->n_spans > 0);
    for (size_t i = 0; i < t->n_spans; i++) {
        ASSERT_EQ_UINT(strlen(t->spans[i].span_id), 16);
        ASSERT_EQ_UINT(strlen(t->spans[i].trace_id), 32);
    }
    ASSERT_EQ_STR(tempo_span_resource(t, &t->spans[0])->service, "tempo-vulture");
    tempo_trace_unref(t);
    free(vulture);
}

/* ---- search, tags, build info ---------------------------------------------------------------- */

static void test_search_spansets_merge_and_dedupe(void)
{
    const char *body =
        "{\"traces\":[{\"traceID\":\"169bdefcae1f19\",\"rootServiceName\":\"gme-ruler\","
        "\"startTimeUnixNano\":\"1675090379953800000\",\"durationMs\":3,"
        "\"spanSet\":{\"spans\":[{\"spanID\":\"45b795d0c4f9f6ae\"}],\"matched\":1},"
        "\"spanSets\":[{\"spans\":[{\"spanID\":\"45b795d0c4f9f6ae\",\"name\":\"GET\","
        "\"startTimeUnixNano\":\"1675090379955688000\",\"durationNanos\":\"525000\","
        "\"attributes\":[{\"key\":\"status\",\"value\":{\"stringValue\":\"error\"}},"
        "{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"E\"}}]}],\"matched\":3},"
        "{\"spans\":[{\"spanID\":\"45b795d0c4f9f6ae\"},{\"spanID\":\"a5b795d0c4f9f6ae\"}],"
        "\"matched\":2}]},"
        "{\"traceID\":\"zz\"},{\"traceID\":\"00ff\"}],\"metrics\":{\"inspectedTraces\":12,"
        "\"inspectedBytes\":\"3456\"}}";
    struct tempo_search_result r;
    struct et_error err;
    tempo_search_result_init(&r);
    ASSERT_EQ_INT(tempo_search_parse(body, strlen(body), &r, &err), 0);
    ASSERT_EQ_UINT(r.n_traces, 2); /* "zz" skipped */
    const struct tempo_search_trace *t = &r.traces[0];
    ASSERT_EQ_STR(t->trace_id, "000000000000000000169bdefcae1f19");
    ASSERT_EQ_STR(t->root_service, "gme-ruler");
    ASSERT_EQ_INT(t->duration_ms, 3);
    ASSERT_EQ_UINT(t->n_spans, 2);
    ASSERT_EQ_INT(t->matched, 5);
    ASSERT_EQ_STR(t->spans[0].name, "GET");
    ASSERT_EQ_INT(t->spans[0].duration_ns, 525000);
    ASSERT_EQ_STR(tempo_search_span_attr(&t->spans[0], "exception.type"), "E");
    ASSERT_NULL(tempo_search_span_attr(&t->spans[0], "missing"));
    ASSERT_EQ_STR(t->spans[1].span_id, "a5b795d0c4f9f6ae");
    ASSERT_EQ_STR(r.traces[1].trace_id, "000000000000000000000000000000ff");
    ASSERT_EQ_UINT(r.traces[1].n_spans, 0);
    ASSERT_EQ_INT(r.inspected_traces, 12);
    ASSERT_EQ_INT(r.inspected_bytes, 3456);
    tempo_search_result_cleanup(&r);
}

static void test_search_2_0_single_spanset_and_empty(void)
{
    struct tempo_search_result r;
    struct et_error err;
    tempo_search_result_init(&r);
    const char *b20 =
        "{\"traces\":[{\"traceID\":\"ab\",\"spanSet\":{\"spans\":[{\"spanID\":"
        "\"45b795d0c4f9f6ae\"}],\"matched\":1}}],\"metrics\":{\"inspectedBlocks\":1}}";
    ASSERT_EQ_INT(tempo_search_parse(b20, strlen(b20), &r, &err), 0);
    ASSERT_EQ_UINT(r.traces[0].n_spans, 1);
    tempo_search_result_cleanup(&r);
    const char *empty = "{\"metrics\":{\"completedJobs\":1,\"totalJobs\":1}}";
    ASSERT_EQ_INT(tempo_search_parse(empty, strlen(empty), &r, &err), 0);
    ASSERT_EQ_UINT(r.n_traces, 0);
    tempo_search_result_cleanup(&r);
    ASSERT_EQ_INT(tempo_search_parse("<html>", 6, &r, &err), -1);
    ASSERT_EQ_INT(err.status, 502);
    ASSERT_CONTAINS(err.message, "not valid JSON");
    tempo_search_result_cleanup(&r);
}

/* The search body is walked trace by trace (not one jansson tree): wrong
 * shapes are errors, brackets inside strings and unknown keys are skipped,
 * more than TEMPO_SEARCH_MAX_TRACES traces are read up to the cap. */
static void test_search_walk_shapes_and_many_traces(void)
{
    struct tempo_search_result r;
    struct et_error err;
    tempo_search_result_init(&r);
    const char *odd =
        " {\"x\":{\"s\":\"]}[{\\\"\"},\"traces\":[{\"traceID\":\"ab\",\"rootServiceName\":"
        "\"a]\\\"}\"}, 5, null],\"metrics\":{\"inspectedTraces\":\"7\"}} \n";
    ASSERT_EQ_INT(tempo_search_parse(odd, strlen(odd), &r, &err), 0);
    ASSERT_EQ_UINT(r.n_traces, 1);
    ASSERT_EQ_STR(r.traces[0].root_service, "a]\"}");
    ASSERT_EQ_INT(r.inspected_traces, 7);
    tempo_search_result_cleanup(&r);
    const char *bad[] = {
        "{\"traces\":{\"traceID\":\"1\"}}",
        "{\"traces\":[{\"traceID\":\"1\"}",
        "{\"traces\":[{]}",
        "{\"traces\":[] \"metrics\":{}}",
        "{\"traces\":[]} x",
        "[{\"traces\":[]}]",
        "{\"a\":\"b}",
        "{\"traces\":[{\"traceID\":1} {}]}",
        "{\"metrics\":{\"a\":}}",
    };
    const char *says[] = {"traces is not a list", "not valid JSON", "not valid JSON",
                          "not valid JSON",       "trailing data",  "not a JSON object",
                          "not valid JSON",       "not valid JSON", "not valid JSON"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ_INT(tempo_search_parse(bad[i], strlen(bad[i]), &r, &err), -1);
        ASSERT_EQ_INT(err.status, 502);
        ASSERT_EQ_INT(err.source, ET_SOURCE_DOWNSTREAM);
        ASSERT_CONTAINS(err.message, says[i]);
        tempo_search_result_cleanup(&r);
    }
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_buf_append_str(&b, "{\"traces\":[");
    for (int i = 0; i < TEMPO_SEARCH_MAX_TRACES + 5; i++)
        et_buf_printf(&b, "%s{\"traceID\":\"%x\",\"startTimeUnixNano\":\"1\"}", i ? "," : "",
                      i + 1);
    et_buf_append_str(&b, "]}");
    ASSERT_EQ_INT(tempo_search_parse(et_buf_cstr(&b), b.len, &r, &err), 0);
    ASSERT_EQ_UINT(r.n_traces, TEMPO_SEARCH_MAX_TRACES);
    ASSERT_EQ_STR(r.traces[0].trace_id, "00000000000000000000000000000001");
    tempo_search_result_cleanup(&r);
    et_buf_cleanup(&b);

    struct et_strlist l;
    et_strlist_init(&l);
    const char *tv = "{\"tagValues\":\"a,b\"}";
    ASSERT_EQ_INT(tempo_tag_values_parse(tv, strlen(tv), 10, &l, &err), -1);
    ASSERT_CONTAINS(err.message, "tagValues is not a list");
    et_strlist_cleanup(&l);
}

static void test_recorded_search_bodies(void)
{
    const char *names[] = {"search-traceql-select_docs-main_curl.json",
                           "search-traceql-status-error_docs-main_REPAIRED.json",
                           "search-traceql-status-error_docs-v2.0_REPAIRED.json",
                           "search-select-structure_traces-drilldown-fixture.json"};
    for (size_t i = 0; i < 4; i++) {
        size_t len;
        char *body = read_file(names[i], &len);
        if (!body)
            return;
        struct tempo_search_result r;
        struct et_error err;
        tempo_search_result_init(&r);
        ASSERT_EQ_INT(tempo_search_parse(body, len, &r, &err), 0);
        ASSERT_TRUE(r.n_traces > 0);
        ASSERT_TRUE(r.traces[0].n_spans > 0);
        ASSERT_EQ_UINT(strlen(r.traces[0].trace_id), 32);
        if (i == 0) {
            ASSERT_EQ_STR(r.traces[0].trace_id, "5b8efff798038103d269b633813fc700");
            ASSERT_EQ_STR(tempo_search_span_attr(&r.traces[0].spans[0], "service.name"),
                          "my.service");
        }
        tempo_search_result_cleanup(&r);
        free(body);
    }
}

static void test_tag_values_v1_v2_and_buildinfo(void)
{
    struct et_strlist l;
    struct et_error err;
    et_strlist_init(&l);
    const char *v2 = "{\"tagValues\":[{\"type\":\"string\",\"value\":\"b\"},{\"type\":\"string\","
                     "\"value\":\"a\"},{\"type\":\"string\",\"value\":\"\"},{\"type\":\"int\","
                     "\"value\":\"5\"},{\"type\":\"string\",\"value\":\"a\"}],\"metrics\":{}}";
    ASSERT_EQ_INT(tempo_tag_values_parse(v2, strlen(v2), 100, &l, &err), 0);
    ASSERT_EQ_UINT(l.n, 3);
    ASSERT_EQ_STR(l.items[0], "b");
    const char *v1 = "{\"tagValues\":[\"c\",\"b\",7]}";
    ASSERT_EQ_INT(tempo_tag_values_parse(v1, strlen(v1), 4, &l, &err), 0);
    ASSERT_EQ_UINT(l.n, 4); /* "b" again ignored, 7 ignored, capped at 4 */
    ASSERT_EQ_STR(l.items[3], "c");
    ASSERT_EQ_INT(tempo_tag_values_parse("[", 1, 4, &l, &err), -1);
    et_strlist_cleanup(&l);

    char version[64];
    const char *bi = "{\"version\":\"2.6.1\",\"revision\":\"abc\",\"branch\":\"HEAD\","
                     "\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"go1.22.5\"}\n";
    ASSERT_EQ_INT(tempo_buildinfo_parse(bi, strlen(bi), version, sizeof version, &err), 0);
    ASSERT_EQ_STR(version, "2.6.1");
    ASSERT_EQ_INT(tempo_buildinfo_parse("{}", 2, version, sizeof version, &err), -1);
    ASSERT_CONTAINS(err.message, "no version");
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_ids_base64_and_hex),
    UNIT_TEST(test_search_trace_ids_are_padded),
    UNIT_TEST(test_int64_from_strings_and_numbers),
    UNIT_TEST(test_attribute_values_keep_their_type),
    UNIT_TEST(test_trace_v1_v2_and_bare_bodies),
    UNIT_TEST(test_trace_pre_2_0_instrumentation_library_spans),
    UNIT_TEST(test_trace_hex_ids_numbers_and_int_enums),
    UNIT_TEST(test_trace_missing_ids_take_the_requested_one),
    UNIT_TEST(test_trace_empty_partial_and_refusals),
    UNIT_TEST(test_trace_wrong_types_inside_are_zero_values),
    UNIT_TEST(test_recorded_tempo_trace_bodies),
    UNIT_TEST(test_search_spansets_merge_and_dedupe),
    UNIT_TEST(test_search_2_0_single_spanset_and_empty),
    UNIT_TEST(test_search_walk_shapes_and_many_traces),
    UNIT_TEST(test_recorded_search_bodies),
    UNIT_TEST(test_tag_values_v1_v2_and_buildinfo),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
