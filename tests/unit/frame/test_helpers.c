/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/frame/frame_helpers.c: the frame shapes the query
 * runners build (timeseries-multi with labels and displayNameFromDS, the "no
 * data" frame, table frames, the trace-ID field linking to Tempo per
 * notes/frames.md §6.5). Expected JSON is written out by hand.
 */
#include "core/buf.h"
#include "frame/encode.h"
#include "frame/frame.h"
#include "frame/frame_helpers.h"
#include "test.h"

static char *json_of(const struct frame *f)
{
    struct et_buf b;
    struct et_error err;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    if (frame_write_json(f, &b, &err) != 0) {
        fprintf(stderr, "  frame_write_json: %s\n", err.message);
        et_buf_cleanup(&b);
        return NULL;
    }
    return et_buf_take(&b, NULL);
}

static void test_timeseries_multi_with_labels(void)
{
    struct frame *f = frame_new_timeseries("A", "", "Errors");
    ASSERT_EQ_UINT(frame_field_count(f), 2);
    struct frame_field *t = frame_field_at(f, 0), *v = frame_field_at(f, 1);
    ASSERT_EQ_STR(frame_field_name(t), "Time");
    ASSERT_FALSE(frame_field_is_nullable(t));
    ASSERT_TRUE(frame_field_is_nullable(v));
    frame_field_set_label(v, "service", "checkout");
    frame_field_set_label(v, "route", "/pay");
    frame_field_set_display_name_from_ds(v, "checkout /pay");
    frame_field_append_time_ms(t, 1700000000000);
    frame_field_append_time_ms(t, 1700000060000);
    frame_field_append_float(v, 0.5);
    frame_field_append_null(v);
    ASSERT_EQ_STR(frame_field_display_name_from_ds(v), "checkout /pay");
    char *json = json_of(f);
    ASSERT_EQ_STR(json, "{\"schema\":{\"refId\":\"A\",\"meta\":{\"type\":\"timeseries-multi\","
                        "\"typeVersion\":[0,1]},\"fields\":[{\"name\":\"Time\",\"type\":\"time\","
                        "\"typeInfo\":{\"frame\":\"time.Time\"}},{\"name\":\"Errors\",\"type\":"
                        "\"number\",\"typeInfo\":{\"frame\":\"float64\",\"nullable\":true},"
                        "\"labels\":{\"route\":\"/pay\",\"service\":\"checkout\"},\"config\":{"
                        "\"displayNameFromDS\":\"checkout /pay\"}}]},\"data\":{\"values\":[["
                        "1700000000000,1700000060000],[0.5,null]]}}");
    free(json);
    frame_free(f);
}

static void test_timeseries_no_data(void)
{
    struct frame *f = frame_new_timeseries_no_data("B");
    ASSERT_EQ_UINT(frame_field_count(f), 0);
    char *json = json_of(f);
    ASSERT_EQ_STR(json, "{\"schema\":{\"refId\":\"B\",\"meta\":{\"type\":\"timeseries-multi\","
                        "\"typeVersion\":[0,1]},\"fields\":[]},\"data\":{\"values\":[]}}");
    free(json);
    frame_free(f);
}

static void test_table_frame(void)
{
    struct frame *f = frame_new_table("C", "hotspots");
    struct frame_field *s = frame_add_field(f, "service", FRAME_STRING, false);
    struct frame_field *n = frame_add_field(f, "errors", FRAME_INT64, false);
    frame_field_append_cstring(s, "checkout");
    frame_field_append_int(n, 42);
    char *json = json_of(f);
    ASSERT_EQ_STR(json, "{\"schema\":{\"name\":\"hotspots\",\"refId\":\"C\",\"meta\":{"
                        "\"typeVersion\":[0,0],\"preferredVisualisationType\":\"table\"},"
                        "\"fields\":[{\"name\":\"service\",\"type\":\"string\",\"typeInfo\":{"
                        "\"frame\":\"string\"}},{\"name\":\"errors\",\"type\":\"number\","
                        "\"typeInfo\":{\"frame\":\"int64\"}}]},\"data\":{\"values\":[["
                        "\"checkout\"],[42]]}}");
    free(json);
    frame_free(f);
}

static void test_trace_id_field_links_to_tempo(void)
{
    struct frame *f = frame_new_table("A", "traces");
    struct frame_field *id = frame_add_trace_id_field(f, "traceID", "tempo-uid", "Tempo");
    frame_field_append_cstring(id, "4bf92f3577b34da6a3ce929d0e0e4736");
    char *json = json_of(f);
    ASSERT_CONTAINS(json, "{\"name\":\"traceID\",\"type\":\"string\",\"typeInfo\":{\"frame\":"
                          "\"string\"},\"config\":{\"displayNameFromDS\":\"Trace ID\",\"links\":[{"
                          "\"title\":\"Trace: ${__value.raw}\",\"internal\":{\"query\":{\"query\":"
                          "\"${__value.raw}\",\"queryType\":\"traceql\"},\"datasourceUid\":"
                          "\"tempo-uid\",\"datasourceName\":\"Tempo\"}}]}}");
    free(json);
    frame_free(f);
}

static void test_trace_id_field_without_tempo(void)
{
    struct frame *f = frame_new_table("A", "traces");
    frame_add_trace_id_field(f, "traceID", NULL, NULL);
    struct frame_field *no_name = frame_add_trace_id_field(f, "trace2", "uid-2", NULL);
    frame_field_append_cstring(frame_field_at(f, 0), "a");
    frame_field_append_cstring(no_name, "b");
    char *json = json_of(f);
    ASSERT_CONTAINS(json, "\"typeInfo\":{\"frame\":\"string\"},\"config\":{\"displayNameFromDS\":"
                          "\"Trace ID\"}}");
    ASSERT_CONTAINS(json, "\"datasourceUid\":\"uid-2\"}}]");
    ASSERT_NOT_CONTAINS(json, "datasourceName");
    free(json);
    frame_free(f);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_timeseries_multi_with_labels),
    UNIT_TEST(test_timeseries_no_data),
    UNIT_TEST(test_table_frame),
    UNIT_TEST(test_trace_id_field_links_to_tempo),
    UNIT_TEST(test_trace_id_field_without_tempo),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
