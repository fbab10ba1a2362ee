/* SPDX-License-Identifier: Apache-2.0
 *
 * Error events of offline traces (for `triage`): which spans are errors, and
 * a spool that keeps the events on disk until the time range is known.
 *
 * Occurrence rules, the same as the Tempo panels' (tempo/tempo_errors.h):
 * one event per ERROR span, represented by its last exception event (the
 * final failure when a span records retries); an ERROR span without one is
 * of type "(no exception)" with the span's status message; an exception
 * event without `exception.type` is "(unknown)". The time is the span start;
 * the route is http.route, else url.path, else http.target without its
 * query, else the span name (tempo_span_route). The application's own group
 * key, `error.fingerprint` or `grouping.fingerprint` (the exception event's
 * attribute, else the span's), becomes custom_fingerprint; the resource's
 * telemetry.sdk.language the parser hint.
 *
 * Why a spool: the error-groups engine needs its range before the first
 * event (trend buckets), and without --from/--to the range is the files'
 * own, known only at their end. Events (not traces) go to an anonymous
 * temporary file and are replayed once, so memory stays bounded whatever
 * the size of the input.
 *
 * Ownership: a spool is created with triage_spool_new() and freed with
 * triage_spool_free() (its file disappears with it). Events handed to
 * callbacks are borrowed for the call. Thread safety: one thread per spool.
 */
#ifndef ET_CLI_TRIAGE_EVENTS_H
#define ET_CLI_TRIAGE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/error_event.h"
#include "core/error.h"
#include "core/strlist.h"
#include "tempo/tempo_trace.h"

/* Longest string kept per event field (why: the spool's record format and a
 * bound on one event; the aggregators keep far less). */
#define TRIAGE_EVENT_MAX_STRING (4u * 1024u * 1024u)

/* Called per error event; `ev` and its strings are borrowed for the call. */
typedef int (*triage_event_fn)(void *ctx, const struct error_event *ev, struct et_error *err);

/* Call `fn` for every ERROR span of `t` whose service is in `services`
 * (empty: every service), in span order. `ev->in_baseline` is false. Stops
 * at the first callback that returns -1 and returns -1; else 0. */
int triage_events_of_trace(const struct tempo_trace *t, const struct et_strlist *services,
                           triage_event_fn fn, void *ctx, struct et_error *err);

struct triage_spool;

/* A new, empty spool on an anonymous temporary file; NULL with `err` set
 * when no temporary file can be made. */
struct triage_spool *triage_spool_new(struct et_error *err);
void triage_spool_free(struct triage_spool *s);

/* Keep a copy of `ev` (in_baseline included). -1 with `err` set on a write
 * error (disk full). */
int triage_spool_add(struct triage_spool *s, const struct error_event *ev, struct et_error *err)
    __attribute__((warn_unused_result));

/* Events added so far. */
size_t triage_spool_count(const struct triage_spool *s);

/* Hand every kept event to `fn`, in the order added. -1 with `err` set on a
 * read error or when `fn` returns -1. */
int triage_spool_replay(struct triage_spool *s, triage_event_fn fn, void *ctx, struct et_error *err)
    __attribute__((warn_unused_result));

#endif
