/* SPDX-License-Identifier: Apache-2.0
 *
 * Query runners answered from Tempo (contract in query/runner.h):
 * recent-errors, error-summary, trace-exceptions, error-groups, top-types
 * (when span metrics have no events metric) and variable values (when
 * Prometheus is not configured); plus the Tempo part of the health check.
 */
#ifndef ET_TEMPO_TEMPO_RUNNERS_H
#define ET_TEMPO_TEMPO_RUNNERS_H

#include <jansson.h>

#include "query/runner.h"

int tempo_run_recent_errors(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err);
int tempo_run_error_summary(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err);
int tempo_run_trace_exceptions(const struct query_ctx *ctx, const struct query *q,
                               struct frame_list *out, struct et_error *err);
int tempo_run_error_groups(const struct query_ctx *ctx, const struct query *q,
                           struct frame_list *out, struct et_error *err);
int tempo_run_top_types(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                        struct et_error *err);
int tempo_run_variable(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                       struct et_error *err);

/* Values for the editor's dropdowns from Tempo tags (CallResource fallback). */
int tempo_list_values(const struct query_ctx *ctx, enum variable_kind what,
                      const struct et_strlist *services, int64_t from_ms, int64_t to_ms,
                      struct et_strlist *out, struct et_error *err);

/* Probe Tempo for the health check: fills `details` (url, ok, version,
 * search mode detected, error). Returns 0 when healthy. */
int tempo_health(const struct query_ctx *ctx, json_t *details);

#endif
