/* SPDX-License-Identifier: Apache-2.0
 *
 * Python tracebacks (traceback.format_exception, which the OTel Python SDK
 * records): blocks that start with "Traceback (most recent call last):",
 * frames `File "<path>", line <n>, in <function>` each followed by a source
 * line and, since 3.11, a marker line of ^ and ~, and an exception line
 * `<dotted.Type>: <message>` that may run over several lines.
 *
 * Chains print the root cause first, separated by "The above exception was
 * the direct cause of the following exception:" or "During handling of the
 * above exception, another exception occurred:"; the last block is the one
 * raised. Exception groups (3.11+) prefix their nested tracebacks with "| "
 * and separate members with "+---- 1 ----"; members become further blocks.
 * "[Previous line repeated N more times]" is skipped; SyntaxError blocks
 * have a frame without a function.
 *
 * Python prints frames outermost first: each block's frames are reversed and
 * the blocks too, so exceptions[0] is the raised exception, innermost frame
 * first.
 */
#include "analysis/stacktrace_int.h"

/* Library locations: not application code. */
static const char *const library_segments[] = {
    "/site-packages/", "/dist-packages/", "/Lib/", "/.venv/", "/venv/lib/", "/.pyenv/", NULL,
};

/* The standard library: ".../lib/python3.12/..." (a version must follow). */
static bool in_stdlib_dir(const char *path, size_t n)
{
    long at = sv_find(path, n, "/lib/python");
    if (at < 0)
        at = sv_find(path, n, "/lib64/python");
    if (at < 0)
        return false;
    const char *v = memchr(path + at + 1, 'p', n - (size_t)at - 1);
    return v && v + 6 < path + n && sv_is_digit(v[6]);
}

static bool python_in_app(const char *path, size_t n)
{
    if (n == 0 || path[0] == '<')
        return false; /* <frozen importlib._bootstrap>, <string>, <stdin> */
    for (size_t i = 0; library_segments[i]; i++)
        if (sv_path_contains(path, n, library_segments[i]))
            return false;
    return !in_stdlib_dir(path, n);
}

/* Position just after the last occurrence of a package root in path. */
static long after_package_root(const char *path, size_t n)
{
    static const char *const roots[] = {"/site-packages/", "/dist-packages/", NULL};
    long best = -1;
    for (size_t r = 0; roots[r]; r++) {
        size_t k = strlen(roots[r]);
        for (size_t i = 0; i + k <= n; i++) {
            size_t j = 0;
            while (j < k &&
                   (path[i + j] == roots[r][j] || (roots[r][j] == '/' && path[i + j] == '\\')))
                j++;
            if (j == k && (long)(i + k) > best)
                best = (long)(i + k);
        }
    }
    if (best >= 0)
        return best;
    /* the standard library: .../lib/python3.12/asyncio/runners.py, or on
     * Windows C:\Python312\Lib\asyncio\runners.py */
    long win = sv_rfind(path, n, "\\Lib\\");
    if (win >= 0)
        return win + 5;
    if (!in_stdlib_dir(path, n))
        return -1;
    long lib = sv_rfind(path, n, "/lib/python");
    if (lib < 0)
        lib = sv_rfind(path, n, "/lib64/python");
    for (size_t i = (size_t)lib + 5; lib >= 0 && i < n; i++) /* the '/' after "pythonX.Y" */
        if (path[i] == '/')
            return (long)i + 1 < (long)n ? (long)i + 1 : -1;
    return -1;
}

static const char *python_module(struct st_parser *p, const char *path, size_t n)
{
    if (n && path[0] == '<')
        return st_strdup(p, path, n);
    long root = after_package_root(path, n);
    if (root >= 0)
        return st_module_from_path(p, path + root, n - (size_t)root, 8, '.');
    return st_module_from_path(p, path, n, 3, '.');
}

/* `File "<path>", line <n>[, in <function>]` (t already trimmed). */
static bool parse_frame_line(struct st_parser *p, int e, const struct st_line *l, const char *t,
                             size_t tn)
{
    const char *path = t + 6;
    long q = sv_find(path, tn - 6, "\", line ");
    if (q < 0)
        return false;
    size_t path_len = (size_t)q;
    const char *rest = path + q + 8;
    size_t rn = tn - 6 - (size_t)q - 8;
    size_t d = 0;
    while (d < rn && sv_is_digit(rest[d]))
        d++;
    unsigned long line = 0;
    if (!sv_uint(rest, d, &line))
        return false;
    const char *fn = "";
    size_t fn_len = 0;
    if (d < rn) {
        if (!sv_starts(rest + d, rn - d, ", in "))
            return false;
        fn = rest + d + 5;
        fn_len = rn - d - 5;
    }
    struct stack_frame *f = st_add_frame(p, e, l);
    if (!f)
        return true;
    f->file = st_strdup(p, path, path_len);
    f->line = (uint32_t)line;
    f->function = st_strdup(p, fn, fn_len);
    f->module = python_module(p, path, path_len);
    f->in_app = python_in_app(path, path_len);
    f->noise = sv_starts(path, path_len, "<frozen importlib");
    return true;
}

/* `Type: message`, `Type`, or a line that names no type. Sets the type and
 * the message span of exception e. */
static void parse_exception_line(struct st_parser *p, int e, const struct st_line *l, const char *t,
                                 size_t tn)
{
    size_t i = 0;
    while (i < tn &&
           (t[i] == '_' || t[i] == '.' || sv_is_digit(t[i]) || (t[i] >= 'a' && t[i] <= 'z') ||
            (t[i] >= 'A' && t[i] <= 'Z') || (unsigned char)t[i] >= 0x80))
        i++;
    struct stack_exception *ex = &p->st->exceptions[e];
    size_t line_end = l->offset + l->len;
    if (i > 0 && i == tn) {
        ex->type = st_strdup(p, t, i < ST_TYPE_MAX ? i : ST_TYPE_MAX);
        p->messages[e].start = p->messages[e].end = line_end;
    } else if (i > 0 && t[i] == ':') {
        ex->type = st_strdup(p, t, i < ST_TYPE_MAX ? i : ST_TYPE_MAX);
        p->messages[e].start = (size_t)(t + i + 1 - p->text);
        p->messages[e].end = line_end;
    } else {
        p->messages[e].start = (size_t)(t - p->text);
        p->messages[e].end = line_end;
    }
}

static bool only_markers(const char *t, size_t tn)
{
    for (size_t i = 0; i < tn; i++)
        if (t[i] != '^' && t[i] != '~' && t[i] != ' ')
            return false;
    return true;
}

/* Strip exception-group decoration ("  | ", nested "| | ") and return the
 * rest of the line with its own indentation. */
static void strip_group_bars(const char **s, size_t *n)
{
    for (;;) {
        size_t i = 0;
        while (i < *n && (*s)[i] == ' ')
            i++;
        if (i < *n && (*s)[i] == '|') {
            i++;
            if (i < *n && (*s)[i] == ' ')
                i++;
            *s += i;
            *n -= i;
            continue;
        }
        return;
    }
}

struct py_state {
    int cur;                     /* exception of the block being read, -1 before any */
    bool have_type;              /* the block's exception line was read */
    bool in_message;             /* lines now continue that message */
    bool after_frame;            /* the previous line was a File line */
    size_t frame_indent;         /* indentation of that File line */
    enum stack_relation pending; /* separator seen since the last block */
    enum stack_relation before[STACKTRACE_MAX_EXCEPTIONS]; /* separator before each block */
    bool member_next; /* a "+---- N ----" line announced an exception-group member */
    bool member[STACKTRACE_MAX_EXCEPTIONS]; /* the block is a group member */
};

static void open_block(struct st_parser *p, struct py_state *s, const struct st_line *l)
{
    int e = st_add_exception(p, "", 0, l->offset, l->offset, STACK_REL_REPORTED, 0);
    if (e >= 0) {
        s->before[e] = s->pending;
        s->member[e] = s->member_next && e > 0;
    }
    s->member_next = false;
    s->cur = e;
    s->have_type = s->in_message = s->after_frame = false;
    s->pending = STACK_REL_REPORTED;
}

static void python_line(struct st_parser *p, struct py_state *s, const struct st_line *l)
{
    const char *r = l->p;
    size_t rn = l->len;
    strip_group_bars(&r, &rn);
    size_t indent = sv_indent(r, rn);
    const char *t = r;
    size_t tn = rn;
    sv_trim(&t, &tn);
    if (tn == 0) {
        s->in_message = s->after_frame = false;
        return;
    }
    if (sv_starts(t, tn, "+ ") && sv_find(t, tn, "Traceback") > 0) {
        t += 2; /* "+ Exception Group Traceback (most recent call last):" */
        tn -= 2;
    }
    if (sv_starts(t, tn, "Traceback (most recent call last)") ||
        sv_starts(t, tn, "Exception Group Traceback (most recent call last)")) {
        open_block(p, s, l);
        return;
    }
    if (sv_starts(t, tn, "The above exception was the direct cause")) {
        s->pending = STACK_REL_CAUSE;
        s->in_message = false;
        return;
    }
    if (sv_starts(t, tn, "During handling of the above exception")) {
        s->pending = STACK_REL_CONTEXT;
        s->in_message = false;
        return;
    }
    if (sv_starts(t, tn, "[Previous line repeated")) {
        s->in_message = false;
        return;
    }
    if (t[0] == '+' && tn > 1 && t[1] == '-') { /* "+-+---- 1 ----", closing "+-----" */
        bool numbered = false;
        for (size_t i = 0; i < tn; i++)
            numbered |= sv_is_digit(t[i]);
        s->member_next = numbered;
        s->in_message = false;
        return;
    }
    if (sv_starts(t, tn, "File \"")) {
        if (s->cur < 0 || s->have_type)
            open_block(p, s, l); /* frames without a "Traceback" header */
        if (!l->terminated) {
            st_mark_cut(p, s->cur); /* the function name may be cut */
            return;
        }
        if (parse_frame_line(p, s->cur, l, t, tn)) {
            s->frame_indent = indent;
            s->after_frame = true;
        }
        return;
    }
    if (s->cur < 0)
        return;
    if (!s->have_type) {
        if ((s->after_frame && indent > s->frame_indent) || only_markers(t, tn))
            return; /* source context or ^~~~ markers */
        bool has_frames = p->st->exceptions[s->cur].n_frames > 0;
        if ((has_frames && indent >= s->frame_indent) || (!l->terminated && !memchr(t, ':', tn))) {
            /* not at the block's own indentation, or a last line cut before
             * its type ended: the text stopped inside the frames */
            if (!l->terminated)
                st_mark_cut(p, s->cur);
            return;
        }
        parse_exception_line(p, s->cur, l, t, tn);
        s->have_type = s->in_message = true;
        s->after_frame = false;
        return;
    }
    if (s->in_message)
        st_extend_message(p, s->cur, l->offset + l->len);
}

/* Text order is root cause first; make it raised exception first. A group's
 * members stay right after their group ("units" are reversed, not blocks).
 * Each unit head is the cause/context of the head before it in the new
 * order (the separator that stood before the following unit in the text);
 * members belong to their group. */
static void order_blocks(struct st_parser *p, const struct py_state *s)
{
    size_t n = p->st->n_exceptions;
    uint16_t heads[STACKTRACE_MAX_EXCEPTIONS], order[STACKTRACE_MAX_EXCEPTIONS];
    size_t n_heads = 0, k = 0;
    for (size_t e = 0; e < n; e++)
        if (!s->member[e])
            heads[n_heads++] = (uint16_t)e;
    for (size_t h = n_heads; h-- > 0;) {
        /* h < n_heads: heads[h] and heads[h + 1] were set above (cppcheck
         * assumes the filling loop may not run) */
        /* cppcheck-suppress uninitvar */
        size_t end = h + 1 < n_heads ? heads[h + 1] : n;
        /* cppcheck-suppress uninitvar */
        for (size_t e = heads[h]; e < end; e++)
            order[k++] = (uint16_t)e;
    }
    st_permute_exceptions(p, order);
    size_t head_pos = 0, prev_head_pos = 0;
    for (size_t i = 0; i < n; i++) {
        struct stack_exception *ex = &p->st->exceptions[i];
        size_t old = order[i];
        if (s->member[old]) {
            ex->relation = STACK_REL_MEMBER;
            ex->parent = (uint16_t)head_pos;
            continue;
        }
        prev_head_pos = head_pos;
        head_pos = i;
        if (i == 0) {
            ex->relation = STACK_REL_REPORTED;
            ex->parent = 0;
            continue;
        }
        /* the unit after this one in the text starts at the old index of the
         * head placed before it now */
        enum stack_relation r = s->before[order[prev_head_pos]];
        ex->relation = r == STACK_REL_REPORTED ? STACK_REL_CONTEXT : r;
        ex->parent = (uint16_t)prev_head_pos;
    }
}

void st_parse_python(struct st_parser *p)
{
    struct py_state s = {.cur = -1, .pending = STACK_REL_REPORTED};
    struct st_line l;
    bool open_end = false;
    while (st_next_line(p, &l)) {
        python_line(p, &s, &l);
        open_end = !l.terminated;
    }
    /* every block ends with its exception line: without it the text was cut
     * (maybe exactly at a line end, which only this shows) */
    if (s.cur >= 0 && !s.have_type) {
        if (open_end || p->limited)
            st_mark_cut(p, s.cur);
        else
            p->st->exceptions[s.cur].complete = false;
    }
    for (size_t e = 0; e < p->st->n_exceptions; e++)
        st_reverse_frames(p, (int)e);
    order_blocks(p, &s);
}
