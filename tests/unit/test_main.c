/* SPDX-License-Identifier: Apache-2.0
 *
 * The runner behind test.h: runs each test of a table, survives failed
 * assertions, prints a summary line.
 */
#include "test.h"

jmp_buf unit_jmp;
int unit_failed_asserts;

int unit_run(const struct unit_test *tests, int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (const struct unit_test *t = tests; t->name; t++) {
        if (argc > 1 && !strstr(t->name, argv[1]))
            continue;
        if (setjmp(unit_jmp) == 0) {
            t->fn();
            passed++;
            fprintf(stderr, "ok   %s\n", t->name);
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", t->name);
        }
    }
    fprintf(stderr, "%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
