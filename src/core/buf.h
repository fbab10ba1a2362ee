/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable byte buffer with a size limit and a sticky error flag.
 *
 * Taken as a habit from curl's dynbuf (a `limit` every caller sets, so a huge
 * outside input becomes an error instead of OOM) and SQLite's JsonString
 * (append freely, check `failed` once at the end). The content is binary-safe
 * and always followed by a NUL byte that is not counted in `len`.
 *
 * Ownership: the buffer owns `data`. et_buf_take() hands it to the caller, who
 * frees it with free(). Thread safety: a buffer is used by one thread at a time.
 */
#ifndef ET_CORE_BUF_H
#define ET_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct et_buf {
    char *data;   /* NUL-terminated content, or NULL while empty */
    size_t len;   /* bytes used, without the trailing NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* maximum len; appends past it set `failed` */
    bool failed;  /* sticky: an append went past `limit`; content is then cut */
};

#define ET_BUF_UNLIMITED ((size_t)-1)

/* Start an empty buffer that may grow to `limit` bytes (ET_BUF_UNLIMITED for none). */
void et_buf_init(struct et_buf *b, size_t limit);
/* Free the content; the buffer may be initialised again. */
void et_buf_cleanup(struct et_buf *b);
/* Forget the content (keeps the allocation and the limit, clears `failed`). */
void et_buf_reset(struct et_buf *b);

/* Appends. Each returns 0, or -1 when the limit was hit (then `failed` is set
 * and nothing more is appended). */
int et_buf_append(struct et_buf *b, const void *data, size_t n);
int et_buf_append_str(struct et_buf *b, const char *s);
int et_buf_putc(struct et_buf *b, char c);
int et_buf_printf(struct et_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int et_buf_vprintf(struct et_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Append `n` zero bytes. */
int et_buf_append_zeros(struct et_buf *b, size_t n);
/* Make sure `n` more bytes fit without reallocating (respecting the limit). */
int et_buf_reserve(struct et_buf *b, size_t n);
/* et_buf_reserve() that fails softly: -1 when the memory cannot be had (the
 * buffer is then unchanged and not marked failed). For a large reservation
 * made only to keep `data` from moving while another thread reads it. */
int et_buf_try_reserve(struct et_buf *b, size_t n);

/* Hand the content to the caller (free() it); `*len` gets its length when not
 * NULL. Never returns NULL: an empty buffer yields "". The buffer is left empty. */
char *et_buf_take(struct et_buf *b, size_t *len);

/* The content as a C string ("" when empty). Borrowed until the next append. */
const char *et_buf_cstr(const struct et_buf *b);

#endif
