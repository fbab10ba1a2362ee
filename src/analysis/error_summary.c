/* SPDX-License-Identifier: Apache-2.0
 *
 * The error-summary aggregator (contract in error_summary.h): a hash index
 * on (service, type), a counter and min/max per pair, and the strings of the
 * latest event kept as the example.
 */
#include "analysis/error_summary.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/hash.h"
#include "analysis/u64_index.h"
#include "core/mem.h"

#define KEY_MAX      512 /* bytes of service / type kept */
#define ID_MAX       64
#define MESSAGE_MAX  8192
#define KEY_ATTEMPTS 8  /* probes past a 64-bit hash collision */
#define MEMO_SLOTS   64 /* (service, type) pointer pairs remembered (stable strings) */

struct summary_entry {
    struct error_summary_row row;
    char *service;
    char *type;
    char *trace_id;
    char *span_id;
    char *message;
    char *stacktrace;
    int64_t example_ns;
};

/* A pointer pair seen before and its row (error_summary_new_stable). */
struct memo_slot {
    const char *service, *type;
    struct summary_entry *entry;
};

struct error_summary {
    struct u64_index index;
    struct memo_slot *memo; /* MEMO_SLOTS, direct-mapped; NULL unless stable */
    struct summary_entry **entries;
    size_t n;
    size_t cap;
    const struct error_summary_row **rows;
    size_t dropped;
};

struct error_summary *error_summary_new(void)
{
    struct error_summary *s = et_xcalloc(1, sizeof *s);
    u64_index_init(&s->index);
    return s;
}

struct error_summary *error_summary_new_stable(void)
{
    struct error_summary *s = error_summary_new();
    s->memo = et_xcalloc(MEMO_SLOTS, sizeof *s->memo);
    return s;
}

static void entry_free(struct summary_entry *e)
{
    free(e->service);
    free(e->type);
    free(e->trace_id);
    free(e->span_id);
    free(e->message);
    free(e->stacktrace);
    free(e);
}

void error_summary_free(struct error_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        entry_free(s->entries[i]);
    free(s->entries);
    free((void *)s->rows);
    free(s->memo);
    u64_index_cleanup(&s->index);
    free(s);
}

size_t error_summary_dropped(const struct error_summary *s)
{
    return s->dropped;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static char *copy_capped(const char *s, size_t max)
{
    size_t n = strnlen(or_empty(s), max);
    if (n == max)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return et_xstrndup(or_empty(s), n);
}

static bool same_key(const struct summary_entry *e, const char *service, const char *type)
{
    return strncmp(e->service, service, KEY_MAX) == 0 && strncmp(e->type, type, KEY_MAX) == 0;
}

static uint64_t key_hash(const char *service, const char *type, int attempt)
{
    uint64_t h = hash64_update(HASH64_SEED, service, strnlen(service, KEY_MAX));
    h = hash64_update(h, "", 1);
    h = hash64_update(h, type, strnlen(type, KEY_MAX));
    h = hash64_update(h, &attempt, sizeof attempt);
    return hash64_final(h);
}

/* The entry of (service, type), created when missing; NULL at the row cap. */
static struct summary_entry *find_entry(struct error_summary *s, const char *service,
                                        const char *type)
{
    for (int attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
        uint64_t key = key_hash(service, type, attempt);
        long at = u64_index_get(&s->index, key);
        if (at >= 0 && same_key(s->entries[at], service, type))
            return s->entries[at];
        if (at >= 0)
            continue; /* another pair has this hash: probe on */
        if (s->n >= ERROR_SUMMARY_MAX_ROWS)
            return NULL;
        struct summary_entry *e = et_xcalloc(1, sizeof *e);
        e->service = copy_capped(service, KEY_MAX);
        e->type = copy_capped(type, KEY_MAX);
        e->row.service = e->service;
        e->row.exception_type = e->type;
        e->row.first_seen_ns = INT64_MAX;
        e->row.last_seen_ns = INT64_MIN;
        s->entries = et_xgrow(s->entries, &s->cap, s->n + 1, sizeof(struct summary_entry *));
        u64_index_put(&s->index, key, (uint32_t)s->n);
        s->entries[s->n++] = e;
        return e;
    }
    return NULL;
}

static void set_example(struct summary_entry *e, const struct error_event *ev)
{
    free(e->trace_id);
    free(e->span_id);
    free(e->message);
    free(e->stacktrace);
    e->trace_id = copy_capped(ev->trace_id, ID_MAX);
    e->span_id = copy_capped(ev->span_id, ID_MAX);
    e->message = copy_capped(ev->message, MESSAGE_MAX);
    e->stacktrace = copy_capped(ev->stacktrace, ERROR_SUMMARY_MAX_STACK);
    e->example_ns = ev->time_ns;
    e->row.trace_id = e->trace_id;
    e->row.span_id = e->span_id;
    e->row.message = e->message;
    e->row.stacktrace = e->stacktrace;
}

static bool better_example(const struct summary_entry *e, const struct error_event *ev)
{
    if (!e->trace_id)
        return true;
    if (ev->time_ns != e->example_ns)
        return ev->time_ns > e->example_ns;
    return strncmp(or_empty(ev->trace_id), e->trace_id, ID_MAX) < 0;
}

/* find_entry() through the pointer memo: the strings of a pair seen before
 * are not read again (stable strings only). */
static struct summary_entry *find_entry_memo(struct error_summary *s, const char *service,
                                             const char *type)
{
    uintptr_t h = ((uintptr_t)service * 0x9e3779b97f4a7c15ull) ^ (uintptr_t)type;
    struct memo_slot *m = &s->memo[(h ^ (h >> 29)) % MEMO_SLOTS];
    if (m->entry && m->service == service && m->type == type)
        return m->entry;
    struct summary_entry *e = find_entry(s, service, type);
    if (e)
        *m = (struct memo_slot){service, type, e};
    return e;
}

void error_summary_add(struct error_summary *s, const struct error_event *ev)
{
    if (ev->in_baseline)
        return;
    const char *service = or_empty(ev->service), *type = or_empty(ev->exception_type);
    struct summary_entry *e =
        s->memo ? find_entry_memo(s, service, type) : find_entry(s, service, type);
    if (!e) {
        s->dropped++;
        return;
    }
    e->row.count++;
    if (ev->time_ns < e->row.first_seen_ns)
        e->row.first_seen_ns = ev->time_ns;
    if (ev->time_ns > e->row.last_seen_ns)
        e->row.last_seen_ns = ev->time_ns;
    if (better_example(e, ev))
        set_example(e, ev);
}

static int compare_rows(const void *a, const void *b)
{
    const struct error_summary_row *x = *(const struct error_summary_row *const *)a;
    const struct error_summary_row *y = *(const struct error_summary_row *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->last_seen_ns != y->last_seen_ns)
        return x->last_seen_ns > y->last_seen_ns ? -1 : 1;
    int c = strcmp(x->service, y->service);
    return c ? c : strcmp(x->exception_type, y->exception_type);
}

const struct error_summary_row *const *error_summary_rows(struct error_summary *s, size_t *n)
{
    free((void *)s->rows);
    s->rows = et_xcalloc(s->n + 1, sizeof(const struct error_summary_row *));
    for (size_t i = 0; i < s->n; i++)
        s->rows[i] = &s->entries[i]->row;
    qsort(s->rows, s->n, sizeof(const struct error_summary_row *), compare_rows);
    *n = s->n;
    return s->rows;
}
