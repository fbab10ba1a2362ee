/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/config: jsonData/secret parsing, validation messages
 * that never leak secrets, and the instance cache (hits, updates, refcounts).
 */
#include <string.h>

#include "config/instance.h"
#include "config/settings.h"
#include "test.h"

#define SECRET "s3cr3t-MARKER-value"

static void test_defaults_without_json_data(void)
{
    struct settings s;
    struct et_error err;
    ASSERT_EQ_INT(settings_parse("uid1", "DS", 42, NULL, 0, NULL, 0, &s, &err), 0);
    ASSERT_EQ_STR(s.uid, "uid1");
    ASSERT_EQ_STR(s.prometheus_url, "");
    ASSERT_EQ_STR(s.tempo_url, "");
    ASSERT_EQ_INT(s.timeout_seconds, 30);
    ASSERT_EQ_INT(s.scrape_interval_seconds, 15);
    ASSERT_EQ_INT(s.max_concurrent_requests, 8);
    ASSERT_EQ_INT(s.metrics_schema, METRICS_SCHEMA_AUTO);
    ASSERT_EQ_INT(s.prometheus_auth.kind, AUTH_NONE);
    settings_cleanup(&s);
}

static void test_full_settings_and_secrets(void)
{
    const char *jd =
        "{\"prometheusUrl\":\"http://prom:9090/prometheus/\",\"tempoUrl\":\"https://tempo:3200\","
        "\"tempoDatasourceUid\":\"tempo-uid\",\"metricsSchema\":\"custom\",\"callsMetric\":"
        "\"my_calls_total\",\"serviceLabel\":\"svc\",\"tenantId\":\"team-a\",\"timeoutSeconds\":"
        "\"12\","
        "\"maxConcurrentRequests\":4,\"prometheusAuth\":\"basic\",\"prometheusUser\":\"bob\","
        "\"tempoHttpHeaderName1\":\"X-Api-Key\",\"tlsSkipVerify\":true,\"tlsAuth\":true,"
        "\"tempoSearchMode\":\"fetch\",\"unknownKey\":[1,2]}";
    struct settings_secret secrets[] = {
        {"prometheusPassword", SECRET}, {"tempoHttpHeaderValue1", SECRET},
        {"tempoToken", "first"},        {"tempoToken", SECRET}, /* proto3 map: the last one wins */
        {"tlsClientCert", "CERT"},      {"tlsClientKey", SECRET},
    };
    struct settings s;
    struct et_error err;
    ASSERT_EQ_INT(settings_parse("u", "n", 1, jd, strlen(jd), secrets, 6, &s, &err), 0);
    ASSERT_EQ_STR(s.prometheus_url, "http://prom:9090/prometheus");
    ASSERT_EQ_STR(s.tempo_url, "https://tempo:3200");
    ASSERT_EQ_INT(s.metrics_schema, METRICS_SCHEMA_CUSTOM);
    ASSERT_EQ_STR(s.custom_names.calls_metric, "my_calls_total");
    ASSERT_EQ_STR(s.custom_names.service_label, "svc");
    ASSERT_NULL(s.custom_names.route_label);
    ASSERT_EQ_INT(s.timeout_seconds, 12);
    ASSERT_EQ_INT(s.max_concurrent_requests, 4);
    ASSERT_EQ_INT(s.prometheus_auth.kind, AUTH_BASIC);
    ASSERT_EQ_STR(s.prometheus_auth.password, SECRET);
    ASSERT_EQ_INT(s.tempo_auth.kind, AUTH_BEARER);
    ASSERT_EQ_STR(s.tempo_auth.token, SECRET);
    ASSERT_EQ_UINT(s.tempo_auth.n_headers, 1);
    ASSERT_EQ_STR(s.tempo_auth.headers[0].name, "X-Api-Key");
    ASSERT_EQ_STR(s.tls.client_key, SECRET);
    ASSERT_TRUE(s.tls.skip_verify);
    ASSERT_EQ_INT(s.tempo_search_mode, TEMPO_SEARCH_FETCH);
    json_t *d = settings_describe(&s);
    char *text = json_dumps(d, JSON_COMPACT);
    ASSERT_NOT_CONTAINS(text, SECRET);
    ASSERT_CONTAINS(text, "\"prometheusAuth\":\"basic\"");
    free(text);
    json_decref(d);
    settings_cleanup(&s);
}

static void expect_bad(const char *jd, const char *needle)
{
    struct settings_secret secrets[] = {{"prometheusPassword", SECRET}};
    struct settings s;
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(settings_parse("u", "n", 1, jd, strlen(jd), secrets, 1, &s, &err), -1);
    ASSERT_EQ_INT(err.status, 400);
    ASSERT_CONTAINS(err.message, needle);
    ASSERT_NOT_CONTAINS(err.message, SECRET);
}

static void test_validation_names_the_key(void)
{
    expect_bad("{\"prometheusUrl\":42}", "prometheusUrl must be a string");
    expect_bad("{\"prometheusUrl\":\"ftp://x\"}", "prometheusUrl must start with http");
    expect_bad("{\"tempoUrl\":\"http://user:pw@tempo\"}", "must not contain credentials");
    expect_bad("{\"tempoUrl\":\"http://te mpo\"}", "spaces or control characters");
    expect_bad("{\"metricsSchema\":\"prom\"}", "metricsSchema must be");
    expect_bad("{\"callsMetric\":\"calls{x=\\\"1\\\"}\"}",
               "callsMetric is not a valid Prometheus name");
    expect_bad("{\"timeoutSeconds\":0}", "timeoutSeconds must be between 1 and 600");
    expect_bad("{\"timeoutSeconds\":true}", "timeoutSeconds must be a number");
    expect_bad("{\"prometheusAuth\":\"digest\"}", "prometheusAuth must be none, basic or bearer");
    expect_bad("{\"tenantId\":\"a\\nX-Evil: 1\"}", "tenantId contains a line break");
    expect_bad("{\"prometheusHttpHeaderName1\":\"Bad Header\"}", "not a valid header name");
    expect_bad("{\"tlsSkipVerify\":\"yes\"}", "tlsSkipVerify must be true or false");
    expect_bad("[]", "jsonData must be a JSON object");
    expect_bad("{", "jsonData is not valid JSON");
}

static void test_instance_cache_reuses_and_replaces(void)
{
    struct instance_cache *c = instance_cache_new(NULL);
    struct et_error err;
    const char *jd1 = "{\"prometheusUrl\":\"http://a\"}";
    const char *jd2 = "{\"prometheusUrl\":\"http://b\"}";
    struct instance *a = instance_cache_get(c, "ds", "n", 1, jd1, strlen(jd1), NULL, 0, &err);
    struct instance *a2 = instance_cache_get(c, "ds", "n", 1, jd2, strlen(jd2), NULL, 0, &err);
    ASSERT_TRUE(a == a2); /* same uid + lastUpdated: cached, jsonData not re-read */
    struct instance *b = instance_cache_get(c, "ds", "n", 2, jd2, strlen(jd2), NULL, 0, &err);
    ASSERT_TRUE(b != a);
    ASSERT_EQ_STR(b->settings.prometheus_url, "http://b");
    ASSERT_EQ_STR(a->settings.prometheus_url, "http://a"); /* old one still alive for its users */
    struct instance *other = instance_cache_get(c, "ds2", "n", 1, jd1, strlen(jd1), NULL, 0, &err);
    ASSERT_TRUE(other != a && other != b);
    ASSERT_NULL(instance_cache_get(c, "ds3", "n", 1, "{", 1, NULL, 0, &err));
    ASSERT_EQ_INT(err.status, 400);
    instance_unref(a);
    instance_unref(a2);
    instance_unref(b);
    instance_unref(other);
    instance_cache_free(c);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_defaults_without_json_data),
    UNIT_TEST(test_full_settings_and_secrets),
    UNIT_TEST(test_validation_names_the_key),
    UNIT_TEST(test_instance_cache_reuses_and_replaces),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
