/* SPDX-License-Identifier: Apache-2.0
 *
 * An open-addressing hash index from 64-bit keys (already hashed) to
 * positions in a caller's array, for the aggregators' "find my group"
 * lookups. Linear probing, power-of-two capacity, kept at most half full.
 *
 * Internal to src/analysis. Ownership: the index owns its table
 * (u64_index_cleanup frees it). Out of memory aborts. Thread safety: one
 * thread at a time.
 */
#ifndef ET_ANALYSIS_U64_INDEX_H
#define ET_ANALYSIS_U64_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64_index {
    uint64_t *keys;
    uint32_t *values; /* position + 1; 0 marks an empty slot */
    size_t cap;       /* slots, a power of two (0 before the first insert) */
    size_t n;         /* keys stored */
};

void u64_index_init(struct u64_index *ix);
void u64_index_cleanup(struct u64_index *ix);
/* The position stored for `key`, or -1. */
long u64_index_get(const struct u64_index *ix, uint64_t key);
/* Store `position` for `key` (which must not be present). */
void u64_index_put(struct u64_index *ix, uint64_t key, uint32_t position);

#endif
