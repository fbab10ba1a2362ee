/* SPDX-License-Identifier: Apache-2.0
 *
 * Prometheus HTTP API calls (query, query_range, label values, build info)
 * for one query context: the datasource's URL (any path prefix, e.g. Mimir's
 * /prometheus, is kept), auth, tenant header, TLS and timeout settings.
 *
 * Queries are POSTed as application/x-www-form-urlencoded (no URL length
 * limit, as Grafana does); several queries of one panel run in parallel.
 * Failures come back as et_error with source downstream and the backend's own
 * message (see prom_parse.h); warnings are returned for frame notices.
 *
 * Ownership: results are cleaned up by the caller (prom_result_cleanup).
 * Thread safety: any thread.
 */
#ifndef ET_PROMETHEUS_PROM_CLIENT_H
#define ET_PROMETHEUS_PROM_CLIENT_H

#include "prometheus/prom_parse.h"
#include "query/runner.h"

/* One PromQL evaluation: instant when step <= 0 (at `end`), else a range query. */
struct prom_eval {
    const char *promql;
    double start; /* seconds; ignored for instant queries */
    double end;
    double step; /* seconds; <= 0: instant query */
};

/* Run `n` evaluations in parallel. results[i]/errs[i] are filled for each
 * (results initialised by this call). Returns the number that failed. */
size_t prom_eval_many(const struct query_ctx *ctx, const struct prom_eval *evals, size_t n,
                      struct prom_result *results, struct et_error *errs);

/* Values of label `label` (a valid label name), optionally restricted by the
 * series selector `match` (NULL: none) and a time window (start >= end: none). */
int prom_label_values(const struct query_ctx *ctx, const char *label, const char *match,
                      double start, double end, struct et_strlist *out, struct et_error *err);

/* The server's version string from /api/v1/status/buildinfo (tried under the
 * configured URL, then at its origin for Mimir-style prefixes). */
int prom_buildinfo(const struct query_ctx *ctx, char *version, size_t size, struct et_error *err);

#endif
