/* SPDX-License-Identifier: Apache-2.0
 *
 * The plugin's method table and process state (see plugin.h).
 *
 * Lanes: QueryData and CallResource block on backend I/O and get the big
 * DATA pool; CheckHealth also does backend I/O, but for "Save & test", so it
 * has its own small CONTROL pool and is never queued behind queries; the
 * go-plugin services and CollectMetrics take microseconds and run inline.
 * Methods not in the table (Stream, QueryChunkedData, go-plugin's GRPCStdio
 * and GRPCBroker ...) answer UNIMPLEMENTED, which Grafana treats as "not
 * implemented by this plugin".
 */
#include "plugin/plugin.h"

#include <malloc.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "plugin/handlers.h"

/* Threads draining the completion queue (they never block; two keep one busy
 * with an inline handler from delaying the others). */
#define PLUGIN_CQ_THREADS 2

static const struct rpc_method methods[] = {
    {"/pluginv2.Data/QueryData", false, RPC_LANE_DATA, ET_METHOD_QUERY_DATA, handle_query_data},
    {"/pluginv2.Resource/CallResource", true, RPC_LANE_DATA, ET_METHOD_CALL_RESOURCE,
     handle_call_resource},
    {"/pluginv2.Diagnostics/CheckHealth", false, RPC_LANE_CONTROL, ET_METHOD_CHECK_HEALTH,
     handle_check_health},
    {"/pluginv2.Diagnostics/CollectMetrics", false, RPC_LANE_INLINE, ET_METHOD_COLLECT_METRICS,
     handle_collect_metrics},
    {"/grpc.health.v1.Health/Check", false, RPC_LANE_INLINE, ET_METHOD_HEALTH_CHECK,
     handle_health_check},
    {"/plugin.GRPCController/Shutdown", false, RPC_LANE_INLINE, ET_METHOD_SHUTDOWN,
     handle_shutdown},
};

const struct rpc_method *plugin_methods(size_t *n)
{
    *n = sizeof methods / sizeof methods[0];
    return methods;
}

void plugin_backend_init(struct plugin *p)
{
    if (atomic_load_explicit(&p->http_ready, memory_order_acquire))
        return;
    pthread_mutex_lock(&p->http_lock);
    if (!atomic_load_explicit(&p->http_ready, memory_order_relaxed)) {
        if (http_global_init() < 0) /* requests will then fail one by one, with a message */
            et_log(ET_LOG_ERROR, "plugin", "libcurl could not be initialised", NULL);
        atomic_store_explicit(&p->http_ready, true, memory_order_release);
    }
    pthread_mutex_unlock(&p->http_lock);
}

struct plugin *plugin_new_state(const struct plugin_options *opts)
{
#ifdef M_MMAP_THRESHOLD
    /* Backend bodies (up to 64 MiB) are big and short-lived: blocks from 1 MiB
     * up are mmap'd, so freeing one gives it back to the system. By default
     * glibc raises this threshold after the first big free, and then every
     * thread's arena keeps its high-water mark: in the fault matrix the
     * resident size ratcheted from 20 to 215 MB (peak 327); with this it
     * returns to 16 MB (peak 144). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    struct plugin *p = et_xcalloc(1, sizeof *p);
    p->opts = *opts;
    p->metrics = et_metrics_new();
    p->instances = instance_cache_new(p->metrics);
    pthread_mutex_init(&p->http_lock, NULL);
    atomic_init(&p->http_ready, false);
    if (opts->query_concurrency > 1)
        p->query_pool = workq_new("et-query", opts->workers);
    return p;
}

struct plugin *plugin_new(const struct plugin_options *opts, struct et_error *err)
{
    struct plugin *p = plugin_new_state(opts);
    struct rpc_config cfg = {
        .app = p,
        .cq_threads = PLUGIN_CQ_THREADS,
        .max_receive_bytes = opts->max_receive_bytes,
        .metrics = p->metrics,
    };
    cfg.methods = plugin_methods(&cfg.n_methods);
    cfg.lane_threads[RPC_LANE_CONTROL] = opts->control_workers;
    cfg.lane_threads[RPC_LANE_DATA] = opts->workers;
    p->rpc = rpc_server_new(&cfg, err);
    if (!p->rpc) {
        plugin_free(p);
        return NULL;
    }
    return p;
}

void plugin_free(struct plugin *p)
{
    if (!p)
        return;
    rpc_server_free(p->rpc);
    workq_free(p->query_pool);
    instance_cache_free(p->instances);
    et_metrics_free(p->metrics);
    if (atomic_load(&p->http_ready))
        http_global_cleanup();
    pthread_mutex_destroy(&p->http_lock);
    free(p);
}
