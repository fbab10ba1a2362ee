/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/frame/arrow_ipc.c and flatbuf.c: file framing (magic,
 * end-of-stream marker, footer length), 8-byte alignment of every message and
 * buffer, arrow-go's validity-bitmap lengths (notes/frames.md §2.12 point 3)
 * and the flatbuffer builder's bytes for a small table. A minimal reader
 * written for this test walks the footer and the record-batch message.
 */
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "frame/encode.h"
#include "frame/flatbuf.h"
#include "frame/frame.h"
#include "test.h"

/* ---- a tiny flatbuffer reader over one Arrow file ----------------------------- */

static uint32_t u32_at(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int64_t i64_at(const uint8_t *p)
{
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Position of field `slot` of the table at `table`, or NULL when absent. */
static const uint8_t *table_field(const uint8_t *table, int slot)
{
    int32_t soff;
    memcpy(&soff, table, 4);
    const uint8_t *vt = table - soff;
    uint16_t vt_len, off = 0;
    memcpy(&vt_len, vt, 2);
    if (4 + 2 * slot < vt_len)
        memcpy(&off, vt + 4 + 2 * slot, 2);
    return off ? table + off : NULL;
}

static const uint8_t *deref(const uint8_t *p)
{
    return p + u32_at(p);
}

struct batch_view {
    int64_t block_offset;
    int64_t body_len;
    size_t buffer_count;
    int64_t offsets[64];
    int64_t lengths[64];
};

/* Reads the first record batch's buffer list; 0 batches -> buffer_count 0. */
static int read_batch(const uint8_t *file, size_t len, struct batch_view *out)
{
    memset(out, 0, sizeof *out);
    if (len < 26 || memcmp(file, "ARROW1\0\0", 8) != 0 || memcmp(file + len - 6, "ARROW1", 6))
        return -1;
    uint32_t footer_len = u32_at(file + len - 10);
    const uint8_t *footer = file + len - 10 - footer_len;
    if (memcmp(footer - 8, "\xff\xff\xff\xff\0\0\0\0", 8) != 0)
        return -1; /* end-of-stream marker right before the footer */
    const uint8_t *root = deref(footer);
    const uint8_t *batches = deref(table_field(root, 3));
    if (u32_at(batches) == 0)
        return 0;
    const uint8_t *block = batches + 4;
    out->block_offset = i64_at(block);
    out->body_len = i64_at(block + 16);
    const uint8_t *message = file + out->block_offset + 8;
    const uint8_t *rb = deref(table_field(deref(message), 2));
    const uint8_t *buffers = deref(table_field(rb, 2));
    out->buffer_count = u32_at(buffers);
    for (size_t i = 0; i < out->buffer_count && i < 64; i++) {
        out->offsets[i] = i64_at(buffers + 4 + 16 * i);
        out->lengths[i] = i64_at(buffers + 4 + 16 * i + 8);
    }
    return 0;
}

static uint8_t *encode(const struct frame *f, size_t *len)
{
    struct et_buf b;
    struct et_error err;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    if (frame_write_arrow(f, &b, &err) != 0) {
        et_buf_cleanup(&b);
        return NULL;
    }
    return (uint8_t *)et_buf_take(&b, len);
}

/* Validity buffer length of a one-field frame of `rows` rows with nulls at
 * the rows where (row % every == 0). */
static int64_t validity_length(enum frame_type type, size_t rows, size_t every)
{
    struct frame *f = frame_new("v");
    struct frame_field *field = frame_add_field(f, "x", type, true);
    for (size_t r = 0; r < rows; r++) {
        if (r % every == 0)
            frame_field_append_null(field);
        else if (type == FRAME_STRING)
            frame_field_append_cstring(field, "ab");
        else
            frame_field_append_int(field, (int64_t)r);
    }
    size_t len;
    uint8_t *file = encode(f, &len);
    frame_free(f);
    struct batch_view view;
    int rc = file ? read_batch(file, len, &view) : -1;
    free(file);
    return rc == 0 && view.buffer_count > 0 ? view.lengths[0] : -1;
}

static void test_validity_bitmap_lengths_follow_arrow_go(void)
{
    /* numeric: min(max(32, nextpow2(n)) / 8, pad64(ceil(n / 8))) */
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 1, 1), 64); /* all null: pad64(1) */
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 2, 2), 4);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 9, 3), 4);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 33, 3), 8);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 100, 3), 16);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 1000, 3), 128);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 4097, 3), 576);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 9, 1), 64); /* all null */
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 527, 1), 128);
    ASSERT_EQ_INT(validity_length(FRAME_INT64, 50, 1000), 8); /* only row 0 null */
    /* strings: min(ceil(nextpow2(n) / 8), pad64(ceil(n / 8))) */
    ASSERT_EQ_INT(validity_length(FRAME_STRING, 2, 2), 1);
    ASSERT_EQ_INT(validity_length(FRAME_STRING, 9, 3), 2);
    ASSERT_EQ_INT(validity_length(FRAME_STRING, 33, 3), 8);
    ASSERT_EQ_INT(validity_length(FRAME_STRING, 1000, 3), 128);
}

static void test_no_nulls_means_empty_validity(void)
{
    struct frame *f = frame_new("v");
    struct frame_field *field = frame_add_field(f, "x", FRAME_FLOAT64, true);
    double v[3] = {1, 2, 3};
    frame_field_append_floats(field, v, 3);
    size_t len;
    uint8_t *file = encode(f, &len);
    struct batch_view view;
    ASSERT_EQ_INT(read_batch(file, len, &view), 0);
    ASSERT_EQ_UINT(view.buffer_count, 2);
    ASSERT_EQ_INT(view.lengths[0], 0);
    ASSERT_EQ_INT(view.lengths[1], 24);
    free(file);
    frame_free(f);
}

static void test_messages_and_buffers_are_8_aligned(void)
{
    struct frame *f = frame_new("align");
    struct frame_field *s = frame_add_field(f, "s", FRAME_STRING, true);
    struct frame_field *b = frame_add_field(f, "b", FRAME_BOOL, false);
    struct frame_field *i8 = frame_add_field(f, "i8", FRAME_INT8, false);
    for (int r = 0; r < 13; r++) {
        if (r == 4)
            frame_field_append_null(s);
        else
            frame_field_append_cstring(s, "abc");
        frame_field_append_bool(b, r & 1);
        frame_field_append_int(i8, r);
    }
    size_t len;
    uint8_t *file = encode(f, &len);
    struct batch_view view;
    ASSERT_EQ_INT(read_batch(file, len, &view), 0);
    ASSERT_EQ_INT(view.block_offset % 8, 0);
    ASSERT_EQ_INT(view.body_len % 8, 0);
    ASSERT_EQ_UINT(view.buffer_count, 7); /* s: 3, b: 2, i8: 2 */
    int64_t expect_offset = 0;
    for (size_t i = 0; i < view.buffer_count; i++) {
        ASSERT_EQ_INT(view.offsets[i], expect_offset);
        expect_offset += (view.lengths[i] + 7) / 8 * 8;
    }
    ASSERT_EQ_INT(expect_offset, view.body_len);
    ASSERT_EQ_INT(view.lengths[1], 14 * 4); /* 14 int32 offsets */
    ASSERT_EQ_INT(view.lengths[2], 12 * 3); /* 12 non-null "abc" */
    ASSERT_EQ_INT(view.lengths[4], 2);      /* 13 bools in 2 bytes */
    ASSERT_EQ_INT(view.lengths[6], 13);     /* 13 int8 */
    free(file);
    frame_free(f);
}

static void test_zero_rows_and_zero_fields_have_no_batch(void)
{
    struct frame *f = frame_new("empty");
    size_t len;
    uint8_t *file = encode(f, &len);
    struct batch_view view;
    ASSERT_NOT_NULL(file);
    ASSERT_EQ_INT(read_batch(file, len, &view), 0);
    ASSERT_EQ_UINT(view.buffer_count, 0);
    ASSERT_EQ_INT(view.block_offset, 0);
    free(file);
    frame_add_field(f, "x", FRAME_STRING, false);
    file = encode(f, &len);
    ASSERT_EQ_INT(read_batch(file, len, &view), 0);
    ASSERT_EQ_INT(view.block_offset, 0);
    free(file);
    frame_free(f);
}

/* The FloatingPoint(DOUBLE) table of notes/frames.md §3 (file offsets
 * 0x13a..0x147): vtable 06 00 08 00 06 00, then soffset 6, 2 pad, precision 2. */
static void test_flatbuffer_table_bytes(void)
{
    struct fb_builder b;
    fb_init(&b);
    fb_start_object(&b, 1);
    fb_add_i16(&b, 0, 2, 0);
    uint32_t t = fb_end_object(&b);
    static const uint8_t want[] = {0x06, 0x00, 0x08, 0x00, 0x06, 0x00, 0x06,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00};
    ASSERT_EQ_UINT(fb_size(&b), sizeof want);
    ASSERT_TRUE(memcmp(fb_data(&b), want, sizeof want) == 0);
    fb_cleanup(&b);

    /* two tables with one i32 each: the second reuses the first's vtable
     * (Go's vtableEqual), so it adds only padding, value and a negative soffset */
    fb_init(&b);
    fb_start_object(&b, 1);
    fb_add_i32(&b, 0, 7, 0);
    fb_end_object(&b);
    ASSERT_EQ_UINT(fb_size(&b), 14);
    fb_start_object(&b, 1);
    fb_add_i32(&b, 0, 9, 0);
    uint32_t second = fb_end_object(&b);
    ASSERT_EQ_UINT(second, 24);
    ASSERT_EQ_UINT(fb_size(&b), 24);
    int32_t soffset;
    memcpy(&soffset, fb_data(&b), 4);
    ASSERT_EQ_INT(soffset, -10);
    (void)t;
    fb_cleanup(&b);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_validity_bitmap_lengths_follow_arrow_go),
    UNIT_TEST(test_no_nulls_means_empty_validity),
    UNIT_TEST(test_messages_and_buffers_are_8_aligned),
    UNIT_TEST(test_zero_rows_and_zero_fields_have_no_batch),
    UNIT_TEST(test_flatbuffer_table_bytes),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
