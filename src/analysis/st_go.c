/* SPDX-License-Identifier: Apache-2.0
 *
 * Go stack traces: panics and goroutine dumps as the runtime prints them,
 * and the runtime.Stack text the OTel Go SDK records with
 * trace.WithStackTrace(true).
 *
 * Optional `panic: <msg>` header (re-panics and `[signal ...]` skipped),
 * then `goroutine <id> [<state>]:` blocks of frame pairs: a function line
 * `<pkg path>.<func>(<args>)` and a file line `\t<file>:<line> +0x<off>`.
 * `created by <func> in goroutine N` is a frame too. Only the first
 * goroutine is read: it is the one that panicked or recorded the error, and
 * full dumps can hold thousands. The SDK cuts its text at 2,048 bytes, so a
 * cut final pair is normal.
 *
 * Frames of the OTel SDK that recorded the stack, runtime panic machinery,
 * and everything above a recovered panic's `panic(...)` frame (the deferred
 * recover functions) are noise. Standard library packages are runtime code,
 * modules from the module cache (`/pkg/mod/`, `@vX.Y.Z/` with -trimpath) or
 * `vendor/` are libraries; the rest is the application.
 */
#include "analysis/stacktrace_int.h"

/* Top-level standard library packages (the first path element). */
static const char *const go_std_roots[] = {
    "archive",  "bufio",   "bytes",   "cmp",      "compress", "container", "context", "crypto",
    "database", "debug",   "embed",   "encoding", "errors",   "expvar",    "flag",    "fmt",
    "go",       "hash",    "html",    "image",    "index",    "internal",  "io",      "iter",
    "log",      "maps",    "math",    "mime",     "net",      "os",        "path",    "plugin",
    "reflect",  "regexp",  "runtime", "slices",   "sort",     "strconv",   "strings", "structs",
    "sync",     "syscall", "testing", "text",     "time",     "unicode",   "unique",  "unsafe",
    "weak",     "vendor",  NULL,
};

static const char *const go_noise_prefixes[] = {
    "go.opentelemetry.io/otel/sdk/trace",
    "go.opentelemetry.io/otel/trace",
    "go.opentelemetry.io/otel/internal",
    "runtime/debug",
    NULL,
};

static const char *const go_runtime_noise[] = {
    "gopanic",     "sigpanic",  "goexit",      "goexit1",    "Callers",     "panicmem",
    "panicwrap",   "gorecover", "deferreturn", "panicIndex", "panicSliceB", "panicSliceAlen",
    "panicdivide", "throw",     "fatalpanic",  "recovery",   NULL,
};

static bool in_list(const char *s, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(s, list[i], n) == 0)
            return true;
    return false;
}

static bool go_std_package(const char *pkg, size_t n)
{
    size_t first = 0;
    while (first < n && pkg[first] != '/')
        first++;
    return in_list(pkg, first, go_std_roots);
}

static bool go_library_file(const char *file, size_t n)
{
    if (sv_path_contains(file, n, "/pkg/mod/") || sv_path_contains(file, n, "/vendor/") ||
        sv_starts(file, n, "vendor/"))
        return true;
    long at = sv_find(file, n, "@v");
    return at > 0 && (size_t)at + 2 < n && sv_is_digit(file[at + 2]);
}

/* Index of the '(' opening the argument list that closes the line, or -1. */
static long args_open(const char *s, size_t n)
{
    if (!n || s[n - 1] != ')')
        return -1;
    int depth = 0;
    for (size_t i = n; i-- > 0;) {
        if (s[i] == ')')
            depth++;
        else if (s[i] == '(' && --depth == 0)
            return (long)i;
    }
    return -1;
}

struct go_func {
    const char *name; /* full "<pkg path>.<func>" */
    size_t len;
};

/* The function named by a function line (or a "created by" line). */
static bool function_name(const struct st_line *fl, struct go_func *out)
{
    const char *s = fl->p;
    size_t n = fl->len;
    sv_trim(&s, &n);
    if (sv_starts(s, n, "created by ")) {
        s += 11;
        n -= 11;
        long in = sv_find(s, n, " in goroutine ");
        if (in >= 0)
            n = (size_t)in;
        out->name = s;
        out->len = n;
        return n > 0;
    }
    long open = args_open(s, n);
    if (open <= 0)
        return false;
    out->name = s;
    out->len = (size_t)open;
    return true;
}

/* "pkg/path.(*T).m" -> pkg "pkg/path", func "(*T).m". */
static void split_package(const char *name, size_t n, size_t *pkg_len)
{
    size_t limit = n;
    const char *bracket = memchr(name, '[', n);
    if (bracket)
        limit = (size_t)(bracket - name);
    long slash = sv_rfind_char(name, limit, '/');
    size_t from = slash >= 0 ? (size_t)slash + 1 : 0;
    const char *dot = memchr(name + from, '.', n - from);
    *pkg_len = dot ? (size_t)(dot - name) : 0;
}

static void classify(struct stack_frame *f, const char *pkg, size_t pkg_len, const char *fn,
                     size_t fn_len)
{
    bool runtime = pkg_len == 7 && memcmp(pkg, "runtime", 7) == 0;
    f->noise = sv_starts_any(pkg, pkg_len, go_noise_prefixes) ||
               (runtime && in_list(fn, fn_len, go_runtime_noise));
    bool std = go_std_package(pkg, pkg_len);
    f->in_app = !f->noise && !std && !go_library_file(f->file, strlen(f->file));
}

/* One frame from a function line and its file line (NULL when cut). */
static bool add_pair(struct st_parser *p, int e, const struct st_line *fl,
                     const struct st_line *file_line, bool *is_panic)
{
    struct go_func fn;
    if (!function_name(fl, &fn))
        return false;
    struct stack_frame *f = st_add_frame(p, e, fl);
    if (!f)
        return true;
    size_t pkg_len;
    split_package(fn.name, fn.len, &pkg_len);
    const char *func = pkg_len ? fn.name + pkg_len + 1 : fn.name;
    size_t func_len = pkg_len ? fn.len - pkg_len - 1 : fn.len;
    *is_panic = !pkg_len && func_len == 5 && memcmp(func, "panic", 5) == 0;
    f->module = *is_panic ? "runtime" : st_strdup(p, fn.name, pkg_len);
    f->function = st_strdup(p, func, func_len);
    if (file_line) {
        const char *s = file_line->p;
        size_t n = file_line->len;
        sv_trim(&s, &n);
        const char *sp = memchr(s, ' ', n);
        size_t loc = sp ? (size_t)(sp - s) : n;
        long colon = sv_rfind_char(s, loc, ':');
        unsigned long line = 0;
        if (colon > 0 && sv_uint(s + colon + 1, loc - (size_t)colon - 1, &line)) {
            f->file = st_strdup(p, s, (size_t)colon);
            f->line = (uint32_t)line;
        } else {
            f->file = st_strdup(p, s, loc);
        }
        f->text_length = (uint32_t)(s + n - (p->text + f->text_offset));
    }
    if (*is_panic)
        f->noise = true;
    else
        classify(f, fn.name, pkg_len, func, func_len);
    return true;
}

/* Frames above a panic(...) frame are the deferred recover machinery. */
static void silence_above(struct st_parser *p, int e, size_t panic_index)
{
    struct stack_exception *ex = &p->st->exceptions[e];
    for (size_t i = ex->first_frame; i < panic_index; i++)
        p->st->frames[i].noise = true;
}

struct go_state {
    int e;
    bool have_fn;
    struct st_line fn_line;
    long panic_index; /* frame index of the last panic(...) frame, -1 none */
};

static void flush_pending(struct st_parser *p, struct go_state *s, const struct st_line *file)
{
    bool is_panic = false;
    size_t index = p->st->n_frames;
    if (add_pair(p, s->e, &s->fn_line, file, &is_panic) && is_panic && p->st->n_frames > index)
        s->panic_index = (long)index;
    s->have_fn = false;
}

/* Returns false to stop reading (a second goroutine began). */
static bool go_line(struct st_parser *p, struct go_state *s, const struct st_line *l)
{
    const char *t = l->p;
    size_t tn = l->len;
    sv_trim(&t, &tn);
    if (sv_starts(l->p, l->len, "panic: ") || sv_starts(l->p, l->len, "fatal error: ")) {
        if (s->e < 0) {
            size_t skip = l->p[0] == 'p' ? 7 : 13;
            s->e = st_add_exception(p, l->p[0] == 'p' ? "panic" : "fatal error",
                                    l->p[0] == 'p' ? 5 : 11, l->offset + skip, l->offset + l->len,
                                    STACK_REL_REPORTED, 0);
        }
        return true;
    }
    if (sv_starts(t, tn, "goroutine ") && sv_find(t, tn, " [") > 0) {
        if (s->e >= 0 && p->st->exceptions[s->e].n_frames > 0)
            return false;
        if (s->e < 0)
            s->e = st_add_exception(p, "", 0, l->offset, l->offset, STACK_REL_REPORTED, 0);
        s->have_fn = false;
        return true;
    }
    if (sv_starts(t, tn, "...additional frames elided...")) {
        st_add_omitted(p, s->e, 1);
        return true;
    }
    if (tn && l->p[0] == '\t') {
        if (s->have_fn)
            flush_pending(p, s, l);
        return true;
    }
    if (!tn || l->p[0] == ' ' || l->p[0] == '[')
        return true;
    if (s->e < 0) /* frames without a goroutine header */
        s->e = st_add_exception(p, "", 0, l->offset, l->offset, STACK_REL_REPORTED, 0);
    s->fn_line = *l;
    s->have_fn = true;
    return true;
}

void st_parse_go(struct st_parser *p)
{
    struct go_state s = {.e = -1, .have_fn = false, .panic_index = -1};
    struct st_line l = {0};
    bool read_any = false;
    while (st_next_line(p, &l)) {
        read_any = true;
        if (!go_line(p, &s, &l))
            break;
    }
    bool cut = read_any && !l.terminated && p->pos >= p->len;
    if (s.have_fn) {
        /* a function line without its file line: the text stopped there
         * (unless it was a trailer such as "exit status 2") */
        struct go_func fn;
        if (!s.fn_line.terminated) {
            cut = true;
        } else if (function_name(&s.fn_line, &fn)) {
            flush_pending(p, &s, NULL);
            cut = true;
        }
    }
    if (cut || p->limited)
        st_mark_cut(p, s.e);
    if (s.e >= 0 && s.panic_index >= 0)
        silence_above(p, s.e, (size_t)s.panic_index);
}
