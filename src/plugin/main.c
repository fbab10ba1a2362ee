/* SPDX-License-Identifier: Apache-2.0
 *
 * The gpx_errortriage executable.
 *
 * Started by Grafana (the magic cookie grafana_plugin_type=datasource is in
 * the environment), it is a go-plugin gRPC server: check the handshake
 * environment, listen on a unix socket (or 127.0.0.1 when
 * GF_PLUGIN_GRPC_NETWORK=tcp), print the handshake line, serve until the
 * host calls GRPCController.Shutdown or sends SIGTERM, then exit 0 with the
 * socket removed. Started by a person, it is the command-line tool
 * (src/cli), or explains what it is.
 *
 * Signals: SIGTERM and SIGINT are blocked before any thread exists (gRPC's
 * threads inherit the mask) and taken by a sigwait thread. SIGTERM shuts down;
 * SIGINT is ignored like go-plugin servers do (a Ctrl-C in Grafana's terminal
 * reaches the whole process group; the host decides when we stop). SIGPIPE
 * is ignored.
 *
 * Exit status: 0 after a clean shutdown (or when handlers ignore their
 * cancellation past the grace period: the process then leaves anyway), 1
 * when it cannot start (with an hclog ERROR line saying why).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/mem.h"
#include "plugin/handshake.h"
#include "plugin/options.h"
#include "plugin/plugin.h"

/* How long in-flight handlers get to notice the cancellation after a
 * shutdown began; go-plugin's Kill() waits 2 s before SIGKILL, and we aim to
 * be gone within 1 s. */
#define SHUTDOWN_GRACE_MS 800

static const char NOT_FROM_GRAFANA[] =
    "gpx_errortriage is a Grafana backend plugin (datasource \"Error Triage\", "
    "errortriage-otel-datasource).\n"
    "Grafana starts it by itself: install the plugin folder into Grafana's plugins directory\n"
    "(see docs/install.md).\n"
    "\n"
    "To use it from a terminal, run one of its commands instead:\n"
    "  gpx_errortriage query --prometheus URL --type error-rate --from now-1h\n"
    "  gpx_errortriage health --prometheus URL --tempo URL\n"
    "  gpx_errortriage triage traces.json\n"
    "  gpx_errortriage help\n";

struct signal_waiter {
    pthread_t thread;
    sigset_t set;
    struct rpc_server *rpc;
    bool running;        /* the thread was started */
    atomic_bool leaving; /* set by main before it wakes the thread for the last time */
};

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

static int fail_start(const char *what, const struct et_error *err)
{
    et_log(ET_LOG_ERROR, "plugin", what, "error", err ? err->message : "", NULL);
    return 1;
}

static void *signal_main(void *arg)
{
    struct signal_waiter *w = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&w->set, &sig) != 0)
            continue;
        if (atomic_load(&w->leaving))
            return NULL;
        if (sig == SIGINT) {
            et_log(ET_LOG_DEBUG, "plugin", "SIGINT ignored: the host decides when we stop", NULL);
            continue;
        }
        et_log(ET_LOG_INFO, "plugin", "SIGTERM received: shutting down", NULL);
        rpc_server_shutdown(w->rpc);
    }
}

/* Listen where the host expects us; fills the handshake line. */
static int listen_and_describe(const struct plugin *p, char *socket_path, size_t path_size,
                               char *line, size_t line_size, struct et_error *err)
{
    char address[160];
    if (!p->opts.tcp) {
        if (handshake_socket_path(getenv("PLUGIN_UNIX_SOCKET_DIR"), getenv("TMPDIR"),
                                  (long)getpid(), socket_path, path_size, err) < 0)
            return -1;
        unlink(socket_path);     /* a socket left by a killed process with our pid */
        mode_t old = umask(077); /* only Grafana's user may connect */
        int rc = rpc_server_listen_unix(p->rpc, socket_path, err);
        umask(old);
        if (rc < 0)
            return -1;
        snprintf(address, sizeof address, "%s", socket_path);
    } else {
        int lo, hi, port = -1;
        if (handshake_port_range(getenv("PLUGIN_MIN_PORT"), getenv("PLUGIN_MAX_PORT"), &lo, &hi,
                                 err) < 0)
            return -1;
        for (int candidate = lo; candidate <= hi && port < 0; candidate++) {
            if (candidate != 0 && !handshake_tcp_port_is_free(candidate))
                continue;
            if (rpc_server_listen_tcp(p->rpc, "127.0.0.1", candidate, &port, err) < 0)
                port = -1;
        }
        if (port < 0)
            return et_error_set(err, 500, ET_SOURCE_PLUGIN,
                                "no free TCP port on 127.0.0.1 in %d..%d", lo, hi);
        snprintf(address, sizeof address, "127.0.0.1:%d", port);
    }
    if (handshake_format_line(line, line_size, p->opts.tcp ? "tcp" : "unix", address) < 0)
        return et_error_set(err, 500, ET_SOURCE_PLUGIN, "handshake line too long");
    return 0;
}

static int serve(const struct plugin_options *opts)
{
    struct signal_waiter waiter = {0};
    sigemptyset(&waiter.set);
    sigaddset(&waiter.set, SIGTERM);
    sigaddset(&waiter.set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &waiter.set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct et_error err;
    et_error_clear(&err);
    rpc_runtime_init();
    struct plugin *p = plugin_new(opts, &err);
    if (!p)
        return fail_start("cannot create the gRPC server", &err);

    char socket_path[HANDSHAKE_SOCKET_PATH_MAX + 1] = "";
    char line[256];
    /* After a port was added gRPC cannot be torn down without a shutdown
     * (notes P9): on failure from here on, leave with exit(1). */
    if (listen_and_describe(p, socket_path, sizeof socket_path, line, sizeof line, &err) < 0 ||
        rpc_server_start(p->rpc, &err) < 0) {
        fail_start("cannot listen", &err);
        if (socket_path[0])
            unlink(socket_path);
        exit(1);
    }
    if (handshake_announce(line) < 0) {
        fail_start("cannot write the handshake line to stdout", NULL);
        if (socket_path[0])
            unlink(socket_path);
        exit(1);
    }
    et_log(ET_LOG_DEBUG, "plugin", "serving", "address", socket_path[0] ? socket_path : line, NULL);

    waiter.rpc = p->rpc;
    waiter.running = pthread_create(&waiter.thread, NULL, signal_main, &waiter) == 0;
    if (!waiter.running)
        et_log(ET_LOG_WARN, "plugin", "no signal thread: SIGTERM will not shut down cleanly", NULL);

    if (!rpc_server_wait(p->rpc, SHUTDOWN_GRACE_MS)) {
        et_log(ET_LOG_WARN, "plugin",
               "calls still running after the shutdown grace period: exiting anyway", NULL);
        if (socket_path[0])
            unlink(socket_path);
        _exit(0);
    }
    if (waiter.running) {
        atomic_store(&waiter.leaving, true);
        /* Only wakes sigwait (SIGTERM is blocked in every thread), which sees
         * `leaving` and returns: the thread ends, nothing is terminated. */
        pthread_kill(waiter.thread, SIGTERM); /* NOLINT(bugprone-bad-signal-to-kill-thread) */
        pthread_join(waiter.thread, NULL);
    }

    plugin_free(p);
    rpc_runtime_shutdown();
    if (socket_path[0] && unlink(socket_path) < 0 && errno != ENOENT)
        et_logf(ET_LOG_WARN, "plugin", "cannot remove the socket %s: %s", socket_path,
                strerror(errno));
    et_log(ET_LOG_DEBUG, "plugin", "stopped", NULL);
    return 0;
}

int main(int argc, char **argv)
{
    et_malloc_tune();
    const char *cookie = getenv(HANDSHAKE_COOKIE_KEY);
    if (!cookie) {
        if (argc > 1 && cli_is_command(argv[1]))
            return cli_main(argc, argv);
        if (argc > 1) { /* a command-line user who mistyped: a usage error */
            fprintf(stderr, "gpx_errortriage: unknown command '%s'\n\n", argv[1]);
            fputs(NOT_FROM_GRAFANA, stderr);
            return 2;
        }
        fputs(NOT_FROM_GRAFANA, stderr);
        return 1;
    }

    struct plugin_options opts;
    struct et_strlist warnings;
    et_strlist_init(&warnings);
    plugin_options_load(&opts, env_lookup, &warnings);
    et_log_set_level(opts.log_level);
    for (size_t i = 0; i < warnings.n; i++)
        et_log(ET_LOG_WARN, "plugin", warnings.items[i], NULL);
    et_strlist_cleanup(&warnings);

    struct et_error err;
    et_error_clear(&err);
    if (handshake_check_cookie(cookie, &err) < 0)
        return fail_start("refusing to start", &err);
    if (handshake_check_protocol(getenv("PLUGIN_PROTOCOL_VERSIONS"), &err) < 0)
        return fail_start("refusing to start", &err);
    return serve(&opts);
}
