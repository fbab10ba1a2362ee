/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame shapes the query runners build again and again.
 *
 * - Time series: dataplane `timeseries-multi` v0.1, one frame per series, a
 *   non-null time field "Time" (ascending) and one float64 value field that
 *   carries the series labels and a readable displayNameFromDS.
 * - Tables: a frame with meta.preferredVisualisationType "table".
 * - Trace links: a string traceID field whose data link opens the trace in
 *   Grafana's trace view through the configured Tempo datasource
 *   (notes/frames.md §6.5).
 *
 * Ownership as in frame.h.
 */
#ifndef ET_FRAME_FRAME_HELPERS_H
#define ET_FRAME_FRAME_HELPERS_H

#include "frame/frame.h"

/* New timeseries-multi frame named `name` for `ref_id` with fields
 * [0] "Time" (FRAME_TIME, not nullable) and [1] `value_name` (FRAME_FLOAT64,
 * nullable). Returns the frame; the value field is frame_field_at(frame, 1). */
struct frame *frame_new_timeseries(const char *ref_id, const char *name, const char *value_name);

/* A "no data" time series answer: type set, no fields (dataplane rule). */
struct frame *frame_new_timeseries_no_data(const char *ref_id);

/* New table frame (preferredVisualisationType "table") named `name` for `ref_id`. */
struct frame *frame_new_table(const char *ref_id, const char *name);

/* Add a string field `name` whose values are trace IDs and whose data link
 * opens the trace in the Tempo datasource `tempo_uid` (named `tempo_name`,
 * may be NULL). When `tempo_uid` is NULL or empty the field has no link.
 * displayNameFromDS is "Trace ID". */
struct frame_field *frame_add_trace_id_field(struct frame *frame, const char *name,
                                             const char *tempo_uid, const char *tempo_name);

#endif
