/* SPDX-License-Identifier: Apache-2.0
 *
 * HTTP client for the backends (Prometheus, Tempo), on libcurl.
 *
 * One call runs one request or a batch: the batch shares a curl multi handle
 * (and so its connections), keeps at most `max_parallel` transfers in flight,
 * and stops every transfer when the cancellation token fires or the deadline
 * passes. Each request gets its own timeout, a cap on the response body
 * (decompressed bytes, so a gzip bomb is just "too large"), auth (basic,
 * bearer, extra headers), the tenant header X-Scope-OrgID and TLS settings.
 *
 * A response with any HTTP status is a success at this level (the caller
 * reads status and body); only transport failures are errors: 502 downstream
 * (refused, DNS, TLS, reset, too large), 504 downstream (timeout), 499
 * (cancelled). Error messages name the backend and the URL without its query
 * string; they never contain credentials.
 *
 * Ownership: the caller owns requests and responses; http_response_cleanup()
 * frees a response body. Thread safety: http_global_init() once at start-up
 * before threads; afterwards any thread may run requests (no shared handles).
 */
#ifndef ET_HTTP_HTTP_H
#define ET_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"
#include "core/buf.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/metrics.h"

#define HTTP_DEFAULT_MAX_BODY (64u << 20) /* 64 MiB per response */

struct http_request {
    const char *method; /* "GET" (default when NULL) or "POST" */
    const char *url;    /* full URL including the query string */
    const char *body;   /* POST body, or NULL */
    size_t body_len;
    const char *content_type;        /* of the POST body */
    const char *accept;              /* Accept header, or NULL */
    const struct backend_auth *auth; /* may be NULL */
    const struct tls_settings *tls;  /* may be NULL */
    const char *tenant_id;           /* X-Scope-OrgID, or NULL/"" */
    long timeout_ms;                 /* per request; <= 0: 30 s */
    size_t max_body_bytes;           /* 0: HTTP_DEFAULT_MAX_BODY */
    enum et_backend backend;         /* for metrics and error messages */
    /* Optional: watch the body while it arrives. Once it has passed
     * `on_body_from` bytes, the body gets `on_body_room` bytes of room at once
     * (at most max_body_bytes), so its bytes stay put, and on_body(on_body_user,
     * data, len) runs on the transfer's thread after every piece, with the
     * whole body so far (decompressed): another thread may read data[0..len)
     * meanwhile. A body that outgrows the room is about to move: on_body(user,
     * NULL, 0) comes first, and the watcher must stop reading before it
     * returns; no call follows. When the room cannot be had, on_body is never
     * called. The final body is in the response as usual. */
    void (*on_body)(void *user, const char *data, size_t len);
    void *on_body_user;
    size_t on_body_from;
    size_t on_body_room;
};

struct http_response {
    long status;            /* HTTP status, 0 when no response */
    struct et_buf body;     /* response body (decompressed) */
    char content_type[128]; /* "" when absent */
    double elapsed_ms;
    struct et_error err; /* transport error (status 0 when none) */
};

/* Loads libcurl (dlopen, see curl_api.h) and runs curl_global_init; call once
 * before the first request, from one thread. Returns -1 when libcurl cannot be
 * loaded or initialised: requests then fail one by one with the reason. */
int http_global_init(void);
void http_global_cleanup(void);

void http_response_init(struct http_response *r);
void http_response_cleanup(struct http_response *r);

/* Run one request. Returns 0 with `resp` filled (any HTTP status), or -1 with
 * `err` set (transport failure; also copied to resp->err). */
int http_run(const struct http_request *req, const struct et_cancel *cancel,
             struct et_metrics *metrics, struct http_response *resp, struct et_error *err);

/* Run `n` requests with at most `max_parallel` in flight. Each response gets
 * its own status or transport error in resp[i].err. Returns the number of
 * requests that failed at transport level. */
size_t http_run_many(const struct http_request *reqs, size_t n, int max_parallel,
                     const struct et_cancel *cancel, struct et_metrics *metrics,
                     struct http_response *resps);

/* The body text cut to a short, single-line excerpt for error messages
 * (backend errors are shown to the user, but never a whole HTML page). */
void http_body_excerpt(const struct http_response *resp, char *out, size_t size);

#endif
