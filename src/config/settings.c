/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasource settings: jsonData + decrypted secrets → struct settings
 * (see settings.h; the keys are documented in docs/configuration.md).
 *
 * Parsing is strict about types of known keys (a wrong type is a 400 naming
 * the key) and lenient about unknown keys (Grafana and provisioning files
 * carry many). Secrets are copied only into the auth/TLS fields and wiped on
 * cleanup; error messages name keys, never values.
 */
#include "config/settings.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define MAX_EXTRA_HEADERS 16

static const char *const schema_names[] = {"auto", "otel", "otel-legacy", "tempo", "custom"};

const char *metrics_schema_name(enum metrics_schema schema)
{
    if ((unsigned)schema < sizeof schema_names / sizeof schema_names[0])
        return schema_names[schema];
    return "auto";
}

int metrics_schema_parse(const char *name)
{
    for (size_t i = 0; i < sizeof schema_names / sizeof schema_names[0]; i++)
        if (strcmp(name, schema_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- metric names ------------------------------------------------------------ */

struct names_preset {
    const char *calls;
    const char *events;
    const char *service;
};

static const struct names_preset presets[] = {
    [METRICS_SCHEMA_AUTO] = {"traces_span_metrics_calls_total", "traces_span_metrics_events_total",
                             "service_name"},
    [METRICS_SCHEMA_OTEL] = {"traces_span_metrics_calls_total", "traces_span_metrics_events_total",
                             "service_name"},
    [METRICS_SCHEMA_OTEL_LEGACY] = {"calls_total", "events_total", "service_name"},
    [METRICS_SCHEMA_TEMPO] = {"traces_spanmetrics_calls_total", "", "service"},
    [METRICS_SCHEMA_CUSTOM] = {"traces_span_metrics_calls_total",
                               "traces_span_metrics_events_total", "service_name"},
};

static char *pick(const char *override, const char *fallback)
{
    return et_xstrdup(override ? override : fallback);
}

void metrics_names_for_schema(enum metrics_schema schema, const struct metrics_names *o,
                              struct metrics_names *out)
{
    static const struct metrics_names none;
    if ((unsigned)schema > METRICS_SCHEMA_CUSTOM)
        schema = METRICS_SCHEMA_OTEL;
    if (!o || schema != METRICS_SCHEMA_CUSTOM)
        o = &none;
    const struct names_preset *p = &presets[schema];
    out->schema = schema == METRICS_SCHEMA_AUTO ? METRICS_SCHEMA_OTEL : schema;
    out->calls_metric = pick(o->calls_metric, p->calls);
    out->events_metric = pick(o->events_metric, p->events);
    out->service_label = pick(o->service_label, p->service);
    out->route_label = pick(o->route_label, "http_route");
    out->span_name_label = pick(o->span_name_label, "span_name");
    out->span_kind_label = pick(o->span_kind_label, "span_kind");
    out->status_code_label = pick(o->status_code_label, "status_code");
    out->status_error_value = pick(o->status_error_value, "STATUS_CODE_ERROR");
    out->exception_type_label = pick(o->exception_type_label, "exception_type");
    out->environment_label = pick(o->environment_label, "deployment_environment");
}

void metrics_names_cleanup(struct metrics_names *n)
{
    char **fields[] = {&n->calls_metric,      &n->events_metric,      &n->service_label,
                       &n->route_label,       &n->span_name_label,    &n->span_kind_label,
                       &n->status_code_label, &n->status_error_value, &n->exception_type_label,
                       &n->environment_label};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

/* ---- typed getters that name the key on error ------------------------------------- */

static int get_string(json_t *obj, const char *key, char **out, struct et_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s must be a string", key);
    free(*out);
    *out = et_xstrndup(json_string_value(v), json_string_length(v));
    return 0;
}

static int get_bool(json_t *obj, const char *key, bool *out, struct et_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

/* Integers may arrive as numbers or numeric strings (provisioning YAML). */
static int get_int(json_t *obj, const char *key, long long min, long long max, long long *out,
                   struct et_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    long long x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) >= -0x1p63 && json_real_value(v) < 0x1p63 &&
               json_real_value(v) == (double)(long long)json_real_value(v)) {
        /* range first: converting a double outside long long is undefined */
        x = (long long)json_real_value(v);
    } else if (json_is_string(v) && json_string_length(v) > 0) {
        char *end;
        x = strtoll(json_string_value(v), &end, 10);
        if (*end)
            return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s must be a number", key);
    } else {
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s must be a number", key);
    }
    if (x < min || x > max)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s must be between %lld and %lld",
                            key, min, max);
    *out = x;
    return 0;
}

/* A base URL: http(s)://host[:port][/path], no spaces or control characters.
 * Stored without trailing slashes. Credentials in the URL are refused (they
 * would leak into logs); use the auth settings instead. */
static int check_url(const char *key, char **url, struct et_error *err)
{
    char *u = *url;
    if (!u || !*u)
        return 0;
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "setting %s must start with http:// or https://", key);
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                "setting %s must not contain spaces or control characters", key);
    const char *host = strstr(u, "://") + 3;
    const char *slash = strchr(host, '/');
    const char *at = strchr(host, '@');
    if (at && (!slash || at < slash))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "setting %s must not contain credentials; use the auth settings", key);
    if (*host == '\0' || host == slash)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s has no host", key);
    size_t n = strlen(u);
    while (n > 0 && u[n - 1] == '/')
        u[--n] = '\0';
    return 0;
}

static const char *secret_value(const struct settings_secret *s, size_t n, const char *key)
{
    const char *found = NULL;
    for (size_t i = 0; i < n; i++) /* proto3 maps: the last entry wins */
        if (s[i].key && strcmp(s[i].key, key) == 0)
            found = s[i].value;
    return found;
}

static char *dup_secret(const struct settings_secret *s, size_t n, const char *key)
{
    const char *v = secret_value(s, n, key);
    return v && *v ? et_xstrdup(v) : NULL;
}

static int parse_auth(json_t *jd, const char *prefix, const struct settings_secret *secrets,
                      size_t n_secrets, struct backend_auth *auth, struct et_error *err)
{
    char key[64];
    char *kind = NULL;
    snprintf(key, sizeof key, "%sAuth", prefix);
    if (get_string(jd, key, &kind, err) < 0)
        return -1;
    auth->kind = AUTH_NONE;
    if (kind && strcmp(kind, "basic") == 0)
        auth->kind = AUTH_BASIC;
    else if (kind && strcmp(kind, "bearer") == 0)
        auth->kind = AUTH_BEARER;
    else if (kind && *kind && strcmp(kind, "none") != 0) {
        free(kind);
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting %s must be none, basic or bearer",
                            key);
    }
    free(kind);
    snprintf(key, sizeof key, "%sUser", prefix);
    if (get_string(jd, key, &auth->user, err) < 0)
        return -1;
    snprintf(key, sizeof key, "%sPassword", prefix);
    auth->password = dup_secret(secrets, n_secrets, key);
    snprintf(key, sizeof key, "%sToken", prefix);
    auth->token = dup_secret(secrets, n_secrets, key);
    /* A token or password without an explicit kind still means what it says. */
    if (auth->kind == AUTH_NONE && auth->token)
        auth->kind = AUTH_BEARER;
    else if (auth->kind == AUTH_NONE && auth->password && auth->user && *auth->user)
        auth->kind = AUTH_BASIC;

    for (int i = 1; i <= MAX_EXTRA_HEADERS; i++) {
        char *name = NULL;
        snprintf(key, sizeof key, "%sHttpHeaderName%d", prefix, i);
        if (get_string(jd, key, &name, err) < 0)
            return -1;
        if (!name || !*name) {
            free(name);
            continue;
        }
        for (const char *p = name; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
                free(name);
                return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                    "setting %s is not a valid header name", key);
            }
        snprintf(key, sizeof key, "%sHttpHeaderValue%d", prefix, i);
        const char *value = secret_value(secrets, n_secrets, key);
        if (value && strpbrk(value, "\r\n")) {
            free(name);
            return et_error_set(err, 400, ET_SOURCE_PLUGIN, "secret %s contains a line break", key);
        }
        auth->headers = et_xrealloc(auth->headers, (auth->n_headers + 1) * sizeof *auth->headers);
        auth->headers[auth->n_headers].name = name;
        auth->headers[auth->n_headers].value = et_xstrdup(value ? value : "");
        auth->n_headers++;
    }
    return 0;
}

static int parse_custom_names(json_t *jd, struct metrics_names *n, struct et_error *err)
{
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        {"callsMetric", offsetof(struct metrics_names, calls_metric)},
        {"eventsMetric", offsetof(struct metrics_names, events_metric)},
        {"serviceLabel", offsetof(struct metrics_names, service_label)},
        {"routeLabel", offsetof(struct metrics_names, route_label)},
        {"spanNameLabel", offsetof(struct metrics_names, span_name_label)},
        {"spanKindLabel", offsetof(struct metrics_names, span_kind_label)},
        {"statusCodeLabel", offsetof(struct metrics_names, status_code_label)},
        {"statusErrorValue", offsetof(struct metrics_names, status_error_value)},
        {"exceptionTypeLabel", offsetof(struct metrics_names, exception_type_label)},
        {"environmentLabel", offsetof(struct metrics_names, environment_label)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char **slot = (char **)((char *)n + keys[i].offset);
        if (get_string(jd, keys[i].key, slot, err) < 0)
            return -1;
        if (*slot && **slot == '\0' &&
            keys[i].offset != offsetof(struct metrics_names, events_metric)) {
            free(*slot); /* an empty override means "use the default" */
            *slot = NULL;
        }
        /* Metric and label names go into PromQL unquoted: only [a-zA-Z_:][a-zA-Z0-9_:]*. */
        if (*slot && keys[i].offset != offsetof(struct metrics_names, status_error_value)) {
            const char *p = *slot;
            bool ok = true;
            for (size_t j = 0; p[j]; j++)
                if (!(isalpha((unsigned char)p[j]) || p[j] == '_' || p[j] == ':' ||
                      (j > 0 && isdigit((unsigned char)p[j]))))
                    ok = false;
            if (!ok)
                return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                    "setting %s is not a valid Prometheus name", keys[i].key);
        }
    }
    return 0;
}

static int parse_json_data(json_t *jd, const struct settings_secret *secrets, size_t n_secrets,
                           struct settings *s, struct et_error *err)
{
    if (get_string(jd, "prometheusUrl", &s->prometheus_url, err) < 0 ||
        get_string(jd, "tempoUrl", &s->tempo_url, err) < 0 ||
        get_string(jd, "tempoDatasourceUid", &s->tempo_datasource_uid, err) < 0 ||
        get_string(jd, "tempoDatasourceName", &s->tempo_datasource_name, err) < 0 ||
        get_string(jd, "tenantId", &s->tenant_id, err) < 0)
        return -1;
    if (check_url("prometheusUrl", &s->prometheus_url, err) < 0 ||
        check_url("tempoUrl", &s->tempo_url, err) < 0)
        return -1;
    if (s->tenant_id && strpbrk(s->tenant_id, "\r\n"))
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "setting tenantId contains a line break");

    char *schema = NULL;
    if (get_string(jd, "metricsSchema", &schema, err) < 0)
        return -1;
    if (schema && *schema) {
        int v = metrics_schema_parse(schema);
        free(schema);
        if (v < 0)
            return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                                "setting metricsSchema must be auto, otel, otel-legacy, tempo or "
                                "custom");
        s->metrics_schema = (enum metrics_schema)v;
    } else {
        free(schema);
    }
    if (parse_custom_names(jd, &s->custom_names, err) < 0)
        return -1;

    long long v = s->scrape_interval_seconds;
    if (get_int(jd, "scrapeIntervalSeconds", 1, 3600, &v, err) < 0)
        return -1;
    s->scrape_interval_seconds = (int)v;
    v = s->timeout_seconds;
    if (get_int(jd, "timeoutSeconds", 1, 600, &v, err) < 0)
        return -1;
    s->timeout_seconds = (int)v;
    v = s->max_concurrent_requests;
    if (get_int(jd, "maxConcurrentRequests", 1, 64, &v, err) < 0)
        return -1;
    s->max_concurrent_requests = (int)v;
    v = (long long)s->trace_cache_bytes;
    if (get_int(jd, "traceCacheBytes", 0, 4LL << 30, &v, err) < 0)
        return -1;
    s->trace_cache_bytes = (size_t)v;

    char *mode = NULL;
    if (get_string(jd, "tempoSearchMode", &mode, err) < 0)
        return -1;
    if (mode && strcmp(mode, "select") == 0)
        s->tempo_search_mode = TEMPO_SEARCH_SELECT;
    else if (mode && strcmp(mode, "fetch") == 0)
        s->tempo_search_mode = TEMPO_SEARCH_FETCH;
    else if (mode && *mode && strcmp(mode, "auto") != 0) {
        free(mode);
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "setting tempoSearchMode must be auto, select or fetch");
    }
    free(mode);

    if (parse_auth(jd, "prometheus", secrets, n_secrets, &s->prometheus_auth, err) < 0 ||
        parse_auth(jd, "tempo", secrets, n_secrets, &s->tempo_auth, err) < 0)
        return -1;

    bool with_ca = false, with_client = false;
    if (get_bool(jd, "tlsSkipVerify", &s->tls.skip_verify, err) < 0 ||
        get_bool(jd, "tlsAuthWithCACert", &with_ca, err) < 0 ||
        get_bool(jd, "tlsAuth", &with_client, err) < 0 ||
        get_string(jd, "tlsServerName", &s->tls.server_name, err) < 0)
        return -1;
    if (with_ca)
        s->tls.ca_cert = dup_secret(secrets, n_secrets, "tlsCACert");
    if (with_client) {
        s->tls.client_cert = dup_secret(secrets, n_secrets, "tlsClientCert");
        s->tls.client_key = dup_secret(secrets, n_secrets, "tlsClientKey");
    }
    return 0;
}

int settings_parse(const char *uid, const char *name, int64_t updated_ms, const char *json_data,
                   size_t json_len, const struct settings_secret *secrets, size_t n_secrets,
                   struct settings *s, struct et_error *err)
{
    memset(s, 0, sizeof *s);
    s->uid = et_xstrdup(uid ? uid : "");
    s->name = et_xstrdup(name ? name : "");
    s->updated_ms = updated_ms;
    s->timeout_seconds = 30;
    s->scrape_interval_seconds = 15;
    s->max_concurrent_requests = 8;
    s->trace_cache_bytes = 64u << 20;
    s->metrics_schema = METRICS_SCHEMA_AUTO;

    int rc = 0;
    if (json_data && json_len > 0) {
        json_error_t jerr;
        json_t *jd = json_loadb(json_data, json_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!jd) {
            rc = et_error_set(err, 400, ET_SOURCE_PLUGIN, "jsonData is not valid JSON: %s",
                              jerr.text);
        } else if (!json_is_object(jd)) {
            rc = et_error_set(err, 400, ET_SOURCE_PLUGIN, "jsonData must be a JSON object");
        } else {
            rc = parse_json_data(jd, secrets, n_secrets, s, err);
        }
        json_decref(jd);
    } else {
        /* No jsonData: secrets alone still configure auth for an unconfigured source. */
        json_t *empty = json_object();
        rc = parse_json_data(empty, secrets, n_secrets, s, err);
        json_decref(empty);
    }
    if (!s->prometheus_url)
        s->prometheus_url = et_xstrdup("");
    if (!s->tempo_url)
        s->tempo_url = et_xstrdup("");
    if (rc < 0)
        settings_cleanup(s);
    return rc;
}

static void free_secret(char *p)
{
    if (p) {
        volatile char *v = p;
        while (*v)
            *v++ = 0;
        free(p);
    }
}

static void auth_cleanup(struct backend_auth *a)
{
    free(a->user);
    free_secret(a->password);
    free_secret(a->token);
    for (size_t i = 0; i < a->n_headers; i++) {
        free(a->headers[i].name);
        free_secret(a->headers[i].value);
    }
    free(a->headers);
    memset(a, 0, sizeof *a);
}

void settings_cleanup(struct settings *s)
{
    free(s->uid);
    free(s->name);
    free(s->prometheus_url);
    free(s->tempo_url);
    free(s->tempo_datasource_uid);
    free(s->tempo_datasource_name);
    free(s->tenant_id);
    metrics_names_cleanup(&s->custom_names);
    auth_cleanup(&s->prometheus_auth);
    auth_cleanup(&s->tempo_auth);
    free(s->tls.server_name);
    free(s->tls.ca_cert);
    free(s->tls.client_cert);
    free_secret(s->tls.client_key);
    memset(s, 0, sizeof *s);
}

static const char *auth_kind_name(enum auth_kind k)
{
    return k == AUTH_BASIC ? "basic" : k == AUTH_BEARER ? "bearer" : "none";
}

json_t *settings_describe(const struct settings *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "prometheusUrl", json_string(s->prometheus_url));
    json_object_set_new(o, "tempoUrl", json_string(s->tempo_url));
    json_object_set_new(o, "metricsSchema", json_string(metrics_schema_name(s->metrics_schema)));
    json_object_set_new(o, "tenantId", s->tenant_id ? json_true() : json_false());
    json_object_set_new(o, "timeoutSeconds", json_integer(s->timeout_seconds));
    json_object_set_new(o, "maxConcurrentRequests", json_integer(s->max_concurrent_requests));
    json_object_set_new(o, "prometheusAuth", json_string(auth_kind_name(s->prometheus_auth.kind)));
    json_object_set_new(o, "tempoAuth", json_string(auth_kind_name(s->tempo_auth.kind)));
    json_object_set_new(o, "tempoDatasourceUid",
                        s->tempo_datasource_uid ? json_string(s->tempo_datasource_uid)
                                                : json_null());
    return o;
}
