/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: Prometheus HTTP API response bodies (prom_parse_response). The
 * first byte picks the HTTP status the body arrived with.
 */
#include <stdint.h>
#include <stdlib.h>

#include "prometheus/prom_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {200, 400, 404, 422, 500, 503};
    if (size < 1)
        return 0;
    struct prom_result r;
    struct et_error err;
    prom_result_init(&r);
    int rc = prom_parse_response((const char *)data + 1, size - 1, statuses[data[0] % 6], &r, &err);
    if (rc < 0 && (err.source != ET_SOURCE_DOWNSTREAM || r.n_series != 0))
        abort();
    prom_result_cleanup(&r);
    return 0;
}
