/* SPDX-License-Identifier: Apache-2.0
 *
 * Typed growable columns in Arrow layout (see frame_int.h): fixed-width values,
 * bool bitmaps, int32 offsets plus bytes, and the validity bitmap that is
 * created at the first null (earlier rows are then marked valid). Growth is by
 * doubling; runs of values are copied with one memcpy.
 */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "frame/frame_int.h"

void frame_column_cleanup(struct frame_column *col)
{
    free(col->values);
    free(col->offsets);
    free(col->validity);
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
    if (col->validity && need <= col->validity_cap)
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
void frame_column_push_fixed(struct frame_column *col, uint64_t bits, bool valid)
{
    column_mark_row(col, valid);
    column_reserve_bytes(col, col->width);
    if (!valid)
        bits = 0;
    memcpy(col->values + col->values_len, &bits, col->width);
    col->values_len += col->width;
    col->len++;
}

void frame_column_push_bool(struct frame_column *col, bool v, bool valid)
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
bool frame_column_push_bytes(struct frame_column *col, const char *s, size_t n, bool valid)
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

/* Append n valid 8-byte values (int64, time, float64) in one copy. */
void frame_column_push_run8(struct frame_column *col, const void *values, size_t n)
{
    if (n > SIZE_MAX / 8)
        abort();
    column_mark_valid_run(col, n);
    column_reserve_bytes(col, n * 8);
    memcpy(col->values + col->values_len, values, n * 8);
    col->values_len += n * 8;
    col->len += n;
}
