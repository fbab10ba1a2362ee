/* SPDX-License-Identifier: Apache-2.0
 *
 * Cancellation and deadline for one unit of work (a gRPC call, a CLI run).
 *
 * The gRPC layer creates one per call, sets the deadline from the client's and
 * flips `cancelled` when the client goes away or the server shuts down. Backend
 * code (libcurl progress callbacks, retry loops) polls et_cancel_check() and
 * stops early. A NULL token means "never cancelled, no deadline".
 *
 * Thread safety: et_cancel_request() may be called from any thread while other
 * threads poll the token.
 */
#ifndef ET_CORE_CANCEL_H
#define ET_CORE_CANCEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct et_cancel {
    atomic_bool cancelled; /* set once; never cleared */
    int64_t deadline_ms;   /* CLOCK_MONOTONIC milliseconds, or 0 for none */
};

/* No cancellation, no deadline. */
void et_cancel_init(struct et_cancel *c);
/* Deadline `timeout_ms` from now (<= 0: none). */
void et_cancel_set_timeout(struct et_cancel *c, int64_t timeout_ms);
void et_cancel_request(struct et_cancel *c);
/* True when cancelled or past the deadline. NULL is never cancelled. */
bool et_cancel_is_done(const struct et_cancel *c);
/* Milliseconds left before the deadline (INT64_MAX when none, 0 when passed or
 * cancelled). */
int64_t et_cancel_remaining_ms(const struct et_cancel *c);

/* Monotonic and wall-clock time in milliseconds / nanoseconds. */
int64_t et_now_monotonic_ms(void);
int64_t et_now_monotonic_ns(void);
int64_t et_now_wall_ms(void);

#endif
