/* SPDX-License-Identifier: Apache-2.0
 *
 * Run-time options of the plugin process, read from the environment.
 *
 * Grafana turns the keys of a `[plugin.errortriage-otel-datasource]` section
 * in grafana.ini into GF_PLUGIN_<KEY> environment variables for the plugin
 * process, so every option here can be set either way (docs/install.md):
 *
 *   GF_PLUGIN_LOG_LEVEL          trace|debug|info|warn|error|off   (info)
 *   GF_PLUGIN_WORKERS            threads running queries/resources  (16, 1..256)
 *   GF_PLUGIN_QUERY_CONCURRENCY  queries of one request run at once  (4, 1..64)
 *   GF_PLUGIN_GRPC_NETWORK       unix|tcp: where the gRPC server listens (unix)
 *
 * A value that cannot be used keeps the default and adds a warning (the
 * plugin should start with a typo in grafana.ini, and say so in the log).
 *
 * Thread safety: pure; the caller passes the lookup function.
 */
#ifndef ET_PLUGIN_OPTIONS_H
#define ET_PLUGIN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/log.h"
#include "core/strlist.h"

#define PLUGIN_DEFAULT_WORKERS           16
#define PLUGIN_DEFAULT_CONTROL_WORKERS   4
#define PLUGIN_DEFAULT_QUERY_CONCURRENCY 4
/* The Go SDK's default receive limit (gRPC's own default is 4 MiB). */
#define PLUGIN_MAX_RECEIVE_BYTES (16u << 20)
/* Encoded frames of one QueryData reply, all refIds together: a refId that
 * would go past it answers 413 instead (why: a runaway query must not take
 * the process or Grafana down with a multi-GiB message). */
#define PLUGIN_MAX_RESPONSE_BYTES ((size_t)256 << 20)

struct plugin_options {
    enum et_log_level log_level;
    int workers;           /* DATA lane threads (QueryData, CallResource) */
    int control_workers;   /* CONTROL lane threads (CheckHealth) */
    int query_concurrency; /* queries of one QueryData request running at once */
    bool tcp;              /* listen on 127.0.0.1 instead of a unix socket */
    size_t max_receive_bytes;
    size_t max_response_bytes;
};

typedef const char *(*options_getenv_fn)(const char *name);

/* Defaults. */
void plugin_options_init(struct plugin_options *o);
/* Defaults, then the environment through `lookup` (getenv in production).
 * Unusable values are reported in `warnings` (messages, no secrets). */
void plugin_options_load(struct plugin_options *o, options_getenv_fn lookup,
                         struct et_strlist *warnings);

#endif
