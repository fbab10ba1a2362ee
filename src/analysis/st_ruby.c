/* SPDX-License-Identifier: Apache-2.0
 *
 * Ruby backtraces as Exception#full_message(highlight: false, order: :top)
 * writes them (the OTel Ruby SDK's exception.stacktrace).
 *
 * The first line is both the exception and its innermost frame:
 * `<file>:<line>:in '<label>': <message> (<Type>)` (Ruby < 3.4 quotes the
 * label as `label'). Further frames are `\tfrom <file>:<line>:in '<label>'`.
 * Each cause starts again with a first-line shape at column 0. Labels are
 * `Class#method` / `Class.method` (3.4+) or a bare method name (older), with
 * prefixes `block in`, `block (2 levels) in`, `rescue in`, `ensure in`, and
 * specials such as `<main>` or `<top (required)>`. The type is the last
 * parenthesised word of the line, since messages may contain parentheses.
 *
 * Frames under a gem, bundle or Ruby library directory are library code.
 */
#include "analysis/stacktrace_int.h"

static const char *const ruby_library_segments[] = {
    "/gems/",          "/bundle/", "/rubygems/", "/rubygems.rb", "/lib/ruby/",
    "/vendor/bundle/", "/.rbenv/", "/.rvm/",     "/jruby",       NULL,
};

static bool ruby_in_app(const char *file, size_t n)
{
    if (!n || file[0] == '<')
        return false; /* <internal:kernel>, <main> */
    for (size_t i = 0; ruby_library_segments[i]; i++)
        if (sv_path_contains(file, n, ruby_library_segments[i]))
            return false;
    return true;
}

struct ruby_location {
    const char *file;
    size_t file_len;
    unsigned long line;
    const char *label; /* inside the quotes */
    size_t label_len;
    const char *after; /* what follows the closing quote */
    size_t after_len;
};

/* `<file>:<line>:in '<label>'...`; `header` lines close the label with "': ". */
static bool parse_location(const char *s, size_t n, bool header, struct ruby_location *loc)
{
    long in = sv_find(s, n, ":in `");
    if (in < 0)
        in = sv_find(s, n, ":in '");
    if (in <= 0)
        return false;
    long colon = sv_rfind_char(s, (size_t)in, ':');
    if (colon <= 0 || !sv_uint(s + colon + 1, (size_t)(in - colon - 1), &loc->line))
        return false;
    loc->file = s;
    loc->file_len = (size_t)colon;
    const char *label = s + in + 5;
    size_t rest = n - (size_t)in - 5;
    long close;
    if (header) {
        close = sv_find(label, rest, "': ");
        if (close < 0 && rest && label[rest - 1] == '\'')
            close = (long)rest - 1;
    } else {
        close = rest && label[rest - 1] == '\'' ? (long)rest - 1 : -1;
    }
    if (close < 0)
        return false;
    loc->label = label;
    loc->label_len = (size_t)close;
    loc->after = label + close + 1;
    loc->after_len = rest - (size_t)close - 1;
    return true;
}

static void add_frame(struct st_parser *p, int e, const struct st_line *l,
                      const struct ruby_location *loc)
{
    struct stack_frame *f = st_add_frame(p, e, l);
    if (!f)
        return;
    f->file = st_strdup(p, loc->file, loc->file_len);
    f->line = (uint32_t)loc->line;
    f->in_app = ruby_in_app(loc->file, loc->file_len);
    const char *label = loc->label;
    size_t n = loc->label_len;
    /* "block (2 levels) in Foo#bar": the prefix stays with the function */
    long in = sv_rfind(label, n, " in ");
    size_t prefix = in >= 0 && label[0] != '<' ? (size_t)in + 4 : 0;
    const char *spec = label + prefix;
    size_t spec_len = n - prefix;
    long sep = sv_rfind_char(spec, spec_len, '#');
    if (sep < 0 && spec_len && spec[0] != '<')
        sep = sv_rfind_char(spec, spec_len, '.');
    char fn[ST_NAME_MAX];
    size_t fn_len = 0;
    const char *method = sep > 0 ? spec + sep + 1 : spec;
    size_t method_len = sep > 0 ? spec_len - (size_t)sep - 1 : spec_len;
    /* both parts are cut to fit: a "... in " prefix alone can be longer than fn */
    if (prefix > sizeof fn)
        prefix = sizeof fn;
    if (prefix + method_len > sizeof fn)
        method_len = sizeof fn - prefix;
    memcpy(fn, label, prefix);
    memcpy(fn + prefix, method, method_len);
    fn_len = prefix + method_len;
    f->function = st_strdup(p, fn, fn_len);
    f->module = sep > 0 ? st_strdup(p, spec, (size_t)sep)
                        : st_module_from_path(p, loc->file, loc->file_len, 3, '/');
}

/* Header: message and "(Type)" after the label's "': ". */
static int open_exception(struct st_parser *p, const struct st_line *l,
                          const struct ruby_location *loc, int previous)
{
    const char *m = loc->after;
    size_t mn = loc->after_len;
    if (sv_starts(m, mn, ": ")) {
        m += 2;
        mn -= 2;
    }
    const char *type = "";
    size_t type_len = 0;
    size_t msg_len = mn;
    if (mn && m[mn - 1] == ')') {
        long open = sv_rfind(m, mn, " (");
        if (open < 0 && m[0] == '(')
            open = -1, msg_len = 0, type = m + 1, type_len = mn - 2;
        if (open >= 0) {
            type = m + open + 2;
            type_len = mn - (size_t)open - 3;
            msg_len = (size_t)open;
        }
        for (size_t i = 0; i < type_len; i++)
            if (!(type[i] == ':' || type[i] == '_' || sv_is_digit(type[i]) ||
                  (type[i] >= 'a' && type[i] <= 'z') || (type[i] >= 'A' && type[i] <= 'Z'))) {
                type_len = 0;
                msg_len = mn;
                break;
            }
    }
    size_t start = (size_t)(m - p->text);
    (void)l;
    return st_add_exception(p, type, type_len, start, start + msg_len,
                            previous < 0 ? STACK_REL_REPORTED : STACK_REL_CAUSE,
                            previous < 0 ? 0 : previous);
}

void st_parse_ruby(struct st_parser *p)
{
    int e = -1;
    struct st_line l;
    while (st_next_line(p, &l)) {
        const char *t = l.p;
        size_t tn = l.len;
        sv_trim(&t, &tn);
        if (!tn)
            continue;
        struct ruby_location loc;
        if (sv_starts(t, tn, "from ") && l.p[0] != 'f') {
            if (e < 0)
                e = st_add_exception(p, "", 0, l.offset, l.offset, 0, 0);
            if (parse_location(t + 5, tn - 5, false, &loc))
                add_frame(p, e, &l, &loc);
            else if (!l.terminated)
                st_mark_cut(p, e);
            continue;
        }
        if (l.p[0] != ' ' && l.p[0] != '\t' && parse_location(t, tn, true, &loc)) {
            int next = open_exception(p, &l, &loc, e);
            if (next < 0)
                break;
            e = next;
            add_frame(p, e, &l, &loc);
            continue;
        }
        if (!l.terminated)
            st_mark_cut(p, e); /* e.g. a header cut before its ":in '" */
    }
}
