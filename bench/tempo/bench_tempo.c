/* SPDX-License-Identifier: Apache-2.0
 *
 * Benchmark driver for the Tempo panels: times error-summary through
 * exec_run_query() (the QueryData code path) and the floor, the time the
 * same Tempo needs to answer the minimum requests the panel needs (the
 * search, plus in fetch mode every trace by ID at the same parallelism),
 * read with the same HTTP client (decompressed) and thrown away: nothing is
 * parsed inside the floor's clock (in fetch mode the search answer is parsed
 * between the two timed phases, for its trace IDs). run_bench.py drives it.
 *
 *   bench_tempo URL fetch|select FROM_MS TO_MS RUNS PARALLEL
 *
 * First one untimed plugin run on a throwaway instance (the server sees
 * every request once: its answer cache is warm, as a real Tempo's caches
 * would be; printed as "warmup"), then RUNS times the floor, the plugin on a
 * new instance (cold) and the same instance again (warm). One JSON line each:
 *   {"what":"plugin","run":i,"ms":..,"rows":..,"errors":..,"executed":".."}
 *   {"what":"plugin-warm",...}   the same instance again (trace cache warm)
 *   {"what":"floor","run":i,"ms":..,"requests":..,"parse_ms":..}
 * parse_ms: tempo_search_parse() of the search answer alone (not in "ms").
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
#include "http/url.h"
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

static void plain_request(struct http_request *r, const char *url)
{
    memset(r, 0, sizeof *r);
    r->url = url;
    r->accept = "application/json";
    r->timeout_ms = 120000;
    r->max_body_bytes = 64u << 20;
    r->backend = ET_BACKEND_TEMPO;
}

/* The minimum requests, read and discarded. */
static void run_floor(const struct bench *b, int run)
{
    struct query q;
    memset(&q, 0, sizeof q);
    struct traceql_options opt = {!b->fetch, !b->fetch, false};
    struct et_buf traceql, url;
    et_buf_init(&traceql, ET_BUF_UNLIMITED);
    traceql_build_errors(&traceql, &q, &opt);
    /* the URL tempo_search_many() asks for (tempo_client.c: search_url) */
    et_buf_init(&url, ET_BUF_UNLIMITED);
    et_buf_printf(&url, "%s/api/search?", b->url);
    url_add_param(&url, "q", et_buf_cstr(&traceql));
    url_add_paramf(&url, "start", "%lld", (long long)(b->from_ms / 1000));
    url_add_paramf(&url, "end", "%lld", (long long)((b->to_ms + 999) / 1000));
    url_add_paramf(&url, "limit", "%d", 1000);
    if (!b->fetch)
        url_add_paramf(&url, "spss", "%d", 100);
    struct http_request sreq;
    struct http_response sresp;
    plain_request(&sreq, et_buf_cstr(&url));
    http_response_init(&sresp);
    int64_t t0 = et_now_monotonic_ns();
    http_run_many(&sreq, 1, 1, NULL, NULL, &sresp);
    int64_t search_ns = et_now_monotonic_ns() - t0;
    if (sresp.status != 200) {
        fprintf(stderr, "bench_tempo: floor search answered %ld\n", sresp.status);
        exit(1);
    }
    struct tempo_search_result res;
    struct et_error err;
    tempo_search_result_init(&res);
    int64_t p0 = et_now_monotonic_ns();
    if (tempo_search_parse(et_buf_cstr(&sresp.body), sresp.body.len, &res, &err) < 0) {
        fprintf(stderr, "bench_tempo: floor search: %s\n", err.message);
        exit(1);
    }
    double parse_ms = (double)(et_now_monotonic_ns() - p0) / 1e6;
    http_response_cleanup(&sresp);
    size_t n = b->fetch ? res.n_traces : 0;
    struct http_request *reqs = et_xcalloc(n + 1, sizeof *reqs);
    struct http_response *resps = et_xcalloc(n + 1, sizeof *resps);
    char **urls = et_xcalloc(n + 1, sizeof *urls);
    for (size_t i = 0; i < n; i++) {
        struct et_buf u;
        et_buf_init(&u, ET_BUF_UNLIMITED);
        et_buf_printf(&u, "%s/api/traces/%s", b->url, res.traces[i].trace_id);
        urls[i] = et_buf_take(&u, NULL);
        plain_request(&reqs[i], urls[i]);
        http_response_init(&resps[i]);
    }
    int64_t t1 = et_now_monotonic_ns();
    http_run_many(reqs, n, b->parallel, NULL, NULL, resps);
    double ms = (double)(search_ns + et_now_monotonic_ns() - t1) / 1e6;
    for (size_t i = 0; i < n; i++) {
        http_response_cleanup(&resps[i]);
        free(urls[i]);
    }
    printf("{\"what\":\"floor\",\"run\":%d,\"ms\":%.3f,\"requests\":%zu,\"parse_ms\":%.3f}\n", run,
           ms, n + 1, parse_ms);
    fflush(stdout);
    free(reqs);
    free(resps);
    free(urls);
    tempo_search_result_cleanup(&res);
    et_buf_cleanup(&traceql);
    et_buf_cleanup(&url);
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
    et_malloc_tune(); /* as the plugin's main() does */
    http_global_init();
    struct instance *warm = new_instance(&b);
    run_plugin(&b, warm, "warmup", 0);
    instance_unref(warm);
    for (int i = 0; i < b.runs; i++) {
        run_floor(&b, i);
        struct instance *inst = new_instance(&b);
        run_plugin(&b, inst, "plugin", i);
        run_plugin(&b, inst, "plugin-warm", i);
        instance_unref(inst);
    }
    http_global_cleanup();
    return 0;
}
