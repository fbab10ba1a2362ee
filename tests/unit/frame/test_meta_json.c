/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/frame/frame_meta_json.c: FrameMeta, FieldConfig and
 * labels must be the exact text Go's encoding/json writes for the SDK structs
 * (field order, omitempty, sorted map keys, HTML-safe escaping, "%v" floats
 * for min/max). Every expected string below was produced by encoding/json
 * (Go 1.19) from the equivalent SDK struct values and pasted here by hand.
 */
#include <math.h>

#include "core/buf.h"
#include "frame/frame.h"
#include "frame/frame_int.h"
#include "frame/frame_meta_json.h"
#include "test.h"

static char *config_json(const struct frame_field *f)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    frame_config_write_json(f, &b);
    return et_buf_take(&b, NULL);
}

static char *meta_json(const struct frame *f)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    frame_meta_write_json(f, &b);
    return et_buf_take(&b, NULL);
}

static void test_field_config_in_go_order(void)
{
    struct frame *f = frame_new("x");
    struct frame_field *v = frame_add_field(f, "v", FRAME_FLOAT64, true);
    /* set in a scrambled order: the output order is Go's struct order */
    frame_field_set_config_custom(v, json_pack("{s:i, s:s, s:{s:s}}", "width", 200, "align", "left",
                                               "cellOptions", "type", "color-text"));
    const char *const enum_text[] = {"ok", "error"};
    frame_field_set_enum_text(v, enum_text, 2);
    frame_field_set_no_value(v, "—");
    frame_field_add_internal_link(
        v, "Trace: ${__value.raw}", "tempo", "Tempo",
        json_pack("{s:s, s:s}", "queryType", "traceql", "query", "${__value.raw}"));
    frame_field_add_url_link(v, "docs", "https://example.com/?a=1&b=2", true);
    frame_field_set_interval(v, 15000.5);
    frame_field_set_max(v, 0.00001);
    frame_field_set_min(v, 1234567);
    frame_field_set_decimals(v, 3);
    frame_field_set_unit(v, "percentunit");
    frame_field_set_filterable(v, false);
    frame_field_set_description(v, "d\n\"q\"");
    frame_field_set_display_name_from_ds(v, "checkout: errors");
    frame_field_set_display_name(v, "Errors <5xx> & more");
    char *json = config_json(v);
    ASSERT_EQ_STR(
        json,
        "{\"displayName\":\"Errors \\u003c5xx\\u003e \\u0026 more\",\"displayNameFromDS\":"
        "\"checkout: errors\",\"description\":\"d\\n\\\"q\\\"\",\"filterable\":false,\"unit\":"
        "\"percentunit\",\"decimals\":3,\"min\":1.234567e+06,\"max\":1e-05,\"interval\":15000.5,"
        "\"links\":[{\"title\":\"Trace: ${__value.raw}\",\"internal\":{\"query\":{\"query\":\"${__"
        "value.raw}\",\"queryType\":\"traceql\"},\"datasourceUid\":\"tempo\",\"datasourceName\":"
        "\"Tempo\"}},{\"title\":\"docs\",\"targetBlank\":true,\"url\":\"https://example.com/"
        "?a=1\\u0026b=2\"}],\"noValue\":\"—\",\"type\":{\"enum\":{\"text\":[\"ok\",\"error\"]}},"
        "\"custom\":{\"align\":\"left\",\"cellOptions\":{\"type\":\"color-text\"},\"width\":200}}");
    free(json);
    frame_free(f);
}

static void test_empty_config_and_empty_custom(void)
{
    struct frame *f = frame_new("x");
    struct frame_field *a = frame_add_field(f, "a", FRAME_INT64, false);
    frame_field_set_empty_config(a);
    char *json = config_json(a);
    ASSERT_EQ_STR(json, "{}");
    free(json);
    /* Go omits an empty map (config.custom is map[string]interface{}, omitempty) */
    frame_field_set_config_custom(a, json_object());
    json = config_json(a);
    ASSERT_EQ_STR(json, "{}");
    free(json);
    ASSERT_TRUE(frame_field_has_config(a));
    ASSERT_FALSE(frame_field_has_config(frame_add_field(f, "b", FRAME_INT64, false)));
    frame_free(f);
}

/* ConfFloat64 marshals with fmt's %v: exponent form from 1e+06 and below 1e-04. */
static void test_min_max_use_go_percent_v(void)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {100000, "{\"min\":100000}"}, {1e-5, "{\"min\":1e-05}"}, {0.0001, "{\"min\":0.0001}"},
        {-2.5, "{\"min\":-2.5}"},     {1e21, "{\"min\":1e+21}"}, {123456.7, "{\"min\":123456.7}"},
        {5e-324, "{\"min\":5e-324}"}, {NAN, "{\"min\":null}"},   {-INFINITY, "{\"min\":null}"},
        {0, "{\"min\":0}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct frame *f = frame_new("x");
        struct frame_field *a = frame_add_field(f, "a", FRAME_FLOAT64, false);
        frame_field_set_min(a, cases[i].v);
        char *json = config_json(a);
        ASSERT_EQ_STR(json, cases[i].want);
        free(json);
        frame_free(f);
    }
}

static void test_meta_in_go_order(void)
{
    struct frame *f = frame_new("x");
    frame_meta_set_unique_row_id_fields(f, (const int[]){0, 2}, 2);
    frame_meta_set_executed_query(f, "sum(rate(x[5m]))");
    frame_meta_append_executed_query(f, "{status=error}");
    frame_meta_set_preferred_visualisation(f, "table");
    frame_meta_add_notice(f, FRAME_NOTICE_WARNING, "partial data");
    frame_meta_add_notice(f, FRAME_NOTICE_ERROR, "Tempo: 502");
    frame_meta_set_custom(f, json_pack("{s:i, s:[s,b,n,f]}", "z", 1, "a", "<b>", 1, 2.5));
    frame_meta_set_type(f, "timeseries-multi", 0, 1);
    char *json = meta_json(f);
    ASSERT_EQ_STR(json, "{\"type\":\"timeseries-multi\",\"typeVersion\":[0,1],\"custom\":{\"a\":["
                        "\"\\u003cb\\u003e\",true,null,2.5],\"z\":1},\"notices\":[{\"severity\":"
                        "\"warning\",\"text\":\"partial data\"},{\"severity\":\"error\",\"text\":"
                        "\"Tempo: 502\"}],\"preferredVisualisationType\":\"table\","
                        "\"executedQueryString\":\"sum(rate(x[5m]))\\n{status=error}\","
                        "\"uniqueRowIdFields\":[0,2]}");
    free(json);
    ASSERT_EQ_STR(frame_meta_type(f), "timeseries-multi");
    ASSERT_EQ_UINT(frame_meta_notice_count(f), 2);
    ASSERT_EQ_STR(frame_meta_notice_text(f, 1), "Tempo: 502");
    ASSERT_EQ_INT(frame_meta_notice_severity(f, 0), FRAME_NOTICE_WARNING);
    frame_free(f);
}

static void test_meta_keeps_empty_custom_object(void)
{
    struct frame *f = frame_new("x");
    ASSERT_FALSE(frame_has_meta(f));
    frame_meta_set_custom(f, json_object()); /* an interface holding {} is not omitted */
    ASSERT_TRUE(frame_has_meta(f));
    char *json = meta_json(f);
    ASSERT_EQ_STR(json, "{\"typeVersion\":[0,0],\"custom\":{}}");
    free(json);
    frame_meta_set_raw(f, "{\"custom\":{\"x\":1}}"); /* raw text wins, verbatim */
    json = meta_json(f);
    ASSERT_EQ_STR(json, "{\"custom\":{\"x\":1}}");
    free(json);
    frame_free(f);
}

static void test_labels_sorted_and_escaped(void)
{
    struct frame *f = frame_new("x");
    struct frame_field *a = frame_add_field(f, "a", FRAME_FLOAT64, false);
    frame_field_set_label(a, "service", "checkout");
    frame_field_set_label(a, "a&b", "<x>");
    frame_field_set_label(a, "Z", "\xe2\x80\xa8");
    frame_field_set_label(a, "service", "cart"); /* replaces */
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    frame_labels_write_json(a, &b);
    ASSERT_EQ_STR(et_buf_cstr(&b),
                  "{\"Z\":\"\\u2028\",\"a\\u0026b\":\"\\u003cx\\u003e\",\"service\":\"cart\"}");
    ASSERT_EQ_UINT(frame_field_label_count(a), 3);
    ASSERT_EQ_STR(frame_field_label_key(a, 0), "Z");
    ASSERT_EQ_STR(frame_field_label_value(a, 2), "cart");
    ASSERT_NULL(frame_field_label_key(a, 3));
    et_buf_cleanup(&b);
    frame_free(f);
}

static void test_float32_like_encoding_json(void)
{
    static const struct {
        float v;
        const char *want;
    } cases[] = {
        {3.4028235e38f, "3.4028235e+38"},
        {1e-45f, "1e-45"},
        {0.1f, "0.1"},
        {16777216.0f, "16777216"},
        {1e21f, "1e+21"},
        {1e-7f, "1e-7"},
        {-0.0f, "-0"},
        {1.5f, "1.5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct et_buf b;
        et_buf_init(&b, ET_BUF_UNLIMITED);
        ASSERT_EQ_INT(frame_gojson_append_float32(&b, cases[i].v), 0);
        ASSERT_EQ_STR(et_buf_cstr(&b), cases[i].want);
        et_buf_cleanup(&b);
    }
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    ASSERT_EQ_INT(frame_gojson_append_float32(&b, NAN), 1);
    ASSERT_EQ_STR(et_buf_cstr(&b), "null");
    et_buf_cleanup(&b);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_field_config_in_go_order),       UNIT_TEST(test_empty_config_and_empty_custom),
    UNIT_TEST(test_min_max_use_go_percent_v),       UNIT_TEST(test_meta_in_go_order),
    UNIT_TEST(test_meta_keeps_empty_custom_object), UNIT_TEST(test_labels_sorted_and_escaped),
    UNIT_TEST(test_float32_like_encoding_json),     {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
