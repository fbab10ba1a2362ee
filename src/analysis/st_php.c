/* SPDX-License-Identifier: Apache-2.0
 *
 * PHP stack traces. Two shapes reach us:
 *
 *  - native text (Throwable::__toString, uncaught-exception log lines):
 *    `[PHP Fatal error:  Uncaught ]<Type>: <msg> in <file>:<line>`, then
 *    `Stack trace:`, frames `#N <file>(<line>): <call>` or
 *    `#N [internal function]: <call>`, a last `#N {main}`, and for chained
 *    exceptions `Next <Type>: <msg> in <file>:<line>` blocks. The innermost
 *    (previous) exception comes first, so the order is reversed here.
 *  - the OTel PHP SDK's Java-shaped text (`at App.Billing.Repo.get(Repo.php:54)`),
 *    handed to the JVM grammar in PHP mode (st_jvm.c).
 *
 * A native frame's location is where the call was made, not where the called
 * function runs; the function of frame N runs at frame N-1's location (frame
 * 0's at the exception's "in <file>:<line>"). Frames carry that executing
 * location, so `/vendor/` paths tell library code from application code.
 * Argument lists (`Object(App\Request)`, `'88123'`, `Array`) are dropped.
 */
#include "analysis/stacktrace_int.h"

struct php_place {
    const char *file;
    size_t file_len;
    unsigned long line;
};

static bool is_type_char(char c)
{
    return c == '_' || c == '\\' || sv_is_digit(c) || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

/* `<Type>: <msg> in <file>:<line>` (prefixes already removed). */
static int open_exception(struct st_parser *p, const struct st_line *l, const char *t, size_t tn,
                          struct php_place *throw_site)
{
    size_t i = 0;
    while (i < tn && is_type_char(t[i]))
        i++;
    if (i == 0 || i + 1 >= tn || t[i] != ':' || t[i + 1] != ' ')
        return -2;
    const char *msg = t + i + 2;
    size_t mn = tn - i - 2;
    throw_site->file = "";
    throw_site->file_len = 0;
    throw_site->line = 0;
    long in = sv_rfind(msg, mn, " in ");
    if (in >= 0) {
        const char *loc = msg + in + 4;
        size_t ln = mn - (size_t)in - 4;
        long colon = sv_rfind_char(loc, ln, ':');
        if (colon > 0 && sv_uint(loc + colon + 1, ln - (size_t)colon - 1, &throw_site->line)) {
            throw_site->file = loc;
            throw_site->file_len = (size_t)colon;
            mn = (size_t)in;
        }
    }
    (void)l;
    size_t start = (size_t)(msg - p->text);
    return st_add_exception(p, t, i, start, start + mn, STACK_REL_REPORTED, 0);
}

/* "App\Billing\Repo->get(88123)" -> module "App\Billing\Repo", function "get". */
static void split_call(struct st_parser *p, struct stack_frame *f, const char *c, size_t n)
{
    const char *lp = memchr(c, '(', n);
    size_t name_len = lp ? (size_t)(lp - c) : n;
    /* closures print as "App\{closure}" or "{closure:/path:12}" */
    if (lp && lp > c && memchr(c, '{', name_len) && !memchr(c, '}', name_len)) {
        const char *rb = memchr(lp, '}', n - (size_t)(lp - c));
        if (rb)
            name_len = (size_t)(rb - c) + 1;
    }
    long arrow = sv_rfind(c, name_len, "->");
    long colons = sv_rfind(c, name_len, "::");
    long sep = arrow > colons ? arrow : colons;
    if (sep > 0) {
        f->module = st_strdup(p, c, (size_t)sep);
        f->function = st_strdup(p, c + sep + 2, name_len - (size_t)sep - 2);
        return;
    }
    long ns = sv_rfind_char(c, name_len, '\\');
    if (ns > 0 && !memchr(c, '{', (size_t)ns)) {
        f->module = st_strdup(p, c, (size_t)ns);
        f->function = st_strdup(p, c + ns + 1, name_len - (size_t)ns - 1);
        return;
    }
    f->function = st_strdup(p, c, name_len);
}

static void set_place(struct st_parser *p, struct stack_frame *f, const struct php_place *at)
{
    f->file = st_strdup(p, at->file, at->file_len);
    f->line = (uint32_t)at->line;
    bool internal = at->file_len && at->file[0] == '[';
    if (!at->file_len || internal) {
        f->file = "";
        f->in_app = !internal && !st_php_vendor_namespace(f->module, strlen(f->module));
    } else {
        f->in_app = !sv_path_contains(at->file, at->file_len, "/vendor/");
    }
    if (strcmp(f->function, "{main}") == 0)
        f->in_app = false;
}

/* `#N <file>(<line>): <call>`, `#N [internal function]: <call>`, `#N {main}`.
 * `*at` is the executing location of this frame; it becomes this line's own
 * location for the next frame. False when the line is cut. */
static bool parse_frame(struct st_parser *p, int e, const struct st_line *l, const char *t,
                        size_t tn, struct php_place *at)
{
    size_t i = 1;
    while (i < tn && sv_is_digit(t[i]))
        i++;
    if (i == 1 || i >= tn || t[i] != ' ')
        return false;
    const char *r = t + i + 1;
    size_t rn = tn - i - 1;
    struct php_place own = {"", 0, 0};
    const char *call;
    size_t call_len;
    if (sv_starts(r, rn, "{main}")) {
        call = r;
        call_len = 6;
    } else {
        long colon = sv_find(r, rn, "): ");
        long internal = sv_starts(r, rn, "[internal function]: ") ? 19 : -1;
        if (internal > 0) {
            own.file = r;
            own.file_len = 19;
            call = r + 21;
            call_len = rn - 21;
        } else if (colon > 0) {
            long open = sv_rfind_char(r, (size_t)colon, '(');
            if (open <= 0 || !sv_uint(r + open + 1, (size_t)(colon - open - 1), &own.line))
                return false;
            own.file = r;
            own.file_len = (size_t)open;
            call = r + colon + 3;
            call_len = rn - (size_t)colon - 3;
        } else {
            return false;
        }
        if (!memchr(call, '(', call_len) && !l->terminated)
            return false;
    }
    struct stack_frame *f = st_add_frame(p, e, l);
    if (f) {
        split_call(p, f, call, call_len);
        set_place(p, f, at);
    }
    *at = own;
    return true;
}

static bool has_native_frames(const struct st_parser *p)
{
    size_t n = p->len < 65536 ? p->len : 65536;
    for (size_t i = 0; i + 2 < n; i++)
        if (p->text[i] == '#' && sv_is_digit(p->text[i + 1]) &&
            (i == 0 || p->text[i - 1] == '\n' || p->text[i - 1] == ' '))
            return true;
    return false;
}

static const char *strip_fatal_prefix(const char *t, size_t *tn)
{
    long u = sv_find(t, *tn, "Uncaught ");
    if (u >= 0 && (sv_starts(t, *tn, "PHP Fatal error:") || sv_starts(t, *tn, "Fatal error:"))) {
        *tn -= (size_t)u + 9;
        return t + u + 9;
    }
    return t;
}

void st_parse_php(struct st_parser *p)
{
    if (!has_native_frames(p)) {
        st_parse_jvm(p, true);
        return;
    }
    int e = -1;
    struct php_place at = {"", 0, 0};
    struct st_line l;
    while (st_next_line(p, &l)) {
        const char *t = l.p;
        size_t tn = l.len;
        sv_trim(&t, &tn);
        if (!tn || sv_starts(t, tn, "Stack trace:") || sv_starts(t, tn, "thrown in "))
            continue;
        if (t[0] == '#' && tn > 1 && sv_is_digit(t[1])) {
            if (e < 0)
                e = st_add_exception(p, "", 0, l.offset, l.offset, 0, 0);
            if (!parse_frame(p, e, &l, t, tn, &at) && !l.terminated)
                st_mark_cut(p, e);
            continue;
        }
        bool next = sv_starts(t, tn, "Next ");
        if (next) {
            t += 5;
            tn -= 5;
        }
        if (e < 0 || next) {
            t = strip_fatal_prefix(t, &tn);
            int n = open_exception(p, &l, t, tn, &at);
            if (n >= 0)
                e = n;
            continue;
        }
        if (p->st->exceptions[e].n_frames == 0)
            st_extend_message(p, e, l.offset + l.len);
    }
    st_reverse_exceptions(p);
    for (size_t j = 1; j < p->st->n_exceptions; j++) {
        p->st->exceptions[j].relation = STACK_REL_CAUSE;
        p->st->exceptions[j].parent = (uint16_t)(j - 1);
    }
}
