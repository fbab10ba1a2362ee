/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasource settings from a provisioning YAML or JSON file (see dsfile.h).
 *
 * DESIGN: the YAML subset is read line by line into (indent, text) records;
 * a recursive reader builds jansson values from them: a block at one indent
 * is a sequence when its first line starts with "-", else a mapping. A
 * "- key: value" item is re-read as a mapping indented past the dash. Depth
 * and size are bounded, so hostile files cannot exhaust the stack.
 */
#include "cli/dsfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

#define MAX_FILE_BYTES (4u << 20)
#define MAX_DEPTH      32
#define PLUGIN_ID      "errortriage-otel-datasource"

struct line {
    int indent;
    char *text; /* owned, comment and trailing spaces removed */
    int number; /* 1-based line number in the file */
};

struct reader {
    struct line *lines;
    size_t n;
    size_t i;
    struct et_error *err;
    int depth;
};

static int fail(struct reader *r, int line, const char *what)
{
    return et_error_set(r->err, 400, ET_SOURCE_PLUGIN, "datasource file line %d: %s", line, what);
}

/* ---- scalars --------------------------------------------------------------------- */

/* Grafana-style $VAR / ${VAR} interpolation; $$ is a literal $. */
static char *interpolate(const char *s, size_t len)
{
    struct et_buf b;
    et_buf_init(&b, MAX_FILE_BYTES);
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '$' || i + 1 >= len) {
            et_buf_putc(&b, s[i]);
            continue;
        }
        if (s[i + 1] == '$') {
            et_buf_putc(&b, '$');
            i++;
            continue;
        }
        size_t start = i + 1, end;
        bool braced = s[start] == '{';
        if (braced)
            start++;
        end = start;
        while (end < len && (isalnum((unsigned char)s[end]) || s[end] == '_'))
            end++;
        if (end == start || (braced && (end >= len || s[end] != '}'))) {
            et_buf_putc(&b, s[i]);
            continue;
        }
        char name[256];
        size_t nlen = end - start < sizeof name - 1 ? end - start : sizeof name - 1;
        memcpy(name, s + start, nlen);
        name[nlen] = '\0';
        const char *v = getenv(name);
        et_buf_append_str(&b, v ? v : "");
        i = braced ? end : end - 1;
    }
    return et_buf_take(&b, NULL);
}

static json_t *string_value(const char *s, size_t len)
{
    char *v = interpolate(s, len);
    json_t *j = json_string(v);
    free(v);
    return j ? j : json_string("");
}

static json_t *plain_scalar(const char *s)
{
    if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0)
        return json_null();
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0)
        return json_true();
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0)
        return json_false();
    char *end;
    errno = 0;
    long long i = strtoll(s, &end, 10);
    if (*end == '\0' && errno == 0 && (isdigit((unsigned char)*s) || *s == '-'))
        return json_integer(i);
    double d = strtod(s, &end);
    if (*end == '\0' && end != s && (isdigit((unsigned char)*s) || *s == '-' || *s == '.'))
        return json_real(d);
    return string_value(s, strlen(s));
}

/* A quoted scalar starting at *p; advances *p past the closing quote. */
static json_t *quoted_scalar(const char **p, struct reader *r, int line)
{
    char q = **p;
    struct et_buf b;
    et_buf_init(&b, MAX_FILE_BYTES);
    const char *s = *p + 1;
    for (; *s && *s != q; s++) {
        if (q == '\'' && s[0] == '\'' && s[1] == '\'') {
            et_buf_putc(&b, '\'');
            s++;
        } else if (q == '"' && *s == '\\' && s[1]) {
            s++;
            char c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s;
            et_buf_putc(&b, c);
        } else {
            et_buf_putc(&b, *s);
        }
    }
    if (*s != q) {
        et_buf_cleanup(&b);
        fail(r, line, "unterminated quoted string");
        return NULL;
    }
    *p = s + 1;
    json_t *j = string_value(et_buf_cstr(&b), b.len);
    et_buf_cleanup(&b);
    return j;
}

static json_t *flow_value(const char **p, struct reader *r, int line);

static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

/* A plain scalar inside a flow collection ends at , ] } */
static json_t *flow_plain(const char **p, bool is_key)
{
    const char *start = *p;
    while (**p && **p != ',' && **p != ']' && **p != '}' && !(is_key && **p == ':'))
        (*p)++;
    const char *end = *p;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char *tmp = et_xstrndup(start, (size_t)(end - start));
    json_t *j = is_key ? string_value(tmp, strlen(tmp)) : plain_scalar(tmp);
    free(tmp);
    return j;
}

static json_t *flow_collection(const char **p, struct reader *r, int line)
{
    char open = **p, close = open == '[' ? ']' : '}';
    if (++r->depth > MAX_DEPTH) {
        fail(r, line, "nested too deeply");
        return NULL;
    }
    json_t *out = open == '[' ? json_array() : json_object();
    (*p)++;
    for (;;) {
        skip_spaces(p);
        if (**p == close) {
            (*p)++;
            break;
        }
        json_t *key = NULL;
        if (open == '{') {
            key = (**p == '"' || **p == '\'') ? quoted_scalar(p, r, line) : flow_plain(p, true);
            skip_spaces(p);
            if (!key || **p != ':') {
                json_decref(key);
                json_decref(out);
                fail(r, line, "expected ':' in flow mapping");
                return NULL;
            }
            (*p)++;
            skip_spaces(p);
        }
        json_t *v = flow_value(p, r, line);
        if (!v) {
            json_decref(key);
            json_decref(out);
            return NULL;
        }
        if (key)
            json_object_set_new(out, json_string_value(key), v);
        else
            json_array_append_new(out, v);
        json_decref(key);
        skip_spaces(p);
        if (**p == ',') {
            (*p)++;
            continue;
        }
        if (**p == close) {
            (*p)++;
            break;
        }
        json_decref(out);
        fail(r, line, "unterminated flow collection");
        return NULL;
    }
    r->depth--;
    return out;
}

static json_t *flow_value(const char **p, struct reader *r, int line)
{
    skip_spaces(p);
    if (**p == '[' || **p == '{')
        return flow_collection(p, r, line);
    if (**p == '"' || **p == '\'')
        return quoted_scalar(p, r, line);
    return flow_plain(p, false);
}

/* The value text after "key:" or "- " on one line. */
static json_t *inline_value(const char *text, struct reader *r, int line)
{
    const char *p = text;
    json_t *v;
    if (*p == '[' || *p == '{' || *p == '"' || *p == '\'') {
        v = *p == '[' || *p == '{' ? flow_collection(&p, r, line) : quoted_scalar(&p, r, line);
        if (v) {
            skip_spaces(&p);
            if (*p) {
                json_decref(v);
                fail(r, line, "unexpected text after value");
                return NULL;
            }
        }
        return v;
    }
    return plain_scalar(text);
}

/* ---- blocks ------------------------------------------------------------------------ */

static json_t *read_block(struct reader *r, int indent);

static json_t *block_scalar(struct reader *r, int indent, bool folded)
{
    struct et_buf b;
    et_buf_init(&b, MAX_FILE_BYTES);
    int body_indent = -1;
    while (r->i < r->n && r->lines[r->i].indent > indent) {
        struct line *l = &r->lines[r->i++];
        if (body_indent < 0)
            body_indent = l->indent;
        for (int k = body_indent; k < l->indent; k++)
            et_buf_putc(&b, ' ');
        et_buf_append_str(&b, l->text);
        et_buf_putc(&b, folded ? ' ' : '\n');
    }
    json_t *j = string_value(et_buf_cstr(&b), b.len);
    et_buf_cleanup(&b);
    return j;
}

/* Find the ':' ending a mapping key (outside quotes, followed by space or end). */
static char *key_colon(char *text)
{
    char q = 0;
    for (char *p = text; *p; p++) {
        if (q) {
            if (*p == q)
                q = 0;
        } else if (*p == '"' || *p == '\'') {
            if (p == text)
                q = *p;
        } else if (*p == ':' && (p[1] == ' ' || p[1] == '\0')) {
            return p;
        }
    }
    return NULL;
}

static json_t *mapping_value(struct reader *r, struct line *l, const char *value, int indent)
{
    if (*value == '\0') {
        if (r->i < r->n && (r->lines[r->i].indent > indent ||
                            (r->lines[r->i].indent == indent && r->lines[r->i].text[0] == '-')))
            return read_block(r, r->lines[r->i].indent);
        return json_null();
    }
    if (strcmp(value, "|") == 0 || strcmp(value, "|-") == 0 || strcmp(value, ">") == 0 ||
        strcmp(value, ">-") == 0)
        return block_scalar(r, indent, value[0] == '>');
    return inline_value(value, r, l->number);
}

static json_t *read_mapping(struct reader *r, int indent)
{
    json_t *obj = json_object();
    while (r->i < r->n && r->lines[r->i].indent == indent && r->lines[r->i].text[0] != '-') {
        struct line *l = &r->lines[r->i++];
        char *colon = key_colon(l->text);
        if (!colon) {
            json_decref(obj);
            fail(r, l->number, "expected 'key: value'");
            return NULL;
        }
        *colon = '\0';
        const char *value = colon + 1;
        while (*value == ' ')
            value++;
        const char *kp = l->text;
        json_t *key =
            (*kp == '"' || *kp == '\'') ? quoted_scalar(&kp, r, l->number) : json_string(l->text);
        json_t *v = key ? mapping_value(r, l, value, indent) : NULL;
        if (!v) {
            json_decref(key);
            json_decref(obj);
            if (!et_error_is_set(r->err))
                fail(r, l->number, "invalid key");
            return NULL;
        }
        json_object_set_new(obj, json_string_value(key), v);
        json_decref(key);
    }
    return obj;
}

static json_t *read_sequence(struct reader *r, int indent)
{
    json_t *arr = json_array();
    while (r->i < r->n && r->lines[r->i].indent == indent && r->lines[r->i].text[0] == '-') {
        struct line *l = &r->lines[r->i];
        char *after = l->text + 1;
        if (*after && *after != ' ') {
            json_decref(arr);
            fail(r, l->number, "expected a space after '-'");
            return NULL;
        }
        while (*after == ' ')
            after++;
        json_t *item;
        if (*after == '\0') {
            r->i++;
            item = r->i < r->n && r->lines[r->i].indent > indent
                       ? read_block(r, r->lines[r->i].indent)
                       : json_null();
        } else if (key_colon(after) && *after != '[' && *after != '{') {
            /* "- key: value": the item is a mapping indented past the dash */
            int shift = (int)(after - l->text);
            memmove(l->text, after, strlen(after) + 1);
            l->indent += shift;
            item = read_block(r, l->indent);
        } else {
            r->i++;
            item = inline_value(after, r, l->number);
        }
        if (!item) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, item);
    }
    return arr;
}

static json_t *read_block(struct reader *r, int indent)
{
    if (++r->depth > MAX_DEPTH) {
        fail(r, r->i < r->n ? r->lines[r->i].number : 0, "nested too deeply");
        return NULL;
    }
    json_t *v = r->lines[r->i].text[0] == '-' ? read_sequence(r, indent) : read_mapping(r, indent);
    r->depth--;
    return v;
}

/* Split into lines: drop blank and comment-only lines, strip comments that
 * follow a space (outside quotes), the document marker and trailing spaces. */
static size_t split_lines(const char *text, size_t len, struct line **out, struct et_error *err)
{
    struct line *lines = NULL;
    size_t n = 0, cap = 0;
    int number = 0;
    for (size_t pos = 0; pos < len;) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - start) : len - pos;
        pos += llen + 1;
        number++;
        char *t = et_xstrndup(start, llen);
        char q = 0;
        for (char *p = t; *p; p++) {
            if (q) {
                if (*p == q)
                    q = 0;
            } else if (*p == '"' || *p == '\'') {
                if (p == t || p[-1] == ' ' || p[-1] == ':' || p[-1] == '[' || p[-1] == '{' ||
                    p[-1] == ',' || p[-1] == '-')
                    q = *p;
            } else if (*p == '#' && (p == t || p[-1] == ' ')) {
                *p = '\0';
                break;
            }
        }
        size_t tl = strlen(t);
        while (tl > 0 && (t[tl - 1] == ' ' || t[tl - 1] == '\r' || t[tl - 1] == '\t'))
            t[--tl] = '\0';
        int indent = 0;
        while (t[indent] == ' ')
            indent++;
        if (t[indent] == '\t' || memchr(start, '\0', llen)) {
            free(t);
            for (size_t j = 0; j < n; j++)
                free(lines[j].text);
            free(lines);
            et_error_set(err, 400, ET_SOURCE_PLUGIN,
                         "datasource file line %d: tabs and NUL bytes are not allowed", number);
            return (size_t)-1;
        }
        if (t[indent] == '\0' || strcmp(t + indent, "---") == 0) {
            free(t);
            continue;
        }
        memmove(t, t + indent, strlen(t + indent) + 1);
        lines = et_xgrow(lines, &cap, n + 1, sizeof *lines);
        lines[n++] = (struct line){indent, t, number};
    }
    *out = lines;
    return n;
}

json_t *dsfile_yaml_to_json(const char *text, size_t len, struct et_error *err)
{
    et_error_clear(err); /* the reader asks whether an error was already said */
    struct line *lines = NULL;
    size_t n = split_lines(text, len, &lines, err);
    if (n == (size_t)-1)
        return NULL;
    struct reader r = {lines, n, 0, err, 0};
    json_t *v = n ? read_block(&r, lines[0].indent) : json_object();
    if (v && r.i < r.n) {
        json_decref(v);
        v = NULL;
        fail(&r, lines[r.i].number, "unexpected indentation");
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i].text);
    free(lines);
    return v;
}

/* ---- picking the datasource ------------------------------------------------------ */

static json_t *pick_datasource(json_t *doc)
{
    json_t *list = json_object_get(doc, "datasources");
    if (json_is_array(list)) {
        size_t i;
        json_t *ds;
        json_array_foreach(list, i, ds)
        {
            const char *type = json_string_value(json_object_get(ds, "type"));
            if (type && strcmp(type, PLUGIN_ID) == 0)
                return ds;
        }
        return json_array_get(list, 0);
    }
    if (json_is_object(doc) && (json_object_get(doc, "jsonData") || json_object_get(doc, "type")))
        return doc;
    return NULL; /* a bare jsonData object */
}

static char *dup_json_text(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return s ? s : et_xstrdup("{}");
}

static int fill_from_doc(json_t *doc, struct dsfile *out, struct et_error *err)
{
    json_t *ds = pick_datasource(doc);
    json_t *jd = ds ? json_object_get(ds, "jsonData") : doc;
    if (ds && !json_is_object(ds))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "datasource file: the datasource entry is not a mapping");
    if (jd && !json_is_object(jd))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "datasource file: jsonData must be a mapping");
    out->uid = et_xstrdup(ds && json_string_value(json_object_get(ds, "uid"))
                              ? json_string_value(json_object_get(ds, "uid"))
                              : "cli");
    out->name = et_xstrdup(ds && json_string_value(json_object_get(ds, "name"))
                               ? json_string_value(json_object_get(ds, "name"))
                               : "errortriage");
    json_t *jd_copy = jd ? json_deep_copy(jd) : json_object();
    /* provisioning also allows `url`: use it as the Prometheus URL when none is set */
    const char *url = ds ? json_string_value(json_object_get(ds, "url")) : NULL;
    if (url && !json_object_get(jd_copy, "prometheusUrl"))
        json_object_set_new(jd_copy, "prometheusUrl", json_string(url));
    out->json_data = dup_json_text(jd_copy);
    json_decref(jd_copy);
    json_t *sec = ds ? json_object_get(ds, "secureJsonData") : NULL;
    if (json_is_object(sec)) {
        out->secrets = et_xcalloc(json_object_size(sec) + 1, sizeof *out->secrets);
        const char *k;
        json_t *v;
        json_object_foreach(sec, k, v)
        {
            char *text = json_is_string(v) ? et_xstrdup(json_string_value(v)) : dup_json_text(v);
            out->secrets[out->n_secrets].key = et_xstrdup(k);
            out->secrets[out->n_secrets].value = text;
            out->n_secrets++;
        }
    }
    return 0;
}

int dsfile_parse(const char *text, size_t len, struct dsfile *out, struct et_error *err)
{
    memset(out, 0, sizeof *out);
    et_error_clear(err);
    size_t k = 0;
    while (k < len && isspace((unsigned char)text[k]))
        k++;
    json_t *doc;
    if (k < len && (text[k] == '{' || text[k] == '[')) {
        json_error_t jerr;
        doc = json_loadb(text, len, 0, &jerr);
        if (!doc)
            return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                "datasource file line %d: invalid JSON: %s", jerr.line, jerr.text);
    } else {
        doc = dsfile_yaml_to_json(text, len, err);
        if (!doc)
            return -1;
    }
    int rc = fill_from_doc(doc, out, err);
    json_decref(doc);
    if (rc < 0)
        dsfile_cleanup(out);
    return rc;
}

int dsfile_load(const char *path, struct dsfile *out, struct et_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "cannot open datasource file %s: %s", path,
                            strerror(errno));
    struct et_buf b;
    et_buf_init(&b, MAX_FILE_BYTES);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        et_buf_append(&b, chunk, n);
    fclose(f);
    int rc;
    if (b.failed)
        rc = et_error_set(err, 400, ET_SOURCE_PLUGIN, "datasource file %s is larger than 4 MiB",
                          path);
    else
        rc = dsfile_parse(et_buf_cstr(&b), b.len, out, err);
    et_buf_cleanup(&b);
    return rc;
}

void dsfile_cleanup(struct dsfile *f)
{
    free(f->uid);
    free(f->name);
    free(f->json_data);
    for (size_t i = 0; i < f->n_secrets; i++) {
        free((char *)f->secrets[i].key);
        free((char *)f->secrets[i].value);
    }
    free(f->secrets);
    memset(f, 0, sizeof *f);
}
