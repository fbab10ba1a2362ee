/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only reference for tempo_search_parse() and a differential check.
 *
 * tempo_search_parse_ref() is the jansson-tree search reader that
 * src/tempo/tempo_search.c used before its single-pass scanner (same
 * contract). tempo_search_diff() runs both on one body and describes the
 * first difference: success or failure, the error (status, source and the
 * message up to its details in parentheses: jansson's wording and byte
 * positions are not reproduced), and on success every trace, span and
 * attribute field.
 */
#ifndef ET_TESTS_TEMPO_SEARCH_REF_H
#define ET_TESTS_TEMPO_SEARCH_REF_H

#include <stddef.h>

#include "tempo/tempo_search.h"

int tempo_search_parse_ref(const char *body, size_t len, struct tempo_search_result *r,
                           struct et_error *err);

/* NULL when both readers agree on `body`, else a static description of the
 * first difference. */
const char *tempo_search_diff(const char *body, size_t len);

#endif
