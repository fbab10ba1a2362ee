/* SPDX-License-Identifier: Apache-2.0
 *
 * FNV-1a + splitmix64 finaliser (see hash.h).
 */
#include "analysis/hash.h"

#define FNV64_PRIME 0x100000001b3ull

uint64_t hash64_update(uint64_t state, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) {
        state ^= p[i];
        state *= FNV64_PRIME;
    }
    return state;
}

uint64_t hash64_final(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

uint64_t hash64(const void *s, size_t n)
{
    return hash64_final(hash64_update(HASH64_SEED, s, n));
}
