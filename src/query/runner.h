/* SPDX-License-Identifier: Apache-2.0
 *
 * The contract between the dispatcher (exec.c) and the query runners
 * (src/prometheus, src/tempo).
 *
 * A runner turns one parsed query into frames. It returns 0 with frames
 * pushed to `out`, or -1 with `err` set (status + source: 400 for a query the
 * backend cannot answer as asked, downstream 4xx/5xx for backend failures).
 * Frames need no refId: the dispatcher sets it. Runners never log; they put
 * what the user should know into frame notices and executedQueryString.
 *
 * Thread safety: runners are called concurrently; they only read the instance
 * settings and go through the instance's locked accessors for detected state.
 */
#ifndef ET_QUERY_RUNNER_H
#define ET_QUERY_RUNNER_H

#include "config/instance.h"
#include "core/cancel.h"
#include "core/error.h"
#include "frame/frame.h"
#include "query/query.h"

struct query_ctx {
    struct instance *inst;          /* borrowed for the call */
    const struct et_cancel *cancel; /* may be NULL */
};

typedef int (*query_run_fn)(const struct query_ctx *ctx, const struct query *q,
                            struct frame_list *out, struct et_error *err);

#endif
