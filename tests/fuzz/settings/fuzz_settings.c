/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: datasource settings (settings_parse) — jsonData plus a secret,
 * checking that no error message ever contains the secret.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char marker[] = "FUZZ-SECRET-MARKER";
    struct settings_secret secrets[] = {
        {"prometheusPassword", marker},
        {"tempoToken", marker},
        {"tlsClientKey", marker},
        {"prometheusHttpHeaderValue1", marker},
    };
    struct settings s;
    struct et_error err;
    et_error_clear(&err);
    if (settings_parse("uid", "name", 1, (const char *)data, size, secrets, 4, &s, &err) == 0)
        settings_cleanup(&s);
    else if (err.status != 400)
        abort();
    /* A secret must never reach an error message (unless the input itself
     * carried the marker text, which jansson may quote back). */
    if (et_error_is_set(&err) && strstr(err.message, marker) &&
        !memmem(data, size, marker, sizeof marker - 1))
        abort();
    return 0;
}
