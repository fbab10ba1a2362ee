/* SPDX-License-Identifier: Apache-2.0
 *
 * Stack-trace parsing driver: chooses the language (hint, else sniffing),
 * runs its parser, falls back when the grammar finds nothing, and provides
 * the line reader and the bounded builder the language parsers share
 * (stacktrace_int.h). The grammars live in st_<language>.c, detection in
 * st_detect.c.
 */
#include "analysis/stacktrace.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/stacktrace_int.h"
#include "core/mem.h"

/* ---- lifecycle ---------------------------------------------------------- */

void stacktrace_init(struct stacktrace *st)
{
    memset(st, 0, sizeof *st);
    arena_init(&st->strings);
}

void stacktrace_cleanup(struct stacktrace *st)
{
    free(st->exceptions);
    free(st->frames);
    arena_cleanup(&st->strings);
    memset(st, 0, sizeof *st);
}

static void stacktrace_clear(struct stacktrace *st)
{
    st->language = STACK_LANG_UNKNOWN;
    st->n_exceptions = 0;
    st->n_frames = 0;
    st->truncated = false;
    arena_reset(&st->strings);
}

/* ---- line reader -------------------------------------------------------- */

static bool read_line_at(const struct st_parser *p, size_t pos, struct st_line *l)
{
    if (pos >= p->len)
        return false;
    const char *start = p->text + pos;
    const char *nl = memchr(start, '\n', p->len - pos);
    size_t n = nl ? (size_t)(nl - start) : p->len - pos;
    l->p = start;
    l->offset = pos;
    l->terminated = nl != NULL;
    if (n && start[n - 1] == '\r')
        n--;
    l->len = n;
    return true;
}

bool st_next_line(struct st_parser *p, struct st_line *l)
{
    if (p->lines >= STACKTRACE_MAX_LINES) {
        if (p->pos < p->len)
            p->st->truncated = true;
        return false;
    }
    if (!read_line_at(p, p->pos, l))
        return false;
    p->pos = l->offset + l->len;
    if (p->pos < p->len && p->text[p->pos] == '\r')
        p->pos++;
    if (p->pos < p->len && p->text[p->pos] == '\n')
        p->pos++;
    p->lines++;
    return true;
}

bool st_peek_line(const struct st_parser *p, struct st_line *l)
{
    if (p->lines >= STACKTRACE_MAX_LINES)
        return false;
    return read_line_at(p, p->pos, l);
}

bool st_is_open_end(const struct st_parser *p, const struct st_line *l)
{
    (void)p;
    return !l->terminated;
}

/* ---- builder ------------------------------------------------------------ */

const char *st_strdup(struct st_parser *p, const char *s, size_t n)
{
    if (n == 0)
        return "";
    if (n > ST_NAME_MAX)
        n = ST_NAME_MAX;
    return arena_strndup(&p->st->strings, s, n);
}

int st_add_exception(struct st_parser *p, const char *type, size_t type_len, size_t msg_start,
                     size_t msg_end, enum stack_relation relation, int parent)
{
    struct stacktrace *st = p->st;
    if (st->n_exceptions >= STACKTRACE_MAX_EXCEPTIONS) {
        st->truncated = true;
        return -1;
    }
    st->exceptions =
        et_xgrow(st->exceptions, &st->exceptions_cap, st->n_exceptions + 1, sizeof *st->exceptions);
    int idx = (int)st->n_exceptions++;
    struct stack_exception *e = &st->exceptions[idx];
    memset(e, 0, sizeof *e);
    sv_trim(&type, &type_len);
    e->type = st_strdup(p, type, type_len < ST_TYPE_MAX ? type_len : ST_TYPE_MAX);
    e->message = "";
    e->relation = relation;
    e->parent = (uint16_t)(parent >= 0 && parent < idx ? parent : 0);
    e->complete = true;
    p->messages[idx].start = msg_start;
    p->messages[idx].end = msg_end > msg_start ? msg_end : msg_start;
    return idx;
}

void st_extend_message(struct st_parser *p, int e, size_t msg_end)
{
    if (e < 0 || (size_t)e >= p->st->n_exceptions)
        return;
    struct st_message_span *m = &p->messages[e];
    if (msg_end > m->end)
        m->end = msg_end;
}

struct stack_frame *st_add_frame(struct st_parser *p, int e, const struct st_line *l)
{
    struct stacktrace *st = p->st;
    if (e < 0 || (size_t)e >= st->n_exceptions)
        return NULL;
    struct stack_exception *ex = &st->exceptions[e];
    if (ex->n_frames && ex->first_frame + ex->n_frames != st->n_frames)
        return NULL;
    if (st->n_frames >= STACKTRACE_MAX_FRAMES) {
        st->truncated = true;
        return NULL;
    }
    st->frames = et_xgrow(st->frames, &st->frames_cap, st->n_frames + 1, sizeof *st->frames);
    if (!ex->n_frames)
        ex->first_frame = (uint32_t)st->n_frames;
    ex->n_frames++;
    struct stack_frame *f = &st->frames[st->n_frames++];
    memset(f, 0, sizeof *f);
    f->module = "";
    f->function = "";
    f->file = "";
    f->exception = (uint16_t)e;
    const char *s = l->p;
    size_t n = l->len;
    sv_trim(&s, &n);
    f->text_offset = (uint32_t)(s - p->text);
    f->text_length = (uint32_t)n;
    return f;
}

void st_add_omitted(struct st_parser *p, int e, unsigned long n)
{
    if (e < 0 || (size_t)e >= p->st->n_exceptions)
        return;
    uint32_t *o = &p->st->exceptions[e].omitted_frames;
    *o = n > UINT32_MAX - *o ? UINT32_MAX : *o + (uint32_t)n;
}

void st_mark_cut(struct st_parser *p, int e)
{
    p->st->truncated = true;
    if (e >= 0 && (size_t)e < p->st->n_exceptions)
        p->st->exceptions[e].complete = false;
}

void st_permute_exceptions(struct st_parser *p, const uint16_t *order)
{
    struct stacktrace *st = p->st;
    size_t n = st->n_exceptions;
    if (n == 0) /* nothing to reorder (and no array to copy from) */
        return;
    struct stack_exception old[STACKTRACE_MAX_EXCEPTIONS];
    struct st_message_span old_messages[STACKTRACE_MAX_EXCEPTIONS];
    uint16_t new_index[STACKTRACE_MAX_EXCEPTIONS];
    memcpy(old, st->exceptions, n * sizeof *old);
    memcpy(old_messages, p->messages, n * sizeof *old_messages);
    for (size_t i = 0; i < n; i++)
        new_index[order[i]] = (uint16_t)i;
    for (size_t i = 0; i < n; i++) {
        st->exceptions[i] = old[order[i]];
        st->exceptions[i].parent = new_index[st->exceptions[i].parent];
        p->messages[i] = old_messages[order[i]];
    }
    /* order is a permutation of 0..n-1, so every new_index[e] read here was
     * set above (cppcheck cannot see that) */
    for (size_t i = 0; i < st->n_frames; i++) {
        /* cppcheck-suppress uninitvar */
        st->frames[i].exception = new_index[st->frames[i].exception];
    }
}

void st_reverse_exceptions(struct st_parser *p)
{
    uint16_t order[STACKTRACE_MAX_EXCEPTIONS];
    size_t n = p->st->n_exceptions;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint16_t)(n - 1 - i);
    st_permute_exceptions(p, order);
}

void st_reverse_frames(struct st_parser *p, int e)
{
    if (e < 0 || (size_t)e >= p->st->n_exceptions)
        return;
    struct stack_exception *ex = &p->st->exceptions[e];
    if (ex->n_frames < 2)
        return; /* nothing to reverse; frames may still be NULL */
    struct stack_frame *f = p->st->frames + ex->first_frame;
    for (size_t i = 0, j = ex->n_frames; i + 1 < j; i++, j--) {
        struct stack_frame tmp = f[i];
        f[i] = f[j - 1];
        f[j - 1] = tmp;
    }
}

/* ---- shared helpers ----------------------------------------------------- */

bool sv_path_contains(const char *path, size_t n, const char *segment)
{
    size_t k = strlen(segment);
    if (k == 0 || k > n)
        return false;
    if (!memchr(path, '\\', n))
        return sv_find(path, n, segment) >= 0; /* the common case: no Windows separator */
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        for (; j < k; j++) {
            char a = path[i + j], b = segment[j];
            if (a == b || (b == '/' && a == '\\'))
                continue;
            break;
        }
        if (j == k)
            return true;
    }
    return false;
}

bool sv_starts_any(const char *s, size_t n, const char *const *prefixes)
{
    for (size_t i = 0; prefixes[i]; i++)
        if (sv_starts(s, n, prefixes[i]))
            return true;
    return false;
}

/* Release directories, content hashes, versions: not part of a module name. */
static bool looks_like_id(const char *s, size_t n)
{
    size_t digits = 0, hex = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (sv_is_digit(c))
            digits++;
        else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            hex++;
        else if (c != '.' && c != '-' && c != '_')
            other++;
    }
    if (digits && !hex && !other)
        return true; /* 20240501, 1.2.3 */
    if (digits && !other && n >= 8)
        return true; /* a3f9c2e1d0 */
    return digits >= 4 && digits * 2 >= n;
}

const char *st_module_from_path(struct st_parser *p, const char *path, size_t n, int parts,
                                char sep)
{
    const char *names[8];
    size_t lens[8];
    int got = 0;
    size_t end = n;
    bool is_file = true;
    if (parts > 8)
        parts = 8;
    while (end > 0 && got < parts) {
        size_t start = end;
        while (start > 0 && path[start - 1] != '/' && path[start - 1] != '\\')
            start--;
        const char *name = path + start;
        size_t len = end - start;
        if (is_file) {
            long dot = sv_rfind_char(name, len, '.');
            if (dot > 0)
                len = (size_t)dot;
            /* show.html.erb, app.min.js: a format suffix is not a name */
            if (len > 5 &&
                (memcmp(name + len - 5, ".html", 5) == 0 || memcmp(name + len - 4, ".min", 4) == 0))
                len -= name[len - 4] == '.' ? 4 : 5;
            is_file = false;
            if (len == 8 && memcmp(name, "__init__", 8) == 0)
                len = 0; /* a package's __init__ is the package */
        }
        bool skip = len == 0 || (len == 1 && name[0] == '.') ||
                    (len == 2 && name[0] == '.' && name[1] == '.') ||
                    (len == 2 && name[1] == ':') || looks_like_id(name, len);
        if (!skip) {
            names[got] = name;
            lens[got] = len;
            got++;
        }
        end = start ? start - 1 : 0;
    }
    char buf[ST_NAME_MAX];
    size_t used = 0;
    for (int i = got - 1; i >= 0; i--) {
        if (used && used < sizeof buf)
            buf[used++] = sep;
        /* i < got: names[i] and lens[i] were set by the loop above (cppcheck
         * assumes it may not run) */
        /* cppcheck-suppress uninitvar */
        size_t take = lens[i] < sizeof buf - used ? lens[i] : sizeof buf - used;
        /* cppcheck-suppress uninitvar */
        memcpy(buf + used, names[i], take);
        used += take;
    }
    return st_strdup(p, buf, used);
}

/* ---- driver ------------------------------------------------------------- */

static void run_parser(struct st_parser *p, enum stack_language lang)
{
    switch (lang) {
    case STACK_LANG_PYTHON:
        st_parse_python(p);
        break;
    case STACK_LANG_JVM:
        st_parse_jvm(p, false);
        break;
    case STACK_LANG_GO:
        st_parse_go(p);
        break;
    case STACK_LANG_NODE:
        st_parse_node(p);
        break;
    case STACK_LANG_DOTNET:
        st_parse_dotnet(p);
        break;
    case STACK_LANG_RUBY:
        st_parse_ruby(p);
        break;
    case STACK_LANG_PHP:
        st_parse_php(p);
        break;
    case STACK_LANG_UNKNOWN:
    case STACK_LANG_COUNT:
        st_parse_lines(p);
        break;
    }
}

static void parse_as(struct stacktrace *st, struct st_parser *p, const char *text, size_t len,
                     enum stack_language lang)
{
    stacktrace_clear(st);
    memset(p, 0, sizeof *p);
    p->st = st;
    p->text = text;
    p->len = len < STACKTRACE_MAX_SCAN_BYTES ? len : STACKTRACE_MAX_SCAN_BYTES;
    p->limited = len > p->len;
    st->language = lang;
    run_parser(p, lang);
    if (p->limited)
        st->truncated = true;
}

/* Copy each exception's message span, '\r' dropped, trailing blanks trimmed. */
static void copy_messages(struct st_parser *p)
{
    struct stacktrace *st = p->st;
    for (size_t i = 0; i < st->n_exceptions; i++) {
        const struct st_message_span *m = &p->messages[i];
        size_t n = m->end - m->start;
        const char *s = p->text + m->start;
        while (n && sv_is_space(s[0])) {
            s++;
            n--;
        }
        if (n > STACKTRACE_MAX_MESSAGE) {
            n = STACKTRACE_MAX_MESSAGE; /* at a UTF-8 boundary */
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
        }
        while (n && (sv_is_space(s[n - 1]) || s[n - 1] == '\n'))
            n--;
        if (!n)
            continue;
        char *out = arena_alloc(&st->strings, n + 1);
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (s[j] != '\r')
                out[k++] = s[j];
        out[k] = '\0';
        st->exceptions[i].message = out;
    }
}

void stacktrace_parse(struct stacktrace *st, const char *text, size_t len, enum stack_language hint)
{
    struct st_parser p;
    if (!text)
        len = 0;
    enum stack_language lang = hint;
    if (lang <= STACK_LANG_UNKNOWN || lang >= STACK_LANG_COUNT)
        lang = stack_language_detect(text, len);
    parse_as(st, &p, text, len, lang);
    if (st->n_frames == 0 && lang != STACK_LANG_UNKNOWN) {
        /* wrong hint, or a format the sniffer misread: try the other way */
        enum stack_language sniffed = stack_language_detect(text, len);
        if (sniffed != lang && sniffed != STACK_LANG_UNKNOWN)
            parse_as(st, &p, text, len, sniffed);
        if (st->n_frames == 0 && st->n_exceptions == 0)
            parse_as(st, &p, text, len, STACK_LANG_UNKNOWN);
    }
    copy_messages(&p);
}

/* ---- names -------------------------------------------------------------- */

static const char *const language_names[STACK_LANG_COUNT] = {
    [STACK_LANG_UNKNOWN] = "unknown", [STACK_LANG_PYTHON] = "python",
    [STACK_LANG_JVM] = "java",        [STACK_LANG_GO] = "go",
    [STACK_LANG_NODE] = "nodejs",     [STACK_LANG_DOTNET] = "dotnet",
    [STACK_LANG_RUBY] = "ruby",       [STACK_LANG_PHP] = "php",
};

const char *stack_language_name(enum stack_language lang)
{
    if (lang < 0 || lang >= STACK_LANG_COUNT)
        return "unknown";
    return language_names[lang];
}

static bool equal_ignore_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

enum stack_language stack_language_from_sdk(const char *sdk_language)
{
    static const struct {
        const char *name;
        enum stack_language lang;
    } table[] = {
        {"python", STACK_LANG_PYTHON}, {"java", STACK_LANG_JVM}, {"kotlin", STACK_LANG_JVM},
        {"scala", STACK_LANG_JVM},     {"go", STACK_LANG_GO},    {"nodejs", STACK_LANG_NODE},
        {"webjs", STACK_LANG_NODE},    {"js", STACK_LANG_NODE},  {"dotnet", STACK_LANG_DOTNET},
        {"ruby", STACK_LANG_RUBY},     {"php", STACK_LANG_PHP},
    };
    if (!sdk_language)
        return STACK_LANG_UNKNOWN;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (equal_ignore_case(sdk_language, table[i].name))
            return table[i].lang;
    return STACK_LANG_UNKNOWN;
}
