/* SPDX-License-Identifier: Apache-2.0
 *
 * What the datasource's Tempo can do, detected once per datasource instance
 * and kept in it (instance->tempo_caps under the instance's lock).
 *
 * Detection: `/api/status/buildinfo` (2.3+) gives the version and the
 * version gives the features (notes/tempo.md §0). Without build info (older
 * servers, gateways that hide it, dev builds without a number) a tiny
 * search `{ event:name = "exception" }` is the probe: Tempo 2.6+ parses it,
 * older servers answer 400. A transport failure is not cached, so a Tempo
 * that was down is detected again on the next query.
 *
 * The search mode follows: `tempoSearchMode` forces select or fetch; auto
 * picks select when the event scope exists (one search answers) and fetch
 * otherwise (search, then read every trace).
 *
 * Thread safety: any thread (the instance lock guards the stored state; two
 * queries racing on a fresh instance may both detect, the last one stores).
 */
#ifndef ET_TEMPO_TEMPO_CAPS_H
#define ET_TEMPO_TEMPO_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "query/runner.h"
#include "tempo/tempo_client.h"

enum tempo_cap {
    TEMPO_CAP_SELECT = 1 << 0,      /* TraceQL select() and spanSets (2.2+) */
    TEMPO_CAP_EVENTS = 1 << 1,      /* event scope: event:name, event.x (2.6+) */
    TEMPO_CAP_V2_TRACES = 1 << 2,   /* /api/v2/traces/<id> (2.6+) */
    TEMPO_CAP_MOST_RECENT = 1 << 3, /* with(most_recent=true) (2.8+) */
    TEMPO_CAP_TAG_FILTER = 1 << 4,  /* q= on v2 tag values (2.2+) */
    TEMPO_CAP_PROBED = 1 << 8,      /* no build info: features come from the probe */
};

struct tempo_caps {
    int caps;         /* enum tempo_cap bits */
    char version[64]; /* "2.6.1", or "unknown" when probed */
    bool use_select;  /* the search mode to use */
    bool mode_forced; /* tempoSearchMode was select or fetch */
};

/* The capabilities of the datasource's Tempo (detected on first use). */
int tempo_caps_get(const struct query_ctx *ctx, struct tempo_caps *out, struct et_error *err);

/* Without a request: true with `out` filled when the instance already knows
 * its Tempo; false with `out` set to the newest Tempo's features (every
 * TEMPO_CAP_* bit, version "unknown") as a guess. A search built on the guess
 * runs beside the build-info request (tempo_search_many_probing) and
 * tempo_caps_learn() says afterwards what the server really is, saving a
 * cold instance one round trip before its first search. */
bool tempo_caps_known_or_guess(const struct query_ctx *ctx, struct tempo_caps *out);

/* What the answers of the first search say: the build info that ran beside
 * it and the search's own outcome (`search_status` 200 when it answered,
 * 400 when Tempo refused the TraceQL, anything else when it says nothing:
 * then the probe runs). Stores the capabilities in the instance like
 * tempo_caps_get(). Returns -1 with `err` set when Tempo was unreachable. */
int tempo_caps_learn(const struct query_ctx *ctx, const struct tempo_buildinfo *bi,
                     int search_status, struct tempo_caps *out, struct et_error *err);

/* Feature bits for a version string ("2.6.1", "v2.4.0", "3.1.0-dev");
 * -1 when the string has no major.minor number. */
int tempo_caps_for_version(const char *version);

/* "select" or "fetch", with the reason, for executedQueryString and health. */
void tempo_caps_describe(const struct tempo_caps *c, char *out, size_t size);

#endif
