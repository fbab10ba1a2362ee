/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading the plugin's options from the environment (see options.h).
 */
#include "plugin/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void plugin_options_init(struct plugin_options *o)
{
    memset(o, 0, sizeof *o);
    o->log_level = ET_LOG_INFO;
    o->workers = PLUGIN_DEFAULT_WORKERS;
    o->control_workers = PLUGIN_DEFAULT_CONTROL_WORKERS;
    o->query_concurrency = PLUGIN_DEFAULT_QUERY_CONCURRENCY;
    o->tcp = false;
    o->max_receive_bytes = PLUGIN_MAX_RECEIVE_BYTES;
    o->max_response_bytes = PLUGIN_MAX_RESPONSE_BYTES;
}

static void warn(struct et_strlist *warnings, const char *name, const char *value,
                 const char *expected)
{
    char text[256];
    snprintf(text, sizeof text, "%s=\"%.64s\" ignored: expected %s", name, value, expected);
    et_strlist_push(warnings, text);
}

/* A whole decimal number in [lo, hi]. */
static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static void load_int(options_getenv_fn lookup, const char *name, int lo, int hi, int *field,
                     struct et_strlist *warnings)
{
    const char *v = lookup(name);
    if (!v || !*v)
        return;
    char expected[64];
    snprintf(expected, sizeof expected, "a whole number from %d to %d", lo, hi);
    if (!parse_int(v, lo, hi, field))
        warn(warnings, name, v, expected);
}

void plugin_options_load(struct plugin_options *o, options_getenv_fn lookup,
                         struct et_strlist *warnings)
{
    plugin_options_init(o);

    const char *v = lookup("GF_PLUGIN_LOG_LEVEL");
    if (v && *v) {
        int level = et_log_level_parse(v);
        if (level < 0)
            warn(warnings, "GF_PLUGIN_LOG_LEVEL", v, "trace, debug, info, warn, error or off");
        else
            o->log_level = (enum et_log_level)level;
    }
    load_int(lookup, "GF_PLUGIN_WORKERS", 1, 256, &o->workers, warnings);
    load_int(lookup, "GF_PLUGIN_QUERY_CONCURRENCY", 1, 64, &o->query_concurrency, warnings);

    v = lookup("GF_PLUGIN_GRPC_NETWORK");
    if (v && *v) {
        if (strcasecmp(v, "tcp") == 0)
            o->tcp = true;
        else if (strcasecmp(v, "unix") != 0)
            warn(warnings, "GF_PLUGIN_GRPC_NETWORK", v, "unix or tcp");
    }
}
