/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the stack-trace parsers (src/analysis/stacktrace.h and
 * st_<language>.c): one test per language and shape, with the expected
 * frames written out by hand, plus truncated traces (Go's 2,048-byte cut,
 * a cut at every byte), Windows paths, Unicode, empty and 1 MB inputs, and
 * language detection.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/stacktrace.h"
#include "test.h"

static struct stacktrace st;

static void parse(const char *text, enum stack_language hint)
{
    stacktrace_parse(&st, text, strlen(text), hint);
}

static const struct stack_frame *frame(size_t exception, size_t i)
{
    ASSERT_TRUE(exception < st.n_exceptions);
    const struct stack_exception *e = &st.exceptions[exception];
    ASSERT_TRUE(i < e->n_frames);
    return &st.frames[e->first_frame + i];
}

#define ASSERT_FRAME(f, mod, fn, file_, line_, app)                                                \
    do {                                                                                           \
        const struct stack_frame *_f = (f);                                                        \
        ASSERT_EQ_STR(_f->module, mod);                                                            \
        ASSERT_EQ_STR(_f->function, fn);                                                           \
        ASSERT_EQ_STR(_f->file, file_);                                                            \
        ASSERT_EQ_INT(_f->line, line_);                                                            \
        ASSERT_EQ_INT(_f->in_app, app);                                                            \
    } while (0)

/* ---- Python ------------------------------------------------------------- */

static const char python_chain[] =
    "Traceback (most recent call last):\n"
    "  File \"/srv/orders/venv/lib/python3.12/site-packages/httpx/_transports/default.py\", "
    "line 101, in map_httpcore_exceptions\n"
    "    yield\n"
    "httpcore.ConnectTimeout: timed out\n"
    "\n"
    "The above exception was the direct cause of the following exception:\n"
    "\n"
    "Traceback (most recent call last):\n"
    "  File \"/srv/orders/app/api/routes/checkout.py\", line 112, in submit_checkout\n"
    "    auth = await payments.authorize(order.id, order.total_cents)\n"
    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    "  File \"/srv/orders/app/payments/client.py\", line 64, in authorize\n"
    "    raise PaymentGatewayUnavailable(f\"authorize failed for order {order_id}\") from exc\n"
    "app.payments.errors.PaymentGatewayUnavailable: authorize failed\n"
    "  for order 771203\n";

static void test_python_chain_is_reported_first_innermost_first(void)
{
    parse(python_chain, STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_PYTHON);
    ASSERT_FALSE(st.truncated);
    ASSERT_EQ_UINT(st.n_exceptions, 2);
    ASSERT_EQ_STR(st.exceptions[0].type, "app.payments.errors.PaymentGatewayUnavailable");
    ASSERT_EQ_STR(st.exceptions[0].message, "authorize failed\n  for order 771203");
    ASSERT_EQ_INT(st.exceptions[0].relation, STACK_REL_REPORTED);
    ASSERT_EQ_STR(st.exceptions[1].type, "httpcore.ConnectTimeout");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_CAUSE);
    ASSERT_EQ_INT(st.exceptions[1].parent, 0);
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 2);
    ASSERT_FRAME(frame(0, 0), "app.payments.client", "authorize",
                 "/srv/orders/app/payments/client.py", 64, true);
    ASSERT_FRAME(frame(0, 1), "api.routes.checkout", "submit_checkout",
                 "/srv/orders/app/api/routes/checkout.py", 112, true);
    ASSERT_FRAME(frame(1, 0), "httpx._transports.default", "map_httpcore_exceptions",
                 "/srv/orders/venv/lib/python3.12/site-packages/httpx/_transports/default.py", 101,
                 false);
    ASSERT_EQ_UINT(frame(0, 0)->exception, 0);
    ASSERT_EQ_UINT(frame(1, 0)->exception, 1);
}

static void test_python_context_and_stdlib_and_repeats(void)
{
    parse("Traceback (most recent call last):\n"
          "  File \"/app/jobs/a.py\", line 3, in run\n"
          "KeyError: 'x'\n"
          "\n"
          "During handling of the above exception, another exception occurred:\n"
          "\n"
          "Traceback (most recent call last):\n"
          "  File \"/usr/lib/python3.11/asyncio/runners.py\", line 44, in run\n"
          "  File \"/app/jobs/a.py\", line 9, in <lambda>\n"
          "  [Previous line repeated 996 more times]\n"
          "RecursionError: maximum recursion depth exceeded\n",
          STACK_LANG_PYTHON);
    ASSERT_EQ_UINT(st.n_exceptions, 2);
    ASSERT_EQ_STR(st.exceptions[0].type, "RecursionError");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_CONTEXT);
    ASSERT_FRAME(frame(0, 0), "app.jobs.a", "<lambda>", "/app/jobs/a.py", 9, true);
    ASSERT_FRAME(frame(0, 1), "asyncio.runners", "run", "/usr/lib/python3.11/asyncio/runners.py",
                 44, false);
    ASSERT_EQ_STR(st.exceptions[1].message, "'x'");
}

static void test_python_syntax_error_frame_without_function(void)
{
    parse("  File \"/app/conf/settings.py\", line 7\n"
          "    DEBUG = (\n"
          "            ^\n"
          "SyntaxError: '(' was never closed\n",
          STACK_LANG_PYTHON);
    ASSERT_EQ_UINT(st.n_exceptions, 1);
    ASSERT_EQ_STR(st.exceptions[0].type, "SyntaxError");
    ASSERT_FRAME(frame(0, 0), "app.conf.settings", "", "/app/conf/settings.py", 7, true);
}

static void test_python_exception_group_members_follow_group(void)
{
    parse("  + Exception Group Traceback (most recent call last):\n"
          "  |   File \"/srv/app/batch.py\", line 66, in run\n"
          "  | ExceptionGroup: errors (2 sub-exceptions)\n"
          "  +-+---------------- 1 ----------------\n"
          "    | Traceback (most recent call last):\n"
          "    |   File \"/srv/app/fetch.py\", line 28, in fetch\n"
          "    | ValueError: bad\n"
          "    +---------------- 2 ----------------\n"
          "    | Traceback (most recent call last):\n"
          "    |   File \"/srv/app/fetch.py\", line 30, in parse\n"
          "    | KeyError: 'k'\n"
          "    +------------------------------------\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_PYTHON);
    ASSERT_EQ_UINT(st.n_exceptions, 3);
    ASSERT_EQ_STR(st.exceptions[0].type, "ExceptionGroup");
    ASSERT_EQ_STR(st.exceptions[1].type, "ValueError");
    ASSERT_EQ_STR(st.exceptions[2].type, "KeyError");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_MEMBER);
    ASSERT_EQ_INT(st.exceptions[2].relation, STACK_REL_MEMBER);
    ASSERT_EQ_STR(frame(2, 0)->function, "parse");
}

static void test_python_windows_paths(void)
{
    parse("Traceback (most recent call last):\n"
          "  File \"C:\\Users\\dev\\shop\\venv\\Lib\\site-packages\\click\\core.py\", line 783, "
          "in invoke\n"
          "  File \"C:\\Python312\\Lib\\asyncio\\runners.py\", line 44, in run\n"
          "  File \"C:\\Users\\dev\\shop\\app\\metrics\\kpis.py\", line 17, in rate\n"
          "ZeroDivisionError: division by zero\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_PYTHON);
    ASSERT_FRAME(frame(0, 0), "app.metrics.kpis", "rate",
                 "C:\\Users\\dev\\shop\\app\\metrics\\kpis.py", 17, true);
    ASSERT_FRAME(frame(0, 1), "asyncio.runners", "run", "C:\\Python312\\Lib\\asyncio\\runners.py",
                 44, false);
    ASSERT_EQ_STR(frame(0, 2)->module, "click.core");
    ASSERT_FALSE(frame(0, 2)->in_app);
}

static void test_python_cut_inside_frame_line_is_dropped(void)
{
    /* the function name of the last line may be cut: it must not become a frame */
    parse("Traceback (most recent call last):\n"
          "  File \"/app/a.py\", line 3, in handler\n"
          "  File \"/app/b.py\", line 9, in comp",
          STACK_LANG_PYTHON);
    ASSERT_TRUE(st.truncated);
    ASSERT_EQ_UINT(st.n_exceptions, 1);
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 1);
    ASSERT_FALSE(st.exceptions[0].complete);
    ASSERT_EQ_STR(frame(0, 0)->function, "handler");
}

/* ---- JVM ---------------------------------------------------------------- */

static const char java_trace[] =
    "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC "
    "Connection\n"
    "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convert(HibernateJpaDialect.java:"
    "277)\n"
    "\tat com.acme.inventory.repo.StockRepository$$SpringCGLIB$$0.findBySku(<generated>)\n"
    "\tat com.acme.inventory.service.ReservationService.reserve(ReservationService.java:88)\n"
    "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke("
    "DirectMethodHandleAccessor.java:103)\n"
    "\tat app//com.acme.inventory.api.Boot.main(Boot.java:12) ~[app.jar:1.0]\n"
    "\tSuppressed: java.lang.IllegalStateException: rollback failed\n"
    "\t\tat com.acme.inventory.tx.TxGuard.close(TxGuard.java:52)\n"
    "\t\t... 3 more\n"
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - timed out\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n"
    "\t... 7 more\n";

static void test_java_chain_suppressed_and_more(void)
{
    parse(java_trace, STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_JVM);
    ASSERT_FALSE(st.truncated);
    ASSERT_EQ_UINT(st.n_exceptions, 3);
    ASSERT_EQ_STR(st.exceptions[0].type,
                  "org.springframework.dao.DataAccessResourceFailureException");
    ASSERT_EQ_STR(st.exceptions[0].message, "Unable to acquire JDBC Connection");
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 5);
    ASSERT_FRAME(frame(0, 0), "org.springframework.orm.jpa.vendor.HibernateJpaDialect", "convert",
                 "HibernateJpaDialect.java", 277, false);
    ASSERT_FRAME(frame(0, 1), "com.acme.inventory.repo.StockRepository$$SpringCGLIB$$0",
                 "findBySku", "", 0, true);
    ASSERT_FRAME(frame(0, 2), "com.acme.inventory.service.ReservationService", "reserve",
                 "ReservationService.java", 88, true);
    ASSERT_FRAME(frame(0, 3), "jdk.internal.reflect.DirectMethodHandleAccessor", "invoke",
                 "DirectMethodHandleAccessor.java", 103, false);
    ASSERT_TRUE(frame(0, 3)->noise);
    ASSERT_FRAME(frame(0, 4), "com.acme.inventory.api.Boot", "main", "Boot.java", 12, true);
    ASSERT_EQ_STR(st.exceptions[1].type, "java.lang.IllegalStateException");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_SUPPRESSED);
    ASSERT_EQ_INT(st.exceptions[1].parent, 0);
    ASSERT_EQ_UINT(st.exceptions[1].omitted_frames, 3);
    ASSERT_EQ_STR(frame(1, 0)->function, "close");
    ASSERT_EQ_STR(st.exceptions[2].type, "java.sql.SQLTransientConnectionException");
    ASSERT_EQ_INT(st.exceptions[2].relation, STACK_REL_CAUSE);
    ASSERT_EQ_INT(st.exceptions[2].parent, 0);
    ASSERT_EQ_UINT(st.exceptions[2].omitted_frames, 7);
    ASSERT_FRAME(frame(2, 0), "com.zaxxer.hikari.pool.HikariPool", "getConnection",
                 "HikariPool.java", 181, false);
}

static void test_java_multiline_message_and_thread_prefix(void)
{
    parse("Exception in thread \"main\" java.lang.RuntimeException: bad payload:\n"
          "{\"id\": 1,\n"
          " \"x\": 2}\n"
          "\tat com.acme.Main.main(Main.java:5)\n",
          STACK_LANG_JVM);
    ASSERT_EQ_STR(st.exceptions[0].type, "java.lang.RuntimeException");
    ASSERT_EQ_STR(st.exceptions[0].message, "bad payload:\n{\"id\": 1,\n \"x\": 2}");
    ASSERT_FRAME(frame(0, 0), "com.acme.Main", "main", "Main.java", 5, true);
}

static void test_kotlin_coroutines_and_unicode_names(void)
{
    parse("kotlinx.coroutines.TimeoutCancellationException: Zeitüberschreitung nach 2000 ms\n"
          "\tat kotlinx.coroutines.TimeoutKt.TimeoutCancellationException(Timeout.kt:189)\n"
          "\tat com.acme.shipping.QuoteService$quote$2.invokeSuspend(QuoteService.kt:71)\n"
          "\tat _COROUTINE._BOUNDARY._(CoroutineDebugging.kt:46)\n"
          "\t(Coroutine boundary)\n"
          "\tat com.acme.shipping.QuoteTest.größe wird geprüft(QuoteTest.kt:12)\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_JVM);
    ASSERT_EQ_STR(st.exceptions[0].message, "Zeitüberschreitung nach 2000 ms");
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 4);
    ASSERT_FRAME(frame(0, 0), "kotlinx.coroutines.TimeoutKt", "TimeoutCancellationException",
                 "Timeout.kt", 189, false);
    ASSERT_FRAME(frame(0, 1), "com.acme.shipping.QuoteService$quote$2", "invokeSuspend",
                 "QuoteService.kt", 71, true);
    ASSERT_TRUE(frame(0, 2)->noise);
    ASSERT_FRAME(frame(0, 3), "com.acme.shipping.QuoteTest", "größe wird geprüft", "QuoteTest.kt",
                 12, true);
}

static void test_java_cut_at_2k_marks_exception_incomplete(void)
{
    char text[sizeof java_trace];
    /* cut inside the "Caused by" frame line */
    const char *at = strstr(java_trace, "\tat com.zaxxer");
    size_t n = (size_t)(at - java_trace) + 20;
    memcpy(text, java_trace, n);
    stacktrace_parse(&st, text, n, STACK_LANG_JVM);
    ASSERT_TRUE(st.truncated);
    ASSERT_EQ_UINT(st.n_exceptions, 3);
    ASSERT_TRUE(st.exceptions[0].complete);
    ASSERT_FALSE(st.exceptions[2].complete);
    ASSERT_EQ_UINT(st.exceptions[2].n_frames, 0);
}

/* ---- Go ----------------------------------------------------------------- */

static const char go_otel_trace[] =
    "goroutine 4411 [running]:\n"
    "go.opentelemetry.io/otel/sdk/trace.recordStackTrace()\n"
    "\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:558 +0x4d\n"
    "go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc0001f6c00, "
    "{0x1a2b3e0, 0xc0004d0f00}, {0xc0007a5a38, 0x1, 0x1})\n"
    "\t/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:507 +0x2f1\n"
    "github.com/acme/ledger/internal/postings.(*Service).Post(0xc000224a80, {0x1a45ef0, "
    "0xc000612e10}, {0xc00031a5a0, 0x24}, {0xc000486c00, 0x2, 0x2})\n"
    "\t/src/internal/postings/service.go:143 +0x6b1\n"
    "github.com/acme/ledger/internal/httpapi.(*Server).handlePost.func1()\n"
    "\t/src/internal/httpapi/postings.go:58 +0x4f2\n"
    "net/http.HandlerFunc.ServeHTTP(0xc000135df0?, {0x1a44d90?, 0xc0005b62a0?}, 0x1a28f40?)\n"
    "\t/usr/local/go/src/net/http/server.go:2220 +0x29\n"
    "github.com/go-chi/chi/v5.(*Mux).routeHTTP(0xc0001b6060, {0x1a44d90, 0xc0005b62a0}, "
    "0xc000318480)\n"
    "\t/go/pkg/mod/github.com/go-chi/chi/v5@v5.1.0/mux.go:459 +0x2dd\n"
    "github.com/acme/ledger/internal/util.Map[...]({0xc000010000, 0x2, 0x2}, 0xc000020000)\n"
    "\tgithub.com/acme/ledger@v1.4.0/internal/util/slices.go:12 +0x44\n"
    "created by net/http.(*Server).Serve in goroutine 1\n"
    "\t/usr/local/go/src/net/http/server.go:3360 +0x4b4\n";

static void test_go_otel_record_error_stack(void)
{
    parse(go_otel_trace, STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_GO);
    ASSERT_FALSE(st.truncated);
    ASSERT_EQ_UINT(st.n_exceptions, 1);
    ASSERT_EQ_STR(st.exceptions[0].type, "");
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 8);
    ASSERT_FRAME(frame(0, 0), "go.opentelemetry.io/otel/sdk/trace", "recordStackTrace",
                 "/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go", 558, false);
    ASSERT_TRUE(frame(0, 0)->noise);
    ASSERT_TRUE(frame(0, 1)->noise);
    ASSERT_FRAME(frame(0, 2), "github.com/acme/ledger/internal/postings", "(*Service).Post",
                 "/src/internal/postings/service.go", 143, true);
    ASSERT_FRAME(frame(0, 3), "github.com/acme/ledger/internal/httpapi",
                 "(*Server).handlePost.func1", "/src/internal/httpapi/postings.go", 58, true);
    ASSERT_FRAME(frame(0, 4), "net/http", "HandlerFunc.ServeHTTP",
                 "/usr/local/go/src/net/http/server.go", 2220, false);
    ASSERT_FRAME(frame(0, 5), "github.com/go-chi/chi/v5", "(*Mux).routeHTTP",
                 "/go/pkg/mod/github.com/go-chi/chi/v5@v5.1.0/mux.go", 459, false);
    /* -trimpath: a dependency's file carries its module version */
    ASSERT_FRAME(frame(0, 6), "github.com/acme/ledger/internal/util", "Map[...]",
                 "github.com/acme/ledger@v1.4.0/internal/util/slices.go", 12, false);
    ASSERT_FRAME(frame(0, 7), "net/http", "(*Server).Serve", "/usr/local/go/src/net/http/server.go",
                 3360, false);
}

static void test_go_cut_at_2048_bytes(void)
{
    /* runtime.Stack's buffer in the OTel SDK is 2,048 bytes */
    char text[4096];
    size_t n = strlen(go_otel_trace);
    ASSERT_TRUE(n > 1000);
    for (size_t cut = 200; cut < n; cut++) {
        memcpy(text, go_otel_trace, cut);
        stacktrace_parse(&st, text, cut, STACK_LANG_GO);
        ASSERT_EQ_UINT(st.n_exceptions, 1);
        ASSERT_TRUE(st.n_frames <= 8);
        /* a frame whose function line was cut is never kept */
        for (size_t i = 0; i < st.n_frames; i++)
            ASSERT_TRUE(strchr(st.frames[i].function, '(') == NULL ||
                        strstr(st.frames[i].function, ")."));
        if (text[cut - 1] != '\n') {
            ASSERT_TRUE(st.truncated);
            ASSERT_FALSE(st.exceptions[0].complete);
        }
    }
    /* the classic case: exactly 2,048 bytes of a longer stack */
    static char big[8192];
    size_t used = 0;
    while (used + n < sizeof big) {
        memcpy(big + used, go_otel_trace + (used ? 26 : 0), n - (used ? 26 : 0));
        used += n - (used ? 26 : 0);
    }
    stacktrace_parse(&st, big, 2048, STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_GO);
    ASSERT_TRUE(st.truncated);
    ASSERT_EQ_STR(frame(0, 2)->function, "(*Service).Post");
}

static void test_go_panic_recovered_and_dump(void)
{
    parse("panic: assignment to entry in nil map [recovered]\n"
          "\tpanic: assignment to entry in nil map\n"
          "\n"
          "goroutine 96 [running]:\n"
          "github.com/acme/reports/internal/httpx.Recover.func1.1()\n"
          "\t/src/internal/httpx/recover.go:22 +0x1c5\n"
          "panic({0x9a4c20?, 0xb7d0f0?})\n"
          "\t/usr/local/go/src/runtime/panic.go:785 +0x132\n"
          "github.com/acme/reports/internal/export.(*CSV).addColumn(...)\n"
          "\t/src/internal/export/csv.go:57\n"
          "main.main()\n"
          "\tC:/Users/dev/reports/cmd/main.go:12 +0x1d\n"
          "\n"
          "goroutine 1 [chan receive, 3 minutes]:\n"
          "main.other()\n"
          "\t/src/cmd/main.go:88 +0x52c\n"
          "exit status 2\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_GO);
    ASSERT_EQ_UINT(st.n_exceptions, 1);
    ASSERT_EQ_STR(st.exceptions[0].type, "panic");
    ASSERT_EQ_STR(st.exceptions[0].message, "assignment to entry in nil map [recovered]");
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 4); /* only the first goroutine */
    ASSERT_TRUE(frame(0, 0)->noise);              /* the deferred recover function */
    ASSERT_TRUE(frame(0, 1)->noise);              /* panic(...) */
    ASSERT_EQ_STR(frame(0, 1)->module, "runtime");
    ASSERT_FRAME(frame(0, 2), "github.com/acme/reports/internal/export", "(*CSV).addColumn",
                 "/src/internal/export/csv.go", 57, true);
    ASSERT_FRAME(frame(0, 3), "main", "main", "C:/Users/dev/reports/cmd/main.go", 12, true);
    ASSERT_FALSE(st.truncated);
}

/* ---- Node --------------------------------------------------------------- */

static void test_node_v8_frames(void)
{
    parse(
        "TypeError: Cannot read properties of undefined (reading 'sku')\n"
        "    at priceLine (/srv/app/dist/cart/pricing.js:58:31)\n"
        "    at Array.map (<anonymous>)\n"
        "    at new CartService (file:///srv/app/dist/cart/service.mjs:112:24)\n"
        "    at async CheckoutController.submit [as handler] "
        "(webpack-internal:///./src/checkout/controller.ts:41:19)\n"
        "    at async /srv/app/node_modules/@nestjs/core/router/router-execution-context.js:46:28\n"
        "    at async Promise.all (index 0)\n"
        "    at eval (eval at compile (/srv/app/dist/tpl.js:3:9), <anonymous>:1:1)\n"
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_NODE);
    ASSERT_FALSE(st.truncated); /* V8 text has no final newline: that is normal */
    ASSERT_EQ_STR(st.exceptions[0].type, "TypeError");
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 8);
    ASSERT_FRAME(frame(0, 0), "dist/cart/pricing", "priceLine", "/srv/app/dist/cart/pricing.js", 58,
                 true);
    ASSERT_EQ_UINT(frame(0, 0)->column, 31);
    ASSERT_FRAME(frame(0, 1), "", "Array.map", "", 0, false);
    ASSERT_FRAME(frame(0, 2), "dist/cart/service", "CartService", "/srv/app/dist/cart/service.mjs",
                 112, true);
    ASSERT_FRAME(frame(0, 3), "src/checkout/controller", "CheckoutController.submit",
                 "./src/checkout/controller.ts", 41, true);
    ASSERT_FRAME(frame(0, 4), "@nestjs/core/router/router-execution-context", "",
                 "/srv/app/node_modules/@nestjs/core/router/router-execution-context.js", 46,
                 false);
    ASSERT_FRAME(frame(0, 5), "", "Promise.all", "", 0, false);
    ASSERT_TRUE(frame(0, 6)->noise);
    ASSERT_FRAME(frame(0, 7), "node:internal/process/task_queues",
                 "process.processTicksAndRejections", "node:internal/process/task_queues", 95,
                 false);
}

static void test_node_windows_paths_and_cut_frame(void)
{
    parse("Error: ENOENT: no such file\n"
          "    at loadTemplate (C:\\builds\\s\\dist\\render\\templates.js:14:22)\n"
          "    at C:\\builds\\s\\dist\\jobs\\monthly.js:55:11\n"
          "    at renderInvoice (C:\\builds\\s\\dist\\rend",
          STACK_LANG_NODE);
    ASSERT_TRUE(st.truncated);
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 2);
    ASSERT_FRAME(frame(0, 0), "dist/render/templates", "loadTemplate",
                 "C:\\builds\\s\\dist\\render\\templates.js", 14, true);
    ASSERT_FRAME(frame(0, 1), "dist/jobs/monthly", "", "C:\\builds\\s\\dist\\jobs\\monthly.js", 55,
                 true);
}

static void test_browser_frames_and_bundle_hashes(void)
{
    parse("TypeError: can't access property \"map\", options is undefined\n"
          "renderOptions@https://shop.example.com/static/js/main.3f9a1c2b.js:2:184233\n"
          "@https://shop.example.com/static/js/vendor.7d21e0aa.js?v=2:2:53412\n",
          STACK_LANG_NODE);
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 2);
    ASSERT_FRAME(frame(0, 0), "static/js/main", "renderOptions",
                 "https://shop.example.com/static/js/main.3f9a1c2b.js", 2, true);
    ASSERT_FRAME(frame(0, 1), "static/js/vendor", "",
                 "https://shop.example.com/static/js/vendor.7d21e0aa.js?v=2", 2, false);
}

/* ---- .NET --------------------------------------------------------------- */

static void test_dotnet_inner_exceptions(void)
{
    parse("System.InvalidOperationException: Payment capture failed for order 5512\n"
          " ---> System.Net.Http.HttpRequestException: Response status code does not indicate "
          "success: 502 (Bad Gateway).\n"
          "   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()\n"
          "   at Acme.Payments.GatewayClient.CaptureAsync(CaptureRequest request, "
          "CancellationToken ct) in /src/Acme.Payments/GatewayClient.cs:line 77\n"
          "   --- End of inner exception stack trace ---\n"
          "   at Acme.Payments.PaymentService.<CaptureAsync>d__7.MoveNext() in "
          "C:\\src\\Acme Payments\\PaymentService.cs:Zeile 131\n"
          "--- End of stack trace from previous location ---\n"
          "   at Acme.Payments.Money..ctor(Decimal amount)\n"
          "   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker."
          "<InvokeActionMethodAsync>g__Logged|12_1(ControllerActionInvoker invoker)",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_DOTNET);
    ASSERT_FALSE(st.truncated);
    ASSERT_EQ_UINT(st.n_exceptions, 2);
    ASSERT_EQ_STR(st.exceptions[0].type, "System.InvalidOperationException");
    ASSERT_EQ_STR(st.exceptions[1].type, "System.Net.Http.HttpRequestException");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_CAUSE);
    ASSERT_EQ_UINT(st.exceptions[1].n_frames, 2);
    ASSERT_FRAME(frame(1, 0), "System.Net.Http.HttpResponseMessage", "EnsureSuccessStatusCode", "",
                 0, false);
    ASSERT_FRAME(frame(1, 1), "Acme.Payments.GatewayClient", "CaptureAsync",
                 "/src/Acme.Payments/GatewayClient.cs", 77, true);
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 3);
    /* a Windows path with a space, and a localised "line" */
    ASSERT_FRAME(frame(0, 0), "Acme.Payments.PaymentService.<CaptureAsync>d__7", "MoveNext",
                 "C:\\src\\Acme Payments\\PaymentService.cs", 131, true);
    ASSERT_FRAME(frame(0, 1), "Acme.Payments.Money", ".ctor", "", 0, true);
    ASSERT_FRAME(frame(0, 2), "Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker",
                 "<InvokeActionMethodAsync>g__Logged|12_1", "", 0, false);
}

static void test_dotnet_code_in_type_and_cut(void)
{
    parse("Microsoft.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.\n"
          " ---> System.ComponentModel.Win32Exception (258): The wait operation timed out.\n"
          "   --- End of inner exception stack trace ---\n"
          "   at Acme.Reports.Data.SalesRepository.DailyTotals(DateTime day) in /src/Sales",
          STACK_LANG_DOTNET);
    ASSERT_EQ_STR(st.exceptions[0].type, "Microsoft.Data.SqlClient.SqlException");
    ASSERT_EQ_STR(st.exceptions[0].message, "Execution Timeout Expired.");
    ASSERT_EQ_STR(st.exceptions[1].type, "System.ComponentModel.Win32Exception");
    ASSERT_EQ_STR(frame(0, 0)->function, "DailyTotals");
    ASSERT_TRUE(st.truncated); /* the path of the last frame was cut */
    ASSERT_FALSE(st.exceptions[0].complete);
}

/* ---- Ruby --------------------------------------------------------------- */

static void test_ruby_causes_and_labels(void)
{
    parse("/app/app/services/refunds/issue.rb:37:in 'Refunds::Issue#call': refund (exceeds) "
          "captured amount (Refunds::AmountExceeded)\n"
          "\tfrom /app/app/controllers/api/refunds_controller.rb:18:in "
          "'block (2 levels) in Api::RefundsController#create'\n"
          "\tfrom /usr/local/bundle/gems/puma-6.4.3/lib/puma/thread_pool.rb:155:in "
          "'block in Puma::ThreadPool#spawn_thread'\n"
          "/app/app/clients/ledger_client.rb:44:in `balance_for': Net::ReadTimeout with "
          "#<TCPSocket:(closed)> (Net::ReadTimeout)\n"
          "\tfrom /app/app/services/refunds/issue.rb:29:in 'Refunds::Issue.call'\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_RUBY);
    ASSERT_EQ_UINT(st.n_exceptions, 2);
    ASSERT_EQ_STR(st.exceptions[0].type, "Refunds::AmountExceeded");
    ASSERT_EQ_STR(st.exceptions[0].message, "refund (exceeds) captured amount");
    ASSERT_FRAME(frame(0, 0), "Refunds::Issue", "call", "/app/app/services/refunds/issue.rb", 37,
                 true);
    ASSERT_FRAME(frame(0, 1), "Api::RefundsController", "block (2 levels) in create",
                 "/app/app/controllers/api/refunds_controller.rb", 18, true);
    ASSERT_FRAME(frame(0, 2), "Puma::ThreadPool", "block in spawn_thread",
                 "/usr/local/bundle/gems/puma-6.4.3/lib/puma/thread_pool.rb", 155, false);
    ASSERT_EQ_STR(st.exceptions[1].type, "Net::ReadTimeout");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_CAUSE);
    ASSERT_EQ_STR(st.exceptions[1].message, "Net::ReadTimeout with #<TCPSocket:(closed)>");
    /* old-style label: the module comes from the path */
    ASSERT_FRAME(frame(1, 0), "app/clients/ledger_client", "balance_for",
                 "/app/app/clients/ledger_client.rb", 44, true);
    ASSERT_FRAME(frame(1, 1), "Refunds::Issue", "call", "/app/app/services/refunds/issue.rb", 29,
                 true);
}

/* Found by the stacktrace fuzz target: a "... in " prefix longer than the
 * kept function name overflowed the name buffer. Both parts are cut. */
static void test_ruby_label_prefix_longer_than_a_name(void)
{
    static char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "/app/app/jobs/sync_job.rb:22:in 'block in ");
    memset(text + n, 'x', 1500);
    n += 1500;
    n += (size_t)snprintf(text + n, sizeof text - n,
                          " in SyncJob#perform': boom (RuntimeError)\n"
                          "\tfrom /app/app/jobs/sync_job.rb:9:in 'SyncJob#run'\n");
    parse(text, STACK_LANG_RUBY);
    ASSERT_EQ_UINT(st.n_frames, 2);
    const char *fn = frame(0, 0)->function;
    ASSERT_TRUE(strlen(fn) <= 512);
    ASSERT_TRUE(strncmp(fn, "block in xxxx", 13) == 0);
    ASSERT_FRAME(frame(0, 1), "SyncJob", "run", "/app/app/jobs/sync_job.rb", 9, true);
}

/* Found by the stacktrace fuzz target: an aggregate-end marker right after
 * "at" ("   at <---") left a two-byte frame that was read as if longer. */
static void test_dotnet_at_with_only_the_aggregate_marker(void)
{
    static const char *const texts[] = {
        "System.AggregateException: boom\n   at <---\n",
        "System.AggregateException: boom\n   at <---",
        "System.AggregateException: boom\n   at  <---\n   at A.B() in /x.cs:line 3\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        parse(texts[i], STACK_LANG_DOTNET);
        ASSERT_EQ_UINT(st.n_exceptions, 1);
        for (size_t f = 0; f < st.n_frames; f++)
            ASSERT_TRUE(st.frames[f].text_offset + st.frames[f].text_length <= strlen(texts[i]));
    }
}

/* ---- PHP ---------------------------------------------------------------- */

static void test_php_native_with_next_chain(void)
{
    parse("PDOException: SQLSTATE[23000]: Duplicate entry in /var/www/src/Writer.php:71\n"
          "Stack trace:\n"
          "#0 /var/www/src/Writer.php(71): PDOStatement->execute(Array)\n"
          "#1 /var/www/src/Import/CsvImport.php(45): App\\Catalog\\Writer->insert(Array)\n"
          "#2 [internal function]: App\\Catalog\\Import\\CsvImport->run('/tmp/x')\n"
          "#3 /var/www/vendor/symfony/console/Command.php(326): call_user_func(Array)\n"
          "#4 {main}\n"
          "\n"
          "Next App\\Catalog\\ImportFailed: Row 318 could not be imported in "
          "/var/www/src/Import/CsvImport.php:49\n"
          "Stack trace:\n"
          "#0 /var/www/bin/console(15): App\\Catalog\\Import\\CsvImport->{closure:/var/www/src/x."
          "php:12}('a')\n"
          "#1 {main}\n"
          "  thrown in /var/www/src/Import/CsvImport.php on line 49\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_PHP);
    ASSERT_EQ_UINT(st.n_exceptions, 2);
    ASSERT_EQ_STR(st.exceptions[0].type, "App\\Catalog\\ImportFailed");
    ASSERT_EQ_STR(st.exceptions[0].message, "Row 318 could not be imported");
    ASSERT_EQ_STR(st.exceptions[1].type, "PDOException");
    ASSERT_EQ_INT(st.exceptions[1].relation, STACK_REL_CAUSE);
    ASSERT_EQ_STR(st.exceptions[1].message, "SQLSTATE[23000]: Duplicate entry");
    /* each frame carries where its function ran: the previous line's location */
    ASSERT_FRAME(frame(1, 0), "PDOStatement", "execute", "/var/www/src/Writer.php", 71, true);
    ASSERT_FRAME(frame(1, 1), "App\\Catalog\\Writer", "insert", "/var/www/src/Writer.php", 71,
                 true);
    ASSERT_FRAME(frame(1, 2), "App\\Catalog\\Import\\CsvImport", "run",
                 "/var/www/src/Import/CsvImport.php", 45, true);
    ASSERT_FRAME(frame(1, 3), "", "call_user_func", "", 0, false);
    ASSERT_FRAME(frame(1, 4), "", "{main}", "/var/www/vendor/symfony/console/Command.php", 326,
                 false);
    ASSERT_FRAME(frame(0, 0), "App\\Catalog\\Import\\CsvImport", "{closure:/var/www/src/x.php:12}",
                 "/var/www/src/Import/CsvImport.php", 49, true);
}

static void test_php_otel_java_shape(void)
{
    parse("App.Billing.InvoiceNotFound: Invoice 88123 not found\n"
          "\tat App.Billing.InvoiceRepository.get(InvoiceRepository.php:54)\n"
          "\tat Symfony.Component.HttpKernel.HttpKernel.handle(HttpKernel.php:76)\n"
          "\tat {main}(index.php:20)\n"
          "Caused by: PDOException: SQLSTATE[HY000] [2002] Connection refused\n"
          "\tat PDO.__construct(Connection.php:67)\n"
          "\t... 2 more",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_PHP);
    ASSERT_FALSE(st.truncated);
    ASSERT_EQ_STR(st.exceptions[0].type, "App\\Billing\\InvoiceNotFound");
    ASSERT_FRAME(frame(0, 0), "App\\Billing\\InvoiceRepository", "get", "InvoiceRepository.php", 54,
                 true);
    ASSERT_FRAME(frame(0, 1), "Symfony\\Component\\HttpKernel\\HttpKernel", "handle",
                 "HttpKernel.php", 76, false);
    ASSERT_FRAME(frame(0, 2), "", "{main}", "index.php", 20, false);
    ASSERT_EQ_STR(st.exceptions[1].type, "PDOException");
    ASSERT_FRAME(frame(1, 0), "PDO", "__construct", "Connection.php", 67, false);
}

/* ---- other formats and edge inputs --------------------------------------- */

static void test_unknown_format_gives_line_frames(void)
{
    parse("thread 'main' panicked at src/config.rs:27:10:\n"
          "called `Option::unwrap()` on a `None` value\n"
          "   0: rust_begin_unwind\n",
          STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_UNKNOWN);
    ASSERT_EQ_UINT(st.n_exceptions, 1);
    ASSERT_EQ_STR(st.exceptions[0].type, "");
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 2);
    ASSERT_EQ_STR(frame(0, 1)->module, "");
    ASSERT_EQ_STR(frame(0, 1)->function, "0: rust_begin_unwind");
    ASSERT_FALSE(frame(0, 1)->in_app);
}

static void test_empty_and_null_inputs(void)
{
    parse("", STACK_LANG_UNKNOWN);
    ASSERT_EQ_UINT(st.n_exceptions, 0);
    ASSERT_EQ_UINT(st.n_frames, 0);
    ASSERT_FALSE(st.truncated);
    stacktrace_parse(&st, NULL, 100, STACK_LANG_JVM);
    ASSERT_EQ_UINT(st.n_frames, 0);
    parse("\n\n   \n", STACK_LANG_PYTHON);
    ASSERT_EQ_UINT(st.n_frames, 0);
    /* a wrong hint falls back to sniffing */
    parse(java_trace, STACK_LANG_PYTHON);
    ASSERT_EQ_INT(st.language, STACK_LANG_JVM);
    ASSERT_EQ_UINT(st.exceptions[0].n_frames, 5);
}

static void test_one_megabyte_inputs_are_bounded(void)
{
    size_t size = 1024 * 1024;
    char *big = malloc(size);
    /* 1 MB of Java frames */
    const char *line = "\tat com.acme.deep.Recursion.step(Recursion.java:42)\n";
    size_t ll = strlen(line), used = 0;
    memcpy(big, "java.lang.StackOverflowError\n", 29);
    used = 29;
    while (used + ll <= size) {
        memcpy(big + used, line, ll);
        used += ll;
    }
    stacktrace_parse(&st, big, used, STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(st.language, STACK_LANG_JVM);
    ASSERT_TRUE(st.truncated);
    ASSERT_EQ_UINT(st.n_frames, STACKTRACE_MAX_FRAMES);
    /* 1 MB on one line, no newline */
    memset(big, 'a', size);
    stacktrace_parse(&st, big, size, STACK_LANG_UNKNOWN);
    ASSERT_TRUE(st.truncated);
    ASSERT_TRUE(st.n_frames <= 1);
    /* 1 MB of newlines and of a long Python message */
    memset(big, '\n', size);
    stacktrace_parse(&st, big, size, STACK_LANG_PYTHON);
    ASSERT_EQ_UINT(st.n_frames, 0);
    memcpy(big, "Traceback (most recent call last):\nValueError: ", 47);
    memset(big + 47, 'x', size - 47);
    stacktrace_parse(&st, big, size, STACK_LANG_UNKNOWN);
    ASSERT_EQ_UINT(st.n_exceptions, 1);
    ASSERT_EQ_UINT(strlen(st.exceptions[0].message), STACKTRACE_MAX_MESSAGE);
    /* 1 MB of Go goroutines: only the first is read */
    used = 0;
    while (used + sizeof go_otel_trace < size) {
        memcpy(big + used, go_otel_trace, sizeof go_otel_trace - 1);
        used += sizeof go_otel_trace - 1;
    }
    stacktrace_parse(&st, big, used, STACK_LANG_UNKNOWN);
    ASSERT_EQ_UINT(st.n_frames, 8);
    free(big);
}

static void test_every_cut_of_every_language_is_safe(void)
{
    const char *const samples[] = {python_chain, java_trace, go_otel_trace, NULL};
    char buf[4096];
    for (size_t s = 0; samples[s]; s++) {
        size_t n = strlen(samples[s]);
        for (size_t cut = 0; cut <= n && cut < sizeof buf; cut++) {
            memcpy(buf, samples[s], cut);
            stacktrace_parse(&st, buf, cut, STACK_LANG_UNKNOWN);
            for (size_t i = 0; i < st.n_frames; i++)
                ASSERT_TRUE(st.frames[i].text_offset + st.frames[i].text_length <= cut);
        }
    }
}

static void test_language_names_and_sdk_hints(void)
{
    ASSERT_EQ_INT(stack_language_from_sdk("python"), STACK_LANG_PYTHON);
    ASSERT_EQ_INT(stack_language_from_sdk("Java"), STACK_LANG_JVM);
    ASSERT_EQ_INT(stack_language_from_sdk("nodejs"), STACK_LANG_NODE);
    ASSERT_EQ_INT(stack_language_from_sdk("webjs"), STACK_LANG_NODE);
    ASSERT_EQ_INT(stack_language_from_sdk("dotnet"), STACK_LANG_DOTNET);
    ASSERT_EQ_INT(stack_language_from_sdk("cpp"), STACK_LANG_UNKNOWN);
    ASSERT_EQ_INT(stack_language_from_sdk(NULL), STACK_LANG_UNKNOWN);
    ASSERT_EQ_STR(stack_language_name(STACK_LANG_JVM), "java");
    ASSERT_EQ_STR(stack_language_name(STACK_LANG_NODE), "nodejs");
    ASSERT_EQ_STR(stack_language_name(STACK_LANG_COUNT), "unknown");
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_python_chain_is_reported_first_innermost_first),
    UNIT_TEST(test_python_context_and_stdlib_and_repeats),
    UNIT_TEST(test_python_syntax_error_frame_without_function),
    UNIT_TEST(test_python_exception_group_members_follow_group),
    UNIT_TEST(test_python_windows_paths),
    UNIT_TEST(test_python_cut_inside_frame_line_is_dropped),
    UNIT_TEST(test_java_chain_suppressed_and_more),
    UNIT_TEST(test_java_multiline_message_and_thread_prefix),
    UNIT_TEST(test_kotlin_coroutines_and_unicode_names),
    UNIT_TEST(test_java_cut_at_2k_marks_exception_incomplete),
    UNIT_TEST(test_go_otel_record_error_stack),
    UNIT_TEST(test_go_cut_at_2048_bytes),
    UNIT_TEST(test_go_panic_recovered_and_dump),
    UNIT_TEST(test_node_v8_frames),
    UNIT_TEST(test_node_windows_paths_and_cut_frame),
    UNIT_TEST(test_browser_frames_and_bundle_hashes),
    UNIT_TEST(test_dotnet_inner_exceptions),
    UNIT_TEST(test_dotnet_code_in_type_and_cut),
    UNIT_TEST(test_ruby_causes_and_labels),
    UNIT_TEST(test_ruby_label_prefix_longer_than_a_name),
    UNIT_TEST(test_dotnet_at_with_only_the_aggregate_marker),
    UNIT_TEST(test_php_native_with_next_chain),
    UNIT_TEST(test_php_otel_java_shape),
    UNIT_TEST(test_unknown_format_gives_line_frames),
    UNIT_TEST(test_empty_and_null_inputs),
    UNIT_TEST(test_one_megabyte_inputs_are_bounded),
    UNIT_TEST(test_every_cut_of_every_language_is_safe),
    UNIT_TEST(test_language_names_and_sdk_hints),
    {0},
};

int main(int argc, char **argv)
{
    stacktrace_init(&st);
    int rc = unit_run(tests, argc, argv);
    stacktrace_cleanup(&st);
    return rc;
}
