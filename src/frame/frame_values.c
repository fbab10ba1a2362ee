/* SPDX-License-Identifier: Apache-2.0
 *
 * Field values: typed appends (one row or a bulk run) with the type checks
 * that turn misuse into a recorded error, and read-back by row. Storage is in
 * column.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "frame/frame_int.h"

/* ---- appends ---------------------------------------------------------------------- */

void frame_field_append_null(struct frame_field *field)
{
    if (!field)
        return;
    if (!field->nullable) {
        frame_field_misuse(field, "null appended to a non-nullable field");
        return;
    }
    if (field->type == FRAME_BOOL)
        frame_column_push_bool(&field->col, false, false);
    else if (frame_type_is_varwidth(field->type))
        frame_column_push_bytes(&field->col, NULL, 0, false);
    else
        frame_column_push_fixed(&field->col, 0, false);
}

void frame_field_append_int(struct frame_field *field, int64_t v)
{
    if (!field)
        return;
    if (!frame_type_is_signed_int(field->type)) {
        frame_field_misuse(field, "frame_field_append_int on a field that is not a signed integer");
        return;
    }
    frame_column_push_fixed(&field->col, (uint64_t)v, true);
}

void frame_field_append_uint(struct frame_field *field, uint64_t v)
{
    if (!field)
        return;
    if (!frame_type_is_unsigned_int(field->type)) {
        frame_field_misuse(field, "frame_field_append_uint on a field that is not unsigned/enum");
        return;
    }
    frame_column_push_fixed(&field->col, v, true);
}

void frame_field_append_float(struct frame_field *field, double v)
{
    if (!field)
        return;
    if (field->type == FRAME_FLOAT64) {
        uint64_t bits;
        memcpy(&bits, &v, 8);
        frame_column_push_fixed(&field->col, bits, true);
    } else if (field->type == FRAME_FLOAT32) {
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        frame_column_push_fixed(&field->col, bits, true);
    } else {
        frame_field_misuse(field,
                           "frame_field_append_float on a field that is not float32/float64");
    }
}

void frame_field_append_bool(struct frame_field *field, bool v)
{
    if (!field)
        return;
    if (field->type != FRAME_BOOL) {
        frame_field_misuse(field, "frame_field_append_bool on a field that is not bool");
        return;
    }
    frame_column_push_bool(&field->col, v, true);
}

void frame_field_append_time_ns(struct frame_field *field, int64_t ns)
{
    if (!field)
        return;
    if (field->type != FRAME_TIME) {
        frame_field_misuse(field, "frame_field_append_time on a field that is not time");
        return;
    }
    frame_column_push_fixed(&field->col, (uint64_t)ns, true);
}

void frame_field_append_time_ms(struct frame_field *field, int64_t ms)
{
    if (!field)
        return;
    if (ms > INT64_MAX / 1000000 || ms < INT64_MIN / 1000000) {
        frame_field_misuse(field,
                           "time in milliseconds out of the nanosecond range (years 1678-2262)");
        return;
    }
    frame_field_append_time_ns(field, ms * 1000000);
}

void frame_field_append_string(struct frame_field *field, const char *s, size_t len)
{
    if (!field)
        return;
    if (field->type != FRAME_STRING) {
        frame_field_misuse(field, "frame_field_append_string on a field that is not string");
        return;
    }
    if (!s && len) {
        frame_field_misuse(field, "frame_field_append_string with NULL data");
        return;
    }
    if (!frame_column_push_bytes(&field->col, s, len, true))
        frame_record_misuse(field->frame, 413,
                            "frame \"%s\", field \"%s\": more than 2 GiB of text",
                            field->frame->name, field->name);
}

void frame_field_append_cstring(struct frame_field *field, const char *s)
{
    if (!field)
        return;
    if (!s) {
        if (field->nullable && field->type == FRAME_STRING)
            frame_field_append_null(field);
        else
            frame_field_append_string(field, "", 0);
        return;
    }
    frame_field_append_string(field, s, strlen(s));
}

void frame_field_append_json(struct frame_field *field, const char *json, size_t len)
{
    if (!field)
        return;
    if (field->type != FRAME_JSON) {
        frame_field_misuse(field, "frame_field_append_json on a field that is not json");
        return;
    }
    json_error_t jerr;
    json_t *parsed = json ? json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr) : NULL;
    if (!parsed) {
        char what[96];
        snprintf(what, sizeof what, "row %zu is not valid JSON", field->col.len);
        frame_field_misuse(field, what);
        return;
    }
    json_decref(parsed);
    if (!frame_column_push_bytes(&field->col, json, len, true))
        frame_record_misuse(field->frame, 413,
                            "frame \"%s\", field \"%s\": more than 2 GiB of JSON",
                            field->frame->name, field->name);
}

void frame_field_append_floats(struct frame_field *field, const double *v, size_t n)
{
    if (!field || n == 0)
        return;
    if (n > SIZE_MAX / 8)
        abort();
    if (field->type != FRAME_FLOAT64) {
        if (field->type != FRAME_FLOAT32) {
            frame_field_misuse(field, "frame_field_append_floats on a field that is not float");
            return;
        }
        for (size_t i = 0; i < n; i++)
            frame_field_append_float(field, v[i]);
        return;
    }
    frame_column_push_run8(&field->col, v, n);
}

void frame_field_append_ints(struct frame_field *field, const int64_t *v, size_t n)
{
    if (!field || n == 0)
        return;
    if (field->type == FRAME_INT64) {
        frame_column_push_run8(&field->col, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        frame_field_append_int(field, v[i]);
}

void frame_field_append_times_ns(struct frame_field *field, const int64_t *ns, size_t n)
{
    if (!field || n == 0)
        return;
    if (field->type != FRAME_TIME) {
        frame_field_misuse(field, "frame_field_append_times_ns on a field that is not time");
        return;
    }
    frame_column_push_run8(&field->col, ns, n);
}

/* ---- read back -------------------------------------------------------------------- */

bool frame_field_is_null(const struct frame_field *field, size_t row)
{
    if (!field || row >= field->col.len)
        return true;
    return !frame_column_is_valid(&field->col, row);
}

/* Raw little-endian bits of a fixed-width value, zero-extended. */
static uint64_t fixed_bits(const struct frame_field *field, size_t row)
{
    uint64_t bits = 0;
    memcpy(&bits, field->col.values + row * field->col.width, field->col.width);
    return bits;
}

int64_t frame_field_get_int(const struct frame_field *field, size_t row)
{
    if (frame_field_is_null(field, row))
        return 0;
    uint64_t bits = fixed_bits(field, row);
    switch (field->type) {
    case FRAME_INT8:
        return (int8_t)(uint8_t)bits;
    case FRAME_INT16:
        return (int16_t)(uint16_t)bits;
    case FRAME_INT32:
        return (int32_t)(uint32_t)bits;
    case FRAME_INT64:
    case FRAME_TIME:
        return (int64_t)bits;
    default:
        return 0;
    }
}

uint64_t frame_field_get_uint(const struct frame_field *field, size_t row)
{
    if (frame_field_is_null(field, row) || !frame_type_is_unsigned_int(field->type))
        return 0;
    return fixed_bits(field, row);
}

double frame_field_get_float(const struct frame_field *field, size_t row)
{
    if (frame_field_is_null(field, row))
        return 0;
    if (field->type == FRAME_FLOAT64) {
        double d;
        memcpy(&d, field->col.values + row * 8, 8);
        return d;
    }
    if (field->type == FRAME_FLOAT32) {
        float f;
        memcpy(&f, field->col.values + row * 4, 4);
        return f;
    }
    if (frame_type_is_unsigned_int(field->type))
        return (double)frame_field_get_uint(field, row);
    if (frame_type_is_signed_int(field->type) || field->type == FRAME_TIME)
        return (double)frame_field_get_int(field, row);
    return 0;
}

bool frame_field_get_bool(const struct frame_field *field, size_t row)
{
    if (frame_field_is_null(field, row) || field->type != FRAME_BOOL)
        return false;
    return (field->col.values[row >> 3] >> (row & 7)) & 1;
}

const char *frame_field_get_string(const struct frame_field *field, size_t row, size_t *len)
{
    if (len)
        *len = 0;
    if (!field || !frame_type_is_varwidth(field->type) || row >= field->col.len ||
        !frame_column_is_valid(&field->col, row))
        return NULL;
    int32_t start = field->col.offsets[row], end = field->col.offsets[row + 1];
    if (len)
        *len = (size_t)(end - start);
    return field->col.values ? (const char *)field->col.values + start : "";
}
