/* SPDX-License-Identifier: Apache-2.0
 *
 * The plugin process state: everything Grafana's calls share, created by
 * main() and handed to every handler (no globals).
 *
 *   metrics     the plugin's own metrics (CollectMetrics), recorded by every layer
 *   instances   parsed datasource settings, one per uid + lastUpdatedMS
 *   query_pool  threads that run the queries of one QueryData request side by side
 *   rpc         the gRPC server and its method table (plugin.c)
 *
 * libcurl is initialised on the first call that may reach a backend, not at
 * start-up: its global init (OpenSSL) costs a few milliseconds and about
 * 2 MB, which a plugin that only answers health pings never needs (libcurl
 * 7.84+ allows this from any thread; plugin_backend_init() makes it once).
 *
 * Ownership: plugin_new() returns a plugin freed with plugin_free(), after
 * its server has stopped. Thread safety: the fields are set once in
 * plugin_new(); handlers only read them (the objects are thread-safe).
 */
#ifndef ET_PLUGIN_PLUGIN_H
#define ET_PLUGIN_PLUGIN_H

#include <pthread.h>
#include <stdatomic.h>

#include "config/instance.h"
#include "core/error.h"
#include "core/metrics.h"
#include "plugin/options.h"
#include "plugin/rpc.h"
#include "plugin/workq.h"

struct plugin {
    struct plugin_options opts;
    struct et_metrics *metrics;
    struct instance_cache *instances;
    struct workq *query_pool;  /* NULL when query_concurrency is 1 */
    struct rpc_server *rpc;    /* NULL in unit tests that call handlers directly */
    pthread_mutex_t http_lock; /* serialises the first plugin_backend_init() */
    atomic_bool http_ready;    /* libcurl's global init has run */
};

/* Initialise libcurl unless done already; every handler that may send a
 * backend request calls this first. Any thread. */
void plugin_backend_init(struct plugin *p);

/* The services Grafana calls, in a table (path, lane, handler). */
const struct rpc_method *plugin_methods(size_t *n);

/* State without a server (unit tests and benchmarks call handlers directly). */
struct plugin *plugin_new_state(const struct plugin_options *opts);
/* State plus a gRPC server for plugin_methods() (not yet listening). */
struct plugin *plugin_new(const struct plugin_options *opts, struct et_error *err);
/* Free a plugin whose server has stopped or never listened. NULL is a no-op. */
void plugin_free(struct plugin *p);

#endif
