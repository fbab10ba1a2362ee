/* SPDX-License-Identifier: Apache-2.0
 *
 * The error value every fallible function fills in.
 *
 * Modelled on jansson's json_error_t: the caller owns a `struct et_error`, the
 * callee fills it once at the failure point with et_error_set() and returns -1
 * (or NULL). `status` is an HTTP-like code that becomes DataResponse.status;
 * `source` says who is at fault and becomes DataResponse.errorSource. Code
 * below the plugin layer never logs or prints an error: it returns it.
 *
 * Messages must never contain secrets (passwords, tokens, keys): callers build
 * them from URLs without credentials and from backend bodies only.
 */
#ifndef ET_CORE_ERROR_H
#define ET_CORE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

enum et_error_source {
    ET_SOURCE_PLUGIN = 0,     /* our fault or the request's ("plugin" in Grafana) */
    ET_SOURCE_DOWNSTREAM = 1, /* a backend failed or refused ("downstream") */
};

#define ET_ERROR_MESSAGE_MAX 1024

struct et_error {
    int status;                         /* HTTP-like status: 400, 404, 500, 502, 504 ... */
    enum et_error_source source;        /* who is at fault */
    char message[ET_ERROR_MESSAGE_MAX]; /* human text, NUL-terminated, cut to fit */
};

/* Clear to "no error" (status 0, empty message). */
void et_error_clear(struct et_error *err);
/* True when et_error_set() was called since the last clear. */
bool et_error_is_set(const struct et_error *err);
/* Fill `err` (which may be NULL: then nothing happens). Returns -1 so callers can
 * write `return et_error_set(...)`. Control characters in the result are replaced
 * by spaces so a message is always one log line. */
int et_error_set(struct et_error *err, int status, enum et_error_source source, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));
int et_error_vset(struct et_error *err, int status, enum et_error_source source, const char *fmt,
                  va_list ap) __attribute__((format(printf, 4, 0)));
/* Put "prefix: " in front of an existing message (for context on the way up). */
void et_error_prefix(struct et_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "plugin" or "downstream", as Grafana spells errorSource. */
const char *et_error_source_name(enum et_error_source source);

#endif
