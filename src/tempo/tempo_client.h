/* SPDX-License-Identifier: Apache-2.0
 *
 * Tempo HTTP API calls for one query context: the datasource's Tempo URL
 * (any path prefix kept), auth, X-Scope-OrgID, TLS and timeout settings.
 *
 * Calls: search (several in parallel), trace by ID (many in parallel, v2 or
 * v1 with the v1 fallback when the v2 route is missing), tag values (v2,
 * falling back to v1), build info and echo. Times go to Tempo in unix
 * seconds. Non-200 answers become et_error with source downstream: a 400 is
 * Tempo's own plain-text message, verbatim and trimmed (TraceQL errors are
 * meant for the user); 401/403, 404, 429 and 5xx get a short explanation in
 * front of Tempo's text. Transport failures keep http.h's errors (502, 504,
 * 499 when cancelled).
 *
 * Ownership: results are owned by the caller (cleanup functions named per
 * call). Thread safety: any thread; no shared state.
 */
#ifndef ET_TEMPO_TEMPO_CLIENT_H
#define ET_TEMPO_TEMPO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strlist.h"
#include "http/http.h"
#include "query/runner.h"
#include "tempo/tempo_search.h"
#include "tempo/tempo_trace.h"

#define TEMPO_SEARCH_MAX_BODY (64u << 20) /* one search response */
#define TEMPO_TRACE_MAX_BODY  (32u << 20) /* one trace (Tempo's default cap is 5 MB) */

/* One search: TraceQL `q` over [start_s, end_s] (unix seconds). */
struct tempo_search_req {
    const char *traceql;
    int64_t start_s;
    int64_t end_s;
    int limit; /* traces */
    int spss;  /* spans per spanset; 0: leave Tempo's default */
};

/* Run `n` searches in parallel; results[i] (initialised here) and errs[i]
 * are filled for each. Returns the number that failed. */
size_t tempo_search_many(const struct query_ctx *ctx, const struct tempo_search_req *reqs, size_t n,
                         struct tempo_search_result *results, struct et_error *errs);

/* A build-info answer (see tempo_get_buildinfo). */
struct tempo_buildinfo {
    int rc;           /* 0: version read; -1: err set */
    long http_status; /* the answer's status, 0 when none arrived */
    char version[64];
    struct et_error err;
};

/* tempo_search_many() with `/api/status/buildinfo` asked in the same batch,
 * its answer in `bi`: a cold instance learns what its Tempo is while its
 * first search runs (tempo_caps_known_or_guess). */
size_t tempo_search_many_probing(const struct query_ctx *ctx, const struct tempo_search_req *reqs,
                                 size_t n, struct tempo_search_result *results,
                                 struct et_error *errs, struct tempo_buildinfo *bi);

/* One fetched trace. */
struct tempo_fetch {
    const char *trace_id;      /* 32 hex digits (validated by the caller) */
    struct tempo_trace *trace; /* the parsed trace, or NULL */
    bool not_found;            /* Tempo has no such trace (v1 404, v2 empty trace) */
    struct et_error err;       /* set when the fetch failed (not for not_found) */
};

/* Fetch traces by ID, at most maxConcurrentRequests at a time. `v2` uses
 * /api/v2/traces/<id> (a 404 there retries the v1 route). `start_s`/`end_s`
 * (0: none) narrow which blocks Tempo reads. Fills every fetches[i];
 * returns how many failed. */
size_t tempo_fetch_traces(const struct query_ctx *ctx, struct tempo_fetch *fetches, size_t n,
                          bool v2, int64_t start_s, int64_t end_s);

/* Values of a tag: v2 `/api/v2/search/tag/<scoped>/values` with the TraceQL
 * filter `q` (may be NULL), else v1 `/api/search/tag/<bare>/values` when v2
 * answers 404 or `scoped` is NULL. Appends unique values to `out` (at most
 * `max`). */
int tempo_tag_values(const struct query_ctx *ctx, const char *scoped, const char *bare,
                     const char *q, int64_t start_s, int64_t end_s, size_t max,
                     struct et_strlist *out, struct et_error *err);

/* `/api/status/buildinfo` (2.3+). A 404 is returned as a 404 error.
 * `*http_status` gets the answer's status (0 when none arrived). */
int tempo_get_buildinfo(const struct query_ctx *ctx, char *version, size_t size, long *http_status,
                        struct et_error *err);

/* `/api/echo`: 0 when Tempo answers 200. */
int tempo_echo(const struct query_ctx *ctx, struct et_error *err);

/* Map a non-200 answer to an error (see the file comment). `what` names the
 * call ("search", "trace by ID" ...). Returns -1. Exposed for tests. */
int tempo_status_error(const struct http_response *resp, const char *what, struct et_error *err);

#endif
