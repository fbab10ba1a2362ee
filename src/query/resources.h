/* SPDX-License-Identifier: Apache-2.0
 *
 * Resource routes behind Resource.CallResource, for the query editor's
 * dropdowns: GET services, routes, exception-types, span-names (JSON arrays of
 * strings; optional `service` (repeatable), `from`, `to` (epoch ms) query
 * parameters) and metrics-schema (the resolved metric names as a JSON object).
 * Unknown paths get 404 with a JSON body {"error":"..."}; wrong methods 405.
 *
 * Ownership: the caller frees `resp->body` with free(). Thread safety: any thread.
 */
#ifndef ET_QUERY_RESOURCES_H
#define ET_QUERY_RESOURCES_H

#include <stddef.h>

#include "config/instance.h"
#include "core/cancel.h"

struct resource_request {
    const char *method; /* "GET", "POST" ... */
    const char *path;   /* without leading slash, e.g. "services" */
    const char *url;    /* full URL as Grafana passes it (path + "?" + query) */
    const char *body;
    size_t body_len;
};

struct resource_response {
    int status;               /* HTTP status */
    const char *content_type; /* static string */
    char *body;               /* owned */
    size_t body_len;
};

void resource_handle(struct instance *inst, const struct resource_request *req,
                     const struct et_cancel *cancel, struct resource_response *resp);

#endif
