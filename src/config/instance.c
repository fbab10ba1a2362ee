/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasource instances and their cache (see instance.h).
 *
 * DESIGN: a small array of (uid → instance) slots behind one mutex. A lookup
 * that finds the uid with the same lastUpdatedMS returns another reference; a
 * changed lastUpdatedMS parses the new settings and swaps the slot (the old
 * instance is freed when its last call unrefs it). Parsing happens outside
 * the lock so a slow parse never blocks other datasources; two threads racing
 * on the same new settings both parse and the first to insert wins.
 */
#include "config/instance.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct cache_slot {
    char *uid;
    struct instance *inst;
};

struct instance_cache {
    pthread_mutex_t lock;
    struct et_metrics *metrics;
    struct cache_slot *slots;
    size_t n;
    size_t cap;
};

struct instance_cache *instance_cache_new(struct et_metrics *metrics)
{
    struct instance_cache *c = et_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->metrics = metrics;
    return c;
}

void instance_cache_free(struct instance_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].uid);
        instance_unref(c->slots[i].inst);
    }
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct instance *instance_alloc(struct et_metrics *metrics)
{
    struct instance *inst = et_xcalloc(1, sizeof *inst);
    pthread_mutex_init(&inst->lock, NULL);
    inst->metrics = metrics;
    inst->refs = 1;
    return inst;
}

struct instance *instance_new(const struct settings *settings_moved, struct et_metrics *metrics)
{
    struct instance *inst = instance_alloc(metrics);
    inst->settings = *settings_moved;
    return inst;
}

void instance_ref(struct instance *inst)
{
    __atomic_add_fetch(&inst->refs, 1, __ATOMIC_RELAXED);
}

void instance_unref(struct instance *inst)
{
    if (!inst || __atomic_sub_fetch(&inst->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (inst->tempo_cache && inst->tempo_cache_free)
        inst->tempo_cache_free(inst->tempo_cache);
    if (inst->names_detected)
        metrics_names_cleanup(&inst->names);
    settings_cleanup(&inst->settings);
    pthread_mutex_destroy(&inst->lock);
    free(inst);
}

static struct cache_slot *find_slot(struct instance_cache *c, const char *uid)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->slots[i].uid, uid) == 0)
            return &c->slots[i];
    return NULL;
}

struct instance *instance_cache_get(struct instance_cache *c, const char *uid, const char *name,
                                    int64_t updated_ms, const char *json_data, size_t json_len,
                                    const struct settings_secret *secrets, size_t n_secrets,
                                    struct et_error *err)
{
    if (!uid)
        uid = "";
    pthread_mutex_lock(&c->lock);
    struct cache_slot *slot = find_slot(c, uid);
    if (slot && slot->inst->settings.updated_ms == updated_ms) {
        struct instance *hit = slot->inst;
        instance_ref(hit);
        pthread_mutex_unlock(&c->lock);
        return hit;
    }
    pthread_mutex_unlock(&c->lock);

    struct settings s;
    if (settings_parse(uid, name, updated_ms, json_data, json_len, secrets, n_secrets, &s, err) < 0)
        return NULL;
    struct instance *fresh = instance_new(&s, c->metrics);

    pthread_mutex_lock(&c->lock);
    slot = find_slot(c, uid);
    if (slot && slot->inst->settings.updated_ms == updated_ms) {
        /* another thread inserted the same settings meanwhile: use theirs */
        struct instance *hit = slot->inst;
        instance_ref(hit);
        pthread_mutex_unlock(&c->lock);
        instance_unref(fresh);
        return hit;
    }
    if (slot) {
        instance_unref(slot->inst);
        slot->inst = fresh;
    } else {
        c->slots = et_xgrow(c->slots, &c->cap, c->n + 1, sizeof *c->slots);
        c->slots[c->n].uid = et_xstrdup(uid);
        c->slots[c->n].inst = fresh;
        c->n++;
    }
    instance_ref(fresh); /* one for the cache, one for the caller */
    pthread_mutex_unlock(&c->lock);
    return fresh;
}
