/* SPDX-License-Identifier: Apache-2.0
 *
 * A parsed trace as Grafana's trace-view frame (notes/frames.md §6.4): frame
 * `Trace`, preferredVisualisationType "trace", one row per span with the
 * columns Grafana's own Tempo datasource writes (traceID, spanID,
 * parentSpanID, operationName, serviceName, serviceTags, startTime and
 * duration in ms, logs, references, tags, kind, statusCode, statusMessage,
 * instrumentationLibraryName/Version, traceState).
 *
 * Ownership: returns a new frame (frame_free). Thread safety: pure.
 */
#ifndef ET_TEMPO_TEMPO_TRACEVIEW_H
#define ET_TEMPO_TEMPO_TRACEVIEW_H

#include "frame/frame.h"
#include "tempo/tempo_trace.h"

struct frame *tempo_traceview_frame(const struct tempo_trace *t);

#endif
