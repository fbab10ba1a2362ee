/* SPDX-License-Identifier: Apache-2.0
 *
 * The datasource health check (see health.h): each configured backend is
 * probed by its client module; this file combines the answers into the
 * one-line message Grafana shows under "Save & test" and the JSON details.
 */
#include "query/health.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "prometheus/prom_runners.h"
#include "tempo/tempo_runners.h"

static void describe(struct et_buf *msg, const char *backend, json_t *d, int rc)
{
    if (msg->len)
        et_buf_append_str(msg, "; ");
    const char *version = json_string_value(json_object_get(d, "version"));
    const char *summary = json_string_value(json_object_get(d, "summary"));
    const char *error = json_string_value(json_object_get(d, "error"));
    if (rc == 0)
        et_buf_printf(msg, "%s OK%s%s%s%s%s", backend, version ? " (version " : "",
                      version ? version : "", version ? ")" : "", summary ? ": " : "",
                      summary ? summary : "");
    else
        et_buf_printf(msg, "%s FAILED: %s", backend, error ? error : "unknown error");
}

enum health_status health_check(struct instance *inst, const struct et_cancel *cancel,
                                char **message, json_t **details)
{
    struct query_ctx ctx = {inst, cancel};
    struct et_buf msg;
    et_buf_init(&msg, 4096);
    json_t *out = json_object();
    bool any = false, failed = false;

    if (inst->settings.prometheus_url[0]) {
        json_t *d = json_object();
        int rc = prom_health(&ctx, d);
        describe(&msg, "Prometheus", d, rc);
        json_object_set_new(out, "prometheus", d);
        any = true;
        failed |= rc != 0;
    }
    if (inst->settings.tempo_url[0]) {
        json_t *d = json_object();
        int rc = tempo_health(&ctx, d);
        describe(&msg, "Tempo", d, rc);
        json_object_set_new(out, "tempo", d);
        any = true;
        failed |= rc != 0;
    }
    if (!any)
        et_buf_append_str(&msg, "No backend configured: set a Prometheus URL and/or a Tempo URL");
    json_object_set_new(out, "settings", settings_describe(&inst->settings));
    *message = et_buf_take(&msg, NULL);
    *details = out;
    return any && !failed ? HEALTH_OK : HEALTH_ERROR;
}
