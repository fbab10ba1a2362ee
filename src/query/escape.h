/* SPDX-License-Identifier: Apache-2.0
 *
 * The injection boundary: how a user-supplied value enters PromQL or TraceQL.
 *
 * Both languages read double-quoted string literals with Go's escapes
 * (strconv.Unquote), so a value is written as "..." with `\` `"` and control
 * characters escaped; non-ASCII UTF-8 passes through and invalid bytes become
 * \xNN. For regex matchers (`=~`), each literal is first escaped for RE2
 * (the metacharacters \.+*?()|[]{}^$ get a backslash) and the alternation of
 * several literals is `(?:a|b)`-free `a|b`, which Prometheus and Tempo anchor
 * for us. Whatever the value, the result is exactly one string literal: it can
 * never end the literal early or add syntax.
 *
 * All functions append to `out` (sticky errors as et_buf). Thread safety: pure.
 */
#ifndef ET_QUERY_ESCAPE_H
#define ET_QUERY_ESCAPE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/strlist.h"

/* "value" as a PromQL/TraceQL string literal (with the quotes). */
void escape_string_literal(struct et_buf *out, const char *s, size_t len);
/* The RE2 form of a literal, without quotes (caller wraps it as a string literal). */
void escape_regex_literal(struct et_buf *out, const char *s, size_t len);
/* "a|b|c" as one string literal whose regex matches exactly one of the values. */
void escape_regex_alternation(struct et_buf *out, const struct et_strlist *values);

#endif
