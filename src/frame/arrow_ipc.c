/* SPDX-License-Identifier: Apache-2.0
 *
 * Arrow IPC *file* writer for one frame: frame_write_arrow() (encode.h).
 *
 * Output, in order (notes/frames.md §2.2): "ARROW1\0\0", the schema message,
 * one record-batch message and its body (none when the frame has no rows),
 * the end-of-stream marker, the footer flatbuffer, its int32 length and
 * "ARROW1". Flatbuffers are built back to front with arrow-go's call order
 * (§2.12) and buffers keep arrow-go's validity-bitmap lengths, so the bytes
 * equal Frame.MarshalArrow()'s.
 *
 * DESIGN: everything small (metadata JSON, the three flatbuffers, buffer
 * descriptors) is prepared first, the exact file size is reserved once in
 * `out` (so a size limit fails before any copying), then the body is written
 * with one memcpy per column buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "frame/encode.h"
#include "frame/flatbuf.h"
#include "frame/frame_int.h"
#include "frame/frame_meta_json.h"

enum {
    ARROW_METADATA_V5 = 4,
    ARROW_HEADER_SCHEMA = 1,
    ARROW_HEADER_RECORD_BATCH = 3,
    ARROW_TYPE_INT = 2,
    ARROW_TYPE_FLOAT = 3,
    ARROW_TYPE_BINARY = 4,
    ARROW_TYPE_UTF8 = 5,
    ARROW_TYPE_BOOL = 6,
    ARROW_TYPE_TIMESTAMP = 10,
    ARROW_PRECISION_SINGLE = 1,
    ARROW_PRECISION_DOUBLE = 2,
    ARROW_UNIT_NANOSECOND = 3,
};

#define NO_TEXT SIZE_MAX

/* Metadata JSON texts, made once and used by both schema copies. */
struct field_texts {
    size_t config_off, config_len; /* config_off == NO_TEXT: no config */
    size_t labels_off, labels_len; /* labels_off == NO_TEXT: no labels */
};

struct schema_texts {
    struct et_buf text; /* every JSON text back to back */
    size_t meta_off, meta_len;
    struct field_texts *fields;
};

/* One body buffer: `len` bytes taken from `src` (first `src_len` bytes, the
 * rest zero), placed at `offset` in the body and padded to 8. */
struct body_buffer {
    const void *src;
    size_t src_len;
    size_t len;
    size_t offset;
};

struct batch_plan {
    struct body_buffer *buffers;
    size_t buffer_count;
    size_t body_len;
};

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static size_t pad64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static size_t next_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* ---- metadata texts --------------------------------------------------------- */

static void append_text(struct et_buf *text, size_t *off, size_t *len,
                        int (*write)(const struct frame_field *, struct et_buf *),
                        const struct frame_field *field)
{
    *off = text->len;
    write(field, text);
    *len = text->len - *off;
}

static void schema_texts_init(struct schema_texts *t, const struct frame *frame)
{
    et_buf_init(&t->text, ET_BUF_UNLIMITED);
    t->meta_off = NO_TEXT;
    t->meta_len = 0;
    if (frame_has_meta(frame)) {
        t->meta_off = t->text.len;
        frame_meta_write_json(frame, &t->text);
        t->meta_len = t->text.len - t->meta_off;
    }
    t->fields = et_xcalloc(frame->field_count ? frame->field_count : 1, sizeof *t->fields);
    for (size_t i = 0; i < frame->field_count; i++) {
        const struct frame_field *f = frame->fields[i];
        struct field_texts *ft = &t->fields[i];
        ft->config_off = ft->labels_off = NO_TEXT;
        if (frame_field_has_config(f))
            append_text(&t->text, &ft->config_off, &ft->config_len, frame_config_write_json, f);
        if (f->has_labels)
            append_text(&t->text, &ft->labels_off, &ft->labels_len, frame_labels_write_json, f);
    }
}

static void schema_texts_cleanup(struct schema_texts *t)
{
    et_buf_cleanup(&t->text);
    free(t->fields);
}

/* ---- schema flatbuffer --------------------------------------------------------- */

struct key_value {
    const char *key;
    const char *value;
    size_t value_len;
};

/* KeyValue tables (key string, value string, table) and their vector. */
static uint32_t build_key_values(struct fb_builder *b, const struct key_value *kv, size_t n)
{
    uint32_t tables[3];
    for (size_t i = 0; i < n; i++) {
        uint32_t k = fb_create_string(b, kv[i].key, strlen(kv[i].key));
        uint32_t v = fb_create_string(b, kv[i].value, kv[i].value_len);
        fb_start_object(b, 2);
        fb_add_offset(b, 0, k);
        fb_add_offset(b, 1, v);
        tables[i] = fb_end_object(b);
    }
    return fb_create_offset_vector(b, tables, n);
}

/* The Arrow type table of a field; sets *tag to its union tag. */
static uint32_t build_type(struct fb_builder *b, enum frame_type type, uint8_t *tag)
{
    size_t width = frame_type_width(type);
    switch (type) {
    case FRAME_INT8:
    case FRAME_INT16:
    case FRAME_INT32:
    case FRAME_INT64:
    case FRAME_UINT8:
    case FRAME_UINT16:
    case FRAME_UINT32:
    case FRAME_UINT64:
    case FRAME_ENUM:
        *tag = ARROW_TYPE_INT;
        fb_start_object(b, 2);
        fb_add_i32(b, 0, (int32_t)(width * 8), 0);
        fb_add_u8(b, 1, type <= FRAME_INT64 ? 1 : 0, 0);
        return fb_end_object(b);
    case FRAME_FLOAT32:
    case FRAME_FLOAT64:
        *tag = ARROW_TYPE_FLOAT;
        fb_start_object(b, 1);
        fb_add_i16(b, 0, type == FRAME_FLOAT64 ? ARROW_PRECISION_DOUBLE : ARROW_PRECISION_SINGLE,
                   0);
        return fb_end_object(b);
    case FRAME_TIME:
        *tag = ARROW_TYPE_TIMESTAMP;
        fb_start_object(b, 2);
        fb_add_i16(b, 0, ARROW_UNIT_NANOSECOND, 0);
        return fb_end_object(b);
    case FRAME_BOOL:
        *tag = ARROW_TYPE_BOOL;
        break;
    case FRAME_JSON:
        *tag = ARROW_TYPE_BINARY;
        break;
    default:
        *tag = ARROW_TYPE_UTF8;
        break;
    }
    fb_start_object(b, 0);
    return fb_end_object(b);
}

static uint32_t build_field(struct fb_builder *b, const struct frame_field *f,
                            const struct field_texts *ft, const struct et_buf *text)
{
    uint32_t name = fb_create_string(b, f->name, strlen(f->name));
    uint8_t tag;
    uint32_t type = build_type(b, f->type, &tag);
    fb_start_vector(b, 4, 0, 4);
    uint32_t children = fb_end_vector(b, 0);

    struct key_value kv[3];
    size_t n = 0;
    if (ft->config_off != NO_TEXT)
        kv[n++] = (struct key_value){"config", text->data + ft->config_off, ft->config_len};
    if (ft->labels_off != NO_TEXT)
        kv[n++] = (struct key_value){"labels", text->data + ft->labels_off, ft->labels_len};
    const char *tstype = frame_type_tstype(f->type);
    kv[n++] = (struct key_value){"tstype", tstype, strlen(tstype)};
    uint32_t metadata = build_key_values(b, kv, n);

    fb_start_object(b, 7);
    fb_add_offset(b, 0, name);
    fb_add_u8(b, 1, f->nullable ? 1 : 0, 0);
    fb_add_u8(b, 2, tag, 0);
    fb_add_offset(b, 3, type);
    fb_add_offset(b, 5, children);
    fb_add_offset(b, 6, metadata);
    return fb_end_object(b);
}

static uint32_t build_schema(struct fb_builder *b, const struct frame *frame,
                             const struct schema_texts *t)
{
    uint32_t *fields = et_xmalloc((frame->field_count ? frame->field_count : 1) * sizeof *fields);
    for (size_t i = 0; i < frame->field_count; i++)
        fields[i] = build_field(b, frame->fields[i], &t->fields[i], &t->text);
    uint32_t field_vector = fb_create_offset_vector(b, fields, frame->field_count);
    free(fields);

    struct key_value kv[3];
    size_t n = 0;
    if (t->meta_off != NO_TEXT)
        kv[n++] = (struct key_value){"meta", t->text.data + t->meta_off, t->meta_len};
    kv[n++] = (struct key_value){"name", frame->name, strlen(frame->name)};
    kv[n++] = (struct key_value){"refId", frame->ref_id, strlen(frame->ref_id)};
    uint32_t metadata = build_key_values(b, kv, n);

    fb_start_object(b, 4);
    fb_add_offset(b, 1, field_vector);
    fb_add_offset(b, 2, metadata);
    return fb_end_object(b);
}

static void finish_message(struct fb_builder *b, uint8_t header_type, uint32_t header,
                           int64_t body_len)
{
    fb_start_object(b, 5);
    fb_add_i16(b, 0, ARROW_METADATA_V5, 0);
    fb_add_u8(b, 1, header_type, 0);
    fb_add_offset(b, 2, header);
    fb_add_i64(b, 3, body_len, 0);
    fb_finish(b, fb_end_object(b));
}

/* Bytes an encapsulated message takes: marker, length, flatbuffer, padding. */
static size_t framed_size(const struct fb_builder *b)
{
    return pad8(8 + fb_size(b));
}

static void append_framed(struct et_buf *out, const struct fb_builder *b)
{
    size_t total = framed_size(b);
    uint32_t marker = 0xFFFFFFFFu;
    int32_t len = (int32_t)(total - 8);
    et_buf_append(out, &marker, 4);
    et_buf_append(out, &len, 4);
    et_buf_append(out, fb_data(b), fb_size(b));
    et_buf_append_zeros(out, total - 8 - fb_size(b));
}

/* ---- record batch ------------------------------------------------------------------- */

static void plan_buffer(struct batch_plan *p, const void *src, size_t src_len, size_t len)
{
    struct body_buffer *buf = &p->buffers[p->buffer_count++];
    buf->src = src;
    buf->src_len = src_len < len ? src_len : len;
    buf->len = len;
    buf->offset = p->body_len;
    p->body_len += pad8(len);
}

/* Validity bitmap length arrow-go writes (notes/frames.md §2.12 point 3). */
static size_t validity_len(const struct frame_field *f, size_t rows)
{
    const struct frame_column *col = &f->col;
    size_t bytes = (rows + 7) / 8;
    if (col->null_count == 0)
        return 0;
    if (col->null_count == rows)
        return pad64(bytes);
    size_t cap_bytes = frame_type_is_varwidth(f->type)
                           ? (next_pow2(rows) + 7) / 8
                           : (next_pow2(rows) < 32 ? 32 : next_pow2(rows)) / 8;
    return cap_bytes < pad64(bytes) ? cap_bytes : pad64(bytes);
}

static void plan_batch(struct batch_plan *p, const struct frame *frame, size_t rows)
{
    p->buffers = et_xmalloc((frame->field_count ? frame->field_count : 1) * 3 * sizeof *p->buffers);
    p->buffer_count = 0;
    p->body_len = 0;
    for (size_t i = 0; i < frame->field_count; i++) {
        const struct frame_field *f = frame->fields[i];
        const struct frame_column *col = &f->col;
        size_t vlen = validity_len(f, rows);
        size_t vsrc = col->null_count == rows ? 0 : (rows + 7) / 8;
        plan_buffer(p, col->validity, col->validity ? vsrc : 0, vlen);
        if (frame_type_is_varwidth(f->type)) {
            plan_buffer(p, col->offsets, (rows + 1) * 4, (rows + 1) * 4);
            plan_buffer(p, col->values, col->values_len, col->values_len);
        } else if (f->type == FRAME_BOOL) {
            plan_buffer(p, col->values, (rows + 7) / 8, (rows + 7) / 8);
        } else {
            plan_buffer(p, col->values, rows * col->width, rows * col->width);
        }
    }
}

static void build_batch_message(struct fb_builder *b, const struct frame *frame,
                                const struct batch_plan *p, size_t rows)
{
    fb_start_vector(b, 16, frame->field_count, 8);
    for (size_t i = frame->field_count; i-- > 0;) {
        fb_prep(b, 8, 16);
        fb_prepend_i64(b, (int64_t)frame->fields[i]->col.null_count);
        fb_prepend_i64(b, (int64_t)rows);
    }
    uint32_t nodes = fb_end_vector(b, frame->field_count);
    fb_start_vector(b, 16, p->buffer_count, 8);
    for (size_t i = p->buffer_count; i-- > 0;) {
        fb_prep(b, 8, 16);
        fb_prepend_i64(b, (int64_t)p->buffers[i].len);
        fb_prepend_i64(b, (int64_t)p->buffers[i].offset);
    }
    uint32_t buffers = fb_end_vector(b, p->buffer_count);
    fb_start_object(b, 5);
    fb_add_i64(b, 0, (int64_t)rows, 0);
    fb_add_offset(b, 1, nodes);
    fb_add_offset(b, 2, buffers);
    finish_message(b, ARROW_HEADER_RECORD_BATCH, fb_end_object(b), (int64_t)p->body_len);
}

static void append_body(struct et_buf *out, const struct batch_plan *p)
{
    for (size_t i = 0; i < p->buffer_count; i++) {
        const struct body_buffer *buf = &p->buffers[i];
        if (buf->src_len)
            et_buf_append(out, buf->src, buf->src_len);
        et_buf_append_zeros(out, pad8(buf->len) - buf->src_len);
    }
}

/* ---- footer and file ------------------------------------------------------------------ */

struct block {
    int64_t offset;
    int32_t metadata_len;
    int64_t body_len;
};

static void build_footer(struct fb_builder *b, const struct frame *frame,
                         const struct schema_texts *t, const struct block *blocks, size_t n)
{
    uint32_t schema = build_schema(b, frame, t);
    fb_start_vector(b, 24, 0, 8);
    uint32_t dictionaries = fb_end_vector(b, 0);
    fb_start_vector(b, 24, n, 8);
    for (size_t i = n; i-- > 0;) {
        fb_prep(b, 8, 24);
        fb_prepend_i64(b, blocks[i].body_len);
        fb_prep(b, 4, 0);
        fb_pad(b, 4);
        fb_prepend_i32(b, blocks[i].metadata_len);
        fb_prepend_i64(b, blocks[i].offset);
    }
    uint32_t batches = fb_end_vector(b, n);
    fb_start_object(b, 5);
    fb_add_i16(b, 0, ARROW_METADATA_V5, 0);
    fb_add_offset(b, 1, schema);
    fb_add_offset(b, 2, dictionaries);
    fb_add_offset(b, 3, batches);
    fb_finish(b, fb_end_object(b));
}

static const char arrow_magic[8] = {'A', 'R', 'R', 'O', 'W', '1', 0, 0};
static const uint8_t end_of_stream[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};

struct arrow_file {
    struct schema_texts texts;
    struct fb_builder schema_msg;
    struct fb_builder batch_msg;
    struct fb_builder footer;
    struct batch_plan plan;
    size_t rows;
};

static void arrow_file_prepare(struct arrow_file *a, const struct frame *frame)
{
    a->rows = frame_row_count(frame);
    schema_texts_init(&a->texts, frame);
    fb_init(&a->schema_msg);
    fb_init(&a->batch_msg);
    fb_init(&a->footer);
    memset(&a->plan, 0, sizeof a->plan);

    finish_message(&a->schema_msg, ARROW_HEADER_SCHEMA,
                   build_schema(&a->schema_msg, frame, &a->texts), 0);
    struct block block = {0};
    size_t nblocks = 0;
    if (a->rows > 0) {
        plan_batch(&a->plan, frame, a->rows);
        build_batch_message(&a->batch_msg, frame, &a->plan, a->rows);
        block.offset = (int64_t)(sizeof arrow_magic + framed_size(&a->schema_msg));
        block.metadata_len = (int32_t)framed_size(&a->batch_msg);
        block.body_len = (int64_t)a->plan.body_len;
        nblocks = 1;
    }
    build_footer(&a->footer, frame, &a->texts, &block, nblocks);
}

static size_t arrow_file_size(const struct arrow_file *a)
{
    size_t n = sizeof arrow_magic + framed_size(&a->schema_msg);
    if (a->rows > 0)
        n += framed_size(&a->batch_msg) + a->plan.body_len;
    return n + sizeof end_of_stream + fb_size(&a->footer) + 4 + 6;
}

static void arrow_file_write(const struct arrow_file *a, struct et_buf *out)
{
    et_buf_append(out, arrow_magic, sizeof arrow_magic);
    append_framed(out, &a->schema_msg);
    if (a->rows > 0) {
        append_framed(out, &a->batch_msg);
        append_body(out, &a->plan);
    }
    et_buf_append(out, end_of_stream, sizeof end_of_stream);
    et_buf_append(out, fb_data(&a->footer), fb_size(&a->footer));
    int32_t footer_len = (int32_t)fb_size(&a->footer);
    et_buf_append(out, &footer_len, 4);
    et_buf_append(out, arrow_magic, 6);
}

static void arrow_file_cleanup(struct arrow_file *a)
{
    schema_texts_cleanup(&a->texts);
    fb_cleanup(&a->schema_msg);
    fb_cleanup(&a->batch_msg);
    fb_cleanup(&a->footer);
    free(a->plan.buffers);
}

int frame_write_arrow(const struct frame *frame, struct et_buf *out, struct et_error *err)
{
    if (frame_validate(frame, err) < 0)
        return -1;
    struct arrow_file a;
    arrow_file_prepare(&a, frame);
    size_t size = arrow_file_size(&a);
    size_t start = out->len;
    int rc = 0;
    if (out->failed || et_buf_reserve(out, size) < 0) {
        rc = et_error_set(err, 413, ET_SOURCE_PLUGIN,
                          "frame \"%s\": %zu bytes of Arrow data do not fit the response limit "
                          "of %zu bytes",
                          frame->name, size, out->limit);
    } else {
        arrow_file_write(&a, out);
        if (out->failed || out->len - start != size)
            rc = et_error_set(err, 500, ET_SOURCE_PLUGIN,
                              "frame \"%s\": Arrow encoding wrote %zu bytes, expected %zu",
                              frame->name, out->len - start, size);
    }
    arrow_file_cleanup(&a);
    return rc;
}
