/* SPDX-License-Identifier: Apache-2.0
 *
 * Allocation helpers that abort on out-of-memory.
 *
 * Small, bounded allocations go through these (the redis/h2o policy): a failed
 * malloc of a few hundred bytes means the process is already lost. Anything
 * whose size comes from outside input must be capped by the caller *before* it
 * reaches these functions (see et_buf limits), so a hostile body becomes a
 * per-query error and never an abort.
 *
 * Thread safety: all functions are safe to call from any thread.
 */
#ifndef ET_CORE_MEM_H
#define ET_CORE_MEM_H

#include <stddef.h>

/* Like malloc/calloc/realloc/strdup/strndup, but never return NULL: on failure
 * they print one line on stderr and abort(). The result is freed with free(). */
void *et_xmalloc(size_t size);
void *et_xcalloc(size_t count, size_t size);
void *et_xrealloc(void *ptr, size_t size);
char *et_xstrdup(const char *s);
char *et_xstrndup(const char *s, size_t n);

/* Grow an array to hold at least `need` elements of `elem` bytes, doubling.
 * `*cap` is updated. Aborts on overflow or OOM. Returns the (possibly moved) array. */
void *et_xgrow(void *array, size_t *cap, size_t need, size_t elem);

/* Tune glibc's malloc for this process; call once at start-up, before any
 * thread. A parsed Tempo answer is megabytes held in 256 KiB pool chunks and a
 * body buffer of the same size, freed when the query ends. With glibc's start
 * values (blocks from 128 KiB mapped with mmap, free heap above 128 KiB given
 * back) every chunk was mapped, faulted in page by page and unmapped again per
 * query, which made reading a 4 MB answer about 3x slower than the parsing
 * itself. glibc moves these limits up on its own after the first large block
 * is freed (to at most 32 MiB / 64 MiB); this starts at 16 MiB / 32 MiB: the
 * heap keeps at most 32 MiB free per arena for the next query. No-op on other
 * C libraries. */
void et_malloc_tune(void);

#endif
