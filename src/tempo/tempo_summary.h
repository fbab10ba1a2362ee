/* SPDX-License-Identifier: Apache-2.0
 *
 * Frames that count error occurrences by service and exception type:
 * error-summary (count, first and last seen, the newest occurrence as the
 * example, sorted by count) and top-types from Tempo (the same counts in the
 * shape of the span-metrics top-types frame).
 *
 * Ownership: returns new frames. Thread safety: pure (sorts a copy).
 */
#ifndef ET_TEMPO_TEMPO_SUMMARY_H
#define ET_TEMPO_TEMPO_SUMMARY_H

#include "frame/frame.h"
#include "query/runner.h"
#include "tempo/tempo_errors.h"

struct frame *tempo_summary_frame(const struct query_ctx *ctx, const struct query *q,
                                  const struct tempo_error_list *errors);
struct frame *tempo_top_types_frame(const struct query *q, const struct tempo_error_list *errors);

#endif
