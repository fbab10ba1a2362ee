/* SPDX-License-Identifier: Apache-2.0
 *
 * A tiny unit-test harness (after libuv's task.h): typed assertions that print
 * both sides on failure, and a runner over a table of named tests.
 *
 * Usage in a test file:
 *   static void test_buf_grows(void) { ... ASSERT_EQ_INT(b.len, 3); ... }
 *   static const struct unit_test tests[] = { UNIT_TEST(test_buf_grows), {0} };
 *   int main(int argc, char **argv) { return unit_run(tests, argc, argv); }
 * Running with a test name as argument runs only the tests whose name contains it.
 * A failed assertion aborts the current test only (longjmp), the runner goes on,
 * prints "N passed, N failed" and exits 1 if anything failed.
 */
#ifndef ET_TEST_H
#define ET_TEST_H

#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
    const char *name;
    void (*fn)(void);
};

#define UNIT_TEST(fn)                                                                              \
    {                                                                                              \
#fn, fn                                                                                    \
    }

extern jmp_buf unit_jmp;
extern int unit_failed_asserts;

#define UNIT_FAIL(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                          \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        longjmp(unit_jmp, 1);                                                                      \
    } while (0)

#define ASSERT_TRUE(c)                                                                             \
    do {                                                                                           \
        if (!(c))                                                                                  \
            UNIT_FAIL("expected true: %s", #c);                                                    \
    } while (0)
#define ASSERT_FALSE(c) ASSERT_TRUE(!(c))

#define ASSERT_EQ_INT(a, b)                                                                        \
    do {                                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                                        \
        if (_a != _b)                                                                              \
            UNIT_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b);                                   \
    } while (0)

#define ASSERT_EQ_UINT(a, b)                                                                       \
    do {                                                                                           \
        unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b);             \
        if (_a != _b)                                                                              \
            UNIT_FAIL("%s == %s: %llu != %llu", #a, #b, _a, _b);                                   \
    } while (0)

#define ASSERT_EQ_DBL(a, b, eps)                                                                   \
    do {                                                                                           \
        double _a = (double)(a), _b = (double)(b);                                                 \
        if (!(fabs(_a - _b) <= (eps)) && !(isnan(_a) && isnan(_b)))                                \
            UNIT_FAIL("%s == %s: %.17g != %.17g", #a, #b, _a, _b);                                 \
    } while (0)

#define ASSERT_EQ_STR(a, b)                                                                        \
    do {                                                                                           \
        const char *_a = (a), *_b = (b);                                                           \
        if (!_a || !_b || strcmp(_a, _b) != 0)                                                     \
            UNIT_FAIL("%s == %s:\n    got:      \"%s\"\n    expected: \"%s\"", #a, #b,             \
                      _a ? _a : "(null)", _b ? _b : "(null)");                                     \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                                               \
    do {                                                                                           \
        const char *_h = (hay), *_n = (needle);                                                    \
        if (!_h || !strstr(_h, _n))                                                                \
            UNIT_FAIL("%s should contain \"%s\":\n    got: \"%s\"", #hay, _n, _h ? _h : "(null)"); \
    } while (0)

#define ASSERT_NOT_CONTAINS(hay, needle)                                                           \
    do {                                                                                           \
        const char *_h = (hay), *_n = (needle);                                                    \
        if (_h && strstr(_h, _n))                                                                  \
            UNIT_FAIL("%s should not contain \"%s\":\n    got: \"%s\"", #hay, _n, _h);             \
    } while (0)

#define ASSERT_NULL(p)     ASSERT_TRUE((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)

int unit_run(const struct unit_test *tests, int argc, char **argv);

#endif
