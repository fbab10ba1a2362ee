/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: datasource provisioning files (YAML subset or JSON) read by
 * the command line's --datasource.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cli/dsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dsfile f;
    struct et_error err;
    if (dsfile_parse((const char *)data, size, &f, &err) == 0)
        dsfile_cleanup(&f);
    else if (err.status != 400)
        abort();
    return 0;
}
