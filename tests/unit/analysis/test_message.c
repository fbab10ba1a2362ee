/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for message templates (src/analysis/message.h): every
 * placeholder, the cases that must be left alone (words with digits,
 * Class::method, code names in single quotes), limits and UTF-8 safety.
 * Expected templates are written by hand.
 */
#include <string.h>

#include "analysis/message.h"
#include "test.h"

static char out[1024];

static const char *tpl(const char *msg)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    message_template(msg, msg ? strlen(msg) : 0, &b);
    snprintf(out, sizeof out, "%s", et_buf_cstr(&b));
    et_buf_cleanup(&b);
    return out;
}

static void test_numbers_and_words_with_digits(void)
{
    ASSERT_EQ_STR(tpl("Invoice 88123 not found"), "Invoice <num> not found");
    ASSERT_EQ_STR(tpl("offset -5 and ratio 0.75, total 1,234"),
                  "offset <num> and ratio <num>, total <num>");
    ASSERT_EQ_STR(tpl("HikariPool-1 - Connection is not available"),
                  "HikariPool-<num> - Connection is not available");
    ASSERT_EQ_STR(tpl("sha256 mismatch for user42 on utf8mb4"),
                  "sha256 mismatch for user42 on <id>");
    ASSERT_EQ_STR(tpl("/api/orders/123/items failed"), "/api/orders/<num>/items failed");
    ASSERT_EQ_STR(tpl("job 48213907 failed"), "job <id> failed");
    ASSERT_EQ_STR(tpl("version 1.2.3 is too old"), "version <num> is too old");
}

static void test_ids_uuids_and_hex(void)
{
    ASSERT_EQ_STR(tpl("Order 8c1e2f9a-3b4d-4e5f-9a0b-1c2d3e4f5a6b not found"),
                  "Order <uuid> not found");
    ASSERT_EQ_STR(tpl("segfault at 0x7ffd3a2b"), "segfault at <hex>");
    ASSERT_EQ_STR(tpl("trace 4bf92f3577b34da6a3ce929d0e0e4736 missing"), "trace <id> missing");
    ASSERT_EQ_STR(tpl("charge ch_9Xk2 and pod orders-7d9f8b6c5-xk2p9 and cart 7d1e"),
                  "charge <id> and pod <id> and cart <id>");
    ASSERT_EQ_STR(tpl("deadbeef and cafe stay words"), "deadbeef and cafe stay words");
}

static void test_addresses_hosts_and_ports(void)
{
    ASSERT_EQ_STR(tpl("upstream 10.42.7.19 returned 503"), "upstream <ip> returned <num>");
    ASSERT_EQ_STR(tpl("connect ECONNREFUSED 10.0.0.5:5432"), "connect ECONNREFUSED <ip>:5432");
    ASSERT_EQ_STR(tpl("read tcp 10.0.0.3:53122->10.0.0.9:5432: i/o timeout"),
                  "read tcp <ip>:<num>-><ip>:5432: i/o timeout");
    ASSERT_EQ_STR(tpl("dial fe80::1ff:fe23:4567:890a and ::1 and 2001:db8::8a2e:370:7334"),
                  "dial <ip> and <ip> and <ip>");
    ASSERT_EQ_STR(tpl("Foo::bar and A::B are not addresses"),
                  "Foo::bar and A::B are not addresses");
    ASSERT_EQ_STR(tpl("Connection to db-7.internal.example.com:5432 refused"),
                  "Connection to <host>:5432 refused");
    ASSERT_EQ_STR(tpl("redis-0.sessions.accounts.svc.cluster.local:6379 down"), "<host>:6379 down");
    ASSERT_EQ_STR(tpl("class com.acme.Foo and config.json are not hosts"),
                  "class com.acme.Foo and config.json are not hosts");
    ASSERT_EQ_STR(tpl("version 1.2.3.4.5 is not an address"), "version <num> is not an address");
}

static void test_urls_and_emails(void)
{
    ASSERT_EQ_STR(tpl("GET https://pay.example.com/v2/charge?id=7 failed."), "GET <url> failed.");
    ASSERT_EQ_STR(tpl("see (https://sqlalche.me/e/20/e3q8)"), "see (<url>)");
    ASSERT_EQ_STR(tpl("mail to alice.smith+x@mail.example.org bounced"), "mail to <email> bounced");
    ASSERT_EQ_STR(tpl("user bob@example is invalid"), "user bob@example is invalid");
}

static void test_dates_times_and_durations(void)
{
    ASSERT_EQ_STR(tpl("cache miss at 2024-05-01T10:22:31.123Z for key"),
                  "cache miss at <date> for key");
    ASSERT_EQ_STR(tpl("batch 2024/06/11 08:12 and 2024-06-12 08:10:03+02:00 done"),
                  "batch <date> and <date> done");
    ASSERT_EQ_STR(tpl("expired Mon, 01 May 2024 10:22:31 GMT today"), "expired <date> today");
    ASSERT_EQ_STR(tpl("at Wed May 01 2024 10:22:31 GMT+0000 (Coordinated Universal Time)!"),
                  "at <date>!");
    ASSERT_EQ_STR(tpl("due May 1, 2024"), "due <date>");
    ASSERT_EQ_STR(tpl("started 10:22:31.5 PM"), "started <time>");
    ASSERT_EQ_STR(tpl("timed out after 30004ms, 1.5s, 1m30s and 2000 ms"),
                  "timed out after <duration>, <duration>, <duration> and <duration>");
    ASSERT_EQ_STR(tpl("waited 5 seconds for 250\xc2\xb5s"), "waited <duration> for <duration>");
    ASSERT_EQ_STR(tpl("payload 5MB exceeds 512 bytes"), "payload <size> exceeds <size>");
    ASSERT_EQ_STR(tpl("3rd retry of 5xx"), "3rd retry of 5xx");
}

static void test_quoted_values(void)
{
    ASSERT_EQ_STR(tpl("Cannot read properties of undefined (reading 'sku')"),
                  "Cannot read properties of undefined (reading 'sku')");
    ASSERT_EQ_STR(tpl("KeyError 'cart:991' and 'user_id'"), "KeyError <quoted> and 'user_id'");
    ASSERT_EQ_STR(tpl("invalid coupon code \"WINTER\" or \"SPRING24\""),
                  "invalid coupon code <quoted> or <quoted>");
    ASSERT_EQ_STR(tpl("can't parse 'abc12'"), "can't parse <quoted>");
    ASSERT_EQ_STR(tpl("Post \"https://x.internal:8443/v1\": dial tcp 10.0.4.7:8443: refused"),
                  "Post <quoted>: dial tcp <ip>:8443: refused");
    ASSERT_EQ_STR(tpl("unterminated 'quote here"), "unterminated 'quote here");
}

static void test_key_ending_in_id(void)
{
    ASSERT_EQ_STR(tpl("lookup failed for user_id=ab12, orderId=\"x-1\" and id=7"),
                  "lookup failed for user_id=<id>, orderId=<id> and id=<id>");
    ASSERT_EQ_STR(tpl("retry=true paid=no uuid=x"), "retry=true paid=no uuid=x");
    ASSERT_EQ_STR(tpl("order.id=9 userID=abc"), "order.id=<id> userID=<id>");
}

static void test_lines_whitespace_and_limits(void)
{
    ASSERT_EQ_STR(tpl("  first   line\n\n\tsecond  line  \nthird line"),
                  "first line second line ...");
    ASSERT_EQ_STR(tpl(""), "");
    ASSERT_EQ_STR(tpl(NULL), "");
    ASSERT_EQ_STR(tpl(" \n \t "), "");
    /* long: cut at MESSAGE_TEMPLATE_MAX with " ..." and never inside UTF-8 */
    char big[4000];
    for (size_t i = 0; i + 2 < sizeof big; i += 2) {
        big[i] = (char)0xC3;
        big[i + 1] = (char)0xA9; /* é */
    }
    big[sizeof big - 2] = 'x';
    big[sizeof big - 1] = '\0';
    const char *t = tpl(big);
    size_t n = strlen(t);
    ASSERT_TRUE(n <= MESSAGE_TEMPLATE_MAX);
    ASSERT_TRUE(n > MESSAGE_TEMPLATE_MAX - 8);
    ASSERT_EQ_STR(t + n - 4, " ...");
    ASSERT_TRUE(((unsigned char)t[n - 5]) == 0xA9);
}

static void test_unicode_text_is_kept(void)
{
    /* non-ASCII bytes count as letters: "№7" is one word */
    ASSERT_EQ_STR(tpl("Größe 42 für Bestellung №7 überschritten"),
                  "Größe <num> für Bestellung №7 überschritten");
    ASSERT_EQ_STR(tpl("注文 12345 が見つかりません"), "注文 <num> が見つかりません");
}

static void test_templates_are_stable_under_reapplication(void)
{
    const char *const samples[] = {
        "Order 8c1e2f9a-3b4d-4e5f-9a0b-1c2d3e4f5a6b not found at 2024-05-01T10:22:31Z",
        "connect ECONNREFUSED 10.0.0.5 after 3000ms for alice@example.com",
        "invalid coupon code \"SPRING24\" (order_id=991)",
        NULL,
    };
    for (size_t i = 0; samples[i]; i++) {
        char first[1024];
        snprintf(first, sizeof first, "%s", tpl(samples[i]));
        ASSERT_EQ_STR(tpl(first), first);
    }
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_numbers_and_words_with_digits),
    UNIT_TEST(test_ids_uuids_and_hex),
    UNIT_TEST(test_addresses_hosts_and_ports),
    UNIT_TEST(test_urls_and_emails),
    UNIT_TEST(test_dates_times_and_durations),
    UNIT_TEST(test_quoted_values),
    UNIT_TEST(test_key_ending_in_id),
    UNIT_TEST(test_lines_whitespace_and_limits),
    UNIT_TEST(test_unicode_text_is_kept),
    UNIT_TEST(test_templates_are_stable_under_reapplication),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
