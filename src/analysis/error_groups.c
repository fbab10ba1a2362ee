/* SPDX-License-Identifier: Apache-2.0
 *
 * The error-groups engine (contract in error_groups.h).
 *
 * DESIGN. Each event is fingerprinted with one reusable fingerprint_ctx (no
 * allocation per event in the steady state), looked up by its 64-bit
 * fingerprint in an open-addressing index, and folded into its group:
 * counters, one trend bucket, min/max times, a short set of services and
 * routes. A group keeps copies of the strings of one representative event
 * only, replaced when a later event arrives (latest current-range event
 * wins, ties broken by trace ID), so memory grows with groups, not events,
 * and the output does not depend on the order events come in. Derived
 * columns (status, is_new, change, sparkline) are computed when the rows are
 * asked for.
 */
#include "analysis/error_groups.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fingerprint.h"
#include "analysis/sparkline.h"
#include "analysis/u64_index.h"
#include "core/mem.h"

#define TYPE_MAX     256
#define ID_MAX       64 /* trace and span IDs kept (hex; longer input is cut) */
#define NAME_MAX_LEN 256

struct group {
    struct error_group row; /* the public part */
    uint32_t *trend;
    char *exception_type;
    char *message_template;
    char *culprit;
    char *stack_top;
    char *components;
    char *trace_id;
    char *span_id;
    struct et_buf sparkline;
    bool rep_current; /* the representative is from the current range */
    int64_t rep_time_ns;
};

struct error_groups {
    struct error_groups_options opt;
    struct fingerprint_ctx *fp;
    struct u64_index index;
    struct group **groups;
    size_t n_groups;
    size_t groups_cap;
    const struct error_group **rows;
    size_t events;
    size_t dropped;
};

struct error_groups *error_groups_new(const struct error_groups_options *opt)
{
    struct error_groups *g = et_xcalloc(1, sizeof *g);
    g->opt = *opt;
    if (g->opt.buckets < 1)
        g->opt.buckets = 1;
    if (g->opt.buckets > ERROR_GROUPS_MAX_BUCKETS)
        g->opt.buckets = ERROR_GROUPS_MAX_BUCKETS;
    if (g->opt.to_ns <= g->opt.from_ns)
        g->opt.to_ns = g->opt.from_ns + 1;
    g->fp = fingerprint_ctx_new();
    u64_index_init(&g->index);
    return g;
}

static void group_free(struct group *gr)
{
    free(gr->trend);
    free(gr->exception_type);
    free(gr->message_template);
    free(gr->culprit);
    free(gr->stack_top);
    free(gr->components);
    free(gr->trace_id);
    free(gr->span_id);
    et_strlist_cleanup(&gr->row.services);
    et_strlist_cleanup(&gr->row.routes);
    et_buf_cleanup(&gr->sparkline);
    free(gr);
}

void error_groups_free(struct error_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_groups; i++)
        group_free(g->groups[i]);
    free(g->groups);
    free((void *)g->rows);
    u64_index_cleanup(&g->index);
    fingerprint_ctx_free(g->fp);
    free(g);
}

size_t error_groups_events(const struct error_groups *g)
{
    return g->events;
}

size_t error_groups_dropped(const struct error_groups *g)
{
    return g->dropped;
}

int error_groups_buckets(const struct error_groups *g)
{
    return g->opt.buckets;
}

int64_t error_groups_bucket_start(const struct error_groups *g, int i)
{
    unsigned __int128 span = (unsigned __int128)(g->opt.to_ns - g->opt.from_ns);
    return g->opt.from_ns + (int64_t)(span * (unsigned)i / (unsigned)g->opt.buckets);
}

/* Bucket of time t: floor((t - from) * buckets / (to - from)), clamped. */
static int bucket_of(const struct error_groups *g, int64_t t)
{
    if (t <= g->opt.from_ns)
        return 0;
    if (t >= g->opt.to_ns)
        return g->opt.buckets - 1;
    unsigned __int128 off = (unsigned __int128)(t - g->opt.from_ns);
    unsigned __int128 span = (unsigned __int128)(g->opt.to_ns - g->opt.from_ns);
    return (int)(off * (unsigned)g->opt.buckets / span);
}

/* ---- strings ------------------------------------------------------------ */

static char *copy_capped(const char *s, size_t max)
{
    if (!s)
        return et_xstrdup("");
    size_t n = strnlen(s, max);
    /* never end inside a UTF-8 sequence */
    if (n == max)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return et_xstrndup(s, n);
}

static void replace(char **slot, const char *s, size_t max)
{
    if (*slot && strncmp(*slot, s, max) == 0 && strlen(*slot) == strnlen(s, max))
        return; /* the usual case: same group, same strings */
    free(*slot);
    *slot = copy_capped(s, max);
}

static bool empty(const char *s)
{
    return !s || !s[0];
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Does event (current?, t, trace, span) rank above the representative? */
static bool better_representative(const struct group *gr, bool current, int64_t t,
                                  const char *trace_id, const char *span_id)
{
    if (!gr->trace_id)
        return true;
    if (current != gr->rep_current)
        return current;
    if (t != gr->rep_time_ns)
        return t > gr->rep_time_ns;
    int c = strncmp(or_empty(trace_id), gr->trace_id, ID_MAX);
    if (c)
        return c < 0;
    return strncmp(or_empty(span_id), gr->span_id, ID_MAX) < 0;
}

static void set_representative(struct group *gr, const struct error_event *ev,
                               const struct fingerprint *fp)
{
    replace(&gr->exception_type,
            empty(ev->exception_type) ? fp->exception_type : ev->exception_type, TYPE_MAX);
    replace(&gr->message_template, fp->message_template, 4096);
    replace(&gr->culprit, fp->culprit, 4096);
    replace(&gr->stack_top, fp->stack_top, 4096);
    replace(&gr->components, fp->components, 8192);
    replace(&gr->trace_id, or_empty(ev->trace_id), ID_MAX);
    replace(&gr->span_id, or_empty(ev->span_id), ID_MAX);
    gr->rep_current = !ev->in_baseline;
    gr->rep_time_ns = ev->time_ns;
    gr->row.exception_type = gr->exception_type;
    gr->row.message_template = gr->message_template;
    gr->row.culprit = gr->culprit;
    gr->row.stack_top = gr->stack_top;
    gr->row.components = gr->components;
    gr->row.trace_id = gr->trace_id;
    gr->row.span_id = gr->span_id;
    gr->row.language = stack_language_name(fp->language);
}

static void add_name(struct et_strlist *names, bool *capped, const char *name)
{
    if (empty(name))
        return;
    char buf[NAME_MAX_LEN + 1];
    size_t n = strnlen(name, NAME_MAX_LEN);
    memcpy(buf, name, n);
    buf[n] = '\0';
    if (et_strlist_contains(names, buf))
        return;
    if (names->n >= ERROR_GROUPS_MAX_NAMES) {
        *capped = true;
        return;
    }
    et_strlist_push(names, buf);
}

/* ---- adding ------------------------------------------------------------- */

static struct group *group_new(struct error_groups *g, const struct fingerprint *fp)
{
    struct group *gr = et_xcalloc(1, sizeof *gr);
    gr->trend = et_xcalloc((size_t)g->opt.buckets, sizeof *gr->trend);
    gr->row.fingerprint = fp->hash;
    memcpy(gr->row.id, fp->id, sizeof gr->row.id);
    gr->row.trend = gr->trend;
    gr->row.first_seen_ns = INT64_MAX;
    gr->row.last_seen_ns = INT64_MIN;
    gr->row.sparkline = "";
    et_strlist_init(&gr->row.services);
    et_strlist_init(&gr->row.routes);
    et_buf_init(&gr->sparkline, (size_t)ERROR_GROUPS_MAX_BUCKETS * 3);
    g->groups = et_xgrow(g->groups, &g->groups_cap, g->n_groups + 1, sizeof(struct group *));
    u64_index_put(&g->index, fp->hash, (uint32_t)g->n_groups);
    g->groups[g->n_groups++] = gr;
    return gr;
}

void error_groups_add(struct error_groups *g, const struct error_event *ev)
{
    g->events++;
    struct fingerprint_input in = {
        .exception_type = ev->exception_type,
        .message = ev->message,
        .stacktrace = ev->stacktrace,
        .stacktrace_len = ev->stacktrace ? strlen(ev->stacktrace) : 0,
        .sdk_language = ev->sdk_language,
        .custom_key = ev->custom_fingerprint,
    };
    struct fingerprint fp;
    fingerprint_compute(g->fp, &in, &fp);
    long at = u64_index_get(&g->index, fp.hash);
    struct group *gr;
    if (at >= 0) {
        gr = g->groups[at];
    } else if (g->n_groups >= ERROR_GROUPS_MAX_GROUPS) {
        g->dropped++;
        return;
    } else {
        gr = group_new(g, &fp);
    }
    struct error_group *row = &gr->row;
    if (ev->in_baseline) {
        row->previous_count++;
    } else {
        row->count++;
        gr->trend[bucket_of(g, ev->time_ns)]++;
    }
    if (ev->time_ns < row->first_seen_ns)
        row->first_seen_ns = ev->time_ns;
    if (ev->time_ns > row->last_seen_ns)
        row->last_seen_ns = ev->time_ns;
    add_name(&row->services, &row->services_capped, ev->service);
    add_name(&row->routes, &row->routes_capped, ev->route);
    if (better_representative(gr, !ev->in_baseline, ev->time_ns, ev->trace_id, ev->span_id))
        set_representative(gr, ev, &fp);
}

/* ---- rows --------------------------------------------------------------- */

static void finish_group(const struct error_groups *g, struct group *gr)
{
    struct error_group *row = &gr->row;
    if (g->opt.baseline) {
        row->status = row->count == 0            ? ERROR_GROUP_STATUS_RESOLVED
                      : row->previous_count == 0 ? ERROR_GROUP_STATUS_NEW
                                                 : ERROR_GROUP_STATUS_ONGOING;
        row->is_new = row->status == ERROR_GROUP_STATUS_NEW;
    } else {
        row->status = ERROR_GROUP_STATUS_NONE;
        row->is_new = false;
    }
    row->change = row->previous_count > 0 ? (double)row->count / (double)row->previous_count : NAN;
    et_buf_reset(&gr->sparkline);
    sparkline_write(gr->trend, (size_t)g->opt.buckets, &gr->sparkline);
    row->sparkline = et_buf_cstr(&gr->sparkline);
    et_strlist_sort(&row->services);
    et_strlist_sort(&row->routes);
}

static int status_rank(enum error_group_status s)
{
    return s == ERROR_GROUP_STATUS_NEW ? 0 : s == ERROR_GROUP_STATUS_RESOLVED ? 2 : 1;
}

static int compare_by_count(const void *a, const void *b)
{
    const struct error_group *x = *(const struct error_group *const *)a;
    const struct error_group *y = *(const struct error_group *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->previous_count != y->previous_count)
        return x->previous_count > y->previous_count ? -1 : 1;
    if (x->last_seen_ns != y->last_seen_ns)
        return x->last_seen_ns > y->last_seen_ns ? -1 : 1;
    if (x->fingerprint != y->fingerprint)
        return x->fingerprint < y->fingerprint ? -1 : 1;
    return 0;
}

static int compare_by_new(const void *a, const void *b)
{
    const struct error_group *x = *(const struct error_group *const *)a;
    const struct error_group *y = *(const struct error_group *const *)b;
    int rx = status_rank(x->status), ry = status_rank(y->status);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return compare_by_count(a, b);
}

const struct error_group *const *error_groups_rows(struct error_groups *g,
                                                   enum error_groups_sort sort, size_t *n)
{
    free((void *)g->rows);
    g->rows = et_xcalloc(g->n_groups + 1, sizeof(const struct error_group *));
    size_t k = 0;
    for (size_t i = 0; i < g->n_groups; i++) {
        struct group *gr = g->groups[i];
        finish_group(g, gr);
        if (gr->row.count > 0 || g->opt.list_resolved)
            g->rows[k++] = &gr->row;
    }
    qsort(g->rows, k, sizeof(const struct error_group *),
          sort == ERROR_GROUPS_BY_NEW ? compare_by_new : compare_by_count);
    *n = k;
    return g->rows;
}

int error_group_trend_json(const struct error_groups *g, const struct error_group *row,
                           struct et_buf *out)
{
    int rc = et_buf_putc(out, '[');
    for (int i = 0; i < g->opt.buckets; i++)
        rc |= et_buf_printf(out, i ? ",%u" : "%u", row->trend[i]);
    rc |= et_buf_putc(out, ']');
    return rc ? -1 : 0;
}

const char *error_group_status_name(enum error_group_status status)
{
    switch (status) {
    case ERROR_GROUP_STATUS_NEW:
        return "new";
    case ERROR_GROUP_STATUS_ONGOING:
        return "ongoing";
    case ERROR_GROUP_STATUS_RESOLVED:
        return "resolved";
    case ERROR_GROUP_STATUS_NONE:
        break;
    }
    return "";
}
