/* SPDX-License-Identifier: Apache-2.0
 *
 * Prometheus HTTP API responses → typed series, with a streaming scanner
 * (see prom_parse.h for the why and the error mapping).
 *
 * The scanner is a strict recursive-descent JSON reader over the body bytes:
 * strings are decoded (escapes, \u surrogate pairs) into a reusable buffer,
 * numbers with strtod, unknown keys are skipped with a depth limit. Keys may
 * come in any order; `data` is read as soon as it is met and dropped again if
 * `status` turns out to be "error".
 */
#include "prometheus/prom_parse.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

#define MAX_DEPTH  64
#define MAX_STRING (1u << 20) /* one label value or message */

struct scan {
    const char *p;
    const char *end;
    int depth;
    const char *fail;  /* first problem, or NULL */
    struct et_buf str; /* last decoded string */
    size_t total_samples;
};

static bool failed(const struct scan *s)
{
    return s->fail != NULL;
}

static int set_fail(struct scan *s, const char *why)
{
    if (!s->fail)
        s->fail = why;
    return -1;
}

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static bool peek(struct scan *s, char c)
{
    skip_ws(s);
    return s->p < s->end && *s->p == c;
}

static int expect(struct scan *s, char c)
{
    skip_ws(s);
    if (s->p >= s->end || *s->p != c)
        return set_fail(s, "unexpected character");
    s->p++;
    return 0;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(struct et_buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        et_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        et_buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        et_buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        et_buf_append(b, u, 4);
    }
}

static int read_escape(struct scan *s)
{
    if (s->p >= s->end)
        return set_fail(s, "truncated string");
    char c = *s->p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = strchr(from, c);
    if (k && c) {
        et_buf_putc(&s->str, to[k - from]);
        return 0;
    }
    if (c != 'u' || s->end - s->p < 4)
        return set_fail(s, "bad escape in string");
    unsigned cp;
    if (hex4(s->p, &cp) < 0)
        return set_fail(s, "bad \\u escape");
    s->p += 4;
    if (cp >= 0xD800 && cp < 0xDC00 && s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u') {
        unsigned lo;
        if (hex4(s->p + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            s->p += 6;
        }
    }
    if (cp >= 0xD800 && cp < 0xE000)
        cp = 0xFFFD;
    put_utf8(&s->str, cp);
    return 0;
}

/* Decode a string into s->str. */
static int read_string(struct scan *s)
{
    if (expect(s, '"') < 0)
        return -1;
    et_buf_reset(&s->str);
    for (;;) {
        const char *start = s->p;
        while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (unsigned char)*s->p >= 0x20)
            s->p++;
        et_buf_append(&s->str, start, (size_t)(s->p - start));
        if (s->p >= s->end)
            return set_fail(s, "truncated string");
        char c = *s->p++;
        if (c == '"')
            break;
        if (c != '\\')
            return set_fail(s, "control character in string");
        if (read_escape(s) < 0)
            return -1;
    }
    if (s->str.failed)
        return set_fail(s, "string too long");
    return 0;
}

static int read_number(struct scan *s, double *out)
{
    skip_ws(s);
    const char *start = s->p;
    while (s->p < s->end && (isdigit((unsigned char)*s->p) || strchr("+-.eE", *s->p)))
        s->p++;
    size_t n = (size_t)(s->p - start);
    if (n == 0 || n > 64)
        return set_fail(s, "number expected");
    char tmp[65];
    memcpy(tmp, start, n);
    tmp[n] = '\0';
    char *endp;
    *out = strtod(tmp, &endp);
    if (*endp)
        return set_fail(s, "bad number");
    return 0;
}

static int skip_value(struct scan *s);

static int skip_container(struct scan *s, char open, char close)
{
    if (++s->depth > MAX_DEPTH)
        return set_fail(s, "JSON nested too deeply");
    s->p++; /* open */
    (void)open;
    if (peek(s, close)) {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            if (read_string(s) < 0 || expect(s, ':') < 0)
                return -1;
        }
        if (skip_value(s) < 0)
            return -1;
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        if (expect(s, close) < 0)
            return -1;
        break;
    }
    s->depth--;
    return 0;
}

static int skip_literal(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return set_fail(s, "unexpected token");
    s->p += n;
    return 0;
}

static int skip_value(struct scan *s)
{
    skip_ws(s);
    if (s->p >= s->end)
        return set_fail(s, "truncated JSON");
    switch (*s->p) {
    case '{':
        return skip_container(s, '{', '}');
    case '[':
        return skip_container(s, '[', ']');
    case '"':
        return read_string(s);
    case 't':
        return skip_literal(s, "true");
    case 'f':
        return skip_literal(s, "false");
    case 'n':
        return skip_literal(s, "null");
    default: {
        double d;
        return read_number(s, &d);
    }
    }
}

/* ---- result building ------------------------------------------------------------ */

void prom_result_init(struct prom_result *r)
{
    memset(r, 0, sizeof *r);
    et_strlist_init(&r->strings);
    et_strlist_init(&r->warnings);
}

static void series_free(struct prom_series *s)
{
    for (size_t i = 0; i < s->n_labels; i++) {
        free(s->labels[i].name);
        free(s->labels[i].value);
    }
    free(s->labels);
    free(s->samples);
}

static void drop_series(struct prom_result *r)
{
    for (size_t i = 0; i < r->n_series; i++)
        series_free(&r->series[i]);
    free(r->series);
    r->series = NULL;
    r->n_series = r->cap_series = 0;
}

void prom_result_cleanup(struct prom_result *r)
{
    drop_series(r);
    et_strlist_cleanup(&r->strings);
    et_strlist_cleanup(&r->warnings);
    r->type = PROM_RESULT_NONE;
}

const char *prom_series_label(const struct prom_series *s, const char *name)
{
    for (size_t i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return "";
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const struct prom_label *)a)->name, ((const struct prom_label *)b)->name);
}

static int read_metric(struct scan *s, struct prom_series *ser)
{
    if (expect(s, '{') < 0)
        return -1;
    if (peek(s, '}')) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (read_string(s) < 0)
            return -1;
        char *name = et_xstrndup(et_buf_cstr(&s->str), s->str.len);
        if (expect(s, ':') < 0 || read_string(s) < 0) {
            free(name);
            return -1;
        }
        if (ser->n_labels >= 512) {
            free(name);
            return set_fail(s, "too many labels on one series");
        }
        ser->labels = et_xrealloc(ser->labels, (ser->n_labels + 1) * sizeof *ser->labels);
        ser->labels[ser->n_labels].name = name;
        ser->labels[ser->n_labels].value = et_xstrndup(et_buf_cstr(&s->str), s->str.len);
        ser->n_labels++;
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        if (expect(s, '}') < 0)
            return -1;
        break;
    }
    qsort(ser->labels, ser->n_labels, sizeof *ser->labels, cmp_label);
    return 0;
}

/* [<t>, "<v>"] */
static int read_sample(struct scan *s, struct prom_series *ser)
{
    double t, v;
    if (expect(s, '[') < 0 || read_number(s, &t) < 0 || expect(s, ',') < 0)
        return -1;
    if (peek(s, '"')) {
        if (read_string(s) < 0)
            return -1;
        char *endp;
        v = strtod(et_buf_cstr(&s->str), &endp);
        if (s->str.len == 0 || *endp)
            return set_fail(s, "sample value is not a number");
    } else if (read_number(s, &v) < 0) {
        return -1;
    }
    if (expect(s, ']') < 0)
        return -1;
    if (++s->total_samples > PROM_MAX_SAMPLES)
        return set_fail(s, "too many samples in the response");
    ser->samples =
        et_xgrow(ser->samples, &ser->cap_samples, ser->n_samples + 1, sizeof *ser->samples);
    ser->samples[ser->n_samples].t = t;
    ser->samples[ser->n_samples].v = v;
    ser->n_samples++;
    return 0;
}

static int read_samples(struct scan *s, struct prom_series *ser)
{
    if (expect(s, '[') < 0)
        return -1;
    if (peek(s, ']')) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (read_sample(s, ser) < 0)
            return -1;
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        return expect(s, ']');
    }
}

static int read_series(struct scan *s, struct prom_result *r)
{
    if (r->n_series >= PROM_MAX_SERIES)
        return set_fail(s, "too many series in the response");
    r->series = et_xgrow(r->series, &r->cap_series, r->n_series + 1, sizeof *r->series);
    struct prom_series *ser = &r->series[r->n_series++];
    memset(ser, 0, sizeof *ser);
    if (expect(s, '{') < 0)
        return -1;
    if (peek(s, '}')) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (read_string(s) < 0 || expect(s, ':') < 0)
            return -1;
        const char *key = et_buf_cstr(&s->str);
        int rc;
        if (strcmp(key, "metric") == 0)
            rc = read_metric(s, ser);
        else if (strcmp(key, "values") == 0)
            rc = (r->type = PROM_RESULT_MATRIX, read_samples(s, ser));
        else if (strcmp(key, "value") == 0)
            rc = (r->type = PROM_RESULT_VECTOR, read_sample(s, ser));
        else
            rc = skip_value(s); /* histogram(s) and anything newer */
        if (rc < 0)
            return -1;
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        return expect(s, '}');
    }
}

/* "result": a list of series, or a scalar/string [t, v]. */
static int read_result(struct scan *s, struct prom_result *r)
{
    if (r->series) /* a second "result" key: Prometheus never sends one */
        return set_fail(s, "duplicate \"result\" in the response");
    skip_ws(s);
    const char *start = s->p;
    if (expect(s, '[') < 0)
        return -1;
    if (peek(s, ']')) {
        s->p++;
        if (r->type == PROM_RESULT_NONE)
            r->type = PROM_RESULT_VECTOR;
        return 0;
    }
    if (!peek(s, '{')) { /* scalar or string: [t, "v"] */
        s->p = start;    /* back onto '[' */
        r->series = et_xcalloc(1, sizeof *r->series);
        r->n_series = r->cap_series = 1;
        r->type = PROM_RESULT_SCALAR;
        return read_sample(s, &r->series[0]);
    }
    for (;;) {
        if (read_series(s, r) < 0)
            return -1;
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        return expect(s, ']');
    }
}

static int read_string_list(struct scan *s, struct et_strlist *out)
{
    if (expect(s, '[') < 0)
        return -1;
    if (peek(s, ']')) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (peek(s, '"')) {
            if (read_string(s) < 0)
                return -1;
            if (out->n >= 1000000)
                return set_fail(s, "too many values in the response");
            et_strlist_push_n(out, et_buf_cstr(&s->str), s->str.len);
        } else if (skip_value(s) < 0) {
            return -1;
        }
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        return expect(s, ']');
    }
}

static int read_data(struct scan *s, struct prom_result *r)
{
    skip_ws(s);
    if (peek(s, '[')) {
        r->type = PROM_RESULT_LABELS;
        return read_string_list(s, &r->strings);
    }
    if (!peek(s, '{'))
        return skip_value(s);
    s->p++;
    if (peek(s, '}')) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (read_string(s) < 0 || expect(s, ':') < 0)
            return -1;
        int rc = strcmp(et_buf_cstr(&s->str), "result") == 0 ? read_result(s, r) : skip_value(s);
        if (rc < 0)
            return -1;
        if (peek(s, ',')) {
            s->p++;
            continue;
        }
        return expect(s, '}');
    }
}

struct envelope {
    bool success;
    bool has_status;
    char error_type[64];
    char *error;
};

static int read_envelope_key(struct scan *s, const char *key, struct envelope *env,
                             struct prom_result *r)
{
    if (strcmp(key, "data") == 0)
        return read_data(s, r);
    if (strcmp(key, "warnings") == 0 || strcmp(key, "infos") == 0)
        return peek(s, '[') ? read_string_list(s, &r->warnings) : skip_value(s);
    if (strcmp(key, "status") == 0 || strcmp(key, "errorType") == 0 || strcmp(key, "error") == 0) {
        bool is_status = strcmp(key, "status") == 0, is_type = strcmp(key, "errorType") == 0;
        if (!peek(s, '"'))
            return skip_value(s);
        if (read_string(s) < 0)
            return -1;
        const char *v = et_buf_cstr(&s->str);
        if (is_status) {
            env->has_status = true;
            env->success = strcmp(v, "success") == 0;
        } else if (is_type) {
            snprintf(env->error_type, sizeof env->error_type, "%s", v);
        } else {
            free(env->error);
            env->error = et_xstrndup(v, s->str.len > 2000 ? 2000 : s->str.len);
        }
        return 0;
    }
    return skip_value(s);
}

static int status_for(const char *error_type, long http_status)
{
    static const struct {
        const char *type;
        int status;
    } map[] = {{"bad_data", 400},  {"execution", 422},        {"timeout", 503},
               {"canceled", 503},  {"unavailable", 503},      {"internal", 500},
               {"not_found", 404}, {"too_many_requests", 429}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(error_type, map[i].type) == 0)
            return map[i].status;
    return http_status >= 400 ? (int)http_status : 502;
}

static void excerpt(const char *body, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 4 < size; i++) {
        unsigned char c = (unsigned char)body[i];
        out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    if (len > 0 && o + 4 >= size) {
        while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
            o--; /* never cut inside a UTF-8 sequence */
        if (o > 0 && (unsigned char)out[o - 1] >= 0xC0)
            o--;
        memcpy(out + o, "...", 3);
        o += 3;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static int not_json_error(const char *body, size_t len, long http_status, struct et_error *err)
{
    char text[240];
    excerpt(body, len, text, sizeof text);
    if (http_status >= 200 && http_status < 300)
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "Prometheus answered %ld with a body that is not the Prometheus API "
                            "JSON: %s",
                            http_status, text[0] ? text : "(empty)");
    return et_error_set(err, http_status >= 400 ? (int)http_status : 502, ET_SOURCE_DOWNSTREAM,
                        "Prometheus answered %ld: %s", http_status, text[0] ? text : "(empty)");
}

int prom_parse_response(const char *body, size_t len, long http_status, struct prom_result *r,
                        struct et_error *err)
{
    struct scan s = {body, body + len, 0, NULL, {0}, 0};
    et_buf_init(&s.str, MAX_STRING);
    struct envelope env = {0};
    int rc = -1;

    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{') {
        not_json_error(body, len, http_status, err);
        goto out;
    }
    s.p++;
    if (!peek(&s, '}')) {
        for (;;) {
            if (read_string(&s) < 0 || expect(&s, ':') < 0)
                break;
            char key[32];
            snprintf(key, sizeof key, "%s", et_buf_cstr(&s.str));
            if (read_envelope_key(&s, key, &env, r) < 0)
                break;
            if (peek(&s, ',')) {
                s.p++;
                continue;
            }
            expect(&s, '}');
            break;
        }
    } else {
        s.p++;
    }
    skip_ws(&s);
    if (!failed(&s) && s.p != s.end)
        set_fail(&s, "trailing data after the JSON object");

    if (env.has_status && !env.success) {
        et_error_set(err, status_for(env.error_type, http_status), ET_SOURCE_DOWNSTREAM,
                     "Prometheus %s error: %s", env.error_type[0] ? env.error_type : "query",
                     env.error ? env.error : "(no message)");
    } else if (failed(&s)) {
        if (http_status >= 400) {
            not_json_error(body, len, http_status, err);
        } else {
            et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                         "Prometheus response is not valid JSON of the Prometheus API (%s at "
                         "byte %zu)",
                         s.fail, (size_t)(s.p - body));
        }
    } else if (!env.has_status) {
        not_json_error(body, len, http_status, err);
    } else {
        rc = 0;
    }
out:
    if (rc < 0) {
        drop_series(r);
        r->type = PROM_RESULT_NONE;
    }
    free(env.error);
    et_buf_cleanup(&s.str);
    return rc;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int prom_result_take_labels(struct prom_result *r, struct et_strlist *out, struct et_error *err)
{
    if (r->type != PROM_RESULT_LABELS)
        return et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                            "Prometheus label values response has no list of values (data is "
                            "not a list of strings)");
    struct et_strlist *in = &r->strings;
    size_t had = out->n;
    char **before = NULL; /* what `out` held already, sorted, for binary search */
    if (had) {
        before = et_xmalloc(had * sizeof *before);
        memcpy(before, out->items, had * sizeof *before);
        qsort(before, had, sizeof *before, cmp_cstr);
    }
    et_strlist_sort(in);
    for (size_t i = 0; i < in->n; i++) {
        const char *v = in->items[i];
        if (i > 0 && strcmp(v, in->items[i - 1]) == 0)
            continue;
        if (had && bsearch(&v, before, had, sizeof *before, cmp_cstr))
            continue;
        et_strlist_push(out, v);
    }
    free(before);
    return 0;
}
