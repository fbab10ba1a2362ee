/* SPDX-License-Identifier: Apache-2.0
 *
 * The frame model: frames, fields, labels, typed growable columns with lazy
 * validity bitmaps, value appends and read-back, validation, frame lists.
 *
 * Columns are stored in their Arrow layout (see frame_int.h) so that the Arrow
 * encoder can copy each column with one memcpy. Appends grow arrays by
 * doubling; bulk appends copy whole runs. Meta and field config setters live
 * in frame_config.c.
 */
#include "frame/frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "frame/frame_int.h"

/* ---- per-type facts ------------------------------------------------------- */

const char *frame_type_tstype(enum frame_type type)
{
    switch (type) {
    case FRAME_BOOL:
        return "boolean";
    case FRAME_STRING:
        return "string";
    case FRAME_TIME:
        return "time";
    case FRAME_JSON:
        return "other";
    case FRAME_ENUM:
        return "enum";
    default:
        return "number";
    }
}

const char *frame_type_item_name(enum frame_type type)
{
    static const char *const names[] = {
        [FRAME_INT8] = "int8",       [FRAME_INT16] = "int16",
        [FRAME_INT32] = "int32",     [FRAME_INT64] = "int64",
        [FRAME_UINT8] = "uint8",     [FRAME_UINT16] = "uint16",
        [FRAME_UINT32] = "uint32",   [FRAME_UINT64] = "uint64",
        [FRAME_FLOAT32] = "float32", [FRAME_FLOAT64] = "float64",
        [FRAME_BOOL] = "bool",       [FRAME_STRING] = "string",
        [FRAME_TIME] = "time.Time",  [FRAME_JSON] = "json.RawMessage",
        [FRAME_ENUM] = "enum",
    };
    if ((unsigned)type >= sizeof names / sizeof names[0])
        return "";
    return names[type];
}

size_t frame_type_width(enum frame_type type)
{
    switch (type) {
    case FRAME_INT8:
    case FRAME_UINT8:
        return 1;
    case FRAME_INT16:
    case FRAME_UINT16:
    case FRAME_ENUM:
        return 2;
    case FRAME_INT32:
    case FRAME_UINT32:
    case FRAME_FLOAT32:
        return 4;
    case FRAME_INT64:
    case FRAME_UINT64:
    case FRAME_FLOAT64:
    case FRAME_TIME:
        return 8;
    default:
        return 0;
    }
}

bool frame_type_is_varwidth(enum frame_type type)
{
    return type == FRAME_STRING || type == FRAME_JSON;
}

static bool type_is_signed_int(enum frame_type t)
{
    return t == FRAME_INT8 || t == FRAME_INT16 || t == FRAME_INT32 || t == FRAME_INT64;
}

static bool type_is_unsigned_int(enum frame_type t)
{
    return t == FRAME_UINT8 || t == FRAME_UINT16 || t == FRAME_UINT32 || t == FRAME_UINT64 ||
           t == FRAME_ENUM;
}

static bool type_is_valid(enum frame_type t)
{
    return (unsigned)t <= FRAME_ENUM;
}

/* ---- misuse ----------------------------------------------------------------- */

void frame_record_misuse(struct frame *frame, int status, const char *fmt, ...)
{
    if (!frame || frame->misuse.status != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    et_error_vset(&frame->misuse, status, ET_SOURCE_PLUGIN, fmt, ap);
    va_end(ap);
}

static void field_misuse(struct frame_field *field, const char *what)
{
    frame_record_misuse(field->frame, 500, "frame \"%s\", field \"%s\" (%s): %s",
                        field->frame->name, field->name, frame_type_item_name(field->type), what);
}

/* ---- frames ----------------------------------------------------------------- */

struct frame *frame_new(const char *name)
{
    struct frame *frame = et_xcalloc(1, sizeof *frame);
    frame->name = et_xstrdup(name ? name : "");
    frame->ref_id = et_xstrdup("");
    et_error_clear(&frame->misuse);
    return frame;
}

static void column_cleanup(struct frame_column *col)
{
    free(col->values);
    free(col->offsets);
    free(col->validity);
}

static void field_free(struct frame_field *field)
{
    free(field->name);
    column_cleanup(&field->col);
    for (size_t i = 0; i < field->label_count; i++) {
        free(field->labels[i].key);
        free(field->labels[i].value);
    }
    free(field->labels);
    frame_field_config_cleanup(&field->config);
    free(field);
}

void frame_free(struct frame *frame)
{
    if (!frame)
        return;
    for (size_t i = 0; i < frame->field_count; i++)
        field_free(frame->fields[i]);
    free(frame->fields);
    frame_meta_cleanup(&frame->meta);
    free(frame->name);
    free(frame->ref_id);
    free(frame);
}

void frame_set_name(struct frame *frame, const char *name)
{
    if (!frame)
        return;
    free(frame->name);
    frame->name = et_xstrdup(name ? name : "");
}

void frame_set_ref_id(struct frame *frame, const char *ref_id)
{
    if (!frame)
        return;
    free(frame->ref_id);
    frame->ref_id = et_xstrdup(ref_id ? ref_id : "");
}

const char *frame_name(const struct frame *frame)
{
    return frame ? frame->name : "";
}

const char *frame_ref_id(const struct frame *frame)
{
    return frame ? frame->ref_id : "";
}

struct frame_field *frame_add_field(struct frame *frame, const char *name, enum frame_type type,
                                    bool nullable)
{
    if (!frame)
        return NULL;
    struct frame_field *field = et_xcalloc(1, sizeof *field);
    field->frame = frame;
    field->name = et_xstrdup(name ? name : "");
    field->type = type_is_valid(type) ? type : FRAME_STRING;
    field->nullable = nullable;
    field->col.width = frame_type_width(field->type);
    if (frame_type_is_varwidth(field->type)) {
        field->col.offsets_cap = 16;
        field->col.offsets = et_xmalloc(field->col.offsets_cap * sizeof(int32_t));
        field->col.offsets[0] = 0;
    }
    frame->fields =
        et_xgrow(frame->fields, &frame->field_cap, frame->field_count + 1, sizeof *frame->fields);
    frame->fields[frame->field_count++] = field;
    if (!type_is_valid(type))
        field_misuse(field, "unknown field type");
    return field;
}

size_t frame_field_count(const struct frame *frame)
{
    return frame ? frame->field_count : 0;
}

struct frame_field *frame_field_at(const struct frame *frame, size_t index)
{
    if (!frame || index >= frame->field_count)
        return NULL;
    return frame->fields[index];
}

struct frame_field *frame_field_by_name(const struct frame *frame, const char *name)
{
    if (!frame || !name)
        return NULL;
    for (size_t i = 0; i < frame->field_count; i++)
        if (strcmp(frame->fields[i]->name, name) == 0)
            return frame->fields[i];
    return NULL;
}

size_t frame_row_count(const struct frame *frame)
{
    if (!frame || frame->field_count == 0)
        return 0;
    return frame->fields[0]->col.len;
}

/* ---- field description and labels ----------------------------------------------- */

const char *frame_field_name(const struct frame_field *field)
{
    return field ? field->name : "";
}

enum frame_type frame_field_type(const struct frame_field *field)
{
    return field ? field->type : FRAME_STRING;
}

bool frame_field_is_nullable(const struct frame_field *field)
{
    return field && field->nullable;
}

size_t frame_field_len(const struct frame_field *field)
{
    return field ? field->col.len : 0;
}

void frame_field_set_label(struct frame_field *field, const char *key, const char *value)
{
    if (!field || !key)
        return;
    field->has_labels = true;
    size_t lo = 0, hi = field->label_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(field->labels[mid].key, key);
        if (c == 0) {
            free(field->labels[mid].value);
            field->labels[mid].value = et_xstrdup(value ? value : "");
            return;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    field->labels =
        et_xgrow(field->labels, &field->label_cap, field->label_count + 1, sizeof *field->labels);
    memmove(field->labels + lo + 1, field->labels + lo,
            (field->label_count - lo) * sizeof *field->labels);
    field->labels[lo].key = et_xstrdup(key);
    field->labels[lo].value = et_xstrdup(value ? value : "");
    field->label_count++;
}

void frame_field_set_empty_labels(struct frame_field *field)
{
    if (field)
        field->has_labels = true;
}

size_t frame_field_label_count(const struct frame_field *field)
{
    return field ? field->label_count : 0;
}

const char *frame_field_label_key(const struct frame_field *field, size_t i)
{
    return field && i < field->label_count ? field->labels[i].key : NULL;
}

const char *frame_field_label_value(const struct frame_field *field, size_t i)
{
    return field && i < field->label_count ? field->labels[i].value : NULL;
}

/* ---- column storage ------------------------------------------------------------- */

/* Make room for `bytes` more bytes of values. */
static void column_reserve_bytes(struct frame_column *col, size_t bytes)
{
    if (bytes > SIZE_MAX - col->values_len)
        abort(); /* more than the address space: a caller bug, never outside input */
    col->values = et_xgrow(col->values, &col->values_cap, col->values_len + bytes, 1);
}

/* Make the validity bitmap hold `rows` bits; new bytes are zero (null). */
static void validity_reserve(struct frame_column *col, size_t rows)
{
    size_t need = (rows + 7) / 8;
    if (need <= col->validity_cap)
        return;
    size_t old = col->validity_cap;
    col->validity = et_xgrow(col->validity, &col->validity_cap, need, 1);
    memset(col->validity + old, 0, col->validity_cap - old);
}

/* Account for a new row `col->len` (valid or null) in the validity bitmap. */
static void column_mark_row(struct frame_column *col, bool valid)
{
    size_t row = col->len;
    if (valid) {
        if (col->validity) {
            validity_reserve(col, row + 1);
            col->validity[row >> 3] |= (unsigned char)(1u << (row & 7));
        }
        return;
    }
    if (!col->validity) {
        validity_reserve(col, row + 1);
        memset(col->validity, 0xFF, row / 8);
        for (size_t i = row & ~(size_t)7; i < row; i++)
            col->validity[i >> 3] |= (unsigned char)(1u << (i & 7));
    } else {
        validity_reserve(col, row + 1);
    }
    col->null_count++;
}

/* Mark `n` new valid rows starting at col->len. */
static void column_mark_valid_run(struct frame_column *col, size_t n)
{
    if (!col->validity || n == 0)
        return;
    size_t start = col->len, end = start + n;
    validity_reserve(col, end);
    size_t i = start;
    for (; i < end && (i & 7); i++)
        col->validity[i >> 3] |= (unsigned char)(1u << (i & 7));
    size_t whole = (end - i) / 8;
    memset(col->validity + i / 8, 0xFF, whole);
    i += whole * 8;
    for (; i < end; i++)
        col->validity[i >> 3] |= (unsigned char)(1u << (i & 7));
}

/* Append one fixed-width value (the low `width` bytes of `bits`, little-endian). */
static void column_push_fixed(struct frame_column *col, uint64_t bits, bool valid)
{
    column_mark_row(col, valid);
    column_reserve_bytes(col, col->width);
    if (!valid)
        bits = 0;
    memcpy(col->values + col->values_len, &bits, col->width);
    col->values_len += col->width;
    col->len++;
}

static void column_push_bool(struct frame_column *col, bool v, bool valid)
{
    column_mark_row(col, valid);
    size_t need = (col->len + 1 + 7) / 8;
    if (need > col->values_len) {
        column_reserve_bytes(col, need - col->values_len);
        memset(col->values + col->values_len, 0, need - col->values_len);
        col->values_len = need;
    }
    if (v && valid)
        col->values[col->len >> 3] |= (unsigned char)(1u << (col->len & 7));
    col->len++;
}

/* Append bytes to a string/JSON column; false when the column would pass 2 GiB. */
static bool column_push_bytes(struct frame_column *col, const char *s, size_t n, bool valid)
{
    if (n > FRAME_VARWIDTH_MAX_BYTES - col->values_len)
        return false;
    column_mark_row(col, valid);
    col->offsets = et_xgrow(col->offsets, &col->offsets_cap, col->len + 2, sizeof(int32_t));
    if (valid && n) {
        column_reserve_bytes(col, n);
        memcpy(col->values + col->values_len, s, n);
        col->values_len += n;
    }
    col->len++;
    col->offsets[col->len] = (int32_t)col->values_len;
    return true;
}

/* ---- appends ---------------------------------------------------------------------- */

void frame_field_append_null(struct frame_field *field)
{
    if (!field)
        return;
    if (!field->nullable) {
        field_misuse(field, "null appended to a non-nullable field");
        return;
    }
    if (field->type == FRAME_BOOL)
        column_push_bool(&field->col, false, false);
    else if (frame_type_is_varwidth(field->type))
        column_push_bytes(&field->col, NULL, 0, false);
    else
        column_push_fixed(&field->col, 0, false);
}

void frame_field_append_int(struct frame_field *field, int64_t v)
{
    if (!field)
        return;
    if (!type_is_signed_int(field->type)) {
        field_misuse(field, "frame_field_append_int on a field that is not a signed integer");
        return;
    }
    column_push_fixed(&field->col, (uint64_t)v, true);
}

void frame_field_append_uint(struct frame_field *field, uint64_t v)
{
    if (!field)
        return;
    if (!type_is_unsigned_int(field->type)) {
        field_misuse(field, "frame_field_append_uint on a field that is not unsigned/enum");
        return;
    }
    column_push_fixed(&field->col, v, true);
}

void frame_field_append_float(struct frame_field *field, double v)
{
    if (!field)
        return;
    if (field->type == FRAME_FLOAT64) {
        uint64_t bits;
        memcpy(&bits, &v, 8);
        column_push_fixed(&field->col, bits, true);
    } else if (field->type == FRAME_FLOAT32) {
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        column_push_fixed(&field->col, bits, true);
    } else {
        field_misuse(field, "frame_field_append_float on a field that is not float32/float64");
    }
}

void frame_field_append_bool(struct frame_field *field, bool v)
{
    if (!field)
        return;
    if (field->type != FRAME_BOOL) {
        field_misuse(field, "frame_field_append_bool on a field that is not bool");
        return;
    }
    column_push_bool(&field->col, v, true);
}

void frame_field_append_time_ns(struct frame_field *field, int64_t ns)
{
    if (!field)
        return;
    if (field->type != FRAME_TIME) {
        field_misuse(field, "frame_field_append_time on a field that is not time");
        return;
    }
    column_push_fixed(&field->col, (uint64_t)ns, true);
}

void frame_field_append_time_ms(struct frame_field *field, int64_t ms)
{
    if (!field)
        return;
    if (ms > INT64_MAX / 1000000 || ms < INT64_MIN / 1000000) {
        field_misuse(field, "time in milliseconds out of the nanosecond range (years 1678-2262)");
        return;
    }
    frame_field_append_time_ns(field, ms * 1000000);
}

void frame_field_append_string(struct frame_field *field, const char *s, size_t len)
{
    if (!field)
        return;
    if (field->type != FRAME_STRING) {
        field_misuse(field, "frame_field_append_string on a field that is not string");
        return;
    }
    if (!s && len) {
        field_misuse(field, "frame_field_append_string with NULL data");
        return;
    }
    if (!column_push_bytes(&field->col, s, len, true))
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
        field_misuse(field, "frame_field_append_json on a field that is not json");
        return;
    }
    json_error_t jerr;
    json_t *parsed = json ? json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr) : NULL;
    if (!parsed) {
        char what[96];
        snprintf(what, sizeof what, "row %zu is not valid JSON", field->col.len);
        field_misuse(field, what);
        return;
    }
    json_decref(parsed);
    if (!column_push_bytes(&field->col, json, len, true))
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
            field_misuse(field, "frame_field_append_floats on a field that is not float");
            return;
        }
        for (size_t i = 0; i < n; i++)
            frame_field_append_float(field, v[i]);
        return;
    }
    struct frame_column *col = &field->col;
    column_mark_valid_run(col, n);
    column_reserve_bytes(col, n * 8);
    memcpy(col->values + col->values_len, v, n * 8);
    col->values_len += n * 8;
    col->len += n;
}

static void append_int64_run(struct frame_field *field, const int64_t *v, size_t n)
{
    struct frame_column *col = &field->col;
    if (n > SIZE_MAX / 8)
        abort();
    column_mark_valid_run(col, n);
    column_reserve_bytes(col, n * 8);
    memcpy(col->values + col->values_len, v, n * 8);
    col->values_len += n * 8;
    col->len += n;
}

void frame_field_append_ints(struct frame_field *field, const int64_t *v, size_t n)
{
    if (!field || n == 0)
        return;
    if (field->type == FRAME_INT64) {
        append_int64_run(field, v, n);
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
        field_misuse(field, "frame_field_append_times_ns on a field that is not time");
        return;
    }
    append_int64_run(field, ns, n);
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
    if (frame_field_is_null(field, row) || !type_is_unsigned_int(field->type))
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
    if (type_is_unsigned_int(field->type))
        return (double)frame_field_get_uint(field, row);
    if (type_is_signed_int(field->type) || field->type == FRAME_TIME)
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

/* ---- validation --------------------------------------------------------------------- */

static int check_raw_json(const char *raw, const char *what, const char *frame_name_,
                          const char *field_name, struct et_error *err)
{
    json_error_t jerr;
    json_t *v = json_loads(raw, JSON_DECODE_ANY, &jerr);
    if (!v)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN,
                            "frame \"%s\"%s%s%s: %s is not valid JSON: %s", frame_name_,
                            field_name ? ", field \"" : "", field_name ? field_name : "",
                            field_name ? "\"" : "", what, jerr.text);
    json_decref(v);
    return 0;
}

int frame_validate(const struct frame *frame, struct et_error *err)
{
    if (!frame)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "no frame");
    if (frame->misuse.status != 0)
        return et_error_set(err, frame->misuse.status, ET_SOURCE_PLUGIN, "%s",
                            frame->misuse.message);
    if (frame->meta.raw && check_raw_json(frame->meta.raw, "meta", frame->name, NULL, err) < 0)
        return -1;
    size_t rows = frame_row_count(frame);
    for (size_t i = 0; i < frame->field_count; i++) {
        const struct frame_field *f = frame->fields[i];
        if (f->col.len != rows)
            return et_error_set(err, 500, ET_SOURCE_PLUGIN,
                                "frame \"%s\", field \"%s\": %zu rows, but field \"%s\" has %zu",
                                frame->name, f->name, f->col.len, frame->fields[0]->name, rows);
        if (f->config.raw && check_raw_json(f->config.raw, "config", frame->name, f->name, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- lists -------------------------------------------------------------------------- */

void frame_list_init(struct frame_list *list)
{
    list->items = NULL;
    list->n = 0;
    list->cap = 0;
}

void frame_list_push(struct frame_list *list, struct frame *frame)
{
    if (!frame)
        return;
    list->items = et_xgrow(list->items, &list->cap, list->n + 1, sizeof *list->items);
    list->items[list->n++] = frame;
}

void frame_list_cleanup(struct frame_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        frame_free(list->items[i]);
    free(list->items);
    frame_list_init(list);
}
