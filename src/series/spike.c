/* SPDX-License-Identifier: Apache-2.0
 *
 * Finding the start of a sustained spike in a time series (see spike.h).
 */
#include "series/spike.h"

#include <math.h>
#include <stdlib.h>

#include "core/mem.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of the finite values among v[i-1], v[i], v[i+1] (NaN when none). */
static double median3(const double *v, size_t n, size_t i)
{
    double w[3];
    int k = 0;
    for (size_t j = i ? i - 1 : 0; j <= i + 1 && j < n; j++)
        if (isfinite(v[j]))
            w[k++] = v[j];
    if (k == 0)
        return NAN;
    qsort(w, (size_t)k, sizeof w[0], cmp_double);
    return k == 2 ? (w[0] + w[1]) / 2 : w[k / 2];
}

/* The run of points around `peak` at or above `threshold` (gaps bridged). */
static void run_around(const double *s, size_t n, size_t peak, double threshold, size_t *start,
                       size_t *end)
{
    size_t a = peak, b = peak;
    while (a > 0 && (isnan(s[a - 1]) || s[a - 1] >= threshold))
        a--;
    while (a < peak && isnan(s[a]))
        a++;
    while (b + 1 < n && (isnan(s[b + 1]) || s[b + 1] >= threshold))
        b++;
    while (b > peak && isnan(s[b]))
        b--;
    *start = a;
    *end = b;
}

bool series_find_spike(const double *values, size_t n, struct spike *out)
{
    double *s = et_xmalloc((n + 1) * sizeof *s), *sorted = et_xmalloc((n + 1) * sizeof *sorted);
    size_t m = 0, peak_i = 0;
    double peak = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        s[i] = isfinite(values[i]) ? median3(values, n, i) : NAN;
        if (isfinite(s[i])) {
            sorted[m++] = s[i];
            if (s[i] > peak) {
                peak = s[i];
                peak_i = i;
            }
        }
    }
    bool found = false;
    if (m >= 8 && peak > 0) {
        qsort(sorted, m, sizeof *sorted, cmp_double);
        double baseline = sorted[m / 2];
        size_t start, end;
        run_around(s, n, peak_i, baseline + 0.5 * (peak - baseline), &start, &end);
        double sum = 0;
        size_t run = 0;
        for (size_t i = start; i <= end; i++)
            if (isfinite(s[i])) {
                sum += s[i];
                run++;
            }
        size_t min_run = m / 40 > 4 ? m / 40 : 4;
        if (run >= min_run && sum / (double)run >= 4 * baseline) {
            double onset = baseline + 0.1 * (peak - baseline);
            while (start > 0 && isfinite(values[start - 1]) && values[start - 1] >= onset)
                start--;
            *out = (struct spike){start, end, peak_i, peak, baseline};
            found = true;
        }
    }
    free(s);
    free(sorted);
    return found;
}
