/* SPDX-License-Identifier: Apache-2.0
 *
 * Bump allocator in chunks (see arena.h).
 */
#include "analysis/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define ARENA_MIN_CHUNK  4096
#define ARENA_KEEP_LIMIT (1u << 20) /* largest chunk kept across resets */
#define ARENA_ALIGN      8

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes in data[] */
    size_t used;
    max_align_t data[];
};

static struct arena_chunk *chunk_new(size_t size, struct arena_chunk *next)
{
    if (size > SIZE_MAX - sizeof(struct arena_chunk))
        size = SIZE_MAX - sizeof(struct arena_chunk);
    struct arena_chunk *c = et_xmalloc(sizeof *c + size);
    c->next = next;
    c->size = size;
    c->used = 0;
    return c;
}

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->used_total = 0;
}

void arena_cleanup(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

void arena_reset(struct arena *a)
{
    if (a->head && a->head->next) {
        size_t want = a->used_total;
        if (want > ARENA_KEEP_LIMIT)
            want = ARENA_KEEP_LIMIT;
        arena_cleanup(a);
        a->head = chunk_new(want < ARENA_MIN_CHUNK ? ARENA_MIN_CHUNK : want, NULL);
    } else if (a->head) {
        a->head->used = 0;
    }
    a->used_total = 0;
}

void *arena_alloc(struct arena *a, size_t size)
{
    size_t need = (size + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < size)
        need = size; /* overflow: et_xmalloc below fails loudly */
    struct arena_chunk *c = a->head;
    if (!c || c->size - c->used < need) {
        size_t chunk = c ? c->size * 2 : ARENA_MIN_CHUNK;
        if (chunk < need)
            chunk = need;
        c = chunk_new(chunk, a->head);
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += need;
    a->used_total += need;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
