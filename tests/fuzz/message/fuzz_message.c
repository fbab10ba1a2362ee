/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for message templates (src/analysis/message.h): any
 * bytes give a template no longer than MESSAGE_TEMPLATE_MAX, valid UTF-8 in
 * gives valid UTF-8 out, and a buffer limit is honoured.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/message.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* Strict UTF-8 check (no overlongs, no surrogates, at most U+10FFFF). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    CHECK(message_template((const char *)data, size, &out) == 0);
    CHECK(out.len <= MESSAGE_TEMPLATE_MAX);
    if (valid_utf8(data, size))
        CHECK(valid_utf8((const unsigned char *)et_buf_cstr(&out), out.len));
    et_buf_cleanup(&out);

    /* a caller's small limit is respected and reported */
    struct et_buf small;
    et_buf_init(&small, 16);
    int rc = message_template((const char *)data, size, &small);
    CHECK(small.len <= 16);
    CHECK(rc == 0 || small.failed);
    et_buf_cleanup(&small);
    return 0;
}
