/* SPDX-License-Identifier: Apache-2.0
 *
 * The datasource health check behind Diagnostics.CheckHealth and the CLI's
 * `health` command: probes each configured backend (Prometheus build info and
 * span-metrics scheme, Tempo echo/build info and search capabilities) and
 * reports what works and what does not.
 *
 * Ownership: the caller frees `message` with free() and `details` (a JSON
 * object: per backend url, ok, version, detected scheme/capabilities, error)
 * with json_decref(). Thread safety: any thread.
 */
#ifndef ET_QUERY_HEALTH_H
#define ET_QUERY_HEALTH_H

#include <jansson.h>

#include "config/instance.h"
#include "core/cancel.h"

enum health_status {
    HEALTH_UNKNOWN = 0, /* pluginv2 CheckHealthResponse.HealthStatus values */
    HEALTH_OK = 1,
    HEALTH_ERROR = 2,
};

/* Always fills `*message` and `*details`. */
enum health_status health_check(struct instance *inst, const struct et_cancel *cancel,
                                char **message, json_t **details);

#endif
