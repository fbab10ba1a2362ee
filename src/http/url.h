/* SPDX-License-Identifier: Apache-2.0
 *
 * URL and form building with percent-encoding.
 *
 * Query strings and x-www-form-urlencoded bodies are built parameter by
 * parameter; every name and value is percent-encoded (RFC 3986 unreserved
 * characters kept, everything else %XX, including `+`, `;`, `&`, `=`), so a
 * user value can never add a parameter. Path segments are encoded the same way
 * (`/` included).
 *
 * Thread safety: pure.
 */
#ifndef ET_HTTP_URL_H
#define ET_HTTP_URL_H

#include <stddef.h>

#include "core/buf.h"

/* Percent-encode s[0..len) into `out`. */
void url_encode(struct et_buf *out, const char *s, size_t len);
/* Append "name=value" (both encoded), preceded by `&` unless `out` is empty or
 * ends with `?`. */
void url_add_param(struct et_buf *out, const char *name, const char *value);
/* Same with a printf-formatted value (numbers). */
void url_add_paramf(struct et_buf *out, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Decode %XX and '+' (form style) from s[0..len) into `out`. Invalid escapes
 * are kept as they are. */
void url_decode(struct et_buf *out, const char *s, size_t len);
/* Find query parameter `name` in a URL or query string; appends every value
 * (decoded) through `fn`. Returns the number of values found. */
size_t url_query_values(const char *url, const char *name,
                        void (*fn)(void *ctx, const char *value, size_t len), void *ctx);

#endif
