/* SPDX-License-Identifier: Apache-2.0
 *
 * HTTP client for the backends, on libcurl (see http.h).
 *
 * DESIGN: every call builds its own curl multi handle and easy handles (curl
 * handles are never shared between threads), adds up to `max_parallel`
 * transfers, and drives them with curl_api()->multi_poll() in slices of at most
 * 50 ms so the cancellation token and the overall deadline are checked often.
 * Per-request timeouts are curl's CURLOPT_TIMEOUT_MS, clamped to the time the
 * caller has left. The write callback enforces the body cap.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/curl_api.h"

#define POLL_SLICE_MS 50

struct transfer {
    const struct http_request *req;
    struct http_response *resp;
    CURL *easy;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    size_t max_body;
    bool too_large;
    bool watching;  /* the body has its full room: on_body is called */
    bool watch_off; /* that room could not be had */
    int64_t started_ns;
};

int http_global_init(void)
{
    const struct curl_api *api = curl_api_load(NULL);
    return api && api->global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
    const struct curl_api *api = curl_api_load(NULL);
    if (api)
        api->global_cleanup();
}

void http_response_init(struct http_response *r)
{
    r->status = 0;
    et_buf_init(&r->body, ET_BUF_UNLIMITED);
    r->content_type[0] = '\0';
    r->elapsed_ms = 0;
    et_error_clear(&r->err);
}

void http_response_cleanup(struct http_response *r)
{
    et_buf_cleanup(&r->body);
}

/* Before `n` more bytes are appended: a watched body that would move stops
 * being watched (see http_request.on_body). */
static void watch_before(struct transfer *t, size_t n)
{
    const struct et_buf *body = &t->resp->body;
    if (t->watching && body->cap - body->len <= n) {
        t->watching = false;
        t->watch_off = true;
        t->req->on_body(t->req->on_body_user, NULL, 0);
    }
}

/* After an append: tell the watcher about the body. */
static void watch_after(struct transfer *t)
{
    const struct http_request *req = t->req;
    struct et_buf *body = &t->resp->body;
    if (!req->on_body || t->watch_off)
        return;
    if (!t->watching) {
        if (body->len < req->on_body_from)
            return;
        size_t room = req->on_body_room < t->max_body ? req->on_body_room : t->max_body;
        if (room <= body->len || et_buf_try_reserve(body, room - body->len) < 0) {
            t->watch_off = true;
            return;
        }
        t->watching = true;
    }
    req->on_body(req->on_body_user, body->data, body->len);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct transfer *t = ctx;
    size_t n = size * nmemb;
    if (t->resp->body.len + n > t->max_body) {
        t->too_large = true;
        return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
    }
    watch_before(t, n);
    et_buf_append(&t->resp->body, data, n);
    watch_after(t);
    return n;
}

/* The URL without query string or fragment, for messages. */
static void url_for_message(const char *url, char *out, size_t size)
{
    size_t n = strcspn(url, "?#");
    if (n >= size)
        n = size - 1;
    memcpy(out, url, n);
    out[n] = '\0';
}

static struct curl_slist *build_headers(const struct http_request *req)
{
    struct curl_slist *h = NULL;
    char line[8192];
    if (req->accept) {
        snprintf(line, sizeof line, "Accept: %s", req->accept);
        h = curl_api()->slist_append(h, line);
    }
    if (req->body && req->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", req->content_type);
        h = curl_api()->slist_append(h, line);
    }
    if (req->tenant_id && *req->tenant_id) {
        snprintf(line, sizeof line, "X-Scope-OrgID: %s", req->tenant_id);
        h = curl_api()->slist_append(h, line);
    }
    const struct backend_auth *a = req->auth;
    if (a && a->kind == AUTH_BEARER && a->token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", a->token);
        h = curl_api()->slist_append(h, line);
    }
    for (size_t i = 0; a && i < a->n_headers; i++) {
        snprintf(line, sizeof line, "%s: %s", a->headers[i].name, a->headers[i].value);
        h = curl_api()->slist_append(h, line);
    }
    h = curl_api()->slist_append(h, "Expect:"); /* no 100-continue round trip on POST */
    memset(line, 0, sizeof line);               /* the stack copy held secrets */
    return h;
}

static void apply_tls(CURL *e, const struct tls_settings *tls)
{
    if (!tls)
        return;
    if (tls->skip_verify) {
        curl_api()->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_api()->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (tls->ca_cert && *tls->ca_cert) {
        struct curl_blob blob = {tls->ca_cert, strlen(tls->ca_cert), CURL_BLOB_COPY};
        curl_api()->easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (tls->client_cert && *tls->client_cert && tls->client_key && *tls->client_key) {
        struct curl_blob cert = {tls->client_cert, strlen(tls->client_cert), CURL_BLOB_COPY};
        struct curl_blob key = {tls->client_key, strlen(tls->client_key), CURL_BLOB_COPY};
        curl_api()->easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
        curl_api()->easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_api()->easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
        curl_api()->easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
}

static long effective_timeout(const struct http_request *req, const struct et_cancel *cancel)
{
    int64_t t = req->timeout_ms > 0 ? req->timeout_ms : 30000;
    int64_t left = et_cancel_remaining_ms(cancel);
    if (left < t)
        t = left > 0 ? left : 1;
    return (long)t;
}

static CURL *setup_easy(struct transfer *t, const struct et_cancel *cancel)
{
    const struct http_request *req = t->req;
    CURL *e = curl_api()->easy_init();
    if (!e)
        return NULL;
    curl_api()->easy_setopt(e, CURLOPT_URL, req->url);
    curl_api()->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_api()->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_api()->easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_api()->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_api()->easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_api()->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* gzip/deflate, decoded by curl */
    curl_api()->easy_setopt(e, CURLOPT_TIMEOUT_MS, effective_timeout(req, cancel));
    curl_api()->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, effective_timeout(req, cancel));
    curl_api()->easy_setopt(e, CURLOPT_USERAGENT, "errortriage-grafana-plugin/0.1");
    curl_api()->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    t->headers = build_headers(req);
    curl_api()->easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (req->body) {
        curl_api()->easy_setopt(e, CURLOPT_POST, 1L);
        curl_api()->easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
        curl_api()->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else if (req->method && strcmp(req->method, "GET") != 0) {
        curl_api()->easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (req->auth && req->auth->kind == AUTH_BASIC) {
        curl_api()->easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_api()->easy_setopt(e, CURLOPT_USERNAME, req->auth->user ? req->auth->user : "");
        curl_api()->easy_setopt(e, CURLOPT_PASSWORD,
                                req->auth->password ? req->auth->password : "");
    }
    apply_tls(e, req->tls);
    curl_api()->easy_setopt(e, CURLOPT_PRIVATE, t);
    return e;
}

/* ---- secrets in error bodies --------------------------------------------------
 * A proxy or gateway that refuses a request may echo it back, headers and all,
 * and error bodies end up in messages shown to the user (http_body_excerpt).
 * So every secret the request carried is cut out of a non-2xx body before
 * anyone reads it: passwords, tokens, extra header values, and the Basic
 * credentials as they travel (base64 of user:password). */

#define REDACTED "[redacted]"

static void base64_encode(struct et_buf *out, const char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        et_buf_append(out, q, 4);
    }
}

static const char *find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    for (const char *p = hay; m > 0 && (size_t)(hay + n - p) >= m;) {
        p = memchr(p, needle[0], (size_t)(hay + n - p) - m + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, m) == 0)
            return p;
        p++;
    }
    return NULL;
}

static void redact(struct et_buf *body, const char *secret, size_t m)
{
    const char *s = et_buf_cstr(body);
    const char *hit = m ? find_bytes(s, body->len, secret, m) : NULL;
    if (!hit)
        return;
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    size_t i = 0;
    for (; hit; hit = find_bytes(s + i, body->len - i, secret, m)) {
        et_buf_append(&out, s + i, (size_t)(hit - (s + i)));
        et_buf_append_str(&out, REDACTED);
        i = (size_t)(hit - s) + m;
    }
    et_buf_append(&out, s + i, body->len - i);
    et_buf_cleanup(body);
    *body = out;
}

static void redact_secrets(struct et_buf *body, const struct backend_auth *a)
{
    if (!a)
        return;
    if (a->password && a->user) {
        struct et_buf cred, b64;
        et_buf_init(&cred, ET_BUF_UNLIMITED);
        et_buf_init(&b64, ET_BUF_UNLIMITED);
        et_buf_printf(&cred, "%s:%s", a->user, a->password);
        base64_encode(&b64, et_buf_cstr(&cred), cred.len);
        redact(body, et_buf_cstr(&b64), b64.len);
        memset(cred.data, 0, cred.len);
        et_buf_cleanup(&cred);
        et_buf_cleanup(&b64);
    }
    if (a->password)
        redact(body, a->password, strlen(a->password));
    if (a->token)
        redact(body, a->token, strlen(a->token));
    for (size_t i = 0; i < a->n_headers; i++)
        redact(body, a->headers[i].value, strlen(a->headers[i].value));
}

static void finish_transfer(struct transfer *t, CURLcode rc, const struct et_cancel *cancel,
                            struct et_metrics *metrics)
{
    struct http_response *r = t->resp;
    const char *backend = et_backend_name(t->req->backend);
    char where[512];
    url_for_message(t->req->url, where, sizeof where);
    int64_t elapsed = et_now_monotonic_ns() - t->started_ns;
    r->elapsed_ms = (double)elapsed / 1e6;
    if (rc == CURLE_OK) {
        curl_api()->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
        char *ct = NULL;
        curl_api()->easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
        if (r->status < 200 || r->status > 299)
            redact_secrets(&r->body, t->req->auth);
    } else if (t->too_large) {
        et_error_set(&r->err, 502, ET_SOURCE_DOWNSTREAM,
                     "%s response too large (over %zu bytes) from %s", backend, t->max_body, where);
    } else if (et_cancel_is_done(cancel) && rc == CURLE_OPERATION_TIMEDOUT) {
        et_error_set(&r->err, 504, ET_SOURCE_DOWNSTREAM,
                     "%s request cancelled or past deadline (%s)", backend, where);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        et_error_set(&r->err, 504, ET_SOURCE_DOWNSTREAM, "%s did not answer in time (%ld ms, %s)",
                     backend, effective_timeout(t->req, NULL), where);
    } else {
        et_error_set(&r->err, 502, ET_SOURCE_DOWNSTREAM, "%s request failed: %s (%s)", backend,
                     t->errbuf[0] ? t->errbuf : curl_api()->easy_strerror(rc), where);
    }
    if (rc != CURLE_OK)
        r->status = 0;
    et_metrics_backend_request(metrics, t->req->backend, (int)r->status, elapsed);
}

static void cancel_pending(struct transfer *ts, size_t from, size_t n, int status, const char *why)
{
    for (size_t i = from; i < n; i++) {
        if (ts[i].easy || et_error_is_set(&ts[i].resp->err) || ts[i].resp->status)
            continue;
        et_error_set(&ts[i].resp->err, status, ET_SOURCE_DOWNSTREAM, "%s request %s",
                     et_backend_name(ts[i].req->backend), why);
    }
}

size_t http_run_many(const struct http_request *reqs, size_t n, int max_parallel,
                     const struct et_cancel *cancel, struct et_metrics *metrics,
                     struct http_response *resps)
{
    if (n == 0)
        return 0;
    struct et_error load_err;
    et_error_clear(&load_err);
    if (!curl_api_load(&load_err)) { /* every request fails with the reason */
        for (size_t i = 0; i < n; i++)
            resps[i].err = load_err;
        return n;
    }
    if (max_parallel < 1)
        max_parallel = 1;
    struct transfer *ts = et_xcalloc(n, sizeof *ts);
    CURLM *multi = curl_api()->multi_init();
    curl_api()->multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_parallel);
    size_t next = 0, running = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        ts[i].req = &reqs[i];
        ts[i].resp = &resps[i];
        ts[i].max_body = reqs[i].max_body_bytes ? reqs[i].max_body_bytes : HTTP_DEFAULT_MAX_BODY;
        resps[i].body.limit = ET_BUF_UNLIMITED;
    }
    for (;;) {
        while (running < (size_t)max_parallel && next < n && !et_cancel_is_done(cancel)) {
            struct transfer *t = &ts[next++];
            t->started_ns = et_now_monotonic_ns();
            t->easy = setup_easy(t, cancel);
            if (!t->easy) {
                et_error_set(&t->resp->err, 500, ET_SOURCE_PLUGIN, "could not create HTTP handle");
                continue;
            }
            curl_api()->multi_add_handle(multi, t->easy);
            running++;
        }
        if (running == 0)
            break;
        int still = 0;
        curl_api()->multi_perform(multi, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_api()->multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct transfer *t = NULL;
            curl_api()->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            finish_transfer(t, msg->data.result, cancel, metrics);
            curl_api()->multi_remove_handle(multi, t->easy);
            curl_api()->easy_cleanup(t->easy);
            curl_api()->slist_free_all(t->headers);
            t->easy = NULL;
            t->headers = NULL;
            running--;
        }
        if (et_cancel_is_done(cancel)) {
            for (size_t i = 0; i < next; i++) {
                if (!ts[i].easy)
                    continue;
                curl_api()->multi_remove_handle(multi, ts[i].easy);
                curl_api()->easy_cleanup(ts[i].easy);
                curl_api()->slist_free_all(ts[i].headers);
                ts[i].easy = NULL;
                et_error_set(&ts[i].resp->err, 499, ET_SOURCE_DOWNSTREAM,
                             "%s request cancelled (the query was cancelled or ran out of time)",
                             et_backend_name(ts[i].req->backend));
                et_metrics_backend_request(metrics, ts[i].req->backend, 0,
                                           et_now_monotonic_ns() - ts[i].started_ns);
            }
            cancel_pending(ts, next, n, 499, "not started: the query was cancelled");
            break;
        }
        if (running > 0)
            curl_api()->multi_poll(multi, NULL, 0, POLL_SLICE_MS, NULL);
    }
    curl_api()->multi_cleanup(multi);
    for (size_t i = 0; i < n; i++)
        if (et_error_is_set(&resps[i].err))
            failed++;
    free(ts);
    return failed;
}

int http_run(const struct http_request *req, const struct et_cancel *cancel,
             struct et_metrics *metrics, struct http_response *resp, struct et_error *err)
{
    http_run_many(req, 1, 1, cancel, metrics, resp);
    if (et_error_is_set(&resp->err)) {
        if (err)
            *err = resp->err;
        return -1;
    }
    return 0;
}

void http_body_excerpt(const struct http_response *resp, char *out, size_t size)
{
    size_t n = resp->body.len;
    const char *s = et_buf_cstr(&resp->body);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    size_t max = size > 4 ? size - 4 : 0;
    size_t take = n > max ? max : n;
    /* do not cut a UTF-8 sequence in half */
    while (take > 0 && take < n && ((unsigned char)s[take] & 0xC0) == 0x80)
        take--;
    size_t o = 0;
    for (size_t i = 0; i < take && o + 1 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    if (take < n && o + 3 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}
