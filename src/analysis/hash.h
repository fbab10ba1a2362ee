/* SPDX-License-Identifier: Apache-2.0
 *
 * The 64-bit hash behind fingerprints and the grouping tables.
 *
 * FNV-1a over the bytes, then a 64-bit finaliser (the splitmix64 mixing
 * steps) so that every output bit depends on every input bit: the short
 * fingerprint shown to users is a prefix of the hex digits and must be as
 * good as the whole. Not cryptographic; fingerprints only need to be stable
 * (the same bytes give the same value on every platform and version) and
 * spread out. Changing this function changes every fingerprint users have
 * seen, so it is frozen: tests pin known values.
 *
 * Internal to src/analysis. Thread safety: pure functions.
 */
#ifndef ET_ANALYSIS_HASH_H
#define ET_ANALYSIS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH64_SEED 0xcbf29ce484222325ull /* FNV-1a 64-bit offset basis */

/* Continue an FNV-1a state over s[0..n). Start from HASH64_SEED. */
uint64_t hash64_update(uint64_t state, const void *s, size_t n);
/* Finish a state into the hash value. */
uint64_t hash64_final(uint64_t state);
/* hash64_final(hash64_update(HASH64_SEED, s, n)). */
uint64_t hash64(const void *s, size_t n);

#endif
