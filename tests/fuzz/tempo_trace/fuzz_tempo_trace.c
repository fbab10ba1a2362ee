/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: Tempo trace-by-ID bodies (v1 batches, v2 trace, bare
 * resourceSpans, instrumentationLibrarySpans). A parsed trace is run through
 * everything built from it: error occurrences (with and without filters),
 * every exception of the trace, and the trace-view frame, which must be a
 * valid frame. Invariants: IDs are hex of the right length or empty, a trace
 * weighs at least its own struct, and refcounting frees it exactly once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tempo/tempo_errors.h"
#include "tempo/tempo_trace.h"
#include "tempo/tempo_traceview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ids(const struct tempo_trace *t)
{
    for (size_t i = 0; i < t->n_spans; i++) {
        const struct tempo_span *s = &t->spans[i];
        size_t a = strlen(s->trace_id), b = strlen(s->span_id), c = strlen(s->parent_span_id);
        if ((a && a != 32) || (b && b != 16) || (c && c != 16))
            abort();
        if (s->resource >= t->n_resources && t->n_resources)
            abort();
        if (!s->name || !s->status_message || !tempo_span_resource(t, s)->service)
            abort();
    }
}

static void occurrences(const struct tempo_trace *t)
{
    struct query q;
    memset(&q, 0, sizeof q);
    struct tempo_filter f = {&q, true};
    struct tempo_error_list l;
    tempo_error_list_init(&l);
    tempo_errors_from_trace(&l, t, &f);
    et_strlist_push(&q.exception_types, "E");
    et_strlist_push(&q.environment, "prod");
    tempo_errors_from_trace(&l, t, &f);
    tempo_errors_all_of_trace(&l, t);
    for (size_t i = 0; i < l.n; i++)
        if (!l.items[i].route || !l.items[i].message || !l.items[i].exception_type)
            abort();
    tempo_error_list_cleanup(&l);
    et_strlist_cleanup(&q.exception_types);
    et_strlist_cleanup(&q.environment);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_error err;
    et_error_clear(&err);
    struct tempo_trace *t =
        tempo_trace_parse((const char *)data, size, "0123456789abcdef0123456789abcdef", &err);
    if (!t) {
        if (err.status != 502 || err.source != ET_SOURCE_DOWNSTREAM)
            abort();
        return 0;
    }
    if (t->bytes < sizeof *t)
        abort();
    check_ids(t);
    occurrences(t);
    struct frame *f = tempo_traceview_frame(t);
    if (frame_validate(f, &err) < 0)
        abort();
    frame_free(f);
    tempo_trace_ref(t);
    tempo_trace_unref(t);
    tempo_trace_unref(t);
    return 0;
}
