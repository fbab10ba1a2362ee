/* SPDX-License-Identifier: Apache-2.0
 *
 * Cancellation and deadline for one unit of work (see cancel.h).
 */
#include "core/cancel.h"

#include <time.h>

void et_cancel_init(struct et_cancel *c)
{
    atomic_init(&c->cancelled, false);
    c->deadline_ms = 0;
}

void et_cancel_set_timeout(struct et_cancel *c, int64_t timeout_ms)
{
    c->deadline_ms = timeout_ms > 0 ? et_now_monotonic_ms() + timeout_ms : 0;
}

void et_cancel_request(struct et_cancel *c)
{
    atomic_store(&c->cancelled, true);
}

bool et_cancel_is_done(const struct et_cancel *c)
{
    if (!c)
        return false;
    if (atomic_load((atomic_bool *)&c->cancelled))
        return true;
    return c->deadline_ms > 0 && et_now_monotonic_ms() >= c->deadline_ms;
}

int64_t et_cancel_remaining_ms(const struct et_cancel *c)
{
    if (!c)
        return INT64_MAX;
    if (atomic_load((atomic_bool *)&c->cancelled))
        return 0;
    if (c->deadline_ms <= 0)
        return INT64_MAX;
    int64_t left = c->deadline_ms - et_now_monotonic_ms();
    return left > 0 ? left : 0;
}

int64_t et_now_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t et_now_monotonic_ms(void)
{
    return et_now_monotonic_ns() / 1000000;
}

int64_t et_now_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
