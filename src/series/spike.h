/* SPDX-License-Identifier: Apache-2.0
 *
 * "Since when?": finding the start of a sustained spike in a time series.
 *
 * The series is smoothed with a 3-point rolling median (an isolated blip is
 * noise, not an incident); the baseline is the median of the smoothed values;
 * the spike is the run around the highest smoothed point that stays above
 * half-way between baseline and peak. It counts only when it lasts (at least
 * 4 points, or 1/40 of the series) and its mean is at least 4x the baseline.
 * The reported start is the onset of the rise: walking back from the run over
 * raw points still 10% of the way up from the baseline.
 *
 * Pure computation. Thread safety: reentrant.
 */
#ifndef ET_SERIES_SPIKE_H
#define ET_SERIES_SPIKE_H

#include <stdbool.h>
#include <stddef.h>

struct spike {
    size_t start;      /* index of the first point of the rise */
    size_t end;        /* index of the last point of the sustained run */
    size_t peak;       /* index of the highest (smoothed) point */
    double peak_value; /* smoothed value at the peak */
    double baseline;   /* median of the smoothed series */
};

/* `values` may contain NaN (no data). Returns true and fills `out` when the
 * series has a sustained spike. */
bool series_find_spike(const double *values, size_t n, struct spike *out);

#endif
