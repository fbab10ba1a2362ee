/* SPDX-License-Identifier: Apache-2.0
 *
 * Fuzz target: one panel query's JSON (query_parse). The first byte picks the
 * queryType passed from the DataQuery (or none), the rest is the query JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"",
                                        "error-rate",
                                        "hotspots",
                                        "top-types",
                                        "variable",
                                        "recent-errors",
                                        "error-summary",
                                        "trace-exceptions",
                                        "error-groups",
                                        "bogus"};
    if (size < 1)
        return 0;
    const char *type = types[data[0] % (sizeof types / sizeof types[0])];
    struct query q;
    struct et_error err;
    if (query_parse("A", type, (const char *)data + 1, size - 1, 1767218400000LL, 1767225600000LL,
                    15000, 1000, &q, &err) == 0)
        query_cleanup(&q);
    else if (err.status != 400)
        abort(); /* every parse failure is the user's: 400 */
    return 0;
}
