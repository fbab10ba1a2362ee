/* SPDX-License-Identifier: Apache-2.0
 *
 * Datasource instances: parsed settings plus the per-datasource state that
 * outlives one call (detected metrics scheme, detected Tempo capabilities,
 * the trace cache), keyed by uid + lastUpdatedMS.
 *
 * Grafana sends the full settings with every call; parsing them each time
 * would be wasteful and would lose the detected state, so the cache keeps one
 * refcounted instance per uid and replaces it when lastUpdatedMS changes
 * (the old one lives on until its last user unrefs it).
 *
 * Ownership: instance_cache_get() returns a new reference; callers release it
 * with instance_unref(). Settings inside are immutable. The mutable detected
 * state is guarded by the instance's own mutex (see the accessors).
 *
 * Thread safety: all functions may be called from any thread.
 */
#ifndef ET_CONFIG_INSTANCE_H
#define ET_CONFIG_INSTANCE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/settings.h"
#include "core/error.h"

struct et_metrics;
struct instance_cache;

struct instance {
    struct settings settings;   /* immutable after creation */
    struct et_metrics *metrics; /* borrowed, process-wide plugin metrics (may be NULL) */
    void *tempo_cache;          /* owned by src/tempo (trace LRU); freed through the hook below */
    void (*tempo_cache_free)(void *cache);

    /* Detected state, guarded by `lock`. */
    pthread_mutex_t lock;
    bool names_detected;        /* metrics names resolved (configured or detected) */
    struct metrics_names names; /* valid when names_detected; events_metric "" if none */
    bool route_label_present;   /* the calls metric carries the route label */
    bool names_auto_detected;   /* the scheme came from detection, not configuration */
    int tempo_caps;             /* TEMPO_CAP_* bits, valid when tempo_caps_detected */
    bool tempo_caps_detected;
    char tempo_version[64];

    /* private */
    int refs;
    struct instance_cache *cache;
};

/* New cache. `metrics` (may be NULL) is handed to every instance. */
struct instance_cache *instance_cache_new(struct et_metrics *metrics);
/* Frees the cache; instances still referenced elsewhere stay alive. */
void instance_cache_free(struct instance_cache *cache);

/* The instance for these settings: cached when uid and updated_ms match,
 * otherwise parsed (errors as settings_parse) and cached. New reference. */
struct instance *instance_cache_get(struct instance_cache *cache, const char *uid, const char *name,
                                    int64_t updated_ms, const char *json_data, size_t json_len,
                                    const struct settings_secret *secrets, size_t n_secrets,
                                    struct et_error *err);

/* An uncached instance (CLI, tests). New reference. */
struct instance *instance_new(const struct settings *settings_moved, struct et_metrics *metrics);

void instance_ref(struct instance *inst);
void instance_unref(struct instance *inst);

#endif
