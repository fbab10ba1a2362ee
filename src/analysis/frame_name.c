/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame-name normalisation per language (rules in frame_name.h). Works on
 * fixed buffers of FRAME_NAME_MAX bytes: longer names are cut, which keeps
 * them stable and bounded.
 */
#include "analysis/frame_name.h"

#include <string.h>

#include "analysis/message.h"
#include "core/buf.h"

static void set(char *dst, const char *src, size_t n)
{
    if (n >= FRAME_NAME_MAX)
        n = FRAME_NAME_MAX - 1;
    memmove(dst, src, n);
    dst[n] = '\0';
}

static void append(char *dst, const char *src, size_t n)
{
    size_t used = strlen(dst);
    if (used + n >= FRAME_NAME_MAX)
        n = FRAME_NAME_MAX - 1 - used;
    memcpy(dst + used, src, n);
    dst[used + n] = '\0';
}

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Remove "$<digits>" groups at the end of s (lambda$reserve$0 -> lambda$reserve). */
static void strip_dollar_numbers(char *s)
{
    for (;;) {
        char *d = strrchr(s, '$');
        if (!d || !all_digits(d + 1, strlen(d + 1)))
            return;
        *d = '\0';
    }
}

/* ---- JVM ---------------------------------------------------------------- */

static const char *const jvm_generated_markers[] = {
    "$$", "_$$_", "$ByteBuddy$", "$MockitoMock$", "$HibernateProxy$", "$$_jvst", NULL,
};

static bool jvm_name(const struct stack_frame *f, struct frame_name *out)
{
    const char *cls = f->module;
    if (strstr(cls, "$$Lambda") || strstr(cls, "$Lambda$"))
        return false; /* the JVM's lambda shim; the lambda$ frame follows */
    size_t n = strlen(cls);
    for (size_t i = 0; jvm_generated_markers[i]; i++) {
        const char *m = strstr(cls, jvm_generated_markers[i]);
        if (m && (size_t)(m - cls) < n)
            n = (size_t)(m - cls);
    }
    /* split "Outer$Inner$1" into segments; numbers are anonymous classes */
    const char *seg[16];
    size_t seg_len[16];
    size_t segs = 0;
    for (size_t i = 0, start = 0; i <= n && segs < 16; i++) {
        if (i == n || cls[i] == '$') {
            seg[segs] = cls + start;
            seg_len[segs++] = i - start;
            start = i + 1;
        }
    }
    size_t method_seg = 0;
    bool kotlin = strcmp(f->function, "invokeSuspend") == 0 || strcmp(f->function, "invoke") == 0;
    for (size_t s = 1; kotlin && s < segs && !method_seg; s++)
        if (seg_len[s] && seg[s][0] >= 'a' && seg[s][0] <= 'z')
            method_seg = s;
    size_t last = method_seg ? method_seg : segs;
    out->module[0] = '\0';
    for (size_t s = 0; s < last; s++) {
        if (s)
            append(out->module, "$", 1);
        if (all_digits(seg[s], seg_len[s]))
            append(out->module, "<anon>", 6);
        else
            append(out->module, seg[s], seg_len[s]);
    }
    if (method_seg) {
        set(out->function, seg[method_seg], seg_len[method_seg]);
        return true;
    }
    set(out->function, f->function, strlen(f->function));
    static const char *const suffixes[] = {"$default", "$suspendImpl", NULL};
    for (size_t i = 0; suffixes[i]; i++)
        if (ends_with(out->function, suffixes[i]))
            out->function[strlen(out->function) - strlen(suffixes[i])] = '\0';
    strip_dollar_numbers(out->function);
    return out->function[0] != '\0';
}

/* ---- Go ----------------------------------------------------------------- */

/* ".func12" / ".gowrap3" / ".deferwrap1" at s? Returns its length. */
static size_t go_closure_at(const char *s)
{
    static const char *const kinds[] = {".func", ".gowrap", ".deferwrap", NULL};
    for (size_t k = 0; kinds[k]; k++) {
        size_t kl = strlen(kinds[k]);
        if (strncmp(s, kinds[k], kl) != 0)
            continue;
        size_t i = kl;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == kl)
            continue;
        while (s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') { /* .func1.2 */
            i++;
            while (s[i] >= '0' && s[i] <= '9')
                i++;
        }
        return i;
    }
    return 0;
}

static bool go_name(const struct stack_frame *f, struct frame_name *out)
{
    set(out->module, f->module, strlen(f->module));
    const char *fn = f->function;
    char *w = out->function;
    size_t used = 0;
    int depth = 0;
    for (size_t i = 0; fn[i] && used + 12 < FRAME_NAME_MAX;) {
        if (fn[i] == '[') {
            depth++;
            i++;
            continue;
        }
        if (fn[i] == ']') {
            depth -= depth > 0;
            i++;
            continue;
        }
        if (depth) {
            i++;
            continue;
        }
        size_t closure = go_closure_at(fn + i);
        if (closure) {
            memcpy(w + used, ".<closure>", 10);
            used += 10;
            i += closure;
            continue;
        }
        w[used++] = fn[i++];
    }
    w[used] = '\0';
    if (ends_with(w, "-fm"))
        w[used - 3] = '\0';
    return w[0] != '\0';
}

/* ---- Node --------------------------------------------------------------- */

static bool node_name(const struct stack_frame *f, struct frame_name *out)
{
    set(out->module, f->module, strlen(f->module));
    const char *fn = f->function;
    if (strncmp(fn, "Object.", 7) == 0)
        fn += 7;
    if (!fn[0])
        fn = "<anonymous>";
    if (strlen(fn) <= 2)
        return false; /* minified: "e", "t", "Rn" change with every build */
    set(out->function, fn, strlen(fn));
    return out->module[0] != '\0' || strcmp(fn, "<anonymous>") != 0;
}

/* ---- .NET --------------------------------------------------------------- */

/* Copy s[0..n) dropping generic arity (`1) and bracketed type lists ([T]). */
static void dotnet_strip_generics(char *dst, size_t cap, const char *s, size_t n)
{
    size_t used = 0;
    int depth = 0;
    for (size_t i = 0; i < n && used + 1 < cap; i++) {
        if (s[i] == '[') {
            depth++;
        } else if (s[i] == ']') {
            depth -= depth > 0;
        } else if (s[i] == '`') {
            while (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
                i++;
        } else if (!depth) {
            dst[used++] = s[i];
        }
    }
    dst[used] = '\0';
}

/* "<Name>rest": Name and what follows the '>'. */
static bool angle_name(const char *s, size_t n, const char **name, size_t *name_len,
                       const char **rest)
{
    if (!n || s[0] != '<')
        return false;
    const char *gt = memchr(s, '>', n);
    if (!gt)
        return false;
    *name = s + 1;
    *name_len = (size_t)(gt - s - 1);
    *rest = gt + 1;
    return true;
}

static bool dotnet_name(const struct stack_frame *f, struct frame_name *out)
{
    char module[FRAME_NAME_MAX];
    dotnet_strip_generics(module, sizeof module, f->module, strlen(f->module));
    /* drop compiler-generated nested types, remembering a state machine's method */
    char state_method[FRAME_NAME_MAX] = "";
    out->module[0] = '\0';
    for (char *seg = module; seg && *seg;) {
        char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        const char *name, *rest;
        size_t name_len;
        if (angle_name(seg, len, &name, &name_len, &rest)) {
            if (name_len && (strncmp(rest, "d__", 3) == 0 || strncmp(rest, "c__Iterator", 11) == 0))
                set(state_method, name, name_len);
            /* "<>c", "<>c__DisplayClass12_0": dropped */
        } else {
            if (out->module[0])
                append(out->module, ".", 1);
            append(out->module, seg, len);
        }
        seg = dot ? dot + 1 : NULL;
    }
    char fn[FRAME_NAME_MAX];
    dotnet_strip_generics(fn, sizeof fn, f->function, strlen(f->function));
    const char *name, *rest;
    size_t name_len;
    if (strcmp(fn, "MoveNext") == 0 && state_method[0]) {
        set(out->function, state_method, strlen(state_method));
    } else if (angle_name(fn, strlen(fn), &name, &name_len, &rest)) {
        set(out->function, name, name_len);
        if (strncmp(rest, "b__", 3) == 0) {
            append(out->function, ".<lambda>", 9);
        } else if (strncmp(rest, "g__", 3) == 0) {
            const char *local = rest + 3;
            size_t local_len = strcspn(local, "|");
            append(out->function, ".", 1);
            append(out->function, local, local_len);
        } else if (rest[0] == '$') {
            /* "<Main>$": top-level statements */
        }
        if (!out->function[0] && state_method[0])
            set(out->function, state_method, strlen(state_method));
    } else {
        set(out->function, fn, strlen(fn));
    }
    return out->function[0] != '\0';
}

/* ---- Ruby --------------------------------------------------------------- */

static bool ruby_name(const struct stack_frame *f, struct frame_name *out)
{
    set(out->module, f->module, strlen(f->module));
    const char *fn = f->function;
    if (strncmp(fn, "block (", 7) == 0) {
        const char *in = strstr(fn, ") in ");
        if (in) {
            set(out->function, "block in ", 9);
            append(out->function, in + 5, strlen(in + 5));
        } else {
            set(out->function, fn, strlen(fn));
        }
    } else {
        set(out->function, fn, strlen(fn));
    }
    /* ERB: _app_views_orders_show_html_erb___1234_5678 */
    char *w = out->function;
    size_t n = strlen(w), i = n;
    while (i > 0 && w[i - 1] >= '0' && w[i - 1] <= '9')
        i--;
    if (i < n && i > 0 && w[i - 1] == '_') {
        size_t j = i - 1;
        while (j > 0 && w[j - 1] >= '0' && w[j - 1] <= '9')
            j--;
        if (j < i - 1 && j >= 2 && w[j - 1] == '_' && w[j - 2] == '_') {
            while (j > 0 && w[j - 1] == '_')
                j--;
            w[j] = '\0';
        }
    }
    return w[0] != '\0';
}

/* ---- PHP ---------------------------------------------------------------- */

static bool php_name(const struct stack_frame *f, struct frame_name *out)
{
    set(out->module, f->module, strlen(f->module));
    char *anon = strstr(out->module, "class@anonymous");
    if (anon)
        anon[15] = '\0';
    if (strncmp(f->function, "{closure", 8) == 0)
        set(out->function, "{closure}", 9);
    else
        set(out->function, f->function, strlen(f->function));
    return out->function[0] != '\0' && strcmp(out->function, "{main}") != 0;
}

/* ---- Python ------------------------------------------------------------- */

static bool python_name(const struct stack_frame *f, struct frame_name *out)
{
    /* Python 3.12 inlines list/dict/set comprehensions (PEP 709): their
     * frames exist only before it, so they must not tell groups apart */
    static const char *const inlined[] = {"<listcomp>", "<dictcomp>", "<setcomp>", NULL};
    for (size_t i = 0; inlined[i]; i++)
        if (strcmp(f->function, inlined[i]) == 0)
            return false;
    set(out->module, f->module, strlen(f->module));
    set(out->function, f->function, strlen(f->function));
    return out->module[0] || out->function[0];
}

/* ---- other -------------------------------------------------------------- */

static bool line_name(const struct stack_frame *f, struct frame_name *out)
{
    struct et_buf b;
    et_buf_init(&b, FRAME_NAME_MAX - 1);
    message_template(f->function, strlen(f->function), &b);
    set(out->function, et_buf_cstr(&b), b.len);
    et_buf_cleanup(&b);
    out->module[0] = '\0';
    return out->function[0] != '\0';
}

bool frame_name_normalize(enum stack_language lang, const struct stack_frame *f,
                          struct frame_name *out)
{
    out->module[0] = out->function[0] = '\0';
    if (f->noise)
        return false;
    switch (lang) {
    case STACK_LANG_JVM:
        return jvm_name(f, out);
    case STACK_LANG_GO:
        return go_name(f, out);
    case STACK_LANG_NODE:
        return node_name(f, out);
    case STACK_LANG_DOTNET:
        return dotnet_name(f, out);
    case STACK_LANG_RUBY:
        return ruby_name(f, out);
    case STACK_LANG_PHP:
        return php_name(f, out);
    case STACK_LANG_PYTHON:
        return python_name(f, out);
    case STACK_LANG_UNKNOWN:
    case STACK_LANG_COUNT:
        break;
    }
    return line_name(f, out);
}
