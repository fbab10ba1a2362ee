/* SPDX-License-Identifier: Apache-2.0
 *
 * A bump allocator that owns everything of one parsed Tempo response (a
 * trace, a search result): strings, span arrays, attribute lists.
 *
 * A parsed trace is freed as a whole and weighed as a whole (the trace cache
 * is bounded in bytes), so its memory comes from a few chunks instead of
 * thousands of small mallocs: freeing is one walk over the chunks and the
 * weight is simply the chunk bytes. Blocks never move.
 *
 * Ownership: the pool owns every block it hands out. Sizes come from parsed
 * input whose total is capped by the HTTP body limit, so allocation failure
 * aborts (et_xmalloc policy). Thread safety: one thread at a time; a finished
 * pool may be read from several threads.
 */
#ifndef ET_TEMPO_TEMPO_POOL_H
#define ET_TEMPO_TEMPO_POOL_H

#include <stddef.h>

struct tempo_pool_chunk;

struct tempo_pool {
    struct tempo_pool_chunk *head; /* chunk being filled; older ones follow `next` */
    size_t bytes;                  /* bytes malloc'd for chunks (the pool's weight) */
};

void tempo_pool_init(struct tempo_pool *p);
/* Free every chunk; the pool may be initialised again. */
void tempo_pool_cleanup(struct tempo_pool *p);

/* Move every block of `from` into `to` (pointers into them stay valid and
 * now live as long as `to`); `from` is left empty. */
void tempo_pool_adopt(struct tempo_pool *to, struct tempo_pool *from);

/* `size` zeroed bytes aligned for any scalar. Never NULL (size 0 gives a
 * valid, unique pointer). */
void *tempo_pool_alloc(struct tempo_pool *p, size_t size);
/* tempo_pool_alloc() without the zeroing, for bytes the caller writes at
 * once (string copies). */
void *tempo_pool_alloc_raw(struct tempo_pool *p, size_t size);
/* An array of `n` zeroed elements of `elem` bytes; aborts on overflow. */
void *tempo_pool_array(struct tempo_pool *p, size_t n, size_t elem);
/* A NUL-terminated copy of s[0..n) (cut at the first NUL byte, if any). */
const char *tempo_pool_strndup(struct tempo_pool *p, const char *s, size_t n);

#endif
