/* SPDX-License-Identifier: Apache-2.0
 *
 * The error-groups engine: error events in, one row per fingerprint out
 * (the `error-groups` panel of docs/queries.md). Pure computation, no I/O.
 *
 * Use:
 *
 *     struct error_groups_options opt = {
 *         .from_ns = from, .to_ns = to,     // the range shown
 *         .buckets = 20,                    // trend buckets over it
 *         .baseline = true,                 // baseline events are fed too
 *         .list_resolved = compare,         // compareTo: previous-range
 *     };
 *     struct error_groups *g = error_groups_new(&opt);
 *     for each event (current range, and the previous range of equal length):
 *         error_groups_add(g, &(struct error_event){..., .in_baseline = ...});
 *     size_t n;
 *     const struct error_group *const *rows = error_groups_rows(g, ERROR_GROUPS_BY_COUNT, &n);
 *     ... write rows[0..n) into a frame ...
 *     error_groups_free(g);
 *
 * What each row holds (all computed here, nothing left to the caller):
 *  - count, trend (counts per bucket) and sparkline: current range only;
 *  - previous_count: baseline only; change = count / previous_count;
 *  - first_seen / last_seen: over every event fed (baseline included), so
 *    "since when" reaches back into the baseline;
 *  - is_new: baseline known, nothing in it, and seen in the current range;
 *  - status: new / ongoing / resolved (resolved = only in the baseline;
 *    such rows are returned only with `list_resolved`);
 *  - exception type, message template, culprit, stack top, language and the
 *    sample trace/span: from the group's representative event, the latest
 *    one of the current range (else of the baseline), ties going to the
 *    smaller trace ID, so results never depend on the order of events;
 *  - services and routes: sorted, at most ERROR_GROUPS_MAX_NAMES each
 *    (`*_capped` says more were seen).
 *
 * Sorting: ERROR_GROUPS_BY_COUNT orders by count, then previous count, then
 * last seen (latest first), then fingerprint id; ERROR_GROUPS_BY_NEW puts new
 * groups first, then ongoing, then resolved, each by the same keys.
 *
 * Memory is bounded by the number of distinct groups: an event is
 * fingerprinted, counted and forgotten; strings are copied only when it
 * becomes a group's representative. At most ERROR_GROUPS_MAX_GROUPS groups
 * are kept; events of further fingerprints are only counted as dropped.
 *
 * Ownership: error_groups_new() returns an engine freed with
 * error_groups_free(); rows and all their strings belong to the engine and
 * stay valid until it is freed (error_groups_add() after error_groups_rows()
 * is allowed and invalidates the row array, not the groups).
 * Thread safety: one engine per thread.
 */
#ifndef ET_ANALYSIS_ERROR_GROUPS_H
#define ET_ANALYSIS_ERROR_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/error_event.h"
#include "core/buf.h"
#include "core/strlist.h"

#define ERROR_GROUPS_MAX_BUCKETS 200
#define ERROR_GROUPS_MAX_GROUPS  20000 /* 2 x the largest Tempo sample of one range */
#define ERROR_GROUPS_MAX_NAMES   20    /* services / routes listed per group */

enum error_groups_sort {
    ERROR_GROUPS_BY_COUNT = 0,
    ERROR_GROUPS_BY_NEW,
};

enum error_group_status {
    ERROR_GROUP_STATUS_NONE = 0, /* no baseline was fed */
    ERROR_GROUP_STATUS_NEW,      /* in the current range only */
    ERROR_GROUP_STATUS_ONGOING,  /* in both */
    ERROR_GROUP_STATUS_RESOLVED, /* in the baseline only */
};

struct error_groups_options {
    int64_t from_ns; /* current range, Unix ns; to_ns > from_ns */
    int64_t to_ns;
    int buckets;        /* trend buckets, clamped to 1..ERROR_GROUPS_MAX_BUCKETS */
    bool baseline;      /* baseline events are fed: compute is_new and status */
    bool list_resolved; /* also return groups seen only in the baseline */
};

struct error_group {
    uint64_t fingerprint;
    char id[13];                /* short fingerprint: 12 hex digits */
    const char *exception_type; /* as recorded (the attribute), else as parsed */
    const char *message_template;
    const char *culprit;    /* "module.function" of the top application frame, or "" */
    const char *stack_top;  /* that frame's line as written, or "" */
    const char *components; /* what was hashed, one "kind:value" per line: why these
                               events are one group (fingerprint.h) */
    const char *language;   /* "python", "java", ... or "unknown" (static) */
    const char *trace_id;   /* sample for the trace-view link */
    const char *span_id;
    struct et_strlist services; /* sorted once rows are returned */
    struct et_strlist routes;
    bool services_capped;
    bool routes_capped;
    int64_t count;          /* events in the current range */
    int64_t previous_count; /* events in the baseline */
    int64_t first_seen_ns;
    int64_t last_seen_ns;
    const uint32_t *trend; /* `buckets` counts over the current range */
    const char *sparkline; /* Unicode blocks, one per bucket */
    bool is_new;
    enum error_group_status status;
    double change; /* count / previous_count; NAN when previous_count == 0 */
};

struct error_groups;

/* Never NULL (aborts on out-of-memory). */
struct error_groups *error_groups_new(const struct error_groups_options *opt);
void error_groups_free(struct error_groups *g);

/* Fingerprint and count one event. */
void error_groups_add(struct error_groups *g, const struct error_event *ev);

/* The groups, sorted; `*n` gets their number. Groups only in the baseline
 * are included only with `list_resolved`. */
const struct error_group *const *error_groups_rows(struct error_groups *g,
                                                   enum error_groups_sort sort, size_t *n);

/* Events added, and events not grouped because ERROR_GROUPS_MAX_GROUPS was reached. */
size_t error_groups_events(const struct error_groups *g);
size_t error_groups_dropped(const struct error_groups *g);

/* The number of trend buckets, and when bucket i starts (Unix ns). */
int error_groups_buckets(const struct error_groups *g);
int64_t error_groups_bucket_start(const struct error_groups *g, int i);

/* Append a group's trend as a JSON array ("[0,3,1]"). */
int error_group_trend_json(const struct error_groups *g, const struct error_group *row,
                           struct et_buf *out);

/* "new", "ongoing", "resolved" or "" (no baseline). */
const char *error_group_status_name(enum error_group_status status);

#endif
