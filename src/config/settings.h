/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasource settings: Grafana's jsonData + decryptedSecureJsonData turned
 * into a validated struct (keys in docs/configuration.md).
 *
 * Secrets live only in `struct backend_auth` and `struct tls_settings`
 * fields marked secret; nothing in this module ever copies them into an error
 * message, and settings_describe() leaves them out.
 *
 * Ownership: settings_parse() fills a caller-provided struct whose strings it
 * owns; settings_cleanup() frees them (and wipes secrets first).
 * Thread safety: a parsed struct is immutable and may be shared read-only.
 */
#ifndef ET_CONFIG_SETTINGS_H
#define ET_CONFIG_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strlist.h"

enum metrics_schema {
    METRICS_SCHEMA_AUTO = 0,
    METRICS_SCHEMA_OTEL,        /* traces_span_metrics_*, service_name (connector >= v0.109) */
    METRICS_SCHEMA_OTEL_LEGACY, /* calls_total, events_total, service_name */
    METRICS_SCHEMA_TEMPO,       /* traces_spanmetrics_*, service (Tempo metrics-generator) */
    METRICS_SCHEMA_CUSTOM,      /* names from jsonData */
};

/* Metric and label names used to build PromQL. */
struct metrics_names {
    enum metrics_schema schema; /* the resolved scheme (never AUTO once detected) */
    char *calls_metric;         /* e.g. traces_span_metrics_calls_total */
    char *events_metric;        /* e.g. traces_span_metrics_events_total; "" when none */
    char *service_label;        /* service_name | service */
    char *route_label;          /* http_route */
    char *span_name_label;      /* span_name */
    char *span_kind_label;      /* span_kind */
    char *status_code_label;    /* status_code */
    char *status_error_value;   /* STATUS_CODE_ERROR */
    char *exception_type_label; /* exception_type */
    char *environment_label;    /* deployment_environment */
};

enum auth_kind {
    AUTH_NONE = 0,
    AUTH_BASIC,
    AUTH_BEARER,
};

struct http_header {
    char *name;
    char *value; /* secret */
};

struct backend_auth {
    enum auth_kind kind;
    char *user;     /* basic auth user (not secret) */
    char *password; /* secret */
    char *token;    /* secret */
    struct http_header *headers;
    size_t n_headers;
};

struct tls_settings {
    bool skip_verify;
    char *server_name;
    char *ca_cert;     /* PEM, not secret but stored in secureJsonData by Grafana */
    char *client_cert; /* PEM */
    char *client_key;  /* PEM, secret */
};

enum tempo_search_mode {
    TEMPO_SEARCH_AUTO = 0,
    TEMPO_SEARCH_SELECT, /* TraceQL select() of event attributes (Tempo >= 2.6) */
    TEMPO_SEARCH_FETCH,  /* search, then fetch traces by ID */
};

struct settings {
    char *uid;  /* datasource uid ("" outside Grafana) */
    char *name; /* datasource name */
    int64_t updated_ms;

    char *prometheus_url; /* "" when not configured; no trailing slash */
    char *tempo_url;      /* "" when not configured; no trailing slash */
    char *tempo_datasource_uid;
    char *tempo_datasource_name;

    enum metrics_schema metrics_schema; /* as configured (may be AUTO) */
    struct metrics_names custom_names;  /* overrides from jsonData (NULL = not set) */

    char *tenant_id;
    int scrape_interval_seconds; /* sample interval of the span metrics (rate windows) */
    int timeout_seconds;
    int max_concurrent_requests;
    enum tempo_search_mode tempo_search_mode;
    size_t trace_cache_bytes;

    struct backend_auth prometheus_auth;
    struct backend_auth tempo_auth;
    struct tls_settings tls;
};

/* One decrypted secure value (protobuf map entry). */
struct settings_secret {
    const char *key;
    const char *value;
};

/* Parse jsonData (JSON text, may be empty) and the decrypted secrets. Unknown
 * keys are ignored; a known key with a wrong JSON type, a malformed URL or an
 * out-of-range number is an error (400) that names the key. */
int settings_parse(const char *uid, const char *name, int64_t updated_ms, const char *json_data,
                   size_t json_len, const struct settings_secret *secrets, size_t n_secrets,
                   struct settings *out, struct et_error *err);
void settings_cleanup(struct settings *s);

/* The default names of a preset scheme (METRICS_SCHEMA_OTEL ... TEMPO); the
 * struct's strings are owned by the caller (metrics_names_cleanup). For CUSTOM,
 * starts from OTEL and applies `overrides` (fields that are non-NULL). */
void metrics_names_for_schema(enum metrics_schema schema, const struct metrics_names *overrides,
                              struct metrics_names *out);
void metrics_names_cleanup(struct metrics_names *names);
const char *metrics_schema_name(enum metrics_schema schema);
/* -1 when unknown. */
int metrics_schema_parse(const char *name);

/* A JSON description without secrets (for CheckHealth details and logs). New reference. */
json_t *settings_describe(const struct settings *s);

#endif
