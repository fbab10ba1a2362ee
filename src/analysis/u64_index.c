/* SPDX-License-Identifier: Apache-2.0
 *
 * Open-addressing u64 -> position index (see u64_index.h).
 */
#include "analysis/u64_index.h"

#include <stdlib.h>

#include "core/mem.h"

void u64_index_init(struct u64_index *ix)
{
    ix->keys = NULL;
    ix->values = NULL;
    ix->cap = 0;
    ix->n = 0;
}

void u64_index_cleanup(struct u64_index *ix)
{
    free(ix->keys);
    free(ix->values);
    u64_index_init(ix);
}

long u64_index_get(const struct u64_index *ix, uint64_t key)
{
    if (!ix->cap)
        return -1;
    size_t mask = ix->cap - 1;
    for (size_t i = (size_t)key & mask;; i = (i + 1) & mask) {
        if (!ix->values[i])
            return -1;
        if (ix->keys[i] == key)
            return (long)ix->values[i] - 1;
    }
}

static void insert_slot(struct u64_index *ix, uint64_t key, uint32_t value)
{
    size_t mask = ix->cap - 1;
    size_t i = (size_t)key & mask;
    while (ix->values[i])
        i = (i + 1) & mask;
    ix->keys[i] = key;
    ix->values[i] = value;
}

static void grow(struct u64_index *ix)
{
    size_t old_cap = ix->cap;
    uint64_t *old_keys = ix->keys;
    uint32_t *old_values = ix->values;
    ix->cap = old_cap ? old_cap * 2 : 64;
    ix->keys = et_xcalloc(ix->cap, sizeof *ix->keys);
    ix->values = et_xcalloc(ix->cap, sizeof *ix->values);
    for (size_t i = 0; i < old_cap; i++)
        if (old_values[i])
            insert_slot(ix, old_keys[i], old_values[i]);
    free(old_keys);
    free(old_values);
}

void u64_index_put(struct u64_index *ix, uint64_t key, uint32_t position)
{
    if ((ix->n + 1) * 2 > ix->cap)
        grow(ix);
    insert_slot(ix, key, position + 1);
    ix->n++;
}
