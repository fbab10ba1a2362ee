/* SPDX-License-Identifier: Apache-2.0
 *
 * FrameMeta, FieldConfig and labels as Go's encoding/json marshals them (see
 * frame_meta_json.h). Field order and omitempty rules follow the SDK structs
 * in data/frame_meta.go and data/field_config.go (notes/frames.md §6).
 */
#include "frame/frame_meta_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_escape.h"
#include "core/mem.h"
#include "frame/float_format.h"

static int done(const struct et_buf *out)
{
    return out->failed ? -1 : 0;
}

/* `,"key":` (or `"key":` for the first member). */
static void key(struct et_buf *out, bool *first, const char *name)
{
    if (!*first)
        et_buf_putc(out, ',');
    *first = false;
    et_buf_putc(out, '"');
    et_buf_append_str(out, name);
    et_buf_append_str(out, "\":");
}

/* `"key":"value"` unless value is NULL/empty (Go omitempty on a string). */
static void string_member(struct et_buf *out, bool *first, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    key(out, first, name);
    et_json_append_cstring(out, value);
}

/* ---- numbers ------------------------------------------------------------------ */

int frame_gojson_append_float32(struct et_buf *out, float value)
{
    char text[FLOAT_FORMAT_MAX];
    size_t n = float_format(text, value, FLOAT_STYLE_JSON32);
    et_buf_append(out, n ? text : "null", n ? n : 4);
    if (out->failed)
        return -1;
    return n ? 0 : 1;
}

int frame_gojson_append_float64(struct et_buf *out, double value)
{
    char text[FLOAT_FORMAT_MAX];
    size_t n = float_format(text, value, FLOAT_STYLE_JSON64);
    et_buf_append(out, n ? text : "null", n ? n : 4);
    if (out->failed)
        return -1;
    return n ? 0 : 1;
}

int frame_gojson_append_fmt_v(struct et_buf *out, double value)
{
    char text[FLOAT_FORMAT_MAX];
    size_t n = float_format(text, value, FLOAT_STYLE_FMT_V);
    et_buf_append(out, n ? text : "null", n ? n : 4);
    return done(out);
}

/* ---- jansson values the Go way ---------------------------------------------------- */

struct key_ref {
    const char *key;
    size_t len;
    json_t *value;
};

static int compare_keys(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static void append_object_sorted(struct et_buf *out, const json_t *object)
{
    size_t n = json_object_size(object);
    struct key_ref *keys = et_xmalloc((n ? n : 1) * sizeof *keys);
    size_t i = 0;
    for (void *it = json_object_iter((json_t *)object); it && i < n;
         it = json_object_iter_next((json_t *)object, it)) {
        keys[i].key = json_object_iter_key(it);
        keys[i].len = json_object_iter_key_len(it);
        keys[i].value = json_object_iter_value(it);
        i++;
    }
    qsort(keys, i, sizeof *keys, compare_keys);
    et_buf_putc(out, '{');
    for (size_t k = 0; k < i && !out->failed; k++) {
        if (k)
            et_buf_putc(out, ',');
        et_json_append_string(out, keys[k].key, keys[k].len);
        et_buf_putc(out, ':');
        frame_gojson_append_value(out, keys[k].value);
    }
    et_buf_putc(out, '}');
    free(keys);
}

int frame_gojson_append_value(struct et_buf *out, const json_t *value)
{
    if (!value) {
        et_buf_append_str(out, "null");
        return done(out);
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        append_object_sorted(out, value);
        break;
    case JSON_ARRAY:
        et_buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(value) && !out->failed; i++) {
            if (i)
                et_buf_putc(out, ',');
            frame_gojson_append_value(out, json_array_get(value, i));
        }
        et_buf_putc(out, ']');
        break;
    case JSON_STRING:
        et_json_append_string(out, json_string_value(value), json_string_length(value));
        break;
    case JSON_INTEGER:
        et_buf_printf(out, "%" PRId64, (int64_t)json_integer_value(value));
        break;
    case JSON_REAL:
        frame_gojson_append_float64(out, json_real_value(value));
        break;
    case JSON_TRUE:
        et_buf_append_str(out, "true");
        break;
    case JSON_FALSE:
        et_buf_append_str(out, "false");
        break;
    default:
        et_buf_append_str(out, "null");
        break;
    }
    return done(out);
}

/* ---- FrameMeta ------------------------------------------------------------------ */

static const char *severity_name(enum frame_notice_severity s)
{
    switch (s) {
    case FRAME_NOTICE_WARNING:
        return "warning";
    case FRAME_NOTICE_ERROR:
        return "error";
    default:
        return "info";
    }
}

static void append_notices(struct et_buf *out, bool *first, const struct frame_meta *m)
{
    if (m->notice_count == 0)
        return;
    key(out, first, "notices");
    et_buf_putc(out, '[');
    for (size_t i = 0; i < m->notice_count; i++) {
        if (i)
            et_buf_putc(out, ',');
        et_buf_append_str(out, "{\"severity\":\"");
        et_buf_append_str(out, severity_name(m->notices[i].severity));
        et_buf_append_str(out, "\",\"text\":");
        et_json_append_cstring(out, m->notices[i].text);
        et_buf_putc(out, '}');
    }
    et_buf_putc(out, ']');
}

int frame_meta_write_json(const struct frame *frame, struct et_buf *out)
{
    const struct frame_meta *m = &frame->meta;
    if (m->raw) {
        et_buf_append_str(out, m->raw);
        return done(out);
    }
    bool first = true;
    et_buf_putc(out, '{');
    string_member(out, &first, "type", m->type);
    key(out, &first, "typeVersion");
    et_buf_printf(out, "[%u,%u]", m->type_version[0], m->type_version[1]);
    if (m->custom) {
        key(out, &first, "custom");
        frame_gojson_append_value(out, m->custom);
    }
    append_notices(out, &first, m);
    string_member(out, &first, "preferredVisualisationType", m->preferred_vis);
    string_member(out, &first, "executedQueryString", m->executed_query);
    if (m->unique_row_id_count) {
        key(out, &first, "uniqueRowIdFields");
        et_buf_putc(out, '[');
        for (size_t i = 0; i < m->unique_row_id_count; i++)
            et_buf_printf(out, "%s%d", i ? "," : "", m->unique_row_id_fields[i]);
        et_buf_putc(out, ']');
    }
    et_buf_putc(out, '}');
    return done(out);
}

/* ---- FieldConfig --------------------------------------------------------------------- */

static void append_link(struct et_buf *out, const struct frame_link *link)
{
    bool first = true;
    et_buf_putc(out, '{');
    string_member(out, &first, "title", link->title);
    if (link->target_blank) {
        key(out, &first, "targetBlank");
        et_buf_append_str(out, "true");
    }
    string_member(out, &first, "url", link->url);
    if (link->internal) {
        key(out, &first, "internal");
        bool ifirst = true;
        et_buf_putc(out, '{');
        if (link->query) {
            key(out, &ifirst, "query");
            frame_gojson_append_value(out, link->query);
        }
        string_member(out, &ifirst, "datasourceUid", link->datasource_uid);
        string_member(out, &ifirst, "datasourceName", link->datasource_name);
        et_buf_putc(out, '}');
    }
    et_buf_putc(out, '}');
}

static void append_enum(struct et_buf *out, bool *first, const struct frame_field_config *c)
{
    if (!c->has_enum)
        return;
    key(out, first, "type");
    et_buf_append_str(out, "{\"enum\":{\"text\":[");
    for (size_t i = 0; i < c->enum_count; i++) {
        if (i)
            et_buf_putc(out, ',');
        et_json_append_cstring(out, c->enum_text[i]);
    }
    et_buf_append_str(out, "]}}");
}

int frame_config_write_json(const struct frame_field *field, struct et_buf *out)
{
    const struct frame_field_config *c = &field->config;
    if (c->raw) {
        et_buf_append_str(out, c->raw);
        return done(out);
    }
    bool first = true;
    et_buf_putc(out, '{');
    string_member(out, &first, "displayName", c->display_name);
    string_member(out, &first, "displayNameFromDS", c->display_name_from_ds);
    string_member(out, &first, "description", c->description);
    if (c->has_filterable) {
        key(out, &first, "filterable");
        et_buf_append_str(out, c->filterable ? "true" : "false");
    }
    string_member(out, &first, "unit", c->unit);
    if (c->has_decimals) {
        key(out, &first, "decimals");
        et_buf_printf(out, "%u", c->decimals);
    }
    if (c->has_min) {
        key(out, &first, "min");
        frame_gojson_append_fmt_v(out, c->min);
    }
    if (c->has_max) {
        key(out, &first, "max");
        frame_gojson_append_fmt_v(out, c->max);
    }
    if (c->interval != 0) {
        key(out, &first, "interval");
        frame_gojson_append_float64(out, c->interval);
    }
    if (c->link_count) {
        key(out, &first, "links");
        et_buf_putc(out, '[');
        for (size_t i = 0; i < c->link_count; i++) {
            if (i)
                et_buf_putc(out, ',');
            append_link(out, &c->links[i]);
        }
        et_buf_putc(out, ']');
    }
    string_member(out, &first, "noValue", c->no_value);
    append_enum(out, &first, c);
    if (c->custom && json_object_size(c->custom) > 0) { /* Go: map omitempty */
        key(out, &first, "custom");
        frame_gojson_append_value(out, c->custom);
    }
    et_buf_putc(out, '}');
    return done(out);
}

/* ---- labels -------------------------------------------------------------------------- */

int frame_labels_write_json(const struct frame_field *field, struct et_buf *out)
{
    et_buf_putc(out, '{');
    for (size_t i = 0; i < field->label_count; i++) {
        if (i)
            et_buf_putc(out, ',');
        et_json_append_cstring(out, field->labels[i].key);
        et_buf_putc(out, ':');
        et_json_append_cstring(out, field->labels[i].value);
    }
    et_buf_putc(out, '}');
    return done(out);
}
