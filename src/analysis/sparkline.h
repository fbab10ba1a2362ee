/* SPDX-License-Identifier: Apache-2.0
 *
 * Unicode sparklines for table cells: one block character per value,
 * U+2581..U+2588 ("▁▂▃▄▅▆▇█"). A zero is always the lowest block; any
 * non-zero value is at least the second, so a single occurrence stays
 * visible; the largest value is the full block. Each character is three
 * UTF-8 bytes.
 *
 * Thread safety: pure function.
 */
#ifndef ET_ANALYSIS_SPARKLINE_H
#define ET_ANALYSIS_SPARKLINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Append the sparkline of v[0..n) to `out`. Returns 0, or -1 when `out` hit
 * its limit. */
int sparkline_write(const uint32_t *v, size_t n, struct et_buf *out);

#endif
