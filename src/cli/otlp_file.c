/* SPDX-License-Identifier: Apache-2.0
 *
 * OTLP JSON trace files, one document at a time (see otlp_file.h).
 *
 * DESIGN: the file is read line by line into one reusable buffer. The first
 * non-blank line decides the shape: parsed whole, it is the first document
 * of a JSON Lines file and every later non-blank line is parsed on its own
 * (nothing else is kept); cut short (jansson's "premature end of input"), it
 * starts a document that the rest of the file completes, parsed at the end
 * with JSON_DISABLE_EOF_CHECK so concatenated documents (`jq .` output) work
 * too. Parsed trees go to the Tempo module and are freed before the next
 * line is read.
 */
#include "cli/otlp_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

struct reader {
    FILE *in;
    const char *name;
    otlp_file_trace_fn fn;
    void *ctx;
    struct otlp_file_stats *stats;
    struct et_error *err;
    struct et_buf line; /* the current line, without its newline */
    struct et_buf doc;  /* document shape: the file from its first non-blank line */
    long doc_line;      /* line number where `doc` starts */
};

static int fail_at(struct reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct reader *r, long line, const char *fmt, ...)
{
    char text[ET_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return et_error_set(r->err, 400, ET_SOURCE_PLUGIN, "%s:%ld: %s", r->name, line, text);
}

/* Read one line into r->line (newline dropped). Returns 1 for a line, 0 at
 * the end of the file, -1 on a read error or an over-long line. */
static int read_line(struct reader *r)
{
    char chunk[4096];
    size_t n = 0;
    int c = 0;
    bool any = false;
    et_buf_reset(&r->line);
    while ((c = getc_unlocked(r->in)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        chunk[n++] = (char)c;
        if (n == sizeof chunk) {
            et_buf_append(&r->line, chunk, n);
            n = 0;
        }
    }
    if (n)
        et_buf_append(&r->line, chunk, n);
    if (ferror(r->in))
        return et_error_set(r->err, 400, ET_SOURCE_PLUGIN, "%s: read error: %s", r->name,
                            strerror(errno));
    if (!any)
        return 0;
    r->stats->lines++;
    if (r->line.failed)
        return fail_at(r, r->stats->lines, "line longer than %u MB",
                       OTLP_FILE_MAX_LINE_BYTES >> 20);
    return 1;
}

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* The top-level shapes tempo_trace_from_json() accepts, checked in its order. */
static bool is_trace_shape(const json_t *root)
{
    const json_t *v;
    if (!json_is_object(root))
        return false;
    if ((v = json_object_get(root, "batches")))
        return json_is_array(v);
    if ((v = json_object_get(root, "resourceSpans")))
        return json_is_array(v);
    if ((v = json_object_get(root, "trace")) && json_is_object(v)) {
        v = json_object_get(v, "resourceSpans");
        return !v || json_is_array(v);
    }
    return false;
}

/* Hand one parsed document (borrowed) to the callback. */
static int deliver(struct reader *r, const json_t *root, long line)
{
    if (!is_trace_shape(root))
        return fail_at(r, line,
                       "not an OTLP trace: a JSON object with resourceSpans, batches or trace "
                       "was expected");
    struct et_error terr;
    et_error_clear(&terr);
    struct tempo_trace *t = tempo_trace_from_json(root, NULL, &terr);
    if (!t)
        return fail_at(r, line, "%s", terr.message);
    r->stats->documents++;
    int rc = r->fn(r->ctx, t, line, r->err);
    tempo_trace_unref(t);
    return rc < 0 ? -1 : 0;
}

/* One line of a JSON Lines file (or the first non-blank line of any file).
 * Sets *premature when the line is the start of a longer document. */
static int parse_line(struct reader *r, bool first, bool *premature)
{
    json_error_t jerr;
    json_t *root = json_loadb(r->line.data, r->line.len, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (first && json_error_code(&jerr) == json_error_premature_end_of_input) {
            *premature = true;
            return 0;
        }
        return fail_at(r, r->stats->lines, "not JSON: %s (column %d)", jerr.text, jerr.column);
    }
    int rc = deliver(r, root, r->stats->lines);
    json_decref(root);
    return rc;
}

/* Whole-document shape: parse r->doc as one or more concatenated documents. */
static int parse_documents(struct reader *r)
{
    if (r->doc.failed)
        return fail_at(r, r->doc_line, "document larger than %u MB",
                       OTLP_FILE_MAX_DOCUMENT_BYTES >> 20);
    const char *p = r->doc.data;
    size_t left = r->doc.len;
    long line = r->doc_line;
    for (;;) {
        while (left && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
            line += *p == '\n';
            p++;
            left--;
        }
        if (!left)
            return 0;
        json_error_t jerr;
        json_t *root = json_loadb(p, left, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
        if (!root) {
            long at = line + (jerr.line > 0 ? jerr.line - 1 : 0);
            return fail_at(r, at < r->stats->lines ? at : r->stats->lines, "not JSON: %s",
                           jerr.text);
        }
        int rc = deliver(r, root, line);
        json_decref(root);
        if (rc < 0)
            return -1;
        size_t used =
            jerr.position > 0 && (size_t)jerr.position <= left ? (size_t)jerr.position : left;
        for (size_t i = 0; i < used; i++)
            line += p[i] == '\n';
        p += used;
        left -= used;
    }
}

static int read_all(struct reader *r)
{
    int rc;
    while ((rc = read_line(r)) > 0) {
        if (r->stats->shape == OTLP_FILE_DOCUMENT) {
            et_buf_append(&r->doc, r->line.data, r->line.len);
            et_buf_putc(&r->doc, '\n');
            continue;
        }
        if (is_blank(r->line.data, r->line.len))
            continue;
        bool first = r->stats->shape == OTLP_FILE_EMPTY, premature = false;
        if (parse_line(r, first, &premature) < 0)
            return -1;
        if (premature) {
            r->stats->shape = OTLP_FILE_DOCUMENT;
            r->doc_line = r->stats->lines;
            et_buf_append(&r->doc, r->line.data, r->line.len);
            et_buf_putc(&r->doc, '\n');
        } else {
            r->stats->shape = OTLP_FILE_LINES;
        }
    }
    if (rc < 0)
        return -1;
    return r->stats->shape == OTLP_FILE_DOCUMENT ? parse_documents(r) : 0;
}

int otlp_file_read(FILE *in, const char *name, otlp_file_trace_fn fn, void *ctx,
                   struct otlp_file_stats *stats, struct et_error *err)
{
    struct otlp_file_stats local;
    struct reader r = {in, name, fn, ctx, stats ? stats : &local, err, {0}, {0}, 0};
    memset(r.stats, 0, sizeof *r.stats);
    et_buf_init(&r.line, OTLP_FILE_MAX_LINE_BYTES);
    et_buf_init(&r.doc, OTLP_FILE_MAX_DOCUMENT_BYTES);
    int rc = read_all(&r);
    et_buf_cleanup(&r.line);
    et_buf_cleanup(&r.doc);
    return rc;
}
