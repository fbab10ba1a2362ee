/* SPDX-License-Identifier: Apache-2.0
 *
 * Unicode sparklines (see sparkline.h). Levels: 0 -> U+2581; otherwise
 * ceil(7 * v / max), i.e. U+2582 .. U+2588, so the maximum is always the
 * full block and the smallest non-zero value never looks like zero.
 */
#include "analysis/sparkline.h"

int sparkline_write(const uint32_t *v, size_t n, struct et_buf *out)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = v[i] > max ? v[i] : max;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned level = 0;
        if (v[i] && max)
            level = (unsigned)(((uint64_t)v[i] * 7 + max - 1) / max);
        /* U+2581 + level: E2 96 81..88 */
        char block[3] = {(char)0xE2, (char)0x96, (char)(0x81 + level)};
        rc |= et_buf_append(out, block, 3);
    }
    return rc ? -1 : 0;
}
