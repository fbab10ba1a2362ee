/* SPDX-License-Identifier: Apache-2.0
 *
 * Prometheus HTTP API calls (see prom_client.h).
 */
#include "prometheus/prom_client.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/http.h"
#include "http/url.h"

#define PROM_MAX_BODY (48u << 20)

static void base_request(const struct query_ctx *ctx, struct http_request *req, const char *url)
{
    const struct settings *s = &ctx->inst->settings;
    memset(req, 0, sizeof *req);
    req->url = url;
    req->accept = "application/json";
    req->auth = &s->prometheus_auth;
    req->tls = &s->tls;
    req->tenant_id = s->tenant_id;
    req->timeout_ms = (long)s->timeout_seconds * 1000;
    req->max_body_bytes = PROM_MAX_BODY;
    req->backend = ET_BACKEND_PROMETHEUS;
}

static char *eval_body(const struct prom_eval *e)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    url_add_param(&b, "query", e->promql);
    if (e->step > 0) {
        url_add_paramf(&b, "start", "%.3f", e->start);
        url_add_paramf(&b, "end", "%.3f", e->end);
        url_add_paramf(&b, "step", "%.3f", e->step);
    } else {
        url_add_paramf(&b, "time", "%.3f", e->end);
    }
    return et_buf_take(&b, NULL);
}

size_t prom_eval_many(const struct query_ctx *ctx, const struct prom_eval *evals, size_t n,
                      struct prom_result *results, struct et_error *errs)
{
    const char *base = ctx->inst->settings.prometheus_url;
    struct http_request *reqs = et_xcalloc(n, sizeof *reqs);
    struct http_response *resps = et_xcalloc(n, sizeof *resps);
    char **urls = et_xcalloc(n, sizeof *urls);
    char **bodies = et_xcalloc(n, sizeof *bodies);
    for (size_t i = 0; i < n; i++) {
        struct et_buf url;
        et_buf_init(&url, ET_BUF_UNLIMITED);
        et_buf_printf(&url, "%s/api/v1/%s", base, evals[i].step > 0 ? "query_range" : "query");
        urls[i] = et_buf_take(&url, NULL);
        bodies[i] = eval_body(&evals[i]);
        base_request(ctx, &reqs[i], urls[i]);
        reqs[i].method = "POST";
        reqs[i].body = bodies[i];
        reqs[i].body_len = strlen(bodies[i]);
        reqs[i].content_type = "application/x-www-form-urlencoded";
        http_response_init(&resps[i]);
        prom_result_init(&results[i]);
        et_error_clear(&errs[i]);
    }
    http_run_many(reqs, n, (int)n, ctx->cancel, ctx->inst->metrics, resps);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (et_error_is_set(&resps[i].err)) {
            errs[i] = resps[i].err;
            failed++;
        } else if (prom_parse_response(et_buf_cstr(&resps[i].body), resps[i].body.len,
                                       resps[i].status, &results[i], &errs[i]) < 0) {
            failed++;
        }
        http_response_cleanup(&resps[i]);
        free(urls[i]);
        free(bodies[i]);
    }
    free(reqs);
    free(resps);
    free(urls);
    free(bodies);
    return failed;
}

int prom_label_values(const struct query_ctx *ctx, const char *label, const char *match,
                      double start, double end, struct et_strlist *out, struct et_error *err)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/v1/label/", ctx->inst->settings.prometheus_url);
    url_encode(&url, label, strlen(label));
    et_buf_append_str(&url, "/values?");
    if (match)
        url_add_param(&url, "match[]", match);
    if (start < end) {
        url_add_paramf(&url, "start", "%.3f", start);
        url_add_paramf(&url, "end", "%.3f", end);
    }
    struct http_request req;
    base_request(ctx, &req, et_buf_cstr(&url));
    struct http_response resp;
    http_response_init(&resp);
    int rc = http_run(&req, ctx->cancel, ctx->inst->metrics, &resp, err);
    if (rc == 0) {
        struct prom_result r;
        prom_result_init(&r);
        rc = prom_parse_response(et_buf_cstr(&resp.body), resp.body.len, resp.status, &r, err);
        if (rc == 0)
            rc = prom_result_take_labels(&r, out, err);
        prom_result_cleanup(&r);
    }
    http_response_cleanup(&resp);
    et_buf_cleanup(&url);
    return rc;
}

static int buildinfo_at(const struct query_ctx *ctx, const char *base, size_t base_len,
                        char *version, size_t size, struct et_error *err)
{
    struct et_buf url;
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_append(&url, base, base_len);
    et_buf_append_str(&url, "/api/v1/status/buildinfo");
    struct http_request req;
    base_request(ctx, &req, et_buf_cstr(&url));
    req.max_body_bytes = 1 << 20;
    struct http_response resp;
    http_response_init(&resp);
    int rc = http_run(&req, ctx->cancel, ctx->inst->metrics, &resp, err);
    if (rc == 0 && resp.status != 200) {
        char text[200];
        http_body_excerpt(&resp, text, sizeof text);
        rc = et_error_set(err, resp.status >= 400 ? (int)resp.status : 502, ET_SOURCE_DOWNSTREAM,
                          "Prometheus build info answered %ld: %s", resp.status, text);
    } else if (rc == 0) {
        json_t *j = json_loadb(et_buf_cstr(&resp.body), resp.body.len, 0, NULL);
        const char *v = json_string_value(json_object_get(json_object_get(j, "data"), "version"));
        if (!v)
            rc = et_error_set(err, 502, ET_SOURCE_DOWNSTREAM,
                              "Prometheus build info has no version (is this a Prometheus API?)");
        else
            snprintf(version, size, "%s", v);
        json_decref(j);
    }
    http_response_cleanup(&resp);
    et_buf_cleanup(&url);
    return rc;
}

int prom_buildinfo(const struct query_ctx *ctx, char *version, size_t size, struct et_error *err)
{
    const char *base = ctx->inst->settings.prometheus_url;
    if (buildinfo_at(ctx, base, strlen(base), version, size, err) == 0)
        return 0;
    if (err->status != 404 && err->status != 405)
        return -1;
    const char *host = strstr(base, "://");
    const char *path = host ? strchr(host + 3, '/') : NULL;
    if (!path) /* no prefix to strip: the first answer stands */
        return -1;
    struct et_error again;
    et_error_clear(&again);
    if (buildinfo_at(ctx, base, (size_t)(path - base), version, size, &again) == 0) {
        et_error_clear(err);
        return 0;
    }
    return -1;
}
