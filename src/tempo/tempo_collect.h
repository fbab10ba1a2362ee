/* SPDX-License-Identifier: Apache-2.0
 *
 * The error sample behind every Tempo panel: search Tempo for ERROR spans in
 * one or more time ranges and turn the answer into error occurrences
 * (tempo_errors.h), in the mode the server allows.
 *
 * Select mode (Tempo 2.6+): one search whose select() brings every attribute
 * a row needs; a trace is read by ID only when Tempo cut its spans (more
 * matched than spans-per-spanset returned). Fetch mode (older Tempo, or
 * forced): the search finds the error traces and each is read by ID,
 * concurrently (maxConcurrentRequests, one curl multi), through the
 * datasource's trace cache, in batches so that only one batch of parsed
 * traces is held at a time (occurrences are copied out, the traces dropped
 * or left to the cache). The searches of several ranges (error-groups'
 * current and previous range) run in parallel, and a trace found in both is
 * fetched once.
 *
 * Failures: a failed search fails the query (Tempo's own text, see
 * tempo_client.h); failed trace reads leave the other traces answering, and
 * tempo_collect_add_notices() says how many failed; when every read failed
 * the query fails with the first error. Cancellation stops everything and
 * fails the query with 499.
 *
 * Ownership: tempo_collect_cleanup() frees the samples and texts.
 * Thread safety: one query per struct; the cache is shared safely.
 */
#ifndef ET_TEMPO_TEMPO_COLLECT_H
#define ET_TEMPO_TEMPO_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "frame/frame.h"
#include "query/runner.h"
#include "tempo/tempo_caps.h"
#include "tempo/tempo_client.h"
#include "tempo/tempo_errors.h"

#define TEMPO_COLLECT_MAX_RANGES 2
#define TEMPO_SELECT_SPSS        100   /* Tempo 2.7+ refuses more spans per spanset */
#define TEMPO_CACHE_SETTLE_MS    60000 /* traces younger than this are not cached */
#define TEMPO_READ_BATCH         256   /* traces read (and held parsed) at a time, at least */

struct tempo_range {
    int64_t from_ms;
    int64_t to_ms;
    const char *label; /* for executedQueryString: "current range", "previous range" */
};

struct tempo_sample {
    struct tempo_error_list errors; /* the occurrences found in this range */
    size_t traces;                  /* traces the search returned */
    bool capped;                    /* the search returned `limit` traces: there may be more */
};

struct tempo_collect {
    struct tempo_caps caps;
    struct tempo_sample samples[TEMPO_COLLECT_MAX_RANGES];
    size_t n_samples;
    size_t to_read;      /* distinct traces that had to be read by ID */
    size_t from_cache;   /* ... of which the cache had */
    size_t fetched;      /* ... read from Tempo */
    size_t fetch_failed; /* ... whose read failed */
    size_t not_found;    /* ... that Tempo no longer (or not yet) has */
    struct et_error first_failure;
    int limit;
    struct et_buf executed; /* executedQueryString */
};

/* Search `n` ranges (1..TEMPO_COLLECT_MAX_RANGES) with `q`'s filters, at most
 * `limit` traces each. Fills `out` (initialised here; clean it up even on
 * error). Returns 0, or -1 with `err` set. */
int tempo_collect_run(const struct query_ctx *ctx, const struct query *q,
                      const struct tempo_range *ranges, size_t n, int limit, bool most_recent,
                      struct tempo_collect *out, struct et_error *err);
void tempo_collect_cleanup(struct tempo_collect *c);

/* Notices for the frame: failed reads, traces not found, capped samples. */
void tempo_collect_add_notices(const struct tempo_collect *c, struct frame *f);

/* The datasource's trace cache (created on first use; NULL when the cache
 * size is 0). Borrowed for the life of the instance. */
struct trace_cache *tempo_instance_cache(struct instance *inst);

/* Read traces by ID through the cache (fetch mode's path, also used by
 * trace-exceptions). fetches[i].trace_id must be set; fills the rest.
 * Counts go to `c` (may be NULL). Returns the number of failed reads. */
size_t tempo_read_traces(const struct query_ctx *ctx, const struct tempo_caps *caps,
                         struct tempo_fetch *fetches, size_t n, struct tempo_collect *c);

#endif
