/* SPDX-License-Identifier: Apache-2.0
 *
 * Back-to-front FlatBuffers builder with Go's exact habits (see flatbuf.h).
 *
 * DESIGN: the buffer grows at the front: bytes live in buf[head .. cap) and
 * growing moves them to the end of a larger allocation, so every "offset"
 * (bytes from the end) stays valid. Vtables are trimmed of trailing absent
 * fields and shared with an earlier identical one, newest first, comparing
 * field positions only (not the table size), as Go's vtableEqual does.
 */
#include "frame/flatbuf.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void fb_init(struct fb_builder *b)
{
    memset(b, 0, sizeof *b);
    b->minalign = 1;
}

void fb_cleanup(struct fb_builder *b)
{
    free(b->buf);
    free(b->vtables);
    fb_init(b);
}

void fb_reset(struct fb_builder *b)
{
    b->head = b->cap;
    b->minalign = 1;
    b->slot_count = 0;
    b->object_end = 0;
    b->vtable_count = 0;
}

uint32_t fb_offset(const struct fb_builder *b)
{
    return (uint32_t)(b->cap - b->head);
}

/* Make sure `n` more bytes fit in front of head. */
static void ensure_room(struct fb_builder *b, size_t n)
{
    if (b->head >= n)
        return;
    size_t used = b->cap - b->head;
    if (n > (size_t)INT32_MAX - used)
        abort(); /* a flatbuffer past 2 GiB: metadata this large never comes from a query */
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap - used < n)
        ncap *= 2;
    uint8_t *nbuf = et_xmalloc(ncap);
    if (used)
        memcpy(nbuf + ncap - used, b->buf + b->head, used);
    free(b->buf);
    b->buf = nbuf;
    b->head = ncap - used;
    b->cap = ncap;
}

void fb_pad(struct fb_builder *b, size_t n)
{
    ensure_room(b, n);
    b->head -= n;
    memset(b->buf + b->head, 0, n);
}

void fb_prep(struct fb_builder *b, size_t size, size_t additional)
{
    if (size > b->minalign)
        b->minalign = size;
    size_t used = b->cap - b->head;
    size_t align = (~(used + additional) + 1) & (size - 1);
    ensure_room(b, align + size + additional);
    fb_pad(b, align);
}

void fb_place(struct fb_builder *b, const void *le_bytes, size_t n)
{
    ensure_room(b, n);
    b->head -= n;
    memcpy(b->buf + b->head, le_bytes, n);
}

void fb_prepend_u8(struct fb_builder *b, uint8_t v)
{
    fb_prep(b, 1, 0);
    fb_place(b, &v, 1);
}

void fb_prepend_i16(struct fb_builder *b, int16_t v)
{
    fb_prep(b, 2, 0);
    fb_place(b, &v, 2);
}

static void prepend_u16(struct fb_builder *b, uint16_t v)
{
    fb_prep(b, 2, 0);
    fb_place(b, &v, 2);
}

void fb_prepend_u32(struct fb_builder *b, uint32_t v)
{
    fb_prep(b, 4, 0);
    fb_place(b, &v, 4);
}

void fb_prepend_i32(struct fb_builder *b, int32_t v)
{
    fb_prep(b, 4, 0);
    fb_place(b, &v, 4);
}

void fb_prepend_i64(struct fb_builder *b, int64_t v)
{
    fb_prep(b, 8, 0);
    fb_place(b, &v, 8);
}

void fb_prepend_uoffset(struct fb_builder *b, uint32_t target)
{
    fb_prep(b, 4, 0);
    uint32_t rel = fb_offset(b) - target + 4;
    fb_place(b, &rel, 4);
}

/* ---- tables ------------------------------------------------------------------ */

void fb_start_object(struct fb_builder *b, int slot_count)
{
    if (slot_count > FB_MAX_SLOTS)
        abort(); /* programming error: widen FB_MAX_SLOTS */
    memset(b->slots, 0, sizeof b->slots);
    b->slot_count = slot_count;
    b->object_end = fb_offset(b);
    b->minalign = 1;
}

static void set_slot(struct fb_builder *b, int slot)
{
    if (slot >= 0 && slot < b->slot_count)
        b->slots[slot] = fb_offset(b);
}

void fb_add_u8(struct fb_builder *b, int slot, uint8_t v, uint8_t def)
{
    if (v == def)
        return;
    fb_prepend_u8(b, v);
    set_slot(b, slot);
}

void fb_add_i16(struct fb_builder *b, int slot, int16_t v, int16_t def)
{
    if (v == def)
        return;
    fb_prepend_i16(b, v);
    set_slot(b, slot);
}

void fb_add_i32(struct fb_builder *b, int slot, int32_t v, int32_t def)
{
    if (v == def)
        return;
    fb_prepend_i32(b, v);
    set_slot(b, slot);
}

void fb_add_i64(struct fb_builder *b, int slot, int64_t v, int64_t def)
{
    if (v == def)
        return;
    fb_prepend_i64(b, v);
    set_slot(b, slot);
}

void fb_add_offset(struct fb_builder *b, int slot, uint32_t target)
{
    if (target == 0)
        return;
    fb_prepend_uoffset(b, target);
    set_slot(b, slot);
}

static uint16_t read_u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* Offset of an earlier vtable equal to the open table's, or 0. */
static uint32_t find_vtable(const struct fb_builder *b, uint32_t object)
{
    for (size_t i = b->vtable_count; i-- > 0;) {
        uint32_t vt = b->vtables[i];
        const uint8_t *start = b->buf + b->cap - vt;
        uint16_t vt_bytes = read_u16(start);
        if ((size_t)vt_bytes != 4 + 2 * (size_t)b->slot_count)
            continue;
        bool equal = true;
        for (int s = 0; s < b->slot_count && equal; s++) {
            uint16_t x = read_u16(start + 4 + 2 * s);
            if (x == 0 && b->slots[s] == 0)
                continue;
            equal = (int32_t)x == (int32_t)object - (int32_t)b->slots[s];
        }
        if (equal)
            return vt;
    }
    return 0;
}

uint32_t fb_end_object(struct fb_builder *b)
{
    fb_prepend_i32(b, 0); /* soffset placeholder */
    uint32_t object = fb_offset(b);
    while (b->slot_count > 0 && b->slots[b->slot_count - 1] == 0)
        b->slot_count--;
    uint32_t existing = find_vtable(b, object);
    int32_t soffset;
    if (existing) {
        soffset = (int32_t)existing - (int32_t)object;
    } else {
        for (int s = b->slot_count; s-- > 0;)
            prepend_u16(b, b->slots[s] ? (uint16_t)(object - b->slots[s]) : 0);
        prepend_u16(b, (uint16_t)(object - b->object_end));
        prepend_u16(b, (uint16_t)((b->slot_count + 2) * 2));
        soffset = (int32_t)fb_offset(b) - (int32_t)object;
        b->vtables = et_xgrow(b->vtables, &b->vtable_cap, b->vtable_count + 1, sizeof(uint32_t));
        b->vtables[b->vtable_count++] = fb_offset(b);
    }
    memcpy(b->buf + b->cap - object, &soffset, 4);
    b->slot_count = 0;
    return object;
}

/* ---- vectors and strings -------------------------------------------------------- */

void fb_start_vector(struct fb_builder *b, size_t elem_size, size_t count, size_t alignment)
{
    fb_prep(b, 4, elem_size * count);
    fb_prep(b, alignment, elem_size * count);
}

uint32_t fb_end_vector(struct fb_builder *b, size_t count)
{
    uint32_t n = (uint32_t)count;
    fb_place(b, &n, 4); /* aligned by fb_start_vector */
    return fb_offset(b);
}

uint32_t fb_create_offset_vector(struct fb_builder *b, const uint32_t *targets, size_t count)
{
    fb_start_vector(b, 4, count, 4);
    for (size_t i = count; i-- > 0;)
        fb_prepend_uoffset(b, targets[i]);
    return fb_end_vector(b, count);
}

uint32_t fb_create_string(struct fb_builder *b, const char *s, size_t len)
{
    fb_prep(b, 4, len + 1);
    uint8_t nul = 0;
    fb_place(b, &nul, 1);
    if (len)
        fb_place(b, s, len);
    return fb_end_vector(b, len);
}

void fb_finish(struct fb_builder *b, uint32_t root)
{
    fb_prep(b, b->minalign, 4);
    fb_prepend_uoffset(b, root);
}

const uint8_t *fb_data(const struct fb_builder *b)
{
    return b->buf + b->head;
}

size_t fb_size(const struct fb_builder *b)
{
    return b->cap - b->head;
}
