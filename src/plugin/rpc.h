/* SPDX-License-Identifier: Apache-2.0
 *
 * The gRPC transport of the plugin: a server on the gRPC C core that serves a
 * table of methods, each a plain function from request bytes to reply bytes.
 *
 * rpc.c is the only file that calls grpc_* / gpr_* (the C core API changes
 * between gRPC releases; porting means porting that one file). Everything
 * above it sees bytes, status codes and a cancellation token.
 *
 * How calls run: a few completion-queue threads accept calls and drive their
 * state machines; they never block. A method's handler runs on its lane:
 * RPC_LANE_INLINE handlers run on the completion-queue thread itself (only
 * for work of a few microseconds), the other lanes are thread pools, so
 * handlers that block on backend I/O (DATA) never delay the quick or
 * health-related ones (CONTROL). Every call's token (struct et_cancel) gets
 * the client's deadline and is flipped as soon as the client cancels or the
 * server shuts down, while the handler is still running.
 *
 * Replies: a unary method adds exactly one message; a server-streaming
 * method adds any number, sent in order. An error reply has a code other than
 * RPC_OK and no messages; its details go to the client as the status
 * message (never put secrets there).
 *
 * Ownership: rpc_server_new() returns a server freed with rpc_server_free().
 * Thread safety: rpc_server_shutdown() may be called from any thread (signal
 * thread, handlers); the other functions from the thread that owns the server.
 */
#ifndef ET_PLUGIN_RPC_H
#define ET_PLUGIN_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/metrics.h"

/* gRPC status codes (the values are the protocol's). */
enum rpc_code {
    RPC_OK = 0,
    RPC_CANCELLED = 1,
    RPC_UNKNOWN = 2,
    RPC_INVALID_ARGUMENT = 3,
    RPC_DEADLINE_EXCEEDED = 4,
    RPC_NOT_FOUND = 5,
    RPC_RESOURCE_EXHAUSTED = 8,
    RPC_UNIMPLEMENTED = 12,
    RPC_INTERNAL = 13,
    RPC_UNAVAILABLE = 14,
};

/* Where a method's handler runs (see the file comment). */
enum rpc_lane {
    RPC_LANE_INLINE = 0, /* on the completion-queue thread: must not block */
    RPC_LANE_CONTROL,    /* health checks: small pool, never behind queries */
    RPC_LANE_DATA,       /* queries and resources: the big pool */
    RPC_LANE_COUNT,
};

/* One incoming call, borrowed by the handler for the duration of the call. */
struct rpc_request {
    const char *method;             /* "/pluginv2.Data/QueryData" */
    const uint8_t *data;            /* the request message (may be NULL when len is 0) */
    size_t len;                     /* its size in bytes */
    const struct et_cancel *cancel; /* deadline + client cancel + shutdown */
};

/* One message of a reply: malloc'd bytes, owned by the reply. */
struct rpc_message {
    uint8_t *data;
    size_t len;
};

#define RPC_DETAILS_MAX 512

/* What a handler produces. Initialised (RPC_OK, no messages) before the call. */
struct rpc_reply {
    int code;                      /* enum rpc_code */
    char details[RPC_DETAILS_MAX]; /* status message for errors */
    struct rpc_message *messages;  /* owned */
    size_t n_messages;
    size_t cap_messages;
    bool shutdown_after; /* begin a graceful shutdown once this reply is sent */
};

void rpc_reply_init(struct rpc_reply *r);
void rpc_reply_cleanup(struct rpc_reply *r);
/* Append a message; takes ownership of `data` (malloc'd; NULL allowed with len 0). */
void rpc_reply_add(struct rpc_reply *r, uint8_t *data, size_t len);
/* Turn the reply into an error: drops any messages, sets code and details. */
void rpc_reply_error(struct rpc_reply *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef void (*rpc_handler_fn)(void *app, const struct rpc_request *req, struct rpc_reply *reply);

struct rpc_method {
    const char *path;      /* full method path: "/package.Service/Method" */
    bool server_streaming; /* replies may hold any number of messages */
    enum rpc_lane lane;
    enum et_method metric; /* the series this method's calls are counted in */
    rpc_handler_fn handler;
};

struct rpc_config {
    const struct rpc_method *methods; /* borrowed; must outlive the server */
    size_t n_methods;
    void *app;                        /* passed to every handler */
    int lane_threads[RPC_LANE_COUNT]; /* pool sizes (INLINE ignored; < 1 means 1) */
    int cq_threads;                   /* completion-queue threads (< 1 means 1) */
    size_t max_receive_bytes;         /* largest request message accepted */
    struct et_metrics *metrics;       /* borrowed, may be NULL */
};

struct rpc_server;

/* Process-wide set-up of the gRPC library: grpc_init(), and gRPC's own log
 * lines routed through et_log (module "grpc") at a verbosity derived from
 * the current et_log level unless GRPC_VERBOSITY is set. Call once, before
 * any server; rpc_runtime_shutdown() after the last server is freed (it
 * waits for gRPC's threads to finish). */
void rpc_runtime_init(void);
void rpc_runtime_shutdown(void);

/* A server for `cfg` (copied; the method table is borrowed). NULL with `err`
 * set when the method table is invalid or gRPC refuses. */
struct rpc_server *rpc_server_new(const struct rpc_config *cfg, struct et_error *err);

/* Listen on a unix socket at `path` (the file must not exist). */
int rpc_server_listen_unix(struct rpc_server *s, const char *path, struct et_error *err);
/* Listen on host:port (port 0: any free port). `*bound_port` gets the port. */
int rpc_server_listen_tcp(struct rpc_server *s, const char *host, int port, int *bound_port,
                          struct et_error *err);

/* Start serving (threads, pools, armed requests). */
int rpc_server_start(struct rpc_server *s, struct et_error *err);

/* Begin a graceful shutdown: stop accepting calls, cancel the calls in
 * flight (their tokens flip), and stop once every call has finished.
 * Idempotent; any thread. */
void rpc_server_shutdown(struct rpc_server *s);
bool rpc_server_is_shutting_down(struct rpc_server *s);

/* Block until the server has stopped (true), or until a shutdown has been
 * under way for `grace_ms` without finishing (false: some handler ignores its
 * token; the caller decides what to do). grace_ms < 0 waits forever. */
bool rpc_server_wait(struct rpc_server *s, int64_t grace_ms);

/* Free a server that has stopped (rpc_server_wait returned true) or that
 * never listened. A server that listened but could not stop cleanly must not
 * be freed (gRPC asserts); exit the process instead. */
void rpc_server_free(struct rpc_server *s);

#endif
