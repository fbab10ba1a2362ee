/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: Tempo search responses and their neighbours. The first byte
 * picks the reader: search (then every trace turned into select-mode error
 * occurrences with and without filters), tag values, or build info.
 * Invariants: a parsed trace ID is 32 hex digits, a span ID 16 or none,
 * every occurrence has its strings set, and all traces' occurrences at once
 * equal the traces' one by one. The search reader must also agree
 * with the jansson-tree reader it replaced (tests/unit/tempo/
 * tempo_search_ref.c): same success or failure, same traces, spans and
 * attributes; and reading it while it arrives (tempo_search_stream, fed in
 * pieces, read inside feed() or, for one input in eight, on the reader's
 * thread) must give exactly what reading it whole gives.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tempo/tempo_errors.h"
#include "tempo/tempo_search.h"
#include "tempo_search_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_occurrences(const struct tempo_search_trace *t, const struct query *q)
{
    struct tempo_filter f = {q, false};
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_from_search(&l, t, &f);
    for (size_t i = 0; i < l.n; i++) {
        const struct tempo_error *e = &l.items[i];
        if (!e->service || !e->route || !e->exception_type || !e->message || !e->stacktrace ||
            strlen(e->trace_id) != 32)
            abort();
    }
    tempo_error_list_cleanup(&l);
}

/* The occurrences of every trace at once (tempo_errors_from_search_all,
 * one trace in three skipped) equal those of the traces one by one. */
static bool skip_third(const struct tempo_search_trace *t, const void *arg)
{
    (void)arg;
    return t->trace_id[31] % 3 == 0;
}

static void check_all_occurrences(const struct tempo_search_result *r, const struct query *q)
{
    struct tempo_filter f = {q, false};
    struct tempo_error_list all, one;
    tempo_error_list_init(&all);
    tempo_error_list_init(&one);
    tempo_errors_from_search_all(&all, r->traces, r->n_traces, &f, skip_third, NULL);
    for (size_t i = 0; i < r->n_traces; i++)
        if (!skip_third(&r->traces[i], NULL))
            tempo_errors_from_search_borrowing(&one, &r->traces[i], &f);
    if (all.n != one.n)
        abort();
    for (size_t i = 0; i < all.n; i++)
        if (all.items[i].seq != i || strcmp(all.items[i].span_id, one.items[i].span_id) != 0 ||
            strcmp(all.items[i].route, one.items[i].route) != 0 ||
            all.items[i].exception_type != one.items[i].exception_type)
            abort();
    tempo_error_list_cleanup(&all);
    tempo_error_list_cleanup(&one);
}

static void fuzz_search(const char *body, size_t len, enum stream_reader how)
{
    const char *diff = tempo_search_diff(body, len);
    if (diff) {
        fprintf(stderr, "search readers differ: %s\n", diff);
        abort();
    }
    /* read while arriving, in four pieces: the reader inside feed(), or on
     * its thread catching up after each piece (a thread per input costs
     * more than the input: for one in eight, picked by a hash) */
    size_t cuts[3], n_cuts = 0;
    for (size_t c = len / 4 + 1; c < len && n_cuts < 3; c += len / 4 + 1)
        cuts[n_cuts++] = c;
    diff = tempo_search_stream_diff(body, len, cuts, n_cuts, how, len % 2 == 1, len % 3 == 1);
    if (diff) {
        fprintf(stderr, "reading while arriving differs: %s\n", diff);
        abort();
    }
    struct tempo_search_result r;
    struct et_error err;
    tempo_search_result_init(&r);
    if (tempo_search_parse(body, len, &r, &err) == 0) {
        struct query all, some;
        memset(&all, 0, sizeof all);
        memset(&some, 0, sizeof some);
        et_strlist_push(&some.routes, "/x");
        et_strlist_push(&some.exception_types, "(no exception)");
        for (size_t i = 0; i < r.n_traces; i++) {
            const struct tempo_search_trace *t = &r.traces[i];
            if (strlen(t->trace_id) != 32 || t->n_spans > TEMPO_SEARCH_MAX_SPANS)
                abort();
            for (size_t s = 0; s < t->n_spans; s++) {
                size_t n = strlen(t->spans[s].span_id);
                if (n != 0 && n != 16)
                    abort();
            }
            check_occurrences(t, &all);
            check_occurrences(t, &some);
        }
        check_all_occurrences(&r, &some);
        et_strlist_cleanup(&some.routes);
        et_strlist_cleanup(&some.exception_types);
    } else if (err.status != 502 || r.n_traces != 0) {
        abort();
    }
    tempo_search_result_cleanup(&r);
}

/* FNV-1a: picks the inputs read on a thread. Not a byte the fuzzer keeps
 * while mutating the rest: an input that reached new code on the thread
 * would otherwise breed a corpus read on threads only. */
static uint32_t hash_of(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    struct et_error err;
    switch (data[0] % 3) {
    case 0:
        fuzz_search(body, len,
                    hash_of(data, size) % 8 == 0 ? STREAM_READER_SYNC : STREAM_READER_INLINE);
        break;
    case 1: {
        struct et_strlist l;
        et_strlist_init(&l);
        if (tempo_tag_values_parse(body, len, 1000, &l, &err) == 0 && l.n > 1000)
            abort();
        et_strlist_cleanup(&l);
        break;
    }
    default: {
        char version[64];
        tempo_buildinfo_parse(body, len, version, sizeof version, &err);
        break;
    }
    }
    return 0;
}
