/* SPDX-License-Identifier: Apache-2.0
 *
 * TraceQL builder (see traceql.h).
 */
#include "tempo/traceql.h"

#include <string.h>

#include "query/escape.h"

/* The attributes a row needs, in select mode. */
static const char SELECT_LIST[] =
    "select(resource.service.name, span.http.route, span.url.path, span.http.target, name, "
    "statusMessage, event.exception.type, event.exception.message, event.exception.stacktrace, "
    "event.exception.escaped, resource.telemetry.sdk.language, event.error.fingerprint, "
    "span.error.fingerprint, span.grouping.fingerprint)";

static void literal(struct et_buf *out, const char *s)
{
    escape_string_literal(out, s, strlen(s));
}

/* `lhs = "v1" || lhs = "v2" ...` over `values`, for each lhs in `attrs`. */
static void or_equal(struct et_buf *out, const char *const *attrs, size_t n_attrs,
                     const struct et_strlist *values)
{
    for (size_t v = 0; v < values->n; v++)
        for (size_t a = 0; a < n_attrs; a++) {
            if (v || a)
                et_buf_append_str(out, " || ");
            et_buf_printf(out, "%s = ", attrs[a]);
            literal(out, values->items[v]);
        }
}

/* ` && (…)` of or_equal(), nothing for an empty list. */
static void any_equal(struct et_buf *out, const char *const *attrs, size_t n_attrs,
                      const struct et_strlist *values)
{
    if (values->n == 0)
        return;
    et_buf_append_str(out, " && (");
    or_equal(out, attrs, n_attrs, values);
    et_buf_putc(out, ')');
}

/* The route condition: the attributes of the route rule, plus http.target
 * with a query string (anchored regex of the escaped literal). */
static void route_condition(struct et_buf *out, const struct et_strlist *routes)
{
    static const char *const attrs[] = {"span.http.route", "span.url.path", "span.http.target",
                                        "name"};
    if (routes->n == 0)
        return;
    et_buf_append_str(out, " && (");
    or_equal(out, attrs, 4, routes);
    struct et_buf re;
    et_buf_init(&re, ET_BUF_UNLIMITED);
    for (size_t i = 0; i < routes->n; i++) {
        et_buf_reset(&re);
        et_buf_putc(&re, '^');
        escape_regex_literal(&re, routes->items[i], strlen(routes->items[i]));
        et_buf_append_str(&re, "\\?.*$");
        et_buf_append_str(out, " || span.http.target =~ ");
        escape_string_literal(out, et_buf_cstr(&re), re.len);
    }
    et_buf_putc(out, ')');
    et_buf_cleanup(&re);
}

bool traceql_filters_types(const struct query *q, bool events)
{
    return events && q->exception_types.n > 0 &&
           !et_strlist_contains(&q->exception_types, TEMPO_NO_EXCEPTION);
}

void traceql_build_errors(struct et_buf *out, const struct query *q,
                          const struct traceql_options *opt)
{
    static const char *const service[] = {"resource.service.name"};
    static const char *const env[] = {".deployment.environment.name", ".deployment.environment"};
    static const char *const type[] = {"event.exception.type"};
    et_buf_append_str(out, "{ status = error");
    any_equal(out, service, 1, &q->services);
    route_condition(out, &q->routes);
    any_equal(out, env, 2, &q->environment);
    if (traceql_filters_types(q, opt->events))
        any_equal(out, type, 1, &q->exception_types);
    et_buf_append_str(out, " }");
    if (opt->select)
        et_buf_printf(out, " | %s", SELECT_LIST);
    if (opt->most_recent)
        et_buf_append_str(out, " with(most_recent=true)");
}

void traceql_build_scope_filter(struct et_buf *out, const struct et_strlist *services,
                                const struct et_strlist *environment)
{
    static const char *const service[] = {"resource.service.name"};
    static const char *const env[] = {".deployment.environment.name", ".deployment.environment"};
    if (services->n == 0 && environment->n == 0)
        return;
    struct et_buf body;
    et_buf_init(&body, ET_BUF_UNLIMITED);
    any_equal(&body, service, 1, services);
    any_equal(&body, env, 2, environment);
    /* drop the leading " && " of the first condition */
    et_buf_printf(out, "{ %s }", et_buf_cstr(&body) + 4);
    et_buf_cleanup(&body);
}

const char *traceql_event_probe(void)
{
    return "{ event:name = \"exception\" }";
}
