/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to message.c and message_scan.c: the byte classes and the
 * recognizers of message templates (the placeholder rules are in message.h).
 * Each msg_match_*() looks at s[i..n) and returns the length of what it
 * recognises there, or 0; lookahead is bounded (URLs excepted, which are
 * consumed whole when they match).
 */
#ifndef ET_ANALYSIS_MESSAGE_SCAN_H
#define ET_ANALYSIS_MESSAGE_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#define QUOTED_MAX_SCAN  256 /* a quote closing further away is not a quoted value */
#define QUOTED_IDENT_MAX 40  /* longer identifier-like quoted text counts as data */
#define TOKEN_MAX_SCAN   128 /* longest token considered for <id> */

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_alpha(c);
}

static inline bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Word bytes: ASCII letters, digits, `_` and every non-ASCII byte (so UTF-8
 * letters stay inside words). */
static inline bool is_word(unsigned char c)
{
    return is_alnum(c) || c == '_' || c >= 0x80;
}

static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline unsigned char at(const char *s, size_t n, size_t i)
{
    return i < n ? (unsigned char)s[i] : 0;
}

/* True when position i ends a token: end of input or a non-word byte. */
static inline bool ends_token(const char *s, size_t n, size_t i)
{
    return i >= n || !is_word((unsigned char)s[i]);
}

static inline size_t count_digits(const char *s, size_t n, size_t i, size_t max)
{
    size_t k = 0;
    while (k < max && is_digit(at(s, n, i + k)))
        k++;
    return k;
}

enum num_kind { NUM_PLAIN, NUM_DURATION, NUM_SIZE };

size_t msg_match_url(const char *s, size_t n, size_t i);
size_t msg_match_email(const char *s, size_t n, size_t i);
size_t msg_match_uuid(const char *s, size_t n, size_t i);
size_t msg_match_iso_date(const char *s, size_t n, size_t i);
/* Textual dates: names, day, year, time, zone (needs a month and a year or time). */
size_t msg_match_text_date(const char *s, size_t n, size_t i);
size_t msg_match_time(const char *s, size_t n, size_t i);
size_t msg_match_ipv4(const char *s, size_t n, size_t i);
size_t msg_match_ipv6(const char *s, size_t n, size_t i);
size_t msg_match_host(const char *s, size_t n, size_t i);
size_t msg_match_hex_literal(const char *s, size_t n, size_t i);
size_t msg_match_id(const char *s, size_t n, size_t i);
/* A number, possibly with a unit (its kind in *kind); 0 when digits run into a word. */
size_t msg_match_number(const char *s, size_t n, size_t i, enum num_kind *kind);
/* A quoted value closing on the same line; *ident says whether it is a
 * single-quoted code name to keep. */
size_t msg_match_quoted(const char *s, size_t n, size_t i, bool *ident);
/* The value after "id=": quoted, a placeholder, or up to a separator. */
size_t msg_id_value_len(const char *s, size_t n, size_t j);
/* Is the key before the '=' at s[eq] an id key (id, order_id, orderId ...)? */
bool msg_key_is_id(const char *s, size_t eq);

#endif
