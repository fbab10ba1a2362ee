/* SPDX-License-Identifier: Apache-2.0
 *
 * Tempo capability detection (see tempo_caps.h).
 */
#include "tempo/tempo_caps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "tempo/tempo_client.h"
#include "tempo/traceql.h"

int tempo_caps_for_version(const char *version)
{
    const char *p = version;
    if (*p == 'v' || *p == 'V')
        p++;
    char *end;
    long major = strtol(p, &end, 10);
    if (end == p || *end != '.')
        return -1;
    p = end + 1;
    long minor = strtol(p, &end, 10);
    if (end == p || major < 0 || minor < 0)
        return -1;
    long v = major * 1000 + minor;
    int caps = 0;
    if (v >= 2002)
        caps |= TEMPO_CAP_SELECT | TEMPO_CAP_TAG_FILTER;
    if (v >= 2006)
        caps |= TEMPO_CAP_EVENTS | TEMPO_CAP_V2_TRACES;
    if (v >= 2008)
        caps |= TEMPO_CAP_MOST_RECENT;
    return caps;
}

/* The probe: a tiny event search over the last five minutes. Returns the
 * caps, or -1 with `err` set for a transport failure or an answer other than
 * 200/400. */
static int probe(const struct query_ctx *ctx, struct et_error *err)
{
    int64_t now = et_now_wall_ms() / 1000;
    struct tempo_search_req req = {traceql_event_probe(), now - 300, now, 1, 0};
    struct tempo_search_result res;
    struct et_error e;
    tempo_search_many(ctx, &req, 1, &res, &e);
    tempo_search_result_cleanup(&res);
    if (!et_error_is_set(&e))
        return TEMPO_CAP_SELECT | TEMPO_CAP_TAG_FILTER | TEMPO_CAP_EVENTS | TEMPO_CAP_V2_TRACES |
               TEMPO_CAP_PROBED;
    if (e.status == 400)
        return TEMPO_CAP_PROBED; /* no event scope: 2.0 .. 2.5 */
    *err = e;
    return -1;
}

/* Features from the build info, else from what the search said about the
 * event scope, else from the probe. */
static int caps_from_answers(const struct query_ctx *ctx, const struct tempo_buildinfo *bi,
                             int search_status, int *caps, char *version, size_t size,
                             struct et_error *err)
{
    version[0] = '\0';
    if (bi->rc == 0) {
        int c = tempo_caps_for_version(bi->version);
        if (c >= 0) {
            *caps = c;
            snprintf(version, size, "%s", bi->version);
            return 0;
        }
    } else if (bi->http_status == 0) {
        *err = bi->err; /* Tempo unreachable (or cancelled): nothing to learn, nothing cached */
        return -1;
    }
    int c;
    if (search_status == 200) /* an event-scope search answered: 2.6+ */
        c = TEMPO_CAP_SELECT | TEMPO_CAP_TAG_FILTER | TEMPO_CAP_EVENTS | TEMPO_CAP_V2_TRACES |
            TEMPO_CAP_PROBED;
    else if (search_status == 400)
        c = TEMPO_CAP_PROBED;
    else if ((c = probe(ctx, err)) < 0)
        return -1;
    *caps = c;
    snprintf(version, size, "%s", bi->rc == 0 && bi->version[0] ? bi->version : "unknown");
    return 0;
}

static int detect(const struct query_ctx *ctx, int *caps, char *version, size_t size,
                  struct et_error *err)
{
    struct tempo_buildinfo bi;
    bi.rc = tempo_get_buildinfo(ctx, bi.version, sizeof bi.version, &bi.http_status, &bi.err);
    return caps_from_answers(ctx, &bi, 0, caps, version, size, err);
}

static void resolve_mode(const struct settings *s, struct tempo_caps *out)
{
    out->mode_forced = s->tempo_search_mode != TEMPO_SEARCH_AUTO;
    if (s->tempo_search_mode == TEMPO_SEARCH_SELECT)
        out->use_select = true;
    else if (s->tempo_search_mode == TEMPO_SEARCH_FETCH)
        out->use_select = false;
    else
        out->use_select = (out->caps & TEMPO_CAP_EVENTS) != 0;
}

static void store(struct instance *inst, const struct tempo_caps *c)
{
    pthread_mutex_lock(&inst->lock);
    inst->tempo_caps = c->caps;
    snprintf(inst->tempo_version, sizeof inst->tempo_version, "%s", c->version);
    inst->tempo_caps_detected = true;
    pthread_mutex_unlock(&inst->lock);
}

bool tempo_caps_known_or_guess(const struct query_ctx *ctx, struct tempo_caps *out)
{
    struct instance *inst = ctx->inst;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&inst->lock);
    bool known = inst->tempo_caps_detected;
    if (known) {
        out->caps = inst->tempo_caps;
        snprintf(out->version, sizeof out->version, "%s", inst->tempo_version);
    }
    pthread_mutex_unlock(&inst->lock);
    if (!known) {
        out->caps = TEMPO_CAP_SELECT | TEMPO_CAP_EVENTS | TEMPO_CAP_V2_TRACES |
                    TEMPO_CAP_MOST_RECENT | TEMPO_CAP_TAG_FILTER;
        snprintf(out->version, sizeof out->version, "unknown");
    }
    resolve_mode(&inst->settings, out);
    return known;
}

int tempo_caps_learn(const struct query_ctx *ctx, const struct tempo_buildinfo *bi,
                     int search_status, struct tempo_caps *out, struct et_error *err)
{
    memset(out, 0, sizeof *out);
    if (caps_from_answers(ctx, bi, search_status, &out->caps, out->version, sizeof out->version,
                          err) < 0)
        return -1;
    store(ctx->inst, out);
    resolve_mode(&ctx->inst->settings, out);
    return 0;
}

int tempo_caps_get(const struct query_ctx *ctx, struct tempo_caps *out, struct et_error *err)
{
    if (tempo_caps_known_or_guess(ctx, out))
        return 0;
    memset(out, 0, sizeof *out);
    if (detect(ctx, &out->caps, out->version, sizeof out->version, err) < 0)
        return -1;
    store(ctx->inst, out);
    resolve_mode(&ctx->inst->settings, out);
    return 0;
}

void tempo_caps_describe(const struct tempo_caps *c, char *out, size_t size)
{
    const char *how = (c->caps & TEMPO_CAP_PROBED) ? "probed" : "build info";
    if (c->mode_forced)
        snprintf(out, size, "Tempo %s (%s); %s mode (set in the datasource)", c->version, how,
                 c->use_select ? "select" : "fetch");
    else if (c->use_select)
        snprintf(out, size, "Tempo %s (%s); select mode: one search answers", c->version, how);
    else
        snprintf(out, size,
                 "Tempo %s (%s); fetch mode: no event scope before Tempo 2.6, so each error "
                 "trace is read by ID",
                 c->version, how);
}
