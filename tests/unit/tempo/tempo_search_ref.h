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

#include <stdbool.h>
#include <stddef.h>

#include "tempo/tempo_search.h"

int tempo_search_parse_ref(const char *body, size_t len, struct tempo_search_result *r,
                           struct et_error *err);

/* NULL when both readers agree on `body`, else a static description of the
 * first difference. */
const char *tempo_search_diff(const char *body, size_t len);

/* How the reader of tempo_search_stream_diff() keeps up: on its thread,
 * allowed to catch up after each piece (SYNC) or racing the feeder (RACING),
 * or inside feed() with no thread (INLINE, tempo_search_stream_new_inline). */
enum stream_reader { STREAM_READER_SYNC, STREAM_READER_RACING, STREAM_READER_INLINE };

/* NULL when reading `body` while it arrives (tempo_search_stream: the body
 * fed in pieces ending at cuts[0..n_cuts), ascending and below len, then
 * whole unless `early` (finish() then comes with the rest unfed, so it
 * reads part of the rest itself); the reader kept up as `how` says; with
 * `moved`, the body announced as moving after the first piece) gives exactly
 * tempo_search_parse()'s result, errors word for word. */
const char *tempo_search_stream_diff(const char *body, size_t len, const size_t *cuts,
                                     size_t n_cuts, enum stream_reader how, bool moved, bool early);

#endif
