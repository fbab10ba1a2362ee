/* SPDX-License-Identifier: Apache-2.0
 *
 * JavaScript stack traces: V8's `error.stack` (Node.js, Chromium, Deno,
 * Bun) and the `fn@url:line:col` frames of SpiderMonkey and JavaScriptCore.
 *
 * Header `<Name>[: <message>]` (the message may span lines until the first
 * frame), frames `at [async] [new] <fn> [as <alias>] (<location>)` or
 * `at [async] <location>` where the location is `path:line:col`,
 * `file:///path:line:col`, `node:internal/...:l:c`, `<anonymous>`, `native`,
 * `index N` (inside Promise.all) or `eval at ...` (noise). Whatever follows
 * the frames (`{ code: 'X' }` from util.inspect, `[cause]: ...`) is ignored.
 * V8 keeps 10 frames by default, so short traces are normal.
 *
 * Library code: `node_modules/`, `node:` and `internal/` paths, and browser
 * bundles split off for third-party code (`vendor.*.js`, `chunk-vendors`,
 * Next.js `framework.*.js`, `polyfills`).
 *
 * Modules come from paths: the package path after the last `node_modules/`,
 * else the last three path names (query strings and bundle hashes such as
 * `main.3f9a1c.js` removed), so a rebuilt bundle keeps its module.
 */
#include "analysis/stacktrace_int.h"

#define JS_PATH_MAX 1024

static bool js_hash_segment(const char *s, size_t n)
{
    if (n < 6)
        return false;
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (sv_is_digit(c))
            digit = true;
        else if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return digit;
}

/* Copy `path` into buf without query string and without a content hash in
 * the file name ("main.3f9a1c.js" -> "main.js", "app-3f9a1c2b.js" -> "app.js"). */
static size_t clean_js_path(const char *path, size_t n, char *buf, size_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (path[i] == '?' || path[i] == '#') {
            n = i;
            break;
        }
    if (n > cap)
        n = cap;
    memcpy(buf, path, n);
    long slash = sv_rfind_char(buf, n, '/');
    size_t name = slash >= 0 ? (size_t)slash + 1 : 0;
    long ext = sv_rfind_char(buf + name, n - name, '.');
    if (ext <= 0)
        return n;
    size_t ext_at = name + (size_t)ext;
    size_t seg = ext_at;
    while (seg > name && buf[seg - 1] != '.' && buf[seg - 1] != '-')
        seg--;
    if (seg > name && js_hash_segment(buf + seg, ext_at - seg)) {
        memmove(buf + seg - 1, buf + ext_at, n - ext_at);
        n -= ext_at - seg + 1;
    }
    return n;
}

static const char *js_module(struct st_parser *p, const char *file, size_t n)
{
    if (sv_starts(file, n, "node:"))
        return st_strdup(p, file, n);
    char buf[JS_PATH_MAX];
    size_t len = clean_js_path(file, n, buf, sizeof buf);
    long nm = sv_rfind(buf, len, "node_modules/");
    if (nm >= 0)
        return st_module_from_path(p, buf + nm + 13, len - (size_t)nm - 13, 4, '/');
    if (sv_find(buf, len, "://") > 0) { /* a URL: drop scheme and host */
        long s = sv_find(buf, len, "://");
        const char *rest = memchr(buf + s + 3, '/', len - (size_t)s - 3);
        if (rest)
            return st_module_from_path(p, rest, len - (size_t)(rest - buf), 3, '/');
    }
    return st_module_from_path(p, buf, len, 3, '/');
}

/* Browser bundles of third-party code: webpack/Vite "vendor" splits
 * (vendor.7d21e0aa.js, vendors~main.js, chunk-vendors.js, vendor-react.js). */
static bool vendor_bundle(const char *path, size_t n)
{
    long slash = sv_rfind_char(path, n, '/');
    const char *name = path + slash + 1;
    size_t len = n - (size_t)(slash + 1);
    return sv_starts(name, len, "vendor") || sv_starts(name, len, "chunk-vendors") ||
           sv_starts(name, len, "framework.") || sv_starts(name, len, "polyfills");
}

static bool special_location(const char *loc, size_t n)
{
    return (n == 11 && memcmp(loc, "<anonymous>", 11) == 0) ||
           (n == 6 && memcmp(loc, "native", 6) == 0) || sv_starts(loc, n, "index ") ||
           (n == 16 && memcmp(loc, "unknown location", 16) == 0);
}

/* Split "path:line[:col]"; false when no line number ends it. */
static bool split_location(const char *loc, size_t n, size_t *path_len, unsigned long *line,
                           unsigned long *col)
{
    long c2 = sv_rfind_char(loc, n, ':');
    if (c2 <= 0 || !sv_uint(loc + c2 + 1, n - (size_t)c2 - 1, col))
        return false;
    long c1 = sv_rfind_char(loc, (size_t)c2, ':');
    if (c1 > 0 && sv_uint(loc + c1 + 1, (size_t)(c2 - c1 - 1), line)) {
        *path_len = (size_t)c1;
        return true;
    }
    *line = *col;
    *col = 0;
    *path_len = (size_t)c2;
    return true;
}

static void fill_location(struct st_parser *p, struct stack_frame *f, const char *loc, size_t n)
{
    if (sv_starts(loc, n, "eval at ")) {
        f->noise = true;
        return;
    }
    if (special_location(loc, n))
        return;
    size_t path_len = n;
    unsigned long line = 0, col = 0;
    if (split_location(loc, n, &path_len, &line, &col)) {
        f->line = (uint32_t)line;
        f->column = (uint32_t)col;
    }
    const char *path = loc;
    if (sv_starts(path, path_len, "file://")) {
        path += 7;
        path_len -= 7;
    } else if (sv_starts(path, path_len, "webpack-internal:///")) {
        path += 20;
        path_len -= 20;
    } else if (sv_starts(path, path_len, "webpack:///")) {
        path += 11;
        path_len -= 11;
    }
    f->file = st_strdup(p, path, path_len);
    f->module = js_module(p, path, path_len);
    f->in_app = path_len && !sv_path_contains(path, path_len, "/node_modules/") &&
                !sv_starts(path, path_len, "node_modules/") &&
                !sv_starts(path, path_len, "node:") && !sv_starts(path, path_len, "internal/") &&
                !vendor_bundle(path, path_len);
}

/* Function part: drop "async ", "new ", " [as alias]". */
static void clean_function(const char **fn, size_t *n)
{
    if (*n == 0)
        return;
    if (sv_starts(*fn, *n, "async ")) {
        *fn += 6;
        *n -= 6;
    }
    if (sv_starts(*fn, *n, "new ")) {
        *fn += 4;
        *n -= 4;
    }
    long as = sv_rfind(*fn, *n, " [as ");
    if (as > 0 && (*fn)[*n - 1] == ']')
        *n = (size_t)as;
    sv_trim(fn, n);
}

/* `at ...` (t trimmed; the caller checked it starts with "at ", so
 * tn >= 3). False when the line is cut. */
static bool parse_v8_frame(struct st_parser *p, int e, const struct st_line *l, const char *t,
                           size_t tn)
{
    const char *r = t + 3;
    size_t rn = tn - 3;
    sv_trim(&r, &rn);
    if (sv_starts(r, rn, "async ")) {
        r += 6;
        rn -= 6;
    }
    const char *fn = "";
    size_t fn_len = 0;
    const char *loc = r;
    size_t loc_len = rn;
    if (rn && r[rn - 1] == ')') {
        int depth = 0;
        long open = -1;
        for (size_t i = rn; i-- > 0;) {
            if (r[i] == ')')
                depth++;
            else if (r[i] == '(' && --depth == 0) {
                open = (long)i;
                break;
            }
        }
        if (open > 0 && r[open - 1] == ' ') {
            fn = r;
            fn_len = (size_t)open - 1;
            loc = r + open + 1;
            loc_len = rn - (size_t)open - 2;
        }
    } else if (sv_find(r, rn, " (") > 0) {
        return false; /* "fn (path..." without its ')' was cut */
    }
    size_t pl;
    unsigned long line, col;
    if (!special_location(loc, loc_len) && !sv_starts(loc, loc_len, "eval at ") &&
        !split_location(loc, loc_len, &pl, &line, &col) && !l->terminated)
        return false;
    struct stack_frame *f = st_add_frame(p, e, l);
    if (!f)
        return true;
    clean_function(&fn, &fn_len);
    f->function = st_strdup(p, fn, fn_len);
    fill_location(p, f, loc, loc_len);
    return true;
}

/* SpiderMonkey / JavaScriptCore: `fn@url:line:col` (fn may be empty). */
static bool parse_at_sign_frame(struct st_parser *p, int e, const struct st_line *l, const char *t,
                                size_t tn)
{
    const char *at = memchr(t, '@', tn);
    size_t pl;
    unsigned long line, col;
    if (!at || memchr(t, ' ', tn) ||
        !split_location(at + 1, tn - (size_t)(at - t) - 1, &pl, &line, &col))
        return false;
    struct stack_frame *f = st_add_frame(p, e, l);
    if (!f)
        return true;
    f->function = st_strdup(p, t, (size_t)(at - t));
    fill_location(p, f, at + 1, tn - (size_t)(at - t) - 1);
    return true;
}

static int open_header(struct st_parser *p, const struct st_line *l, const char *t, size_t tn)
{
    size_t i = 0;
    while (i < tn && t[i] != ':' && t[i] != ' ')
        i++;
    bool named = i > 0 && (i == tn || (t[i] == ':' && (i + 1 == tn || t[i + 1] == ' ')));
    size_t line_end = l->offset + l->len;
    if (!named)
        return st_add_exception(p, "", 0, (size_t)(t - p->text), line_end, 0, 0);
    size_t msg = i < tn ? i + 1 : tn;
    return st_add_exception(p, t, i, (size_t)(t + msg - p->text), line_end, 0, 0);
}

void st_parse_node(struct st_parser *p)
{
    int e = -1;
    bool after_frames = false;
    struct st_line l;
    while (st_next_line(p, &l)) {
        const char *t = l.p;
        size_t tn = l.len;
        sv_trim(&t, &tn);
        if (!tn)
            continue;
        bool frame_like =
            sv_starts(t, tn, "at ") || (e >= 0 && memchr(t, '@', tn) && !memchr(t, ' ', tn));
        if (frame_like) {
            if (e < 0)
                e = st_add_exception(p, "", 0, l.offset, l.offset, 0, 0);
            bool ok = sv_starts(t, tn, "at ") ? parse_v8_frame(p, e, &l, t, tn)
                                              : parse_at_sign_frame(p, e, &l, t, tn);
            if (!ok && !l.terminated)
                st_mark_cut(p, e);
            after_frames = after_frames || ok;
            continue;
        }
        if (e < 0)
            e = open_header(p, &l, t, tn);
        else if (!after_frames)
            st_extend_message(p, e, l.offset + l.len);
    }
}
