/* SPDX-License-Identifier: Apache-2.0
 *
 * Golden frames rebuilt by hand through the public frame API.
 *
 *   golden_build <reference/frames dir> <out dir>
 *
 * For every golden Arrow file whose frame we can express (shared/reference/
 * frames: sdk, extracted, derived) this builds the same logical frame with
 * frame.h / frame_helpers.h, writes our Arrow and JSON encodings to <out dir>
 * and compares the Arrow bytes with the golden:
 *   - exact:  arrow-go v18 goldens and the derived files (byte-identical);
 *   - legacy: 2021-22 goldens, identical once arrow-go v18's 8-byte
 *             end-of-stream marker is taken out of ours.
 * It also writes <out dir>/manifest.json naming, per case, the JSON golden
 * (file and frame index) our JSON output must equal; golden_json.py checks
 * that, arrow_golden.mjs checks the decoded content with apache-arrow.
 *
 * Exit status: 0 all equal, 1 a mismatch (first differing byte printed),
 * 77 (skip) when the reference directory is missing.
 */
#include <float.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "frame/encode.h"
#include "frame/frame.h"
#include "frame/frame_helpers.h"

#define MAX_ECMA6_INT 9007199254740991LL /* 2^53 - 1 */
#define NS_PER_S      1000000000LL

/* ---- sdk/data/testdata/all_types.golden.arrow (goldenDF() in the SDK) -------- */

static void add_signed(struct frame *f, const char *name, enum frame_type t, bool nullable,
                       const int64_t v[5])
{
    struct frame_field *field = frame_add_field(f, name, t, nullable);
    for (int i = 0; i < 5; i++) {
        if (nullable && i == 2)
            frame_field_append_null(field);
        else
            frame_field_append_int(field, v[i]);
    }
}

static void add_unsigned(struct frame *f, const char *name, enum frame_type t, bool nullable,
                         const uint64_t v[5])
{
    struct frame_field *field = frame_add_field(f, name, t, nullable);
    for (int i = 0; i < 5; i++) {
        if (nullable && i == 2)
            frame_field_append_null(field);
        else
            frame_field_append_uint(field, v[i]);
    }
}

/* Null at row 2 when nullable (the golden's nil). */
static void add_floats(struct frame *f, const char *name, enum frame_type t, bool nullable,
                       const double v[5])
{
    struct frame_field *field = frame_add_field(f, name, t, nullable);
    for (int i = 0; i < 5; i++) {
        if (nullable && i == 2)
            frame_field_append_null(field);
        else
            frame_field_append_float(field, v[i]);
    }
}

static void add_int_fields(struct frame *f)
{
    const int64_t i8[5] = {INT8_MIN, INT8_MIN, 0, INT8_MAX, INT8_MAX};
    const int64_t i16[5] = {INT16_MIN, INT16_MIN, 0, INT16_MAX, INT16_MAX};
    const int64_t i32[5] = {INT32_MIN, INT32_MIN, 1, INT32_MAX, INT32_MAX};
    const int64_t i64[5] = {INT64_MIN, -MAX_ECMA6_INT, 1, MAX_ECMA6_INT, INT64_MAX};
    const uint64_t u8[5] = {0, 0, 1, UINT8_MAX, UINT8_MAX};
    const uint64_t u16[5] = {0, 0, 1, UINT16_MAX, UINT16_MAX};
    const uint64_t u32[5] = {0, 0, 1, UINT32_MAX, UINT32_MAX};
    const uint64_t u64[5] = {0, 0, 1, MAX_ECMA6_INT, UINT64_MAX};

    add_signed(f, "int8_values", FRAME_INT8, false, i8);
    struct frame_field *int8 = frame_field_at(f, frame_field_count(f) - 1);
    frame_field_set_min(int8, 0);
    frame_field_set_max(int8, 1);
    add_signed(f, "nullable_int8_values", FRAME_INT8, true, i8);
    add_signed(f, "int16_values", FRAME_INT16, false, i16);
    add_signed(f, "nullable_int16_values", FRAME_INT16, true, i16);
    add_signed(f, "int32_values", FRAME_INT32, false, i32);
    add_signed(f, "nullable_int32_values", FRAME_INT32, true, i32);
    add_signed(f, "int64_values", FRAME_INT64, false, i64);
    add_signed(f, "nullable_int64_values", FRAME_INT64, true, i64);
    add_unsigned(f, "uint8_values", FRAME_UINT8, false, u8);
    add_unsigned(f, "nullable_uint8_values", FRAME_UINT8, true, u8);
    add_unsigned(f, "uint16_values", FRAME_UINT16, false, u16);
    add_unsigned(f, "nullable_uint16_values", FRAME_UINT16, true, u16);
    add_unsigned(f, "uint32_values", FRAME_UINT32, false, u32);
    add_unsigned(f, "nullable_uint32_values", FRAME_UINT32, true, u32);
    add_unsigned(f, "uint64_values", FRAME_UINT64, false, u64);
    add_unsigned(f, "nullable_uint64_values", FRAME_UINT64, true, u64);
}

/* Go's math.NaN(): 0x7FF8000000000001. */
static double go_nan(void)
{
    uint64_t bits = 0x7FF8000000000001ULL;
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static void add_float_fields(struct frame *f)
{
    const double f32[5] = {0x1p-149, 0x1p-149, 1.0, FLT_MAX, FLT_MAX};
    const double f32_nans[5] = {NAN, INFINITY, 1.0, -INFINITY, 0};
    const double nf32_nans[5] = {INFINITY, NAN, 0, -INFINITY, 0};
    const double f64[5] = {0x1p-1074, (double)-MAX_ECMA6_INT, 1.0, (double)MAX_ECMA6_INT, DBL_MAX};
    const double f64_nans[5] = {-INFINITY, go_nan(), 0, go_nan(), INFINITY};
    const double nf64[5] = {0x1p-1074, (double)-MAX_ECMA6_INT, 0, DBL_MAX, (double)MAX_ECMA6_INT};
    const double nf64_nans[5] = {-INFINITY, 0, 0, go_nan(), INFINITY};

    add_floats(f, "float32_values", FRAME_FLOAT32, false, f32);
    add_floats(f, "nullable_float32_values", FRAME_FLOAT32, true, f32);
    add_floats(f, "float32_values_nans", FRAME_FLOAT32, false, f32_nans);
    add_floats(f, "nullable_float32_values_nans", FRAME_FLOAT32, true, nf32_nans);
    add_floats(f, "float64_values", FRAME_FLOAT64, false, f64);
    add_floats(f, "float64_nans", FRAME_FLOAT64, false, f64_nans);
    add_floats(f, "nullable_float64_values", FRAME_FLOAT64, true, nf64);
    add_floats(f, "nullable_float64_values_nans", FRAME_FLOAT64, true, nf64_nans);
}

static void add_time_field(struct frame *f, const char *name, bool nullable)
{
    const int64_t ns[5] = {0, 1568039445 * NS_PER_S, 1568039450 * NS_PER_S, MAX_ECMA6_INT,
                           INT64_MAX};
    struct frame_field *field = frame_add_field(f, name, FRAME_TIME, nullable);
    for (int i = 0; i < 5; i++) {
        if (nullable && i == 2)
            frame_field_append_null(field);
        else
            frame_field_append_time_ns(field, ns[i]);
    }
}

static void add_other_fields(struct frame *f)
{
    struct frame_field *b = frame_add_field(f, "bool_values", FRAME_BOOL, false);
    struct frame_field *nb = frame_add_field(f, "nullable_bool_values", FRAME_BOOL, true);
    const bool bools[5] = {true, false, true, true, false};
    for (int i = 0; i < 5; i++) {
        frame_field_append_bool(b, bools[i]);
        if (i == 2)
            frame_field_append_null(nb);
        else
            frame_field_append_bool(nb, bools[i]);
    }
    add_time_field(f, "timestamps", false);
    frame_field_set_interval(frame_field_at(f, frame_field_count(f) - 1), 1000);
    add_time_field(f, "timestamps", false); /* duplicate names are legal */
    add_time_field(f, "nullable_timestamps", true);

    const char *json[5] = {"{\"a\":1}", "[1,2,3]", "{\"b\":2}", "[{\"c\":3},{\"d\":4}]",
                           "{\"e\":{\"f\":5}}"};
    struct frame_field *j = frame_add_field(f, "json", FRAME_JSON, false);
    struct frame_field *nj = frame_add_field(f, "nullable_json", FRAME_JSON, true);
    for (int i = 0; i < 5; i++) {
        frame_field_append_json(j, json[i], strlen(json[i]));
        if (i == 2)
            frame_field_append_null(nj);
        else
            frame_field_append_json(nj, json[i], strlen(json[i]));
    }
    struct frame_field *e = frame_add_field(f, "enum", FRAME_ENUM, false);
    const char *const texts[] = {"", "ONE", "TWO", "THREE"};
    frame_field_set_enum_text(e, texts, 4);
    struct frame_field *ne = frame_add_field(f, "nullable_enum", FRAME_ENUM, true);
    const uint64_t ev[5] = {1, 2, 2, 1, 1}, nev[5] = {1, 2, 0, 3, 0};
    for (int i = 0; i < 5; i++) {
        frame_field_append_uint(e, ev[i]);
        if (i == 2)
            frame_field_append_null(ne);
        else
            frame_field_append_uint(ne, nev[i]);
    }
}

static struct frame *build_all_types(void)
{
    struct frame *f = frame_new("many_types");
    frame_set_ref_id(f, "A");
    /* stats and channel have no typed setter: the golden's exact meta text. */
    frame_meta_set_raw(f, "{\"typeVersion\":[0,0],\"custom\":{\"Hi\":\"there\"},\"stats\":[{"
                          "\"displayName\":\"sample\",\"value\":1.234}],\"channel\":\"sample/"
                          "channel/name\",\"executedQueryString\":\"SELECT * FROM table\"}");

    struct frame_field *s = frame_add_field(f, "string_values", FRAME_STRING, false);
    frame_field_set_label(s, "aLabelKey", "aLabelValue");
    frame_field_set_empty_config(s);
    const char *sv[5] = {"Go Min", "JS Min (for >= 64)", "0 / nil / misc", "JS Max (for >= 64)",
                         "Go Max"};
    for (int i = 0; i < 5; i++)
        frame_field_append_cstring(s, sv[i]);

    struct frame_field *ns = frame_add_field(f, "nullable_string_values", FRAME_STRING, true);
    frame_field_set_label(ns, "bLabelKey", "bLabelValue");
    frame_field_set_label(ns, "aLabelKey", "aLabelValue");
    frame_field_set_display_name(ns,
                                 "Grafana ❤️ (Previous should be heart emoji) 🦥 (Previous "
                                 "should be sloth emoji)");
    frame_field_add_url_link(ns, "Donate - The Sloth Conservation Foundation",
                             "https://slothconservation.com/how-to-help/donate/", true);
    frame_field_set_no_value(ns, "😤");
    frame_field_set_decimals(ns, 2);
    frame_field_set_max(ns, INFINITY);
    frame_field_set_min(ns, NAN);
    frame_field_set_filterable(ns, false);
    const char *nsv[5] = {"Grafana", "❤️", NULL, "🦥",
                          "update your unicode/font if no sloth, is 2019."};
    for (int i = 0; i < 5; i++)
        frame_field_append_cstring(ns, nsv[i]);

    add_int_fields(f);
    add_float_fields(f);
    add_other_fields(f);
    return f;
}

/* ---- extracted/folder.golden.frame0.arrow ------------------------------------------ */

static struct frame *build_folder(void)
{
    static const char *const names[24] = {"README.md",
                                          "actions",
                                          "apis",
                                          "authclient",
                                          "concurrent",
                                          "datasourcetest",
                                          "e2e",
                                          "errorsource",
                                          "featuretoggles",
                                          "fileinfo.go",
                                          "fileinfo_test.go",
                                          "frame_sorter.go",
                                          "frame_sorter_test.go",
                                          "golden_response_checker.go",
                                          "golden_response_checker_test.go",
                                          "http_logger",
                                          "macros",
                                          "mock",
                                          "pluginschema",
                                          "rest_client.go",
                                          "schemabuilder",
                                          "slo",
                                          "status",
                                          "testdata"};
    static const bool is_dir[24] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0,
                                    0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1};
    struct frame *f = frame_new("");
    frame_meta_set_raw(f, "{\"type\":\"directory-listing\",\"typeVersion\":[0,0],"
                          "\"pathSeparator\":\"/\"}");
    struct frame_field *name = frame_add_field(f, "name", FRAME_STRING, false);
    struct frame_field *media = frame_add_field(f, "media-type", FRAME_STRING, false);
    for (int i = 0; i < 24; i++) {
        frame_field_append_cstring(name, names[i]);
        frame_field_append_cstring(media, is_dir[i] ? "directory" : "");
    }
    return f;
}

/* ---- extracted/frame-*.golden (2021-22: "Frame One" and "Frame Two") ------------------- */

enum frame_one_meta { META_NONE, META_EMPTY_CUSTOM, META_CUSTOM, META_NON_CUSTOM };

/* `legacy`: the 2021 meta text (no typeVersion) for the byte comparison; otherwise the
 * typed setters, whose output is what the current SDK writes (the .jsonc goldens). */
static struct frame *build_frame_one(enum frame_one_meta meta, bool legacy)
{
    struct frame *f = frame_new("Frame One");
    switch (meta) {
    case META_NONE:
        break;
    case META_EMPTY_CUSTOM:
        if (legacy)
            frame_meta_set_raw(f, "{\"custom\":{}}");
        else
            frame_meta_set_custom(f, json_object());
        break;
    case META_CUSTOM:
        if (legacy)
            frame_meta_set_raw(f, "{\"custom\":{\"someValue\":\"value\"}}");
        else
            frame_meta_set_custom(f, json_pack("{s:s}", "someValue", "value"));
        break;
    case META_NON_CUSTOM:
        if (legacy) {
            frame_meta_set_raw(f, "{\"notices\":[{\"text\":\"hello\"}],"
                                  "\"executedQueryString\":\"SELECT * FROM X\"}");
        } else {
            frame_meta_add_notice(f, FRAME_NOTICE_INFO, "hello");
            frame_meta_set_executed_query(f, "SELECT * FROM X");
        }
        break;
    }
    struct frame_field *v = frame_add_field(f, "Single float64", FRAME_FLOAT64, false);
    frame_field_set_unit(v, "Percent");
    const double values[5] = {8.26, 8.7, 14.82, 10.07, 8.52};
    frame_field_append_floats(v, values, 5);
    return f;
}

static struct frame *build_frame_two(void)
{
    struct frame *f = frame_new("Frame Two");
    struct frame_field *s = frame_add_field(f, "single string", FRAME_STRING, false);
    frame_field_set_label(s, "a", "b");
    frame_field_set_display_name(s, "123");
    frame_field_append_cstring(s, "a");
    frame_field_append_cstring(s, "b");
    frame_field_append_cstring(s, "c");
    return f;
}

static struct frame *build_frame_json(void)
{
    struct frame *f = frame_new("JSON frame");
    struct frame_field *a = frame_add_field(f, "json.RawMessage", FRAME_JSON, false);
    struct frame_field *b = frame_add_field(f, "*json.RawMessage", FRAME_JSON, true);
    const char *v = "{\"a\":1,\"b\":2}";
    frame_field_append_json(a, v, strlen(v));
    frame_field_append_json(b, v, strlen(v));
    return f;
}

/* ---- derived/ ------------------------------------------------------------------------ */

static struct frame *build_timeseries_shape(bool with_rows)
{
    struct frame *f = frame_new("");
    frame_set_ref_id(f, "A");
    frame_meta_set_type(f, "timeseries-multi", 0, 1);
    struct frame_field *t = frame_add_field(f, "Time", FRAME_TIME, false);
    struct frame_field *v = frame_add_field(f, "Value", FRAME_FLOAT64, false);
    if (!with_rows)
        return f;
    frame_field_set_interval(t, 15000);
    frame_field_set_label(v, "job", "node");
    frame_field_set_label(v, "__name__", "up");
    frame_field_set_unit(v, "percentunit");
    const int64_t ms[3] = {1700000000000, 1700000015000, 1700000030000};
    const double values[3] = {0.25, 0.5, 0.75};
    for (int i = 0; i < 3; i++)
        frame_field_append_time_ms(t, ms[i]);
    frame_field_append_floats(v, values, 3);
    return f;
}

static struct frame *build_timeseries_multi(void)
{
    return build_timeseries_shape(true);
}

static struct frame *build_zero_rows(void)
{
    return build_timeseries_shape(false);
}

static struct frame *build_no_fields(void)
{
    return frame_new_timeseries_no_data("A");
}

static struct frame *build_nullable_40rows(void)
{
    struct frame *f = frame_new("gaps");
    frame_set_ref_id(f, "B");
    frame_meta_set_executed_query(f, "SELECT t, v FROM x");
    struct frame_field *t = frame_add_field(f, "t", FRAME_TIME, false);
    struct frame_field *v = frame_add_field(f, "v", FRAME_FLOAT64, true);
    struct frame_field *s = frame_add_field(f, "s", FRAME_STRING, true);
    for (int i = 0; i < 40; i++) {
        frame_field_append_time_ns(t, 1700000000000000000LL + (int64_t)i * 1000500000LL);
        if (i % 7 == 3)
            frame_field_append_null(v);
        else
            frame_field_append_float(v, i * 0.5);
        char text[8];
        snprintf(text, sizeof text, "r%d", i);
        frame_field_append_cstring(s, i % 5 == 0 ? NULL : text);
    }
    return f;
}

static void append_strings(struct frame_field *field, const char *a, const char *b)
{
    frame_field_append_cstring(field, a);
    frame_field_append_cstring(field, b);
}

static void append_jsons(struct frame_field *field, const char *a, const char *b)
{
    frame_field_append_json(field, a, strlen(a));
    frame_field_append_json(field, b, strlen(b));
}

static struct frame *build_trace(void)
{
    struct frame *f = frame_new("Trace");
    frame_set_ref_id(f, "A");
    frame_meta_set_preferred_visualisation(f, "trace");
    const char *trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    append_strings(frame_add_field(f, "traceID", FRAME_STRING, false), trace, trace);
    append_strings(frame_add_field(f, "spanID", FRAME_STRING, false), "00f067aa0ba902b7",
                   "53995c3f42cd8ad8");
    append_strings(frame_add_field(f, "parentSpanID", FRAME_STRING, true), NULL,
                   "00f067aa0ba902b7");
    append_strings(frame_add_field(f, "operationName", FRAME_STRING, false), "GET /api",
                   "SELECT users");
    append_strings(frame_add_field(f, "serviceName", FRAME_STRING, false), "frontend", "db");
    append_jsons(frame_add_field(f, "serviceTags", FRAME_JSON, false),
                 "[{\"key\":\"host\",\"value\":\"a\"}]", "[{\"key\":\"host\",\"value\":\"b\"}]");
    struct frame_field *start = frame_add_field(f, "startTime", FRAME_FLOAT64, false);
    frame_field_append_float(start, 1700000000000.125);
    frame_field_append_float(start, 1700000000002.5);
    struct frame_field *duration = frame_add_field(f, "duration", FRAME_FLOAT64, false);
    frame_field_append_float(duration, 12.5);
    frame_field_append_float(duration, 3.25);
    append_jsons(frame_add_field(f, "logs", FRAME_JSON, false), "[]",
                 "[{\"timestamp\":1700000000003.5,\"fields\":[{\"key\":\"event\",\"value\":"
                 "\"row\"}]}]");
    append_jsons(frame_add_field(f, "tags", FRAME_JSON, false),
                 "[{\"key\":\"http.status_code\",\"value\":200}]", "[]");
    append_strings(frame_add_field(f, "kind", FRAME_STRING, false), "server", "client");
    struct frame_field *status = frame_add_field(f, "statusCode", FRAME_INT64, false);
    frame_field_append_int(status, 0);
    frame_field_append_int(status, 2);
    return f;
}

static struct frame *build_trace_link_table(void)
{
    struct frame *f = frame_new_table("A", "traces");
    struct frame_field *id = frame_add_trace_id_field(f, "traceID", "tempo-uid", "Tempo");
    frame_field_append_cstring(id, "4bf92f3577b34da6a3ce929d0e0e4736");
    frame_field_append_time_ms(frame_add_field(f, "startTime", FRAME_TIME, false), 1700000000000);
    struct frame_field *duration = frame_add_field(f, "duration", FRAME_FLOAT64, false);
    frame_field_set_unit(duration, "ms");
    frame_field_append_float(duration, 12.5);
    return f;
}

/* ---- the cases ------------------------------------------------------------------------ */

enum byte_check { BYTES_EXACT, BYTES_WITHOUT_EOS };

struct golden_case {
    const char *name;             /* output file stem */
    struct frame *(*build)(void); /* frame for the Arrow comparison */
    const char *arrow_golden;     /* relative to the reference dir */
    enum byte_check check;
    struct frame *(*build_json)(void); /* frame for the JSON comparison (NULL: same) */
    const char *json_golden;           /* relative; NULL when none */
    int json_frame;                    /* index in the golden's frame list, -1: not a list */
};

#define FRAME_ONE_BUILDERS(stem, meta)                                                             \
    static struct frame *stem##_legacy(void)                                                       \
    {                                                                                              \
        return build_frame_one(meta, true);                                                        \
    }                                                                                              \
    static struct frame *stem##_current(void)                                                      \
    {                                                                                              \
        return build_frame_one(meta, false);                                                       \
    }
FRAME_ONE_BUILDERS(one_no_meta, META_NONE)
FRAME_ONE_BUILDERS(one_empty_custom, META_EMPTY_CUSTOM)
FRAME_ONE_BUILDERS(one_custom, META_CUSTOM)
FRAME_ONE_BUILDERS(one_non_custom, META_NON_CUSTOM)

#define EXP "sdk/experimental/testdata/"
static const struct golden_case cases[] = {
    {"all_types", build_all_types, "sdk/data/testdata/all_types.golden.arrow", BYTES_EXACT, NULL,
     "sdk/data/testdata/all_types.golden.json", -1},
    {"folder", build_folder, "extracted/folder.golden.frame0.arrow", BYTES_EXACT, NULL, NULL, -1},
    {"no-meta.frame0", one_no_meta_legacy, "extracted/frame-no-meta.golden.frame0.arrow",
     BYTES_WITHOUT_EOS, one_no_meta_current, EXP "frame-no-meta.golden.jsonc", 0},
    {"no-meta.frame1", build_frame_two, "extracted/frame-no-meta.golden.frame1.arrow",
     BYTES_WITHOUT_EOS, NULL, EXP "frame-no-meta.golden.jsonc", 1},
    {"empty-custom-meta.frame0", one_empty_custom_legacy,
     "extracted/frame-empty-custom-meta.golden.frame0.arrow", BYTES_WITHOUT_EOS,
     one_empty_custom_current, EXP "frame-empty-custom-meta.golden.jsonc", 0},
    {"empty-custom-meta.frame1", build_frame_two,
     "extracted/frame-empty-custom-meta.golden.frame1.arrow", BYTES_WITHOUT_EOS, NULL,
     EXP "frame-empty-custom-meta.golden.jsonc", 1},
    {"custom-meta.frame0", one_custom_legacy, "extracted/frame-custom-meta.golden.frame0.arrow",
     BYTES_WITHOUT_EOS, one_custom_current, EXP "frame-custom-meta.golden.jsonc", 0},
    {"custom-meta.frame1", build_frame_two, "extracted/frame-custom-meta.golden.frame1.arrow",
     BYTES_WITHOUT_EOS, NULL, EXP "frame-custom-meta.golden.jsonc", 1},
    {"non-custom-meta.frame0", one_non_custom_legacy,
     "extracted/frame-non-custom-meta.golden.frame0.arrow", BYTES_WITHOUT_EOS,
     one_non_custom_current, EXP "frame-non-custom-meta.golden.jsonc", 0},
    {"non-custom-meta.frame1", build_frame_two,
     "extracted/frame-non-custom-meta.golden.frame1.arrow", BYTES_WITHOUT_EOS, NULL,
     EXP "frame-non-custom-meta.golden.jsonc", 1},
    {"frame-json", build_frame_json, "extracted/frame-json.frame0.arrow", BYTES_WITHOUT_EOS, NULL,
     EXP "frame-json.jsonc", 0},
    {"derived-timeseries-multi", build_timeseries_multi, "derived/derived-timeseries-multi.arrow",
     BYTES_EXACT, NULL, "derived/derived-timeseries-multi.json", -1},
    {"derived-zero-rows", build_zero_rows, "derived/derived-zero-rows.arrow", BYTES_EXACT, NULL,
     "derived/derived-zero-rows.json", -1},
    {"derived-no-fields", build_no_fields, "derived/derived-no-fields.arrow", BYTES_EXACT, NULL,
     "derived/derived-no-fields.json", -1},
    {"derived-nullable-40rows", build_nullable_40rows, "derived/derived-nullable-40rows.arrow",
     BYTES_EXACT, NULL, "derived/derived-nullable-40rows.json", -1},
    {"derived-trace", build_trace, "derived/derived-trace.arrow", BYTES_EXACT, NULL,
     "derived/derived-trace.json", -1},
    {"derived-trace-link-table", build_trace_link_table, "derived/derived-trace-link-table.arrow",
     BYTES_EXACT, NULL, "derived/derived-trace-link-table.json", -1},
};

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        et_buf_append(&b, chunk, n);
    fclose(fp);
    return et_buf_take(&b, len);
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    size_t n = fwrite(data, 1, len, fp);
    return fclose(fp) == 0 && n == len ? 0 : -1;
}

static int encode_to_file(const struct frame *f, enum frame_format format, const char *path)
{
    struct et_buf b;
    struct et_error err;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    int rc = frame_write(f, format, &b, &err);
    if (rc != 0)
        fprintf(stderr, "%s: encoding failed: %s\n", path, err.message);
    else if (write_file(path, b.data, b.len) != 0)
        rc = -1;
    et_buf_cleanup(&b);
    return rc;
}

/* Compare ours with the golden; for legacy goldens drop our 8-byte EOS marker,
 * which sits right before the footer (whose length is in the last 10 bytes). */
static bool bytes_match(const char *ours, size_t ours_len, const char *golden, size_t golden_len,
                        enum byte_check check)
{
    static const unsigned char eos[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
    char *adjusted = NULL;
    if (check == BYTES_WITHOUT_EOS && ours_len >= 26) {
        int32_t footer;
        memcpy(&footer, ours + ours_len - 10, 4);
        size_t at = ours_len - 10 - (size_t)footer - 8;
        if (footer > 0 && (size_t)footer < ours_len && memcmp(ours + at, eos, 8) == 0) {
            adjusted = malloc(ours_len - 8);
            memcpy(adjusted, ours, at);
            memcpy(adjusted + at, ours + at + 8, ours_len - at - 8);
            ours = adjusted;
            ours_len -= 8;
        }
    }
    bool same = ours_len == golden_len && memcmp(ours, golden, ours_len) == 0;
    if (!same) {
        size_t i = 0;
        while (i < ours_len && i < golden_len && ours[i] == golden[i])
            i++;
        fprintf(stderr, "  ours %zu bytes, golden %zu bytes, first difference at byte %zu\n",
                ours_len, golden_len, i);
    }
    free(adjusted);
    return same;
}

static bool run_case(const struct golden_case *c, const char *ref, const char *out,
                     json_t *manifest)
{
    char path[4096], golden_path[4096];
    struct frame *f = c->build();
    snprintf(path, sizeof path, "%s/%s.arrow", out, c->name);
    bool ok = encode_to_file(f, FRAME_FORMAT_ARROW, path) == 0;
    frame_free(f);

    struct frame *jf = c->build_json ? c->build_json() : c->build();
    snprintf(path, sizeof path, "%s/%s.json", out, c->name);
    ok = encode_to_file(jf, FRAME_FORMAT_JSON, path) == 0 && ok;
    frame_free(jf);

    size_t ours_len = 0, golden_len = 0;
    snprintf(path, sizeof path, "%s/%s.arrow", out, c->name);
    snprintf(golden_path, sizeof golden_path, "%s/%s", ref, c->arrow_golden);
    char *ours = read_file(path, &ours_len), *golden = read_file(golden_path, &golden_len);
    if (!ours || !golden) {
        fprintf(stderr, "%s: cannot read %s\n", c->name, ours ? golden_path : path);
        ok = false;
    } else if (!bytes_match(ours, ours_len, golden, golden_len, c->check)) {
        fprintf(stderr, "%s: Arrow bytes differ from %s\n", c->name, c->arrow_golden);
        ok = false;
    }
    free(ours);
    free(golden);
    json_array_append_new(manifest, json_pack("{s:s, s:s, s:s?, s:i}", "name", c->name,
                                              "arrow_golden", c->arrow_golden, "json_golden",
                                              c->json_golden, "json_frame", c->json_frame));
    printf("%-28s %s\n", c->name, ok ? "bytes equal" : "MISMATCH");
    return ok;
}

/* mkdir -p */
static void make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <reference/frames dir> <out dir>\n", argv[0]);
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0) {
        fprintf(stderr, "reference directory %s is missing: skipped\n", argv[1]);
        return 77;
    }
    make_dirs(argv[2]);
    json_t *manifest = json_array();
    bool ok = true;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ok = run_case(&cases[i], argv[1], argv[2], manifest) && ok;
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", argv[2]);
    if (json_dump_file(manifest, path, JSON_INDENT(1)) != 0)
        ok = false;
    json_decref(manifest);
    return ok ? 0 : 1;
}
