/* SPDX-License-Identifier: Apache-2.0
 *
 * String and regex literal escaping for PromQL and TraceQL (see escape.h).
 */
#include "query/escape.h"

#include <string.h>

/* Bytes of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need = c < 0x80                ? 1
                  : c >= 0xC2 && c < 0xE0 ? 2
                  : c >= 0xE0 && c < 0xF0 ? 3
                  : c >= 0xF0 && c < 0xF5 ? 4
                                          : 0;
    if (need == 0 || need > n)
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return need;
}

static void append_escaped_body(struct et_buf *out, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t l = utf8_len(s + i, len - i);
            if (l) {
                et_buf_append(out, s + i, l);
                i += l;
                continue;
            }
        }
        switch (c) {
        case '\\':
            et_buf_append(out, "\\\\", 2);
            break;
        case '"':
            et_buf_append(out, "\\\"", 2);
            break;
        case '\n':
            et_buf_append(out, "\\n", 2);
            break;
        case '\r':
            et_buf_append(out, "\\r", 2);
            break;
        case '\t':
            et_buf_append(out, "\\t", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f || c >= 0x80) {
                char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
                et_buf_append(out, x, 4);
            } else {
                et_buf_putc(out, (char)c);
            }
        }
        i++;
    }
}

void escape_string_literal(struct et_buf *out, const char *s, size_t len)
{
    et_buf_putc(out, '"');
    append_escaped_body(out, s, len);
    et_buf_putc(out, '"');
}

void escape_regex_literal(struct et_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i] != '\0')
            et_buf_putc(out, '\\');
        et_buf_putc(out, s[i]);
    }
}

void escape_regex_alternation(struct et_buf *out, const struct et_strlist *values)
{
    struct et_buf re;
    et_buf_init(&re, out->limit);
    for (size_t i = 0; i < values->n; i++) {
        if (i)
            et_buf_putc(&re, '|');
        escape_regex_literal(&re, values->items[i], strlen(values->items[i]));
    }
    escape_string_literal(out, et_buf_cstr(&re), re.len);
    if (re.failed)
        out->failed = true;
    et_buf_cleanup(&re);
}
