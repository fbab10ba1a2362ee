/* SPDX-License-Identifier: Apache-2.0
 *
 * Resource routes for the query editor (see resources.h): a small immutable
 * routing table; values come from Prometheus when configured, else from Tempo.
 */
#include "query/resources.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/url.h"
#include "prometheus/prom_runners.h"
#include "query/query.h"
#include "tempo/tempo_runners.h"

static const char JSON_TYPE[] = "application/json";

static void respond_json(struct resource_response *resp, int status, json_t *body)
{
    resp->status = status;
    resp->content_type = JSON_TYPE;
    resp->body = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!resp->body)
        resp->body = et_xstrdup("null");
    resp->body_len = strlen(resp->body);
    json_decref(body);
}

static void respond_error(struct resource_response *resp, int status, const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(message));
    respond_json(resp, status, o);
}

/* The `service` parameters. A value the query model would refuse is refused
 * here too (400), never dropped: dropping it would widen the filter. */
struct service_params {
    struct et_strlist list;
    const char *bad; /* why a value was refused, or NULL */
};

static void add_service(void *ctx, const char *value, size_t len)
{
    struct service_params *p = ctx;
    if (len == 0 || p->bad)
        return;
    if (memchr(value, '\0', len))
        p->bad = "service values must not contain NUL bytes";
    else if (len > QUERY_MAX_VALUE_BYTES)
        p->bad = "a service value is too long";
    else if (p->list.n >= QUERY_MAX_LIST_VALUES)
        p->bad = "too many service values";
    else
        et_strlist_push_n(&p->list, value, len);
}

struct int_ctx {
    int64_t value;
};

static void take_int(void *ctx, const char *value, size_t len)
{
    struct int_ctx *c = ctx;
    char buf[32];
    if (len == 0 || len >= sizeof buf)
        return;
    memcpy(buf, value, len);
    buf[len] = '\0';
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end == '\0' && v >= 0)
        c->value = v;
}

static void list_values(const struct query_ctx *ctx, enum variable_kind what,
                        const struct resource_request *req, struct resource_response *resp)
{
    struct service_params params = {.bad = NULL};
    struct et_strlist *services = &params.list, values;
    et_strlist_init(services);
    et_strlist_init(&values);
    url_query_values(req->url ? req->url : "", "service", add_service, &params);
    if (params.bad) {
        respond_error(resp, 400, params.bad);
        et_strlist_cleanup(services);
        return;
    }
    int64_t now = et_now_wall_ms();
    struct int_ctx from = {now - 6 * 3600 * 1000}, to = {now};
    url_query_values(req->url ? req->url : "", "from", take_int, &from);
    url_query_values(req->url ? req->url : "", "to", take_int, &to);
    struct et_error err;
    et_error_clear(&err);
    int rc;
    if (ctx->inst->settings.prometheus_url[0])
        rc = prom_list_values(ctx, what, services, from.value, to.value, &values, &err);
    else if (ctx->inst->settings.tempo_url[0])
        rc = tempo_list_values(ctx, what, services, from.value, to.value, &values, &err);
    else
        rc = et_error_set(&err, 400, ET_SOURCE_PLUGIN,
                          "no Prometheus or Tempo URL in the datasource settings");
    if (rc < 0) {
        respond_error(resp, err.status ? err.status : 500, err.message);
    } else {
        et_strlist_sort(&values);
        json_t *arr = json_array();
        for (size_t i = 0; i < values.n; i++)
            json_array_append_new(arr, json_string(values.items[i]));
        respond_json(resp, 200, arr);
    }
    et_strlist_cleanup(services);
    et_strlist_cleanup(&values);
}

static void metrics_schema(const struct query_ctx *ctx, struct resource_response *resp)
{
    if (!ctx->inst->settings.prometheus_url[0]) {
        respond_error(resp, 400, "no Prometheus URL in the datasource settings");
        return;
    }
    struct et_error err;
    et_error_clear(&err);
    json_t *names = prom_describe_names(ctx, &err);
    if (!names)
        respond_error(resp, err.status ? err.status : 500, err.message);
    else
        respond_json(resp, 200, names);
}

static const struct {
    const char *path;
    int variable; /* enum variable_kind, or -1 for metrics-schema */
} routes[] = {
    {"services", VARIABLE_SERVICES},
    {"routes", VARIABLE_ROUTES},
    {"exception-types", VARIABLE_EXCEPTION_TYPES},
    {"span-names", VARIABLE_SPAN_NAMES},
    {"metrics-schema", -1},
};

void resource_handle(struct instance *inst, const struct resource_request *req,
                     const struct et_cancel *cancel, struct resource_response *resp)
{
    struct query_ctx ctx = {inst, cancel};
    const char *path = req->path ? req->path : "";
    while (*path == '/')
        path++;
    size_t plen = strcspn(path, "?");
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strlen(routes[i].path) != plen || strncmp(routes[i].path, path, plen) != 0)
            continue;
        if (req->method && *req->method && strcmp(req->method, "GET") != 0) {
            respond_error(resp, 405, "method not allowed: use GET");
            return;
        }
        if (routes[i].variable < 0)
            metrics_schema(&ctx, resp);
        else
            list_values(&ctx, (enum variable_kind)routes[i].variable, req, resp);
        return;
    }
    respond_error(resp, 404,
                  "unknown resource path (known: services, routes, exception-types, span-names, "
                  "metrics-schema)");
}
