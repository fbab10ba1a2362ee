/* SPDX-License-Identifier: Apache-2.0
 *
 * Resource.CallResource: HTTP-style requests from the query editor
 * (dropdown values, the resolved metrics schema), routed by
 * resource_handle() in src/query. The reply is a server stream: the first
 * message carries the HTTP status and headers, the next the body, which is
 * how Grafana reassembles it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "backend.pb-c.h"
#include "core/mem.h"
#include "plugin/handlers.h"
#include "plugin/pcontext.h"
#include "plugin/plugin.h"
#include "query/resources.h"

#define JSON_CONTENT_TYPE "application/json"

static void reply_http(struct rpc_reply *reply, int status, const char *content_type,
                       char *body_owned, size_t body_len)
{
    char *values[1] = {(char *)(content_type && *content_type ? content_type : JSON_CONTENT_TYPE)};
    Pluginv2__StringList list = PLUGINV2__STRING_LIST__INIT;
    list.n_values = 1;
    list.values = values;
    Pluginv2__CallResourceResponse__HeadersEntry header =
        PLUGINV2__CALL_RESOURCE_RESPONSE__HEADERS_ENTRY__INIT;
    header.key = (char *)"Content-Type";
    header.value = &list;
    Pluginv2__CallResourceResponse__HeadersEntry *headers[1] = {&header};

    Pluginv2__CallResourceResponse head = PLUGINV2__CALL_RESOURCE_RESPONSE__INIT;
    head.code = status;
    head.n_headers = 1;
    head.headers = headers;
    pcontext_reply_message(reply, &head.base);

    if (body_len > 0) {
        Pluginv2__CallResourceResponse body = PLUGINV2__CALL_RESOURCE_RESPONSE__INIT;
        body.body.data = (uint8_t *)body_owned;
        body.body.len = body_len;
        pcontext_reply_message(reply, &body.base);
    }
    free(body_owned);
}

static void reply_json_error(struct rpc_reply *reply, int status, const char *message)
{
    json_t *obj = json_pack("{s:s}", "error", message);
    char *body = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    reply_http(reply, status, JSON_CONTENT_TYPE, body, body ? strlen(body) : 0);
}

void handle_call_resource(void *app, const struct rpc_request *req, struct rpc_reply *reply)
{
    struct plugin *p = app;
    Pluginv2__CallResourceRequest *in =
        pluginv2__call_resource_request__unpack(NULL, req->len, req->data);
    if (!in) {
        rpc_reply_error(reply, RPC_INVALID_ARGUMENT, "malformed CallResourceRequest");
        return;
    }

    plugin_backend_init(p);
    struct et_error err;
    et_error_clear(&err);
    struct instance *inst = pcontext_instance(p->instances, in->plugincontext, &err);
    if (!inst) {
        et_error_prefix(&err, "invalid datasource settings");
        reply_json_error(reply, 400, err.message);
        pluginv2__call_resource_request__free_unpacked(in, NULL);
        return;
    }

    const char *path = in->path ? in->path : "";
    while (*path == '/')
        path++;
    struct resource_request rr = {
        .method = in->method && *in->method ? in->method : "GET",
        .path = path,
        .url = in->url ? in->url : "",
        .body = (const char *)in->body.data,
        .body_len = in->body.len,
    };
    struct resource_response resp;
    memset(&resp, 0, sizeof resp);
    resource_handle(inst, &rr, req->cancel, &resp);
    reply_http(reply, resp.status ? resp.status : 500, resp.content_type, resp.body, resp.body_len);

    instance_unref(inst);
    pluginv2__call_resource_request__free_unpacked(in, NULL);
}
