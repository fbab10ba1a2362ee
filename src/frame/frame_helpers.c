/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame shapes shared by the query runners (see frame_helpers.h): dataplane
 * time series, table frames and the trace-ID field that opens Tempo's trace
 * view through an internal data link (notes/frames.md §6.1, §6.5).
 */
#include "frame/frame_helpers.h"

#include <jansson.h>

#define TIMESERIES_MULTI "timeseries-multi"

struct frame *frame_new_timeseries(const char *ref_id, const char *name, const char *value_name)
{
    struct frame *frame = frame_new(name);
    frame_set_ref_id(frame, ref_id);
    frame_meta_set_type(frame, TIMESERIES_MULTI, 0, 1);
    frame_add_field(frame, "Time", FRAME_TIME, false);
    frame_add_field(frame, value_name ? value_name : "Value", FRAME_FLOAT64, true);
    return frame;
}

struct frame *frame_new_timeseries_no_data(const char *ref_id)
{
    struct frame *frame = frame_new("");
    frame_set_ref_id(frame, ref_id);
    frame_meta_set_type(frame, TIMESERIES_MULTI, 0, 1);
    return frame;
}

struct frame *frame_new_table(const char *ref_id, const char *name)
{
    struct frame *frame = frame_new(name);
    frame_set_ref_id(frame, ref_id);
    frame_meta_set_preferred_visualisation(frame, "table");
    return frame;
}

struct frame_field *frame_add_trace_id_field(struct frame *frame, const char *name,
                                             const char *tempo_uid, const char *tempo_name)
{
    struct frame_field *field =
        frame_add_field(frame, name ? name : "traceID", FRAME_STRING, false);
    if (!field)
        return NULL;
    frame_field_set_display_name_from_ds(field, "Trace ID");
    if (!tempo_uid || !*tempo_uid)
        return field;
    /* Grafana's own Tempo search table opens a trace the same way: the cell
     * value becomes a TraceQL query for that trace ID in Explore. */
    json_t *query = json_pack("{s:s, s:s}", "query", "${__value.raw}", "queryType", "traceql");
    frame_field_add_internal_link(field, "Trace: ${__value.raw}", tempo_uid, tempo_name, query);
    return field;
}
