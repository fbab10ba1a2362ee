/* SPDX-License-Identifier: Apache-2.0
 *
 * protobuf-c helpers shared by the handlers: the datasource instance named
 * by a PluginContext, and packing a reply message.
 *
 * Only src/plugin sees protobuf-c types; this is where Grafana's settings
 * (uid, name, lastUpdatedMS, jsonData, decryptedSecureJsonData) become the
 * arguments of instance_cache_get(). protobuf-c turns maps into arrays of
 * entries with no lookup; proto3 says the last duplicate key wins, and
 * pcontext_secrets() does that.
 *
 * Thread safety: pure (the instance cache is thread-safe).
 */
#ifndef ET_PLUGIN_PCONTEXT_H
#define ET_PLUGIN_PCONTEXT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "backend.pb-c.h"
#include "config/instance.h"
#include "core/error.h"
#include "plugin/rpc.h"

/* The secrets of `map` as settings_secret pairs (borrowed strings), duplicate
 * keys resolved to the last value. Returns a malloc'd array (free() it; NULL
 * when there are none) and its length in `*n`. */
struct settings_secret *
pcontext_secrets(Pluginv2__DataSourceInstanceSettings__DecryptedSecureJsonDataEntry *const *map,
                 size_t n_map, size_t *n);

/* The instance for the datasource of `ctx` (new reference). A context without
 * datasource settings (NULL, or settings-less calls) gets the instance of
 * empty settings. NULL with `err` set (400) when the settings are invalid. */
struct instance *pcontext_instance(struct instance_cache *cache, const Pluginv2__PluginContext *ctx,
                                   struct et_error *err);

/* Pack `msg` and append it to the reply. */
void pcontext_reply_message(struct rpc_reply *reply, const ProtobufCMessage *msg);

#endif
