/* SPDX-License-Identifier: Apache-2.0
 *
 * The libcurl entry points the HTTP client uses, loaded with dlopen() on the
 * first backend call instead of at process start. Linking libcurl makes the
 * dynamic loader map and relocate it and its ~30 dependent libraries (TLS,
 * Kerberos, LDAP, IDN, compression) before main(): most of the plugin's
 * start-up time, before Grafana gets its handshake line. Loading it on first
 * use moves that cost to the first query and leaves idle plugins smaller.
 *
 * Contract: curl_api_load() loads libcurl.so.4 (or libcurl-gnutls.so.4) once,
 * thread-safely, and returns the table, or NULL with a 500 plugin error
 * naming what is missing. Once it has succeeded, curl_api() returns the same
 * table; before that curl_api() must not be called. The library is never
 * unloaded. The table is owned here and never changes after loading.
 */
#ifndef ET_HTTP_CURL_API_H
#define ET_HTTP_CURL_API_H

#include <curl/curl.h>

#include "core/error.h"

struct curl_api {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *easy, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *easy, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *easy);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd extra[], unsigned int n_extra,
                            int timeout_ms, int *n_fds);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
    CURLMcode (*multi_cleanup)(CURLM *multi);
};

const struct curl_api *curl_api_load(struct et_error *err);
const struct curl_api *curl_api(void);

#endif
