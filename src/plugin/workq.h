/* SPDX-License-Identifier: Apache-2.0
 *
 * A bounded pool of threads running jobs from one FIFO queue.
 *
 * The gRPC layer gives each class of call its own pool ("lane"), so handlers
 * that block on backend I/O (QueryData, CallResource) can never starve quick
 * ones (CheckHealth on another datasource, Ping); QueryData also uses a pool
 * to run the queries of one request side by side.
 *
 * Jobs are never refused and never dropped: workq_free() waits until the
 * queue is empty and every thread has finished its job. Threads start on
 * demand (a job that finds no idle thread starts one, up to the pool's size)
 * and then stay.
 *
 * Ownership: workq_new() returns a pool freed with workq_free(). `arg` stays
 * the caller's. Thread safety: workq_submit() may be called from any thread,
 * including from a job; workq_free() from one thread, after the last submit.
 */
#ifndef ET_PLUGIN_WORKQ_H
#define ET_PLUGIN_WORKQ_H

#include <stddef.h>

typedef void (*workq_job_fn)(void *arg);

struct workq;

/* A pool of up to `threads` (>= 1) threads; one starts now, the others when
 * jobs wait. `name` (up to 15 bytes) names them for debuggers. Returns NULL
 * when not even one thread could be started. */
struct workq *workq_new(const char *name, int threads);
/* Queue `fn(arg)`; it runs on one of the pool's threads. */
void workq_submit(struct workq *q, workq_job_fn fn, void *arg);
/* Jobs queued and not yet started (for tests and metrics). */
size_t workq_pending(struct workq *q);
/* Run what is queued, join the threads, free the pool. NULL is a no-op. */
void workq_free(struct workq *q);

#endif
