/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to the stack-trace parsers (stacktrace.c and st_<language>.c):
 * the line reader, the builder that appends exceptions and frames to a
 * `struct stacktrace`, and small string-view helpers.
 *
 * Each language parser reads lines with st_next_line(), opens exceptions
 * with st_add_exception(), appends frames with st_add_frame() and calls
 * st_mark_cut() when the last line was cut. The builder enforces the limits
 * of stacktrace.h, so parsers need not count.
 */
#ifndef ET_ANALYSIS_STACKTRACE_INT_H
#define ET_ANALYSIS_STACKTRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "analysis/stacktrace.h"

#define ST_TYPE_MAX 256 /* bytes of an exception type kept */
#define ST_NAME_MAX 512 /* bytes of a module, function or file kept */

/* One line of input, without its '\n' (and without a '\r' before it). */
struct st_line {
    const char *p;
    size_t len;
    size_t offset;   /* of p in the input */
    bool terminated; /* a '\n' followed: the line is complete */
};

/* Where an exception's message lies in the input (copied at the end). */
struct st_message_span {
    size_t start;
    size_t end;
};

struct st_parser {
    struct stacktrace *st;
    const char *text; /* the input */
    size_t len;       /* bytes of it that may be read (<= STACKTRACE_MAX_SCAN_BYTES) */
    size_t pos;       /* next line starts here */
    size_t lines;     /* lines read so far */
    bool limited;     /* the input goes on past `len` */
    struct st_message_span messages[STACKTRACE_MAX_EXCEPTIONS];
};

/* ---- line reader -------------------------------------------------------- */

/* Next line, or false at the end (or after STACKTRACE_MAX_LINES lines, which
 * sets `truncated`). */
bool st_next_line(struct st_parser *p, struct st_line *l);
/* The line st_next_line() would return, without consuming it. */
bool st_peek_line(const struct st_parser *p, struct st_line *l);
/* True when `l` is the last line and does not end with a newline (it may be
 * cut, unless the format never ends with one). */
bool st_is_open_end(const struct st_parser *p, const struct st_line *l);

/* ---- builder ------------------------------------------------------------ */

/* Open an exception; its message starts as text[msg_start..msg_end) (offsets
 * in the input; pass equal values for none). Returns its index, or -1 at the
 * STACKTRACE_MAX_EXCEPTIONS limit (then `truncated` is set). */
int st_add_exception(struct st_parser *p, const char *type, size_t type_len, size_t msg_start,
                     size_t msg_end, enum stack_relation relation, int parent);
/* Extend exception `e`'s message to end at input offset `msg_end`. */
void st_extend_message(struct st_parser *p, int e, size_t msg_end);
/* Append a zeroed frame to exception `e` (frames of one exception must be
 * added in one run). Returns NULL at the frame limit or when `e` is invalid
 * or its run was closed by frames of another exception. */
struct stack_frame *st_add_frame(struct st_parser *p, int e, const struct st_line *l);
/* Count frames "... N more" / elided for exception `e`. */
void st_add_omitted(struct st_parser *p, int e, unsigned long n);
/* The text was cut while exception `e` (or none, -1) was being read. */
void st_mark_cut(struct st_parser *p, int e);
/* Copy s[0..n) into the trace's strings (at most ST_NAME_MAX bytes). "" for n == 0. */
const char *st_strdup(struct st_parser *p, const char *s, size_t n);
/* Reverse the order of exceptions (parent and frame links follow). */
void st_reverse_exceptions(struct st_parser *p);
/* Reorder exceptions: new position i gets old exception order[i] (order is a
 * permutation of 0..n_exceptions-1); parent and frame links follow. */
void st_permute_exceptions(struct st_parser *p, const uint16_t *order);
/* Reverse the frames of exception `e` (for languages printing innermost last). */
void st_reverse_frames(struct st_parser *p, int e);

/* A module name from a source path: the last `parts` directory/file names
 * (file extension dropped, names that look like ids or versions skipped),
 * joined with `sep`. "/srv/orders/app/api/checkout.py", 3, '.' gives
 * "app.api.checkout". */
const char *st_module_from_path(struct st_parser *p, const char *path, size_t n, int parts,
                                char sep);

/* ---- language parsers (st_<language>.c) --------------------------------- */

void st_parse_python(struct st_parser *p);
void st_parse_jvm(struct st_parser *p, bool php);
void st_parse_go(struct st_parser *p);
void st_parse_node(struct st_parser *p);
void st_parse_dotnet(struct st_parser *p);
void st_parse_ruby(struct st_parser *p);
void st_parse_php(struct st_parser *p);
void st_parse_lines(struct st_parser *p);

/* Is `cls` (with backslashes) in a known PHP vendor namespace? (st_jvm.c) */
bool st_php_vendor_namespace(const char *cls, size_t n);

/* ---- string views ------------------------------------------------------- */

static inline bool sv_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool sv_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Strip spaces/tabs at both ends of *s (length *n). */
static inline void sv_trim(const char **s, size_t *n)
{
    while (*n && sv_is_space((*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && sv_is_space((*s)[*n - 1]))
        (*n)--;
}

/* Leading white space width (a tab counts 4). */
static inline size_t sv_indent(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
        w += s[i] == '\t' ? 4 : 1;
    return w;
}

static inline bool sv_starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

static inline bool sv_ends(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* First occurrence of `needle` in s[0..n), or -1. */
static inline long sv_find(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || k > n)
        return k == 0 ? 0 : -1;
    const char *end = s + n - k + 1;
    for (const char *q = s; q < end; q++) {
        q = memchr(q, needle[0], (size_t)(end - q));
        if (!q)
            return -1;
        if (memcmp(q, needle, k) == 0)
            return (long)(q - s);
    }
    return -1;
}

/* Last occurrence of `needle` in s[0..n), or -1. */
static inline long sv_rfind(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || k > n)
        return -1;
    for (size_t i = n - k + 1; i-- > 0;)
        if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
            return (long)i;
    return -1;
}

static inline long sv_rfind_char(const char *s, size_t n, char c)
{
    for (size_t i = n; i-- > 0;)
        if (s[i] == c)
            return (long)i;
    return -1;
}

/* Parse decimal digits s[0..n) (all of them must be digits); false on
 * anything else or overflow past 32 bits. */
static inline bool sv_uint(const char *s, size_t n, unsigned long *out)
{
    if (n == 0 || n > 9)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sv_is_digit(s[i]))
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Does `path` contain `segment` (e.g. "/site-packages/")? Both separators
 * are accepted: a '/' in `segment` also matches '\'. */
bool sv_path_contains(const char *path, size_t n, const char *segment);

/* Does s[0..n) start with one of the prefixes of a NULL-terminated table? */
bool sv_starts_any(const char *s, size_t n, const char *const *prefixes);

#endif
