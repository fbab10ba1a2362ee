/* SPDX-License-Identifier: Apache-2.0
 *
 * The error sample of the Tempo panels (see tempo_collect.h).
 */
#include "tempo/tempo_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "tempo/trace_cache.h"
#include "tempo/traceql.h"

static void free_cache(void *cache)
{
    trace_cache_free(cache);
}

struct trace_cache *tempo_instance_cache(struct instance *inst)
{
    pthread_mutex_lock(&inst->lock);
    if (!inst->tempo_cache && inst->settings.trace_cache_bytes > 0) {
        inst->tempo_cache =
            trace_cache_new(inst->settings.trace_cache_bytes, TEMPO_CACHE_SETTLE_MS);
        inst->tempo_cache_free = free_cache;
    }
    struct trace_cache *c = inst->tempo_cache;
    pthread_mutex_unlock(&inst->lock);
    return c;
}

void tempo_collect_cleanup(struct tempo_collect *c)
{
    for (size_t i = 0; i < TEMPO_COLLECT_MAX_RANGES; i++)
        tempo_error_list_cleanup(&c->samples[i].errors);
    et_buf_cleanup(&c->executed);
}

static void collect_init(struct tempo_collect *c, int limit)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < TEMPO_COLLECT_MAX_RANGES; i++)
        tempo_error_list_init(&c->samples[i].errors);
    et_buf_init(&c->executed, ET_BUF_UNLIMITED);
    et_error_clear(&c->first_failure);
    c->limit = limit;
}

/* ---- reading traces ----------------------------------------------------------------------------
 */

size_t tempo_read_traces(const struct query_ctx *ctx, const struct tempo_caps *caps,
                         struct tempo_fetch *fetches, size_t n, struct tempo_collect *c)
{
    struct trace_cache *cache = tempo_instance_cache(ctx->inst);
    struct tempo_fetch *missing = et_xcalloc(n ? n : 1, sizeof *missing);
    size_t *where = et_xcalloc(n ? n : 1, sizeof *where);
    size_t n_missing = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        fetches[i].not_found = false;
        et_error_clear(&fetches[i].err);
        fetches[i].trace = trace_cache_get(cache, fetches[i].trace_id);
        if (fetches[i].trace) {
            if (c)
                c->from_cache++;
            continue;
        }
        missing[n_missing].trace_id = fetches[i].trace_id;
        where[n_missing++] = i;
    }
    tempo_fetch_traces(ctx, missing, n_missing, (caps->caps & TEMPO_CAP_V2_TRACES) != 0, 0, 0);
    int64_t now_ms = et_now_wall_ms();
    for (size_t k = 0; k < n_missing; k++) {
        struct tempo_fetch *f = &fetches[where[k]];
        *f = missing[k];
        if (f->trace)
            trace_cache_put(cache, f->trace, now_ms);
        if (et_error_is_set(&f->err)) {
            failed++;
            if (c && !et_error_is_set(&c->first_failure))
                c->first_failure = f->err;
        }
        if (c) {
            c->fetched += f->trace != NULL;
            c->not_found += f->not_found;
            c->fetch_failed += et_error_is_set(&f->err);
        }
    }
    free(missing);
    free(where);
    return failed;
}

/* ---- searching
 * ----------------------------------------------------------------------------------- */

static int64_t floor_s(int64_t ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static int64_t ceil_s(int64_t ms)
{
    return -floor_s(-ms);
}

static void search_window(const struct tempo_range *r, int64_t *start_s, int64_t *end_s)
{
    *start_s = floor_s(r->from_ms);
    *end_s = ceil_s(r->to_ms);
    if (*end_s <= *start_s)
        *end_s = *start_s + 1;
}

static bool needs_read(const struct tempo_collect *c, const struct tempo_search_trace *t)
{
    if (!c->caps.use_select)
        return true;
    /* select mode: spans-per-spanset cut the matched spans */
    return t->matched > (int64_t)t->n_spans;
}

static int cmp_fetch(const void *a, const void *b)
{
    const struct tempo_fetch *x = a, *y = b;
    return strcmp(x->trace_id, y->trace_id);
}

/* Distinct trace IDs to read over all search results, sorted by ID. */
static size_t plan_reads(const struct tempo_collect *c, const struct tempo_search_result *res,
                         size_t n, struct tempo_fetch **out)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        total += res[i].n_traces;
    struct tempo_fetch *f = et_xcalloc(total ? total : 1, sizeof *f);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < res[i].n_traces; t++)
            if (needs_read(c, &res[i].traces[t]))
                f[k++].trace_id = res[i].traces[t].trace_id;
    qsort(f, k, sizeof *f, cmp_fetch);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || strcmp(f[u - 1].trace_id, f[i].trace_id) != 0)
            f[u++] = f[i];
    *out = f;
    return u;
}

static bool read_later(const struct tempo_search_trace *t, const void *collect)
{
    return needs_read(collect, t);
}

/* Occurrences of the traces the search answered on its own (select mode).
 * Their strings stay in the search results, whose pools the samples take
 * over when the run ends (tempo_collect_run). */
static void extract_searched(struct tempo_collect *c, const struct query *q,
                             const struct tempo_search_result *res)
{
    struct tempo_filter select_filter = {q, false};
    for (size_t i = 0; i < c->n_samples; i++) {
        struct tempo_sample *s = &c->samples[i];
        s->traces = res[i].n_traces;
        s->capped = res[i].n_traces >= (size_t)c->limit;
        if (c->caps.use_select) /* else every trace is read by ID */
            tempo_errors_from_search_all(&s->errors, res[i].traces, res[i].n_traces, &select_filter,
                                         read_later, c);
    }
}

/* Occurrences of the traces of one batch of reads (sorted by ID). */
static void extract_read(struct tempo_collect *c, const struct query *q,
                         const struct tempo_search_result *res, const struct tempo_fetch *reads,
                         size_t n_reads)
{
    struct tempo_filter filter = {q, true};
    struct tempo_filter select_filter = {q, false};
    struct tempo_fetch key;
    memset(&key, 0, sizeof key);
    for (size_t i = 0; i < c->n_samples; i++) {
        struct tempo_sample *s = &c->samples[i];
        for (size_t t = 0; t < res[i].n_traces; t++) {
            const struct tempo_search_trace *st = &res[i].traces[t];
            if (!needs_read(c, st))
                continue;
            key.trace_id = st->trace_id;
            const struct tempo_fetch *hit = bsearch(&key, reads, n_reads, sizeof *reads, cmp_fetch);
            if (!hit)
                continue; /* another batch */
            if (hit->trace)
                tempo_errors_from_trace(&s->errors, hit->trace, &filter);
            else if (c->caps.use_select) /* the read failed: keep what the search gave */
                tempo_errors_from_search(&s->errors, st, &select_filter);
        }
    }
}

static void describe_search(struct et_buf *out, const struct tempo_range *r,
                            const struct tempo_search_req *req,
                            const struct tempo_search_result *res, size_t n_ranges)
{
    et_buf_printf(out, "\n# search%s%s: start=%lld end=%lld limit=%d", n_ranges > 1 ? " " : "",
                  n_ranges > 1 && r->label ? r->label : "", (long long)req->start_s,
                  (long long)req->end_s, req->limit);
    if (req->spss)
        et_buf_printf(out, " spss=%d", req->spss);
    if (res)
        et_buf_printf(out, " -> %zu traces", res->n_traces);
}

static void describe_reads(struct tempo_collect *c, const struct query_ctx *ctx)
{
    if (c->to_read == 0)
        return;
    et_buf_printf(&c->executed, "\n# read %zu traces by ID", c->to_read);
    if (c->caps.use_select)
        et_buf_append_str(&c->executed, " (their spans were cut by spss)");
    et_buf_printf(&c->executed,
                  ": %zu from cache, %zu with /api/%straces/<id> (up to %d at a time)",
                  c->from_cache, c->fetched, (c->caps.caps & TEMPO_CAP_V2_TRACES) ? "v2/" : "",
                  ctx->inst->settings.max_concurrent_requests);
    if (c->fetch_failed)
        et_buf_printf(&c->executed, ", %zu failed", c->fetch_failed);
    if (c->not_found)
        et_buf_printf(&c->executed, ", %zu not found", c->not_found);
}

static int cancelled(const struct query_ctx *ctx, struct et_error *err)
{
    if (!et_cancel_is_done(ctx->cancel))
        return 0;
    return et_error_set(err, 499, ET_SOURCE_DOWNSTREAM,
                        "the query was cancelled or ran out of time while reading Tempo");
}

/* Reads go in batches so that at most one batch of parsed traces (and of
 * response bodies) is held at a time, whatever the sample size. */
static size_t batch_size(const struct query_ctx *ctx)
{
    size_t p = (size_t)(ctx->inst->settings.max_concurrent_requests > 0
                            ? ctx->inst->settings.max_concurrent_requests
                            : 8);
    return p * 8 > TEMPO_READ_BATCH ? p * 8 : TEMPO_READ_BATCH;
}

static int read_phase(const struct query_ctx *ctx, struct tempo_collect *c, const struct query *q,
                      const struct tempo_search_result *res, struct et_error *err)
{
    struct tempo_fetch *reads;
    size_t n_reads = plan_reads(c, res, c->n_samples, &reads);
    c->to_read = n_reads;
    extract_searched(c, q, res);
    int rc = 0;
    size_t batch = batch_size(ctx);
    for (size_t start = 0; rc == 0 && start < n_reads; start += batch) {
        size_t m = n_reads - start < batch ? n_reads - start : batch;
        tempo_read_traces(ctx, &c->caps, reads + start, m, c);
        rc = cancelled(ctx, err);
        if (rc == 0)
            extract_read(c, q, res, reads + start, m);
        for (size_t i = 0; i < m; i++) {
            tempo_trace_unref(reads[start + i].trace);
            reads[start + i].trace = NULL;
        }
    }
    if (rc == 0 && c->fetch_failed > 0 && c->fetch_failed == n_reads && !c->caps.use_select) {
        *err = c->first_failure;
        et_error_prefix(err, "every trace read failed (%zu)", c->fetch_failed);
        rc = -1;
    }
    describe_reads(c, ctx);
    free(reads);
    return rc;
}

static struct traceql_options search_options(const struct tempo_caps *c, bool most_recent)
{
    struct traceql_options opt = {(c->caps & TEMPO_CAP_EVENTS) != 0, c->use_select,
                                  most_recent && (c->caps & TEMPO_CAP_MOST_RECENT)};
    return opt;
}

static bool same_options(const struct traceql_options *a, const struct traceql_options *b)
{
    return a->events == b->events && a->select == b->select && a->most_recent == b->most_recent;
}

/* One search per range with the TraceQL for `out->caps`. */
struct searches {
    struct et_buf traceql;
    struct tempo_search_req reqs[TEMPO_COLLECT_MAX_RANGES];
    struct tempo_search_result res[TEMPO_COLLECT_MAX_RANGES];
    struct et_error errs[TEMPO_COLLECT_MAX_RANGES];
    size_t n;
    bool ran;
};

static void searches_run(const struct query_ctx *ctx, const struct query *q,
                         const struct tempo_range *ranges, int limit, bool most_recent,
                         const struct tempo_caps *caps, struct searches *sr,
                         struct tempo_buildinfo *bi)
{
    struct traceql_options opt = search_options(caps, most_recent);
    et_buf_reset(&sr->traceql);
    traceql_build_errors(&sr->traceql, q, &opt);
    for (size_t i = 0; i < sr->n; i++) {
        sr->reqs[i].traceql = et_buf_cstr(&sr->traceql);
        search_window(&ranges[i], &sr->reqs[i].start_s, &sr->reqs[i].end_s);
        sr->reqs[i].limit = limit;
        sr->reqs[i].spss = caps->use_select ? TEMPO_SELECT_SPSS : 0;
    }
    tempo_search_many_probing(ctx, sr->reqs, sr->n, sr->res, sr->errs, bi);
    sr->ran = true;
}

static void searches_drop(struct searches *sr)
{
    for (size_t i = 0; sr->ran && i < sr->n; i++)
        tempo_search_result_cleanup(&sr->res[i]);
    sr->ran = false;
}

/* The searches with the instance's capabilities. A cold instance guesses
 * the newest Tempo and asks the build info in the same batch; when the
 * server turns out to need another query, the searches run again. */
static int search_ranges(const struct query_ctx *ctx, const struct query *q,
                         const struct tempo_range *ranges, int limit, bool most_recent,
                         struct tempo_collect *out, struct searches *sr, struct et_error *err)
{
    if (tempo_caps_known_or_guess(ctx, &out->caps)) {
        searches_run(ctx, q, ranges, limit, most_recent, &out->caps, sr, NULL);
        return 0;
    }
    struct tempo_buildinfo bi;
    searches_run(ctx, q, ranges, limit, most_recent, &out->caps, sr, &bi);
    if (cancelled(ctx, err) < 0)
        return -1;
    struct traceql_options guessed = search_options(&out->caps, most_recent);
    int status = et_error_is_set(&sr->errs[0]) ? sr->errs[0].status : 200;
    if (tempo_caps_learn(ctx, &bi, status, &out->caps, err) < 0)
        return -1;
    struct traceql_options real = search_options(&out->caps, most_recent);
    if (!same_options(&guessed, &real)) {
        searches_drop(sr);
        searches_run(ctx, q, ranges, limit, most_recent, &out->caps, sr, NULL);
    }
    return 0;
}

int tempo_collect_run(const struct query_ctx *ctx, const struct query *q,
                      const struct tempo_range *ranges, size_t n, int limit, bool most_recent,
                      struct tempo_collect *out, struct et_error *err)
{
    collect_init(out, limit);
    if (n == 0 || n > TEMPO_COLLECT_MAX_RANGES)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "bad number of search ranges");
    out->n_samples = n;
    struct searches sr;
    memset(&sr, 0, sizeof sr);
    sr.n = n;
    et_buf_init(&sr.traceql, ET_BUF_UNLIMITED);
    int rc = search_ranges(ctx, q, ranges, limit, most_recent, out, &sr, err);
    if (rc == 0) {
        rc = cancelled(ctx, err);
        char desc[300];
        tempo_caps_describe(&out->caps, desc, sizeof desc);
        et_buf_printf(&out->executed, "# %s\n%s", desc, et_buf_cstr(&sr.traceql));
        for (size_t i = 0; i < n; i++) {
            describe_search(&out->executed, &ranges[i], &sr.reqs[i],
                            et_error_is_set(&sr.errs[i]) ? NULL : &sr.res[i], n);
            if (rc == 0 && et_error_is_set(&sr.errs[i])) {
                *err = sr.errs[i];
                rc = -1;
            }
        }
    }
    if (rc == 0)
        rc = read_phase(ctx, out, q, sr.res, err);
    for (size_t i = 0; sr.ran && i < n; i++) /* the occurrences borrow their strings */
        tempo_pool_adopt(&out->samples[i].errors.pool, &sr.res[i].pool);
    searches_drop(&sr);
    et_buf_cleanup(&sr.traceql);
    return rc;
}

void tempo_collect_add_notices(const struct tempo_collect *c, struct frame *f)
{
    char text[1400];
    if (c->fetch_failed) {
        snprintf(text, sizeof text,
                 "%zu of %zu trace reads failed; the rows come from the other traces. First "
                 "error: %s",
                 c->fetch_failed, c->to_read, c->first_failure.message);
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, text);
    }
    if (c->not_found) {
        snprintf(text, sizeof text,
                 "%zu traces found by the search could not be read by ID (not found; Tempo may "
                 "still be writing them).",
                 c->not_found);
        frame_meta_add_notice(f, FRAME_NOTICE_INFO, text);
    }
    for (size_t i = 0; i < c->n_samples; i++) {
        if (!c->samples[i].capped)
            continue;
        const char *which = c->n_samples < 2 ? ""
                            : i              ? " over the previous range"
                                             : " over the range";
        snprintf(text, sizeof text,
                 "The search%s returned the maximum of %d traces: the sample is capped and "
                 "older errors are not counted. Narrow the time range or the filters, or raise "
                 "the limit.",
                 which, c->limit);
        frame_meta_add_notice(f, FRAME_NOTICE_WARNING, text);
    }
}
