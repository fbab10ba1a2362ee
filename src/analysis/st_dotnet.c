/* SPDX-License-Identifier: Apache-2.0
 *
 * .NET stack traces (Exception.ToString(), which the OTel .NET SDK records).
 *
 * Header `<Ns.Type>: <message>` (message possibly multi-line), then one
 * ` ---> <Ns.Type>: <message>` line per inner exception, outer to inner.
 * Frames `at <Ns.Type.Method>(<params>)[ in <file>:line <n>]` come for the
 * innermost exception first; each `--- End of inner exception stack trace
 * ---` hands the following frames to the next outer exception. `--- End of
 * stack trace from previous location ---` is only an async boundary.
 * AggregateException's ` ---> (Inner Exception #N) ...<---` blocks become
 * extra inner exceptions. The "in"/"line" words may be localised, so the
 * location is recognised by its shape, not its words.
 *
 * Application code is every namespace but the framework and common library
 * ones (System., Microsoft., Npgsql., Grpc., Polly. ...).
 */
#include "analysis/stacktrace_int.h"

static const char *const dotnet_library_prefixes[] = {
    "System.",     "Microsoft.",        "Npgsql.",        "Grpc.",
    "Polly.",      "Newtonsoft.",       "StackExchange.", "Dapper.",
    "MediatR.",    "Serilog.",          "OpenTelemetry.", "Swashbuckle.",
    "AutoMapper.", "FluentValidation.", "Hangfire.",      "MassTransit.",
    "RabbitMQ.",   "Confluent.",        "Azure.",         "Amazon.",
    "Google.",     "Castle.",           "NHibernate.",    "MySqlConnector.",
    "MySql.",      "Oracle.",           "MongoDB.",       "Elasticsearch.",
    "Nest.",       "NServiceBus.",      "Quartz.",        "Autofac.",
    "Refit.",      "RestSharp.",        "Orleans.",       "Yarp.",
    "NLog.",       "log4net.",          "xunit.",         "NUnit.",
    "Moq.",        "lambda_method",     "Interop.",       NULL,
};

static const char *const dotnet_noise_prefixes[] = {
    "System.Runtime.CompilerServices.",
    "System.Runtime.ExceptionServices.",
    "System.Threading.ExecutionContext.",
    "lambda_method",
    "DynamicClass.",
    NULL,
};

static bool is_type_char(char c)
{
    return c == '_' || c == '.' || c == '`' || c == '+' || sv_is_digit(c) ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

static int open_exception(struct st_parser *p, const struct st_line *l, const char *t, size_t tn,
                          enum stack_relation rel, int parent)
{
    size_t i = 0;
    while (i < tn && is_type_char(t[i]))
        i++;
    size_t type_len = i;
    /* SqlException (0x80131904): ..., Win32Exception (258): ... */
    if (i + 1 < tn && t[i] == ' ' && t[i + 1] == '(') {
        const char *close = memchr(t + i, ')', tn - i);
        if (close && close + 1 < t + tn && close[1] == ':')
            i = (size_t)(close + 1 - t);
    }
    size_t line_end = l->offset + l->len;
    if (type_len > 0 && (i == tn || (t[i] == ':' && (i + 1 == tn || t[i + 1] == ' '))))
        return st_add_exception(p, t, type_len, (size_t)(t + (i < tn ? i + 1 : i) - p->text),
                                line_end, rel, parent);
    return st_add_exception(p, "", 0, (size_t)(t - p->text), line_end, rel, parent);
}

/* " in <file>:line <n>" after the parameter list (any language's words). */
static void parse_location(struct st_parser *p, struct stack_frame *f, const char *s, size_t n)
{
    sv_trim(&s, &n);
    long in = sv_find(s, n, " "); /* after the word "in" (or its translation) */
    if (in < 0)
        return;
    const char *loc = s + in + 1;
    size_t ln = n - (size_t)in - 1;
    long sp = sv_rfind_char(loc, ln, ' ');
    unsigned long line = 0;
    if (sp > 0 && sv_uint(loc + sp + 1, ln - (size_t)sp - 1, &line)) {
        long colon = sv_rfind_char(loc, (size_t)sp, ':');
        if (colon > 0) {
            f->file = st_strdup(p, loc, (size_t)colon);
            f->line = (uint32_t)line;
            return;
        }
    }
    f->file = st_strdup(p, loc, ln);
}

/* `at <method>(<params>)[ in <file>:line <n>]`. False when cut. */
static bool parse_frame(struct st_parser *p, int e, const struct st_line *l, const char *t,
                        size_t tn)
{
    if (tn < 3) /* "at <---" leaves only "at" */
        return false;
    const char *s = t + 3;
    size_t n = tn - 3;
    const char *lp = memchr(s, '(', n);
    if (!lp)
        return false;
    /* the parameter list closes at the first ')' that balances it */
    int depth = 0;
    size_t close = 0;
    for (size_t i = (size_t)(lp - s); i < n; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0) {
            close = i;
            break;
        }
    }
    if (!close && !l->terminated)
        return false;
    struct stack_frame *f = st_add_frame(p, e, l);
    if (!f)
        return true;
    size_t mlen = (size_t)(lp - s);
    long dot = sv_rfind_char(s, mlen, '.');
    if (dot > 0 && s[dot - 1] == '.')
        dot--; /* ..ctor / ..cctor */
    if (dot > 0) {
        f->module = st_strdup(p, s, (size_t)dot);
        f->function = st_strdup(p, s + dot + 1, mlen - (size_t)dot - 1);
    } else {
        f->function = st_strdup(p, s, mlen);
    }
    if (close && close + 1 < n)
        parse_location(p, f, s + close + 1, n - close - 1);
    size_t ml = strlen(f->module);
    f->noise = sv_starts_any(f->module, ml, dotnet_noise_prefixes) ||
               sv_starts(f->function, strlen(f->function), "lambda_method");
    f->in_app = !f->noise && ml && !sv_starts_any(f->module, ml, dotnet_library_prefixes);
    return true;
}

struct dotnet_state {
    int owner;       /* exception receiving frames */
    int last_header; /* most recent exception header, for message lines */
    bool in_message; /* lines still continue that header's message */
};

static void dotnet_line(struct st_parser *p, struct dotnet_state *s, const struct st_line *l)
{
    const char *t = l->p;
    size_t tn = l->len;
    sv_trim(&t, &tn);
    if (!tn)
        return;
    if (sv_starts(t, tn, "---> ")) {
        t += 5;
        tn -= 5;
        sv_trim(&t, &tn);
        int parent = s->last_header;
        if (sv_starts(t, tn, "(Inner Exception #")) {
            const char *close = memchr(t, ')', tn);
            if (close) {
                tn -= (size_t)(close + 1 - t);
                t = close + 1;
                sv_trim(&t, &tn);
            }
            parent = 0;
        }
        int e = open_exception(p, l, t, tn, STACK_REL_CAUSE, parent);
        if (e >= 0)
            s->owner = s->last_header = e;
        s->in_message = e >= 0;
        return;
    }
    if (sv_starts(t, tn, "--- ") || sv_starts(t, tn, "at ") || sv_starts(t, tn, "<---"))
        s->in_message = false;
    if (sv_starts(t, tn, "--- End of inner exception stack trace ---")) {
        if (s->owner > 0)
            s->owner = p->st->exceptions[s->owner].parent;
        return;
    }
    if (sv_starts(t, tn, "--- End of stack trace from previous location") ||
        sv_starts(t, tn, "<---"))
        return;
    if (sv_starts(t, tn, "at ")) {
        if (s->owner < 0)
            s->owner = s->last_header = st_add_exception(p, "", 0, l->offset, l->offset, 0, 0);
        bool aggregate_end = sv_ends(t, tn, "<---");
        if (aggregate_end) {
            tn -= 4;
            sv_trim(&t, &tn);
        }
        /* a whole frame ends with ")" or with its line number; ToString()
         * ends without a newline, so only the shape tells a cut */
        if (!parse_frame(p, s->owner, l, t, tn) ||
            (!l->terminated && !aggregate_end && t[tn - 1] != ')' && !sv_is_digit(t[tn - 1])))
            st_mark_cut(p, s->owner);
        if (aggregate_end)
            s->owner = 0;
        return;
    }
    if (s->last_header < 0) {
        s->owner = s->last_header = open_exception(p, l, t, tn, STACK_REL_REPORTED, 0);
        s->in_message = s->last_header >= 0;
        return;
    }
    if (s->in_message)
        st_extend_message(p, s->last_header, l->offset + l->len);
}

void st_parse_dotnet(struct st_parser *p)
{
    struct dotnet_state s = {.owner = -1, .last_header = -1, .in_message = false};
    struct st_line l;
    while (st_next_line(p, &l))
        dotnet_line(p, &s, &l);
    /* the text ended before this inner exception's "--- End of inner
     * exception stack trace ---": it was cut, maybe at a line end */
    if (s.owner > 0 && p->st->exceptions[s.owner].relation == STACK_REL_CAUSE &&
        !sv_ends(l.p, l.len, "<---"))
        p->st->exceptions[s.owner].complete = false;
}
