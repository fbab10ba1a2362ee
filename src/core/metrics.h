/* SPDX-License-Identifier: Apache-2.0
 *
 * The plugin's own metrics, served by Diagnostics.CollectMetrics in the
 * Prometheus text format: gRPC calls by method and status, call duration
 * histogram by method, calls in flight, backend HTTP requests by backend and
 * status, backend request duration, and queries by query type and outcome.
 *
 * All series are preallocated (fixed method, backend and status tables), so
 * recording is a few relaxed atomic additions and never allocates.
 *
 * Ownership: et_metrics_new() returns an object freed with et_metrics_free().
 * Thread safety: recording and writing may happen from any thread at once.
 */
#ifndef ET_CORE_METRICS_H
#define ET_CORE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

enum et_method {
    ET_METHOD_QUERY_DATA,
    ET_METHOD_CHECK_HEALTH,
    ET_METHOD_COLLECT_METRICS,
    ET_METHOD_CALL_RESOURCE,
    ET_METHOD_HEALTH_CHECK, /* grpc.health.v1 */
    ET_METHOD_SHUTDOWN,
    ET_METHOD_UNKNOWN,
    ET_METHOD_COUNT,
};

enum et_backend {
    ET_BACKEND_PROMETHEUS,
    ET_BACKEND_TEMPO,
    ET_BACKEND_OTHER,
    ET_BACKEND_COUNT,
};

struct et_metrics;

struct et_metrics *et_metrics_new(void);
void et_metrics_free(struct et_metrics *m);

/* A call started / finished with gRPC status code `grpc_code` (0..16). */
void et_metrics_call_begin(struct et_metrics *m, enum et_method method);
void et_metrics_call_end(struct et_metrics *m, enum et_method method, int grpc_code,
                         int64_t duration_ns);
/* One backend HTTP request: `http_status` 100..599, or 0 when no response
 * arrived (connection refused, timeout ...). */
void et_metrics_backend_request(struct et_metrics *m, enum et_backend backend, int http_status,
                                int64_t duration_ns);
/* One panel query finished; `status` is its DataResponse status (200 = ok). */
void et_metrics_query(struct et_metrics *m, const char *query_type, int status);
int64_t et_metrics_in_flight(const struct et_metrics *m);

/* Append the exposition text. A NULL `m` writes nothing. */
int et_metrics_write(const struct et_metrics *m, struct et_buf *out);

const char *et_method_name(enum et_method method);
const char *et_backend_name(enum et_backend backend);

#endif
