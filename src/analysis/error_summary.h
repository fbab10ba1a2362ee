/* SPDX-License-Identifier: Apache-2.0
 *
 * The error-summary aggregator: error events grouped by service and
 * exception type (the `error-summary` panel of docs/queries.md), with a
 * count, first and last seen, and one example (the latest event: its trace,
 * message and stack trace). No fingerprinting: this is the simple, exact
 * view next to the error groups. Pure computation, no I/O.
 *
 *     struct error_summary *s = error_summary_new();
 *     for each event: error_summary_add(s, &ev);   // baseline events are ignored
 *     size_t n;
 *     const struct error_summary_row *const *rows = error_summary_rows(s, &n);
 *     ...
 *     error_summary_free(s);
 *
 * Rows are sorted by count (highest first), then last seen (latest first),
 * then service and type. The example is the latest event, ties going to the
 * smaller trace ID, so the result does not depend on event order. Memory is
 * bounded by the number of (service, type) pairs: the example's strings are
 * copied only when it changes, the stack trace capped at
 * ERROR_SUMMARY_MAX_STACK bytes; at most ERROR_SUMMARY_MAX_ROWS pairs are
 * kept and further events only counted as dropped.
 *
 * Ownership: rows and their strings belong to the aggregator until
 * error_summary_free(). Thread safety: one aggregator per thread.
 */
#ifndef ET_ANALYSIS_ERROR_SUMMARY_H
#define ET_ANALYSIS_ERROR_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/error_event.h"

#define ERROR_SUMMARY_MAX_ROWS  20000
#define ERROR_SUMMARY_MAX_STACK (64u * 1024u)

struct error_summary_row {
    const char *service;        /* "" when unknown */
    const char *exception_type; /* "" when unknown */
    int64_t count;
    int64_t first_seen_ns;
    int64_t last_seen_ns;
    const char *trace_id; /* the example: latest event */
    const char *span_id;
    const char *message;
    const char *stacktrace; /* at most ERROR_SUMMARY_MAX_STACK bytes */
};

struct error_summary;

struct error_summary *error_summary_new(void);
/* The same for events whose service and type strings stay unchanged, at
 * the same addresses, until the summary is freed (a caller's list of
 * occurrences): an event with the service and type pointers of an earlier
 * event goes to that event's row without its strings being read. Callers
 * that intern equal strings (tempo_search.c) get one lookup per pair. */
struct error_summary *error_summary_new_stable(void);
void error_summary_free(struct error_summary *s);
/* Count one event (events with in_baseline set are ignored). */
void error_summary_add(struct error_summary *s, const struct error_event *ev);
/* The rows, sorted; borrowed until error_summary_free() (or the next call). */
const struct error_summary_row *const *error_summary_rows(struct error_summary *s, size_t *n);
size_t error_summary_dropped(const struct error_summary *s);

#endif
