/* SPDX-License-Identifier: Apache-2.0
 *
 * The gRPC C-core server (see rpc.h). The only file that calls grpc_*.
 *
 * DESIGN
 * One completion queue, drained by a few threads that never block. Every
 * event's tag is a `struct tag` inside a `struct call`, whose kind says which
 * operation finished:
 *
 *   NEW_CALL  a request we armed matched a call: re-arm one for the same
 *             method, start RECV_CLOSE_ON_SERVER (so a client cancel flips
 *             the call's token while the handler runs), hand the call to its
 *             lane. Unknown methods are caught by armed catch-all requests
 *             and answered UNIMPLEMENTED at once (P3 in notes/grpc-plugin.md).
 *   SENT      a send batch finished: send the next reply message, or the
 *             call is complete (count it, maybe begin shutdown).
 *   CLOSED    the client side is done: if cancelled, flip the token.
 *   SHUTDOWN  grpc_server_shutdown_and_notify finished.
 *
 * The first batch of every reply carries SEND_INITIAL_METADATA, also for
 * errors: a status without initial metadata is never written (P1). Only one
 * send is in flight per call; a streaming reply is a chain of batches.
 *
 * A call is freed when both its send chain and its close operation have
 * finished (atomic refcount of 2). `live` counts armed requests plus calls in
 * progress; the queue is shut down only when the shutdown tag has arrived
 * and `live` is 0, otherwise a handler finishing late would start a batch on
 * a dead queue and gRPC aborts (P2). Requests are armed under the lock that
 * guards the shutting-down flag, so none is armed after shutdown (P6).
 * Methods are registered with host NULL: go-plugin's :authority is "unused",
 * grpc-js sends "localhost" (P4).
 */
#include "plugin/rpc.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "plugin/workq.h"

/* Requests kept armed per method: new calls beyond these wait in gRPC's
 * queue for the re-arm, so this only smooths bursts. */
#define ARMED_PER_METHOD 4

enum tag_kind {
    TAG_NEW_CALL,
    TAG_SENT,
    TAG_CLOSED,
    TAG_SHUTDOWN,
};

struct call;

struct tag {
    enum tag_kind kind;
    struct call *call; /* NULL for TAG_SHUTDOWN */
};

struct call {
    struct rpc_server *srv;
    const struct rpc_method *method; /* NULL: catch-all for unknown methods */
    grpc_call *call;
    gpr_timespec deadline;          /* registered methods */
    grpc_call_details details;      /* catch-all */
    grpc_metadata_array request_md; /* unused, but gRPC fills it */
    grpc_byte_buffer *payload;      /* the request message (registered methods) */
    struct tag t_new;
    struct tag t_sent;
    struct tag t_closed;
    int client_cancelled; /* output of RECV_CLOSE_ON_SERVER */
    struct et_cancel cancel;
    atomic_int refs; /* send chain + close operation */
    int64_t started_ns;
    char path[160]; /* method path, for logs */

    struct rpc_reply reply;
    size_t next_message;       /* index of the next reply message to send */
    bool initial_md_sent;      /* SEND_INITIAL_METADATA went out */
    bool status_sent;          /* the batch in flight carries the status */
    grpc_byte_buffer *sending; /* message of the batch in flight */
    grpc_slice status_details; /* alive until the status batch completes */
    bool has_status_details;
};

struct rpc_server {
    struct rpc_config cfg;
    grpc_server *server;
    grpc_completion_queue *cq;
    void **registered; /* gRPC handle per method */
    struct workq *lanes[RPC_LANE_COUNT];
    pthread_t *cq_threads;
    int n_cq_threads;
    struct tag shutdown_tag;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t changed;
    bool listening;
    bool started;
    bool shutting_down;
    bool shutdown_notified; /* the shutdown tag arrived */
    bool cq_shut;
    bool stopped; /* every completion-queue thread has left */
    int64_t shutdown_began_ms;
    int live; /* armed requests + calls in progress */
    int running_cq_threads;
};

/* ---- replies ----------------------------------------------------------------- */

void rpc_reply_init(struct rpc_reply *r)
{
    memset(r, 0, sizeof *r);
    r->code = RPC_OK;
}

static void drop_messages(struct rpc_reply *r)
{
    for (size_t i = 0; i < r->n_messages; i++)
        free(r->messages[i].data);
    r->n_messages = 0;
}

void rpc_reply_cleanup(struct rpc_reply *r)
{
    drop_messages(r);
    free(r->messages);
    memset(r, 0, sizeof *r);
}

void rpc_reply_add(struct rpc_reply *r, uint8_t *data, size_t len)
{
    r->messages = et_xgrow(r->messages, &r->cap_messages, r->n_messages + 1, sizeof *r->messages);
    r->messages[r->n_messages].data = data;
    r->messages[r->n_messages].len = len;
    r->n_messages++;
}

void rpc_reply_error(struct rpc_reply *r, int code, const char *fmt, ...)
{
    va_list ap;
    drop_messages(r);
    r->code = code;
    va_start(ap, fmt);
    vsnprintf(r->details, sizeof r->details, fmt, ap);
    va_end(ap);
}

/* ---- gRPC runtime and its logs --------------------------------------------------- */

static void log_from_grpc(gpr_log_func_args *args)
{
    enum et_log_level level = ET_LOG_TRACE;
    if (args->severity == GPR_LOG_SEVERITY_ERROR)
        level = ET_LOG_ERROR;
    else if (args->severity == GPR_LOG_SEVERITY_INFO)
        level = ET_LOG_DEBUG;
    char line[16];
    snprintf(line, sizeof line, "%d", args->line);
    et_log(level, "grpc", args->message ? args->message : "", "file", args->file ? args->file : "",
           "line", line, NULL);
}

void rpc_runtime_init(void)
{
    gpr_set_log_function(log_from_grpc);
    grpc_init();
    /* grpc_init() read GRPC_VERBOSITY; without it, follow our own level. */
    const char *env = getenv("GRPC_VERBOSITY");
    if (!env || !*env) {
        enum et_log_level level = et_log_get_level();
        gpr_set_log_verbosity(level <= ET_LOG_TRACE   ? GPR_LOG_SEVERITY_DEBUG
                              : level <= ET_LOG_DEBUG ? GPR_LOG_SEVERITY_INFO
                                                      : GPR_LOG_SEVERITY_ERROR);
    }
}

void rpc_runtime_shutdown(void)
{
    /* Blocking: the non-blocking variant may finish on another thread, racing
     * with exit (P12). */
    grpc_shutdown_blocking();
}

/* ---- server state -------------------------------------------------------------- */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* With the lock held: once the shutdown tag is in and no call is alive, shut
 * the queue down; the completion-queue threads then leave. */
static void maybe_stop_locked(struct rpc_server *s)
{
    if (s->shutdown_notified && s->live == 0 && !s->cq_shut) {
        s->cq_shut = true;
        grpc_completion_queue_shutdown(s->cq);
    }
}

static void call_free(struct call *c)
{
    struct rpc_server *s = c->srv;
    if (c->call)
        grpc_call_unref(c->call);
    grpc_metadata_array_destroy(&c->request_md);
    if (!c->method)
        grpc_call_details_destroy(&c->details);
    if (c->payload)
        grpc_byte_buffer_destroy(c->payload);
    if (c->sending)
        grpc_byte_buffer_destroy(c->sending);
    if (c->has_status_details)
        grpc_slice_unref(c->status_details);
    rpc_reply_cleanup(&c->reply);
    free(c);

    pthread_mutex_lock(&s->lock);
    s->live--;
    maybe_stop_locked(s);
    pthread_mutex_unlock(&s->lock);
}

static void call_unref(struct call *c)
{
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        call_free(c);
}

/* Arm one request for `m` (NULL: the catch-all). */
static void arm(struct rpc_server *s, const struct rpc_method *m)
{
    struct call *c = et_xcalloc(1, sizeof *c);
    c->srv = s;
    c->method = m;
    c->t_new = (struct tag){TAG_NEW_CALL, c};
    c->t_sent = (struct tag){TAG_SENT, c};
    c->t_closed = (struct tag){TAG_CLOSED, c};
    grpc_metadata_array_init(&c->request_md);
    if (!m)
        grpc_call_details_init(&c->details);

    pthread_mutex_lock(&s->lock);
    if (s->shutting_down) {
        pthread_mutex_unlock(&s->lock);
        grpc_metadata_array_destroy(&c->request_md);
        if (!m)
            grpc_call_details_destroy(&c->details);
        free(c);
        return;
    }
    s->live++;
    grpc_call_error e;
    if (m)
        e = grpc_server_request_registered_call(s->server, s->registered[m - s->cfg.methods],
                                                &c->call, &c->deadline, &c->request_md, &c->payload,
                                                s->cq, s->cq, &c->t_new);
    else
        e = grpc_server_request_call(s->server, &c->call, &c->details, &c->request_md, s->cq, s->cq,
                                     &c->t_new);
    pthread_mutex_unlock(&s->lock);
    if (e != GRPC_CALL_OK) {
        et_logf(ET_LOG_ERROR, "rpc", "could not arm a request for %s (grpc_call_error %d)",
                m ? m->path : "unknown methods", (int)e);
        call_free(c);
    }
}

/* ---- sending a reply ---------------------------------------------------------------- */

static void call_finish(struct call *c, int code);

/* Start the next batch of the reply: initial metadata (first batch), the next
 * message, and the status once the last message is in it. */
static void send_next(struct call *c)
{
    struct rpc_reply *r = &c->reply;
    grpc_op ops[3];
    size_t n = 0;
    memset(ops, 0, sizeof ops);

    if (!c->initial_md_sent) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[n].data.send_initial_metadata.count = 0;
        n++;
        c->initial_md_sent = true;
    }
    if (r->code == RPC_OK && c->next_message < r->n_messages) {
        struct rpc_message *msg = &r->messages[c->next_message++];
        grpc_slice slice =
            msg->len ? grpc_slice_new(msg->data, msg->len, free) : grpc_empty_slice();
        if (!msg->len)
            free(msg->data);
        msg->data = NULL;
        c->sending = grpc_raw_byte_buffer_create(&slice, 1);
        grpc_slice_unref(slice);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->sending;
        n++;
    }
    if (r->code != RPC_OK || c->next_message >= r->n_messages) {
        ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
        ops[n].data.send_status_from_server.status = (grpc_status_code)r->code;
        ops[n].data.send_status_from_server.trailing_metadata_count = 0;
        if (r->code != RPC_OK && r->details[0]) {
            c->status_details = grpc_slice_from_copied_string(r->details);
            c->has_status_details = true;
            ops[n].data.send_status_from_server.status_details = &c->status_details;
        }
        n++;
        c->status_sent = true;
    }
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, &c->t_sent, NULL);
    if (e != GRPC_CALL_OK) {
        et_logf(ET_LOG_ERROR, "rpc", "could not send the reply of %s (grpc_call_error %d)", c->path,
                (int)e);
        call_finish(c, RPC_INTERNAL);
    }
}

static void on_sent(struct call *c, bool ok)
{
    if (c->sending) {
        grpc_byte_buffer_destroy(c->sending);
        c->sending = NULL;
    }
    if (!ok) /* the client went away or the server is shutting down */
        call_finish(c, RPC_CANCELLED);
    else if (!c->status_sent)
        send_next(c);
    else
        call_finish(c, c->reply.code);
}

/* The send chain is over: count the call and drop its reference. */
static void call_finish(struct call *c, int code)
{
    struct rpc_server *s = c->srv;
    int64_t elapsed = et_now_monotonic_ns() - c->started_ns;
    enum et_method metric = c->method ? c->method->metric : ET_METHOD_UNKNOWN;
    bool shutdown_after = c->reply.shutdown_after && code == RPC_OK;

    et_metrics_call_end(s->cfg.metrics, metric, code, elapsed);
    if (et_log_get_level() <= ET_LOG_DEBUG) {
        char code_text[16], ms[32];
        snprintf(code_text, sizeof code_text, "%d", code);
        snprintf(ms, sizeof ms, "%.3f", (double)elapsed / 1e6);
        et_log(ET_LOG_DEBUG, "rpc", "call finished", "method", c->path, "code", code_text,
               "durationMs", ms, NULL);
    }
    call_unref(c);
    if (shutdown_after)
        rpc_server_shutdown(s);
}

/* ---- running a call ------------------------------------------------------------------- */

static void run_handler(struct call *c)
{
    const struct rpc_method *m = c->method;
    struct rpc_request req = {.method = c->path, .cancel = &c->cancel};
    grpc_slice body = grpc_empty_slice();

    if (!c->payload) {
        /* The client half-closed without a message, or cancelled (P5). */
        rpc_reply_error(&c->reply, RPC_INTERNAL, "%s: the request carried no message", c->path);
        goto send;
    }
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, c->payload)) {
        rpc_reply_error(&c->reply, RPC_INTERNAL, "%s: the request message could not be read",
                        c->path);
        goto send;
    }
    body = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    grpc_byte_buffer_destroy(c->payload);
    c->payload = NULL;

    req.data = GRPC_SLICE_START_PTR(body);
    req.len = GRPC_SLICE_LENGTH(body);
    m->handler(c->srv->cfg.app, &req, &c->reply);
    if (c->reply.code == RPC_OK && !m->server_streaming && c->reply.n_messages != 1)
        rpc_reply_error(&c->reply, RPC_INTERNAL, "%s: the handler produced %zu messages", c->path,
                        c->reply.n_messages);
send:
    grpc_slice_unref(body);
    send_next(c);
}

static void run_job(void *arg)
{
    run_handler(arg);
}

static void set_deadline(struct call *c, gpr_timespec deadline)
{
    et_cancel_init(&c->cancel);
    if (gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) == 0)
        return;
    gpr_timespec mono = gpr_convert_clock_type(deadline, GPR_CLOCK_MONOTONIC);
    int64_t left = gpr_time_to_millis(gpr_time_sub(mono, gpr_now(GPR_CLOCK_MONOTONIC)));
    et_cancel_set_timeout(&c->cancel, left < 1 ? 1 : left);
}

static void copy_path(struct call *c)
{
    if (c->method) {
        snprintf(c->path, sizeof c->path, "%s", c->method->path);
        return;
    }
    size_t len = GRPC_SLICE_LENGTH(c->details.method);
    if (len >= sizeof c->path)
        len = sizeof c->path - 1;
    memcpy(c->path, GRPC_SLICE_START_PTR(c->details.method), len);
    c->path[len] = '\0';
    for (size_t i = 0; i < len; i++) /* the path is outside input: keep logs clean */
        if ((unsigned char)c->path[i] < 0x20 || c->path[i] == 0x7f)
            c->path[i] = '?';
}

static void on_new_call(struct rpc_server *s, struct call *c, bool ok)
{
    if (!ok) { /* the server is shutting down: the armed request is void */
        call_free(c);
        return;
    }
    arm(s, c->method);

    c->started_ns = et_now_monotonic_ns();
    copy_path(c);
    set_deadline(c, c->method ? c->deadline : c->details.deadline);
    rpc_reply_init(&c->reply);
    atomic_init(&c->refs, 2);
    et_metrics_call_begin(s->cfg.metrics, c->method ? c->method->metric : ET_METHOD_UNKNOWN);

    grpc_op close_op;
    memset(&close_op, 0, sizeof close_op);
    close_op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    close_op.data.recv_close_on_server.cancelled = &c->client_cancelled;
    /* Cannot fail on a fresh call; keep the count right anyway. This drops the
     * close op's reference only: ours is still held, so it is never the last
     * (a plain decrement, not call_unref, which could free). */
    if (grpc_call_start_batch(c->call, &close_op, 1, &c->t_closed, NULL) != GRPC_CALL_OK)
        atomic_fetch_sub(&c->refs, 1);

    if (!c->method) {
        /* go-plugin opens GRPCStdio and GRPCBroker streams we do not serve. */
        et_log(ET_LOG_DEBUG, "rpc", "unknown method", "method", c->path, NULL);
        rpc_reply_error(&c->reply, RPC_UNIMPLEMENTED, "unknown method %s", c->path);
        send_next(c);
    } else if (c->method->lane == RPC_LANE_INLINE) {
        run_handler(c);
    } else {
        workq_submit(s->lanes[c->method->lane], run_job, c);
    }
}

static void on_closed(struct call *c, bool ok)
{
    if (!ok || c->client_cancelled)
        et_cancel_request(&c->cancel);
    call_unref(c);
}

static void *cq_thread_main(void *arg)
{
    struct rpc_server *s = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        struct tag *t = ev.tag;
        bool ok = ev.success != 0;
        switch (t->kind) {
        case TAG_NEW_CALL:
            on_new_call(s, t->call, ok);
            break;
        case TAG_SENT:
            on_sent(t->call, ok);
            break;
        case TAG_CLOSED:
            on_closed(t->call, ok);
            break;
        case TAG_SHUTDOWN:
            pthread_mutex_lock(&s->lock);
            s->shutdown_notified = true;
            maybe_stop_locked(s);
            pthread_mutex_unlock(&s->lock);
            break;
        }
    }
    pthread_mutex_lock(&s->lock);
    if (--s->running_cq_threads == 0) {
        s->stopped = true;
        pthread_cond_broadcast(&s->changed);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- server lifecycle ------------------------------------------------------------------ */

static int check_methods(const struct rpc_config *cfg, struct et_error *err)
{
    for (size_t i = 0; i < cfg->n_methods; i++) {
        const struct rpc_method *m = &cfg->methods[i];
        if (!m->path || m->path[0] != '/' || !m->handler || (int)m->lane < 0 ||
            m->lane >= RPC_LANE_COUNT)
            return et_error_set(err, 500, ET_SOURCE_PLUGIN, "invalid method table entry %zu", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->methods[j].path, m->path) == 0)
                return et_error_set(err, 500, ET_SOURCE_PLUGIN, "method %s registered twice",
                                    m->path);
    }
    return 0;
}

struct rpc_server *rpc_server_new(const struct rpc_config *cfg, struct et_error *err)
{
    if (check_methods(cfg, err) < 0)
        return NULL;
    struct rpc_server *s = et_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (s->cfg.cq_threads < 1)
        s->cfg.cq_threads = 1;
    s->shutdown_tag = (struct tag){TAG_SHUTDOWN, NULL};
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->changed, &attr);
    pthread_condattr_destroy(&attr);

    grpc_arg args[2];
    memset(args, 0, sizeof args);
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = cfg->max_receive_bytes && cfg->max_receive_bytes < (size_t)INT32_MAX
                                ? (int)cfg->max_receive_bytes
                                : INT32_MAX;
    /* Never share a TCP port with another process (gRPC sets SO_REUSEPORT by default). */
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = (char *)GRPC_ARG_ALLOW_REUSEPORT;
    args[1].value.integer = 0;
    grpc_channel_args channel_args = {2, args};

    s->cq = grpc_completion_queue_create_for_next(NULL);
    s->server = grpc_server_create(&channel_args, NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    s->registered = et_xcalloc(cfg->n_methods ? cfg->n_methods : 1, sizeof *s->registered);
    for (size_t i = 0; i < cfg->n_methods; i++) {
        s->registered[i] = grpc_server_register_method(
            s->server, cfg->methods[i].path, NULL, GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
        if (!s->registered[i]) {
            et_error_set(err, 500, ET_SOURCE_PLUGIN, "gRPC refused to register %s",
                         cfg->methods[i].path);
            rpc_server_free(s);
            return NULL;
        }
    }
    return s;
}

static int add_port(struct rpc_server *s, const char *address, struct et_error *err)
{
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(s->server, address, creds);
    grpc_server_credentials_release(creds);
    if (port == 0)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN,
                            "cannot listen on %s (see the grpc log line before this one)", address);
    pthread_mutex_lock(&s->lock);
    s->listening = true;
    pthread_mutex_unlock(&s->lock);
    return port;
}

int rpc_server_listen_unix(struct rpc_server *s, const char *path, struct et_error *err)
{
    char address[256];
    if ((size_t)snprintf(address, sizeof address, "unix:%s", path) >= sizeof address)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "socket path too long: %s", path);
    return add_port(s, address, err) < 0 ? -1 : 0;
}

int rpc_server_listen_tcp(struct rpc_server *s, const char *host, int port, int *bound_port,
                          struct et_error *err)
{
    char address[128];
    snprintf(address, sizeof address, "%s:%d", host, port);
    int bound = add_port(s, address, err);
    if (bound < 0)
        return -1;
    if (bound_port)
        *bound_port = bound;
    return 0;
}

int rpc_server_start(struct rpc_server *s, struct et_error *err)
{
    grpc_server_start(s->server);
    for (int lane = RPC_LANE_CONTROL; lane < RPC_LANE_COUNT; lane++) {
        static const char *const names[RPC_LANE_COUNT] = {"", "et-control", "et-data"};
        s->lanes[lane] = workq_new(names[lane], s->cfg.lane_threads[lane]);
        if (!s->lanes[lane])
            return et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot start the %s threads",
                                names[lane]);
    }
    s->cq_threads = et_xcalloc((size_t)s->cfg.cq_threads, sizeof *s->cq_threads);
    pthread_mutex_lock(&s->lock);
    s->started = true;
    for (int i = 0; i < s->cfg.cq_threads; i++) {
        if (pthread_create(&s->cq_threads[i], NULL, cq_thread_main, s) != 0)
            break;
        s->n_cq_threads++;
        s->running_cq_threads++;
    }
    pthread_mutex_unlock(&s->lock);
    if (s->n_cq_threads == 0)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot start the gRPC threads");
    for (size_t i = 0; i < s->cfg.n_methods; i++)
        for (int k = 0; k < ARMED_PER_METHOD; k++)
            arm(s, &s->cfg.methods[i]);
    for (int k = 0; k < ARMED_PER_METHOD; k++)
        arm(s, NULL);
    return 0;
}

void rpc_server_shutdown(struct rpc_server *s)
{
    pthread_mutex_lock(&s->lock);
    if (!s->started || s->shutting_down) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    s->shutting_down = true;
    s->shutdown_began_ms = monotonic_ms();
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);

    et_log(ET_LOG_DEBUG, "rpc", "shutting down: no new calls, cancelling the calls in flight",
           NULL);
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
}

bool rpc_server_is_shutting_down(struct rpc_server *s)
{
    pthread_mutex_lock(&s->lock);
    bool yes = s->shutting_down;
    pthread_mutex_unlock(&s->lock);
    return yes;
}

bool rpc_server_wait(struct rpc_server *s, int64_t grace_ms)
{
    bool stopped;
    pthread_mutex_lock(&s->lock);
    while (!s->stopped) {
        if (!s->shutting_down || grace_ms < 0) {
            pthread_cond_wait(&s->changed, &s->lock);
            continue;
        }
        int64_t until = s->shutdown_began_ms + grace_ms;
        if (monotonic_ms() >= until)
            break;
        struct timespec ts = {(time_t)(until / 1000), (long)(until % 1000) * 1000000L};
        pthread_cond_timedwait(&s->changed, &s->lock, &ts);
    }
    stopped = s->stopped;
    pthread_mutex_unlock(&s->lock);
    return stopped;
}

void rpc_server_free(struct rpc_server *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_cq_threads; i++)
        pthread_join(s->cq_threads[i], NULL);
    for (int lane = 0; lane < RPC_LANE_COUNT; lane++)
        workq_free(s->lanes[lane]);
    if (s->server)
        grpc_server_destroy(s->server);
    if (s->cq) {
        if (!s->cq_shut) { /* never started: drain the unused queue */
            grpc_completion_queue_shutdown(s->cq);
            while (
                grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
                GRPC_QUEUE_SHUTDOWN)
                ;
        }
        grpc_completion_queue_destroy(s->cq);
    }
    free(s->registered);
    free(s->cq_threads);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
