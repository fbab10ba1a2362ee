/* SPDX-License-Identifier: Apache-2.0
 *
 * The frame model: per-type facts, frames, fields, labels, misuse recording,
 * validation, frame lists. Values live in typed columns (column.c, in Arrow
 * layout so the encoder copies each with one memcpy) and are appended and
 * read back in frame_values.c; meta and field config setters are in
 * frame_config.c.
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

void frame_field_misuse(struct frame_field *field, const char *what)
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

static void field_free(struct frame_field *field)
{
    free(field->name);
    frame_column_cleanup(&field->col);
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
    frame->fields = et_xgrow(frame->fields, &frame->field_cap, frame->field_count + 1,
                             sizeof(struct frame_field *));
    frame->fields[frame->field_count++] = field;
    if (!type_is_valid(type))
        frame_field_misuse(field, "unknown field type");
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
    list->items = et_xgrow(list->items, &list->cap, list->n + 1, sizeof(struct frame *));
    list->items[list->n++] = frame;
}

void frame_list_cleanup(struct frame_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        frame_free(list->items[i]);
    free(list->items);
    frame_list_init(list);
}
