/* SPDX-License-Identifier: Apache-2.0
 *
 * Time arguments of the command line, in Grafana's vocabulary: `now`,
 * `now-1h`, `now-30m`, `now-7d`, `now+5m`, unix seconds, unix milliseconds
 * (13+ digits) and RFC 3339 (`2026-01-01T00:00:00Z`, with an offset or
 * fractions). Durations: ms, s, m, h, d, w.
 *
 * Thread safety: pure (the caller passes "now").
 */
#ifndef ET_CLI_TIMESPEC_H
#define ET_CLI_TIMESPEC_H

#include <stdint.h>

/* Parse `text` relative to `now_ms`; 0 with *out_ms set, -1 when invalid. */
int timespec_parse(const char *text, int64_t now_ms, int64_t *out_ms);

/* Format epoch ms as "2026-01-01 00:40:00" (UTC, seconds precision, plus
 * ".123" when there are milliseconds). `out` holds 32 bytes. */
void timespec_format(int64_t ms, char *out, unsigned long size);

#endif
