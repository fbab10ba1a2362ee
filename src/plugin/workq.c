/* SPDX-License-Identifier: Apache-2.0
 *
 * Thread pool with one mutex-protected FIFO (see workq.h). Jobs are small
 * heap nodes in a singly linked list; idle threads sleep on a condition
 * variable. The pool is tiny on purpose: the jobs are whole gRPC calls or
 * whole panel queries (milliseconds to seconds), so the queue lock is never
 * the bottleneck.
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
    int n_threads;
    char name[16];
};

static void *worker_main(void *arg)
{
    struct workq *q = arg;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->wake, &q->lock);
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

struct workq *workq_new(const char *name, int threads)
{
    struct workq *q = et_xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    snprintf(q->name, sizeof q->name, "%s", name ? name : "workq");
    if (threads < 1)
        threads = 1;
    q->threads = et_xcalloc((size_t)threads, sizeof *q->threads);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&q->threads[i], NULL, worker_main, q) != 0)
            break;
        pthread_setname_np(q->threads[i], q->name);
        q->n_threads++;
    }
    if (q->n_threads == 0) {
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
