/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to src/frame/: a back-to-front FlatBuffers builder that follows the
 * Go `flatbuffers.Builder` step for step (alignment padding, vtable trimming
 * and de-duplication, Finish), so the Arrow messages we write are byte-for-
 * byte what arrow-go writes (notes/frames.md §2.4, §2.12).
 *
 * Positions ("offsets") count bytes from the *end* of the buffer, as in Go.
 * The finished flatbuffer is fb_data()/fb_size() after fb_finish().
 *
 * Ownership: the builder owns its memory; fb_cleanup() frees it.
 * Errors: none; allocation failure aborts (et_xmalloc policy): the sizes are
 * bounded by the frame's schema, never by outside input directly.
 * Thread safety: one builder per thread.
 */
#ifndef ET_FRAME_FLATBUF_H
#define ET_FRAME_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FB_MAX_SLOTS 8 /* the widest Arrow table we write (Field) has 7 */

struct fb_builder {
    uint8_t *buf;                 /* bytes live in buf[head .. cap) */
    size_t cap;                   /* allocated bytes */
    size_t head;                  /* start of the written tail */
    size_t minalign;              /* largest alignment seen since the last StartObject */
    uint32_t slots[FB_MAX_SLOTS]; /* field offsets of the open table (0 = absent) */
    int slot_count;               /* fields of the open table */
    uint32_t object_end;          /* offset when the open table started */
    uint32_t *vtables;            /* offsets of every vtable written, for de-duplication */
    size_t vtable_count;          /* */
    size_t vtable_cap;            /* */
};

void fb_init(struct fb_builder *b);
void fb_cleanup(struct fb_builder *b);
/* Start over, keeping the allocation. */
void fb_reset(struct fb_builder *b);

/* Current offset (bytes written, counted from the end). */
uint32_t fb_offset(const struct fb_builder *b);

/* Go's Prep: pad so that after `additional` more bytes the offset is a
 * multiple of `size`. */
void fb_prep(struct fb_builder *b, size_t size, size_t additional);
/* Write without alignment (caller did fb_prep). */
void fb_place(struct fb_builder *b, const void *le_bytes, size_t n);
void fb_pad(struct fb_builder *b, size_t n);
/* Aligned scalar prepends. */
void fb_prepend_u8(struct fb_builder *b, uint8_t v);
void fb_prepend_i16(struct fb_builder *b, int16_t v);
void fb_prepend_u32(struct fb_builder *b, uint32_t v);
void fb_prepend_i32(struct fb_builder *b, int32_t v);
void fb_prepend_i64(struct fb_builder *b, int64_t v);
/* A uoffset pointing at the object written at offset `target`. */
void fb_prepend_uoffset(struct fb_builder *b, uint32_t target);

/* Tables. */
void fb_start_object(struct fb_builder *b, int slot_count);
void fb_add_u8(struct fb_builder *b, int slot, uint8_t v, uint8_t def);
void fb_add_i16(struct fb_builder *b, int slot, int16_t v, int16_t def);
void fb_add_i32(struct fb_builder *b, int slot, int32_t v, int32_t def);
void fb_add_i64(struct fb_builder *b, int slot, int64_t v, int64_t def);
/* Adds a uoffset field unless `target` is 0 (absent). */
void fb_add_offset(struct fb_builder *b, int slot, uint32_t target);
uint32_t fb_end_object(struct fb_builder *b);

/* Vectors: start, prepend elements last first, end. */
void fb_start_vector(struct fb_builder *b, size_t elem_size, size_t count, size_t alignment);
uint32_t fb_end_vector(struct fb_builder *b, size_t count);
/* A vector of uoffsets to the given objects, in order. */
uint32_t fb_create_offset_vector(struct fb_builder *b, const uint32_t *targets, size_t count);
uint32_t fb_create_string(struct fb_builder *b, const char *s, size_t len);

/* Finish with `root` as the root table. */
void fb_finish(struct fb_builder *b, uint32_t root);
const uint8_t *fb_data(const struct fb_builder *b);
size_t fb_size(const struct fb_builder *b);

#endif
