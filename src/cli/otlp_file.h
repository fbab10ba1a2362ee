/* SPDX-License-Identifier: Apache-2.0
 *
 * OTLP JSON trace files, read one document at a time (for `triage`).
 *
 * Two shapes, detected per file from its first non-blank line:
 *  - JSON Lines, as the OpenTelemetry Collector's file exporter writes them:
 *    one `{"resourceSpans":[...]}` object per line, blank lines allowed. A
 *    first line that is a whole JSON value selects this shape.
 *  - whole documents, such as Tempo trace-by-ID answers (v1 `{"batches":...}`,
 *    v2 `{"trace":{...}}`), possibly pretty-printed over many lines. A first
 *    line that ends before its JSON value does selects this shape; the rest
 *    of the file is read, then parsed as one or more concatenated documents.
 * Every document is parsed by the Tempo module (tempo_trace_from_json), so
 * `scopeSpans` and `instrumentationLibrarySpans`, base64 and hex IDs are
 * understood exactly as in trace-by-ID answers.
 *
 * Memory: JSON Lines files are streamed, one line (and its parsed trace) at
 * a time, so a file may be any number of lines long; a line may not exceed
 * OTLP_FILE_MAX_LINE_BYTES. A whole-document file is held in memory, up to
 * OTLP_FILE_MAX_DOCUMENT_BYTES.
 *
 * Errors name the place: "FILE:LINE: message", LINE being the offending
 * line of a JSON Lines file, or the line where the JSON parser failed in a
 * document.
 *
 * Thread safety: one reader per thread; nothing is shared.
 */
#ifndef ET_CLI_OTLP_FILE_H
#define ET_CLI_OTLP_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "tempo/tempo_trace.h"

/* Why: a Collector line holds one export batch (a few MB at most); a
 * document is one trace, which Tempo caps far lower by default. */
#define OTLP_FILE_MAX_LINE_BYTES     (256u * 1024u * 1024u)
#define OTLP_FILE_MAX_DOCUMENT_BYTES (512u * 1024u * 1024u)

enum otlp_file_shape {
    OTLP_FILE_EMPTY = 0, /* only blank lines */
    OTLP_FILE_LINES,     /* JSON Lines */
    OTLP_FILE_DOCUMENT,  /* whole (pretty-printed) documents */
};

/* Called once per document with its parsed trace, borrowed for the call.
 * `line` is where the document starts. Returns 0 to go on, or -1 with
 * `err` set to stop reading (the reader returns -1 with that error). */
typedef int (*otlp_file_trace_fn)(void *ctx, const struct tempo_trace *trace, long line,
                                  struct et_error *err);

struct otlp_file_stats {
    enum otlp_file_shape shape;
    long lines;       /* lines read */
    size_t documents; /* documents handed to the callback */
};

/* Read `in` to its end, calling `fn` for every document. `name` is used in
 * messages ("-" reads best as "<stdin>"). Returns 0, or -1 with `err` set
 * (status 400, "NAME:LINE: ..."; read errors and size limits included).
 * `stats` (may be NULL) is filled either way. */
int otlp_file_read(FILE *in, const char *name, otlp_file_trace_fn fn, void *ctx,
                   struct otlp_file_stats *stats, struct et_error *err)
    __attribute__((warn_unused_result));

#endif
