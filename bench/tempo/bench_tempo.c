/* SPDX-License-Identifier: Apache-2.0
 *
 * Benchmark driver for the Tempo panels: times error-summary through
 * exec_run_query() (the QueryData code path) and the floor, the time the
 * same Tempo needs to answer the minimum requests the panel needs (the
 * search, plus in fetch mode every trace by ID at the same parallelism),
 * read with the same HTTP client and thrown away. run_bench.py drives it.
 *
 *   bench_tempo URL fetch|select FROM_MS TO_MS RUNS PARALLEL
 *
 * Prints one JSON line per measurement:
 *   {"what":"plugin","run":i,"ms":..,"rows":..,"errors":..,"executed":".."}
 *   {"what":"plugin-warm",...}   the same instance again (trace cache warm)
 *   {"what":"floor","run":i,"ms":..,"requests":..}
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/instance.h"
#include "core/buf.h"
#include "core/cancel.h"
#include "core/json_escape.h"
#include "core/mem.h"
#include "frame/frame.h"
#include "http/http.h"
#include "query/exec.h"
#include "query/query.h"
#include "tempo/tempo_client.h"
#include "tempo/traceql.h"

struct bench {
    const char *url;
    bool fetch;
    int64_t from_ms, to_ms;
    int runs, parallel;
};

static struct instance *new_instance(const struct bench *b)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"tempoUrl\":\"%s\",\"tempoSearchMode\":\"%s\",\"maxConcurrentRequests\":%d,"
             "\"timeoutSeconds\":120}",
             b->url, b->fetch ? "fetch" : "select", b->parallel);
    struct settings s;
    struct et_error err;
    if (settings_parse("bench", "bench", 1, json, strlen(json), NULL, 0, &s, &err) < 0) {
        fprintf(stderr, "bench_tempo: %s\n", err.message);
        exit(2);
    }
    return instance_new(&s, NULL);
}

static void run_plugin(const struct bench *b, struct instance *inst, const char *what, int run)
{
    const char *model = "{\"queryType\":\"error-summary\"}";
    struct exec_query q = {"A", NULL, model, strlen(model), b->from_ms, b->to_ms, 0, 0};
    struct exec_result r;
    exec_result_init(&r);
    int64_t t0 = et_now_monotonic_ns();
    exec_run_query(inst, &q, NULL, &r);
    double ms = (double)(et_now_monotonic_ns() - t0) / 1e6;
    if (et_error_is_set(&r.err)) {
        fprintf(stderr, "bench_tempo: query failed: %s\n", r.err.message);
        exit(1);
    }
    const struct frame *f = r.frames.items[0];
    const struct frame_field *count = frame_field_by_name(f, "count");
    int64_t errors = 0;
    for (size_t i = 0; i < frame_row_count(f); i++)
        errors += frame_field_get_int(count, i);
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    et_buf_printf(&out,
                  "{\"what\":\"%s\",\"run\":%d,\"ms\":%.3f,\"rows\":%zu,\"errors\":%lld,"
                  "\"executed\":",
                  what, run, ms, frame_row_count(f), (long long)errors);
    et_json_append_cstring(&out, frame_meta_executed_query(f));
    et_buf_append_str(&out, "}\n");
    fputs(et_buf_cstr(&out), stdout);
    fflush(stdout);
    et_buf_cleanup(&out);
    exec_result_cleanup(&r);
}

/* The minimum requests, read and discarded. */
static void run_floor(const struct bench *b, struct instance *inst, int run)
{
    struct query_ctx ctx = {inst, NULL};
    struct query q;
    memset(&q, 0, sizeof q);
    struct traceql_options opt = {!b->fetch, !b->fetch, false};
    struct et_buf traceql;
    et_buf_init(&traceql, ET_BUF_UNLIMITED);
    traceql_build_errors(&traceql, &q, &opt);
    struct tempo_search_req req = {et_buf_cstr(&traceql), b->from_ms / 1000,
                                   (b->to_ms + 999) / 1000, 1000, b->fetch ? 0 : 100};
    int64_t t0 = et_now_monotonic_ns();
    struct tempo_search_result res;
    struct et_error err;
    tempo_search_many(&ctx, &req, 1, &res, &err);
    size_t n = b->fetch ? res.n_traces : 0;
    struct http_request *reqs = et_xcalloc(n + 1, sizeof *reqs);
    struct http_response *resps = et_xcalloc(n + 1, sizeof *resps);
    char **urls = et_xcalloc(n + 1, sizeof *urls);
    for (size_t i = 0; i < n; i++) {
        struct et_buf u;
        et_buf_init(&u, ET_BUF_UNLIMITED);
        et_buf_printf(&u, "%s/api/traces/%s", b->url, res.traces[i].trace_id);
        urls[i] = et_buf_take(&u, NULL);
        reqs[i].url = urls[i];
        reqs[i].accept = "application/json";
        reqs[i].timeout_ms = 120000;
        reqs[i].backend = ET_BACKEND_TEMPO;
        http_response_init(&resps[i]);
    }
    http_run_many(reqs, n, b->parallel, NULL, NULL, resps);
    double ms = (double)(et_now_monotonic_ns() - t0) / 1e6;
    for (size_t i = 0; i < n; i++) {
        http_response_cleanup(&resps[i]);
        free(urls[i]);
    }
    printf("{\"what\":\"floor\",\"run\":%d,\"ms\":%.3f,\"requests\":%zu}\n", run, ms, n + 1);
    fflush(stdout);
    free(reqs);
    free(resps);
    free(urls);
    tempo_search_result_cleanup(&res);
    et_buf_cleanup(&traceql);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_tempo URL fetch|select FROM_MS TO_MS RUNS PARALLEL\n");
        return 2;
    }
    struct bench b = {argv[1],
                      strcmp(argv[2], "fetch") == 0,
                      strtoll(argv[3], NULL, 10),
                      strtoll(argv[4], NULL, 10),
                      atoi(argv[5]),
                      atoi(argv[6])};
    http_global_init();
    for (int i = 0; i < b.runs; i++) {
        struct instance *floor_inst = new_instance(&b);
        run_floor(&b, floor_inst, i);
        instance_unref(floor_inst);
        struct instance *inst = new_instance(&b);
        run_plugin(&b, inst, "plugin", i);
        run_plugin(&b, inst, "plugin-warm", i);
        instance_unref(inst);
    }
    http_global_cleanup();
    return 0;
}
