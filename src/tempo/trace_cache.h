/* SPDX-License-Identifier: Apache-2.0
 *
 * The per-datasource LRU cache of parsed traces, bounded in bytes.
 *
 * Fetch mode reads every error trace of the range; dashboards refresh every
 * few seconds over mostly the same traces, so parsed traces are kept, keyed
 * by trace ID and weighed by what they hold in memory (tempo_trace.bytes).
 * Inserting past the budget evicts the least recently used traces. A trace
 * heavier than a quarter of the budget is not kept (it would flush the rest).
 * A trace whose newest span ended less than `settle_ms` ago is not kept
 * either: Tempo may still be receiving its spans.
 *
 * Ownership: the cache holds one reference on each trace it keeps.
 * trace_cache_get() returns a new reference (tempo_trace_unref() it).
 * Thread safety: every function may be called from any thread (one mutex).
 */
#ifndef ET_TEMPO_TRACE_CACHE_H
#define ET_TEMPO_TRACE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "tempo/tempo_trace.h"

struct trace_cache;

struct trace_cache_stats {
    size_t entries;
    size_t bytes;
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;
};

/* A cache of at most `max_bytes` (0: a cache that keeps nothing). */
struct trace_cache *trace_cache_new(size_t max_bytes, int64_t settle_ms);
void trace_cache_free(struct trace_cache *c);

/* The trace with this ID (32 hex digits), or NULL. New reference. */
struct tempo_trace *trace_cache_get(struct trace_cache *c, const char *trace_id);
/* Keep `t` (the cache takes its own reference; the caller keeps theirs) under
 * t->trace_id, replacing an older entry. `now_ms` is the wall clock. */
void trace_cache_put(struct trace_cache *c, struct tempo_trace *t, int64_t now_ms);
void trace_cache_get_stats(struct trace_cache *c, struct trace_cache_stats *out);

#endif
