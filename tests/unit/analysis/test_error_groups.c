/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for the error-groups engine and the error-summary aggregator
 * (src/analysis/error_groups.h, error_summary.h, sparkline.h). Every
 * expected count, trend, flag, factor and order below was worked out by
 * hand from the events listed in each test.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/error_groups.h"
#include "analysis/error_summary.h"
#include "analysis/sparkline.h"
#include "test.h"

#define S    1000000000LL /* one second in ns */
#define FROM (1000 * S)
#define TO   (1100 * S) /* 100 s range: 4 buckets of 25 s */
#define BASE (900 * S)  /* baseline: [900 s, 1000 s) */

/* Bug A: one Java stack, lines moving between events. */
static char java_a[16][512];
static const char *java_a_trace(int line)
{
    static int next;
    char *buf = java_a[next++ % 16];
    snprintf(buf, sizeof java_a[0],
             "com.acme.PaymentException: declined\n"
             "\tat com.acme.pay.Gateway.charge(Gateway.java:%d)\n"
             "\tat com.acme.pay.CheckoutService.pay(CheckoutService.java:%d)\n"
             "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n",
             line, line + 40);
    return buf;
}

static const char python_d[] = "Traceback (most recent call last):\n"
                               "  File \"/srv/app/jobs/sync.py\", line 40, in parse_row\n"
                               "ValueError: bad row\n";

static struct error_event event(int64_t t, const char *service, const char *route, const char *type,
                                const char *message, const char *trace, const char *trace_id,
                                bool baseline)
{
    struct error_event ev = {
        .time_ns = t,
        .service = service,
        .route = route,
        .exception_type = type,
        .message = message,
        .stacktrace = trace,
        .sdk_language = NULL,
        .trace_id = trace_id,
        .span_id = "00f067aa0ba902b7",
        .in_baseline = baseline,
    };
    return ev;
}

/* The scenario of most tests: groups A (ongoing), B and D (new), C (resolved). */
static void feed_scenario(struct error_groups *g, bool reverse)
{
    struct error_event evs[] = {
        /* A: current at 1 s, 30 s, 31 s, 99 s -> buckets 0,1,1,3; baseline 2 */
        event(FROM + 1 * S, "checkout", "POST /api/checkout", "com.acme.PaymentException",
              "declined 1", java_a_trace(10), "a1", false),
        event(FROM + 30 * S, "cart", "POST /api/checkout", "com.acme.PaymentException",
              "declined 2", java_a_trace(12), "a2", false),
        event(FROM + 31 * S, "checkout", "POST /api/checkout", "com.acme.PaymentException",
              "declined 3", java_a_trace(14), "a3", false),
        event(FROM + 99 * S, "checkout", "POST /api/pay", "com.acme.PaymentException", "declined 4",
              java_a_trace(16), "a9", false),
        event(FROM + 99 * S, "checkout", "POST /api/pay", "com.acme.PaymentException", "declined 5",
              java_a_trace(16), "a4", false),
        event(950 * S, "checkout", "POST /api/checkout", "com.acme.PaymentException", "old",
              java_a_trace(10), "b1", true),
        event(990 * S, "checkout", "POST /api/checkout", "com.acme.PaymentException", "old",
              java_a_trace(10), "b2", true),
        /* B: no stack, current at 50 s and 60 s -> bucket 2 twice; new */
        event(FROM + 50 * S, "payments", "POST /charge", "*url.Error",
              "dial tcp 10.0.0.7:8443: connection refused", NULL, "c1", false),
        event(FROM + 60 * S, "payments", "POST /charge", "*url.Error",
              "dial tcp 10.0.0.9:8443: connection refused", "", "c2", false),
        /* C: baseline only (3) -> resolved */
        event(910 * S, "search", "GET /search", "TimeoutError", "search took 5001ms", NULL, "d1",
              true),
        event(920 * S, "search", "GET /search", "TimeoutError", "search took 5003ms", NULL, "d2",
              true),
        event(930 * S, "search", "GET /search", "TimeoutError", "search took 5020ms", NULL, "d3",
              true),
        /* D: Python, current at 10 s and 70 s -> buckets 0 and 2; new */
        event(FROM + 10 * S, "inventory", "sync", "ValueError", "bad row", python_d, "e1", false),
        event(FROM + 70 * S, "inventory", "sync", "ValueError", "bad row", python_d, "e2", false),
    };
    size_t n = sizeof evs / sizeof evs[0];
    for (size_t i = 0; i < n; i++)
        error_groups_add(g, &evs[reverse ? n - 1 - i : i]);
}

static struct error_groups *scenario(bool list_resolved, bool reverse)
{
    struct error_groups_options opt = {.from_ns = FROM,
                                       .to_ns = TO,
                                       .buckets = 4,
                                       .baseline = true,
                                       .list_resolved = list_resolved};
    struct error_groups *g = error_groups_new(&opt);
    feed_scenario(g, reverse);
    return g;
}

static void test_rows_by_count_with_trends_and_flags(void)
{
    struct error_groups *g = scenario(true, false);
    size_t n;
    const struct error_group *const *rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_UINT(n, 4);
    ASSERT_EQ_UINT(error_groups_events(g), 14);
    ASSERT_EQ_UINT(error_groups_dropped(g), 0);

    const struct error_group *a = rows[0];
    ASSERT_EQ_STR(a->exception_type, "com.acme.PaymentException");
    ASSERT_EQ_STR(a->culprit, "com.acme.pay.Gateway.charge");
    ASSERT_EQ_STR(a->stack_top, "at com.acme.pay.Gateway.charge(Gateway.java:16)");
    ASSERT_EQ_STR(a->message_template, "declined <num>");
    ASSERT_EQ_STR(a->components, "type:com.acme.PaymentException\n"
                                 "exception:com.acme.PaymentException\n"
                                 "frame:com.acme.pay.Gateway|charge\n"
                                 "frame:com.acme.pay.CheckoutService|pay\n");
    ASSERT_EQ_STR(a->language, "java");
    ASSERT_EQ_INT(a->count, 5);
    ASSERT_EQ_INT(a->previous_count, 2);
    ASSERT_EQ_INT(a->trend[0], 1);
    ASSERT_EQ_INT(a->trend[1], 2);
    ASSERT_EQ_INT(a->trend[2], 0);
    ASSERT_EQ_INT(a->trend[3], 2);
    ASSERT_EQ_STR(a->sparkline, "\xe2\x96\x85\xe2\x96\x88\xe2\x96\x81\xe2\x96\x88"); /* ▅█▁█ */
    ASSERT_EQ_INT(a->first_seen_ns, 950 * S);
    ASSERT_EQ_INT(a->last_seen_ns, FROM + 99 * S);
    ASSERT_FALSE(a->is_new);
    ASSERT_EQ_INT(a->status, ERROR_GROUP_STATUS_ONGOING);
    ASSERT_EQ_DBL(a->change, 2.5, 1e-12);
    /* latest current event; at equal times the smaller trace ID */
    ASSERT_EQ_STR(a->trace_id, "a4");
    ASSERT_EQ_STR(a->span_id, "00f067aa0ba902b7");
    ASSERT_EQ_UINT(a->services.n, 2);
    ASSERT_EQ_STR(a->services.items[0], "cart");
    ASSERT_EQ_STR(a->services.items[1], "checkout");
    ASSERT_EQ_UINT(a->routes.n, 2);
    ASSERT_EQ_STR(a->routes.items[0], "POST /api/checkout");
    ASSERT_EQ_STR(a->routes.items[1], "POST /api/pay");
    struct et_buf json;
    et_buf_init(&json, ET_BUF_UNLIMITED);
    error_group_trend_json(g, a, &json);
    ASSERT_EQ_STR(et_buf_cstr(&json), "[1,2,0,2]");
    et_buf_cleanup(&json);

    /* D and B both count 2 and are new: D was seen last (70 s > 60 s) */
    const struct error_group *d = rows[1], *b = rows[2];
    ASSERT_EQ_STR(d->exception_type, "ValueError");
    ASSERT_EQ_STR(d->culprit, "app.jobs.sync.parse_row");
    ASSERT_EQ_INT(d->count, 2);
    ASSERT_EQ_INT(d->trend[0], 1);
    ASSERT_EQ_INT(d->trend[2], 1);
    ASSERT_EQ_STR(d->sparkline, "\xe2\x96\x88\xe2\x96\x81\xe2\x96\x88\xe2\x96\x81"); /* █▁█▁ */
    ASSERT_TRUE(d->is_new);
    ASSERT_EQ_INT(d->status, ERROR_GROUP_STATUS_NEW);
    ASSERT_TRUE(isnan(d->change));
    ASSERT_EQ_STR(d->trace_id, "e2");

    ASSERT_EQ_STR(b->exception_type, "*url.Error");
    ASSERT_EQ_STR(b->message_template, "dial tcp <ip>:8443: connection refused");
    ASSERT_EQ_STR(b->culprit, "");
    ASSERT_EQ_INT(b->count, 2);
    ASSERT_EQ_INT(b->trend[2], 2);
    ASSERT_EQ_STR(b->sparkline, "\xe2\x96\x81\xe2\x96\x81\xe2\x96\x88\xe2\x96\x81"); /* ▁▁█▁ */
    ASSERT_TRUE(b->is_new);
    ASSERT_EQ_INT(b->first_seen_ns, FROM + 50 * S);
    ASSERT_EQ_INT(b->last_seen_ns, FROM + 60 * S);
    ASSERT_EQ_STR(b->services.items[0], "payments");

    const struct error_group *c = rows[3];
    ASSERT_EQ_STR(c->exception_type, "TimeoutError");
    ASSERT_EQ_STR(c->message_template, "search took <duration>");
    ASSERT_EQ_INT(c->count, 0);
    ASSERT_EQ_INT(c->previous_count, 3);
    ASSERT_EQ_DBL(c->change, 0.0, 0);
    ASSERT_EQ_INT(c->status, ERROR_GROUP_STATUS_RESOLVED);
    ASSERT_FALSE(c->is_new);
    ASSERT_EQ_STR(c->sparkline, "\xe2\x96\x81\xe2\x96\x81\xe2\x96\x81\xe2\x96\x81");
    ASSERT_EQ_STR(c->trace_id, "d3"); /* latest baseline event */
    ASSERT_EQ_INT(c->first_seen_ns, 910 * S);
    ASSERT_EQ_INT(c->last_seen_ns, 930 * S);
    ASSERT_EQ_STR(error_group_status_name(c->status), "resolved");
    error_groups_free(g);
}

static void test_rows_by_new_and_without_resolved(void)
{
    struct error_groups *g = scenario(false, false);
    size_t n;
    const struct error_group *const *rows = error_groups_rows(g, ERROR_GROUPS_BY_NEW, &n);
    ASSERT_EQ_UINT(n, 3); /* the resolved group is left out without compareTo */
    ASSERT_EQ_STR(rows[0]->exception_type, "ValueError");
    ASSERT_EQ_STR(rows[1]->exception_type, "*url.Error");
    ASSERT_EQ_STR(rows[2]->exception_type, "com.acme.PaymentException");
    error_groups_free(g);

    g = scenario(true, false);
    rows = error_groups_rows(g, ERROR_GROUPS_BY_NEW, &n);
    ASSERT_EQ_UINT(n, 4);
    ASSERT_EQ_STR(rows[3]->exception_type, "TimeoutError"); /* resolved last */
    /* asking again with another order is allowed */
    rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_STR(rows[0]->exception_type, "com.acme.PaymentException");
    error_groups_free(g);
}

static void test_result_does_not_depend_on_event_order(void)
{
    struct error_groups *g1 = scenario(true, false), *g2 = scenario(true, true);
    size_t n1, n2;
    const struct error_group *const *r1 = error_groups_rows(g1, ERROR_GROUPS_BY_COUNT, &n1);
    const struct error_group *const *r2 = error_groups_rows(g2, ERROR_GROUPS_BY_COUNT, &n2);
    ASSERT_EQ_UINT(n1, n2);
    for (size_t i = 0; i < n1; i++) {
        ASSERT_EQ_STR(r1[i]->id, r2[i]->id);
        ASSERT_EQ_INT(r1[i]->count, r2[i]->count);
        ASSERT_EQ_STR(r1[i]->trace_id, r2[i]->trace_id);
        ASSERT_EQ_STR(r1[i]->message_template, r2[i]->message_template);
        ASSERT_EQ_STR(r1[i]->stack_top, r2[i]->stack_top);
        ASSERT_EQ_STR(r1[i]->sparkline, r2[i]->sparkline);
    }
    error_groups_free(g1);
    error_groups_free(g2);
}

static void test_exact_ties_order_by_fingerprint(void)
{
    struct error_groups_options opt = {.from_ns = FROM, .to_ns = TO, .buckets = 4};
    struct error_groups *g = error_groups_new(&opt);
    const char *types[] = {"E1", "E2", "E3", "E4", "E5"};
    for (int i = 0; i < 5; i++) {
        struct error_event ev = event(FROM + 5 * S, "svc", "r", types[i], "same", NULL, "t", false);
        error_groups_add(g, &ev);
    }
    size_t n;
    const struct error_group *const *rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_UINT(n, 5);
    for (size_t i = 1; i < n; i++)
        ASSERT_TRUE(rows[i - 1]->fingerprint < rows[i]->fingerprint);
    /* no baseline: nothing is new, no status, no change */
    ASSERT_FALSE(rows[0]->is_new);
    ASSERT_EQ_INT(rows[0]->status, ERROR_GROUP_STATUS_NONE);
    ASSERT_EQ_STR(error_group_status_name(rows[0]->status), "");
    ASSERT_TRUE(isnan(rows[0]->change));
    error_groups_free(g);
}

static void test_buckets_edges_and_clamping(void)
{
    struct error_groups_options opt = {.from_ns = FROM, .to_ns = TO, .buckets = 4};
    struct error_groups *g = error_groups_new(&opt);
    int64_t times[] = {FROM - 5 * S,  FROM, FROM + 25 * S - 1, FROM + 25 * S,
                       FROM + 75 * S, TO,   TO + 9 * S};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        struct error_event ev = event(times[i], "s", "r", "E", "m", NULL, "t", false);
        error_groups_add(g, &ev);
    }
    size_t n;
    const struct error_group *const *rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_UINT(n, 1);
    /* before the range -> 0; 0 s -> 0; 25 s - 1 ns -> 0; 25 s -> 1; 75 s -> 3;
     * the end and after -> 3 */
    ASSERT_EQ_INT(rows[0]->trend[0], 3);
    ASSERT_EQ_INT(rows[0]->trend[1], 1);
    ASSERT_EQ_INT(rows[0]->trend[2], 0);
    ASSERT_EQ_INT(rows[0]->trend[3], 3);
    ASSERT_EQ_INT(error_groups_buckets(g), 4);
    ASSERT_EQ_INT(error_groups_bucket_start(g, 0), FROM);
    ASSERT_EQ_INT(error_groups_bucket_start(g, 1), FROM + 25 * S);
    ASSERT_EQ_INT(error_groups_bucket_start(g, 3), FROM + 75 * S);
    error_groups_free(g);

    /* bucket counts are clamped to 1..200, an empty range made valid */
    struct error_groups_options odd = {.from_ns = FROM, .to_ns = FROM, .buckets = 1000};
    g = error_groups_new(&odd);
    ASSERT_EQ_INT(error_groups_buckets(g), ERROR_GROUPS_MAX_BUCKETS);
    struct error_event ev = event(FROM, "s", "r", "E", "m", NULL, "t", false);
    error_groups_add(g, &ev);
    rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_INT(rows[0]->trend[0], 1);
    error_groups_free(g);
}

static void test_names_are_capped_and_empty_ones_skipped(void)
{
    struct error_groups_options opt = {.from_ns = FROM, .to_ns = TO, .buckets = 2};
    struct error_groups *g = error_groups_new(&opt);
    for (int i = 0; i < 25; i++) {
        char service[32];
        snprintf(service, sizeof service, "svc-%02d", 24 - i);
        struct error_event ev =
            event(FROM + S, service, i % 2 ? "" : NULL, "E", "m", NULL, "t", false);
        error_groups_add(g, &ev);
    }
    size_t n;
    const struct error_group *const *rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_UINT(rows[0]->services.n, ERROR_GROUPS_MAX_NAMES);
    ASSERT_TRUE(rows[0]->services_capped);
    ASSERT_EQ_STR(rows[0]->services.items[0], "svc-05"); /* the first 20 seen, sorted */
    ASSERT_EQ_UINT(rows[0]->routes.n, 0);
    ASSERT_FALSE(rows[0]->routes_capped);
    error_groups_free(g);
}

static void test_group_limit_counts_dropped_events(void)
{
    struct error_groups_options opt = {.from_ns = FROM, .to_ns = TO, .buckets = 2};
    struct error_groups *g = error_groups_new(&opt);
    char type[32];
    for (int i = 0; i <= ERROR_GROUPS_MAX_GROUPS; i++) {
        snprintf(type, sizeof type, "Error%d", i); /* a distinct word each: a distinct group */
        struct error_event ev = event(FROM + S, "s", "r", type, "m", NULL, "t", false);
        error_groups_add(g, &ev);
    }
    /* an event of an existing group is still counted */
    struct error_event again = event(FROM + S, "s", "r", "Error7", "m", NULL, "t", false);
    error_groups_add(g, &again);
    size_t n;
    error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
    ASSERT_EQ_UINT(n, ERROR_GROUPS_MAX_GROUPS);
    ASSERT_EQ_UINT(error_groups_dropped(g), 1);
    ASSERT_EQ_UINT(error_groups_events(g), ERROR_GROUPS_MAX_GROUPS + 2);
    error_groups_free(g);
}

static void test_sparkline_levels(void)
{
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    uint32_t v[] = {0, 1, 7, 14, 100};
    sparkline_write(v, 5, &b);
    /* 0 -> U+2581; else ceil(7v/100): 1 -> 1, 7 -> 1, 14 -> 1 (0.98 -> 1), 100 -> 7 */
    ASSERT_EQ_STR(et_buf_cstr(&b), "▁▂▂▂█");
    et_buf_reset(&b);
    uint32_t w[] = {1, 2, 3, 4, 5, 6, 7, 0};
    sparkline_write(w, 8, &b);
    ASSERT_EQ_STR(et_buf_cstr(&b), "▂▃▄▅▆▇█▁");
    et_buf_reset(&b);
    uint32_t z[] = {0, 0};
    sparkline_write(z, 2, &b);
    ASSERT_EQ_STR(et_buf_cstr(&b), "▁▁");
    et_buf_cleanup(&b);
}

/* ---- error-summary ------------------------------------------------------ */

static void test_summary_groups_by_service_and_type(void)
{
    struct error_summary *s = error_summary_new();
    struct error_event evs[] = {
        event(FROM + 1 * S, "checkout", "r", "KeyError", "k1", "trace k1", "t1", false),
        event(FROM + 5 * S, "checkout", "r", "KeyError", "k2", "trace k2", "t2", false),
        event(FROM + 3 * S, "checkout", "r", "KeyError", "k3", "trace k3", "t3", false),
        event(FROM + 2 * S, "cart", "r", "KeyError", "c1", NULL, "t4", false),
        event(FROM + 4 * S, "checkout", "r", "TimeoutError", "x1", "", "t5", false),
        event(FROM + 9 * S, "checkout", "r", "TimeoutError", "x2", "", "t7", false),
        event(FROM + 9 * S, "checkout", "r", "TimeoutError", "x3", "", "t6", false),
        event(FROM + 50 * S, "checkout", "r", "KeyError", "old", "", "t0", true),
        event(FROM + 6 * S, NULL, "r", NULL, "no service", NULL, "t8", false),
    };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        error_summary_add(s, &evs[i]);
    size_t n;
    const struct error_summary_row *const *rows = error_summary_rows(s, &n);
    ASSERT_EQ_UINT(n, 4);
    /* 3 and 3: TimeoutError was seen last (9 s > 5 s) */
    ASSERT_EQ_STR(rows[0]->service, "checkout");
    ASSERT_EQ_STR(rows[0]->exception_type, "TimeoutError");
    ASSERT_EQ_INT(rows[0]->count, 3);
    ASSERT_EQ_INT(rows[0]->first_seen_ns, FROM + 4 * S);
    ASSERT_EQ_INT(rows[0]->last_seen_ns, FROM + 9 * S);
    ASSERT_EQ_STR(rows[0]->trace_id, "t6"); /* equal times: the smaller trace ID */
    ASSERT_EQ_STR(rows[0]->message, "x3");
    ASSERT_EQ_STR(rows[1]->exception_type, "KeyError");
    ASSERT_EQ_STR(rows[1]->service, "checkout");
    ASSERT_EQ_INT(rows[1]->count, 3); /* the baseline event is not counted */
    ASSERT_EQ_INT(rows[1]->first_seen_ns, FROM + 1 * S);
    ASSERT_EQ_INT(rows[1]->last_seen_ns, FROM + 5 * S);
    ASSERT_EQ_STR(rows[1]->trace_id, "t2");
    ASSERT_EQ_STR(rows[1]->message, "k2");
    ASSERT_EQ_STR(rows[1]->stacktrace, "trace k2");
    /* 1 and 1: the later one first */
    ASSERT_EQ_STR(rows[2]->service, "");
    ASSERT_EQ_STR(rows[2]->exception_type, "");
    ASSERT_EQ_STR(rows[3]->service, "cart");
    ASSERT_EQ_STR(rows[3]->stacktrace, "");
    ASSERT_EQ_UINT(error_summary_dropped(s), 0);
    error_summary_free(s);
}

static void test_summary_caps_the_example_stack(void)
{
    /* "x" then "é" (2 bytes) repeated: one "é" straddles the cap */
    static char big[100 * 1024];
    big[0] = 'x';
    for (size_t i = 1; i + 2 < sizeof big; i += 2) {
        big[i] = (char)0xC3;
        big[i + 1] = (char)0xA9;
    }
    big[sizeof big - 1] = '\0';
    struct error_summary *s = error_summary_new();
    struct error_event ev = event(FROM, "s", "r", "E", "m", big, "t", false);
    error_summary_add(s, &ev);
    size_t n;
    const struct error_summary_row *const *rows = error_summary_rows(s, &n);
    ASSERT_EQ_UINT(strlen(rows[0]->stacktrace), ERROR_SUMMARY_MAX_STACK - 1);
    error_summary_free(s);
}

/* Grouping by pointer (error_summary_new_stable) gives the rows grouping
 * by text gives: 150 (service, type) pairs over 7 services, each text at
 * three addresses (as three parsers' pools would hold it), 3,000 events
 * over more pointer pairs than the memo has slots. */
static void test_stable_summary_equals_the_plain_one(void)
{
    static char services[7][3][16], types[150][3][16];
    for (int c = 0; c < 3; c++) {
        for (int v = 0; v < 7; v++)
            snprintf(services[v][c], sizeof services[v][c], "svc-%d", v);
        for (int p = 0; p < 150; p++)
            snprintf(types[p][c], sizeof types[p][c], "Error%d", p);
    }
    struct error_summary *plain = error_summary_new(), *stable = error_summary_new_stable();
    char ids[3000][8];
    for (int i = 0; i < 3000; i++) {
        int p = (i * 37 + i / 150) % 150, c = (i / 7) % 3;
        snprintf(ids[i], sizeof ids[i], "t%d", i);
        struct error_event ev = event(FROM + (i * 7919 % 3000) * S / 10, services[p % 7][c], "r",
                                      types[p][c], ids[i], "", ids[i], i % 13 == 0);
        error_summary_add(plain, &ev);
        error_summary_add(stable, &ev);
    }
    size_t n, m;
    const struct error_summary_row *const *a = error_summary_rows(plain, &n);
    const struct error_summary_row *const *b = error_summary_rows(stable, &m);
    ASSERT_EQ_UINT(m, n);
    ASSERT_TRUE(n > 100);
    for (size_t i = 0; i < n; i++) {
        ASSERT_EQ_STR(b[i]->service, a[i]->service);
        ASSERT_EQ_STR(b[i]->exception_type, a[i]->exception_type);
        ASSERT_EQ_INT(b[i]->count, a[i]->count);
        ASSERT_EQ_INT(b[i]->first_seen_ns, a[i]->first_seen_ns);
        ASSERT_EQ_INT(b[i]->last_seen_ns, a[i]->last_seen_ns);
        ASSERT_EQ_STR(b[i]->trace_id, a[i]->trace_id);
        ASSERT_EQ_STR(b[i]->message, a[i]->message);
    }
    error_summary_free(plain);
    error_summary_free(stable);
}

/* The memo is used: with the contract broken on purpose (the text at a
 * known address changes), the stable summary still files the event under
 * the pair it saw there, where the plain one reads the new text. */
static void test_stable_summary_does_not_read_a_known_pair(void)
{
    char service[16] = "checkout", type[16] = "KeyError";
    struct error_summary *plain = error_summary_new(), *stable = error_summary_new_stable();
    struct error_event ev = event(FROM, service, "r", type, "m", "", "t1", false);
    error_summary_add(plain, &ev);
    error_summary_add(stable, &ev);
    memcpy(type, "IOError", 8);
    error_summary_add(plain, &ev);
    error_summary_add(stable, &ev);
    size_t n;
    error_summary_rows(plain, &n);
    ASSERT_EQ_UINT(n, 2);
    const struct error_summary_row *const *rows = error_summary_rows(stable, &n);
    ASSERT_EQ_UINT(n, 1);
    ASSERT_EQ_STR(rows[0]->exception_type, "KeyError");
    ASSERT_EQ_INT(rows[0]->count, 2);
    error_summary_free(plain);
    error_summary_free(stable);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_rows_by_count_with_trends_and_flags),
    UNIT_TEST(test_rows_by_new_and_without_resolved),
    UNIT_TEST(test_result_does_not_depend_on_event_order),
    UNIT_TEST(test_exact_ties_order_by_fingerprint),
    UNIT_TEST(test_buckets_edges_and_clamping),
    UNIT_TEST(test_names_are_capped_and_empty_ones_skipped),
    UNIT_TEST(test_group_limit_counts_dropped_events),
    UNIT_TEST(test_sparkline_levels),
    UNIT_TEST(test_summary_groups_by_service_and_type),
    UNIT_TEST(test_summary_caps_the_example_stack),
    UNIT_TEST(test_stable_summary_equals_the_plain_one),
    UNIT_TEST(test_stable_summary_does_not_read_a_known_pair),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
