/* SPDX-License-Identifier: Apache-2.0
 *
 * Tempo HTTP API calls (see tempo_client.h).
 */
#include "tempo/tempo_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "http/url.h"

#define TEMPO_SMALL_BODY (1u << 20) /* build info, echo */
/* a search answer past this size is read while it arrives (tempo_search_stream) */
#define TEMPO_STREAM_START (64u << 10)
#define TEMPO_STREAM_STEP  (32u << 10)
/* a bigger answer is read ahead up to here (under et_malloc_tune's mmap threshold) */
#define TEMPO_STREAM_ROOM (12u << 20)
#define TEMPO_TAGS_BODY   (16u << 20)

static void base_request(const struct query_ctx *ctx, struct http_request *req, const char *url,
                         size_t max_body)
{
    const struct settings *s = &ctx->inst->settings;
    memset(req, 0, sizeof *req);
    req->url = url;
    req->accept = "application/json";
    req->auth = &s->tempo_auth;
    req->tls = &s->tls;
    req->tenant_id = s->tenant_id;
    req->timeout_ms = (long)s->timeout_seconds * 1000;
    req->max_body_bytes = max_body;
    req->backend = ET_BACKEND_TEMPO;
}

static int max_parallel(const struct query_ctx *ctx)
{
    int n = ctx->inst->settings.max_concurrent_requests;
    return n > 0 ? n : 8;
}

int tempo_status_error(const struct http_response *resp, const char *what, struct et_error *err)
{
    char text[700];
    http_body_excerpt(resp, text, sizeof text);
    const char *body = text[0] ? text : "(empty body)";
    long st = resp->status;
    if (st == 400)
        return et_error_set(err, 400, ET_SOURCE_DOWNSTREAM, "%s", body);
    if (st == 401 || st == 403)
        return et_error_set(err, (int)st, ET_SOURCE_DOWNSTREAM,
                            "Tempo refused the %s (%ld: %s); check the Tempo credentials and the "
                            "tenant (X-Scope-OrgID) in the datasource settings",
                            what, st, body);
    if (st == 404)
        return et_error_set(err, 404, ET_SOURCE_DOWNSTREAM,
                            "Tempo has no %s API at the configured URL (404: %s); check the Tempo "
                            "URL and its path prefix",
                            what, body);
    if (st == 429)
        return et_error_set(err, 429, ET_SOURCE_DOWNSTREAM,
                            "Tempo is overloaded (429: %s); try again in a moment", body);
    return et_error_set(err, st >= 400 ? (int)st : 502, ET_SOURCE_DOWNSTREAM,
                        "Tempo %s failed (%ld: %s)", what, st, body);
}

/* ---- search ---------------------------------------------------------------------------- */

static char *search_url(const char *base, const struct tempo_search_req *r)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/search?", base);
    url_add_param(&url, "q", r->traceql);
    url_add_paramf(&url, "start", "%lld", (long long)r->start_s);
    url_add_paramf(&url, "end", "%lld", (long long)r->end_s);
    url_add_paramf(&url, "limit", "%d", r->limit > 0 ? r->limit : 20);
    if (r->spss > 0)
        url_add_paramf(&url, "spss", "%d", r->spss);
    return et_buf_take(&url, NULL);
}

static char *buildinfo_url(const struct query_ctx *ctx)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/status/buildinfo", ctx->inst->settings.tempo_url);
    return et_buf_take(&url, NULL);
}

static void take_buildinfo(const struct http_response *resp, struct tempo_buildinfo *bi)
{
    et_error_clear(&bi->err);
    bi->version[0] = '\0';
    bi->http_status = resp->status;
    bi->rc = 0;
    if (et_error_is_set(&resp->err)) {
        bi->err = resp->err;
        bi->rc = -1;
    } else if (resp->status != 200) {
        bi->rc = tempo_status_error(resp, "build info", &bi->err);
    } else {
        bi->rc = tempo_buildinfo_parse(et_buf_cstr(&resp->body), resp->body.len, bi->version,
                                       sizeof bi->version, &bi->err);
    }
}

size_t tempo_search_many_probing(const struct query_ctx *ctx, const struct tempo_search_req *reqs,
                                 size_t n, struct tempo_search_result *results,
                                 struct et_error *errs, struct tempo_buildinfo *bi)
{
    size_t total = n + (bi != NULL);
    struct http_request *hreqs = et_xcalloc(total ? total : 1, sizeof *hreqs);
    struct http_response *resps = et_xcalloc(total ? total : 1, sizeof *resps);
    char **urls = et_xcalloc(total ? total : 1, sizeof *urls);
    struct tempo_search_stream **streams =
        et_xcalloc(n ? n : 1, sizeof(struct tempo_search_stream *));
    for (size_t i = 0; i < n; i++) {
        urls[i] = search_url(ctx->inst->settings.tempo_url, &reqs[i]);
        base_request(ctx, &hreqs[i], urls[i], TEMPO_SEARCH_MAX_BODY);
        streams[i] = tempo_search_stream_new(TEMPO_STREAM_START, TEMPO_STREAM_STEP);
        hreqs[i].on_body = tempo_search_stream_feed;
        hreqs[i].on_body_user = streams[i];
        hreqs[i].on_body_from = TEMPO_STREAM_START;
        hreqs[i].on_body_room = TEMPO_STREAM_ROOM;
        tempo_search_result_init(&results[i]);
        et_error_clear(&errs[i]);
    }
    if (bi) {
        urls[n] = buildinfo_url(ctx);
        base_request(ctx, &hreqs[n], urls[n], TEMPO_SMALL_BODY);
    }
    for (size_t i = 0; i < total; i++)
        http_response_init(&resps[i]);
    http_run_many(hreqs, total, max_parallel(ctx), ctx->cancel, ctx->inst->metrics, resps);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (et_error_is_set(&resps[i].err)) {
            errs[i] = resps[i].err;
            failed++;
        } else if (resps[i].status != 200) {
            tempo_status_error(&resps[i], "search", &errs[i]);
            failed++;
        } else if (tempo_search_stream_finish(streams[i], et_buf_cstr(&resps[i].body),
                                              resps[i].body.len, &results[i], &errs[i]) < 0) {
            failed++;
        }
        tempo_search_stream_free(streams[i]);
    }
    free(streams);
    if (bi)
        take_buildinfo(&resps[n], bi);
    for (size_t i = 0; i < total; i++) {
        http_response_cleanup(&resps[i]);
        free(urls[i]);
    }
    free(hreqs);
    free(resps);
    free(urls);
    return failed;
}

size_t tempo_search_many(const struct query_ctx *ctx, const struct tempo_search_req *reqs, size_t n,
                         struct tempo_search_result *results, struct et_error *errs)
{
    return tempo_search_many_probing(ctx, reqs, n, results, errs, NULL);
}

/* ---- traces by ID ------------------------------------------------------------------------ */

static char *trace_url(const char *base, const char *id, bool v2, int64_t start_s, int64_t end_s)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/%straces/", base, v2 ? "v2/" : "");
    url_encode(&url, id, strlen(id));
    if (start_s > 0 && end_s > start_s) {
        et_buf_putc(&url, '?');
        url_add_paramf(&url, "start", "%lld", (long long)start_s);
        url_add_paramf(&url, "end", "%lld", (long long)end_s);
    }
    return et_buf_take(&url, NULL);
}

/* Read one answer into fetch `f`. Returns true when the v2 route is missing
 * (404 on v2 without a trace body) so the caller retries v1. */
static bool take_answer(struct tempo_fetch *f, struct http_response *resp, bool v2)
{
    if (et_error_is_set(&resp->err)) {
        f->err = resp->err;
        return false;
    }
    if (resp->status == 404) {
        if (v2)
            return true;
        f->not_found = true;
        return false;
    }
    if (resp->status != 200) {
        tempo_status_error(resp, "trace by ID", &f->err);
        return false;
    }
    f->trace = tempo_trace_parse(et_buf_cstr(&resp->body), resp->body.len, f->trace_id, &f->err);
    if (f->trace && f->trace->n_spans == 0) {
        tempo_trace_unref(f->trace);
        f->trace = NULL;
        f->not_found = true;
    }
    return false;
}

/* One round of fetches over the indices in `which` (n of them). Indices whose
 * v2 route was missing are written back to `which`; returns their count. */
static size_t fetch_round(const struct query_ctx *ctx, struct tempo_fetch *fetches, size_t *which,
                          size_t n, bool v2, int64_t start_s, int64_t end_s)
{
    struct http_request *reqs = et_xcalloc(n ? n : 1, sizeof *reqs);
    struct http_response *resps = et_xcalloc(n ? n : 1, sizeof *resps);
    char **urls = et_xcalloc(n ? n : 1, sizeof *urls);
    for (size_t i = 0; i < n; i++) {
        urls[i] = trace_url(ctx->inst->settings.tempo_url, fetches[which[i]].trace_id, v2, start_s,
                            end_s);
        base_request(ctx, &reqs[i], urls[i], TEMPO_TRACE_MAX_BODY);
        http_response_init(&resps[i]);
    }
    http_run_many(reqs, n, max_parallel(ctx), ctx->cancel, ctx->inst->metrics, resps);
    size_t retry = 0;
    for (size_t i = 0; i < n; i++) {
        if (take_answer(&fetches[which[i]], &resps[i], v2))
            which[retry++] = which[i];
        http_response_cleanup(&resps[i]);
        free(urls[i]);
    }
    free(reqs);
    free(resps);
    free(urls);
    return retry;
}

size_t tempo_fetch_traces(const struct query_ctx *ctx, struct tempo_fetch *fetches, size_t n,
                          bool v2, int64_t start_s, int64_t end_s)
{
    size_t *which = et_xcalloc(n ? n : 1, sizeof *which);
    for (size_t i = 0; i < n; i++) {
        which[i] = i;
        fetches[i].trace = NULL;
        fetches[i].not_found = false;
        et_error_clear(&fetches[i].err);
    }
    size_t retry = fetch_round(ctx, fetches, which, n, v2, start_s, end_s);
    if (v2 && retry > 0)
        fetch_round(ctx, fetches, which, retry, false, start_s, end_s);
    free(which);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += et_error_is_set(&fetches[i].err);
    return failed;
}

/* ---- tags, build info, echo ---------------------------------------------------------------- */

static int get(const struct query_ctx *ctx, const char *url, size_t max_body,
               struct http_response *resp, struct et_error *err)
{
    struct http_request req;
    base_request(ctx, &req, url, max_body);
    http_response_init(resp);
    return http_run(&req, ctx->cancel, ctx->inst->metrics, resp, err);
}

static int tag_values_at(const struct query_ctx *ctx, bool v2, const char *tag, const char *q,
                         int64_t start_s, int64_t end_s, size_t max, struct et_strlist *out,
                         struct et_error *err)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/%ssearch/tag/", ctx->inst->settings.tempo_url, v2 ? "v2/" : "");
    url_encode(&url, tag, strlen(tag));
    et_buf_append_str(&url, "/values?");
    if (q && *q)
        url_add_param(&url, "q", q);
    if (start_s > 0 && end_s > start_s) {
        url_add_paramf(&url, "start", "%lld", (long long)start_s);
        url_add_paramf(&url, "end", "%lld", (long long)end_s);
    }
    struct http_response resp;
    int rc = get(ctx, et_buf_cstr(&url), TEMPO_TAGS_BODY, &resp, err);
    if (rc == 0 && resp.status != 200)
        rc = tempo_status_error(&resp, "tag values", err);
    if (rc == 0)
        rc = tempo_tag_values_parse(et_buf_cstr(&resp.body), resp.body.len, max, out, err);
    http_response_cleanup(&resp);
    et_buf_cleanup(&url);
    return rc;
}

int tempo_tag_values(const struct query_ctx *ctx, const char *scoped, const char *bare,
                     const char *q, int64_t start_s, int64_t end_s, size_t max,
                     struct et_strlist *out, struct et_error *err)
{
    if (scoped) {
        if (tag_values_at(ctx, true, scoped, q, start_s, end_s, max, out, err) == 0)
            return 0;
        if (err->status != 404 || !bare)
            return -1;
        et_error_clear(err);
    }
    return tag_values_at(ctx, false, bare, NULL, start_s, end_s, max, out, err);
}

int tempo_get_buildinfo(const struct query_ctx *ctx, char *version, size_t size, long *http_status,
                        struct et_error *err)
{
    char *url = buildinfo_url(ctx);
    struct http_response resp;
    get(ctx, url, TEMPO_SMALL_BODY, &resp, NULL); /* take_buildinfo reads resp.err */
    struct tempo_buildinfo bi;
    take_buildinfo(&resp, &bi);
    http_response_cleanup(&resp);
    free(url);
    *http_status = bi.http_status;
    snprintf(version, size, "%s", bi.version);
    if (bi.rc < 0)
        *err = bi.err;
    return bi.rc;
}

int tempo_echo(const struct query_ctx *ctx, struct et_error *err)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/echo", ctx->inst->settings.tempo_url);
    struct http_response resp;
    int rc = get(ctx, et_buf_cstr(&url), TEMPO_SMALL_BODY, &resp, err);
    if (rc == 0 && resp.status != 200)
        rc = tempo_status_error(&resp, "echo", err);
    http_response_cleanup(&resp);
    et_buf_cleanup(&url);
    return rc;
}
