/* SPDX-License-Identifier: Apache-2.0
 *
 * Data.QueryData: decode the request, run every query through
 * exec_run_query() (the code path the CLI shares), encode each refId's frames
 * in the requested format, answer one DataResponse per refId.
 *
 * Every refId answers on its own: a malformed query, an unknown queryType, a
 * backend failure or an oversized result becomes that refId's error/status/
 * errorSource and the others are not affected. Only a request that does not
 * decode at all is a gRPC error (INVALID_ARGUMENT).
 *
 * DESIGN: the queries of one request run side by side, at most
 * query_concurrency at once. Grafana sends all queries of a panel in one
 * request, and their costs differ by orders of magnitude (a Prometheus
 * instant query vs. a Tempo search fetching hundreds of traces), so running
 * them one after another would make every panel as slow as the sum of its
 * queries. The handler thread works through the queries itself and asks the
 * shared query pool for up to query_concurrency - 1 helpers; if the pool is
 * busy the handler simply does more of the work, so there is no deadlock and
 * the process-wide number of query threads stays bounded. The batch is
 * refcounted because a helper may start after the handler has finished.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.pb-c.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "frame/encode.h"
#include "plugin/handlers.h"
#include "plugin/pcontext.h"
#include "plugin/plugin.h"
#include "query/exec.h"

/* One refId's answer. */
struct slot {
    const Pluginv2__DataQuery *query; /* borrowed from the request */
    struct et_buf frames;             /* the encoded frames, back to back */
    size_t *frame_ends;               /* end offset of each frame in `frames` */
    size_t n_frames;
    struct et_error err; /* status 0: success */
};

struct batch {
    struct instance *inst; /* borrowed: the handler holds the reference */
    enum frame_format format;
    const struct et_cancel *cancel;
    size_t max_response_bytes;
    struct slot *slots;
    size_t n_slots;
    atomic_size_t next;       /* next slot to claim */
    atomic_size_t bytes_used; /* encoded bytes of all refIds so far */
    pthread_mutex_t lock;     /* guards `done` */
    pthread_cond_t all_done;
    size_t done;
    atomic_int refs; /* the handler + helpers not yet finished */
};

static void log_query_error(const struct batch *b, const struct slot *s)
{
    bool serious = s->err.status >= 500 || s->err.source == ET_SOURCE_DOWNSTREAM;
    char status[16];
    snprintf(status, sizeof status, "%d", s->err.status);
    et_log(serious ? ET_LOG_WARN : ET_LOG_DEBUG, "query", "query failed", "refId", s->query->refid,
           "queryType", s->query->querytype, "datasourceUid", b->inst ? b->inst->settings.uid : "",
           "status", status, "errorSource", et_error_source_name(s->err.source), "error",
           s->err.message, NULL);
}

static void set_too_large(const struct batch *b, struct slot *s)
{
    et_error_set(&s->err, 413, ET_SOURCE_PLUGIN,
                 "the response is too large (more than %zu MiB of frames in one request): "
                 "narrow the time range, add filters or lower the limit",
                 b->max_response_bytes >> 20);
}

/* Encode the frames of a successful query into the slot, within the
 * request's byte budget. */
static void encode_frames(struct batch *b, struct slot *s, const struct frame_list *frames)
{
    s->frame_ends = et_xcalloc(frames->n ? frames->n : 1, sizeof *s->frame_ends);
    for (size_t i = 0; i < frames->n; i++) {
        if (frame_write(frames->items[i], b->format, &s->frames, &s->err) < 0) {
            if (s->err.status == 413) /* the buffer's limit: say what to do about it */
                set_too_large(b, s);
            goto failed;
        }
        s->frame_ends[s->n_frames++] = s->frames.len;
    }
    size_t total = atomic_fetch_add(&b->bytes_used, s->frames.len) + s->frames.len;
    if (total <= b->max_response_bytes)
        return;
    atomic_fetch_sub(&b->bytes_used, s->frames.len);
    set_too_large(b, s);
failed:
    et_buf_reset(&s->frames);
    s->n_frames = 0;
}

static void run_slot(struct batch *b, struct slot *s)
{
    const Pluginv2__DataQuery *q = s->query;
    struct exec_query eq = {
        .ref_id = q->refid,
        .query_type = q->querytype,
        .json = (const char *)q->json.data,
        .json_len = q->json.len,
        .from_ms = q->timerange ? q->timerange->fromepochms : 0,
        .to_ms = q->timerange ? q->timerange->toepochms : 0,
        .interval_ms = q->intervalms,
        .max_data_points = q->maxdatapoints,
    };
    if (!eq.json) {
        eq.json = "";
        eq.json_len = 0;
    }
    struct exec_result res;
    exec_result_init(&res);
    exec_run_query(b->inst, &eq, b->cancel, &res);
    if (et_error_is_set(&res.err))
        s->err = res.err;
    else
        encode_frames(b, s, &res.frames);
    exec_result_cleanup(&res);
    if (et_error_is_set(&s->err))
        log_query_error(b, s);
}

/* Claim and run slots until none is left. */
static void work(struct batch *b)
{
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n_slots)
            return;
        run_slot(b, &b->slots[i]);
        pthread_mutex_lock(&b->lock);
        if (++b->done == b->n_slots)
            pthread_cond_broadcast(&b->all_done);
        pthread_mutex_unlock(&b->lock);
    }
}

static void batch_unref(struct batch *b)
{
    if (atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    pthread_cond_destroy(&b->all_done);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

static void helper_job(void *arg)
{
    struct batch *b = arg;
    work(b);
    batch_unref(b);
}

static void run_all(struct plugin *p, struct batch *b)
{
    size_t helpers = 0;
    if (p->query_pool && b->n_slots > 1) {
        helpers = b->n_slots - 1;
        if (helpers > (size_t)p->opts.query_concurrency - 1)
            helpers = (size_t)p->opts.query_concurrency - 1;
    }
    atomic_store(&b->refs, (int)(1 + helpers));
    for (size_t i = 0; i < helpers; i++)
        workq_submit(p->query_pool, helper_job, b);
    work(b);
    pthread_mutex_lock(&b->lock);
    while (b->done < b->n_slots)
        pthread_cond_wait(&b->all_done, &b->lock);
    pthread_mutex_unlock(&b->lock);
}

static void fill_response(const struct batch *b, const struct slot *s, Pluginv2__DataResponse *dr,
                          ProtobufCBinaryData *frames)
{
    pluginv2__data_response__init(dr);
    dr->format = b->format == FRAME_FORMAT_JSON ? PLUGINV2__DATA_FRAME_FORMAT__JSON
                                                : PLUGINV2__DATA_FRAME_FORMAT__ARROW;
    if (et_error_is_set(&s->err)) {
        dr->error = (char *)s->err.message;
        dr->status = s->err.status;
        dr->errorsource = (char *)et_error_source_name(s->err.source);
        return;
    }
    dr->status = 200;
    size_t start = 0;
    for (size_t i = 0; i < s->n_frames; i++) {
        frames[i].data = (uint8_t *)s->frames.data + start;
        frames[i].len = s->frame_ends[i] - start;
        start = s->frame_ends[i];
    }
    dr->n_frames = s->n_frames;
    dr->frames = frames;
}

static void reply_responses(const struct batch *b, struct rpc_reply *reply)
{
    size_t n = b->n_slots, total_frames = 0;
    for (size_t i = 0; i < n; i++)
        total_frames += b->slots[i].n_frames;
    Pluginv2__DataResponse *drs = et_xcalloc(n ? n : 1, sizeof *drs);
    Pluginv2__QueryDataResponse__ResponsesEntry *entries = et_xcalloc(n ? n : 1, sizeof *entries);
    Pluginv2__QueryDataResponse__ResponsesEntry **ptrs =
        et_xcalloc(n ? n : 1, sizeof(Pluginv2__QueryDataResponse__ResponsesEntry *));
    ProtobufCBinaryData *frames = et_xcalloc(total_frames ? total_frames : 1, sizeof *frames);

    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        fill_response(b, &b->slots[i], &drs[i], frames + used);
        used += b->slots[i].n_frames;
        pluginv2__query_data_response__responses_entry__init(&entries[i]);
        entries[i].key = b->slots[i].query->refid;
        entries[i].value = &drs[i];
        ptrs[i] = &entries[i];
    }
    Pluginv2__QueryDataResponse out = PLUGINV2__QUERY_DATA_RESPONSE__INIT;
    out.n_responses = n;
    out.responses = ptrs;
    pcontext_reply_message(reply, &out.base);
    free(frames);
    free(ptrs);
    free(entries);
    free(drs);
}

void handle_query_data(void *app, const struct rpc_request *req, struct rpc_reply *reply)
{
    struct plugin *p = app;
    Pluginv2__QueryDataRequest *in =
        pluginv2__query_data_request__unpack(NULL, req->len, req->data);
    if (!in) {
        rpc_reply_error(reply, RPC_INVALID_ARGUMENT, "malformed QueryDataRequest");
        return;
    }

    plugin_backend_init(p);
    struct batch *b = et_xcalloc(1, sizeof *b);
    b->format =
        in->format == PLUGINV2__DATA_FRAME_FORMAT__JSON ? FRAME_FORMAT_JSON : FRAME_FORMAT_ARROW;
    b->cancel = req->cancel;
    b->max_response_bytes = p->opts.max_response_bytes;
    b->n_slots = in->n_queries;
    b->slots = et_xcalloc(in->n_queries ? in->n_queries : 1, sizeof *b->slots);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->all_done, NULL);
    for (size_t i = 0; i < b->n_slots; i++) {
        b->slots[i].query = in->queries[i];
        et_buf_init(&b->slots[i].frames, p->opts.max_response_bytes);
        et_error_clear(&b->slots[i].err);
    }

    struct et_error err;
    et_error_clear(&err);
    b->inst = pcontext_instance(p->instances, in->plugincontext, &err);
    if (b->inst) {
        run_all(p, b);
    } else {
        et_error_prefix(&err, "invalid datasource settings");
        for (size_t i = 0; i < b->n_slots; i++)
            b->slots[i].err = err;
        et_log(ET_LOG_WARN, "query", "invalid datasource settings", "error", err.message, NULL);
        atomic_store(&b->refs, 1);
    }

    reply_responses(b, reply);

    for (size_t i = 0; i < b->n_slots; i++) {
        et_buf_cleanup(&b->slots[i].frames);
        free(b->slots[i].frame_ends);
    }
    free(b->slots);
    if (b->inst)
        instance_unref(b->inst);
    pluginv2__query_data_request__free_unpacked(in, NULL);
    batch_unref(b);
}
