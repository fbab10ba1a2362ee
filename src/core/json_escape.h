/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON string escaping compatible with Go's encoding/json.
 *
 * Everything we write as JSON text by hand (frame metadata, log lines, JSON
 * frames) goes through here so the output is byte-identical to what the Go SDK
 * writes: `"` and `\` escaped, control characters as \n \r \t or \u00XX,
 * `<` `>` `&` as \u003c \u003e \u0026, U+2028/U+2029 escaped, and invalid UTF-8
 * replaced by U+FFFD (\ufffd), exactly as Go does.
 *
 * Thread safety: pure functions.
 */
#ifndef ET_CORE_JSON_ESCAPE_H
#define ET_CORE_JSON_ESCAPE_H

#include <stddef.h>

#include "core/buf.h"

/* Append `s[0..n)` as a quoted JSON string (with the quotes). */
int et_json_append_string(struct et_buf *out, const char *s, size_t n);
/* Same for a NUL-terminated string. */
int et_json_append_cstring(struct et_buf *out, const char *s);
/* Append a double the way Go's encoding/json formats float64 (shortest form that
 * round-trips, exponent below 1e-6 and from 1e21). NaN/Inf are not valid JSON:
 * they are written as `null` and the function returns 1 so callers can record them. */
int et_json_append_double(struct et_buf *out, double v);

#endif
