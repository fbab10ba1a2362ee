/* SPDX-License-Identifier: Apache-2.0
 *
 * Diagnostics.CheckHealth ("Save & test": probe the configured Prometheus and
 * Tempo, say what works and what does not) and Diagnostics.CollectMetrics
 * (the plugin's own metrics in the Prometheus text format).
 *
 * Invalid datasource settings are not a gRPC error: they are the health
 * check's answer (status ERROR with the message naming the bad key), which
 * is where the user looks.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.pb-c.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "plugin/handlers.h"
#include "plugin/pcontext.h"
#include "plugin/plugin.h"
#include "query/health.h"

static Pluginv2__CheckHealthResponse__HealthStatus wire_status(enum health_status st)
{
    switch (st) {
    case HEALTH_OK:
        return PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__OK;
    case HEALTH_ERROR:
        return PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__ERROR;
    case HEALTH_UNKNOWN:
        break;
    }
    return PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__UNKNOWN;
}

void handle_check_health(void *app, const struct rpc_request *req, struct rpc_reply *reply)
{
    struct plugin *p = app;
    Pluginv2__CheckHealthRequest *in =
        pluginv2__check_health_request__unpack(NULL, req->len, req->data);
    if (!in) {
        rpc_reply_error(reply, RPC_INVALID_ARGUMENT, "malformed CheckHealthRequest");
        return;
    }

    plugin_backend_init(p);
    Pluginv2__CheckHealthResponse out = PLUGINV2__CHECK_HEALTH_RESPONSE__INIT;
    char *message = NULL, *details_text = NULL;
    struct et_error err;
    et_error_clear(&err);
    struct instance *inst = pcontext_instance(p->instances, in->plugincontext, &err);
    if (!inst) {
        struct et_buf msg;
        et_buf_init(&msg, ET_BUF_UNLIMITED);
        et_buf_printf(&msg, "Invalid datasource settings: %s", err.message);
        message = et_buf_take(&msg, NULL);
        out.status = PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__ERROR;
    } else {
        json_t *details = NULL;
        out.status = wire_status(health_check(inst, req->cancel, &message, &details));
        if (details)
            details_text = json_dumps(details, JSON_COMPACT);
        json_decref(details);
        instance_unref(inst);
    }
    out.message = message ? message : (char *)"";
    if (details_text) {
        out.jsondetails.data = (uint8_t *)details_text;
        out.jsondetails.len = strlen(details_text);
    }
    et_log(ET_LOG_DEBUG, "health", "health check", "status",
           out.status == PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__OK ? "ok" : "error",
           "message", out.message, NULL);
    pcontext_reply_message(reply, &out.base);
    free(message);
    free(details_text);
    pluginv2__check_health_request__free_unpacked(in, NULL);
}

void handle_collect_metrics(void *app, const struct rpc_request *req, struct rpc_reply *reply)
{
    struct plugin *p = app;
    Pluginv2__CollectMetricsRequest *in =
        pluginv2__collect_metrics_request__unpack(NULL, req->len, req->data);
    if (!in) {
        rpc_reply_error(reply, RPC_INVALID_ARGUMENT, "malformed CollectMetricsRequest");
        return;
    }
    pluginv2__collect_metrics_request__free_unpacked(in, NULL);

    struct et_buf text;
    et_buf_init(&text, ET_BUF_UNLIMITED);
    et_metrics_write(p->metrics, &text);
    size_t len;
    char *data = et_buf_take(&text, &len);

    Pluginv2__CollectMetricsResponse__Payload payload =
        PLUGINV2__COLLECT_METRICS_RESPONSE__PAYLOAD__INIT;
    payload.prometheus.data = (uint8_t *)data;
    payload.prometheus.len = len;
    Pluginv2__CollectMetricsResponse out = PLUGINV2__COLLECT_METRICS_RESPONSE__INIT;
    out.metrics = &payload;
    pcontext_reply_message(reply, &out.base);
    free(data);
}
