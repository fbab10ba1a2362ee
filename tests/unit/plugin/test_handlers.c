/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the plugin's handlers, called directly with packed protobuf
 * requests (no gRPC): per-refId answers, invalid input, settings from the
 * PluginContext, the go-plugin services; and of the thread pool under them.
 * The end-to-end behaviour over gRPC is in tests/conformance.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.pb-c.h"
#include "grpc_controller.pb-c.h"
#include "health.pb-c.h"
#include "plugin/handlers.h"
#include "plugin/pcontext.h"
#include "plugin/plugin.h"
#include "plugin/workq.h"
#include "test.h"

static struct plugin *new_plugin(void)
{
    struct plugin_options opts;
    plugin_options_init(&opts);
    opts.workers = 4;
    return plugin_new_state(&opts);
}

/* Pack `msg`, run `handler`, leave the answer in `reply` (caller cleans up). */
static void call(rpc_handler_fn handler, struct plugin *p, const ProtobufCMessage *msg,
                 struct rpc_reply *reply)
{
    size_t len = msg ? protobuf_c_message_get_packed_size(msg) : 0;
    uint8_t *buf = malloc(len ? len : 1);
    if (msg)
        protobuf_c_message_pack(msg, buf);
    struct rpc_request req = {.method = "test", .data = buf, .len = len, .cancel = NULL};
    rpc_reply_init(reply);
    handler(p, &req, reply);
    free(buf);
}

static void call_raw(rpc_handler_fn handler, struct plugin *p, const char *bytes, size_t len,
                     struct rpc_reply *reply)
{
    struct rpc_request req = {.method = "test", .data = (const uint8_t *)bytes, .len = len};
    rpc_reply_init(reply);
    handler(p, &req, reply);
}

/* A datasource with this jsonData (and one secret, given twice). */
struct ds {
    Pluginv2__PluginContext ctx;
    Pluginv2__DataSourceInstanceSettings settings;
    Pluginv2__DataSourceInstanceSettings__DecryptedSecureJsonDataEntry secret[2];
    Pluginv2__DataSourceInstanceSettings__DecryptedSecureJsonDataEntry *secrets[2];
};

static void ds_init(struct ds *d, const char *uid, const char *json_data)
{
    pluginv2__plugin_context__init(&d->ctx);
    pluginv2__data_source_instance_settings__init(&d->settings);
    d->settings.uid = (char *)uid;
    d->settings.name = (char *)"test";
    d->settings.lastupdatedms = 7;
    d->settings.jsondata.data = (uint8_t *)json_data;
    d->settings.jsondata.len = strlen(json_data);
    for (int i = 0; i < 2; i++) {
        pluginv2__data_source_instance_settings__decrypted_secure_json_data_entry__init(
            &d->secret[i]);
        d->secret[i].key = (char *)"prometheusToken";
        d->secret[i].value = (char *)(i == 0 ? "old" : "new");
        d->secrets[i] = &d->secret[i];
    }
    d->settings.n_decryptedsecurejsondata = 2;
    d->settings.decryptedsecurejsondata = d->secrets;
    d->ctx.datasourceinstancesettings = &d->settings;
}

/* A QueryDataRequest of `n` queries (type and JSON per query). */
struct qreq {
    Pluginv2__QueryDataRequest req;
    Pluginv2__DataQuery q[16];
    Pluginv2__DataQuery *qs[16];
    Pluginv2__TimeRange range;
    char ref[16][24];
};

static void qreq_init(struct qreq *r, struct ds *d, size_t n, const char *const *types,
                      const char *const *models)
{
    pluginv2__query_data_request__init(&r->req);
    pluginv2__time_range__init(&r->range);
    r->range.fromepochms = 1700000000000;
    r->range.toepochms = 1700003600000;
    for (size_t i = 0; i < n; i++) {
        pluginv2__data_query__init(&r->q[i]);
        snprintf(r->ref[i], sizeof r->ref[i], "R%zu", i);
        r->q[i].refid = r->ref[i];
        r->q[i].querytype = (char *)types[i];
        r->q[i].json.data = (uint8_t *)models[i];
        r->q[i].json.len = strlen(models[i]);
        r->q[i].timerange = &r->range;
        r->qs[i] = &r->q[i];
    }
    r->req.n_queries = n;
    r->req.queries = r->qs;
    r->req.plugincontext = d ? &d->ctx : NULL;
}

static Pluginv2__QueryDataResponse *unpack_query_reply(const struct rpc_reply *reply)
{
    ASSERT_EQ_INT(reply->code, RPC_OK);
    ASSERT_EQ_UINT(reply->n_messages, 1);
    Pluginv2__QueryDataResponse *resp = pluginv2__query_data_response__unpack(
        NULL, reply->messages[0].len, reply->messages[0].data);
    ASSERT_NOT_NULL(resp);
    return resp;
}

static const Pluginv2__DataResponse *find(const Pluginv2__QueryDataResponse *resp, const char *ref)
{
    for (size_t i = 0; i < resp->n_responses; i++)
        if (strcmp(resp->responses[i]->key, ref) == 0)
            return resp->responses[i]->value;
    UNIT_FAIL("no response for refId %s", ref);
}

/* ---- QueryData ----------------------------------------------------------------- */

static void test_query_data_malformed_request_is_invalid_argument(void)
{
    struct plugin *p = new_plugin();
    struct rpc_reply reply;
    call_raw(handle_query_data, p, "\xff\xff\xff\xff\x0f", 5, &reply);
    ASSERT_EQ_INT(reply.code, RPC_INVALID_ARGUMENT);
    ASSERT_EQ_UINT(reply.n_messages, 0);
    ASSERT_CONTAINS(reply.details, "QueryDataRequest");
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_query_data_each_refid_answers_alone(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "no-backend", "{}");
    static const char *const types[] = {"error-rate", "error-rate", "no-such-type", ""};
    static const char *const models[] = {"{}", "{\"groupBy\": ", "{}", "{\"queryType\":42}"};
    struct qreq r;
    qreq_init(&r, &d, 4, types, models);
    struct rpc_reply reply;
    call(handle_query_data, p, &r.req.base, &reply);
    Pluginv2__QueryDataResponse *resp = unpack_query_reply(&reply);
    ASSERT_EQ_UINT(resp->n_responses, 4);
    const Pluginv2__DataResponse *a = find(resp, "R0"), *b = find(resp, "R1"),
                                 *c = find(resp, "R2"), *e = find(resp, "R3");
    ASSERT_EQ_INT(a->status, 400);
    ASSERT_CONTAINS(a->error, "Prometheus URL");
    ASSERT_EQ_STR(a->errorsource, "plugin");
    ASSERT_EQ_INT(b->status, 400);
    ASSERT_CONTAINS(b->error, "JSON");
    ASSERT_EQ_INT(c->status, 400);
    ASSERT_CONTAINS(c->error, "no-such-type");
    ASSERT_CONTAINS(c->error, "error-rate");
    ASSERT_EQ_INT(e->status, 400);
    ASSERT_EQ_INT(a->format, PLUGINV2__DATA_FRAME_FORMAT__ARROW);
    ASSERT_EQ_UINT(a->n_frames, 0);
    pluginv2__query_data_response__free_unpacked(resp, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_query_data_concurrent_queries_keep_their_refids(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "many", "{}");
    static char names[16][32];
    const char *types[16], *models[16];
    for (int i = 0; i < 16; i++) {
        snprintf(names[i], sizeof names[i], "type-%d", i);
        types[i] = names[i];
        models[i] = "{}";
    }
    struct qreq r;
    qreq_init(&r, &d, 16, types, models);
    struct rpc_reply reply;
    call(handle_query_data, p, &r.req.base, &reply);
    Pluginv2__QueryDataResponse *resp = unpack_query_reply(&reply);
    ASSERT_EQ_UINT(resp->n_responses, 16);
    for (int i = 0; i < 16; i++) {
        char ref[16], quoted[40];
        snprintf(ref, sizeof ref, "R%d", i);
        snprintf(quoted, sizeof quoted, "\"type-%d\"", i);
        ASSERT_CONTAINS(find(resp, ref)->error, quoted);
    }
    pluginv2__query_data_response__free_unpacked(resp, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_query_data_json_format_is_echoed(void)
{
    struct plugin *p = new_plugin();
    static const char *const types[] = {"error-rate"};
    static const char *const models[] = {"{}"};
    struct qreq r;
    qreq_init(&r, NULL, 1, types, models); /* no PluginContext at all */
    r.req.format = PLUGINV2__DATA_FRAME_FORMAT__JSON;
    struct rpc_reply reply;
    call(handle_query_data, p, &r.req.base, &reply);
    Pluginv2__QueryDataResponse *resp = unpack_query_reply(&reply);
    ASSERT_EQ_INT(find(resp, "R0")->format, PLUGINV2__DATA_FRAME_FORMAT__JSON);
    ASSERT_EQ_INT(find(resp, "R0")->status, 400);
    pluginv2__query_data_response__free_unpacked(resp, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_query_data_no_queries(void)
{
    struct plugin *p = new_plugin();
    struct qreq r;
    qreq_init(&r, NULL, 0, NULL, NULL);
    struct rpc_reply reply;
    call(handle_query_data, p, &r.req.base, &reply);
    Pluginv2__QueryDataResponse *resp = unpack_query_reply(&reply);
    ASSERT_EQ_UINT(resp->n_responses, 0);
    pluginv2__query_data_response__free_unpacked(resp, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_query_data_invalid_settings_fail_every_refid(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "broken", "{\"prometheusUrl\": 42}");
    static const char *const types[] = {"error-rate", "hotspots"};
    static const char *const models[] = {"{}", "{}"};
    struct qreq r;
    qreq_init(&r, &d, 2, types, models);
    struct rpc_reply reply;
    call(handle_query_data, p, &r.req.base, &reply);
    Pluginv2__QueryDataResponse *resp = unpack_query_reply(&reply);
    for (int i = 0; i < 2; i++) {
        const Pluginv2__DataResponse *dr = find(resp, i ? "R1" : "R0");
        ASSERT_EQ_INT(dr->status, 400);
        ASSERT_CONTAINS(dr->error, "invalid datasource settings");
        ASSERT_CONTAINS(dr->error, "prometheusUrl");
        ASSERT_NOT_CONTAINS(dr->error, "new"); /* never the secret */
    }
    pluginv2__query_data_response__free_unpacked(resp, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

/* ---- PluginContext ----------------------------------------------------------------- */

static void test_secrets_last_duplicate_wins(void)
{
    struct ds d;
    ds_init(&d, "dup", "{}");
    size_t n;
    struct settings_secret *s = pcontext_secrets(d.settings.decryptedsecurejsondata,
                                                 d.settings.n_decryptedsecurejsondata, &n);
    ASSERT_EQ_UINT(n, 1);
    ASSERT_EQ_STR(s[0].key, "prometheusToken");
    ASSERT_EQ_STR(s[0].value, "new");
    free(s);
    ASSERT_NULL(pcontext_secrets(NULL, 0, &n));
    ASSERT_EQ_UINT(n, 0);
}

static void test_instance_from_context_is_cached_per_update(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "cached",
            "{\"prometheusUrl\":\"http://127.0.0.1:9/\",\"prometheusAuth\":\"bearer\"}");
    struct et_error err;
    et_error_clear(&err);
    struct instance *a = pcontext_instance(p->instances, &d.ctx, &err);
    struct instance *b = pcontext_instance(p->instances, &d.ctx, &err);
    ASSERT_NOT_NULL(a);
    ASSERT_TRUE(a == b);
    ASSERT_EQ_STR(a->settings.prometheus_url, "http://127.0.0.1:9");
    ASSERT_EQ_INT(a->settings.prometheus_auth.kind, AUTH_BEARER);
    ASSERT_EQ_STR(a->settings.prometheus_auth.token, "new"); /* the last duplicate */
    d.settings.lastupdatedms = 8;
    struct instance *c = pcontext_instance(p->instances, &d.ctx, &err);
    ASSERT_TRUE(c != a);
    instance_unref(a);
    instance_unref(b);
    instance_unref(c);
    plugin_free(p);
}

/* ---- Diagnostics, Resource ----------------------------------------------------------- */

static Pluginv2__CheckHealthResponse *check_health(struct plugin *p, struct ds *d)
{
    Pluginv2__CheckHealthRequest req = PLUGINV2__CHECK_HEALTH_REQUEST__INIT;
    req.plugincontext = &d->ctx;
    struct rpc_reply reply;
    call(handle_check_health, p, &req.base, &reply);
    ASSERT_EQ_INT(reply.code, RPC_OK);
    Pluginv2__CheckHealthResponse *resp = pluginv2__check_health_response__unpack(
        NULL, reply.messages[0].len, reply.messages[0].data);
    rpc_reply_cleanup(&reply);
    ASSERT_NOT_NULL(resp);
    return resp;
}

static void test_check_health_reports_invalid_settings(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "broken", "{\"timeoutSeconds\": \"soon\"}");
    Pluginv2__CheckHealthResponse *resp = check_health(p, &d);
    ASSERT_EQ_INT(resp->status, PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__ERROR);
    ASSERT_CONTAINS(resp->message, "Invalid datasource settings");
    ASSERT_CONTAINS(resp->message, "timeoutSeconds");
    pluginv2__check_health_response__free_unpacked(resp, NULL);
    plugin_free(p);
}

static void test_check_health_without_backends(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "empty", "{}");
    Pluginv2__CheckHealthResponse *resp = check_health(p, &d);
    ASSERT_TRUE(resp->status != PLUGINV2__CHECK_HEALTH_RESPONSE__HEALTH_STATUS__OK);
    ASSERT_CONTAINS(resp->message, "No backend configured");
    json_error_t jerr;
    json_t *details =
        json_loadb((const char *)resp->jsondetails.data, resp->jsondetails.len, 0, &jerr);
    ASSERT_NOT_NULL(details);
    ASSERT_TRUE(json_is_object(details));
    json_decref(details);
    pluginv2__check_health_response__free_unpacked(resp, NULL);
    plugin_free(p);
}

static void test_collect_metrics_counts_calls(void)
{
    struct plugin *p = new_plugin();
    et_metrics_call_begin(p->metrics, ET_METHOD_QUERY_DATA);
    et_metrics_call_end(p->metrics, ET_METHOD_QUERY_DATA, 0, 1000000);
    Pluginv2__CollectMetricsRequest req = PLUGINV2__COLLECT_METRICS_REQUEST__INIT;
    struct rpc_reply reply;
    call(handle_collect_metrics, p, &req.base, &reply);
    ASSERT_EQ_INT(reply.code, RPC_OK);
    Pluginv2__CollectMetricsResponse *resp = pluginv2__collect_metrics_response__unpack(
        NULL, reply.messages[0].len, reply.messages[0].data);
    ASSERT_NOT_NULL(resp);
    ASSERT_NOT_NULL(resp->metrics);
    char *text =
        strndup((const char *)resp->metrics->prometheus.data, resp->metrics->prometheus.len);
    ASSERT_CONTAINS(text, "errortriage_grpc_calls_total{method=\"QueryData\",code=\"OK\"} 1");
    free(text);
    pluginv2__collect_metrics_response__free_unpacked(resp, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_call_resource_unknown_path_is_json_404(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "res", "{}");
    Pluginv2__CallResourceRequest req = PLUGINV2__CALL_RESOURCE_REQUEST__INIT;
    req.plugincontext = &d.ctx;
    req.path = (char *)"/no/such/thing";
    req.method = (char *)"GET";
    struct rpc_reply reply;
    call(handle_call_resource, p, &req.base, &reply);
    ASSERT_EQ_INT(reply.code, RPC_OK);
    ASSERT_EQ_UINT(reply.n_messages, 2);
    Pluginv2__CallResourceResponse *head = pluginv2__call_resource_response__unpack(
        NULL, reply.messages[0].len, reply.messages[0].data);
    Pluginv2__CallResourceResponse *body = pluginv2__call_resource_response__unpack(
        NULL, reply.messages[1].len, reply.messages[1].data);
    ASSERT_EQ_INT(head->code, 404);
    ASSERT_EQ_UINT(head->n_headers, 1);
    ASSERT_EQ_STR(head->headers[0]->key, "Content-Type");
    ASSERT_EQ_STR(head->headers[0]->value->values[0], "application/json");
    json_error_t jerr;
    json_t *obj = json_loadb((const char *)body->body.data, body->body.len, 0, &jerr);
    ASSERT_TRUE(json_is_string(json_object_get(obj, "error")));
    json_decref(obj);
    pluginv2__call_resource_response__free_unpacked(head, NULL);
    pluginv2__call_resource_response__free_unpacked(body, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_call_resource_invalid_settings_is_json_400(void)
{
    struct plugin *p = new_plugin();
    struct ds d;
    ds_init(&d, "res-broken", "not json");
    Pluginv2__CallResourceRequest req = PLUGINV2__CALL_RESOURCE_REQUEST__INIT;
    req.plugincontext = &d.ctx;
    req.path = (char *)"services";
    struct rpc_reply reply;
    call(handle_call_resource, p, &req.base, &reply);
    Pluginv2__CallResourceResponse *head = pluginv2__call_resource_response__unpack(
        NULL, reply.messages[0].len, reply.messages[0].data);
    ASSERT_EQ_INT(head->code, 400);
    pluginv2__call_resource_response__free_unpacked(head, NULL);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

/* ---- go-plugin services ------------------------------------------------------------------ */

static int health_of(struct plugin *p, const char *service, int *code)
{
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    struct rpc_reply reply;
    call(handle_health_check, p, &req.base, &reply);
    *code = reply.code;
    int status = -1;
    if (reply.code == RPC_OK) {
        Grpc__Health__V1__HealthCheckResponse *resp =
            grpc__health__v1__health_check_response__unpack(NULL, reply.messages[0].len,
                                                            reply.messages[0].data);
        status = (int)resp->status;
        grpc__health__v1__health_check_response__free_unpacked(resp, NULL);
    }
    rpc_reply_cleanup(&reply);
    return status;
}

static void test_health_check_serves_plugin_only(void)
{
    struct plugin *p = new_plugin();
    int code;
    ASSERT_EQ_INT(health_of(p, "plugin", &code),
                  GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
    ASSERT_EQ_INT(health_of(p, "", &code),
                  GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
    health_of(p, "other", &code);
    ASSERT_EQ_INT(code, RPC_NOT_FOUND);
    plugin_free(p);
}

static void test_shutdown_answers_then_asks_for_shutdown(void)
{
    struct plugin *p = new_plugin();
    Plugin__Empty req = PLUGIN__EMPTY__INIT;
    struct rpc_reply reply;
    call(handle_shutdown, p, &req.base, &reply);
    ASSERT_EQ_INT(reply.code, RPC_OK);
    ASSERT_EQ_UINT(reply.n_messages, 1);
    ASSERT_EQ_UINT(reply.messages[0].len, 0);
    ASSERT_TRUE(reply.shutdown_after);
    rpc_reply_cleanup(&reply);
    call_raw(handle_shutdown, p, "\x0a\xff", 2, &reply);
    ASSERT_EQ_INT(reply.code, RPC_INVALID_ARGUMENT);
    ASSERT_FALSE(reply.shutdown_after);
    rpc_reply_cleanup(&reply);
    plugin_free(p);
}

static void test_method_table_paths(void)
{
    size_t n;
    const struct rpc_method *m = plugin_methods(&n);
    ASSERT_EQ_UINT(n, 6);
    bool saw_stream = false;
    for (size_t i = 0; i < n; i++) {
        ASSERT_TRUE(m[i].path[0] == '/');
        if (strcmp(m[i].path, "/pluginv2.Resource/CallResource") == 0)
            saw_stream = m[i].server_streaming;
        if (strcmp(m[i].path, "/pluginv2.Data/QueryData") == 0)
            ASSERT_EQ_INT(m[i].lane, RPC_LANE_DATA);
        if (strcmp(m[i].path, "/pluginv2.Diagnostics/CheckHealth") == 0)
            ASSERT_EQ_INT(m[i].lane, RPC_LANE_CONTROL);
    }
    ASSERT_TRUE(saw_stream);
}

/* ---- reply and work queue ----------------------------------------------------------------- */

static void test_reply_error_drops_messages(void)
{
    struct rpc_reply r;
    rpc_reply_init(&r);
    rpc_reply_add(&r, (uint8_t *)strdup("abc"), 3);
    rpc_reply_add(&r, NULL, 0);
    ASSERT_EQ_UINT(r.n_messages, 2);
    rpc_reply_error(&r, RPC_INTERNAL, "boom %d", 7);
    ASSERT_EQ_UINT(r.n_messages, 0);
    ASSERT_EQ_INT(r.code, RPC_INTERNAL);
    ASSERT_EQ_STR(r.details, "boom 7");
    rpc_reply_cleanup(&r);
}

struct counter {
    struct workq *q;
    atomic_int runs;
};

static void count_job(void *arg)
{
    struct counter *c = arg;
    atomic_fetch_add(&c->runs, 1);
}

static void spawning_job(void *arg)
{
    struct counter *c = arg;
    atomic_fetch_add(&c->runs, 1);
    for (int i = 0; i < 3; i++)
        workq_submit(c->q, count_job, c);
}

static void test_workq_runs_every_job_before_free_returns(void)
{
    struct counter c;
    atomic_init(&c.runs, 0);
    c.q = workq_new("test", 3);
    ASSERT_NOT_NULL(c.q);
    for (int i = 0; i < 100; i++)
        workq_submit(c.q, i % 10 == 0 ? spawning_job : count_job, &c);
    workq_free(c.q);
    ASSERT_EQ_INT(atomic_load(&c.runs), 100 + 10 * 3);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_query_data_malformed_request_is_invalid_argument),
    UNIT_TEST(test_query_data_each_refid_answers_alone),
    UNIT_TEST(test_query_data_concurrent_queries_keep_their_refids),
    UNIT_TEST(test_query_data_json_format_is_echoed),
    UNIT_TEST(test_query_data_no_queries),
    UNIT_TEST(test_query_data_invalid_settings_fail_every_refid),
    UNIT_TEST(test_secrets_last_duplicate_wins),
    UNIT_TEST(test_instance_from_context_is_cached_per_update),
    UNIT_TEST(test_check_health_reports_invalid_settings),
    UNIT_TEST(test_check_health_without_backends),
    UNIT_TEST(test_collect_metrics_counts_calls),
    UNIT_TEST(test_call_resource_unknown_path_is_json_404),
    UNIT_TEST(test_call_resource_invalid_settings_is_json_400),
    UNIT_TEST(test_health_check_serves_plugin_only),
    UNIT_TEST(test_shutdown_answers_then_asks_for_shutdown),
    UNIT_TEST(test_method_table_paths),
    UNIT_TEST(test_reply_error_drops_messages),
    UNIT_TEST(test_workq_runs_every_job_before_free_returns),
    {0},
};

int main(int argc, char **argv)
{
    et_log_set_level(ET_LOG_OFF);
    return unit_run(tests, argc, argv);
}
