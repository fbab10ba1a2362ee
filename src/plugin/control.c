/* SPDX-License-Identifier: Apache-2.0
 *
 * The two services go-plugin itself uses: grpc.health.v1.Health/Check (its
 * Ping) and plugin.GRPCController/Shutdown (its Kill). Both run inline on a
 * completion-queue thread: they never block.
 */
#include <string.h>

#include "core/log.h"
#include "grpc_controller.pb-c.h"
#include "health.pb-c.h"
#include "plugin/handlers.h"
#include "plugin/pcontext.h"
#include "plugin/plugin.h"

/* The service name go-plugin asks about. */
#define GO_PLUGIN_SERVICE "plugin"

void handle_health_check(void *app, const struct rpc_request *req, struct rpc_reply *reply)
{
    struct plugin *p = app;
    Grpc__Health__V1__HealthCheckRequest *in =
        grpc__health__v1__health_check_request__unpack(NULL, req->len, req->data);
    if (!in) {
        rpc_reply_error(reply, RPC_INVALID_ARGUMENT, "malformed HealthCheckRequest");
        return;
    }
    bool known = in->service[0] == '\0' || strcmp(in->service, GO_PLUGIN_SERVICE) == 0;
    if (!known) {
        rpc_reply_error(reply, RPC_NOT_FOUND, "unknown service");
    } else {
        Grpc__Health__V1__HealthCheckResponse out = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
        out.status = p->rpc && rpc_server_is_shutting_down(p->rpc)
                         ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
                         : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
        pcontext_reply_message(reply, &out.base);
    }
    grpc__health__v1__health_check_request__free_unpacked(in, NULL);
}

void handle_shutdown(void *app, const struct rpc_request *req, struct rpc_reply *reply)
{
    (void)app;
    Plugin__Empty *in = plugin__empty__unpack(NULL, req->len, req->data);
    if (!in) {
        rpc_reply_error(reply, RPC_INVALID_ARGUMENT, "malformed Empty");
        return;
    }
    plugin__empty__free_unpacked(in, NULL);
    et_log(ET_LOG_INFO, "plugin", "shutdown requested by the host", NULL);
    Plugin__Empty out = PLUGIN__EMPTY__INIT;
    pcontext_reply_message(reply, &out.base);
    reply->shutdown_after = true;
}
