/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON string escaping and number formatting compatible with Go's encoding/json
 * (see json_escape.h).
 */
#include "core/json_escape.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;
        if (c == 0xED && s[1] >= 0xA0) /* surrogates */
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int et_json_append_string(struct et_buf *out, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t start = 0, i = 0;
    et_buf_putc(out, '"');
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = utf8_valid_len(s + i, n - i);
            if (l == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
                et_buf_append(out, s + start, i - start);
                et_buf_append_str(out, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
                i += 3;
                start = i;
                continue;
            }
            if (l) {
                i += l;
                continue;
            }
            et_buf_append(out, s + start, i - start);
            et_buf_append_str(out, "\\ufffd");
            i++;
            start = i;
            continue;
        }
        et_buf_append(out, s + start, i - start);
        switch (c) {
        case '"':
            et_buf_append(out, "\\\"", 2);
            break;
        case '\\':
            et_buf_append(out, "\\\\", 2);
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
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            et_buf_append(out, u, 6);
        }
        }
        i++;
        start = i;
    }
    et_buf_append(out, s + start, n - start);
    return et_buf_putc(out, '"');
}

int et_json_append_cstring(struct et_buf *out, const char *s)
{
    return et_json_append_string(out, s, strlen(s));
}

/* Go: strconv.AppendFloat(b, f, 'f' or 'e', -1, 64) with the 'e' form cleaned
 * from e-07 to e-7. We find the shortest %.*g precision that round-trips. */
int et_json_append_double(struct et_buf *out, double v)
{
    if (isnan(v) || isinf(v)) {
        et_buf_append_str(out, "null");
        return 1;
    }
    if (v == 0) {
        return et_buf_append_str(out, signbit(v) ? "-0" : "0");
    }
    char digits[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(digits, sizeof digits, "%.*e", prec - 1, v);
        if (strtod(digits, NULL) == v)
            break;
    }
    double a = fabs(v);
    char buf[64];
    if (a < 1e-6 || a >= 1e21) {
        /* exponent form: mantissa digits then e±X without leading zeros */
        char *e = strchr(digits, 'e');
        int exp10 = (int)strtol(e + 1, NULL, 10);
        *e = '\0';
        /* encoding/json cleans Go's "1e-07" to "1e-7": no padding of the exponent */
        snprintf(buf, sizeof buf, "%se%c%d", digits, exp10 < 0 ? '-' : '+', abs(exp10));
        return et_buf_append_str(out, buf);
    }
    /* fixed form with the minimal number of decimals that keeps `prec` significant digits */
    char *e = strchr(digits, 'e');
    int exp10 = (int)strtol(e + 1, NULL, 10);
    int decimals = prec - 1 - exp10;
    if (decimals < 0)
        decimals = 0;
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return et_buf_append_str(out, buf);
}
