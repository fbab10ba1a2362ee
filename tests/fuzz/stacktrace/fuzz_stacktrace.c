/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the stack-trace parsers and everything built on
 * them: the first byte picks the language hint (0 = detect), the rest is the
 * exception.stacktrace text. Checks the parser's invariants (frames inside
 * the input and inside their exception's run, limits respected), then
 * fingerprints the text and feeds the NUL-separated pieces of the input as
 * events to the error-groups engine and the error-summary aggregator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/error_groups.h"
#include "analysis/error_summary.h"
#include "analysis/fingerprint.h"
#include "analysis/stacktrace.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static void check_trace(const struct stacktrace *st, size_t len)
{
    CHECK(st->n_frames <= STACKTRACE_MAX_FRAMES);
    CHECK(st->n_exceptions <= STACKTRACE_MAX_EXCEPTIONS);
    CHECK(st->language < STACK_LANG_COUNT);
    for (size_t i = 0; i < st->n_frames; i++) {
        const struct stack_frame *f = &st->frames[i];
        CHECK(f->module && f->function && f->file);
        CHECK((size_t)f->text_offset + f->text_length <= len);
        CHECK(f->exception < st->n_exceptions);
    }
    size_t owned = 0;
    for (size_t e = 0; e < st->n_exceptions; e++) {
        const struct stack_exception *ex = &st->exceptions[e];
        CHECK(ex->type && ex->message);
        CHECK(strlen(ex->message) <= STACKTRACE_MAX_MESSAGE);
        CHECK(ex->parent < st->n_exceptions);
        CHECK((size_t)ex->first_frame + ex->n_frames <= st->n_frames);
        for (uint32_t k = 0; k < ex->n_frames; k++)
            CHECK(st->frames[ex->first_frame + k].exception == e);
        owned += ex->n_frames;
    }
    CHECK(owned == st->n_frames);
}

static void check_fingerprint(const struct fingerprint *fp)
{
    CHECK(strlen(fp->id) == FINGERPRINT_ID_LEN);
    CHECK(fp->exception_type && fp->message_template && fp->culprit && fp->stack_top &&
          fp->components);
    CHECK(strlen(fp->culprit) <= FINGERPRINT_CULPRIT_MAX);
    CHECK(strlen(fp->stack_top) <= FINGERPRINT_CULPRIT_MAX);
}

/* Up to 8 events from the NUL-separated pieces of the input. */
static void aggregate(const char *text, size_t len)
{
    struct error_groups_options opt = {
        .from_ns = 1000, .to_ns = 2000, .buckets = 7, .baseline = true, .list_resolved = true};
    struct error_groups *g = error_groups_new(&opt);
    struct error_summary *s = error_summary_new();
    size_t start = 0;
    for (int i = 0; i < 8 && start <= len; i++) {
        const char *piece = text + start;
        size_t n = strnlen(piece, len - start);
        struct error_event ev = {
            .time_ns = 900 + (int64_t)(n * 37 % 1200),
            .service = i % 3 ? "svc" : "other",
            .route = piece,
            .exception_type = i % 2 ? piece : NULL,
            .message = piece,
            .stacktrace = piece,
            .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
            .span_id = i % 2 ? "00f067aa0ba902b7" : NULL,
            .in_baseline = (n & 1) != 0,
        };
        error_groups_add(g, &ev);
        error_summary_add(s, &ev);
        start += n + 1;
    }
    size_t rows;
    const struct error_group *const *r = error_groups_rows(g, ERROR_GROUPS_BY_NEW, &rows);
    for (size_t i = 0; i < rows; i++)
        CHECK(r[i]->count + r[i]->previous_count > 0 && r[i]->trace_id);
    error_summary_rows(s, &rows);
    error_groups_free(g);
    error_summary_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct stacktrace st;
    static struct fingerprint_ctx *ctx;
    if (!ctx) {
        stacktrace_init(&st);
        ctx = fingerprint_ctx_new();
    }
    if (size == 0)
        return 0;
    enum stack_language hint = (enum stack_language)(data[0] % STACK_LANG_COUNT);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    stacktrace_parse(&st, text, len, hint);
    check_trace(&st, len);

    /* the fingerprint needs NUL-terminated attributes */
    char *copy = malloc(len + 1);
    if (!copy)
        return 0;
    memcpy(copy, text, len);
    copy[len] = '\0';
    static const char *const sdks[] = {NULL,     "python", "java", "go",
                                       "nodejs", "dotnet", "ruby", "php"};
    struct fingerprint_input in = {
        .exception_type = copy,
        .message = copy,
        .stacktrace = text,
        .stacktrace_len = len,
        .sdk_language = sdks[data[0] % 8],
    };
    struct fingerprint fp;
    fingerprint_compute(ctx, &in, &fp);
    check_fingerprint(&fp);
    in.exception_type = NULL;
    in.message = NULL;
    fingerprint_compute(ctx, &in, &fp);
    check_fingerprint(&fp);
    aggregate(copy, len);
    free(copy);
    return 0;
}
