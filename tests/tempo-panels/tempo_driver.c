/* SPDX-License-Identifier: Apache-2.0
 *
 * Test driver for the Tempo panels: runs panel queries through
 * exec_run_query() (the code path of Data.QueryData) against one datasource
 * instance and prints each result as a JSON line, frames in the SDK's JSON
 * frame form. Used by test_tempo_panels.py.
 *
 *   tempo_driver [options] SETTINGS_JSON QUERIES_JSON
 *
 *   SETTINGS_JSON  the datasource jsonData
 *   QUERIES_JSON   [{"refId":"A","from":ms,"to":ms,"query":{...model...}}, ...]
 *   --secret K=V   a decrypted secure value (repeatable)
 *   --repeat N     run the list N times on the same instance (cache tests)
 *   --parallel     run the queries of one round on one thread each
 *   --cancel-after-ms N   cancel the call's token after N ms (from another thread)
 *   --health       also run the health check first and print {"health":..,"message":..,
 *                  "details":..} (QUERIES_JSON may then be [])
 *
 * Output, per query and round: {"round":r,"refId":..,"status":..,"errorSource":..,
 * "error":..,"elapsedMs":..,"frames":[...]}. Exit status 0 (results carry
 * their own errors), 2 for bad arguments.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/instance.h"
#include "core/buf.h"
#include "core/json_escape.h"
#include "core/mem.h"
#include "frame/encode.h"
#include "http/http.h"
#include "query/exec.h"
#include "query/health.h"

#define MAX_SECRETS 16

struct job {
    struct instance *inst;
    const struct et_cancel *cancel;
    struct exec_query q;
    char *json;
    struct exec_result res;
    double elapsed_ms;
};

struct canceller {
    struct et_cancel *token;
    long after_ms;
};

static void *cancel_later(void *arg)
{
    struct canceller *c = arg;
    struct timespec ts = {c->after_ms / 1000, (c->after_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    et_cancel_request(c->token);
    return NULL;
}

static void *run_job(void *arg)
{
    struct job *j = arg;
    int64_t t0 = et_now_monotonic_ns();
    exec_result_init(&j->res);
    exec_run_query(j->inst, &j->q, j->cancel, &j->res);
    j->elapsed_ms = (double)(et_now_monotonic_ns() - t0) / 1e6;
    return NULL;
}

static void print_result(int round, const struct job *j)
{
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    et_buf_printf(&out, "{\"round\":%d,\"refId\":", round);
    et_json_append_cstring(&out, j->q.ref_id);
    const struct et_error *e = &j->res.err;
    et_buf_printf(&out, ",\"status\":%d,\"errorSource\":", e->status ? e->status : 200);
    et_json_append_cstring(&out, e->status ? et_error_source_name(e->source) : "");
    et_buf_append_str(&out, ",\"error\":");
    et_json_append_cstring(&out, e->status ? e->message : "");
    et_buf_printf(&out, ",\"elapsedMs\":%.3f,\"frames\":[", j->elapsed_ms);
    for (size_t i = 0; i < j->res.frames.n; i++) {
        struct et_error err;
        if (i)
            et_buf_putc(&out, ',');
        if (frame_write_json(j->res.frames.items[i], &out, &err) < 0) {
            et_buf_append_str(&out, "null");
            fprintf(stderr, "tempo_driver: %s\n", err.message);
        }
    }
    et_buf_append_str(&out, "]}\n");
    fwrite(out.data, 1, out.len, stdout);
    fflush(stdout);
    et_buf_cleanup(&out);
}

static int load_jobs(const char *text, struct instance *inst, struct job **out, size_t *n)
{
    json_error_t jerr;
    json_t *arr = json_loads(text, 0, &jerr);
    if (!json_is_array(arr)) {
        fprintf(stderr, "tempo_driver: queries must be a JSON array (%s)\n", jerr.text);
        json_decref(arr);
        return -1;
    }
    *n = json_array_size(arr);
    *out = et_xcalloc(*n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        json_t *item = json_array_get(arr, i);
        struct job *j = &(*out)[i];
        j->inst = inst;
        j->json = json_dumps(json_object_get(item, "query"), JSON_COMPACT);
        const char *ref = json_string_value(json_object_get(item, "refId"));
        j->q.ref_id = et_xstrdup(ref ? ref : "A");
        j->q.json = j->json ? j->json : "{}";
        j->q.json_len = strlen(j->q.json);
        j->q.from_ms = json_integer_value(json_object_get(item, "from"));
        j->q.to_ms = json_integer_value(json_object_get(item, "to"));
        j->q.max_data_points = 1000;
    }
    json_decref(arr);
    return 0;
}

struct options {
    struct settings_secret secrets[MAX_SECRETS];
    size_t n_secrets;
    int repeat;
    bool parallel;
    bool health;
    long cancel_after_ms;
    const char *settings;
    const char *queries;
};

static int parse_args(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->repeat = 1;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--secret") == 0 && i + 1 < argc && o->n_secrets < MAX_SECRETS) {
            char *kv = argv[++i], *eq = strchr(kv, '=');
            if (!eq)
                return -1;
            *eq = '\0';
            o->secrets[o->n_secrets++] = (struct settings_secret){kv, eq + 1};
        } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            o->repeat = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--parallel") == 0) {
            o->parallel = true;
        } else if (strcmp(argv[i], "--health") == 0) {
            o->health = true;
        } else if (strcmp(argv[i], "--cancel-after-ms") == 0 && i + 1 < argc) {
            o->cancel_after_ms = strtol(argv[++i], NULL, 10);
        } else if (pos == 0) {
            o->settings = argv[i];
            pos++;
        } else if (pos == 1) {
            o->queries = argv[i];
            pos++;
        } else {
            return -1;
        }
    }
    return pos == 2 && o->repeat > 0 ? 0 : -1;
}

static void print_health(struct instance *inst)
{
    char *message = NULL;
    json_t *details = NULL;
    enum health_status st = health_check(inst, NULL, &message, &details);
    json_t *o = json_pack("{s:s, s:s, s:o}", "health", st == HEALTH_OK ? "ok" : "error", "message",
                          message ? message : "", "details", details);
    char *text = json_dumps(o, JSON_COMPACT);
    printf("%s\n", text);
    fflush(stdout);
    free(text);
    free(message);
    json_decref(o);
}

static void run_round(struct job *jobs, size_t n, bool parallel, const struct et_cancel *cancel)
{
    pthread_t *threads = et_xcalloc(n ? n : 1, sizeof *threads);
    for (size_t i = 0; i < n; i++) {
        jobs[i].cancel = cancel;
        if (parallel)
            pthread_create(&threads[i], NULL, run_job, &jobs[i]);
        else
            run_job(&jobs[i]);
    }
    for (size_t i = 0; parallel && i < n; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_args(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: tempo_driver [--secret K=V] [--repeat N] [--parallel] "
                        "[--cancel-after-ms N] SETTINGS_JSON QUERIES_JSON\n");
        return 2;
    }
    http_global_init();
    struct et_error err;
    et_error_clear(&err);
    struct settings s;
    if (settings_parse("tempo-test", "tempo-test", 1, o.settings, strlen(o.settings), o.secrets,
                       o.n_secrets, &s, &err) < 0) {
        fprintf(stderr, "tempo_driver: %s\n", err.message);
        return 2;
    }
    struct instance *inst = instance_new(&s, NULL);
    struct job *jobs;
    size_t n;
    if (load_jobs(o.queries, inst, &jobs, &n) < 0) {
        instance_unref(inst);
        return 2;
    }
    if (o.health)
        print_health(inst);
    for (int r = 0; r < o.repeat; r++) {
        struct et_cancel token;
        et_cancel_init(&token);
        struct canceller c = {&token, o.cancel_after_ms};
        pthread_t timer;
        if (o.cancel_after_ms > 0)
            pthread_create(&timer, NULL, cancel_later, &c);
        run_round(jobs, n, o.parallel, &token);
        if (o.cancel_after_ms > 0)
            pthread_join(timer, NULL);
        for (size_t i = 0; i < n; i++) {
            print_result(r, &jobs[i]);
            exec_result_cleanup(&jobs[i].res);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(jobs[i].json);
        free((char *)jobs[i].q.ref_id);
    }
    free(jobs);
    instance_unref(inst);
    http_global_cleanup();
    return 0;
}
