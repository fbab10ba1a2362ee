/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for fingerprints (src/analysis/fingerprint.h, frame_name.h,
 * hash.h): what must not change a fingerprint (line numbers, ids, generated
 * names, recursion depth, where a truncation falls), what must (another
 * function, another Go error behind the same recording site), the choice
 * of basis, the culprit and stack top, and the frozen hash function.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/fingerprint.h"
#include "analysis/hash.h"
#include "test.h"

static struct fingerprint_ctx *ctx;
static struct fingerprint fp;

static uint64_t fingerprint_of(const char *type, const char *message, const char *trace,
                               const char *sdk)
{
    struct fingerprint_input in = {
        .exception_type = type,
        .message = message,
        .stacktrace = trace,
        .stacktrace_len = trace ? strlen(trace) : 0,
        .sdk_language = sdk,
    };
    fingerprint_compute(ctx, &in, &fp);
    return fp.hash;
}

/* `text` with its first `from` replaced by `to` (in one of a few rotating
 * buffers, so results can be chained). */
static const char *with(const char *text, const char *from, const char *to)
{
    static char out[4][8192];
    static int next;
    char *o = out[next++ % 4];
    const char *at = strstr(text, from);
    ASSERT_NOT_NULL(at);
    snprintf(o, sizeof out[0], "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return o;
}

static const char java[] =
    "java.lang.IllegalStateException: shipment 88123 already dispatched\n"
    "\tat com.acme.ship.ShipmentBatch.lambda$dispatchAll$3(ShipmentBatch.java:118)\n"
    "\tat com.acme.ship.ShipmentBatch$$Lambda$1412/0x0000000801a3c4e8.accept(Unknown Source)\n"
    "\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1596)\n"
    "\tat com.acme.ship.ShipmentBatch.dispatchAll(ShipmentBatch.java:112)\n"
    "\tat com.acme.ship.Repo$$EnhancerBySpringCGLIB$$7f3a21c9.save(<generated>)\n"
    "\tat com.acme.ship.DispatchJob$1.run(DispatchJob.java:37)\n"
    "\tat com.acme.ship.DispatchJob.access$000(DispatchJob.java:12)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n"
    "Caused by: java.io.IOException: broken pipe\n"
    "\tat java.base/sun.nio.ch.Net.write(Native Method)\n"
    "\tat com.acme.ship.Printer.send(Printer.java:20)\n"
    "\t... 8 more\n";

static void test_java_components_and_generated_names(void)
{
    fingerprint_of("java.lang.IllegalStateException", "shipment 88123 already dispatched", java,
                   "java");
    ASSERT_EQ_INT(fp.basis, FINGERPRINT_APP_FRAMES);
    ASSERT_EQ_INT(fp.language, STACK_LANG_JVM);
    ASSERT_EQ_STR(fp.components, "type:java.lang.IllegalStateException\n"
                                 "exception:java.lang.IllegalStateException\n"
                                 "frame:com.acme.ship.ShipmentBatch|lambda$dispatchAll\n"
                                 "frame:com.acme.ship.ShipmentBatch|dispatchAll\n"
                                 "frame:com.acme.ship.Repo|save\n"
                                 "frame:com.acme.ship.DispatchJob$<anon>|run\n"
                                 "frame:com.acme.ship.DispatchJob|access\n"
                                 "exception:java.io.IOException\n"
                                 "frame:com.acme.ship.Printer|send\n");
    ASSERT_EQ_UINT(fp.frames_used, 6);
    ASSERT_EQ_STR(fp.culprit, "com.acme.ship.ShipmentBatch.lambda$dispatchAll");
    ASSERT_EQ_STR(fp.stack_top,
                  "at com.acme.ship.ShipmentBatch.lambda$dispatchAll$3(ShipmentBatch.java:118)");
    ASSERT_EQ_STR(fp.message_template, "shipment <num> already dispatched");
}

static void test_deploys_that_move_lines_keep_the_fingerprint(void)
{
    uint64_t a = fingerprint_of("java.lang.IllegalStateException", "shipment 1 already dispatched",
                                java, "java");
    const char *moved = with(java, "ShipmentBatch.java:118", "ShipmentBatch.java:131");
    moved = with(moved, "lambda$dispatchAll$3", "lambda$dispatchAll$7");
    moved = with(moved, "Lambda$1412/0x0000000801a3c4e8", "Lambda/0x00007f3c8c1d2a40");
    moved = with(moved, "7f3a21c9", "0b11ee02");
    ASSERT_EQ_UINT(fingerprint_of("java.lang.IllegalStateException",
                                  "shipment 99 already dispatched", moved, "java"),
                   a);
    /* a different function is a different group */
    ASSERT_TRUE(fingerprint_of("java.lang.IllegalStateException", "x",
                               with(java, "Printer.send", "Printer.flush"), "java") != a);
    /* so is a different type with the same frames */
    ASSERT_TRUE(fingerprint_of("java.lang.IllegalArgumentException", "x", java, "java") != a);
}

static void test_truncation_point_does_not_matter(void)
{
    /* every cut after the top application frames and before the cause is
     * complete gives the fingerprint of the cut trace at its first frame */
    size_t n = strlen(java);
    size_t from = (size_t)(strstr(java, "\tat java.base/java.lang.Thread") - java);
    size_t to = (size_t)(strstr(java, "\t... 8 more") - java);
    char buf[sizeof java];
    memcpy(buf, java, from);
    struct fingerprint_input in = {.exception_type = "java.lang.IllegalStateException",
                                   .stacktrace = buf,
                                   .sdk_language = "java"};
    in.stacktrace_len = from;
    fingerprint_compute(ctx, &in, &fp);
    uint64_t first = fp.hash;
    for (size_t cut = from; cut < to; cut++) {
        memcpy(buf, java, cut);
        in.stacktrace_len = cut;
        fingerprint_compute(ctx, &in, &fp);
        ASSERT_EQ_UINT(fp.hash, first);
    }
    ASSERT_TRUE(to < n);
}

static const char python_rec[] =
    "Traceback (most recent call last):\n"
    "  File \"/srv/catalog/app/api/categories.py\", line 14, in get_tree\n"
    "  File \"/srv/catalog/app/catalog/tree.py\", line 22, in build_tree\n"
    "  File \"/srv/catalog/app/catalog/tree.py\", line 22, in build_tree\n"
    "  File \"/srv/catalog/app/catalog/tree.py\", line 22, in build_tree\n"
    "  [Previous line repeated 993 more times]\n"
    "  File \"/srv/catalog/app/catalog/tree.py\", line 30, in <listcomp>\n"
    "  File \"/srv/catalog/app/catalog/tree.py\", line 19, in build_tree\n"
    "RecursionError: maximum recursion depth exceeded\n";

static void test_recursion_and_comprehensions_collapse(void)
{
    uint64_t a = fingerprint_of("RecursionError", "m", python_rec, "python");
    ASSERT_EQ_STR(fp.components, "type:RecursionError\n"
                                 "exception:RecursionError\n"
                                 "frame:app.catalog.tree|build_tree\n"
                                 "frame:app.api.categories|get_tree\n");
    ASSERT_EQ_STR(fp.culprit, "app.catalog.tree.build_tree");
    const char *shallow =
        with(python_rec,
             "  File \"/srv/catalog/app/catalog/tree.py\", line 22, in build_tree\n"
             "  File \"/srv/catalog/app/catalog/tree.py\", line 22, in build_tree\n",
             "");
    ASSERT_EQ_UINT(fingerprint_of("RecursionError", "m", shallow, "python"), a);
    /* Python's qualified and short type names are one type */
    ASSERT_EQ_UINT(fingerprint_of("builtins.RecursionError", "m", python_rec, NULL), a);
}

static void test_python_truncated_chain_keeps_complete_blocks(void)
{
    const char *trace =
        "Traceback (most recent call last):\n"
        "  File \"/srv/a/venv/lib/python3.12/site-packages/redis/connection.py\", line 357, in "
        "connect\n"
        "ConnectionRefusedError: [Errno 111] Connection refused\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        "  File \"/srv/a/app/auth/sessions.py\", line 48, in load_session\n"
        "  File \"/srv/a/venv/lib/python3.12/site-packages/redis/client.py\", line 559, in "
        "execute_command\n"
        "  File \"/srv/a/venv/lib/python3.12/site-packages/redis/connection.py\", line 1422, in "
        "get_connection\n";
    /* the raised exception's block is cut off: what is left of the cut
     * block still names the application frame printed first */
    size_t n = strlen(trace);
    char buf[2048];
    uint64_t first = 0;
    size_t start = (size_t)(strstr(trace, "load_session\n") - trace) + 13;
    for (size_t cut = start; cut <= n; cut++) {
        memcpy(buf, trace, cut);
        struct fingerprint_input in = {.exception_type = "SessionStoreUnavailable",
                                       .stacktrace = buf,
                                       .stacktrace_len = cut,
                                       .sdk_language = "python"};
        fingerprint_compute(ctx, &in, &fp);
        if (cut == start)
            first = fp.hash;
        ASSERT_EQ_UINT(fp.hash, first);
        ASSERT_EQ_STR(fp.culprit, "app.auth.sessions.load_session");
    }
}

static const char go_recorded[] =
    "goroutine 57 [running]:\n"
    "go.opentelemetry.io/otel/sdk/trace.recordStackTrace()\n"
    "\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:558 +0x4d\n"
    "go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc0002e4180, {0xb0e2a0, "
    "0xc0003a1c20}, {0xc0001b3d38, 0x1, 0x1})\n"
    "\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:507 +0x2f1\n"
    "github.com/acme/fulfil/internal/api.(*Handler).createShipment.func1(0xc000126f00)\n"
    "\t/build/internal/api/shipments.go:71 +0x3c5\n"
    "net/http.HandlerFunc.ServeHTTP(0xc0002c8040, {0xb1f4e8, 0xc0001a62a0}, 0xc0003b6000)\n"
    "\t/usr/local/go/src/net/http/server.go:2220 +0x29\n";

static void test_go_recording_site_needs_the_message(void)
{
    uint64_t rows991 = fingerprint_of(
        "*fmt.wrapError", "create shipment: load order 991: sql: no rows", go_recorded, "go");
    ASSERT_EQ_STR(fp.components, "type:*fmt.wrapError\n"
                                 "exception:\n"
                                 "frame:github.com/acme/fulfil/internal/api|(*Handler)."
                                 "createShipment.<closure>\n"
                                 "message:create shipment: load order <num>: sql: no rows\n");
    ASSERT_EQ_STR(fp.culprit,
                  "github.com/acme/fulfil/internal/api.(*Handler).createShipment.<closure>");
    ASSERT_EQ_STR(fp.stack_top, "github.com/acme/fulfil/internal/api.(*Handler).createShipment."
                                "func1(0xc000126f00) /build/internal/api/shipments.go:71 +0x3c5");
    uint64_t rows12 =
        fingerprint_of("*fmt.wrapError", "create shipment: load order 12: sql: no rows",
                       with(go_recorded, "func1", "func2"), "go");
    ASSERT_EQ_UINT(rows12, rows991);
    uint64_t deadline = fingerprint_of(
        "*fmt.wrapError", "create shipment: context deadline exceeded", go_recorded, "go");
    ASSERT_TRUE(deadline != rows991);
}

static void test_go_panic_stack_is_enough(void)
{
    const char *panic = "panic: runtime error: index out of range [3] with length 3\n\n"
                        "goroutine 412 [running]:\n"
                        "github.com/acme/fulfil/internal/rates.cheapest(...)\n"
                        "\t/build/internal/rates/select.go:41\n";
    uint64_t a = fingerprint_of(NULL, NULL, panic, NULL);
    ASSERT_EQ_STR(fp.exception_type, "panic");
    ASSERT_EQ_STR(fp.components, "type:panic\n"
                                 "exception:panic\n"
                                 "frame:github.com/acme/fulfil/internal/rates|cheapest\n");
    ASSERT_EQ_UINT(
        fingerprint_of(NULL, NULL, with(panic, "[3] with length 3", "[7] with length 2"), NULL), a);
}

static void test_runtime_only_stack_uses_the_message(void)
{
    const char *trace = "Error: connect ECONNREFUSED 10.0.0.5:5432\n"
                        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)";
    uint64_t pg =
        fingerprint_of("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.5:5432", trace, "nodejs");
    ASSERT_EQ_INT(fp.basis, FINGERPRINT_ALL_FRAMES);
    ASSERT_EQ_STR(fp.components, "type:ECONNREFUSED\n"
                                 "exception:Error\n"
                                 "frame:node:net|TCPConnectWrap.afterConnect\n"
                                 "message:connect ECONNREFUSED <ip>:5432\n");
    ASSERT_EQ_STR(fp.culprit, "node:net.TCPConnectWrap.afterConnect");
    ASSERT_EQ_UINT(fingerprint_of("ECONNREFUSED", "connect ECONNREFUSED 10.9.1.7:5432",
                                  with(trace, "10.0.0.5", "10.9.1.7"), "nodejs"),
                   pg);
    ASSERT_TRUE(fingerprint_of("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.5:6379", trace,
                               "nodejs") != pg);
}

static void test_no_stack_groups_on_type_and_template(void)
{
    uint64_t a = fingerprint_of(
        "*url.Error", "Post \"https://pay/x\": dial tcp 10.0.4.7:8443: refused", NULL, "go");
    ASSERT_EQ_INT(fp.basis, FINGERPRINT_MESSAGE);
    ASSERT_EQ_STR(fp.components,
                  "type:*url.Error\nmessage:Post <quoted>: dial tcp <ip>:8443: refused\n");
    ASSERT_EQ_STR(fp.culprit, "");
    ASSERT_EQ_STR(fp.stack_top, "");
    ASSERT_EQ_UINT(fingerprint_of("*url.Error",
                                  "Post \"https://pay/y\": dial tcp 10.0.4.9:8443: refused", "",
                                  "go"),
                   a);
    ASSERT_TRUE(fingerprint_of("*url.Error", "Post \"https://pay/y\": timeout", NULL, "go") != a);
    /* everything absent is still a fingerprint */
    fingerprint_of(NULL, NULL, NULL, NULL);
    ASSERT_EQ_STR(fp.components, "type:\nmessage:\n");
    ASSERT_EQ_STR(fp.id, "911f6f23a889");
}

static void test_type_forms_are_normalised(void)
{
    const char *php = "App.Billing.InvoiceNotFound: Invoice 1 not found\n"
                      "\tat App.Billing.InvoiceRepository.get(InvoiceRepository.php:54)\n";
    uint64_t a = fingerprint_of("App\\Billing\\InvoiceNotFound", "Invoice 1 not found", php, "php");
    ASSERT_EQ_STR(fp.exception_type, "App\\Billing\\InvoiceNotFound");
    ASSERT_EQ_STR(fp.culprit, "App\\Billing\\InvoiceRepository.get");
    ASSERT_EQ_UINT(fingerprint_of(NULL, NULL, php, NULL), a);
    ASSERT_EQ_UINT(fingerprint_of("\\App\\Billing\\InvoiceNotFound", NULL, php, "php"), a);
}

static void test_generated_names_per_language(void)
{
    /* .NET: async state machines and lambdas renumbered by a rebuild */
    const char *net = "System.ArgumentException: dup\n"
                      "   at Acme.Import.BatchImporter.<>c__DisplayClass12_0.<Load>b__0(Row r) in "
                      "/src/B.cs:line 93\n"
                      "   at Acme.Import.Svc.<RunAsync>d__5.MoveNext() in /src/S.cs:line 9\n"
                      "   at Acme.Import.Repo`1.Get[T](Int32 id)\n"
                      "   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker."
                      "<InvokeActionMethodAsync>g__Logged|12_1(ControllerActionInvoker invoker)";
    uint64_t a = fingerprint_of("System.ArgumentException", "dup", net, "dotnet");
    ASSERT_EQ_STR(fp.components, "type:System.ArgumentException\n"
                                 "exception:System.ArgumentException\n"
                                 "frame:Acme.Import.BatchImporter|Load.<lambda>\n"
                                 "frame:Acme.Import.Svc|RunAsync\n"
                                 "frame:Acme.Import.Repo|Get\n");
    const char *rebuilt = with(net, "DisplayClass12_0.<Load>b__0", "DisplayClass14_0.<Load>b__1");
    rebuilt = with(rebuilt, "d__5", "d__7");
    ASSERT_EQ_UINT(fingerprint_of("System.ArgumentException", "dup", rebuilt, "dotnet"), a);
    /* Ruby: block nesting and ERB template suffixes */
    const char *rb = "/app/views/orders/show.html.erb:14:in "
                     "'_app_views_orders_show_html_erb___2871301872093862551_84720': x (E)\n"
                     "\tfrom /app/jobs/sync.rb:22:in 'block (2 levels) in SyncJob#perform'\n";
    fingerprint_of("E", "x", rb, "ruby");
    ASSERT_EQ_STR(fp.components, "type:E\n"
                                 "exception:E\n"
                                 "frame:views/orders/show|_app_views_orders_show_html_erb\n"
                                 "frame:SyncJob|block in perform\n");
    /* PHP closures and Node bundle hashes */
    const char *php =
        "#0 /var/www/src/A.php(3): App\\A->{closure:/var/www/src/A.php:12}(1)\n#1 {main}\n";
    fingerprint_of("E", NULL, php, "php");
    ASSERT_EQ_STR(fp.culprit, "App\\A.{closure}");
    const char *js =
        "TypeError: x\n    at Object.<anonymous> (/srv/app/dist/main.3f9a1c2b.js:1:2)\n"
        "    at e (/srv/app/dist/main.3f9a1c2b.js:1:9)";
    uint64_t j = fingerprint_of("TypeError", "x", js, "nodejs");
    ASSERT_EQ_STR(fp.components, "type:TypeError\nexception:TypeError\n"
                                 "frame:app/dist/main|<anonymous>\n");
    ASSERT_EQ_UINT(fingerprint_of("TypeError", "x", with(js, "3f9a1c2b", "b81e4d07"), "nodejs"), j);
}

static void test_identical_group_members_count_once(void)
{
    const char *member = "    | Traceback (most recent call last):\n"
                         "    |   File \"/srv/app/fetch.py\", line 28, in fetch\n"
                         "    | ValueError: bad\n";
    char two[2048], three[4096];
    snprintf(two, sizeof two,
             "  + Exception Group Traceback (most recent call last):\n"
             "  |   File \"/srv/app/batch.py\", line 66, in run\n"
             "  | ExceptionGroup: errors\n"
             "  +-+---------------- 1 ----------------\n%s"
             "    +---------------- 2 ----------------\n%s",
             member, member);
    snprintf(three, sizeof three, "%s    +---------------- 3 ----------------\n%s", two, member);
    uint64_t a = fingerprint_of("ExceptionGroup", NULL, two, "python");
    ASSERT_EQ_STR(fp.components, "type:ExceptionGroup\nexception:ExceptionGroup\n"
                                 "frame:srv.app.batch|run\n"
                                 "exception:ValueError\nframe:srv.app.fetch|fetch\n");
    ASSERT_EQ_UINT(fingerprint_of("ExceptionGroup", NULL, three, "python"), a);
}

static void test_unknown_format_uses_lines_and_message(void)
{
    const char *rust = "thread 'main' panicked at src/config.rs:27:10:\n"
                       "called `Option::unwrap()` on a `None` value\n"
                       "   0: rust_begin_unwind\n";
    uint64_t a = fingerprint_of(NULL, NULL, rust, NULL);
    ASSERT_EQ_INT(fp.basis, FINGERPRINT_ALL_FRAMES);
    ASSERT_EQ_STR(fp.culprit, "");
    ASSERT_EQ_STR(fp.stack_top, "called `Option::unwrap()` on a `None` value");
    ASSERT_EQ_UINT(fingerprint_of(NULL, NULL, with(rust, "27:10", "31:4"), NULL), a);
    ASSERT_TRUE(fingerprint_of(NULL, NULL, with(rust, "config.rs", "loader.rs"), NULL) != a);
}

static void test_custom_key_decides_alone(void)
{
    struct fingerprint_input in = {.exception_type = "TypeError",
                                   .message = "x",
                                   .stacktrace =
                                       "TypeError: x\n    at fetchCart (/srv/app/a.js:1:2)",
                                   .sdk_language = "nodejs",
                                   .custom_key = "checkout-payment-declined"};
    in.stacktrace_len = strlen(in.stacktrace);
    fingerprint_compute(ctx, &in, &fp);
    ASSERT_EQ_INT(fp.basis, FINGERPRINT_CUSTOM);
    ASSERT_EQ_STR(fp.components, "custom:checkout-payment-declined\n");
    ASSERT_EQ_STR(fp.culprit, "srv/app/a.fetchCart"); /* still there for display */
    uint64_t a = fp.hash;
    in.exception_type = "RangeError";
    in.stacktrace = "";
    in.stacktrace_len = 0;
    fingerprint_compute(ctx, &in, &fp);
    ASSERT_EQ_UINT(fp.hash, a);
    in.custom_key = "";
    fingerprint_compute(ctx, &in, &fp);
    ASSERT_TRUE(fp.hash != a);
    ASSERT_EQ_INT(fp.basis, FINGERPRINT_MESSAGE);
}

static void test_hash_function_is_frozen(void)
{
    /* values from an independent implementation of FNV-1a 64 + splitmix64's
     * finaliser; a change here changes every fingerprint users have seen */
    ASSERT_EQ_UINT(hash64("", 0), 0xf52a15e9a9b5e89bull);
    ASSERT_EQ_UINT(hash64("a", 1), 0x02c0bdbf481420f8ull);
    ASSERT_EQ_UINT(hash64("type:KeyError\nmessage:<quoted>\n", 31), 0x784bc3fadbe32760ull);
    char id[FINGERPRINT_ID_LEN + 1];
    fingerprint_format_id(0x02c0bdbf481420f8ull, id);
    ASSERT_EQ_STR(id, "02c0bdbf4814");
    fingerprint_of("KeyError", "'cart:9'", NULL, NULL);
    ASSERT_EQ_STR(fp.id, "784bc3fadbe3");
    ASSERT_EQ_UINT(fp.hash, 0x784bc3fadbe32760ull);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_java_components_and_generated_names),
    UNIT_TEST(test_deploys_that_move_lines_keep_the_fingerprint),
    UNIT_TEST(test_truncation_point_does_not_matter),
    UNIT_TEST(test_recursion_and_comprehensions_collapse),
    UNIT_TEST(test_python_truncated_chain_keeps_complete_blocks),
    UNIT_TEST(test_go_recording_site_needs_the_message),
    UNIT_TEST(test_go_panic_stack_is_enough),
    UNIT_TEST(test_runtime_only_stack_uses_the_message),
    UNIT_TEST(test_no_stack_groups_on_type_and_template),
    UNIT_TEST(test_type_forms_are_normalised),
    UNIT_TEST(test_generated_names_per_language),
    UNIT_TEST(test_identical_group_members_count_once),
    UNIT_TEST(test_unknown_format_uses_lines_and_message),
    UNIT_TEST(test_custom_key_decides_alone),
    UNIT_TEST(test_hash_function_is_frozen),
    {0},
};

int main(int argc, char **argv)
{
    ctx = fingerprint_ctx_new();
    int rc = unit_run(tests, argc, argv);
    fingerprint_ctx_free(ctx);
    return rc;
}
