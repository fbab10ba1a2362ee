/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/core: buffer limits, error messages, Go-compatible JSON
 * escaping and float formatting, string lists, cancellation.
 */
#include <unistd.h>

#include "core/buf.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/json_escape.h"
#include "core/log.h"
#include "core/strlist.h"
#include "test.h"

static void test_buf_appends_and_terminates(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    ASSERT_EQ_STR(et_buf_cstr(&b), "");
    et_buf_append_str(&b, "abc");
    et_buf_printf(&b, "-%d-", 42);
    ASSERT_EQ_STR(et_buf_cstr(&b), "abc-42-");
    ASSERT_EQ_UINT(b.len, 7);
    for (int i = 0; i < 1000; i++)
        et_buf_printf(&b, "%0300d", i);
    ASSERT_EQ_UINT(b.len, 7 + 300000);
    ASSERT_FALSE(b.failed);
    et_buf_cleanup(&b);
}

static void test_buf_limit_is_sticky(void)
{
    struct et_buf b;
    et_buf_init(&b, 10);
    ASSERT_EQ_INT(et_buf_append_str(&b, "0123456789"), 0);
    ASSERT_EQ_INT(et_buf_putc(&b, 'x'), -1);
    ASSERT_TRUE(b.failed);
    ASSERT_EQ_INT(et_buf_append_str(&b, ""), -1);
    ASSERT_EQ_STR(et_buf_cstr(&b), "0123456789");
    size_t n;
    char *taken = et_buf_take(&b, &n);
    ASSERT_EQ_UINT(n, 10);
    free(taken);
    et_buf_cleanup(&b);
}

static void test_error_flattens_control_characters(void)
{
    struct et_error err;
    et_error_clear(&err);
    ASSERT_FALSE(et_error_is_set(&err));
    ASSERT_EQ_INT(et_error_set(&err, 502, ET_SOURCE_DOWNSTREAM, "bad\nline %s", "x\ty"), -1);
    ASSERT_TRUE(et_error_is_set(&err));
    ASSERT_EQ_STR(err.message, "bad line x y");
    et_error_prefix(&err, "prometheus %d", 1);
    ASSERT_EQ_STR(err.message, "prometheus 1: bad line x y");
    ASSERT_EQ_STR(et_error_source_name(err.source), "downstream");
}

static const char *json_str(const char *s, size_t n, struct et_buf *b)
{
    et_buf_reset(b);
    et_json_append_string(b, s, n);
    return et_buf_cstr(b);
}

static void test_json_escape_matches_go(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    ASSERT_EQ_STR(json_str("a\"b\\c", 5, &b), "\"a\\\"b\\\\c\"");
    ASSERT_EQ_STR(json_str("<a>&", 4, &b), "\"\\u003ca\\u003e\\u0026\"");
    ASSERT_EQ_STR(json_str("\n\r\t\x01\x1f", 5, &b), "\"\\n\\r\\t\\u0001\\u001f\"");
    ASSERT_EQ_STR(json_str("\xe2\x80\xa8", 3, &b), "\"\\u2028\"");
    ASSERT_EQ_STR(json_str("caf\xc3\xa9 \xe2\x9d\xa4\xef\xb8\x8f", 12, &b),
                  "\"caf\xc3\xa9 \xe2\x9d\xa4\xef\xb8\x8f\"");
    ASSERT_EQ_STR(json_str("a\xff"
                           "b",
                           3, &b),
                  "\"a\\ufffdb\"");
    ASSERT_EQ_STR(json_str("nul\0x", 5, &b), "\"nul\\u0000x\"");
    et_buf_cleanup(&b);
}

static const char *json_num(double v, struct et_buf *b)
{
    et_buf_reset(b);
    et_json_append_double(b, v);
    return et_buf_cstr(b);
}

static void test_json_double_matches_go(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    ASSERT_EQ_STR(json_num(1, &b), "1");
    ASSERT_EQ_STR(json_num(1.234, &b), "1.234");
    ASSERT_EQ_STR(json_num(0.1, &b), "0.1");
    ASSERT_EQ_STR(json_num(-2.5, &b), "-2.5");
    ASSERT_EQ_STR(json_num(1e21, &b), "1e+21");
    ASSERT_EQ_STR(json_num(1e20, &b), "100000000000000000000");
    ASSERT_EQ_STR(json_num(1e-7, &b), "1e-7");
    ASSERT_EQ_STR(json_num(0.000001, &b), "0.000001");
    ASSERT_EQ_STR(json_num(5e-324, &b), "5e-324");
    ASSERT_EQ_STR(json_num(1.7976931348623157e308, &b), "1.7976931348623157e+308");
    ASSERT_EQ_STR(json_num(8.26, &b), "8.26");
    ASSERT_EQ_STR(json_num(123456789, &b), "123456789");
    ASSERT_EQ_INT(et_json_append_double(&b, NAN), 1);
    et_buf_cleanup(&b);
}

static void test_strlist_unique_and_sorted(void)
{
    struct et_strlist l;
    et_strlist_init(&l);
    ASSERT_TRUE(et_strlist_push_unique(&l, "b"));
    ASSERT_TRUE(et_strlist_push_unique(&l, "a"));
    ASSERT_FALSE(et_strlist_push_unique(&l, "b"));
    et_strlist_sort(&l);
    ASSERT_EQ_UINT(l.n, 2);
    ASSERT_EQ_STR(l.items[0], "a");
    struct et_strlist c;
    et_strlist_copy(&c, &l);
    ASSERT_TRUE(et_strlist_contains(&c, "b"));
    et_strlist_cleanup(&c);
    et_strlist_cleanup(&l);
}

static void test_cancel_deadline_and_request(void)
{
    ASSERT_FALSE(et_cancel_is_done(NULL));
    struct et_cancel c;
    et_cancel_init(&c);
    ASSERT_FALSE(et_cancel_is_done(&c));
    ASSERT_EQ_INT(et_cancel_remaining_ms(&c), INT64_MAX);
    et_cancel_set_timeout(&c, 20);
    ASSERT_TRUE(et_cancel_remaining_ms(&c) <= 20);
    usleep(30000);
    ASSERT_TRUE(et_cancel_is_done(&c));
    et_cancel_init(&c);
    et_cancel_request(&c);
    ASSERT_TRUE(et_cancel_is_done(&c));
    ASSERT_EQ_INT(et_cancel_remaining_ms(&c), 0);
}

static void test_log_writes_hclog_json(void)
{
    int fds[2];
    ASSERT_EQ_INT(pipe(fds), 0);
    et_log_set_fd(fds[1]);
    et_log_set_level(ET_LOG_DEBUG);
    et_log(ET_LOG_TRACE, "m", "hidden", NULL);
    et_log(ET_LOG_WARN, "query", "slow \"query\"", "refId", "A", "n", NULL, NULL);
    et_log_set_fd(2);
    et_log_set_level(ET_LOG_INFO);
    close(fds[1]);
    char out[1024] = {0};
    ssize_t n = read(fds[0], out, sizeof out - 1);
    close(fds[0]);
    ASSERT_TRUE(n > 0);
    ASSERT_NOT_CONTAINS(out, "hidden");
    ASSERT_CONTAINS(
        out, "{\"@level\":\"warn\",\"@message\":\"slow \\\"query\\\"\",\"@module\":\"query\"");
    ASSERT_CONTAINS(out, "\"refId\":\"A\",\"n\":null}\n");
    char ts[40];
    et_log_timestamp(ts, sizeof ts);
    ASSERT_EQ_UINT(strlen(ts), 27); /* 2026-11-24T10:22:33.123456Z */
    ASSERT_EQ_INT(ts[19], '.');
    ASSERT_EQ_INT(ts[26], 'Z');
    ASSERT_EQ_INT(et_log_level_parse("WARNING"), ET_LOG_WARN);
    ASSERT_EQ_INT(et_log_level_parse("nope"), -1);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_buf_appends_and_terminates),
    UNIT_TEST(test_buf_limit_is_sticky),
    UNIT_TEST(test_error_flattens_control_characters),
    UNIT_TEST(test_json_escape_matches_go),
    UNIT_TEST(test_json_double_matches_go),
    UNIT_TEST(test_strlist_unique_and_sorted),
    UNIT_TEST(test_cancel_deadline_and_request),
    UNIT_TEST(test_log_writes_hclog_json),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
