/* SPDX-License-Identifier: Apache-2.0
 *
 * Fingerprints (see fingerprint.h for the algorithm and its reasons).
 *
 * The components are written as text, one per line ("type:", "exception:",
 * "frame:module|function", "message:"), and the hash is taken over that
 * text. The same text is returned to callers, so "why are these grouped"
 * can always be answered with exactly what was hashed.
 *
 * Everything a call needs lives in the reusable ctx (the parsed trace, the
 * picked frame names, the output buffers): after the first few calls a
 * fingerprint allocates nothing, which is what makes >100k/s possible.
 */
#include "analysis/fingerprint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/frame_name.h"
#include "analysis/hash.h"
#include "analysis/message.h"
#include "core/buf.h"
#include "core/mem.h"

#define COMPONENTS_LIMIT (64u * 1024u)
#define TYPE_MAX         256

struct picked_frame {
    struct frame_name name;
    const struct stack_frame *frame;
};

/* The frames one exception contributes. */
struct picked_exception {
    size_t exception; /* index in the trace */
    bool left_out;    /* cut inside while others have frames: takes no part */
    size_t n;
    struct picked_frame frames[FINGERPRINT_MAX_FRAMES];
};

struct fingerprint_ctx {
    struct stacktrace trace;
    struct picked_exception picked[FINGERPRINT_MAX_CHAIN];
    size_t n_picked;
    struct et_buf components;
    struct et_buf type;
    struct et_buf chain_type;
    struct et_buf template;
    struct et_buf culprit;
    struct et_buf stack_top;
};

struct fingerprint_ctx *fingerprint_ctx_new(void)
{
    struct fingerprint_ctx *ctx = et_xcalloc(1, sizeof *ctx);
    stacktrace_init(&ctx->trace);
    et_buf_init(&ctx->components, COMPONENTS_LIMIT);
    et_buf_init(&ctx->type, TYPE_MAX);
    et_buf_init(&ctx->chain_type, TYPE_MAX);
    et_buf_init(&ctx->template, MESSAGE_TEMPLATE_MAX);
    et_buf_init(&ctx->culprit, FINGERPRINT_CULPRIT_MAX);
    et_buf_init(&ctx->stack_top, FINGERPRINT_CULPRIT_MAX);
    return ctx;
}

void fingerprint_ctx_free(struct fingerprint_ctx *ctx)
{
    if (!ctx)
        return;
    stacktrace_cleanup(&ctx->trace);
    et_buf_cleanup(&ctx->components);
    et_buf_cleanup(&ctx->type);
    et_buf_cleanup(&ctx->chain_type);
    et_buf_cleanup(&ctx->template);
    et_buf_cleanup(&ctx->culprit);
    et_buf_cleanup(&ctx->stack_top);
    free(ctx);
}

const struct stacktrace *fingerprint_ctx_trace(const struct fingerprint_ctx *ctx)
{
    return &ctx->trace;
}

void fingerprint_format_id(uint64_t hash, char *out)
{
    snprintf(out, FINGERPRINT_ID_LEN + 1, "%012" PRIx64, hash >> 16);
}

/* ---- types -------------------------------------------------------------- */

/* Python types reduced to the class name (the SDK may send either form);
 * PHP namespaces with backslashes; surrounding blanks dropped. */
static void normalize_type(enum stack_language lang, const char *t, struct et_buf *out)
{
    et_buf_reset(out);
    if (!t)
        return;
    size_t n = strlen(t);
    while (n && (t[0] == ' ' || t[0] == '\t')) {
        t++;
        n--;
    }
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
        n--;
    if (lang == STACK_LANG_PYTHON) {
        size_t dot = n;
        while (dot > 0 && t[dot - 1] != '.')
            dot--;
        if (dot > 0 && dot < n) {
            t += dot;
            n -= dot;
        }
    }
    if (lang == STACK_LANG_PHP && n && t[0] == '\\') {
        t++;
        n--;
    }
    for (size_t i = 0; i < n; i++)
        et_buf_putc(out, lang == STACK_LANG_PHP && t[i] == '.' ? '\\' : t[i]);
}

static bool go_generic_type(const char *t)
{
    static const char *const generic[] = {
        "*errors.errorString",
        "errors.errorString",
        "*fmt.wrapError",
        "*fmt.wrapErrors",
        "*errors.joinError",
        "*errors.fundamental",
        "*errors.withStack",
        "*errors.withMessage",
        "*status.Error",
        "",
        NULL,
    };
    for (size_t i = 0; generic[i]; i++)
        if (strcmp(t, generic[i]) == 0)
            return true;
    return false;
}

/* The stack shows where RecordError was called (the OTel Go SDK captured
 * it), not where the error arose. */
static bool go_recorded_stack(const struct stacktrace *st)
{
    for (size_t i = 0; i < st->n_frames; i++)
        if (strncmp(st->frames[i].module, "go.opentelemetry.io/otel/sdk/trace", 34) == 0)
            return true;
    return false;
}

/* ---- frame picking ------------------------------------------------------ */

static bool same_name(const struct frame_name *a, const struct frame_name *b)
{
    return strcmp(a->module, b->module) == 0 && strcmp(a->function, b->function) == 0;
}

/* Pick up to FINGERPRINT_MAX_FRAMES usable frames of exception e (only
 * application frames when `app_only`), innermost first, repeats once. An
 * exception the text was cut inside gives the frames printed first, which
 * every cut of the same text shares. */
static size_t pick_frames(struct fingerprint_ctx *ctx, size_t e, bool app_only,
                          struct picked_exception *out)
{
    const struct stacktrace *st = &ctx->trace;
    const struct stack_exception *ex = &st->exceptions[e];
    bool reverse = !ex->complete && st->language == STACK_LANG_PYTHON;
    out->exception = e;
    out->n = 0;
    for (uint32_t k = 0; k < ex->n_frames && out->n < FINGERPRINT_MAX_FRAMES; k++) {
        uint32_t idx = reverse ? ex->first_frame + ex->n_frames - 1 - k : ex->first_frame + k;
        const struct stack_frame *f = &st->frames[idx];
        if (app_only && !f->in_app)
            continue;
        struct picked_frame *p = &out->frames[out->n];
        if (!frame_name_normalize(st->language, f, &p->name))
            continue;
        if (out->n && same_name(&out->frames[out->n - 1].name, &p->name))
            continue; /* recursion */
        p->frame = f;
        out->n++;
    }
    return out->n;
}

/* Fill ctx->picked for one basis; returns the frames picked. */
static size_t pick_chain(struct fingerprint_ctx *ctx, bool app_only)
{
    const struct stacktrace *st = &ctx->trace;
    size_t complete_frames = 0;
    ctx->n_picked = 0;
    for (size_t e = 0; e < st->n_exceptions && ctx->n_picked < FINGERPRINT_MAX_CHAIN; e++) {
        if (st->exceptions[e].relation == STACK_REL_SUPPRESSED)
            continue;
        struct picked_exception *p = &ctx->picked[ctx->n_picked++];
        p->left_out = false;
        size_t n = pick_frames(ctx, e, app_only, p);
        if (st->exceptions[e].complete)
            complete_frames += n;
    }
    size_t total = 0;
    for (size_t i = 0; i < ctx->n_picked; i++) {
        struct picked_exception *p = &ctx->picked[i];
        /* where a cut falls varies: leave the cut exception out when others
         * have frames */
        p->left_out = !st->exceptions[p->exception].complete && complete_frames > 0;
        if (!p->left_out)
            total += p->n;
    }
    return total;
}

/* ---- components --------------------------------------------------------- */

static void add_component(struct et_buf *b, const char *key, const char *value)
{
    et_buf_append_str(b, key);
    et_buf_putc(b, ':');
    for (const char *v = value; *v; v++)
        et_buf_putc(b, *v == '\n' ? ' ' : *v);
    et_buf_putc(b, '\n');
}

/* One exception's components; an exception identical to an earlier one of
 * the chain (N equal sub-exceptions of a group or an AggregateException)
 * counts once, so the number of parallel failures does not split groups. */
static void add_frames(struct fingerprint_ctx *ctx, enum stack_language lang)
{
    uint64_t seen[FINGERPRINT_MAX_CHAIN];
    for (size_t i = 0; i < ctx->n_picked; i++) {
        const struct picked_exception *p = &ctx->picked[i];
        seen[i] = 0;
        if (p->left_out)
            continue;
        size_t start = ctx->components.len;
        normalize_type(lang, ctx->trace.exceptions[p->exception].type, &ctx->chain_type);
        add_component(&ctx->components, "exception", et_buf_cstr(&ctx->chain_type));
        for (size_t k = 0; k < p->n; k++) {
            et_buf_append_str(&ctx->components, "frame:");
            et_buf_append_str(&ctx->components, p->frames[k].name.module);
            et_buf_putc(&ctx->components, '|');
            et_buf_append_str(&ctx->components, p->frames[k].name.function);
            et_buf_putc(&ctx->components, '\n');
        }
        seen[i] = hash64(ctx->components.data + start, ctx->components.len - start);
        for (size_t j = 0; j < i; j++) {
            if (!ctx->picked[j].left_out && seen[j] == seen[i]) {
                ctx->components.len = start; /* a repeat: take it back */
                ctx->components.data[start] = '\0';
                break;
            }
        }
    }
}

/* Drop a UTF-8 sequence left incomplete at the end of b by a limit. */
static void trim_incomplete_utf8(struct et_buf *b)
{
    size_t len = b->len, i = len;
    while (i > 0 && len - i < 4 && ((unsigned char)b->data[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)b->data[i - 1];
    if (lead < 0xC0)
        return;
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (len - (i - 1) < want) {
        b->len = i - 1;
        b->data[b->len] = '\0';
    }
}

/* Append s[0..n) with white space runs collapsed to one space, up to the
 * buffer's limit. */
static void put_collapsed(struct et_buf *b, const char *s, size_t n)
{
    size_t start_len = b->len;
    bool pending_space = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pending_space = b->len > start_len;
            continue;
        }
        if (b->len + (pending_space ? 2 : 1) > b->limit)
            break;
        if (pending_space)
            et_buf_putc(b, ' ');
        pending_space = false;
        et_buf_putc(b, c);
    }
    if (b->len)
        trim_incomplete_utf8(b);
}

static void set_culprit(struct fingerprint_ctx *ctx, const char *text, size_t text_len)
{
    const struct picked_frame *top = NULL;
    for (size_t i = 0; i < ctx->n_picked && !top; i++)
        if (ctx->picked[i].n && !ctx->picked[i].left_out)
            top = &ctx->picked[i].frames[0];
    if (top && ctx->trace.language == STACK_LANG_UNKNOWN) {
        /* lines of an unknown format name no module or function */
        put_collapsed(&ctx->stack_top, text + top->frame->text_offset, top->frame->text_length);
        return;
    }
    if (top) {
        const char *m = top->name.module, *f = top->name.function;
        et_buf_append_str(&ctx->culprit, m);
        if (*m && *f)
            et_buf_putc(&ctx->culprit, '.');
        et_buf_append_str(&ctx->culprit, f);
        put_collapsed(&ctx->stack_top, text + top->frame->text_offset, top->frame->text_length);
        return;
    }
    /* no frame: the first non-empty line of the trace */
    size_t i = 0;
    while (i < text_len &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    size_t end = i;
    while (end < text_len && text[end] != '\n' && end - i < FINGERPRINT_CULPRIT_MAX * 2)
        end++;
    put_collapsed(&ctx->stack_top, text + i, end - i);
}

static void reset_buffers(struct fingerprint_ctx *ctx)
{
    et_buf_reset(&ctx->components);
    et_buf_reset(&ctx->type);
    et_buf_reset(&ctx->template);
    et_buf_reset(&ctx->culprit);
    et_buf_reset(&ctx->stack_top);
    ctx->n_picked = 0;
}

void fingerprint_compute(struct fingerprint_ctx *ctx, const struct fingerprint_input *in,
                         struct fingerprint *out)
{
    reset_buffers(ctx);
    enum stack_language hint = stack_language_from_sdk(in->sdk_language);
    const char *text = in->stacktrace ? in->stacktrace : "";
    size_t text_len = in->stacktrace ? in->stacktrace_len : 0;
    stacktrace_parse(&ctx->trace, text, text_len, hint);
    const struct stacktrace *st = &ctx->trace;
    enum stack_language lang = st->n_frames || st->n_exceptions ? st->language : hint;

    const char *type = in->exception_type;
    if ((!type || !type[0]) && st->n_exceptions)
        type = st->exceptions[0].type;
    normalize_type(lang, type, &ctx->type);
    const char *message = in->message;
    if ((!message || !message[0]) && st->n_exceptions)
        message = st->exceptions[0].message;
    message_template(message, message ? strlen(message) : 0, &ctx->template);

    enum fingerprint_basis basis = FINGERPRINT_APP_FRAMES;
    size_t used = pick_chain(ctx, true);
    if (!used) {
        basis = FINGERPRINT_ALL_FRAMES;
        used = pick_chain(ctx, false);
    }
    if (!used) {
        basis = FINGERPRINT_MESSAGE;
        ctx->n_picked = 0;
    }
    if (in->custom_key && in->custom_key[0]) {
        basis = FINGERPRINT_CUSTOM;
        add_component(&ctx->components, "custom", in->custom_key);
    } else {
        add_component(&ctx->components, "type", et_buf_cstr(&ctx->type));
        if (basis != FINGERPRINT_MESSAGE)
            add_frames(ctx, lang);
        if (basis != FINGERPRINT_APP_FRAMES ||
            (lang == STACK_LANG_GO &&
             (go_generic_type(et_buf_cstr(&ctx->type)) || go_recorded_stack(st))))
            add_component(&ctx->components, "message", et_buf_cstr(&ctx->template));
    }
    set_culprit(ctx, text, text_len);

    out->hash = hash64(ctx->components.data ? ctx->components.data : "", ctx->components.len);
    fingerprint_format_id(out->hash, out->id);
    out->basis = basis;
    out->language = lang;
    out->exception_type = et_buf_cstr(&ctx->type);
    out->message_template = et_buf_cstr(&ctx->template);
    out->culprit = et_buf_cstr(&ctx->culprit);
    out->stack_top = et_buf_cstr(&ctx->stack_top);
    out->components = et_buf_cstr(&ctx->components);
    out->frames_used = used;
    out->truncated = st->truncated;
}
