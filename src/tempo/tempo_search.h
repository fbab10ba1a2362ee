/* SPDX-License-Identifier: Apache-2.0
 *
 * Tempo search and tag responses parsed into plain C structs:
 * `GET /api/search` (SearchResponse), `/api/v2/search/tag/<t>/values`
 * (typed values) and `/api/search/tag/<t>/values` (plain strings).
 *
 * Search (notes/tempo.md §2): `traces` (absent when empty), each with a hex
 * `traceID` without its leading zeros (padded back to 32 digits here),
 * `rootServiceName`, `startTimeUnixNano` (string), `durationMs` (absent under
 * 1 ms), and the matched spans in `spanSets` (2.2+) or the single `spanSet`
 * (2.0–2.1; also mirrored as spanSets[0] later). Spans of every spanset are
 * merged per trace, deduplicated by spanID; `matched` is summed so callers
 * can tell when Tempo sent fewer spans than matched (spss). Span attribute
 * keys are bare names (`service.name`, `exception.type`, `status`).
 *
 * Ownership: results own a pool; *_cleanup() frees everything.
 * Thread safety: pure; a parsed result may be read from any thread.
 */
#ifndef ET_TEMPO_TEMPO_SEARCH_H
#define ET_TEMPO_TEMPO_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strlist.h"
#include "tempo/tempo_json.h"
#include "tempo/tempo_pool.h"

#define TEMPO_SEARCH_MAX_TRACES 100000 /* traces read from one response */
#define TEMPO_SEARCH_MAX_SPANS  1000   /* spans kept per trace */
#define TEMPO_SEARCH_MAX_ATTRS  256    /* attributes kept per span */

struct tempo_search_span {
    char span_id[17]; /* hex; "" when missing */
    const char *name; /* "" unless the query used `name` */
    int64_t start_ns;
    int64_t duration_ns;
    struct tempo_kv *attrs;
    uint32_t n_attrs;
};

struct tempo_search_trace {
    char trace_id[33]; /* 32 hex digits */
    const char *root_service;
    const char *root_name;
    int64_t start_ns;
    int64_t duration_ms;
    struct tempo_search_span *spans;
    size_t n_spans;
    int64_t matched; /* sum of the spansets' `matched` (0 when absent) */
};

struct tempo_search_result {
    struct tempo_search_trace *traces; /* newest first, as Tempo sorts them */
    size_t n_traces;
    int64_t inspected_traces; /* metrics, 0 when absent */
    int64_t inspected_bytes;
    struct tempo_pool pool;
};

void tempo_search_result_init(struct tempo_search_result *r);
void tempo_search_result_cleanup(struct tempo_search_result *r);

/* Parse a 200 search body into `r` (initialised by the caller). Traces with an
 * unusable traceID are skipped. Returns 0, or -1 with a 502 downstream error
 * for a body that is not a JSON object (then `r` is left empty). */
int tempo_search_parse(const char *body, size_t len, struct tempo_search_result *r,
                       struct et_error *err);

/* ---- reading a search body while it arrives ----
 *
 * A large search answer (megabytes of select() output) takes as long to read
 * as to download, so it is read on a second thread while curl is still
 * receiving and decompressing it: feed() publishes the body so far (bytes that
 * never move, http_request.on_body), a reader thread parses each complete
 * element of "traces" as soon as it is there, and finish() ends the download
 * and runs tempo_search_parse() over the whole body, taking the elements the
 * reader already parsed instead of parsing them again; when much is still
 * unread then, the finishing thread reads the second half of the rest itself
 * while the reader finishes the first. The result, errors
 * included, is exactly tempo_search_parse()'s: an element is reused only
 * when it starts at the byte where the full reading reaches it, and only an
 * object element (complete once its closing brace is there) is read ahead.
 *
 * Ownership: new() gives a stream the caller frees with free() (which stops
 * and joins the reader). Thread safety: feed() from the transfer's thread,
 * every other call from the owning thread.
 */
struct tempo_search_stream;

/* A stream whose reader thread starts once `start_at` bytes arrived and
 * looks again every `step` new bytes (TEMPO_STREAM_START / _STEP in the
 * client; tests use small values). Never NULL. */
struct tempo_search_stream *tempo_search_stream_new(size_t start_at, size_t step);
/* The same reading without a second thread: feed() itself reads every
 * complete element there is, on the caller's thread, before it returns. For
 * fuzzing, where a thread per input costs more than reading the input;
 * finish() never splits the rest with such a stream. Never NULL. */
struct tempo_search_stream *tempo_search_stream_new_inline(void);
/* The body so far: `data` stays valid and its first `len` bytes unchanged
 * until finish() or free(), or until a call with `data` NULL (the body is
 * about to move: the reader stops; its elements stay usable, by offset);
 * `len` only grows. Matches http_request.on_body. */
void tempo_search_stream_feed(void *stream, const char *data, size_t len);
/* For tests: wait until the reader has looked at everything fed. */
void tempo_search_stream_wait_idle(struct tempo_search_stream *st);
/* Elements of "traces" the reader has parsed so far (for tests). */
size_t tempo_search_stream_read_ahead(struct tempo_search_stream *st);
/* Stop the reader and parse the complete body (the bytes fed, now all
 * there) into `r` like tempo_search_parse(). */
int tempo_search_stream_finish(struct tempo_search_stream *st, const char *body, size_t len,
                               struct tempo_search_result *r, struct et_error *err);
void tempo_search_stream_free(struct tempo_search_stream *st);

/* The string attribute `key` of a search span, or NULL (missing, empty or
 * not a string). */
const char *tempo_search_span_attr(const struct tempo_search_span *s, const char *key);

/* Tag values: v2 `{"tagValues":[{"type":..,"value":..}]}` or v1
 * `{"tagValues":["a",..]}` (both accepted by this one function). Appends the
 * non-empty values to `out` without duplicates; at most `max` in total. */
int tempo_tag_values_parse(const char *body, size_t len, size_t max, struct et_strlist *out,
                           struct et_error *err);

/* `/api/status/buildinfo` → its version string (bare object, notes §7). */
int tempo_buildinfo_parse(const char *body, size_t len, char *version, size_t size,
                          struct et_error *err);

#endif
