/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the frame model (src/frame/frame.c): typed appends and
 * read-back, validity, labels, misuse reporting, and the JSON frame writer on
 * small frames whose expected text is written out by hand.
 */
#include <math.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "frame/encode.h"
#include "frame/frame.h"
#include "test.h"

/* Encode as JSON; the caller frees the result. */
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

static void test_values_round_trip(void)
{
    struct frame *f = frame_new("x");
    struct frame_field *i8 = frame_add_field(f, "i8", FRAME_INT8, true);
    struct frame_field *u64 = frame_add_field(f, "u64", FRAME_UINT64, false);
    struct frame_field *s = frame_add_field(f, "s", FRAME_STRING, true);
    struct frame_field *b = frame_add_field(f, "b", FRAME_BOOL, false);
    frame_field_append_int(i8, -128);
    frame_field_append_null(i8);
    frame_field_append_int(i8, 300); /* truncated like a C cast: 300 - 256 */
    frame_field_append_uint(u64, UINT64_MAX);
    frame_field_append_uint(u64, 0);
    frame_field_append_uint(u64, 7);
    frame_field_append_cstring(s, "héllo");
    frame_field_append_string(s, "", 0);
    frame_field_append_cstring(s, NULL);
    frame_field_append_bool(b, true);
    frame_field_append_bool(b, false);
    frame_field_append_bool(b, true);

    ASSERT_EQ_UINT(frame_row_count(f), 3);
    ASSERT_EQ_INT(frame_field_get_int(i8, 0), -128);
    ASSERT_TRUE(frame_field_is_null(i8, 1));
    ASSERT_EQ_INT(frame_field_get_int(i8, 2), 44);
    ASSERT_EQ_UINT(frame_field_get_uint(u64, 0), UINT64_MAX);
    size_t len;
    const char *text = frame_field_get_string(s, 0, &len);
    ASSERT_EQ_UINT(len, 6);
    ASSERT_TRUE(memcmp(text, "héllo", 6) == 0);
    ASSERT_NOT_NULL(frame_field_get_string(s, 1, &len));
    ASSERT_EQ_UINT(len, 0);
    ASSERT_NULL(frame_field_get_string(s, 2, &len));
    ASSERT_TRUE(frame_field_get_bool(b, 2));
    ASSERT_FALSE(frame_field_get_bool(b, 1));
    ASSERT_TRUE(frame_field_is_null(b, 99)); /* out of range reads as null */

    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_validate(f, &err), 0);
    char *json = json_of(f);
    ASSERT_EQ_STR(json,
                  "{\"schema\":{\"name\":\"x\",\"fields\":["
                  "{\"name\":\"i8\",\"type\":\"number\",\"typeInfo\":{\"frame\":\"int8\","
                  "\"nullable\":true}},"
                  "{\"name\":\"u64\",\"type\":\"number\",\"typeInfo\":{\"frame\":\"uint64\"}},"
                  "{\"name\":\"s\",\"type\":\"string\",\"typeInfo\":{\"frame\":\"string\","
                  "\"nullable\":true}},"
                  "{\"name\":\"b\",\"type\":\"boolean\",\"typeInfo\":{\"frame\":\"bool\"}}]},"
                  "\"data\":{\"values\":[[-128,null,44],[18446744073709551615,0,7],"
                  "[\"héllo\",\"\",null],[true,false,true]]}}");
    free(json);
    frame_free(f);
}

static void test_wrong_type_append_is_refused_with_field_name(void)
{
    struct frame *f = frame_new("errors");
    struct frame_field *s = frame_add_field(f, "service", FRAME_STRING, false);
    frame_field_append_float(s, 1.5);
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_validate(f, &err), -1);
    ASSERT_EQ_INT(err.status, 500);
    ASSERT_CONTAINS(err.message, "\"service\"");
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_write_arrow(f, &b, &err), -1);
    ASSERT_EQ_INT(err.status, 500);
    ASSERT_EQ_UINT(b.len, 0);
    et_buf_cleanup(&b);
    frame_free(f);
}

static void expect_misuse(struct frame *f, const char *needle)
{
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_validate(f, &err), -1);
    ASSERT_EQ_INT(err.status, 500);
    ASSERT_CONTAINS(err.message, needle);
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_write_json(f, &b, &err), -1);
    ASSERT_EQ_INT(err.status, 500);
    et_buf_cleanup(&b);
    frame_free(f);
}

static void test_null_in_non_nullable_field(void)
{
    struct frame *f = frame_new("t");
    frame_field_append_null(frame_add_field(f, "count", FRAME_INT64, false));
    expect_misuse(f, "\"count\"");
}

static void test_unequal_lengths_name_the_field(void)
{
    struct frame *f = frame_new("t");
    frame_field_append_int(frame_add_field(f, "a", FRAME_INT64, false), 1);
    frame_add_field(f, "short", FRAME_STRING, false);
    expect_misuse(f, "field \"short\": 0 rows");
}

static void test_every_wrong_type_append_is_caught(void)
{
    struct frame *f;
    f = frame_new("t");
    frame_field_append_int(frame_add_field(f, "u", FRAME_UINT8, false), 1);
    expect_misuse(f, "\"u\"");
    f = frame_new("t");
    frame_field_append_uint(frame_add_field(f, "i", FRAME_INT8, false), 1);
    expect_misuse(f, "\"i\"");
    f = frame_new("t");
    frame_field_append_bool(frame_add_field(f, "s", FRAME_STRING, false), true);
    expect_misuse(f, "\"s\"");
    f = frame_new("t");
    frame_field_append_time_ns(frame_add_field(f, "n", FRAME_INT64, false), 1);
    expect_misuse(f, "\"n\"");
    f = frame_new("t");
    frame_field_append_cstring(frame_add_field(f, "j", FRAME_JSON, false), "{}");
    expect_misuse(f, "\"j\"");
    f = frame_new("t");
    frame_field_append_json(frame_add_field(f, "s", FRAME_STRING, false), "{}", 2);
    expect_misuse(f, "\"s\"");
    f = frame_new("t");
    double d = 1;
    frame_field_append_floats(frame_add_field(f, "b", FRAME_BOOL, false), &d, 1);
    expect_misuse(f, "\"b\"");
    f = frame_new("t");
    int64_t t = 1;
    frame_field_append_times_ns(frame_add_field(f, "x", FRAME_FLOAT64, false), &t, 1);
    expect_misuse(f, "\"x\"");
    f = frame_new("t");
    frame_add_field(f, "bad", (enum frame_type)99, false);
    expect_misuse(f, "unknown field type");
}

static void test_invalid_json_value_is_refused(void)
{
    struct frame *f = frame_new("t");
    struct frame_field *j = frame_add_field(f, "tags", FRAME_JSON, false);
    frame_field_append_json(j, "[1,2]", 5);
    frame_field_append_json(j, "{\"a\":", 5);
    expect_misuse(f, "row 1 is not valid JSON");
    f = frame_new("t");
    frame_field_append_json(frame_add_field(f, "empty", FRAME_JSON, false), "", 0);
    expect_misuse(f, "not valid JSON");
}

static void test_bad_meta_and_config_values_are_refused(void)
{
    struct frame *f = frame_new("t");
    frame_meta_set_raw(f, "{not json");
    expect_misuse(f, "meta is not valid JSON");
    f = frame_new("t");
    frame_field_set_config_raw(frame_add_field(f, "v", FRAME_FLOAT64, false), "[");
    expect_misuse(f, "config is not valid JSON");
    f = frame_new("t");
    frame_field_set_interval(frame_add_field(f, "v", FRAME_FLOAT64, false), NAN);
    expect_misuse(f, "interval");
    f = frame_new("t");
    frame_field_set_config_custom(frame_add_field(f, "v", FRAME_FLOAT64, false), json_integer(1));
    expect_misuse(f, "config.custom");
    f = frame_new("t");
    frame_meta_add_notice(f, (enum frame_notice_severity)7, "x");
    expect_misuse(f, "severity");
    f = frame_new("t");
    frame_field_append_time_ms(frame_add_field(f, "t", FRAME_TIME, false), INT64_MAX / 1000);
    expect_misuse(f, "out of the nanosecond range");
}

static void test_null_pointers_do_not_crash(void)
{
    struct frame *f = frame_new(NULL);
    ASSERT_EQ_STR(frame_name(f), "");
    ASSERT_NULL(frame_field_at(f, 3));
    ASSERT_NULL(frame_field_by_name(f, "nope"));
    struct frame_field *none = frame_field_at(f, 0);
    frame_field_append_int(none, 1);
    frame_field_append_null(none);
    frame_field_append_cstring(none, "x");
    frame_field_set_label(none, "a", "b");
    frame_field_set_unit(none, "ms");
    frame_field_add_internal_link(none, "t", "uid", NULL, json_object());
    frame_meta_set_custom(NULL, json_object());
    ASSERT_EQ_UINT(frame_field_len(none), 0);
    ASSERT_TRUE(frame_field_is_null(none, 0));
    ASSERT_NULL(frame_field_get_string(none, 0, NULL));
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_validate(NULL, &err), -1);
    ASSERT_EQ_INT(frame_validate(f, &err), 0);
    frame_free(f);
    frame_free(NULL);
}

static void test_validity_after_late_first_null_and_bulk_appends(void)
{
    struct frame *f = frame_new("t");
    struct frame_field *v = frame_add_field(f, "v", FRAME_FLOAT64, true);
    double ones[20];
    for (int i = 0; i < 20; i++)
        ones[i] = i;
    frame_field_append_floats(v, ones, 10);
    frame_field_append_null(v);             /* row 10: the bitmap is created now */
    frame_field_append_floats(v, ones, 20); /* rows 11..30 in one run */
    frame_field_append_null(v);             /* row 31 */
    frame_field_append_float(v, 7);         /* row 32 */
    ASSERT_EQ_UINT(frame_field_len(v), 33);
    for (size_t r = 0; r < 33; r++)
        ASSERT_EQ_INT(frame_field_is_null(v, r), r == 10 || r == 31);
    ASSERT_EQ_DBL(frame_field_get_float(v, 9), 9, 0);
    ASSERT_EQ_DBL(frame_field_get_float(v, 30), 19, 0);
    ASSERT_EQ_DBL(frame_field_get_float(v, 32), 7, 0);
    ASSERT_EQ_DBL(frame_field_get_float(v, 10), 0, 0);
    frame_free(f);
}

static void test_getters_on_other_types(void)
{
    struct frame *f = frame_new("t");
    struct frame_field *i = frame_add_field(f, "i", FRAME_INT16, false);
    struct frame_field *t = frame_add_field(f, "t", FRAME_TIME, false);
    struct frame_field *e = frame_add_field(f, "e", FRAME_ENUM, false);
    frame_field_append_int(i, -5);
    frame_field_append_time_ms(t, -1);
    frame_field_append_uint(e, 3);
    ASSERT_EQ_DBL(frame_field_get_float(i, 0), -5, 0);
    ASSERT_EQ_INT(frame_field_get_int(t, 0), -1000000);
    ASSERT_EQ_UINT(frame_field_get_uint(e, 0), 3);
    ASSERT_EQ_UINT(frame_field_get_uint(i, 0), 0);
    ASSERT_FALSE(frame_field_get_bool(i, 0));
    ASSERT_NULL(frame_field_get_string(i, 0, NULL));
    ASSERT_EQ_DBL(frame_field_get_float(e, 0), 3, 0);
    ASSERT_EQ_INT(frame_field_type(e), FRAME_ENUM);
    ASSERT_TRUE(frame_field_by_name(f, "t") == t);
    frame_free(f);
}

static void test_size_limit_gives_413(void)
{
    struct frame *f = frame_new("big");
    struct frame_field *v = frame_add_field(f, "v", FRAME_FLOAT64, false);
    for (int i = 0; i < 1000; i++)
        frame_field_append_float(v, i);
    struct et_buf b;
    struct et_error err;
    et_buf_init(&b, 4096);
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_write_arrow(f, &b, &err), -1);
    ASSERT_EQ_INT(err.status, 413);
    ASSERT_CONTAINS(err.message, "\"big\"");
    ASSERT_TRUE(b.failed);
    et_buf_cleanup(&b);
    et_buf_init(&b, 1024);
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_write(f, FRAME_FORMAT_JSON, &b, &err), -1);
    ASSERT_EQ_INT(err.status, 413);
    et_buf_cleanup(&b);
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    ASSERT_EQ_INT(frame_write(f, (enum frame_format)5, &b, &err), -1);
    ASSERT_EQ_INT(err.status, 500);
    et_buf_cleanup(&b);
    frame_free(f);
}

static void test_json_times_floats_and_entities(void)
{
    struct frame *f = frame_new("");
    struct frame_field *t = frame_add_field(f, "t", FRAME_TIME, true);
    struct frame_field *v = frame_add_field(f, "v", FRAME_FLOAT64, false);
    struct frame_field *w = frame_add_field(f, "w", FRAME_FLOAT32, true);
    frame_field_append_time_ns(t, 1500000); /* 1 ms + 500000 ns */
    frame_field_append_time_ns(t, -1);      /* -1 ms + 999999 ns (floor) */
    frame_field_append_null(t);
    frame_field_append_float(v, NAN);
    frame_field_append_float(v, -INFINITY);
    frame_field_append_float(v, 1e21);
    frame_field_append_float(w, INFINITY);
    frame_field_append_null(w);
    frame_field_append_float(w, 0.1);
    char *json = json_of(f);
    ASSERT_EQ_STR(json, "{\"schema\":{\"fields\":[{\"name\":\"t\",\"type\":\"time\",\"typeInfo\":"
                        "{\"frame\":\"time.Time\",\"nullable\":true}},{\"name\":\"v\",\"type\":"
                        "\"number\",\"typeInfo\":{\"frame\":\"float64\"}},{\"name\":\"w\",\"type\":"
                        "\"number\",\"typeInfo\":{\"frame\":\"float32\",\"nullable\":true}}]},"
                        "\"data\":{\"values\":[[1,-1,null],[null,null,1e+21],[null,null,0.1]],"
                        "\"entities\":[null,{\"NaN\":[0],\"NegInf\":[1]},{\"Inf\":[0]}],"
                        "\"nanos\":[[500000,999999,0],null,null]}}");
    free(json);
    frame_free(f);
}

static void test_frame_list_owns_frames(void)
{
    struct frame_list list;
    frame_list_init(&list);
    for (int i = 0; i < 20; i++)
        frame_list_push(&list, frame_new("x"));
    frame_list_push(&list, NULL);
    ASSERT_EQ_UINT(list.n, 20);
    frame_list_cleanup(&list);
    ASSERT_EQ_UINT(list.n, 0);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_values_round_trip),
    UNIT_TEST(test_wrong_type_append_is_refused_with_field_name),
    UNIT_TEST(test_null_in_non_nullable_field),
    UNIT_TEST(test_unequal_lengths_name_the_field),
    UNIT_TEST(test_every_wrong_type_append_is_caught),
    UNIT_TEST(test_invalid_json_value_is_refused),
    UNIT_TEST(test_bad_meta_and_config_values_are_refused),
    UNIT_TEST(test_null_pointers_do_not_crash),
    UNIT_TEST(test_validity_after_late_first_null_and_bulk_appends),
    UNIT_TEST(test_getters_on_other_types),
    UNIT_TEST(test_size_limit_gives_413),
    UNIT_TEST(test_json_times_floats_and_entities),
    UNIT_TEST(test_frame_list_owns_frames),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
