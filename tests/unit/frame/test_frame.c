/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the frame model (src/frame/frame.c): typed appends and
 * read-back, validity, labels, misuse reporting, and the JSON frame writer on
 * small frames whose expected text is written out by hand.
 */
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
    ASSERT_EQ_STR(frame_field_get_string(s, 0, &len), "héllo");
    ASSERT_EQ_UINT(len, 6);
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

static const struct unit_test tests[] = {
    UNIT_TEST(test_values_round_trip),
    UNIT_TEST(test_wrong_type_append_is_refused_with_field_name),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
