/* SPDX-License-Identifier: Apache-2.0
 *
 * A bump allocator for the strings of one parsed stack trace.
 *
 * The parser copies a few small strings per frame (module, function, file).
 * Allocating each with malloc would dominate the cost of fingerprinting, so
 * they come from chunks that are rewound, not freed, between traces: after a
 * few traces a reused arena allocates nothing at all. Pointers stay valid
 * until arena_reset() or arena_cleanup() (chunks never move).
 *
 * Internal to src/analysis (it may move to src/core if others need it).
 * Ownership: the arena owns every block it hands out; callers never free them.
 * Out of memory aborts (et_xmalloc). Thread safety: one thread at a time.
 */
#ifndef ET_ANALYSIS_ARENA_H
#define ET_ANALYSIS_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* chunk being filled; older chunks follow `next` */
    size_t used_total;        /* bytes handed out since the last reset */
};

void arena_init(struct arena *a);
/* Free every chunk. The arena may be initialised again. */
void arena_cleanup(struct arena *a);
/* Forget every allocation. Keeps one chunk, sized to what the previous round
 * needed (up to a cap), so the next round usually fits without allocating. */
void arena_reset(struct arena *a);

/* `size` bytes aligned for any scalar. Never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of s[0..n). Never NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif
