/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the go-plugin start-up contract (handshake.c) and the
 * plugin's environment options (options.c).
 */
#include <stdlib.h>
#include <string.h>

#include "plugin/handshake.h"
#include "plugin/options.h"
#include "test.h"

static void test_cookie_must_be_datasource(void)
{
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(handshake_check_cookie("datasource", &err), 0);
    ASSERT_EQ_INT(handshake_check_cookie("app", &err), -1);
    ASSERT_CONTAINS(err.message, "Grafana datasource plugin");
    ASSERT_CONTAINS(err.message, "\"app\"");
    ASSERT_EQ_INT(handshake_check_cookie("", &err), -1);
    ASSERT_EQ_INT(handshake_check_cookie(NULL, &err), -1);
}

static void test_protocol_versions_must_offer_2(void)
{
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(handshake_check_protocol("2", &err), 0);
    ASSERT_EQ_INT(handshake_check_protocol("1,2", &err), 0);
    ASSERT_EQ_INT(handshake_check_protocol(" 1 , 2 ", &err), 0);
    ASSERT_EQ_INT(handshake_check_protocol("2,3", &err), 0);
    ASSERT_EQ_INT(handshake_check_protocol(NULL, &err), 0); /* host did not say */
    ASSERT_EQ_INT(handshake_check_protocol("", &err), 0);
    ASSERT_EQ_INT(handshake_check_protocol("1", &err), -1);
    ASSERT_CONTAINS(err.message, "speaks version 2");
    ASSERT_CONTAINS(err.message, "\"1\"");
    ASSERT_EQ_INT(handshake_check_protocol("22", &err), -1);
    ASSERT_EQ_INT(handshake_check_protocol("12,3", &err), -1);
    ASSERT_EQ_INT(handshake_check_protocol(",", &err), -1);
}

static void test_socket_dir_preference(void)
{
    char path[128];
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(handshake_socket_path("/run/gf", "/var/tmp", 42, path, sizeof path, &err), 0);
    ASSERT_EQ_STR(path, "/run/gf/gpx_errortriage-42.sock");
    ASSERT_EQ_INT(handshake_socket_path("", "/var/tmp/", 42, path, sizeof path, &err), 0);
    ASSERT_EQ_STR(path, "/var/tmp/gpx_errortriage-42.sock");
    ASSERT_EQ_INT(handshake_socket_path(NULL, NULL, 7, path, sizeof path, &err), 0);
    ASSERT_EQ_STR(path, "/tmp/gpx_errortriage-7.sock");
}

static void test_socket_path_limits(void)
{
    char path[512], dir[200];
    struct et_error err;
    et_error_clear(&err);
    memset(dir, 'd', sizeof dir - 1);
    dir[0] = '/';
    dir[sizeof dir - 1] = '\0';
    ASSERT_EQ_INT(handshake_socket_path(dir, NULL, 1, path, sizeof path, &err), -1);
    ASSERT_CONTAINS(err.message, "longer than 107 bytes");
    ASSERT_EQ_INT(handshake_socket_path("relative/dir", NULL, 1, path, sizeof path, &err), -1);
    ASSERT_CONTAINS(err.message, "absolute");
}

static void test_port_range(void)
{
    int lo, hi;
    struct et_error err;
    et_error_clear(&err);
    ASSERT_EQ_INT(handshake_port_range("10000", "25000", &lo, &hi, &err), 0);
    ASSERT_EQ_INT(lo, 10000);
    ASSERT_EQ_INT(hi, 25000);
    ASSERT_EQ_INT(handshake_port_range(NULL, NULL, &lo, &hi, &err), 0);
    ASSERT_EQ_INT(lo, 0);
    ASSERT_EQ_INT(hi, 0);
    ASSERT_EQ_INT(handshake_port_range("2000", "1000", &lo, &hi, &err), -1);
    ASSERT_CONTAINS(err.message, "above");
    ASSERT_EQ_INT(handshake_port_range("10k", "20000", &lo, &hi, &err), -1);
    ASSERT_CONTAINS(err.message, "PLUGIN_MIN_PORT");
    ASSERT_EQ_INT(handshake_port_range("1", "70000", &lo, &hi, &err), -1);
}

static void test_handshake_line(void)
{
    char line[128];
    ASSERT_EQ_INT(handshake_format_line(line, sizeof line, "unix", "/tmp/x.sock"), 26);
    ASSERT_EQ_STR(line, "1|2|unix|/tmp/x.sock|grpc\n");
    ASSERT_TRUE(handshake_format_line(line, sizeof line, "tcp", "127.0.0.1:10001") > 0);
    ASSERT_EQ_STR(line, "1|2|tcp|127.0.0.1:10001|grpc\n");
    ASSERT_EQ_INT(handshake_format_line(line, 8, "unix", "/tmp/x.sock"), -1);
}

/* ---- options ------------------------------------------------------------------ */

static const char *const *fake_env;

static const char *fake_lookup(const char *name)
{
    for (const char *const *e = fake_env; e && *e; e += 2)
        if (strcmp(e[0], name) == 0)
            return e[1];
    return NULL;
}

static void test_options_defaults(void)
{
    static const char *const env[] = {NULL};
    struct plugin_options o;
    struct et_strlist warnings;
    et_strlist_init(&warnings);
    fake_env = env;
    plugin_options_load(&o, fake_lookup, &warnings);
    ASSERT_EQ_INT(warnings.n, 0);
    ASSERT_EQ_INT(o.log_level, ET_LOG_INFO);
    ASSERT_EQ_INT(o.workers, PLUGIN_DEFAULT_WORKERS);
    ASSERT_EQ_INT(o.query_concurrency, PLUGIN_DEFAULT_QUERY_CONCURRENCY);
    ASSERT_FALSE(o.tcp);
    ASSERT_EQ_UINT(o.max_receive_bytes, 16u << 20);
    et_strlist_cleanup(&warnings);
}

static void test_options_from_environment(void)
{
    static const char *const env[] = {"GF_PLUGIN_LOG_LEVEL",
                                      "Debug",
                                      "GF_PLUGIN_WORKERS",
                                      "32",
                                      "GF_PLUGIN_QUERY_CONCURRENCY",
                                      "1",
                                      "GF_PLUGIN_GRPC_NETWORK",
                                      "TCP",
                                      NULL};
    struct plugin_options o;
    struct et_strlist warnings;
    et_strlist_init(&warnings);
    fake_env = env;
    plugin_options_load(&o, fake_lookup, &warnings);
    ASSERT_EQ_INT(warnings.n, 0);
    ASSERT_EQ_INT(o.log_level, ET_LOG_DEBUG);
    ASSERT_EQ_INT(o.workers, 32);
    ASSERT_EQ_INT(o.query_concurrency, 1);
    ASSERT_TRUE(o.tcp);
    et_strlist_cleanup(&warnings);
}

static void test_options_bad_values_keep_defaults_and_warn(void)
{
    static const char *const env[] = {"GF_PLUGIN_LOG_LEVEL",
                                      "loud",
                                      "GF_PLUGIN_WORKERS",
                                      "0",
                                      "GF_PLUGIN_QUERY_CONCURRENCY",
                                      "4x",
                                      "GF_PLUGIN_GRPC_NETWORK",
                                      "udp",
                                      NULL};
    struct plugin_options o;
    struct et_strlist warnings;
    et_strlist_init(&warnings);
    fake_env = env;
    plugin_options_load(&o, fake_lookup, &warnings);
    ASSERT_EQ_INT(warnings.n, 4);
    ASSERT_CONTAINS(warnings.items[0], "GF_PLUGIN_LOG_LEVEL=\"loud\" ignored");
    ASSERT_CONTAINS(warnings.items[1], "from 1 to 256");
    ASSERT_EQ_INT(o.log_level, ET_LOG_INFO);
    ASSERT_EQ_INT(o.workers, PLUGIN_DEFAULT_WORKERS);
    ASSERT_EQ_INT(o.query_concurrency, PLUGIN_DEFAULT_QUERY_CONCURRENCY);
    ASSERT_FALSE(o.tcp);
    et_strlist_cleanup(&warnings);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_cookie_must_be_datasource),
    UNIT_TEST(test_protocol_versions_must_offer_2),
    UNIT_TEST(test_socket_dir_preference),
    UNIT_TEST(test_socket_path_limits),
    UNIT_TEST(test_port_range),
    UNIT_TEST(test_handshake_line),
    UNIT_TEST(test_options_defaults),
    UNIT_TEST(test_options_from_environment),
    UNIT_TEST(test_options_bad_values_keep_defaults_and_warn),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
