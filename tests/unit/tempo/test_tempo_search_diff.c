/* SPDX-License-Identifier: Apache-2.0
 *
 * The single-pass search reader (src/tempo/tempo_search.c) against the
 * jansson-tree reader it replaced (tempo_search_ref.c): the same result, or
 * the same kind of error, for the fuzz corpus, the recorded Tempo bodies,
 * hand-made edge cases, every truncation and many one-byte mutations of them,
 * and a generated 1,000-trace select-mode body, whose parse speed both
 * readers report (ET_SEARCH_BENCH=1 runs it longer). A share of the bodies is
 * also read while arriving (tempo_search_stream) in pieces, which must give
 * exactly the same result.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "tempo_search_ref.h"
#include "test.h"

static const char *REF_DIR = "../shared/reference/tempo/";
static const char *CORPUS_DIRS[] = {"tests/fuzz/tempo_search/corpus",
                                    "tests/fuzz/tempo_search/regressions"};

static char *slurp(const char *path, size_t *len)
{
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

static size_t checked;  /* bodies compared */
static size_t streamed; /* ... also read while arriving */

/* Read while arriving, in pieces picked from `seed`: every piece `step`
 * bytes long, or cuts at a third and two thirds; the reader catching up after
 * each piece, racing the feeder or reading inside feed(); sometimes told the body moved, sometimes
 * finished before the last piece. */
static void same_streamed(const char *body, size_t len, const char *what, size_t seed)
{
    size_t cuts[64], n = 0;
    if (seed % 2 == 0 && len > 0) {
        size_t step = len / 60 + 1 + seed % 7;
        for (size_t c = step; c < len && n < 64; c += step)
            cuts[n++] = c;
    } else if (len >= 3) {
        cuts[n++] = len / 3;
        cuts[n++] = 2 * len / 3;
    }
    const char *d = tempo_search_stream_diff(body, len, cuts, n, (enum stream_reader)(seed % 3),
                                             seed % 5 == 4, seed % 7 == 3);
    streamed++;
    if (d)
        UNIT_FAIL("%s read while arriving (%zu bytes, seed %zu, '%.80s'): %s", what, len, seed,
                  body, d);
}

static void same(const char *body, size_t len, const char *what)
{
    const char *d = tempo_search_diff(body, len);
    checked++;
    if (d)
        UNIT_FAIL("%s (%zu bytes, '%.80s'): %s", what, len, body, d);
    if (checked % 16 == 1 || len > 4096)
        same_streamed(body, len, what, checked);
}

/* Every prefix, and each byte replaced by a few that matter to a scanner. */
static void same_mutated(const char *body, size_t len, const char *what)
{
    static const char repl[] = {'"', '\\', '{', '}', '[',  ']',    ',',    ':',    '0',    '9', '-',
                                'u', 'e',  '.', ' ', '\0', '\x80', '\xc3', '\xed', '\xf4', 'x'};
    char *m = malloc(len ? len : 1);
    ASSERT_NOT_NULL(m);
    for (size_t cut = 0; cut <= len; cut++)
        same(body, cut, what);
    memcpy(m, body, len);
    for (size_t i = 0; i < len; i++) {
        for (size_t r = 0; r < sizeof repl; r++) {
            if (body[i] == repl[r])
                continue;
            m[i] = repl[r];
            same(m, len, what);
        }
        m[i] = body[i];
    }
    free(m);
}

static void test_corpus_and_regressions(void)
{
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(CORPUS_DIRS[d]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir))) {
            if (e->d_name[0] == '.')
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", CORPUS_DIRS[d], e->d_name);
            size_t len;
            char *body = slurp(path, &len);
            if (!body)
                continue;
            same(body, len, path);
            if (len > 0)
                same(body + 1, len - 1, path); /* the fuzz target's view */
            if (len < 4096)
                same_mutated(body, len, path);
            free(body);
        }
        closedir(dir);
    }
}

static void test_recorded_bodies(void)
{
    DIR *dir = opendir(REF_DIR);
    if (!dir) {
        fprintf(stderr, "  (../shared absent: recorded bodies not checked)\n");
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s%s", REF_DIR, e->d_name);
        size_t len;
        char *body = slurp(path, &len);
        if (!body)
            continue;
        same(body, len, path);
        if (strncmp(e->d_name, "search-", 7) == 0 && len < 8192)
            same_mutated(body, len, path);
        free(body);
    }
    closedir(dir);
}

#define T(id)    "{\"traceID\":\"" id "\""
#define KV(k, v) "{\"key\":\"" k "\",\"value\":" v "}"

static const char *const CASES[] = {
    /* shapes and fields */
    "{}",
    "{\"traces\":[]}",
    "{\"traces\":[],}",
    "{\"traces\":[,]}",
    "{\"traces\":[{}],}",
    "{\"traces\":[{},]}",
    "{\"traces\":[1,\"a\",null,true,false,-0,1.5e3,[]]}",
    "{\"traces\":{}}",
    "{\"traces\":\"x\"}",
    "{\"traces\":[]} x",
    " \n{\"traces\" : [ " T("1") " } ] , \"metrics\" : { \"inspectedTraces\" : 5 } } ",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"a\",\"rootServiceName\":\"b\","
                           "\"rootTraceName\":7,\"startTimeUnixNano\":\"1700000000000000000\","
                           "\"durationMs\":12}]}",
    "{\"traces\":[" T("ABCDEF") ",\"traceID\":\"00ff\"}]}",
    "{\"traces\":[" T("") "},{\"traceID\":5},{\"traceID\":\"xyz\"},"
                          "{\"traceID\":\"000000000000000000000000000000001\"}]}",
    "{\"traces\":[" T("1") "}],\"traces\":[" T("2") "}]}",
    "{\"traces\":[" T("1") "}],\"traces\":5}",
    "{\"traces\":[{]}],\"traces\":[" T("2") "}]}",
    "{\"traces\":[" T("1") "}],\"traces\":[{]}]}",
    "{\"traces\":[" T("1") "}],\"metrics\":[1],\"metrics\":{\"inspectedBytes\":\"99\"}}",
    "{\"traces\":[],\"metrics\":5}",
    "{\"traces\":[],\"metrics\":{\"a\":[}}",
    "{\"other\":[}, \"traces\":[]}",
    "{\"other\":xyz, \"traces\":[]}",
    "{\"tr\\u0061ces\":[{\"traceID\":\"1\"}]}",
    /* spansets */
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"a\"},{\"spanID\":\"a\"},"
                           "{\"spanID\":\"b\"},{},5,{\"spanID\":\"\"}],\"matched\":3},{\"matched\":"
                           "\"4\",\"spans\":"
                           "[{\"spanID\":\"b\"},{\"spanID\":\"c\",\"name\":\"n\"}]}]}]}",
    "{\"traces\":[" T("1") ",\"spanSet\":{\"spans\":[{\"spanID\":\"a\"}],\"matched\":1}}]}",
    "{\"traces\":[" T("1") ",\"spanSet\":{\"spans\":[{\"spanID\":\"a\"}]},\"spanSets\":[]}]}",
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"b\"}]}],"
                           "\"spanSet\":{\"spans\":[{\"spanID\":\"a\"}]}}]}",
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"b\"}]}],\"spanSets\":5,"
                           "\"spanSet\":{\"spans\":[{\"spanID\":\"a\"}]}}]}",
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"b\"}]}],\"spanSets\":[7],"
                           "\"spanSet\":{\"spans\":[{\"spanID\":\"a\"}]}}]}",
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"a\"}],\"spans\":[{\"spanID\":"
                           "\"b\"}],\"matched\":1,\"matched\":2}]}]}",
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"a\"}],\"spans\":7}]}]}",
    "{\"traces\":[" T("1") ",\"spanSet\":[]}]}",
    "{\"traces\":[" T("1") ",\"spanSets\":[{\"matched\":\"9223372036854775807\"},"
                           "{\"matched\":\"1\"}]}]}",
    /* span fields and IDs */
    "{\"traces\":[" T(
        "1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"AAAAAAAAAAE=\"},"
             "{\"spanID\":\"AAAAAAAAAAI\"},{\"spanID\":\"0000000000000000\"},{\"spanID\":\"0\"},"
             "{\"spanID\":\"123456789abcdef0123\"},{\"spanID\":\"ABCDEF0123456789\"},"
             "{\"spanID\":\"a\\u0000\"},{\"spanID\":17}]}]}]}",
    "{\"traces\":[" T(
        "1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"1\",\"startTimeUnixNano\":"
             "\"-5\",\"durationNanos\":3.9e3},{\"spanID\":\"2\",\"startTimeUnixNano\":\" 7\","
             "\"durationNanos\":\"18446744073709551615\"},{\"spanID\":\"3\",\"startTimeUnixNano\":"
             "\"-18446744073709551615\",\"durationNanos\":\"1e3\"},{\"spanID\":\"4\","
             "\"startTimeUnixNano\":\"12\\u0000x\",\"durationNanos\":\"\"},{\"spanID\":\"5\","
             "\"startTimeUnixNano\":1e300,\"durationNanos\":9223372036854775807},{\"spanID\":\"6\","
             "\"startTimeUnixNano\":\"+5\",\"durationNanos\":\" -99999999999999999999\"},"
             "{\"spanID\":\"7\",\"startTimeUnixNano\":\"0x10\",\"durationNanos\":true}]}]}]}",
    /* attributes */
    "{\"traces\":[" T(
        "1") ",\"spanSets\":[{\"spans\":[{\"spanID\":\"1\",\"attributes\":[" KV("s",
                                                                                "{\"stringValue\":"
                                                                                "\"x\"}") "," KV("i",
                                                                                                 "{"
                                                                                                 "\"intValue\":\"42\"}") "," KV("i2",
                                                                                                                                "{\"intValue\":-7}") "," KV("d", "{\"doubleValue\":1.5}") "," KV("d2",
                                                                                                                                                                                                 "{\"doubleValue\":\"NaN\"}") "," KV("d3",
                                                                                                                                                                                                                                     "{\"doubleValue\":\"-Infinity\"}") "," KV("d4",
                                                                                                                                                                                                                                                                               "{\"doubleValue\":\"0x1p3\"}") "," KV("d5",
                                                                                                                                                                                                                                                                                                                     "{\"doubleValue\":3}") "," KV("d6",
                                                                                                                                                                                                                                                                                                                                                   "{\"doubleValue\":\" 1e400\"}") "," KV("b",
                                                                                                                                                                                                                                                                                                                                                                                          "{\"boolValue\":true}") "," KV("b2", "{\"boolValue\":\"true\"}") "," KV("b3", "{\"boolValue\":\"true\\u0000\"}") "," KV("b4", "{\"boolValue\":1}") "," KV("y", "{\"bytesValue\":\"AQID\"}") "," KV("a",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "{\"arrayValue\":{\"values\":[{\"stringValue\":\"p\"},{\"intValue\":\"3\"},"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "{\"doubleValue\":\"Infinity\"},{\"kvlistValue\":{\"values\":[" KV("q",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                "{}") "]}}]}}") "," KV("k", "{\"kvlistValue\":{\"values\":[" KV("z", "{\"boolValue\":false}") "]}}") "," KV("a2", "{\"arrayValue\":5}") "," KV("e", "{}") "," KV("e2",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 "5") "," KV("m",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "{\"intValue\":\"1\",\"stringValue\":\"wins\"}") "," KV("m2",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     "{\"stringValue\":\"a\",\"stringValue\":7}") "," KV("m3",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "{\"doubleValue\":2.5,\"boolValue\":true,\"doubleValue\":null}") ","
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          "{\"key\":\"dup\",\"key\":\"dup2\",\"value\":{\"stringValue\":\"a\"},\"value\":3},"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          "{\"value\":{\"stringValue\":\"nokey\"}},7,[],{\"key\":5}]}]}]}]}",
    /* strings */
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac"
                           "\\ud83d\\ude00\\uD83D\\uDE00\",\"rootTraceName\":\"caf\xc3\xa9 "
                           "\xe2\x82\xac \xf0\x9f\x98\x80\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"a\\u0000b\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\u0000\"}]}",
    "{\"traces\":[" T("1") ",\"k\\u0000\":1}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\ud800\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\ud800\\u0041\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\udc00\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\ud800\\n\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\u12\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\\x\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"a\tb\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\xc0\xaf\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\xed\xa0\x80\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\xf4\x90\x80\x80\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\xe2\x82\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\x7f\"}]}",
    "{\"traces\":[" T("1") ",\"rootServiceName\":\"\xff\"}]}",
    "{\"traces\":[" T("1") ",\"r\\u006f\\u006ftServiceName\":\"esc\"}]}",
    /* numbers and literals */
    "{\"traces\":[" T("1") ",\"x\":01}]}",
    "{\"traces\":[" T("1") ",\"x\":-}]}",
    "{\"traces\":[" T("1") ",\"x\":1.}]}",
    "{\"traces\":[" T("1") ",\"x\":1e}]}",
    "{\"traces\":[" T("1") ",\"x\":1e+}]}",
    "{\"traces\":[" T("1") ",\"x\":9223372036854775808}]}",
    "{\"traces\":[" T("1") ",\"x\":-9223372036854775808}]}",
    "{\"traces\":[" T("1") ",\"x\":-9223372036854775809}]}",
    "{\"traces\":[" T("1") ",\"x\":1e309}]}",
    "{\"traces\":[" T("1") ",\"x\":-1e309}]}",
    "{\"traces\":[" T("1") ",\"x\":1e-400}]}",
    "{\"traces\":[" T("1") ",\"x\":truex}]}",
    "{\"traces\":[" T("1") ",\"x\":True}]}",
    "{\"traces\":[" T("1") ",\"x\":nul}]}",
    "{\"traces\":[" T("1") ",\"x\":[1,]}]}",
    "{\"traces\":[" T("1") ",\"x\":{\"a\":1,}}]}",
    "{\"traces\":[" T("1") ",\"x\":{\"a\" 1}}]}",
    "{\"traces\":[" T("1") ",\"x\":{1:1}}]}",
    "{\"traces\":[" T("1") ",}]}",
    "{\"traces\":[" T("1") " \"a\":1}]}",
    "{\"traces\":[1x]}",
    "{\"traces\":[tru]}",
    "{\"traces\":[\"a\"x]}",
    "{\"traces\":[1 2]}",
    "[1]",
    "5",
    "",
    "<html>",
};

static void test_edge_cases(void)
{
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        char what[32];
        snprintf(what, sizeof what, "case %zu", i);
        same(CASES[i], strlen(CASES[i]), what);
        same_mutated(CASES[i], strlen(CASES[i]), what);
    }
    /* a raw NUL byte inside and outside strings */
    static const char nul_in[] = "{\"traces\":[{\"traceID\":\"1\",\"rootServiceName\":\"a\0b\"}]}";
    same(nul_in, sizeof nul_in - 1, "raw NUL in string");
    static const char nul_out[] = "{\"traces\":[{\"traceID\":\"1\"}\0]}";
    same(nul_out, sizeof nul_out - 1, "raw NUL between values");
}

/* `n` opening brackets inside a trace, a spanset or at the top level. */
static void test_deep_nesting(void)
{
    static const size_t depths[] = {2040, 2045, 2046, 2047, 2048, 2049, 100000};
    static const char *const where[][2] = {
        {"{\"traces\":[{\"traceID\":\"1\",\"x\":", "}]}"},
        {"{\"traces\":[", "]}"},
        {"{\"traces\":[{\"traceID\":\"1\",\"spanSets\":[{\"spans\":[{\"attributes\":[{\"key\":"
         "\"k\",\"value\":{\"arrayValue\":",
         "}}]}]}]}]}"},
        {"{\"other\":", ",\"traces\":[]}"},
    };
    for (size_t w = 0; w < sizeof where / sizeof *where; w++) {
        for (size_t d = 0; d < sizeof depths / sizeof *depths; d++) {
            for (int inner = 0; inner < 3; inner++) {
                struct et_buf b;
                et_buf_init(&b, ET_BUF_UNLIMITED);
                et_buf_append(&b, where[w][0], strlen(where[w][0]));
                for (size_t i = 0; i < depths[d]; i++)
                    et_buf_append(&b, inner == 2 && i % 2 ? "{\"a\":" : "[",
                                  inner == 2 && i % 2 ? 5 : 1);
                if (inner == 1)
                    et_buf_append(&b, "1", 1);
                for (size_t i = depths[d]; i-- > 0;)
                    et_buf_append(&b, inner == 2 && i % 2 ? "}" : "]", 1);
                et_buf_append(&b, where[w][1], strlen(where[w][1]));
                same(b.data, b.len, "deep nesting");
                same(b.data, b.len - 3, "deep nesting, cut");
                et_buf_cleanup(&b);
            }
        }
    }
}

static void app(struct et_buf *b, const char *s)
{
    et_buf_append(b, s, strlen(s));
}

/* More elements than TEMPO_SEARCH_MAX_TRACES: the tail is only walked. */
static void test_past_the_trace_limit(void)
{
    static const char *const tails[] = {"", ",x[", ",{\"traceID\":\"2\"}", ",[}", ",tru", ","};
    for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
        struct et_buf b;
        et_buf_init(&b, ET_BUF_UNLIMITED);
        et_buf_append(&b, "{\"traces\":[", 11);
        for (size_t i = 0; i < TEMPO_SEARCH_MAX_TRACES; i++)
            et_buf_append(&b, i ? ",{\"traceID\":\"1\"}" : "{\"traceID\":\"1\"}", i ? 16 : 15);
        et_buf_append(&b, tails[t], strlen(tails[t]));
        app(&b, "],\"metrics\":{\"inspectedTraces\":3}}");
        same(b.data, b.len, "past the trace limit");
        if (t != 1) { /* walked without complaint, as before ("x[" unbalances the walk) */
            struct tempo_search_result r;
            struct et_error err;
            tempo_search_result_init(&r);
            ASSERT_EQ_INT(tempo_search_parse(b.data, b.len, &r, &err), 0);
            ASSERT_EQ_UINT(r.n_traces, TEMPO_SEARCH_MAX_TRACES);
            ASSERT_EQ_INT(r.inspected_traces, 3);
            tempo_search_result_cleanup(&r);
        }
        et_buf_cleanup(&b);
    }
}

/* Span and attribute limits: 1,500 spans over two spansets (some repeated),
 * a span with 300 attributes. */
static void test_span_and_attribute_limits(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    app(&b, "{\"traces\":[{\"traceID\":\"1\",\"spanSets\":[");
    for (int set = 0; set < 2; set++) {
        app(&b, set ? ",{\"spans\":[" : "{\"spans\":[");
        for (int i = 0; i < 750; i++) {
            char sp[64];
            int n =
                snprintf(sp, sizeof sp, "%s{\"spanID\":\"%x\"", i ? "," : "", set * 700 + i + 1);
            et_buf_append(&b, sp, (size_t)n);
            if (set == 0 && i == 3) {
                app(&b, ",\"attributes\":[");
                for (int a = 0; a < 300; a++) {
                    n = snprintf(sp, sizeof sp, "%s{\"key\":\"k%d\",\"value\":{\"intValue\":%d}}",
                                 a ? "," : "", a, a);
                    et_buf_append(&b, sp, (size_t)n);
                }
                app(&b, "]");
            }
            app(&b, "}");
        }
        app(&b, "],\"matched\":750}");
    }
    app(&b, "]}]}");
    same(b.data, b.len, "span and attribute limits");
    struct tempo_search_result r;
    struct et_error err;
    tempo_search_result_init(&r);
    ASSERT_EQ_INT(tempo_search_parse(b.data, b.len, &r, &err), 0);
    ASSERT_EQ_UINT(r.n_traces, 1);
    ASSERT_EQ_UINT(r.traces[0].n_spans, TEMPO_SEARCH_MAX_SPANS);
    ASSERT_EQ_UINT(r.traces[0].spans[3].n_attrs, TEMPO_SEARCH_MAX_ATTRS);
    ASSERT_EQ_INT(r.traces[0].matched, 1500);
    tempo_search_result_cleanup(&r);
    et_buf_cleanup(&b);
}

/* A select-mode answer like the benchmark's: `n` error traces, each with a
 * server span whose attributes hold an exception and a Java stack trace,
 * mirrored in spanSet and spanSets as Tempo sends it. */
static void select_body(struct et_buf *b, size_t n)
{
    et_buf_append(b, "{\"traces\":[", 11);
    for (size_t i = 0; i < n; i++) {
        char set[8192];
        char stack[6000];
        size_t sl = 0;
        sl += (size_t)snprintf(stack + sl, sizeof stack - sl,
                               "java.lang.IllegalStateException: order %zu is not payable\\n", i);
        for (int f = 0; f < 24; f++)
            sl += (size_t)snprintf(stack + sl, sizeof stack - sl,
                                   "\\tat com.acme.checkout.step%d.Handler.run(Handler.java:%d)\\n",
                                   f, 20 + f);
        snprintf(set, sizeof set,
                 "{\"spans\":[{\"spanID\":\"%016zx\",\"name\":\"POST /api/orders\","
                 "\"startTimeUnixNano\":\"17499%014zu\",\"durationNanos\":\"%zu\","
                 "\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
                 "\"checkout\"}},{\"key\":\"http.route\",\"value\":{\"stringValue\":"
                 "\"/api/orders\"}},{\"key\":\"status\",\"value\":{\"stringValue\":\"error\"}},"
                 "{\"key\":\"http.status_code\",\"value\":{\"intValue\":\"500\"}},"
                 "{\"key\":\"exception.type\",\"value\":{\"stringValue\":"
                 "\"java.lang.IllegalStateException\"}},{\"key\":\"exception.message\","
                 "\"value\":{\"stringValue\":\"order %zu is not payable\"}},"
                 "{\"key\":\"exception.stacktrace\",\"value\":{\"stringValue\":\"%s\"}}]}],"
                 "\"matched\":1}",
                 i + 1, i * 1000, 1000000 + i, i, stack);
        char head[512];
        int hl = snprintf(head, sizeof head,
                          "%s{\"traceID\":\"%zx4bf92f3577b34da6a3ce929d0e\",\"rootServiceName\":"
                          "\"frontend\",\"rootTraceName\":\"POST /checkout\",\"startTimeUnixNano\":"
                          "\"17499%014zu\",\"durationMs\":%zu,\"spanSet\":",
                          i ? "," : "", i + 1, i * 1000, 10 + i % 90);
        et_buf_append(b, head, (size_t)hl);
        et_buf_append(b, set, strlen(set));
        et_buf_append(b, ",\"spanSets\":[", 13);
        et_buf_append(b, set, strlen(set));
        et_buf_append(b, "]}", 2);
    }
    static const char tail[] = "],\"metrics\":{\"inspectedTraces\":1500,\"inspectedBytes\":"
                               "\"123456\",\"completedJobs\":1,\"totalJobs\":1}}";
    et_buf_append(b, tail, sizeof tail - 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*parse_fn)(const char *, size_t, struct tempo_search_result *, struct et_error *);

static size_t pool_bytes; /* of the last parse timed */

/* Best of `rounds` parses, in MB/s. */
static double speed(parse_fn fn, const char *body, size_t len, int rounds, double *best_ms)
{
    double best = 1e9;
    for (int i = 0; i < rounds; i++) {
        struct tempo_search_result r;
        struct et_error err;
        tempo_search_result_init(&r);
        double t0 = now_s();
        if (fn(body, len, &r, &err) != 0)
            UNIT_FAIL("bench body refused: %s", err.message);
        double t = now_s() - t0;
        pool_bytes = r.pool.bytes;
        tempo_search_result_cleanup(&r);
        if (t < best)
            best = t;
    }
    *best_ms = best * 1e3;
    return (double)len / 1e6 / best;
}

static void test_select_body_and_speed(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    select_body(&b, 1000);
    same(b.data, b.len, "generated select body");
    bool bench = getenv("ET_SEARCH_BENCH") != NULL;
    bool only_new = bench && strcmp(getenv("ET_SEARCH_BENCH"), "new") == 0; /* for perf */
    int rounds = bench ? 30 : 3;
    double ms_ref = 0, ms_new;
    double ref = only_new ? 0 : speed(tempo_search_parse_ref, b.data, b.len, rounds, &ms_ref);
    double neu = speed(tempo_search_parse, b.data, b.len, rounds, &ms_new);
    fprintf(stderr,
            "  search parse, %.2f MB select body (1,000 traces): reference %.1f ms (%.0f MB/s), "
            "new %.2f ms (%.0f MB/s)\n",
            (double)b.len / 1e6, ms_ref, ref, ms_new, neu);
    const char *file = getenv("ET_SEARCH_BENCH_FILE"); /* a body saved from the test server */
    size_t len;
    char *body = file ? slurp(file, &len) : NULL;
    if (body) {
        same(body, len, file);
        ref = only_new ? 0 : speed(tempo_search_parse_ref, body, len, rounds, &ms_ref);
        neu = speed(tempo_search_parse, body, len, only_new ? 300 : rounds, &ms_new);
        fprintf(stderr, "  (result pool: %.2f MB)\n", (double)pool_bytes / 1e6);
        fprintf(stderr,
                "  search parse, %.2f MB %s: reference %.1f ms (%.0f MB/s), new %.2f ms "
                "(%.0f MB/s)\n",
                (double)len / 1e6, file, ms_ref, ref, ms_new, neu);
        free(body);
    }
    et_buf_cleanup(&b);
}

/* The reader really reads ahead: every element of a 1,000-trace body fed in
 * 64 KiB pieces is parsed before finish(), and finish() takes them all. */
static void test_read_ahead(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    select_body(&b, 1000);
    for (int moved = 0; moved < 2; moved++) {
        struct tempo_search_stream *st = tempo_search_stream_new(64 << 10, 32 << 10);
        for (size_t len = 16 << 10; len < b.len; len += 16 << 10) {
            tempo_search_stream_feed(st, b.data, len);
            tempo_search_stream_wait_idle(st);
            if (moved && len >= b.len / 2) {
                tempo_search_stream_feed(st, NULL, 0);
                break;
            }
        }
        tempo_search_stream_feed(st, b.data, b.len);
        tempo_search_stream_wait_idle(st);
        size_t ahead = tempo_search_stream_read_ahead(st);
        fprintf(stderr, "  read ahead%s: %zu of 1000 elements\n",
                moved ? " (body moved at half)" : "", ahead);
        if (moved) {
            ASSERT_TRUE(ahead > 400 && ahead < 600);
        } else {
            /* the reader looks every 32 KiB: the last few elements may be left */
            ASSERT_TRUE(ahead >= 990);
        }
        struct tempo_search_result r;
        struct et_error err;
        tempo_search_result_init(&r);
        ASSERT_EQ_INT(tempo_search_stream_finish(st, b.data, b.len, &r, &err), 0);
        ASSERT_EQ_UINT(r.n_traces, 1000);
        ASSERT_EQ_INT(r.inspected_traces, 1500);
        ASSERT_EQ_STR(r.traces[999].spans[0].attrs[5].text, "order 999 is not payable");
        tempo_search_result_cleanup(&r);
        tempo_search_stream_free(st);
    }
    /* finish() while a large part is unread: it reads the second half of the
     * rest itself, the reader the first (cut where the reader stands, in the
     * middle and at an element start), and the result is still exact */
    for (size_t k = 1; k < 8; k++) {
        size_t cut = b.len * k / 8;
        const char *d =
            tempo_search_stream_diff(b.data, b.len, &cut, 1, STREAM_READER_SYNC, false, true);
        if (d)
            UNIT_FAIL("finishing early at %zu: %s", cut, d);
        d = tempo_search_stream_diff(b.data, b.len, &cut, 1, STREAM_READER_RACING, false, true);
        if (d)
            UNIT_FAIL("finishing early at %zu, reader racing: %s", cut, d);
        d = tempo_search_stream_diff(b.data, b.len, &cut, 1, STREAM_READER_INLINE, false, true);
        if (d)
            UNIT_FAIL("finishing early at %zu, no reader thread: %s", cut, d);
    }
    /* with no reader thread, feed() itself reads every complete element:
     * after the first half, about half of them, then all */
    struct tempo_search_stream *in = tempo_search_stream_new_inline();
    tempo_search_stream_feed(in, b.data, b.len / 2);
    size_t half = tempo_search_stream_read_ahead(in);
    tempo_search_stream_feed(in, b.data, b.len);
    size_t all = tempo_search_stream_read_ahead(in);
    fprintf(stderr, "  read inside feed(): %zu of 1000 at half, %zu at the end\n", half, all);
    ASSERT_TRUE(half > 450 && half < 550);
    ASSERT_EQ_UINT(all, 1000);
    struct tempo_search_result r;
    struct et_error err;
    tempo_search_result_init(&r);
    ASSERT_EQ_INT(tempo_search_stream_finish(in, b.data, b.len, &r, &err), 0);
    ASSERT_EQ_UINT(r.n_traces, 1000);
    ASSERT_EQ_STR(r.traces[999].spans[0].attrs[5].text, "order 999 is not payable");
    tempo_search_result_cleanup(&r);
    tempo_search_stream_free(in);
    /* a small body never starts the reader */
    struct tempo_search_stream *st = tempo_search_stream_new(64 << 10, 32 << 10);
    tempo_search_stream_feed(st, b.data, 1000);
    ASSERT_EQ_UINT(tempo_search_stream_read_ahead(st), 0);
    tempo_search_stream_free(st);
    et_buf_cleanup(&b);
}

static void test_report(void)
{
    fprintf(stderr, "  %zu bodies compared, %zu of them also read while arriving\n", checked,
            streamed);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_corpus_and_regressions),
    UNIT_TEST(test_recorded_bodies),
    UNIT_TEST(test_edge_cases),
    UNIT_TEST(test_deep_nesting),
    UNIT_TEST(test_past_the_trace_limit),
    UNIT_TEST(test_span_and_attribute_limits),
    UNIT_TEST(test_select_body_and_speed),
    UNIT_TEST(test_read_ahead),
    UNIT_TEST(test_report),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
