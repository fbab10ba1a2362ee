/* SPDX-License-Identifier: Apache-2.0
 *
 * From Grafana's PluginContext to a datasource instance, and reply packing
 * (see pcontext.h).
 */
#include "plugin/pcontext.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct settings_secret *
pcontext_secrets(Pluginv2__DataSourceInstanceSettings__DecryptedSecureJsonDataEntry *const *map,
                 size_t n_map, size_t *n)
{
    *n = 0;
    if (n_map == 0)
        return NULL;
    struct settings_secret *out = et_xcalloc(n_map, sizeof *out);
    for (size_t i = 0; i < n_map; i++) {
        const char *key = map[i]->key ? map[i]->key : "";
        const char *value = map[i]->value ? map[i]->value : "";
        size_t j = 0;
        while (j < *n && strcmp(out[j].key, key) != 0)
            j++;
        out[j].key = key; /* a later duplicate overwrites the earlier value */
        out[j].value = value;
        if (j == *n)
            (*n)++;
    }
    return out;
}

struct instance *pcontext_instance(struct instance_cache *cache, const Pluginv2__PluginContext *ctx,
                                   struct et_error *err)
{
    const Pluginv2__DataSourceInstanceSettings *ds = ctx ? ctx->datasourceinstancesettings : NULL;
    if (!ds)
        return instance_cache_get(cache, "", "", 0, "", 0, NULL, 0, err);

    size_t n_secrets;
    struct settings_secret *secrets =
        pcontext_secrets(ds->decryptedsecurejsondata, ds->n_decryptedsecurejsondata, &n_secrets);
    struct instance *inst = instance_cache_get(
        cache, ds->uid ? ds->uid : "", ds->name ? ds->name : "", ds->lastupdatedms,
        (const char *)ds->jsondata.data, ds->jsondata.len, secrets, n_secrets, err);
    free(secrets);
    return inst;
}

void pcontext_reply_message(struct rpc_reply *reply, const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = et_xmalloc(len ? len : 1);
    protobuf_c_message_pack(msg, buf);
    rpc_reply_add(reply, buf, len);
}
