/* SPDX-License-Identifier: Apache-2.0
 *
 * LRU cache of parsed traces bounded in bytes (see trace_cache.h).
 *
 * DESIGN: a chained hash table keyed by the 32-digit trace ID (FNV-1a of the
 * text) plus a doubly linked recency list, both intrusive in the entry, all
 * behind one mutex. Lookups and inserts are O(1); the lock is held only for
 * pointer updates (traces are parsed and freed outside it: eviction collects
 * the victims and unrefs them after unlocking).
 */
#include "tempo/trace_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define CACHE_MIN_BUCKETS 64
#define ENTRY_OVERHEAD    64 /* bookkeeping bytes charged per entry */

struct entry {
    struct tempo_trace *trace;
    struct entry *chain; /* next in the bucket */
    struct entry *newer; /* recency list */
    struct entry *older;
    size_t weight;
    uint64_t hash;
};

struct trace_cache {
    pthread_mutex_t lock;
    size_t max_bytes;
    int64_t settle_ms;
    struct entry **buckets;
    size_t n_buckets; /* power of two */
    struct entry *newest;
    struct entry *oldest;
    struct trace_cache_stats stats;
};

static uint64_t hash_id(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

struct trace_cache *trace_cache_new(size_t max_bytes, int64_t settle_ms)
{
    struct trace_cache *c = et_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    c->settle_ms = settle_ms;
    c->n_buckets = CACHE_MIN_BUCKETS;
    c->buckets = et_xcalloc(c->n_buckets, sizeof(struct entry *));
    return c;
}

void trace_cache_free(struct trace_cache *c)
{
    if (!c)
        return;
    struct entry *e = c->newest;
    while (e) {
        struct entry *next = e->older;
        tempo_trace_unref(e->trace);
        free(e);
        e = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct entry **find_slot(struct trace_cache *c, const char *id, uint64_t h)
{
    struct entry **slot = &c->buckets[h & (c->n_buckets - 1)];
    while (*slot && !((*slot)->hash == h && strcmp((*slot)->trace->trace_id, id) == 0))
        slot = &(*slot)->chain;
    return slot;
}

static void list_unlink(struct trace_cache *c, struct entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void list_push_newest(struct trace_cache *c, struct entry *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* Remove `e` from table and list; returns its trace for unref outside the lock. */
static struct tempo_trace *detach(struct trace_cache *c, struct entry *e)
{
    struct entry **slot = &c->buckets[e->hash & (c->n_buckets - 1)];
    while (*slot && *slot != e)
        slot = &(*slot)->chain;
    if (*slot)
        *slot = e->chain;
    list_unlink(c, e);
    c->stats.entries--;
    c->stats.bytes -= e->weight;
    struct tempo_trace *t = e->trace;
    free(e);
    return t;
}

static void grow(struct trace_cache *c)
{
    size_t n = c->n_buckets * 2;
    struct entry **b = et_xcalloc(n, sizeof(struct entry *));
    for (size_t i = 0; i < c->n_buckets; i++) {
        struct entry *e = c->buckets[i];
        while (e) {
            struct entry *next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->n_buckets = n;
}

struct tempo_trace *trace_cache_get(struct trace_cache *c, const char *trace_id)
{
    if (!c)
        return NULL;
    uint64_t h = hash_id(trace_id);
    pthread_mutex_lock(&c->lock);
    struct entry *e = *find_slot(c, trace_id, h);
    struct tempo_trace *t = NULL;
    if (e) {
        list_unlink(c, e);
        list_push_newest(c, e);
        t = e->trace;
        tempo_trace_ref(t);
        c->stats.hits++;
    } else {
        c->stats.misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return t;
}

void trace_cache_put(struct trace_cache *c, struct tempo_trace *t, int64_t now_ms)
{
    size_t weight = t->bytes + ENTRY_OVERHEAD;
    if (!c || !t->trace_id[0] || weight > c->max_bytes / 4)
        return;
    if (t->last_end_ns / 1000000 > now_ms - c->settle_ms)
        return;
    struct tempo_trace **victims = NULL;
    size_t n_victims = 0, cap = 0;
    uint64_t h = hash_id(t->trace_id);
    pthread_mutex_lock(&c->lock);
    struct entry *old = *find_slot(c, t->trace_id, h);
    if (old) {
        victims = et_xgrow(victims, &cap, n_victims + 1, sizeof(struct tempo_trace *));
        victims[n_victims++] = detach(c, old);
    }
    while (c->oldest && c->stats.bytes + weight > c->max_bytes) {
        victims = et_xgrow(victims, &cap, n_victims + 1, sizeof(struct tempo_trace *));
        /* The oldest entry has no older one, so list_unlink moves c->oldest on
         * before detach frees it; the analyzer does not know that invariant. */
        victims[n_victims++] = detach(c, c->oldest); /* NOLINT(clang-analyzer-unix.Malloc) */
        c->stats.evictions++;
    }
    if (c->stats.bytes + weight <= c->max_bytes) {
        if (c->stats.entries >= c->n_buckets)
            grow(c);
        struct entry *e = et_xcalloc(1, sizeof *e);
        e->trace = t;
        e->weight = weight;
        e->hash = h;
        tempo_trace_ref(t);
        struct entry **slot = &c->buckets[h & (c->n_buckets - 1)];
        e->chain = *slot;
        *slot = e;
        list_push_newest(c, e);
        c->stats.entries++;
        c->stats.bytes += weight;
    }
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < n_victims; i++)
        tempo_trace_unref(victims[i]);
    free(victims);
}

void trace_cache_get_stats(struct trace_cache *c, struct trace_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}
