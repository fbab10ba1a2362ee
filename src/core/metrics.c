/* SPDX-License-Identifier: Apache-2.0
 *
 * The plugin's own metrics in the Prometheus text format (see metrics.h).
 *
 * DESIGN: every series is a slot in a fixed array of atomics, indexed by
 * (method, status) or (backend, status). The exposition walks the arrays and
 * prints non-zero slots (histogram buckets always), so the text is stable and
 * recording never takes a lock.
 */
#include "core/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define GRPC_CODES  17
#define HTTP_SLOTS  600 /* index = HTTP status; 0 = no response */
#define QUERY_TYPES 16

static const double duration_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25,   0.5,   1,      2.5,   5,    10,    30};
#define N_BUCKETS (sizeof duration_buckets / sizeof duration_buckets[0])

static const char *const method_names[ET_METHOD_COUNT] = {
    "QueryData",   "CheckHealth", "CollectMetrics", "CallResource",
    "HealthCheck", "Shutdown",    "Unknown",
};

static const char *const backend_names[ET_BACKEND_COUNT] = {"prometheus", "tempo", "other"};

static const char *const grpc_code_names[GRPC_CODES] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

struct histogram {
    atomic_uint_fast64_t buckets[N_BUCKETS]; /* non-cumulative counts */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_ns;
};

struct query_slot {
    char name[32]; /* written once under first use, then read-only */
    atomic_int claimed;
    atomic_uint_fast64_t ok;
    atomic_uint_fast64_t failed;
};

struct et_metrics {
    atomic_uint_fast64_t calls[ET_METHOD_COUNT][GRPC_CODES];
    struct histogram call_duration[ET_METHOD_COUNT];
    atomic_int_fast64_t in_flight;
    atomic_uint_fast64_t backend[ET_BACKEND_COUNT][HTTP_SLOTS];
    struct histogram backend_duration[ET_BACKEND_COUNT];
    struct query_slot queries[QUERY_TYPES];
};

struct et_metrics *et_metrics_new(void)
{
    struct et_metrics *m = et_xcalloc(1, sizeof *m);
    return m;
}

void et_metrics_free(struct et_metrics *m)
{
    free(m);
}

const char *et_method_name(enum et_method method)
{
    return method < ET_METHOD_COUNT ? method_names[method] : "Unknown";
}

const char *et_backend_name(enum et_backend backend)
{
    return backend < ET_BACKEND_COUNT ? backend_names[backend] : "other";
}

static void observe(struct histogram *h, int64_t duration_ns)
{
    if (duration_ns < 0)
        duration_ns = 0;
    double s = (double)duration_ns / 1e9;
    for (size_t i = 0; i < N_BUCKETS; i++) {
        if (s <= duration_buckets[i]) {
            atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
            break;
        }
    }
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, (uint_fast64_t)duration_ns, memory_order_relaxed);
}

void et_metrics_call_begin(struct et_metrics *m, enum et_method method)
{
    (void)method;
    if (m)
        atomic_fetch_add_explicit(&m->in_flight, 1, memory_order_relaxed);
}

void et_metrics_call_end(struct et_metrics *m, enum et_method method, int grpc_code,
                         int64_t duration_ns)
{
    if (!m)
        return;
    if (method >= ET_METHOD_COUNT)
        method = ET_METHOD_UNKNOWN;
    if (grpc_code < 0 || grpc_code >= GRPC_CODES)
        grpc_code = 2;
    atomic_fetch_add_explicit(&m->calls[method][grpc_code], 1, memory_order_relaxed);
    observe(&m->call_duration[method], duration_ns);
    atomic_fetch_sub_explicit(&m->in_flight, 1, memory_order_relaxed);
}

void et_metrics_backend_request(struct et_metrics *m, enum et_backend backend, int http_status,
                                int64_t duration_ns)
{
    if (!m)
        return;
    if (backend >= ET_BACKEND_COUNT)
        backend = ET_BACKEND_OTHER;
    if (http_status < 100 || http_status >= HTTP_SLOTS)
        http_status = 0;
    atomic_fetch_add_explicit(&m->backend[backend][http_status], 1, memory_order_relaxed);
    observe(&m->backend_duration[backend], duration_ns);
}

void et_metrics_query(struct et_metrics *m, const char *query_type, int status)
{
    if (!m || !query_type)
        return;
    size_t len = strlen(query_type);
    if (len == 0 || len >= sizeof m->queries[0].name)
        query_type = "other", len = 5;
    for (size_t i = 0; i < QUERY_TYPES; i++) {
        struct query_slot *q = &m->queries[i];
        int claimed = atomic_load_explicit(&q->claimed, memory_order_acquire);
        if (claimed == 2 && strcmp(q->name, query_type) == 0) {
            atomic_fetch_add_explicit(status == 200 ? &q->ok : &q->failed, 1, memory_order_relaxed);
            return;
        }
        if (claimed == 0) {
            int expected = 0;
            if (atomic_compare_exchange_strong(&q->claimed, &expected, 1)) {
                memcpy(q->name, query_type, len + 1);
                atomic_store_explicit(&q->claimed, 2, memory_order_release);
                atomic_fetch_add_explicit(status == 200 ? &q->ok : &q->failed, 1,
                                          memory_order_relaxed);
                return;
            }
            /* lost the race: look at this slot again */
            i--;
            continue;
        }
        if (claimed == 1) { /* being claimed right now; spin on it */
            i--;
            continue;
        }
    }
    /* table full: count nowhere rather than grow (query types are a fixed set) */
}

int64_t et_metrics_in_flight(const struct et_metrics *m)
{
    return m ? (int64_t)atomic_load_explicit((atomic_int_fast64_t *)&m->in_flight,
                                             memory_order_relaxed)
             : 0;
}

static uint64_t load(const atomic_uint_fast64_t *a)
{
    return (uint64_t)atomic_load_explicit((atomic_uint_fast64_t *)a, memory_order_relaxed);
}

static void write_histogram(struct et_buf *out, const char *name, const char *label_key,
                            const char *label_value, const struct histogram *h)
{
    uint64_t cumulative = 0;
    for (size_t i = 0; i < N_BUCKETS; i++) {
        cumulative += load(&h->buckets[i]);
        et_buf_printf(out, "%s_bucket{%s=\"%s\",le=\"%g\"} %llu\n", name, label_key, label_value,
                      duration_buckets[i], (unsigned long long)cumulative);
    }
    uint64_t count = load(&h->count);
    et_buf_printf(out, "%s_bucket{%s=\"%s\",le=\"+Inf\"} %llu\n", name, label_key, label_value,
                  (unsigned long long)count);
    et_buf_printf(out, "%s_sum{%s=\"%s\"} %.9f\n", name, label_key, label_value,
                  (double)load(&h->sum_ns) / 1e9);
    et_buf_printf(out, "%s_count{%s=\"%s\"} %llu\n", name, label_key, label_value,
                  (unsigned long long)count);
}

int et_metrics_write(const struct et_metrics *m, struct et_buf *out)
{
    if (!m)
        return 0;
    et_buf_append_str(out, "# HELP errortriage_grpc_calls_total gRPC calls handled, by method "
                           "and status code.\n# TYPE errortriage_grpc_calls_total counter\n");
    for (int me = 0; me < ET_METHOD_COUNT; me++)
        for (int c = 0; c < GRPC_CODES; c++) {
            uint64_t v = load(&m->calls[me][c]);
            if (v)
                et_buf_printf(out, "errortriage_grpc_calls_total{method=\"%s\",code=\"%s\"} %llu\n",
                              method_names[me], grpc_code_names[c], (unsigned long long)v);
        }
    et_buf_append_str(out,
                      "# HELP errortriage_grpc_call_duration_seconds Time to handle a gRPC call.\n"
                      "# TYPE errortriage_grpc_call_duration_seconds histogram\n");
    for (int me = 0; me < ET_METHOD_COUNT; me++)
        if (load(&m->call_duration[me].count))
            write_histogram(out, "errortriage_grpc_call_duration_seconds", "method",
                            method_names[me], &m->call_duration[me]);
    et_buf_printf(out,
                  "# HELP errortriage_grpc_calls_in_flight gRPC calls being handled now.\n"
                  "# TYPE errortriage_grpc_calls_in_flight gauge\n"
                  "errortriage_grpc_calls_in_flight %lld\n",
                  (long long)et_metrics_in_flight(m));
    et_buf_append_str(out, "# HELP errortriage_backend_requests_total HTTP requests to backends, "
                           "by backend and status (0 = no response).\n"
                           "# TYPE errortriage_backend_requests_total counter\n");
    for (int b = 0; b < ET_BACKEND_COUNT; b++)
        for (int s = 0; s < HTTP_SLOTS; s++) {
            uint64_t v = load(&m->backend[b][s]);
            if (v)
                et_buf_printf(out,
                              "errortriage_backend_requests_total{backend=\"%s\",status=\"%d\"} "
                              "%llu\n",
                              backend_names[b], s, (unsigned long long)v);
        }
    et_buf_append_str(
        out, "# HELP errortriage_backend_request_duration_seconds Time of backend HTTP requests.\n"
             "# TYPE errortriage_backend_request_duration_seconds histogram\n");
    for (int b = 0; b < ET_BACKEND_COUNT; b++)
        if (load(&m->backend_duration[b].count))
            write_histogram(out, "errortriage_backend_request_duration_seconds", "backend",
                            backend_names[b], &m->backend_duration[b]);
    et_buf_append_str(out, "# HELP errortriage_queries_total Panel queries answered, by query "
                           "type and outcome.\n# TYPE errortriage_queries_total counter\n");
    for (size_t i = 0; i < QUERY_TYPES; i++) {
        const struct query_slot *q = &m->queries[i];
        if (atomic_load_explicit((atomic_int *)&q->claimed, memory_order_acquire) != 2)
            continue;
        et_buf_printf(out, "errortriage_queries_total{query_type=\"%s\",outcome=\"ok\"} %llu\n",
                      q->name, (unsigned long long)load(&q->ok));
        et_buf_printf(out, "errortriage_queries_total{query_type=\"%s\",outcome=\"error\"} %llu\n",
                      q->name, (unsigned long long)load(&q->failed));
    }
    return out->failed ? -1 : 0;
}
