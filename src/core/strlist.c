/* SPDX-License-Identifier: Apache-2.0
 *
 * A list of owned strings (see strlist.h).
 */
#include "core/strlist.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void et_strlist_init(struct et_strlist *l)
{
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
}

void et_strlist_cleanup(struct et_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    et_strlist_init(l);
}

void et_strlist_push_n(struct et_strlist *l, const char *s, size_t len)
{
    l->items = et_xgrow(l->items, &l->cap, l->n + 1, sizeof *l->items);
    l->items[l->n++] = et_xstrndup(s, len);
}

void et_strlist_push(struct et_strlist *l, const char *s)
{
    et_strlist_push_n(l, s, strlen(s));
}

bool et_strlist_contains(const struct et_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

bool et_strlist_push_unique(struct et_strlist *l, const char *s)
{
    if (et_strlist_contains(l, s))
        return false;
    et_strlist_push(l, s);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void et_strlist_sort(struct et_strlist *l)
{
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, cmp_str);
}

void et_strlist_copy(struct et_strlist *dst, const struct et_strlist *src)
{
    et_strlist_init(dst);
    for (size_t i = 0; i < src->n; i++)
        et_strlist_push(dst, src->items[i]);
}
