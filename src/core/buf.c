/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable byte buffer with a size limit and a sticky error flag (see buf.h).
 */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void et_buf_init(struct et_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
    b->failed = false;
}

void et_buf_cleanup(struct et_buf *b)
{
    free(b->data);
    et_buf_init(b, b->limit);
}

void et_buf_reset(struct et_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

int et_buf_reserve(struct et_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n > b->limit || b->len > b->limit - n) {
        b->failed = true;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    b->data = et_xrealloc(b->data, ncap);
    b->cap = ncap;
    return 0;
}

int et_buf_try_reserve(struct et_buf *b, size_t n)
{
    if (b->failed || n > b->limit || b->len > b->limit - n || n > SIZE_MAX - b->len - 1)
        return -1;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    char *data = realloc(b->data, need);
    if (!data)
        return -1;
    b->data = data;
    b->cap = need;
    return 0;
}

int et_buf_append(struct et_buf *b, const void *data, size_t n)
{
    if (et_buf_reserve(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int et_buf_append_str(struct et_buf *b, const char *s)
{
    return et_buf_append(b, s, strlen(s));
}

int et_buf_putc(struct et_buf *b, char c)
{
    return et_buf_append(b, &c, 1);
}

int et_buf_append_zeros(struct et_buf *b, size_t n)
{
    if (et_buf_reserve(b, n) < 0)
        return -1;
    memset(b->data + b->len, 0, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int et_buf_vprintf(struct et_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = true;
        return -1;
    }
    if ((size_t)n < sizeof small)
        return et_buf_append(b, small, (size_t)n);
    if (et_buf_reserve(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int et_buf_printf(struct et_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = et_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *et_buf_take(struct et_buf *b, size_t *len)
{
    char *out = b->data ? b->data : et_xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return out;
}

const char *et_buf_cstr(const struct et_buf *b)
{
    return b->data ? b->data : "";
}
