/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/series/spike.c: sustained spikes are found with their
 * onset; noise, single blips and too-short bursts are not spikes.
 */
#include <math.h>

#include "series/spike.h"
#include "test.h"

static long spike_start(const double *v, size_t n)
{
    struct spike sp;
    return series_find_spike(v, n, &sp) ? (long)sp.start : -1;
}

static void test_sustained_spike_and_its_onset(void)
{
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = 0.01 + (i % 3) * 0.002; /* noisy baseline */
    ASSERT_EQ_INT(spike_start(v, 100), -1);
    for (int i = 60; i < 75; i++)
        v[i] = 0.15;
    v[59] = 0.05; /* the leading edge of the rise */
    struct spike sp;
    ASSERT_TRUE(series_find_spike(v, 100, &sp));
    ASSERT_EQ_UINT(sp.start, 59);
    ASSERT_EQ_UINT(sp.end, 74);
    ASSERT_EQ_DBL(sp.peak_value, 0.15, 1e-12);
    ASSERT_TRUE(sp.baseline >= 0.01 && sp.baseline <= 0.014);
    v[30] = 0.4; /* a single, taller blip elsewhere is noise: the spike is still found */
    ASSERT_EQ_INT(spike_start(v, 100), 59);
}

static void test_short_bursts_gaps_and_flat_series(void)
{
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = 0.01;
    v[60] = v[61] = 0.15; /* two high points: too short */
    ASSERT_EQ_INT(spike_start(v, 100), -1);
    for (int i = 0; i < 100; i++)
        v[i] = 0;
    ASSERT_EQ_INT(spike_start(v, 100), -1);
    for (int i = 0; i < 100; i++)
        v[i] = i % 10 == 0 ? NAN : 0.01;
    for (int i = 40; i < 55; i++)
        v[i] = i == 45 ? NAN : 0.3; /* a gap inside the spike is bridged */
    ASSERT_EQ_INT(spike_start(v, 100), 40);
    ASSERT_EQ_INT(spike_start(v, 5), -1); /* too few points to tell */
    ASSERT_EQ_INT(spike_start(v, 0), -1);
}

static void test_zero_baseline_needs_a_lasting_rise(void)
{
    double v[80] = {0};
    for (int i = 50; i < 60; i++)
        v[i] = 2;
    ASSERT_EQ_INT(spike_start(v, 80), 50);
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_sustained_spike_and_its_onset),
    UNIT_TEST(test_short_bursts_gaps_and_flat_series),
    UNIT_TEST(test_zero_baseline_needs_a_lasting_rise),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
