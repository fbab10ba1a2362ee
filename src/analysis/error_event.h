/* SPDX-License-Identifier: Apache-2.0
 *
 * One error event as the aggregators (error_groups.h, error_summary.h) take
 * it: an ERROR span's exception, with where and when it happened. The Tempo
 * runners fill it from their occurrences; it only borrows their strings.
 *
 * Ownership: every pointer is borrowed for the duration of the call that
 * receives the event; aggregators copy what they keep. Any string may be
 * NULL (treated as absent / empty).
 */
#ifndef ET_ANALYSIS_ERROR_EVENT_H
#define ET_ANALYSIS_ERROR_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct error_event {
    int64_t time_ns;                /* when it happened (span start or event time), Unix ns */
    const char *service;            /* service.name */
    const char *route;              /* http.route or span name */
    const char *exception_type;     /* exception.type attribute, as recorded */
    const char *message;            /* exception.message */
    const char *stacktrace;         /* exception.stacktrace, NUL-terminated */
    const char *sdk_language;       /* telemetry.sdk.language (a parser hint) */
    const char *custom_fingerprint; /* error.fingerprint / grouping.fingerprint attribute:
                                       the application's own group key, NULL if none */
    const char *trace_id;           /* hex */
    const char *span_id;            /* hex */
    bool in_baseline;               /* true: from the baseline (the previous range of equal
                                       length), false: from the range being shown */
};

#endif
