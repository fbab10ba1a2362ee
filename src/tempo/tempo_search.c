/* SPDX-License-Identifier: Apache-2.0
 *
 * Search, tag-values and build-info bodies (see tempo_search.h).
 */
#include "tempo/tempo_search.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/mem.h"

void tempo_search_result_init(struct tempo_search_result *r)
{
    memset(r, 0, sizeof *r);
    tempo_pool_init(&r->pool);
}

void tempo_search_result_cleanup(struct tempo_search_result *r)
{
    tempo_pool_cleanup(&r->pool);
    tempo_search_result_init(r);
}

static json_t *load_object(const char *body, size_t len, const char *what, struct et_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
    if (json_is_object(root))
        return root;
    json_decref(root);
    if (root)
        et_error_set(err, 502, ET_SOURCE_DOWNSTREAM, "Tempo %s response is not a JSON object",
                     what);
    else
        et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                     "Tempo %s response is not valid JSON (%s at byte %d)", what, jerr.text,
                     jerr.position);
    return NULL;
}

/* ---- the search body: the top-level walk ------------------------------------------------------
 *
 * A search answer may list very many traces (0.4 MB for 100 select-mode
 * error traces, 4 MB for 1,000, mostly stack traces), so it is read in one
 * pass without a jansson tree: the top-level object is walked here, values
 * other than "traces" only matched for nesting, and "traces" is read by the
 * strict scanner below. Only the small "metrics" object goes to jansson. */

struct walk {
    const char *p, *end;
};

static void walk_ws(struct walk *w)
{
    while (w->p < w->end && (*w->p == ' ' || *w->p == '\n' || *w->p == '\r' || *w->p == '\t'))
        w->p++;
}

/* The closing quote of the string whose contents start at `p` (a backslash
 * escapes the next character), or NULL. memchr does the long stretches:
 * a select() answer is mostly stack traces. */
static const char *string_end(const char *p, const char *end)
{
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return NULL;
        const char *b = q; /* p - 1 is a quote: backslashes before q start at p or later */
        while (b > p && b[-1] == '\\')
            b--;
        if (((q - b) & 1) == 0)
            return q;
        p = q + 1;
    }
}

/* The end of the JSON value at `p`: strings and brackets matched, contents
 * left to json_loadb. NULL when it does not end before `end`. */
static const char *value_end(const char *p, const char *end)
{
    if (p >= end)
        return NULL;
    if (*p != '{' && *p != '[' && *p != '"') { /* number, true, false, null */
        const char *start = p;
        while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
               *p != '\r' && *p != '\t')
            p++;
        return p > start ? p : NULL;
    }
    size_t depth = 0;
    while (p < end) {
        char c = *p++;
        if (c == '"') {
            p = string_end(p, end);
            if (!p)
                return NULL;
            p++;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (depth == 0)
            return p;
    }
    return NULL;
}

static int search_not_json(const char *body, const char *at, const char *why, struct et_error *err)
{
    return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                        "Tempo search response is not valid JSON (%s at byte %zu)", why,
                        (size_t)(at - body));
}

/* The next element of the array walked by `w` (after '[' or a ','), or NULL at
 * the closing ']' (then *done) or on a syntax error (then `err` is set). */
static const char *next_element(struct walk *w, const char *body, const char **elem_end, bool *done,
                                struct et_error *err)
{
    walk_ws(w);
    if (w->p < w->end && *w->p == ']') {
        w->p++;
        *done = true;
        return NULL;
    }
    const char *e = value_end(w->p, w->end);
    if (!e) {
        search_not_json(body, w->p, "unterminated value", err);
        return NULL;
    }
    const char *start = w->p;
    w->p = e;
    walk_ws(w);
    if (w->p < w->end && *w->p == ',')
        w->p++;
    else if (!(w->p < w->end && *w->p == ']')) {
        search_not_json(body, w->p, "',' or ']' expected", err);
        return NULL;
    }
    *elem_end = e;
    return start;
}

/* ---- strict scanning: jansson's grammar without a tree -------------------------------------
 *
 * The elements of "traces" are read by a hand-written scanner that accepts
 * exactly what json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) accepts (jansson
 * 2.14, src/load.c): UTF-8 checked like its stream, control characters and bad
 * escapes refused, lone surrogates refused, integers that overflow int64 and
 * reals that overflow a double refused, NUL refused in keys, at most
 * JSON_PARSER_MAX_DEPTH nested values. Duplicate keys: the last one wins, as
 * in a jansson object. The scanner builds the result as it goes: the fields
 * it needs are kept as slots (where their text is) and turned into values once
 * their object is closed; strings are copied once, into the result's pool.
 * Parts it does not need are checked by skip_value(), which keeps its own
 * bracket stack (no recursion). */

#define SCAN_MAX_DEPTH JSON_PARSER_MAX_DEPTH

/* Where a value's text is: `start` at its first byte, `stop` one past its last. */
struct slot {
    const char *start, *stop;
    char kind;    /* 0 absent, '"' string, '0' integer, '.' real, 't', 'f', 'n', '{', '[' */
    bool escaped; /* string with a backslash */
    bool nul;     /* string with \u0000 */
};

/* An element of "traces" read ahead (tempo_search_stream): where it was in
 * the body and the trace it gave (SIZE_MAX: none, its traceID was unusable). */
struct ahead_elem {
    size_t start, stop, trace;
};

struct read_ahead {
    const struct ahead_elem *elems;
    size_t n;
    const struct tempo_search_trace *traces;
};

/* A text kept once per scanner (intern_text). */
struct interned {
    const char *text;
    size_t len;
};

#define INTERN_SLOTS   64 /* distinct texts kept once per scanner; later ones as read */
#define INTERN_MAX_LEN 256

struct scan {
    const char *end;
    const char *fail_at, *why; /* first fault */
    struct tempo_pool *pool;
    struct tempo_search_trace *traces; /* kept traces (copied into the pool at the end) */
    size_t n_traces, cap_traces;
    struct tempo_search_span *spans; /* spans of the trace being read */
    size_t n_spans, cap_spans;
    struct tempo_kv *kvs; /* attributes of the list being read */
    size_t cap_kvs;
    char *tmp; /* decoded short texts (IDs, numbers) */
    size_t cap_tmp;
    const struct read_ahead *ahead; /* elements read while the body arrived */
    size_t n_ahead;                 /* ... in this many lists (0..2) */
    size_t ahead_next[2];           /* per list, the next element the full reading may take */
    struct interned interned[INTERN_SLOTS]; /* open addressing; text NULL: free */
};

/* The scanner's work arrays (not its pool, which holds the result). */
static void scan_free(struct scan *s)
{
    free(s->traces);
    free(s->spans);
    free(s->kvs);
    free(s->tmp);
}

static const char *scan_fail(struct scan *s, const char *at, const char *why)
{
    if (!s->why) {
        s->why = why;
        s->fail_at = at;
    }
    return NULL;
}

static inline const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits at p, or -1. The caller checked that they are there. */
static int32_t hex4(const char *p)
{
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* One UTF-8 sequence at p (first byte >= 0x80), checked like jansson's
 * utf8_check_first/utf8_check_full. */
static const char *scan_utf8(struct scan *s, const char *p)
{
    unsigned char u = (unsigned char)*p;
    size_t count;
    int32_t v;
    if (u >= 0xC2 && u <= 0xDF) {
        count = 2;
        v = u & 0x1F;
    } else if (u >= 0xE0 && u <= 0xEF) {
        count = 3;
        v = u & 0xF;
    } else if (u >= 0xF0 && u <= 0xF4) {
        count = 4;
        v = u & 0x7;
    } else {
        return scan_fail(s, p, "unable to decode byte");
    }
    if ((size_t)(s->end - p) < count)
        return scan_fail(s, p, "unable to decode byte");
    for (size_t i = 1; i < count; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x80 || c > 0xBF)
            return scan_fail(s, p, "unable to decode byte");
        v = (v << 6) + (c & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (count == 2 && v < 0x80) ||
        (count == 3 && v < 0x800) || (count == 4 && v < 0x10000))
        return scan_fail(s, p, "unable to decode byte");
    return p + count;
}

/* The escape at p (a backslash) inside a string. */
static const char *scan_escape(struct scan *s, const char *p, struct slot *v)
{
    const char *end = s->end;
    v->escaped = true;
    if (end - p < 2)
        return scan_fail(s, p, "premature end of input");
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 2;
    case 'u':
        break;
    default:
        return scan_fail(s, p, "invalid escape");
    }
    int32_t cp = end - p >= 6 ? hex4(p + 2) : -1;
    if (cp < 0)
        return scan_fail(s, p, "invalid escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
            return scan_fail(s, p, "invalid Unicode (no second surrogate)");
        int32_t lo = hex4(p + 8);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return scan_fail(s, p, "invalid Unicode (second surrogate)");
        return p + 12;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return scan_fail(s, p, "invalid Unicode (lone low surrogate)");
    if (cp == 0)
        v->nul = true;
    return p + 6;
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Bytes that stop the fast string loop: '"', '\\', control characters and
 * non-ASCII. The lowest flagged byte is exact (borrows only run upwards). */
static inline uint64_t special_bytes(uint64_t w)
{
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
    return ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w) | (w & HIGHS);
}

/* The first byte at or after p that the string loop must look at ('"',
 * '\\', a control character or non-ASCII), or `end`. Sixteen bytes at a time
 * with SSE2 (every x86-64 has it), else eight with word tricks. */
static inline const char *skip_plain(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i high3 = _mm_set1_epi8((char)0xE0), zero = _mm_setzero_si128();
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                         _mm_cmpeq_epi8(_mm_and_si128(x, high3), zero));
        unsigned bits = (unsigned)_mm_movemask_epi8(hit) | (unsigned)_mm_movemask_epi8(x);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t m = special_bytes(w) & HIGHS;
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        p += 8;
    }
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return p;
        p++;
    }
    return end;
}

/* The escapes that stand for one character: a backslash and one of these. */
static inline bool simple_escape(char c)
{
    return c == 'n' || c == 't' || c == '"' || c == '\\' || c == '/' || c == 'r' || c == 'b' ||
           c == 'f';
}

/* The string whose opening quote is at p. */
static const char *scan_string(struct scan *s, const char *p, struct slot *v)
{
    const char *end = s->end;
    v->start = p;
    v->kind = '"';
    v->escaped = false;
    v->nul = false;
    p++;
    for (;;) {
        p = skip_plain(p, end);
        if (p >= end)
            return scan_fail(s, p, "premature end of input");
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            v->stop = p + 1;
            return p + 1;
        }
        if (c == '\\') {
            if (end - p >= 2 && simple_escape(p[1])) {
                v->escaped = true;
                p += 2;
                continue;
            }
            p = scan_escape(s, p, v);
        } else if (c < 0x20) {
            return scan_fail(s, p, c == '\n' ? "unexpected newline" : "control character");
        } else {
            p = scan_utf8(s, p);
        }
        if (!p)
            return NULL;
    }
}

/* Room for n bytes in the scratch text. */
static char *scan_tmp(struct scan *s, size_t n)
{
    if (n > s->cap_tmp) {
        s->cap_tmp = n < 256 ? 256 : n;
        s->tmp = et_xrealloc(s->tmp, s->cap_tmp);
    }
    return s->tmp;
}

/* jansson reads one character past a number or a literal and puts it back;
 * a NUL byte put back reads as an empty stream buffer, so it is skipped. */
static inline const char *skip_nul(const char *p, const char *end)
{
    return p < end && *p == '\0' ? p + 1 : p;
}

/* A number (jansson's lex_scan_number) at p. */
static const char *scan_number(struct scan *s, const char *p, struct slot *v)
{
    const char *end = s->end, *start = p;
    bool real = false;
    if (*p == '-')
        p++;
    if (p < end && *p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return scan_fail(s, p, "invalid token");
    } else if (p < end && is_digit(*p)) {
        while (p < end && is_digit(*p))
            p++;
    } else {
        return scan_fail(s, p, "invalid token");
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return scan_fail(s, p, "invalid token");
        while (p < end && is_digit(*p))
            p++;
        real = true;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return scan_fail(s, p, "invalid token");
        while (p < end && is_digit(*p))
            p++;
        real = true;
    }
    v->start = start;
    v->stop = p;
    v->kind = real ? '.' : '0';
    size_t n = (size_t)(p - start);
    if (!real && n - (*start == '-') <= 18)
        return skip_nul(p, s->end); /* fits in int64 */
    char *t = scan_tmp(s, n + 1);
    memcpy(t, start, n);
    t[n] = '\0';
    errno = 0;
    if (real) {
        double d = strtod(t, NULL);
        if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
            return scan_fail(s, start, "real number overflow");
    } else {
        (void)strtoll(t, NULL, 10);
        if (errno == ERANGE)
            return scan_fail(s, start, "too big integer");
    }
    return skip_nul(p, s->end);
}

/* true, false or null (jansson reads the whole run of letters). */
static const char *scan_literal(struct scan *s, const char *p, struct slot *v)
{
    const char *start = p;
    while (p < s->end && is_alpha(*p))
        p++;
    size_t n = (size_t)(p - start);
    if (n == 4 && memcmp(start, "true", 4) == 0)
        v->kind = 't';
    else if (n == 5 && memcmp(start, "false", 5) == 0)
        v->kind = 'f';
    else if (n == 4 && memcmp(start, "null", 4) == 0)
        v->kind = 'n';
    else
        return scan_fail(s, start, "invalid token");
    v->start = start;
    v->stop = p;
    return skip_nul(p, s->end);
}

/* A scalar at p (string, number, literal); anything else is refused. */
static const char *scan_scalar(struct scan *s, const char *p, struct slot *v)
{
    if (p >= s->end)
        return scan_fail(s, p, "premature end of input");
    if (*p == '"')
        return scan_string(s, p, v);
    if (*p == '-' || is_digit(*p))
        return scan_number(s, p, v);
    if (is_alpha(*p))
        return scan_literal(s, p, v);
    return scan_fail(s, p,
                     *p == ']' || *p == '}' || *p == ',' || *p == ':' ? "unexpected token"
                                                                      : "invalid token");
}

/* Check the value at p, at nesting depth `depth` (a trace is at 1), and
 * return its end. Iterative: the open brackets are kept in `stack`. */
static const char *skip_value(struct scan *s, const char *p, size_t depth)
{
    char stack[SCAN_MAX_DEPTH + 1];
    size_t n = 0;
    const char *end = s->end;
    struct slot v;
value:
    if (depth + n > SCAN_MAX_DEPTH)
        return scan_fail(s, p, "maximum parsing depth reached");
    if (p < end && (*p == '{' || *p == '[')) {
        char open = *p;
        p = skip_ws(p + 1, end);
        if (p < end && *p == (open == '{' ? '}' : ']')) {
            p++;
            goto closed;
        }
        stack[n++] = open;
        if (open == '{')
            goto key;
        goto value;
    }
    p = scan_scalar(s, p, &v);
    if (!p)
        return NULL;
closed:
    if (n == 0)
        return p;
    p = skip_ws(p, end);
    if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
        if (stack[n - 1] == '{')
            goto key;
        goto value;
    }
    if (p < end && *p == (stack[n - 1] == '{' ? '}' : ']')) {
        p++;
        n--;
        goto closed;
    }
    return scan_fail(s, p, stack[n - 1] == '{' ? "'}' expected" : "']' expected");
key:
    if (p >= end || *p != '"')
        return scan_fail(s, p, "string or '}' expected");
    p = scan_string(s, p, &v);
    if (!p)
        return NULL;
    if (v.nul)
        return scan_fail(s, v.start, "NUL byte in object key not supported");
    p = skip_ws(p, end);
    if (p >= end || *p != ':')
        return scan_fail(s, p, "':' expected");
    p = skip_ws(p + 1, end);
    goto value;
}

/* Any value at p as a slot; containers are checked and skipped. */
static const char *scan_slot(struct scan *s, const char *p, size_t depth, struct slot *v)
{
    if (p < s->end && (*p == '{' || *p == '[')) {
        v->start = p;
        v->kind = *p;
        v->escaped = v->nul = false;
        p = skip_value(s, p, depth);
        v->stop = p;
        return p;
    }
    return scan_scalar(s, p, v);
}

/* The next member of an object whose '{' has been read: 1 with the key and
 * *pp at the value, 0 after the closing '}', -1 on a fault. */
static int next_member(struct scan *s, const char **pp, bool *first, struct slot *key)
{
    const char *end = s->end, *p = skip_ws(*pp, end);
    if (p < end && *p == '}') { /* right after '{' or after a value */
        *pp = p + 1;
        return 0;
    }
    if (!*first) {
        if (p >= end || *p != ',') {
            scan_fail(s, p, "'}' expected");
            return -1;
        }
        p = skip_ws(p + 1, end);
    }
    *first = false;
    if (p >= end || *p != '"') {
        scan_fail(s, p, "string or '}' expected");
        return -1;
    }
    p = scan_string(s, p, key);
    if (!p)
        return -1;
    if (key->nul) {
        scan_fail(s, key->start, "NUL byte in object key not supported");
        return -1;
    }
    p = skip_ws(p, end);
    if (p >= end || *p != ':') {
        scan_fail(s, p, "':' expected");
        return -1;
    }
    p = skip_ws(p + 1, end);
    if (p >= end) {
        scan_fail(s, p, "premature end of input");
        return -1;
    }
    *pp = p;
    return 1;
}

/* The next element of an array whose '[' has been read: 1 with *pp at it, 0
 * after the closing ']', -1 on a fault. */
static int next_item(struct scan *s, const char **pp, bool *first)
{
    const char *end = s->end, *p = skip_ws(*pp, end);
    if (*first) {
        *first = false;
        if (p < end && *p == ']') {
            *pp = p + 1;
            return 0;
        }
    } else if (p < end && *p == ']') {
        *pp = p + 1;
        return 0;
    } else if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
    } else {
        scan_fail(s, p, "']' expected");
        return -1;
    }
    if (p >= end) {
        scan_fail(s, p, "premature end of input");
        return -1;
    }
    *pp = p;
    return 1;
}

/* The decoded text of string slot `v` into `out` (room for its raw length);
 * returns the decoded length (NUL bytes included). */
static size_t decode_string(const struct slot *v, char *out)
{
    const char *p = v->start + 1, *q = v->stop - 1;
    char *o = out;
    while (p < q) {
        const char *b = v->escaped ? memchr(p, '\\', (size_t)(q - p)) : NULL;
        if (!b) {
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            break;
        }
        memcpy(o, p, (size_t)(b - p));
        o += b - p;
        char c = b[1];
        p = b + 2;
        switch (c) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                cp = ((cp - 0xD800) << 10) + ((uint32_t)hex4(p + 2) - 0xDC00) + 0x10000;
                p += 6;
            }
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xC0 | cp >> 6);
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *o++ = (char)(0xE0 | cp >> 12);
                *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *o++ = (char)(0xF0 | cp >> 18);
                *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
                *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: /* '"', '\\', '/' */
            *o++ = c;
            break;
        }
    }
    return (size_t)(o - out);
}

/* A string slot as a pool string cut at its first NUL (tempo_pool_strndup's
 * rule); "" for anything else. */
static const char *slot_pool_str(struct scan *s, const struct slot *v)
{
    if (v->kind != '"' || v->stop - v->start <= 2)
        return "";
    size_t raw = (size_t)(v->stop - v->start) - 2;
    char *out = tempo_pool_alloc_raw(s->pool, raw + 1);
    size_t n = decode_string(v, out);
    if (v->nul)
        n = strnlen(out, n);
    if (n == 0)
        return "";
    out[n] = '\0';
    return out;
}

/* A string slot decoded into the scratch text, NUL-terminated (as jansson's
 * json_string_value); `len` gets the full length. */
static const char *slot_tmp_str(struct scan *s, const struct slot *v, size_t *len)
{
    if (v->kind != '"') {
        *len = 0;
        return "";
    }
    char *t = scan_tmp(s, (size_t)(v->stop - v->start));
    *len = decode_string(v, t);
    t[*len] = '\0';
    return t;
}

/* Short unescaped digits ("-"? then 1..18 digits) as an int64, else false. */
static bool fast_int(const char *p, const char *q, int64_t *out)
{
    bool neg = p < q && *p == '-';
    p += neg;
    if (q - p < 1 || q - p > 19) /* 19 digits fit in a uint64_t unchecked */
        return false;
    uint64_t x = 0;
    for (; p < q; p++) {
        if (!is_digit(*p))
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (x > (uint64_t)INT64_MAX) /* out of range: strtoll's rules apply */
        return false;
    *out = neg ? -(int64_t)x : (int64_t)x;
    return true;
}

/* A number slot's text, NUL-terminated, in the scratch. */
static const char *slot_tmp_number(struct scan *s, const struct slot *v)
{
    size_t n = (size_t)(v->stop - v->start);
    char *t = scan_tmp(s, n + 1);
    memcpy(t, v->start, n);
    t[n] = '\0';
    return t;
}

/* tempo_json_int64() of the value in slot `v`. */
static int64_t slot_int64(struct scan *s, const struct slot *v, int64_t fallback)
{
    int64_t x;
    if (v->kind == '0') {
        if (fast_int(v->start, v->stop, &x))
            return x;
        return (int64_t)strtoll(slot_tmp_number(s, v), NULL, 10);
    }
    if (v->kind == '.') {
        double d = strtod(slot_tmp_number(s, v), NULL);
        return (d >= -9.2e18 && d <= 9.2e18) ? (int64_t)d : fallback;
    }
    if (v->kind != '"')
        return fallback;
    if (!v->escaped && fast_int(v->start + 1, v->stop - 1, &x))
        return x;
    size_t len;
    const char *str = slot_tmp_str(s, v, &len);
    if (!*str)
        return fallback;
    char *end;
    errno = 0;
    long long y = strtoll(str, &end, 10);
    if (errno == ERANGE && *end == '\0' && *str != '-')
        return INT64_MAX;
    if (errno || *end)
        return fallback;
    return (int64_t)y;
}

/* tempo_json_double() of the value in slot `v`. */
static double slot_double(struct scan *s, const struct slot *v, double fallback)
{
    if (v->kind == '0') {
        int64_t x;
        if (!fast_int(v->start, v->stop, &x))
            x = (int64_t)strtoll(slot_tmp_number(s, v), NULL, 10);
        return (double)x;
    }
    if (v->kind == '.')
        return strtod(slot_tmp_number(s, v), NULL);
    if (v->kind != '"')
        return fallback;
    size_t len;
    const char *str = slot_tmp_str(s, v, &len);
    if (strcmp(str, "NaN") == 0)
        return NAN;
    if (strcmp(str, "Infinity") == 0 || strcmp(str, "+Infinity") == 0)
        return INFINITY;
    if (strcmp(str, "-Infinity") == 0)
        return -INFINITY;
    char *end;
    double d = strtod(str, &end);
    return (*str && !*end) ? d : fallback;
}

/* Whether member key `k` is `name`. An escaped key is compared decoded; one
 * longer than key.buf is not decoded (still over 20 bytes once decoded, so it
 * cannot be one of the names looked for). */
static bool key_is(const struct slot *k, const char *decoded, size_t dlen, const char *name)
{
    size_t n = strlen(name);
    if (!k->escaped)
        return (size_t)(k->stop - k->start) == n + 2 && memcmp(k->start + 1, name, n) == 0;
    return dlen == n && memcmp(decoded, name, n) == 0;
}

struct key {
    struct slot slot;
    char buf[128];
    size_t len;
};

static void key_decode(struct key *k)
{
    k->len = SIZE_MAX;
    if (k->slot.escaped && (size_t)(k->slot.stop - k->slot.start) <= sizeof k->buf)
        k->len = decode_string(&k->slot, k->buf);
}

static bool is_key(const struct key *k, const char *name)
{
    return key_is(&k->slot, k->buf, k->len, name);
}

/* ---- AnyValue, KeyValue, spans, spansets, traces ---- */

enum any_kind {
    ANY_STRING,
    ANY_INT,
    ANY_DOUBLE,
    ANY_BOOL,
    ANY_BYTES,
    ANY_ARRAY,
    ANY_KVLIST,
    ANY_N
};
static const char *const ANY_NAMES[ANY_N] = {"stringValue", "intValue",   "doubleValue",
                                             "boolValue",   "bytesValue", "arrayValue",
                                             "kvlistValue"};

/* Shortest text that reads back as `d` (tempo_json.c: format_double). */
static void format_double(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* The value of an AnyValue object as tempo_json_kv() sets it. Arrays and
 * key/value lists are rare: jansson renders them, from their checked text. */
static void any_value(struct scan *s, const struct slot *slots, struct tempo_kv *kv)
{
    char num[40];
    int k = 0;
    while (k < ANY_N && !slots[k].kind)
        k++;
    const struct slot *v = &slots[k < ANY_N ? k : 0];
    switch (k) {
    case ANY_STRING:
        kv->type = TEMPO_VALUE_STRING;
        kv->text = slot_pool_str(s, v);
        break;
    case ANY_INT:
        kv->type = TEMPO_VALUE_INT;
        kv->i = slot_int64(s, v, 0);
        kv->d = (double)kv->i;
        snprintf(num, sizeof num, "%lld", (long long)kv->i);
        kv->text = tempo_pool_strndup(s->pool, num, strlen(num));
        break;
    case ANY_DOUBLE:
        kv->type = TEMPO_VALUE_DOUBLE;
        kv->d = slot_double(s, v, 0);
        format_double(kv->d, num, sizeof num);
        kv->text = tempo_pool_strndup(s->pool, num, strlen(num));
        break;
    case ANY_BOOL: {
        size_t len;
        kv->type = TEMPO_VALUE_BOOL;
        kv->i = v->kind == 't' || (v->kind == '"' && strcmp(slot_tmp_str(s, v, &len), "true") == 0);
        kv->text = kv->i ? "true" : "false";
        break;
    }
    case ANY_BYTES:
        kv->type = TEMPO_VALUE_BYTES;
        kv->text = slot_pool_str(s, v);
        break;
    case ANY_ARRAY:
    case ANY_KVLIST: {
        json_t *inner = json_loadb(v->start, (size_t)(v->stop - v->start),
                                   JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        json_t *any = json_object(), *obj = json_object();
        json_object_set_new(any, ANY_NAMES[k], inner);
        json_object_set_new(obj, "value", any);
        struct tempo_kv tmp;
        tempo_json_kv(s->pool, obj, &tmp);
        json_decref(obj);
        kv->type = tmp.type;
        kv->text = tmp.text;
        kv->i = tmp.i;
        kv->d = tmp.d;
        break;
    }
    default:
        break;
    }
}

static const char *parse_any(struct scan *s, const char *p, size_t depth, struct tempo_kv *kv)
{
    struct slot slots[ANY_N];
    memset(slots, 0, sizeof slots);
    struct key k;
    bool first = true;
    int rc;
    p++;
    while ((rc = next_member(s, &p, &first, &k.slot)) > 0) {
        key_decode(&k);
        int which = -1;
        for (int i = 0; i < ANY_N && which < 0; i++)
            if (is_key(&k, ANY_NAMES[i]))
                which = i;
        if (which >= 0)
            p = scan_slot(s, p, depth + 1, &slots[which]);
        else
            p = skip_value(s, p, depth + 1);
        if (!p)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    any_value(s, slots, kv);
    return p;
}

static void kv_clear_value(struct tempo_kv *kv)
{
    kv->text = "";
    kv->type = TEMPO_VALUE_EMPTY;
    kv->i = 0;
    kv->d = 0;
}

/* `text` (in the scanner's pool), or an equal text the scanner kept before:
 * equal texts get one pointer while the table has room, so a summary can
 * group occurrences by pointer (error_summary_new_stable). */
static const char *intern_text(struct scan *s, const char *text)
{
    size_t len = strnlen(text, INTERN_MAX_LEN + 1);
    if (len > INTERN_MAX_LEN)
        return text;
    uint64_t head = 0, tail = 0;
    memcpy(&head, text, len < 8 ? len : 8);
    memcpy(&tail, text + (len < 8 ? 0 : len - 8), len < 8 ? len : 8);
    uint64_t h = (head * 0x9e3779b97f4a7c15ull) ^ (tail + len) * 0xc2b2ae3d27d4eb4full;
    size_t at = (size_t)(h >> 58); /* INTERN_SLOTS = 64 */
    for (size_t probe = 0; probe < INTERN_SLOTS; probe++, at = (at + 1) % INTERN_SLOTS) {
        struct interned *e = &s->interned[at];
        if (!e->text) {
            *e = (struct interned){text, len};
            return text;
        }
        if (e->len == len && memcmp(e->text, text, len) == 0)
            return e->text;
    }
    return text;
}

/* The keys whose values the panels group by: service.name, exception.type. */
static bool grouped_by(unsigned key_id)
{
    return key_id == TEMPO_KEY_SERVICE_NAME || key_id == TEMPO_KEY_EXCEPTION_TYPE;
}

/* One KeyValue (tempo_json_kv). */
static const char *parse_kv(struct scan *s, const char *p, size_t depth, struct tempo_kv *kv)
{
    kv->key = "";
    kv->key_id = TEMPO_KEY_OTHER;
    kv_clear_value(kv);
    if (*p != '{')
        return skip_value(s, p, depth);
    struct slot key = {0};
    struct key k;
    bool first = true;
    int rc;
    p++;
    while ((rc = next_member(s, &p, &first, &k.slot)) > 0) {
        key_decode(&k);
        if (is_key(&k, "key")) {
            p = scan_slot(s, p, depth + 1, &key);
        } else if (is_key(&k, "value")) {
            kv_clear_value(kv);
            p = *p == '{' ? parse_any(s, p, depth + 1, kv) : skip_value(s, p, depth + 1);
        } else {
            p = skip_value(s, p, depth + 1);
        }
        if (!p)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    kv->key = slot_pool_str(s, &key);
    kv->key_id = (uint8_t)tempo_key_of(kv->key);
    if (kv->type == TEMPO_VALUE_STRING && grouped_by(kv->key_id))
        kv->text = intern_text(s, kv->text);
    return p;
}

/* An attribute list (tempo_json_kv_list with TEMPO_SEARCH_MAX_ATTRS). */
static const char *parse_attrs(struct scan *s, const char *p, size_t depth,
                               struct tempo_search_span *span)
{
    size_t n = 0;
    bool first = true;
    int rc;
    p++;
    while ((rc = next_item(s, &p, &first)) > 0) {
        if (n < TEMPO_SEARCH_MAX_ATTRS) {
            if (n == s->cap_kvs) {
                s->cap_kvs = s->cap_kvs ? 2 * s->cap_kvs : 16;
                s->kvs = et_xrealloc(s->kvs, s->cap_kvs * sizeof *s->kvs);
            }
            p = parse_kv(s, p, depth + 1, &s->kvs[n]);
            n++;
        } else {
            p = skip_value(s, p, depth + 1);
        }
        if (!p)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    span->attrs = NULL;
    span->n_attrs = (uint32_t)n;
    if (n) {
        span->attrs = tempo_pool_array(s->pool, n, sizeof *span->attrs);
        memcpy(span->attrs, s->kvs, n * sizeof *span->attrs);
    }
    return p;
}

static const char *parse_span(struct scan *s, const char *p, size_t depth,
                              struct tempo_search_span *span)
{
    memset(span, 0, sizeof *span);
    span->name = "";
    if (*p != '{')
        return skip_value(s, p, depth);
    struct slot id = {0}, name = {0}, start = {0}, dur = {0};
    struct key k;
    bool first = true;
    int rc;
    p++;
    while ((rc = next_member(s, &p, &first, &k.slot)) > 0) {
        key_decode(&k);
        if (is_key(&k, "spanID")) {
            p = scan_slot(s, p, depth + 1, &id);
        } else if (is_key(&k, "name")) {
            p = scan_slot(s, p, depth + 1, &name);
        } else if (is_key(&k, "startTimeUnixNano")) {
            p = scan_slot(s, p, depth + 1, &start);
        } else if (is_key(&k, "durationNanos")) {
            p = scan_slot(s, p, depth + 1, &dur);
        } else if (is_key(&k, "attributes")) {
            span->attrs = NULL;
            span->n_attrs = 0;
            p = *p == '[' ? parse_attrs(s, p, depth + 1, span) : skip_value(s, p, depth + 1);
        } else {
            p = skip_value(s, p, depth + 1);
        }
        if (!p)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    size_t len;
    const char *text = slot_tmp_str(s, &id, &len);
    if (!tempo_json_id(text, len, 8, span->span_id)) {
        /* spanID is hex padded to 16 digits; be lenient with shorter ones */
        char padded[33];
        if (tempo_json_hex_trace_id(text, len, padded))
            memcpy(span->span_id, padded + 16, 17);
    }
    span->name = slot_pool_str(s, &name);
    span->start_ns = slot_int64(s, &start, 0);
    span->duration_ns = slot_int64(s, &dur, 0);
    return p;
}

static bool seen_span(const struct scan *s, const char *span_id)
{
    if (!span_id[0])
        return false;
    for (size_t i = 0; i < s->n_spans; i++)
        if (strcmp(s->spans[i].span_id, span_id) == 0)
            return true;
    return false;
}

/* A spanset's "spans": appended to the trace's spans, without duplicate span
 * IDs, at most TEMPO_SEARCH_MAX_SPANS (the others are only checked). */
static const char *parse_spans(struct scan *s, const char *p, size_t depth)
{
    bool first = true;
    int rc;
    p++;
    while ((rc = next_item(s, &p, &first)) > 0) {
        if (s->n_spans < TEMPO_SEARCH_MAX_SPANS) {
            if (s->n_spans == s->cap_spans) {
                s->cap_spans = s->cap_spans ? 2 * s->cap_spans : 16;
                s->spans = et_xrealloc(s->spans, s->cap_spans * sizeof *s->spans);
            }
            struct tempo_search_span *span = &s->spans[s->n_spans];
            p = parse_span(s, p, depth + 1, span);
            if (p && !seen_span(s, span->span_id))
                s->n_spans++;
        } else {
            p = skip_value(s, p, depth + 1);
        }
        if (!p)
            return NULL;
    }
    return rc < 0 ? NULL : p;
}

static int64_t add_wrapping(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* One spanset: its spans (the last "spans" key wins) and `matched`. */
static const char *parse_set(struct scan *s, const char *p, size_t depth, int64_t *matched)
{
    if (*p != '{')
        return skip_value(s, p, depth);
    size_t base = s->n_spans;
    struct slot m = {0};
    struct key k;
    bool first = true;
    int rc;
    p++;
    while ((rc = next_member(s, &p, &first, &k.slot)) > 0) {
        key_decode(&k);
        if (is_key(&k, "matched")) {
            p = scan_slot(s, p, depth + 1, &m);
        } else if (is_key(&k, "spans")) {
            s->n_spans = base;
            p = *p == '[' ? parse_spans(s, p, depth + 1) : skip_value(s, p, depth + 1);
        } else {
            p = skip_value(s, p, depth + 1);
        }
        if (!p)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    *matched = add_wrapping(*matched, slot_int64(s, &m, 0));
    return p;
}

static const char *parse_sets(struct scan *s, const char *p, size_t depth, int64_t *matched,
                              bool *nonempty)
{
    bool first = true;
    int rc;
    p++;
    *nonempty = false;
    while ((rc = next_item(s, &p, &first)) > 0) {
        *nonempty = true;
        p = parse_set(s, p, depth + 1, matched);
        if (!p)
            return NULL;
    }
    return rc < 0 ? NULL : p;
}

static void push_trace(struct scan *s, const struct tempo_search_trace *t)
{
    if (s->n_traces == s->cap_traces) {
        s->cap_traces = s->cap_traces ? 2 * s->cap_traces : 64;
        s->traces = et_xrealloc(s->traces, s->cap_traces * sizeof *s->traces);
    }
    s->traces[s->n_traces++] = *t;
}

/* One element of "traces" (depth 1); kept when it has a usable traceID. */
static const char *parse_trace(struct scan *s, const char *p)
{
    if (*p != '{')
        return skip_value(s, p, 1);
    struct slot id = {0}, svc = {0}, root = {0}, start = {0}, dur = {0}, single = {0};
    bool sets_ok = false;
    int64_t matched = 0;
    struct key k;
    bool first = true;
    int rc;
    s->n_spans = 0;
    p++;
    while ((rc = next_member(s, &p, &first, &k.slot)) > 0) {
        key_decode(&k);
        if (is_key(&k, "traceID")) {
            p = scan_slot(s, p, 2, &id);
        } else if (is_key(&k, "rootServiceName")) {
            p = scan_slot(s, p, 2, &svc);
        } else if (is_key(&k, "rootTraceName")) {
            p = scan_slot(s, p, 2, &root);
        } else if (is_key(&k, "startTimeUnixNano")) {
            p = scan_slot(s, p, 2, &start);
        } else if (is_key(&k, "durationMs")) {
            p = scan_slot(s, p, 2, &dur);
        } else if (is_key(&k, "spanSets")) {
            s->n_spans = 0;
            matched = 0;
            sets_ok = false;
            p = *p == '[' ? parse_sets(s, p, 2, &matched, &sets_ok) : skip_value(s, p, 2);
        } else if (is_key(&k, "spanSet")) {
            p = scan_slot(s, p, 2, &single); /* read below when there is no spanSets */
        } else {
            p = skip_value(s, p, 2);
        }
        if (!p)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    if (!sets_ok) {
        s->n_spans = 0;
        matched = 0;
        if (single.kind == '{' && !parse_set(s, single.start, 2, &matched))
            return NULL; /* cannot happen: the text was checked */
    }
    size_t len;
    const char *text = slot_tmp_str(s, &id, &len);
    struct tempo_search_trace t;
    memset(&t, 0, sizeof t);
    if (!tempo_json_hex_trace_id(text, len, t.trace_id))
        return p;
    t.root_service = slot_pool_str(s, &svc);
    t.root_name = slot_pool_str(s, &root);
    t.start_ns = slot_int64(s, &start, 0);
    t.duration_ms = slot_int64(s, &dur, 0);
    t.matched = matched;
    t.n_spans = s->n_spans;
    if (t.n_spans) {
        t.spans = tempo_pool_array(s->pool, t.n_spans, sizeof *t.spans);
        memcpy(t.spans, s->spans, t.n_spans * sizeof *t.spans);
    }
    push_trace(s, &t);
    return p;
}

/* The element read ahead that starts at `p`, if a reading ahead reached it
 * (`*traces` gets its list's traces). The full reading only moves forward,
 * so each list is passed once. */
static const struct ahead_elem *take_ahead(struct scan *s, const char *body, const char *p,
                                           const struct tempo_search_trace **traces)
{
    size_t off = (size_t)(p - body);
    for (size_t k = 0; k < s->n_ahead; k++) {
        const struct read_ahead *a = &s->ahead[k];
        size_t *next = &s->ahead_next[k];
        while (*next < a->n && a->elems[*next].start < off)
            (*next)++;
        if (*next < a->n && a->elems[*next].start == off) {
            *traces = a->traces;
            return &a->elems[(*next)++];
        }
    }
    return NULL;
}

/* "traces" from its '[': the first TEMPO_SEARCH_MAX_TRACES elements are read
 * strictly (each as json_loadb would); the rest only have their bounds
 * matched. A trailing comma is accepted, as by the element walk before.
 * Sets *tail when elements past the limit were walked. */
static const char *parse_traces(struct scan *s, const char *body, const char *p, bool *tail,
                                struct et_error *err)
{
    const char *end = s->end;
    size_t n = 0;
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']')
        return p + 1;
    for (;;) {
        if (n == TEMPO_SEARCH_MAX_TRACES) {
            struct walk w = {p, end};
            bool done = false;
            const char *e;
            *tail = true;
            while (!done)
                if (!next_element(&w, body, &e, &done, err) && !done)
                    return NULL;
            return w.p;
        }
        if (p >= end)
            return scan_fail(s, p, "premature end of input");
        const struct tempo_search_trace *ahead_traces = NULL;
        const struct ahead_elem *e = take_ahead(s, body, p, &ahead_traces);
        if (e) {
            if (e->trace != SIZE_MAX)
                push_trace(s, &ahead_traces[e->trace]);
            p = body + e->stop;
        } else {
            p = parse_trace(s, p);
        }
        if (!p)
            return NULL;
        n++;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == ']')
                return p + 1;
            continue;
        }
        if (p < end && *p == ']')
            return p + 1;
        return scan_fail(s, p, "',' or ']' expected");
    }
}

enum traces_state { TRACES_NONE, TRACES_OK, TRACES_NOT_LIST, TRACES_BAD };

/* Walk the top-level object (other values only matched for nesting, as
 * ever): "traces" is read where it stands, "metrics" is found for later. A
 * repeated key wins over the earlier ones, as in a jansson object. */
static int walk_top(const char *body, size_t len, struct scan *s, struct tempo_search_result *r,
                    enum traces_state *state, struct et_error *terr, const char **metrics,
                    const char **metrics_end, struct et_error *err)
{
    struct walk w = {body, body + len};
    walk_ws(&w);
    w.p++; /* '{', checked by the caller */
    for (;;) {
        walk_ws(&w);
        if (w.p < w.end && *w.p == '}') {
            w.p++;
            break;
        }
        const char *key = w.p, *key_end = value_end(w.p, w.end);
        if (w.p >= w.end || *w.p != '"' || !key_end)
            return search_not_json(body, w.p, "object key expected", err);
        w.p = key_end;
        walk_ws(&w);
        if (w.p >= w.end || *w.p != ':')
            return search_not_json(body, w.p, "':' expected", err);
        w.p++;
        walk_ws(&w);
        const char *v = w.p, *v_end;
        size_t klen = (size_t)(key_end - key);
        if (klen == 8 && memcmp(key, "\"traces\"", 8) == 0) {
            /* a repeated "traces": only the last one counts */
            s->n_traces = 0;
            tempo_pool_cleanup(&r->pool);
            s->why = NULL;
            bool tail = false;
            v_end = NULL;
            if (v < w.end && *v == '[') {
                v_end = parse_traces(s, body, v, &tail, terr);
                if (v_end)
                    *state = TRACES_OK;
                else {
                    *state = TRACES_BAD;
                    if (s->why)
                        search_not_json(body, s->fail_at, s->why, terr);
                }
            } else {
                *state = TRACES_NOT_LIST;
            }
            /* the nesting walk ends where the strict read ends, unless the
             * read failed or walked past the limit */
            if (!v_end || tail)
                v_end = value_end(v, w.end);
        } else {
            v_end = value_end(v, w.end);
            if (klen == 9 && memcmp(key, "\"metrics\"", 9) == 0) {
                *metrics = v;
                *metrics_end = v_end;
            }
        }
        if (!v_end)
            return search_not_json(body, w.p, "value expected", err);
        w.p = v_end;
        walk_ws(&w);
        if (w.p < w.end && *w.p == ',') {
            w.p++;
            continue;
        }
        if (w.p < w.end && *w.p == '}') {
            w.p++;
            break;
        }
        return search_not_json(body, w.p, "',' or '}' expected", err);
    }
    walk_ws(&w);
    if (w.p != w.end)
        return search_not_json(body, w.p, "trailing data", err);
    return 0;
}

static int parse_search(const char *body, size_t len, const struct read_ahead *ahead,
                        size_t n_ahead, struct tempo_search_result *r, struct et_error *err)
{
    struct walk w = {body, body + len};
    walk_ws(&w);
    if (w.p >= w.end || *w.p != '{') { /* jansson says what it is instead */
        json_t *root = load_object(body, len, "search", err);
        if (!root)
            return -1;
        json_decref(root);
        return search_not_json(body, w.p, "not an object", err);
    }
    struct scan s;
    memset(&s, 0, sizeof s);
    s.end = body + len;
    s.pool = &r->pool;
    s.ahead = ahead;
    s.n_ahead = n_ahead;
    enum traces_state state = TRACES_NONE;
    struct et_error terr;
    et_error_clear(&terr);
    const char *metrics = NULL, *metrics_end = NULL;
    int rc = walk_top(body, len, &s, r, &state, &terr, &metrics, &metrics_end, err);
    if (rc == 0 && state == TRACES_NOT_LIST)
        rc = et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                          "Tempo search response is not in Tempo's format (traces is not a "
                          "list)");
    if (rc == 0 && state == TRACES_BAD) {
        *err = terr;
        rc = -1;
    }
    if (rc == 0 && state == TRACES_OK) {
        r->traces = tempo_pool_array(&r->pool, s.n_traces, sizeof *r->traces);
        if (s.n_traces)
            memcpy(r->traces, s.traces, s.n_traces * sizeof *r->traces);
        r->n_traces = s.n_traces;
    }
    scan_free(&s);
    if (rc == 0 && metrics) {
        json_error_t jerr;
        json_t *m = json_loadb(metrics, (size_t)(metrics_end - metrics), JSON_ALLOW_NUL, &jerr);
        if (!m)
            return search_not_json(body, metrics + jerr.position, jerr.text, err);
        r->inspected_traces = tempo_json_int64(json_object_get(m, "inspectedTraces"), 0);
        r->inspected_bytes = tempo_json_int64(json_object_get(m, "inspectedBytes"), 0);
        json_decref(m);
    }
    return rc;
}

int tempo_search_parse(const char *body, size_t len, struct tempo_search_result *r,
                       struct et_error *err)
{
    if (parse_search(body, len, NULL, 0, r, err) == 0)
        return 0;
    tempo_search_result_cleanup(r); /* no half answer: the traces read before the fault go */
    return -1;
}

/* ---- reading ahead while the body arrives (see tempo_search.h) ------------------------------- */

/* A fault this close to the end of what has arrived may only be the cut:
 * the element is read again when more is there. */
#define AHEAD_MARGIN 64

/* The part of the rest that the finishing thread reads itself, from an
 * element near its middle, while the reader reads up to there. */
#define AHEAD_SPLIT_MIN (64u << 10)

enum ahead_phase { AHEAD_PREFIX, AHEAD_ELEMENT, AHEAD_SEPARATOR };

/* One reading ahead: its scanner and pool, where it stands, what it read. */
struct ahead_state {
    struct scan s;
    struct tempo_pool pool;
    struct ahead_elem *elems;
    size_t n_elems, cap_elems;
    size_t pos;
    enum ahead_phase phase;
};

struct tempo_search_stream {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t start_at, step;
    atomic_bool stop;       /* the reader leaves (checked per element) */
    atomic_size_t limit;    /* ... and leaves at the first element starting here or later */
    atomic_size_t progress; /* where the reader stands (a hint for finish()) */
    /* under the lock */
    const char *body;
    size_t avail;       /* bytes published by feed() */
    size_t seen;        /* avail when the reader last looked */
    bool all_in;        /* finish(): the body is complete, read what is there and leave */
    bool idle;          /* the reader waits for more than it has seen */
    bool finished;      /* the reader has left */
    bool running;       /* a reader thread exists (joined by finish/free) */
    bool inline_reader; /* no thread: feed() reads (tempo_search_stream_new_inline) */
    pthread_t thread;
    struct ahead_state reader; /* the reader's own; read by others after joining it */
};

static void ahead_state_init(struct ahead_state *a)
{
    memset(a, 0, sizeof *a);
    tempo_pool_init(&a->pool);
    a->s.pool = &a->pool;
}

static void ahead_state_cleanup(struct ahead_state *a)
{
    tempo_pool_cleanup(&a->pool);
    free(a->elems);
    scan_free(&a->s);
}

struct tempo_search_stream *tempo_search_stream_new(size_t start_at, size_t step)
{
    struct tempo_search_stream *st = et_xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);
    st->start_at = start_at;
    st->step = step ? step : 1;
    atomic_init(&st->stop, false);
    atomic_init(&st->limit, SIZE_MAX);
    atomic_init(&st->progress, 0);
    ahead_state_init(&st->reader);
    return st;
}

struct tempo_search_stream *tempo_search_stream_new_inline(void)
{
    struct tempo_search_stream *st = tempo_search_stream_new(0, 1);
    st->inline_reader = true;
    return st;
}

/* `"traces"` as the first key of the top-level object, up to its '['.
 * Returns 1 with pos after the '[', 0 when the body is laid out otherwise
 * (nothing is read ahead), -1 when more bytes are needed. */
static int ahead_prefix(struct ahead_state *a, const char *body, const char *end)
{
    const char *p = skip_ws(body, end);
    static const char key[] = "\"traces\"";
    if (p >= end)
        return -1;
    if (*p != '{')
        return 0;
    p = skip_ws(p + 1, end);
    for (size_t i = 0; i < sizeof key - 1; i++, p++) {
        if (p >= end)
            return -1;
        if (*p != key[i])
            return 0;
    }
    p = skip_ws(p, end);
    if (p >= end)
        return -1;
    if (*p != ':')
        return 0;
    p = skip_ws(p + 1, end);
    if (p >= end)
        return -1;
    if (*p != '[')
        return 0;
    a->pos = (size_t)(p + 1 - body);
    return 1;
}

static void ahead_record(struct ahead_state *a, size_t start, size_t stop, size_t trace)
{
    if (a->n_elems == a->cap_elems) {
        a->cap_elems = a->cap_elems ? 2 * a->cap_elems : 256;
        a->elems = et_xrealloc(a->elems, a->cap_elems * sizeof *a->elems);
    }
    a->elems[a->n_elems++] = (struct ahead_elem){start, stop, trace};
}

/* Read what `avail` bytes allow, leaving early when `st` says so (NULL: read
 * to the end). Returns true to wait for more, false when there is nothing
 * more to read ahead. */
static bool ahead_advance(struct ahead_state *a, const char *body, size_t avail,
                          struct tempo_search_stream *st)
{
    const char *end = body + avail;
    struct scan *s = &a->s;
    s->end = end;
    if (a->phase == AHEAD_PREFIX) {
        int rc = ahead_prefix(a, body, end);
        if (rc <= 0)
            return rc < 0;
        a->phase = AHEAD_ELEMENT;
    }
    for (;;) {
        const char *p = skip_ws(body + a->pos, end);
        if (p >= end)
            return true;
        if (a->phase == AHEAD_SEPARATOR) {
            if (*p != ',')
                return false; /* ']' or a fault: the rest is the full reading's */
            a->pos = (size_t)(p + 1 - body);
            a->phase = AHEAD_ELEMENT;
            continue;
        }
        /* only objects: any other value could read differently once longer */
        if (*p != '{' || a->n_elems == TEMPO_SEARCH_MAX_TRACES)
            return false;
        if (st && (atomic_load_explicit(&st->stop, memory_order_relaxed) ||
                   (size_t)(p - body) >= atomic_load_explicit(&st->limit, memory_order_relaxed)))
            return false;
        size_t before = s->n_traces;
        s->why = NULL;
        s->fail_at = NULL;
        const char *q = parse_trace(s, p);
        if (!q) {
            s->n_traces = before;
            a->pos = (size_t)(p - body);
            return s->fail_at && end - s->fail_at <= AHEAD_MARGIN; /* else a real fault */
        }
        ahead_record(a, (size_t)(p - body), (size_t)(q - body),
                     s->n_traces > before ? before : SIZE_MAX);
        a->pos = (size_t)(q - body);
        a->phase = AHEAD_SEPARATOR;
        if (st)
            atomic_store_explicit(&st->progress, a->pos, memory_order_relaxed);
    }
}

static void *ahead_reader(void *arg)
{
    struct tempo_search_stream *st = arg;
    bool more = true;
    pthread_mutex_lock(&st->lock);
    while (more) {
        while (!st->stop && !st->all_in && st->avail < st->seen + st->step) {
            st->idle = true;
            pthread_cond_broadcast(&st->cond);
            pthread_cond_wait(&st->cond, &st->lock);
        }
        st->idle = false;
        if (st->stop || (st->all_in && st->seen == st->avail))
            break;
        size_t avail = st->avail;
        const char *body = st->body;
        st->seen = avail;
        pthread_mutex_unlock(&st->lock);
        more = ahead_advance(&st->reader, body, avail, st);
        pthread_mutex_lock(&st->lock);
    }
    st->finished = true;
    st->idle = true;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static void join_reader(struct tempo_search_stream *st, bool stop)
{
    pthread_mutex_lock(&st->lock);
    if (stop)
        st->stop = true;
    bool running = st->running;
    st->running = false;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
    if (running)
        pthread_join(st->thread, NULL);
}

void tempo_search_stream_feed(void *stream, const char *data, size_t len)
{
    struct tempo_search_stream *st = stream;
    if (!data) { /* the body is about to move: what was read ahead stays valid by offset */
        join_reader(st, true);
        return;
    }
    pthread_mutex_lock(&st->lock);
    if (!st->body)
        st->body = data;
    if (data == st->body && len > st->avail && !st->finished && !st->stop && !st->all_in) {
        st->avail = len;
        if (st->inline_reader) {
            st->seen = len;
            st->finished = !ahead_advance(&st->reader, data, len, st);
        } else {
            if (!st->running && len >= st->start_at)
                st->running = pthread_create(&st->thread, NULL, ahead_reader, st) == 0;
            if (st->running && st->avail >= st->seen + st->step)
                pthread_cond_broadcast(&st->cond);
        }
    }
    pthread_mutex_unlock(&st->lock);
}

void tempo_search_stream_wait_idle(struct tempo_search_stream *st)
{
    pthread_mutex_lock(&st->lock);
    while (st->running && !st->finished && !(st->idle && st->avail < st->seen + st->step))
        pthread_cond_wait(&st->cond, &st->lock);
    pthread_mutex_unlock(&st->lock);
}

size_t tempo_search_stream_read_ahead(struct tempo_search_stream *st)
{
    tempo_search_stream_wait_idle(st);
    pthread_mutex_lock(&st->lock);
    size_t n = st->reader.n_elems;
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* An element start at or after `from`: a '{' opening the key "traceID"
 * right after a ',' (Tempo's layout), or SIZE_MAX. Only a hint: the
 * elements read from there are used only where the full reading finds an
 * element starting at the same byte. */
static size_t element_start_after(const char *body, size_t from, size_t len)
{
    static const char pat[] = "{\"traceID\"";
    const char *p = body + from, *end = body + len;
    while ((p = memchr(p, '{', (size_t)(end - p))) != NULL) {
        if ((size_t)(end - p) < sizeof pat - 1 || memcmp(p, pat, sizeof pat - 1) != 0) {
            p++;
            continue;
        }
        const char *b = p;
        while (b > body && (b[-1] == ' ' || b[-1] == '\n' || b[-1] == '\r' || b[-1] == '\t'))
            b--;
        if (b > body && b[-1] == ',')
            return (size_t)(p - body);
        p++;
    }
    return SIZE_MAX;
}

/* The reader stops: when a large part of the body is still unread, this
 * thread reads its second half (`tail`) while the reader finishes the first. */
static void finish_reading(struct tempo_search_stream *st, const char *body, size_t len,
                           struct ahead_state *tail)
{
    pthread_mutex_lock(&st->lock);
    bool split = st->running && !st->finished && !st->stop && body == st->body && len >= st->avail;
    size_t at = atomic_load(&st->progress);
    size_t x = SIZE_MAX;
    if (split && len > at && len - at >= AHEAD_SPLIT_MIN)
        x = element_start_after(body, at + (len - at) / 2, len);
    if (x != SIZE_MAX) {
        atomic_store(&st->limit, x);
        st->avail = len;
        st->all_in = true;
        pthread_cond_broadcast(&st->cond);
    }
    pthread_mutex_unlock(&st->lock);
    if (x == SIZE_MAX) {
        join_reader(st, true);
        return;
    }
    tail->phase = AHEAD_ELEMENT;
    tail->pos = x;
    ahead_advance(tail, body, len, NULL);
    join_reader(st, false);
}

int tempo_search_stream_finish(struct tempo_search_stream *st, const char *body, size_t len,
                               struct tempo_search_result *r, struct et_error *err)
{
    struct ahead_state tail;
    ahead_state_init(&tail);
    finish_reading(st, body, len, &tail);
    struct read_ahead ahead[2];
    size_t n = 0;
    if (st->reader.n_elems && len >= st->avail) /* the same bytes, maybe moved */
        ahead[n++] = (struct read_ahead){st->reader.elems, st->reader.n_elems, st->reader.s.traces};
    if (tail.n_elems)
        ahead[n++] = (struct read_ahead){tail.elems, tail.n_elems, tail.s.traces};
    int rc = parse_search(body, len, ahead, n, r, err);
    if (rc == 0) {
        tempo_pool_adopt(&r->pool, &st->reader.pool);
        tempo_pool_adopt(&r->pool, &tail.pool);
    } else {
        tempo_search_result_cleanup(r);
    }
    ahead_state_cleanup(&tail);
    return rc < 0 ? -1 : 0;
}

void tempo_search_stream_free(struct tempo_search_stream *st)
{
    if (!st)
        return;
    join_reader(st, true);
    ahead_state_cleanup(&st->reader);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
    free(st);
}

const char *tempo_search_span_attr(const struct tempo_search_span *s, const char *key)
{
    return tempo_kv_string(s->attrs, s->n_attrs, key);
}

int tempo_tag_values_parse(const char *body, size_t len, size_t max, struct et_strlist *out,
                           struct et_error *err)
{
    json_t *root = load_object(body, len, "tag values", err);
    if (!root)
        return -1;
    const json_t *values = json_object_get(root, "tagValues");
    if (values && !json_is_array(values)) {
        json_decref(root);
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "Tempo tag values response is not in Tempo's format (tagValues is "
                            "not a list)");
    }
    size_t i;
    const json_t *v;
    json_array_foreach(values, i, v)
    {
        if (out->n >= max)
            break;
        const json_t *s = json_is_object(v) ? json_object_get(v, "value") : v;
        size_t slen;
        const char *text = tempo_json_str(s, &slen);
        if (slen > 0 && !memchr(text, '\0', slen))
            et_strlist_push_unique(out, text);
    }
    json_decref(root);
    return 0;
}

int tempo_buildinfo_parse(const char *body, size_t len, char *version, size_t size,
                          struct et_error *err)
{
    json_t *root = load_object(body, len, "build info", err);
    if (!root)
        return -1;
    const char *v = json_string_value(json_object_get(root, "version"));
    /* Prometheus-style {"data":{"version"}} too, for gateways that wrap it */
    if (!v)
        v = json_string_value(json_object_get(json_object_get(root, "data"), "version"));
    int rc = 0;
    if (!v || !*v)
        rc = et_error_set(err, 502, ET_SOURCE_DOWNSTREAM, "Tempo build info has no version");
    else
        snprintf(version, size, "%s", v);
    json_decref(root);
    return rc;
}
