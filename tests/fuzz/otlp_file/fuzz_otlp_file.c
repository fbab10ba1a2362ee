/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: the file reader of `gpx_errortriage triage` (cli/otlp_file.h)
 * on arbitrary bytes, through stdio as a real file is read, with every
 * parsed trace turned into error events (cli/triage_events.h) as triage
 * does. Invariants: a failure is a 400 naming the file and a line that
 * exists; every document read reaches the callback; every event has its
 * strings set and hex IDs of the right length.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/otlp_file.h"
#include "cli/triage_events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.jsonl"

struct seen {
    size_t documents;
    size_t events;
};

static int on_event(void *ctx, const struct error_event *ev, struct et_error *err)
{
    (void)err;
    struct seen *s = ctx;
    if (!ev->service || !ev->route || !ev->exception_type || !ev->message || !ev->stacktrace ||
        !ev->trace_id || !ev->span_id)
        abort();
    size_t t = strlen(ev->trace_id), sp = strlen(ev->span_id);
    if ((t && t != 32) || (sp && sp != 16) || ev->in_baseline)
        abort();
    s->events++;
    return 0;
}

static int on_trace(void *ctx, const struct tempo_trace *t, long line, struct et_error *err)
{
    struct seen *s = ctx;
    if (line < 1)
        abort();
    s->documents++;
    struct et_strlist none;
    et_strlist_init(&none);
    int rc = triage_events_of_trace(t, &none, on_event, s, err);
    et_strlist_cleanup(&none);
    return rc;
}

/* "NAME:LINE: ..." with 1 <= LINE <= lines. */
static void check_error(const struct et_error *err, const struct otlp_file_stats *st)
{
    const char *m = err->message;
    if (err->status != 400 || strncmp(m, NAME ":", strlen(NAME) + 1) != 0)
        abort();
    char *end;
    long line = strtol(m + strlen(NAME) + 1, &end, 10);
    if (*end != ':' || line < 1 || line > st->lines)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;              /* fmemopen needs a buffer */
    void *copy = malloc(size); /* fmemopen's buffer is not const */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    FILE *f = fmemopen(copy, size, "rb");
    if (!f) {
        free(copy);
        return 0;
    }
    struct seen s = {0, 0};
    struct otlp_file_stats st;
    struct et_error err;
    et_error_clear(&err);
    int rc = otlp_file_read(f, NAME, on_trace, &s, &st, &err);
    fclose(f);
    free(copy);
    if (rc < 0)
        check_error(&err, &st);
    if (s.documents != st.documents || (rc == 0 && st.lines < 1))
        abort();
    return 0;
}
