/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON frame writer: frame_write_json() (encode.h), the SDK's
 * Frame.MarshalJSON form (notes/frames.md §5.1):
 *
 *   {"schema":{"name","refId","meta","fields":[...]},
 *    "data":{"values":[[...],...],"entities":[...],"nanos":[...]}}
 *
 * Times are integer milliseconds with the sub-millisecond rest in `nanos`;
 * NaN/+Inf/-Inf floats are written as null and listed in `entities`. Meta,
 * config and labels use the same Go-exact writers as the Arrow metadata.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_escape.h"
#include "core/mem.h"
#include "frame/encode.h"
#include "frame/frame_int.h"
#include "frame/frame_meta_json.h"

/* Floor division of ns by 1e6 and the non-negative rest (Go's UnixMilli and
 * t.Sub(t.Truncate(time.Millisecond))). */
static void split_ns(int64_t ns, int64_t *ms, int64_t *rest)
{
    int64_t q = ns / 1000000, r = ns % 1000000;
    if (r < 0) {
        q -= 1;
        r += 1000000;
    }
    *ms = q;
    *rest = r;
}

/* Decimal digits of an unsigned value, without printf (hot path). */
static void append_u64(struct et_buf *out, uint64_t v)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    et_buf_append(out, digits + n, sizeof digits - n);
}

static void append_i64(struct et_buf *out, int64_t v)
{
    if (v < 0) {
        et_buf_putc(out, '-');
        append_u64(out, (uint64_t)0 - (uint64_t)v);
    } else {
        append_u64(out, (uint64_t)v);
    }
}

/* A float64 as Go's encoding/json writes it. Integral values below 2^53 are
 * their own shortest representation, so they skip the general formatter. */
static int append_double(struct et_buf *out, double v)
{
    if (v > -9007199254740992.0 && v < 9007199254740992.0 && v == (double)(int64_t)v &&
        !(v == 0 && signbit(v))) {
        append_i64(out, (int64_t)v);
        return 0;
    }
    return frame_gojson_append_float64(out, v);
}

static int64_t column_i64(const struct frame_column *col, size_t row)
{
    int64_t v;
    memcpy(&v, col->values + row * 8, 8);
    return v;
}

/* ---- schema ------------------------------------------------------------------- */

static void write_field_schema(struct et_buf *out, const struct frame_field *f)
{
    et_buf_putc(out, '{');
    if (f->name[0]) {
        et_buf_append_str(out, "\"name\":");
        et_json_append_cstring(out, f->name);
        et_buf_putc(out, ',');
    }
    et_buf_append_str(out, "\"type\":\"");
    et_buf_append_str(out, frame_type_tstype(f->type));
    et_buf_append_str(out, "\",\"typeInfo\":{\"frame\":\"");
    et_buf_append_str(out, frame_type_item_name(f->type));
    et_buf_append_str(out, f->nullable ? "\",\"nullable\":true}" : "\"}");
    if (f->has_labels) {
        et_buf_append_str(out, ",\"labels\":");
        frame_labels_write_json(f, out);
    }
    if (frame_field_has_config(f)) {
        et_buf_append_str(out, ",\"config\":");
        frame_config_write_json(f, out);
    }
    et_buf_putc(out, '}');
}

static void write_schema(struct et_buf *out, const struct frame *frame)
{
    et_buf_append_str(out, "{\"schema\":{");
    if (frame->name[0]) {
        et_buf_append_str(out, "\"name\":");
        et_json_append_cstring(out, frame->name);
        et_buf_putc(out, ',');
    }
    if (frame->ref_id[0]) {
        et_buf_append_str(out, "\"refId\":");
        et_json_append_cstring(out, frame->ref_id);
        et_buf_putc(out, ',');
    }
    if (frame_has_meta(frame)) {
        et_buf_append_str(out, "\"meta\":");
        frame_meta_write_json(frame, out);
        et_buf_putc(out, ',');
    }
    et_buf_append_str(out, "\"fields\":[");
    for (size_t i = 0; i < frame->field_count; i++) {
        if (i)
            et_buf_putc(out, ',');
        write_field_schema(out, frame->fields[i]);
    }
    et_buf_append_str(out, "]}");
}

/* ---- values ----------------------------------------------------------------------- */

/* One value; returns true when it was a NaN/Inf float (written as null) or a
 * time with a sub-millisecond part (so entities/nanos are needed). */
static bool write_value(struct et_buf *out, const struct frame_field *f, size_t row)
{
    const struct frame_column *col = &f->col;
    if (!frame_column_is_valid(col, row)) {
        et_buf_append_str(out, "null");
        return false;
    }
    switch (f->type) {
    case FRAME_TIME: {
        int64_t ms, rest;
        split_ns(column_i64(col, row), &ms, &rest);
        append_i64(out, ms);
        return rest != 0;
    }
    case FRAME_FLOAT64:
        return append_double(out, frame_field_get_float(f, row)) == 1;
    case FRAME_FLOAT32:
        return frame_gojson_append_float32(out, (float)frame_field_get_float(f, row)) == 1;
    case FRAME_BOOL:
        et_buf_append_str(out, frame_field_get_bool(f, row) ? "true" : "false");
        return false;
    case FRAME_STRING: {
        size_t len;
        const char *s = frame_field_get_string(f, row, &len);
        et_json_append_string(out, s ? s : "", len);
        return false;
    }
    case FRAME_JSON: {
        size_t len;
        const char *s = frame_field_get_string(f, row, &len);
        et_buf_append(out, s ? s : "null", s ? len : 4);
        return false;
    }
    case FRAME_UINT8:
    case FRAME_UINT16:
    case FRAME_UINT32:
    case FRAME_UINT64:
    case FRAME_ENUM:
        append_u64(out, frame_field_get_uint(f, row));
        return false;
    default:
        append_i64(out, frame_field_get_int(f, row));
        return false;
    }
}

/* Writes the column; true when it needs an entities/nanos entry. */
static bool write_column(struct et_buf *out, const struct frame_field *f, size_t rows)
{
    bool special = false;
    et_buf_putc(out, '[');
    for (size_t row = 0; row < rows && !out->failed; row++) {
        if (row)
            et_buf_putc(out, ',');
        if (write_value(out, f, row))
            special = true;
    }
    et_buf_putc(out, ']');
    return special;
}

static void append_row_list(struct et_buf *out, bool *first, const char *key,
                            const struct frame_field *f, size_t rows, int sign_of_inf)
{
    bool started = false;
    for (size_t row = 0; row < rows; row++) {
        if (!frame_column_is_valid(&f->col, row))
            continue;
        double v = frame_field_get_float(f, row);
        bool match = sign_of_inf == 0 ? isnan(v) : isinf(v) && (v > 0) == (sign_of_inf > 0);
        if (!match)
            continue;
        if (!started) {
            et_buf_printf(out, "%s\"%s\":[", *first ? "" : ",", key);
            *first = false;
            started = true;
        } else {
            et_buf_putc(out, ',');
        }
        et_buf_printf(out, "%zu", row);
    }
    if (started)
        et_buf_putc(out, ']');
}

static void write_entities(struct et_buf *out, const struct frame *frame, const bool *special,
                           size_t rows)
{
    et_buf_append_str(out, ",\"entities\":[");
    for (size_t i = 0; i < frame->field_count; i++) {
        const struct frame_field *f = frame->fields[i];
        if (i)
            et_buf_putc(out, ',');
        if (!special[i] || f->type == FRAME_TIME) {
            et_buf_append_str(out, "null");
            continue;
        }
        bool first = true;
        et_buf_putc(out, '{');
        append_row_list(out, &first, "NaN", f, rows, 0);
        append_row_list(out, &first, "Inf", f, rows, 1);
        append_row_list(out, &first, "NegInf", f, rows, -1);
        et_buf_putc(out, '}');
    }
    et_buf_putc(out, ']');
}

static void write_nanos(struct et_buf *out, const struct frame *frame, const bool *special,
                        size_t rows)
{
    et_buf_append_str(out, ",\"nanos\":[");
    for (size_t i = 0; i < frame->field_count; i++) {
        const struct frame_field *f = frame->fields[i];
        if (i)
            et_buf_putc(out, ',');
        if (!special[i] || f->type != FRAME_TIME) {
            et_buf_append_str(out, "null");
            continue;
        }
        et_buf_putc(out, '[');
        for (size_t row = 0; row < rows && !out->failed; row++) {
            int64_t ms, rest = 0;
            if (frame_column_is_valid(&f->col, row))
                split_ns(column_i64(&f->col, row), &ms, &rest);
            if (row)
                et_buf_putc(out, ',');
            append_i64(out, rest);
        }
        et_buf_putc(out, ']');
    }
    et_buf_putc(out, ']');
}

static void write_data(struct et_buf *out, const struct frame *frame, bool *special)
{
    size_t rows = frame_row_count(frame);
    bool any_entities = false, any_nanos = false;
    et_buf_append_str(out, ",\"data\":{\"values\":[");
    for (size_t i = 0; i < frame->field_count && !out->failed; i++) {
        if (i)
            et_buf_putc(out, ',');
        special[i] = write_column(out, frame->fields[i], rows);
        if (special[i] && frame->fields[i]->type == FRAME_TIME)
            any_nanos = true;
        else if (special[i])
            any_entities = true;
    }
    et_buf_putc(out, ']');
    if (any_entities)
        write_entities(out, frame, special, rows);
    if (any_nanos)
        write_nanos(out, frame, special, rows);
    et_buf_append_str(out, "}}");
}

int frame_write_json(const struct frame *frame, struct et_buf *out, struct et_error *err)
{
    if (frame_validate(frame, err) < 0)
        return -1;
    bool small[16] = {false}; /* columns not written (buffer limit reached) stay false */
    bool *special =
        frame->field_count <= 16 ? small : et_xcalloc(frame->field_count, sizeof *special);
    write_schema(out, frame);
    write_data(out, frame, special);
    if (special != small)
        free(special);
    if (out->failed)
        return et_error_set(err, 413, ET_SOURCE_PLUGIN,
                            "frame \"%s\": the JSON frame does not fit the response limit of %zu "
                            "bytes",
                            frame->name, out->limit);
    return 0;
}
