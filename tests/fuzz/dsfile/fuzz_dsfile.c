/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: datasource provisioning files (YAML subset or JSON) read by
 * the command line's --datasource. Invariant: success, or a 400 error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dsfile f;
    struct et_error err;
    /* a caller's error struct may hold anything: poison it, so that a reader
     * consulting it before setting it fails here every time, not by chance */
    memset(&err, 0xa5, sizeof err);
    if (dsfile_parse((const char *)data, size, &f, &err) == 0)
        dsfile_cleanup(&f);
    else if (err.status != 400)
        abort();
    return 0;
}
