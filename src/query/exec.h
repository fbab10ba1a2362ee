/* SPDX-License-Identifier: Apache-2.0
 *
 * Running panel queries, independent of gRPC: the one code path shared by
 * Data.QueryData and the command line.
 *
 * exec_run_query() parses one query (src/query/query.h), looks its type up
 * in the immutable runner table and runs it against the datasource instance.
 * It always fills the result: frames, or an error with its status and source.
 * A query never affects another: errors stay in their result, and nothing a
 * query sends can crash the process.
 *
 * Ownership: the caller owns `struct exec_result` and frees it with
 * exec_result_cleanup(). Thread safety: queries may run concurrently on any
 * threads against the same instance.
 */
#ifndef ET_QUERY_EXEC_H
#define ET_QUERY_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "config/instance.h"
#include "core/cancel.h"
#include "core/error.h"
#include "frame/frame.h"

/* One DataQuery, borrowed from the caller for the duration of the call. */
struct exec_query {
    const char *ref_id;
    const char *query_type; /* DataQuery.queryType; NULL or "" to take it from the JSON */
    const char *json;       /* the query model JSON (DataQuery.json) */
    size_t json_len;
    int64_t from_ms; /* panel time range, epoch ms */
    int64_t to_ms;
    int64_t interval_ms;     /* 0 when unknown */
    int64_t max_data_points; /* 0 when unknown */
};

struct exec_result {
    struct frame_list frames; /* each frame already carries the refId */
    struct et_error err;      /* err.status == 0: success */
};

void exec_result_init(struct exec_result *r);
void exec_result_cleanup(struct exec_result *r);

/* Run one query; see the file comment. `cancel` may be NULL. */
void exec_run_query(struct instance *inst, const struct exec_query *q,
                    const struct et_cancel *cancel, struct exec_result *out);

/* Names of all query types the backend answers (NULL-terminated, immutable). */
const char *const *exec_query_type_names(void);

#endif
