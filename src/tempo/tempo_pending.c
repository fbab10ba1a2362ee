/* SPDX-License-Identifier: Apache-2.0
 *
 * TEMPORARY: the Tempo runners are being written (src/tempo, issue 4). Until
 * they land, every Tempo query type answers 501 with a clear message so the
 * rest of the plugin links and runs. This file is deleted by the Tempo work.
 */
#include "tempo/tempo_runners.h"

static int pending(struct et_error *err)
{
    return et_error_set(err, 501, ET_SOURCE_PLUGIN,
                        "Tempo queries are not available in this build yet");
}

int tempo_run_recent_errors(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err)
{
    (void)ctx, (void)q, (void)out;
    return pending(err);
}

int tempo_run_error_summary(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err)
{
    (void)ctx, (void)q, (void)out;
    return pending(err);
}

int tempo_run_trace_exceptions(const struct query_ctx *ctx, const struct query *q,
                               struct frame_list *out, struct et_error *err)
{
    (void)ctx, (void)q, (void)out;
    return pending(err);
}

int tempo_run_error_groups(const struct query_ctx *ctx, const struct query *q,
                           struct frame_list *out, struct et_error *err)
{
    (void)ctx, (void)q, (void)out;
    return pending(err);
}

int tempo_run_top_types(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                        struct et_error *err)
{
    (void)ctx, (void)q, (void)out;
    return pending(err);
}

int tempo_run_variable(const struct query_ctx *ctx, const struct query *q, struct frame_list *out,
                       struct et_error *err)
{
    (void)ctx, (void)q, (void)out;
    return pending(err);
}

int tempo_list_values(const struct query_ctx *ctx, enum variable_kind what,
                      const struct et_strlist *services, int64_t from_ms, int64_t to_ms,
                      struct et_strlist *out, struct et_error *err)
{
    (void)ctx, (void)what, (void)services, (void)from_ms, (void)to_ms, (void)out;
    return pending(err);
}

int tempo_health(const struct query_ctx *ctx, json_t *details)
{
    (void)ctx;
    json_object_set_new(details, "error", json_string("Tempo support is not in this build yet"));
    return -1;
}
