/* SPDX-License-Identifier: Apache-2.0
 *
 * Test support: build a frame from its canonical JSON description (see
 * frame_spec.h) using only the public frame API: typed appends, labels via
 * frame_field_set_label(), meta and config as exact JSON text.
 */
#include "frame_spec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct type_name {
    const char *name;
    enum frame_type type;
};

static const struct type_name type_names[] = {
    {"int8", FRAME_INT8},       {"int16", FRAME_INT16},       {"int32", FRAME_INT32},
    {"int64", FRAME_INT64},     {"uint8", FRAME_UINT8},       {"uint16", FRAME_UINT16},
    {"uint32", FRAME_UINT32},   {"uint64", FRAME_UINT64},     {"float32", FRAME_FLOAT32},
    {"float64", FRAME_FLOAT64}, {"bool", FRAME_BOOL},         {"utf8", FRAME_STRING},
    {"binary", FRAME_JSON},     {"timestamp:3:", FRAME_TIME},
};

static int parse_type(const char *name, const char *tstype, enum frame_type *out)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcmp(type_names[i].name, name) == 0) {
            *out = type_names[i].type;
            if (*out == FRAME_UINT16 && tstype && strcmp(tstype, "enum") == 0)
                *out = FRAME_ENUM;
            return 0;
        }
    }
    return -1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode hex into a malloc'd buffer; NULL when malformed. */
static char *hex_decode(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2)
        return NULL;
    char *out = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (char)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

static char *dump_compact(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int append_number(struct frame_field *f, enum frame_type t, const char *s)
{
    char *end;
    errno = 0;
    if (t == FRAME_FLOAT32 || t == FRAME_FLOAT64) {
        uint64_t bits = strtoull(s, &end, 16);
        if (*end || errno)
            return -1;
        if (t == FRAME_FLOAT32) {
            uint32_t b32 = (uint32_t)bits;
            float v;
            memcpy(&v, &b32, 4);
            frame_field_append_float(f, v);
        } else {
            double v;
            memcpy(&v, &bits, 8);
            frame_field_append_float(f, v);
        }
        return 0;
    }
    if (t == FRAME_UINT8 || t == FRAME_UINT16 || t == FRAME_UINT32 || t == FRAME_UINT64 ||
        t == FRAME_ENUM) {
        uint64_t v = strtoull(s, &end, 10);
        if (*end || errno)
            return -1;
        frame_field_append_uint(f, v);
        return 0;
    }
    int64_t v = strtoll(s, &end, 10);
    if (*end || errno)
        return -1;
    if (t == FRAME_TIME)
        frame_field_append_time_ns(f, v);
    else
        frame_field_append_int(f, v);
    return 0;
}

static int append_value(struct frame_field *f, enum frame_type t, const json_t *v)
{
    if (json_is_null(v)) {
        frame_field_append_null(f);
        return 0;
    }
    if (t == FRAME_BOOL) {
        if (!json_is_boolean(v))
            return -1;
        frame_field_append_bool(f, json_is_true(v));
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    if (t != FRAME_STRING && t != FRAME_JSON)
        return append_number(f, t, json_string_value(v));
    size_t len;
    char *bytes = hex_decode(json_string_value(v), &len);
    if (!bytes)
        return -1;
    if (t == FRAME_STRING)
        frame_field_append_string(f, bytes, len);
    else
        frame_field_append_json(f, bytes, len);
    free(bytes);
    return 0;
}

static int build_field(struct frame *frame, const json_t *spec, char *why, size_t n)
{
    const char *name = json_string_value(json_object_get(spec, "name"));
    const char *type_name = json_string_value(json_object_get(spec, "type"));
    json_t *md = json_object_get(spec, "metadata");
    const char *tstype = json_string_value(json_object_get(md, "tstype"));
    enum frame_type type;
    if (!name || !type_name || parse_type(type_name, tstype, &type) < 0) {
        snprintf(why, n, "field: missing name or unknown type %s", type_name ? type_name : "");
        return -1;
    }
    struct frame_field *f =
        frame_add_field(frame, name, type, json_is_true(json_object_get(spec, "nullable")));
    json_t *labels = json_object_get(md, "labels");
    if (json_is_object(labels)) {
        frame_field_set_empty_labels(f);
        const char *key;
        json_t *value;
        json_object_foreach(labels, key, value)
            frame_field_set_label(f, key, json_string_value(value));
    }
    json_t *config = json_object_get(md, "config");
    if (config) {
        char *text = dump_compact(config);
        frame_field_set_config_raw(f, text);
        free(text);
    }
    json_t *values = json_object_get(spec, "values");
    for (size_t i = 0; i < json_array_size(values); i++) {
        if (append_value(f, type, json_array_get(values, i)) < 0) {
            snprintf(why, n, "field %s: bad value at row %zu", name, i);
            return -1;
        }
    }
    return 0;
}

struct frame *frame_spec_build(const json_t *spec, char *why, size_t n)
{
    json_t *md = json_object_get(spec, "metadata");
    const char *name = json_string_value(json_object_get(md, "name"));
    struct frame *frame = frame_new(name ? name : "");
    const char *ref_id = json_string_value(json_object_get(md, "refId"));
    frame_set_ref_id(frame, ref_id ? ref_id : "");
    json_t *meta = json_object_get(md, "meta");
    if (meta) {
        char *text = dump_compact(meta);
        frame_meta_set_raw(frame, text);
        free(text);
    }
    json_t *fields = json_object_get(spec, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        if (build_field(frame, json_array_get(fields, i), why, n) < 0) {
            frame_free(frame);
            return NULL;
        }
    }
    return frame;
}
