/* SPDX-License-Identifier: Apache-2.0
 *
 * Bump allocator for parsed Tempo responses (see tempo_pool.h).
 *
 * Chunks double from 4 KiB up to 256 KiB; a request bigger than a quarter of
 * the next chunk gets a chunk of its own, so a 2 MB stack trace does not
 * waste the rest of a shared chunk.
 */
#include "tempo/tempo_pool.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define POOL_FIRST_CHUNK 4096u
#define POOL_MAX_CHUNK   (256u * 1024u)
#define POOL_ALIGN       alignof(max_align_t)

struct tempo_pool_chunk {
    struct tempo_pool_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void tempo_pool_init(struct tempo_pool *p)
{
    p->head = NULL;
    p->bytes = 0;
}

void tempo_pool_cleanup(struct tempo_pool *p)
{
    struct tempo_pool_chunk *c = p->head;
    while (c) {
        struct tempo_pool_chunk *next = c->next;
        free(c);
        c = next;
    }
    tempo_pool_init(p);
}

void tempo_pool_adopt(struct tempo_pool *to, struct tempo_pool *from)
{
    if (!from->head)
        return;
    if (!to->head) {
        *to = *from;
    } else {
        /* behind the chunk being filled, so it keeps filling */
        struct tempo_pool_chunk *tail = from->head;
        while (tail->next)
            tail = tail->next;
        tail->next = to->head->next;
        to->head->next = from->head;
        to->bytes += from->bytes;
    }
    tempo_pool_init(from);
}

static struct tempo_pool_chunk *new_chunk(struct tempo_pool *p, size_t size)
{
    if (size > SIZE_MAX - sizeof(struct tempo_pool_chunk))
        et_xmalloc(SIZE_MAX); /* aborts with a message */
    struct tempo_pool_chunk *c = et_xmalloc(sizeof *c + size);
    c->size = size;
    c->used = 0;
    p->bytes += sizeof *c + size;
    return c;
}

void *tempo_pool_alloc_raw(struct tempo_pool *p, size_t size)
{
    size_t rounded = (size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
    if (rounded < size)
        et_xmalloc(SIZE_MAX);
    if (rounded == 0)
        rounded = POOL_ALIGN;
    struct tempo_pool_chunk *c = p->head;
    if (c && c->size - c->used >= rounded) {
        void *out = c->data + c->used;
        c->used += rounded;
        return out;
    }
    size_t next = c ? c->size * 2 : POOL_FIRST_CHUNK;
    if (next > POOL_MAX_CHUNK)
        next = POOL_MAX_CHUNK;
    if (rounded > next / 4) {
        /* big block: its own chunk, behind the current one so the current
         * chunk keeps filling */
        struct tempo_pool_chunk *big = new_chunk(p, rounded);
        big->used = rounded;
        if (c) {
            big->next = c->next;
            c->next = big;
        } else {
            big->next = NULL;
            p->head = big;
        }
        return big->data;
    }
    struct tempo_pool_chunk *fresh = new_chunk(p, next);
    fresh->next = c;
    p->head = fresh;
    fresh->used = rounded;
    return fresh->data;
}

void *tempo_pool_alloc(struct tempo_pool *p, size_t size)
{
    void *out = tempo_pool_alloc_raw(p, size);
    memset(out, 0, size);
    return out;
}

void *tempo_pool_array(struct tempo_pool *p, size_t n, size_t elem)
{
    if (elem && n > SIZE_MAX / elem)
        et_xmalloc(SIZE_MAX);
    return tempo_pool_alloc(p, n * elem);
}

const char *tempo_pool_strndup(struct tempo_pool *p, const char *s, size_t n)
{
    const char *nul = n ? memchr(s, '\0', n) : NULL;
    if (nul)
        n = (size_t)(nul - s);
    if (n == 0)
        return "";
    char *out = tempo_pool_alloc_raw(p, n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}
