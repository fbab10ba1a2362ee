/* SPDX-License-Identifier: Apache-2.0
 *
 * The error value every fallible function fills in (see error.h).
 */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

void et_error_clear(struct et_error *err)
{
    if (!err)
        return;
    err->status = 0;
    err->source = ET_SOURCE_PLUGIN;
    err->message[0] = '\0';
}

bool et_error_is_set(const struct et_error *err)
{
    return err && err->status != 0;
}

static void flatten(char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            *s = ' ';
    }
}

int et_error_vset(struct et_error *err, int status, enum et_error_source source, const char *fmt,
                  va_list ap)
{
    if (!err)
        return -1;
    err->status = status ? status : 500;
    err->source = source;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    flatten(err->message);
    return -1;
}

int et_error_set(struct et_error *err, int status, enum et_error_source source, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    et_error_vset(err, status, source, fmt, ap);
    va_end(ap);
    return -1;
}

void et_error_prefix(struct et_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[ET_ERROR_MESSAGE_MAX];
    memcpy(old, err->message, sizeof old);
    size_t plen = strlen(prefix);
    if (plen > sizeof err->message - 3)
        plen = sizeof err->message - 3;
    memcpy(err->message, prefix, plen);
    memcpy(err->message + plen, ": ", 2);
    size_t room = sizeof err->message - plen - 3;
    size_t olen = strnlen(old, room);
    memcpy(err->message + plen + 2, old, olen);
    err->message[plen + 2 + olen] = '\0';
    flatten(err->message);
}

const char *et_error_source_name(enum et_error_source source)
{
    return source == ET_SOURCE_DOWNSTREAM ? "downstream" : "plugin";
}
