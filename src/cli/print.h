/* SPDX-License-Identifier: Apache-2.0
 *
 * Frames for people in a terminal.
 *
 * Time-series frames (one series each) become one line: the series name, the
 * peak with its time, the last value and a Unicode sparkline; the block's
 * notices (e.g. the backend's "errors rising since") follow it. Other frames
 * become aligned
 * tables: times as UTC, percentunit values as percentages, multi-line text
 * (stack traces) cut to its first line unless `wide` is set, nulls as "-".
 * Notices follow their frame; executedQueryString only when `verbose`.
 *
 * Thread safety: writes to `out` only.
 */
#ifndef ET_CLI_PRINT_H
#define ET_CLI_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "frame/frame.h"

struct print_options {
    bool wide;    /* do not cut cells */
    bool verbose; /* show executedQueryString */
    int max_cell; /* longest cell when not wide (default 60) */
};

void print_frames(FILE *out, const struct frame_list *frames, const struct print_options *opt);

/* Exposed for tests: a sparkline of `n` values resampled to `width` cells
 * (NaN = no data → space). `out` must hold width*3+1 bytes. */
void print_sparkline(const double *values, size_t n, size_t width, char *out);

#endif
