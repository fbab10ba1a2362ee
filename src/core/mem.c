/* SPDX-License-Identifier: Apache-2.0
 *
 * Allocation helpers that abort on out-of-memory (see mem.h for the policy).
 */
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static void die_oom(size_t size)
{
    char line[96];
    int n = snprintf(line, sizeof line, "errortriage: out of memory allocating %zu bytes\n", size);
    if (n > 0) {
        ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
        (void)ignored;
    }
    abort();
}

void *et_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        die_oom(size);
    return p;
}

void *et_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die_oom(count * size);
    return p;
}

void *et_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        die_oom(size);
    return p;
}

char *et_xstrdup(const char *s)
{
    return et_xstrndup(s, strlen(s));
}

char *et_xstrndup(const char *s, size_t n)
{
    char *p = et_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void *et_xgrow(void *array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return array;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            die_oom(SIZE_MAX);
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        die_oom(SIZE_MAX);
    array = et_xrealloc(array, ncap * elem);
    *cap = ncap;
    return array;
}

void et_malloc_tune(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}
