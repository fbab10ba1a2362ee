/* SPDX-License-Identifier: Apache-2.0
 *
 * The handlers of the services Grafana calls, one function per method, each
 * with the rpc_handler_fn shape: decode the protobuf request, call the layer
 * below (query/, config/, core/metrics), encode the reply.
 *
 * Errors: a request that does not decode is INVALID_ARGUMENT; everything a
 * datasource or query can get wrong is answered inside the reply (per-refId
 * DataResponse.error/status, CheckHealth status ERROR, HTTP status of a
 * resource), because that is where Grafana shows it to the user.
 *
 * `app` is the struct plugin. Thread safety: handlers run concurrently on
 * any thread.
 */
#ifndef ET_PLUGIN_HANDLERS_H
#define ET_PLUGIN_HANDLERS_H

#include "plugin/rpc.h"

/* pluginv2.Data/QueryData: every refId answers on its own (query_data.c). */
void handle_query_data(void *app, const struct rpc_request *req, struct rpc_reply *reply);
/* pluginv2.Diagnostics/CheckHealth and CollectMetrics (diagnostics.c). */
void handle_check_health(void *app, const struct rpc_request *req, struct rpc_reply *reply);
void handle_collect_metrics(void *app, const struct rpc_request *req, struct rpc_reply *reply);
/* pluginv2.Resource/CallResource, server-streaming (resource.c). */
void handle_call_resource(void *app, const struct rpc_request *req, struct rpc_reply *reply);
/* grpc.health.v1.Health/Check and plugin.GRPCController/Shutdown (control.c). */
void handle_health_check(void *app, const struct rpc_request *req, struct rpc_reply *reply);
void handle_shutdown(void *app, const struct rpc_request *req, struct rpc_reply *reply);

#endif
