/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for src/frame: the input is a little program that builds
 * a frame through the public API -- fields of any type, appends of any kind
 * (often the wrong kind, on purpose), nulls, labels, config, meta, raw JSON
 * texts taken from the input -- and then encodes it as Arrow and as JSON,
 * with and without a size limit.
 *
 * Oracles besides "no crash, no leak, no UB": an encoder either succeeds or
 * returns 500/413 with a message; a successful JSON frame parses as JSON; a
 * successful Arrow file starts and ends with the magic and its footer length
 * points inside the file.
 *
 * Input format (bytes): [name len][name][op]... where each op is one byte
 * followed by its operands; running out of input ends the program (missing
 * operands read as zero). Ops: 0..23 add a field (odd: nullable) with a name
 * and a type byte (mod 16, so 15 is an invalid type); 24..159 append, kind =
 * op % 10 (run_append); 160..219 field labels/config, kind = (op - 160) % 12;
 * 220..255 frame meta, kind = (op - 220) % 8.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "frame/encode.h"
#include "frame/frame.h"
#include "frame/frame_helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t take_u8(struct input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t take_u64(struct input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take_u8(in);
    return v;
}

/* A byte slice of length given by the next byte (0..255), bounded by the input. */
static const char *take_bytes(struct input *in, size_t *len)
{
    size_t want = take_u8(in);
    if (want > in->n)
        want = in->n;
    const char *s = (const char *)in->p;
    in->p += want;
    in->n -= want;
    *len = want;
    return s;
}

/* A NUL-terminated copy of a slice (the caller frees it). */
static char *take_cstring(struct input *in)
{
    size_t len;
    const char *s = take_bytes(in, &len);
    char *out = malloc(len + 1);
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

static json_t *take_json(struct input *in)
{
    size_t len;
    const char *s = take_bytes(in, &len);
    return json_loadb(s, len, JSON_DECODE_ANY, NULL); /* NULL when not JSON: fine */
}

static struct frame_field *pick_field(struct frame *f, struct input *in)
{
    size_t count = frame_field_count(f);
    uint8_t i = take_u8(in);
    return i == 255 || count == 0 ? NULL : frame_field_at(f, i % count);
}

static double take_double(struct input *in)
{
    uint64_t bits = take_u64(in);
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static void run_append(struct frame *f, struct input *in, uint8_t op)
{
    struct frame_field *field = pick_field(f, in);
    size_t len;
    const char *s;
    switch (op % 10) {
    case 0:
        frame_field_append_null(field);
        break;
    case 1:
        frame_field_append_int(field, (int64_t)take_u64(in));
        break;
    case 2:
        frame_field_append_uint(field, take_u64(in));
        break;
    case 3:
        frame_field_append_float(field, take_double(in));
        break;
    case 4:
        frame_field_append_bool(field, take_u8(in) & 1);
        break;
    case 5:
        frame_field_append_time_ns(field, (int64_t)take_u64(in));
        break;
    case 6:
        frame_field_append_time_ms(field, (int64_t)take_u64(in));
        break;
    case 7:
        s = take_bytes(in, &len);
        frame_field_append_string(field, s, len);
        break;
    case 8:
        s = take_bytes(in, &len);
        frame_field_append_json(field, s, len);
        break;
    default: {
        double v[32];
        int64_t iv[32];
        size_t n = take_u8(in) % 32;
        for (size_t i = 0; i < n; i++) {
            v[i] = take_double(in);
            memcpy(&iv[i], &v[i], 8);
        }
        frame_field_append_floats(field, v, n);
        frame_field_append_ints(field, iv, n);
        frame_field_append_times_ns(field, iv, n);
    }
    }
}

static void run_field_config(struct frame *f, struct input *in, uint8_t op)
{
    struct frame_field *field = pick_field(f, in);
    char *text = take_cstring(in);
    switch (op % 12) {
    case 0:
        frame_field_set_label(field, text, text + strlen(text) / 2);
        break;
    case 1:
        frame_field_set_unit(field, text);
        break;
    case 2:
        frame_field_set_display_name_from_ds(field, text);
        break;
    case 3:
        frame_field_set_decimals(field, (unsigned)take_u64(in));
        break;
    case 4:
        frame_field_set_min(field, take_double(in));
        frame_field_set_max(field, take_double(in));
        break;
    case 5:
        frame_field_set_interval(field, take_double(in));
        break;
    case 6:
        frame_field_add_internal_link(field, text, text, NULL, take_json(in));
        break;
    case 7:
        frame_field_add_url_link(field, text, text, take_u8(in) & 1);
        break;
    case 8:
        frame_field_set_config_custom(field, take_json(in));
        break;
    case 9:
        frame_field_set_config_raw(field, text);
        break;
    case 10: {
        const char *texts[3] = {text, "", text};
        frame_field_set_enum_text(field, texts, take_u8(in) % 4);
        break;
    }
    default:
        frame_field_set_empty_labels(field);
        frame_field_set_empty_config(field);
        frame_field_set_filterable(field, take_u8(in) & 1);
        frame_field_set_description(field, text);
        frame_field_set_no_value(field, text);
        frame_field_set_display_name(field, text);
    }
    free(text);
}

static void run_meta(struct frame *f, struct input *in, uint8_t op)
{
    char *text = take_cstring(in);
    switch (op % 8) {
    case 0:
        frame_meta_set_type(f, text, take_u8(in), take_u8(in));
        break;
    case 1:
        frame_meta_add_notice(f, (enum frame_notice_severity)(take_u8(in) % 4), text);
        break;
    case 2:
        frame_meta_set_executed_query(f, text);
        frame_meta_append_executed_query(f, text);
        break;
    case 3:
        frame_meta_set_custom(f, take_json(in));
        break;
    case 4:
        frame_meta_set_raw(f, take_u8(in) & 1 ? text : NULL);
        break;
    case 5: {
        int ids[4] = {take_u8(in), take_u8(in), -1, 0};
        frame_meta_set_unique_row_id_fields(f, ids, take_u8(in) % 5);
        break;
    }
    case 6:
        frame_meta_set_preferred_visualisation(f, text);
        frame_set_ref_id(f, text);
        break;
    default:
        frame_add_trace_id_field(f, text, take_u8(in) & 1 ? text : NULL, text);
    }
    free(text);
}

static void check_arrow(const struct et_buf *out)
{
    if (out->len < 26 || memcmp(out->data, "ARROW1\0\0", 8) != 0 ||
        memcmp(out->data + out->len - 6, "ARROW1", 6) != 0)
        abort();
    int32_t footer;
    memcpy(&footer, out->data + out->len - 10, 4);
    if (footer <= 0 || (size_t)footer > out->len - 18)
        abort();
}

static void check_json(const struct et_buf *out)
{
    json_error_t jerr;
    json_t *v = json_loadb(out->data, out->len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
    if (!v) { /* our JSON frame writer produced invalid JSON */
        fprintf(stderr, "invalid JSON frame (%s at %d): %.*s\n", jerr.text, jerr.position,
                (int)(out->len < 2000 ? out->len : 2000), out->data);
        abort();
    }
    json_decref(v);
}

static void encode_all(const struct frame *f, size_t limit)
{
    for (int format = 0; format < 2; format++) {
        struct et_buf out;
        struct et_error err;
        et_buf_init(&out, limit);
        et_error_clear(&err);
        int rc = frame_write(f, (enum frame_format)format, &out, &err);
        if (rc == 0 && format == FRAME_FORMAT_ARROW)
            check_arrow(&out);
        else if (rc == 0)
            check_json(&out);
        else if ((err.status != 500 && err.status != 413) || err.message[0] == '\0')
            abort();
        et_buf_cleanup(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    char *name = take_cstring(&in);
    struct frame *f = frame_new(name);
    free(name);
    while (in.n > 0) {
        uint8_t op = take_u8(&in);
        if (op < 24) {
            char *field_name = take_cstring(&in);
            frame_add_field(f, field_name, (enum frame_type)(take_u8(&in) % 16), op & 1);
            free(field_name);
        } else if (op < 160) {
            run_append(f, &in, op);
        } else if (op < 220) {
            run_field_config(f, &in, (uint8_t)(op - 160));
        } else {
            run_meta(f, &in, (uint8_t)(op - 220));
        }
    }
    encode_all(f, ET_BUF_UNLIMITED);
    encode_all(f, 64 + size * 4);
    frame_free(f);
    return 0;
}
