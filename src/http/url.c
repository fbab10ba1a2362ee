/* SPDX-License-Identifier: Apache-2.0
 *
 * URL and form building with percent-encoding (see url.h).
 */
#include "http/url.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void url_encode(struct et_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            et_buf_putc(out, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            et_buf_append(out, e, 3);
        }
    }
}

static void separator(struct et_buf *out)
{
    if (out->len > 0 && out->data[out->len - 1] != '?')
        et_buf_putc(out, '&');
}

void url_add_param(struct et_buf *out, const char *name, const char *value)
{
    separator(out);
    url_encode(out, name, strlen(name));
    et_buf_putc(out, '=');
    url_encode(out, value, strlen(value));
}

void url_add_paramf(struct et_buf *out, const char *name, const char *fmt, ...)
{
    char value[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    url_add_param(out, name, value);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void url_decode(struct et_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            et_buf_putc(out, ' ');
        } else if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            et_buf_putc(out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            et_buf_putc(out, s[i]);
        }
    }
}

size_t url_query_values(const char *url, const char *name,
                        void (*fn)(void *ctx, const char *value, size_t len), void *ctx)
{
    const char *q = strchr(url, '?');
    q = q ? q + 1 : url;
    size_t name_len = strlen(name), found = 0;
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t part = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', part);
        size_t key_len = eq ? (size_t)(eq - q) : part;
        struct et_buf key;
        et_buf_init(&key, 4096);
        url_decode(&key, q, key_len);
        if (key.len == name_len && memcmp(et_buf_cstr(&key), name, name_len) == 0) {
            struct et_buf val;
            et_buf_init(&val, 1 << 20);
            if (eq)
                url_decode(&val, eq + 1, part - key_len - 1);
            fn(ctx, et_buf_cstr(&val), val.len);
            et_buf_cleanup(&val);
            found++;
        }
        et_buf_cleanup(&key);
        if (!amp)
            break;
        q = amp + 1;
    }
    return found;
}
