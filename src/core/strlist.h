/* SPDX-License-Identifier: Apache-2.0
 *
 * A list of owned strings: filter values, label sets, route tables.
 *
 * Ownership: the list owns its items (each malloc'd); et_strlist_cleanup()
 * frees them. Thread safety: one thread at a time; read-only sharing is fine.
 */
#ifndef ET_CORE_STRLIST_H
#define ET_CORE_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

struct et_strlist {
    char **items; /* n owned, NUL-terminated strings */
    size_t n;
    size_t cap;
};

void et_strlist_init(struct et_strlist *l);
void et_strlist_cleanup(struct et_strlist *l);
/* Append a copy of s[0..len). */
void et_strlist_push_n(struct et_strlist *l, const char *s, size_t len);
void et_strlist_push(struct et_strlist *l, const char *s);
/* Append unless an equal string is already there. Returns true when added. */
bool et_strlist_push_unique(struct et_strlist *l, const char *s);
bool et_strlist_contains(const struct et_strlist *l, const char *s);
/* Sort in byte order (strcmp). */
void et_strlist_sort(struct et_strlist *l);
/* Deep copy into `dst` (initialised by this call). */
void et_strlist_copy(struct et_strlist *dst, const struct et_strlist *src);

#endif
