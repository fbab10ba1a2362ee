/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/cli: time arguments, the provisioning-file reader (YAML
 * subset and JSON, env interpolation, errors with line numbers) and sparklines.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dsfile.h"
#include "cli/print.h"
#include "cli/timespec.h"
#include "test.h"

#define NOW 1767225600000LL /* 2026-01-01T00:00:00Z */

static void test_time_arguments(void)
{
    int64_t t;
    ASSERT_EQ_INT(timespec_parse("now", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW);
    ASSERT_EQ_INT(timespec_parse("now-1h", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW - 3600000);
    ASSERT_EQ_INT(timespec_parse("now+90s", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW + 90000);
    ASSERT_EQ_INT(timespec_parse("now-2d", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW - 2 * 86400000LL);
    ASSERT_EQ_INT(timespec_parse("1767225600", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW);
    ASSERT_EQ_INT(timespec_parse("1767225600123", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW + 123);
    ASSERT_EQ_INT(timespec_parse("2026-01-01T00:00:00Z", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW);
    ASSERT_EQ_INT(timespec_parse("2026-01-01T01:30:00.250+01:30", NOW, &t), 0);
    ASSERT_EQ_INT(t, NOW + 250);
    ASSERT_EQ_INT(timespec_parse("2000-02-29 12:00:00Z", NOW, &t), 0);
    ASSERT_EQ_INT(t, 951825600000LL);
    static const char *const bad[] = {"",
                                      "yesterday",
                                      "now-",
                                      "now-1y",
                                      "now*2",
                                      "2026-13-01T00:00:00Z",
                                      "2026-01-01T00:00:00",
                                      "12345678901234567",
                                      "-5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (timespec_parse(bad[i], NOW, &t) == 0)
            UNIT_FAIL("accepted %s", bad[i]);
    char out[40];
    timespec_format(NOW + 2500, out, sizeof out);
    ASSERT_EQ_STR(out, "2026-01-01 00:00:02.500");
}

static void test_provisioning_yaml(void)
{
    setenv("ET_TEST_PROM_PASSWORD", "pw-from-env", 1);
    const char *yaml = "apiVersion: 1\n"
                       "# a comment\n"
                       "datasources:\n"
                       "  - name: Other\n"
                       "    type: prometheus\n"
                       "  - name: Error Triage\n"
                       "    type: errortriage-otel-datasource\n"
                       "    uid: errortriage\n"
                       "    jsonData:\n"
                       "      prometheusUrl: http://localhost:9090   # trailing comment\n"
                       "      tempoUrl: 'http://localhost:3200'\n"
                       "      timeoutSeconds: 12\n"
                       "      tlsSkipVerify: false\n"
                       "      note: \"a # not a comment\"\n"
                       "      cost: $$5\n"
                       "      kinds: [server, \"consumer\"]\n"
                       "    secureJsonData:\n"
                       "      prometheusPassword: ${ET_TEST_PROM_PASSWORD}\n"
                       "      tlsClientKey: |\n"
                       "        -----BEGIN KEY-----\n"
                       "        abc\n"
                       "        -----END KEY-----\n";
    struct dsfile f;
    struct et_error err;
    ASSERT_EQ_INT(dsfile_parse(yaml, strlen(yaml), &f, &err), 0);
    ASSERT_EQ_STR(f.uid, "errortriage");
    ASSERT_EQ_STR(f.name, "Error Triage");
    ASSERT_CONTAINS(f.json_data, "\"prometheusUrl\":\"http://localhost:9090\"");
    ASSERT_CONTAINS(f.json_data, "\"tempoUrl\":\"http://localhost:3200\"");
    ASSERT_CONTAINS(f.json_data, "\"timeoutSeconds\":12");
    ASSERT_CONTAINS(f.json_data, "\"tlsSkipVerify\":false");
    ASSERT_CONTAINS(f.json_data, "\"note\":\"a # not a comment\"");
    ASSERT_CONTAINS(f.json_data, "\"cost\":\"$5\"");
    ASSERT_CONTAINS(f.json_data, "\"kinds\":[\"server\",\"consumer\"]");
    ASSERT_EQ_UINT(f.n_secrets, 2);
    ASSERT_EQ_STR(f.secrets[0].key, "prometheusPassword");
    ASSERT_EQ_STR(f.secrets[0].value, "pw-from-env");
    ASSERT_EQ_STR(f.secrets[1].value, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n");
    dsfile_cleanup(&f);
}

static void test_flow_mapping_and_json(void)
{
    const char *yaml = "datasources:\n- name: x\n  url: http://prom:1\n  jsonData: { tempoUrl: "
                       "'http://t:2', n: 3, nested: {a: [1, 2]} }\n";
    struct dsfile f;
    struct et_error err;
    ASSERT_EQ_INT(dsfile_parse(yaml, strlen(yaml), &f, &err), 0);
    ASSERT_CONTAINS(f.json_data, "\"tempoUrl\":\"http://t:2\"");
    ASSERT_CONTAINS(f.json_data, "\"nested\":{\"a\":[1,2]}");
    ASSERT_CONTAINS(f.json_data, "\"prometheusUrl\":\"http://prom:1\""); /* from url */
    dsfile_cleanup(&f);
    const char *json = "{\"prometheusUrl\":\"http://a\"}";
    ASSERT_EQ_INT(dsfile_parse(json, strlen(json), &f, &err), 0);
    ASSERT_CONTAINS(f.json_data, "http://a");
    ASSERT_EQ_UINT(f.n_secrets, 0);
    dsfile_cleanup(&f);
}

static void expect_line_error(const char *text, const char *needle)
{
    struct dsfile f;
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(dsfile_parse(text, strlen(text), &f, &err), -1);
    ASSERT_EQ_INT(err.status, 400);
    ASSERT_CONTAINS(err.message, needle);
}

static void test_bad_files_name_the_line(void)
{
    expect_line_error("a: 1\nb\n", "line 2: expected 'key: value'");
    expect_line_error("a:\n  b: 'x\n", "line 2: unterminated quoted string");
    expect_line_error("a: 1\n\tb: 2\n", "line 2: tabs");
    expect_line_error("a: [1, 2\n", "line 1: unterminated flow collection");
    expect_line_error("a: 1\n   b: 2\n", "unexpected indentation");
    expect_line_error("{\"a\":", "invalid JSON");
    expect_line_error("-x\n", "expected a space after '-'");
    char deep[200];
    strcpy(deep, "a: ");
    for (int i = 0; i < 60; i++)
        strcat(deep, "[");
    expect_line_error(deep, "nested too deeply");
}

/* The caller's error need not be clear: a key that is not UTF-8 (jansson
 * refuses it) is still reported as a 400 naming the line, not left to
 * whatever the struct held (found by the dsfile fuzz target in CI). */
static void test_bad_key_with_a_stale_error_struct(void)
{
    const char *text = "a: 1\n\xff\xfe: 2\n";
    struct dsfile f;
    struct et_error err;
    et_error_set(&err, 502, ET_SOURCE_DOWNSTREAM, "left over from an earlier call");
    ASSERT_EQ_INT(dsfile_parse(text, strlen(text), &f, &err), -1);
    ASSERT_EQ_INT(err.status, 400);
    ASSERT_CONTAINS(err.message, "line 2: invalid key");
    et_error_set(&err, 502, ET_SOURCE_DOWNSTREAM, "left over from an earlier call");
    ASSERT_NULL(dsfile_yaml_to_json(text, strlen(text), &err));
    ASSERT_EQ_INT(err.status, 400);
}

static void test_sparkline(void)
{
    double v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    char out[8 * 3 + 1];
    print_sparkline(v, 8, 8, out);
    ASSERT_EQ_STR(out, "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84\xe2\x96\x85\xe2\x96\x86"
                       "\xe2\x96\x87\xe2\x96\x88");
    double gap[4] = {1, NAN, NAN, 1};
    char out2[4 * 3 + 1];
    print_sparkline(gap, 4, 4, out2);
    ASSERT_EQ_STR(out2, "\xe2\x96\x88  \xe2\x96\x88");
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_time_arguments),
    UNIT_TEST(test_provisioning_yaml),
    UNIT_TEST(test_flow_mapping_and_json),
    UNIT_TEST(test_bad_files_name_the_line),
    UNIT_TEST(test_bad_key_with_a_stale_error_struct),
    UNIT_TEST(test_sparkline),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
