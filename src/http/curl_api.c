/* SPDX-License-Identifier: Apache-2.0
 *
 * Loads libcurl with dlopen() on first use (see curl_api.h for why).
 */
#include "http/curl_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The sonames Debian and most distributions ship libcurl's ABI 4 under. */
static const char *const CURL_SONAMES[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};

/* The one loaded table. A process-wide singleton on purpose: the library is
 * loaded once; after the pthread_once() below it is only read. */
static struct loaded {
    pthread_once_t once;
    struct curl_api api;
    int ok;
    char why[200];
} loaded = {.once = PTHREAD_ONCE_INIT};

static int resolve(void *lib, const char *name, void *slot, size_t size)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        snprintf(loaded.why, sizeof loaded.why, "libcurl has no %s", name);
        return -1;
    }
    memcpy(slot, &sym, size); /* object pointer to function pointer, as POSIX allows */
    return 0;
}

#define RESOLVE(lib, field, name) resolve(lib, name, &loaded.api.field, sizeof loaded.api.field)

static void load_once(void)
{
    void *lib = NULL;
    for (size_t i = 0; !lib && i < sizeof CURL_SONAMES / sizeof *CURL_SONAMES; i++)
        lib = dlopen(CURL_SONAMES[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(loaded.why, sizeof loaded.why,
                 "libcurl is not installed (libcurl.so.4 not found: install the libcurl4 package)");
        return;
    }
    if (RESOLVE(lib, global_init, "curl_global_init") < 0 ||
        RESOLVE(lib, global_cleanup, "curl_global_cleanup") < 0 ||
        RESOLVE(lib, easy_init, "curl_easy_init") < 0 ||
        RESOLVE(lib, easy_setopt, "curl_easy_setopt") < 0 ||
        RESOLVE(lib, easy_getinfo, "curl_easy_getinfo") < 0 ||
        RESOLVE(lib, easy_cleanup, "curl_easy_cleanup") < 0 ||
        RESOLVE(lib, easy_strerror, "curl_easy_strerror") < 0 ||
        RESOLVE(lib, slist_append, "curl_slist_append") < 0 ||
        RESOLVE(lib, slist_free_all, "curl_slist_free_all") < 0 ||
        RESOLVE(lib, multi_init, "curl_multi_init") < 0 ||
        RESOLVE(lib, multi_setopt, "curl_multi_setopt") < 0 ||
        RESOLVE(lib, multi_add_handle, "curl_multi_add_handle") < 0 ||
        RESOLVE(lib, multi_remove_handle, "curl_multi_remove_handle") < 0 ||
        RESOLVE(lib, multi_perform, "curl_multi_perform") < 0 ||
        RESOLVE(lib, multi_poll, "curl_multi_poll") < 0 ||
        RESOLVE(lib, multi_info_read, "curl_multi_info_read") < 0 ||
        RESOLVE(lib, multi_cleanup, "curl_multi_cleanup") < 0)
        return; /* too old a libcurl (curl_multi_poll needs 7.66) */
    loaded.ok = 1;
}

const struct curl_api *curl_api_load(struct et_error *err)
{
    pthread_once(&loaded.once, load_once);
    if (loaded.ok)
        return &loaded.api;
    if (err)
        et_error_set(err, 500, ET_SOURCE_PLUGIN, "%s", loaded.why);
    return NULL;
}

const struct curl_api *curl_api(void)
{
    return &loaded.api;
}
