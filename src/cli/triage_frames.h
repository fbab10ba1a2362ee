/* SPDX-License-Identifier: Apache-2.0
 *
 * The frames of `triage`: the same shapes as the `error-summary` and
 * `error-groups` query types (docs/queries.md; tempo/tempo_summary.c and
 * tempo/tempo_groups.c build them from Tempo), filled from the analysis
 * module's aggregators. Offline there is no Tempo datasource, so traceID
 * fields carry no trace-view link.
 *
 * Ownership: the frames are new (frame_free(), or a frame_list); the
 * aggregators are only read (their row arrays are recomputed).
 * Thread safety: one thread per aggregator.
 */
#ifndef ET_CLI_TRIAGE_FRAMES_H
#define ET_CLI_TRIAGE_FRAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/error_groups.h"
#include "analysis/error_summary.h"
#include "frame/frame.h"

/* Table frame "error-summary" for `ref_id`: at most `limit` rows (0: all),
 * with a notice when rows were left out or pairs dropped. */
struct frame *triage_summary_frame(const char *ref_id, struct error_summary *s, size_t limit);

/* Table frame "error-groups": at most `limit` rows (0: all), in `sort`
 * order; with `compare`, also previousCount, change and status (the
 * compareTo previous-range shape). */
struct frame *triage_groups_frame(const char *ref_id, struct error_groups *g,
                                  enum error_groups_sort sort, bool compare, size_t limit);

#endif
