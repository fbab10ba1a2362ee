/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for src/frame/float_format.c against Go itself: float_vectors.txt
 * holds ~6400 values (powers of two across the whole range, subnormals,
 * random bit patterns, short decimals) with the text Go 1.19 wrote for them
 * (encoding/json float64 and float32, fmt "%v" float64). The file was made
 * by float_vectors_gen.go in this folder; it is data, not code under test.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame/float_format.h"
#include "test.h"

#define VECTORS "tests/unit/frame/float_vectors.txt"

static void test_matches_go_on_every_vector(void)
{
    FILE *fp = fopen(VECTORS, "r");
    ASSERT_NOT_NULL(fp);
    char line[256], kind[8], hex[32], want[128];
    size_t checked = 0, failed = 0;
    while (fgets(line, sizeof line, fp)) {
        if (sscanf(line, "%7s %31s %127s", kind, hex, want) != 3)
            continue;
        uint64_t bits = strtoull(hex, NULL, 16);
        double v;
        if (strcmp(kind, "j32") == 0) {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, 4);
            v = f;
        } else {
            memcpy(&v, &bits, 8);
        }
        enum float_style style = strcmp(kind, "j32") == 0   ? FLOAT_STYLE_JSON32
                                 : strcmp(kind, "v64") == 0 ? FLOAT_STYLE_FMT_V
                                                            : FLOAT_STYLE_JSON64;
        char got[FLOAT_FORMAT_MAX];
        float_format(got, v, style);
        checked++;
        if (strcmp(got, want) != 0 && failed++ < 10)
            fprintf(stderr, "  %s %s: got %s, Go wrote %s\n", kind, hex, got, want);
    }
    fclose(fp);
    ASSERT_EQ_UINT(failed, 0);
    ASSERT_TRUE(checked > 6000);
}

static void test_special_values(void)
{
    char got[FLOAT_FORMAT_MAX];
    ASSERT_EQ_UINT(float_format(got, NAN, FLOAT_STYLE_JSON64), 0);
    ASSERT_EQ_UINT(float_format(got, -INFINITY, FLOAT_STYLE_FMT_V), 0);
    float_format(got, -0.0, FLOAT_STYLE_JSON64);
    ASSERT_EQ_STR(got, "-0");
    float_format(got, 0.0, FLOAT_STYLE_FMT_V);
    ASSERT_EQ_STR(got, "0");
    float_format(got, -1.7976931348623157e308, FLOAT_STYLE_JSON64);
    ASSERT_EQ_STR(got, "-1.7976931348623157e+308");
    float_format(got, 1e-7, FLOAT_STYLE_JSON64);
    ASSERT_EQ_STR(got, "1e-7");
    float_format(got, 1e-7, FLOAT_STYLE_FMT_V);
    ASSERT_EQ_STR(got, "1e-07");
}

static const struct unit_test tests[] = {
    UNIT_TEST(test_matches_go_on_every_vector),
    UNIT_TEST(test_special_values),
    {0},
};

int main(int argc, char **argv)
{
    return unit_run(tests, argc, argv);
}
