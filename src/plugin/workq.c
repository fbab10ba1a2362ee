/* SPDX-License-Identifier: Apache-2.0
 *
 * Thread pool with one mutex-protected FIFO (see workq.h). Jobs are small
 * heap nodes in a singly linked list; idle threads sleep on a condition
 * variable. The pool is tiny on purpose: the jobs are whole gRPC calls or
 * whole panel queries (milliseconds to seconds), so the queue lock is never
 * the bottleneck.
 *
 * Threads are started on demand: a submit that finds no idle thread starts
 * one, up to the pool's size, and threads then stay. A plugin that is idle
 * (most of its life) so holds a handful of threads instead of dozens, which
 * shows in start-up time and resident memory.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "plugin/workq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct job {
    workq_job_fn fn;
    void *arg;
    struct job *next;
};

struct workq {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job *head; /* next job to run */
    struct job *tail;
    size_t pending;
    bool stopping; /* set by workq_free: threads leave once the queue is empty */
    pthread_t *threads;
    int n_threads;   /* started so far */
    int max_threads; /* the pool's size */
    int idle;        /* threads waiting for a job */
    char name[16];
};

static void *worker_main(void *arg)
{
    struct workq *q = arg;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping) {
            q->idle++;
            pthread_cond_wait(&q->wake, &q->lock);
            q->idle--;
        }
        struct job *j = q->head;
        if (!j)
            break; /* stopping and drained */
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        q->pending--;
        pthread_mutex_unlock(&q->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* With the lock held: start one more thread. False when none could start. */
static bool start_thread_locked(struct workq *q)
{
    if (pthread_create(&q->threads[q->n_threads], NULL, worker_main, q) != 0)
        return false;
    pthread_setname_np(q->threads[q->n_threads], q->name);
    q->n_threads++;
    return true;
}

struct workq *workq_new(const char *name, int threads)
{
    struct workq *q = et_xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    snprintf(q->name, sizeof q->name, "%s", name ? name : "workq");
    q->max_threads = threads < 1 ? 1 : threads;
    q->threads = et_xcalloc((size_t)q->max_threads, sizeof *q->threads);
    pthread_mutex_lock(&q->lock);
    bool started = start_thread_locked(q); /* one at once: proves threads can start */
    pthread_mutex_unlock(&q->lock);
    if (!started) {
        workq_free(q);
        return NULL;
    }
    return q;
}

void workq_submit(struct workq *q, workq_job_fn fn, void *arg)
{
    struct job *j = et_xmalloc(sizeof *j);
    j->fn = fn;
    j->arg = arg;
    j->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->pending++;
    /* Every idle thread may already have a job signalled to it: start another
     * when jobs outnumber idle threads (a failure leaves the job queued for
     * the threads there are). */
    if ((size_t)q->idle < q->pending && q->n_threads < q->max_threads)
        start_thread_locked(q);
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}

size_t workq_pending(struct workq *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->pending;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void workq_free(struct workq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    pthread_cond_broadcast(&q->wake);
    pthread_mutex_unlock(&q->lock);
    for (int i = 0; i < q->n_threads; i++)
        pthread_join(q->threads[i], NULL);
    free(q->threads);
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q);
}
