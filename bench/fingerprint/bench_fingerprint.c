/* SPDX-License-Identifier: Apache-2.0
 *
 * Fingerprints per second on one core over the hand-labelled corpus
 * (tests/analysis/corpus): every trace is parsed, normalised and hashed with
 * its attributes, round after round, by one fingerprint_ctx, the way the
 * error-groups engine does it. Also prints the rate of the error-groups
 * engine fed the same events, and of the message normaliser alone.
 *
 * Times are this thread's CPU time, so the figures hold on a busy machine.
 * Usage: bench_fingerprint [corpus dir] [CPU seconds per figure, default 2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/error_groups.h"
#include "analysis/fingerprint.h"
#include "analysis/message.h"
#include "core/buf.h"

#define MAX_TRACES 1024

struct sample {
    char *text;
    size_t len;
    char type[512];
    char sdk[32];
    char message[4096];
};

static struct sample samples[MAX_TRACES];
static size_t n_samples;
static size_t total_bytes;

/* CPU time of this thread: "per second on one core" whatever else the
 * machine is running (wall time would count time spent waiting for a core). */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct et_buf b;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        et_buf_append(&b, chunk, n);
    fclose(f);
    return et_buf_take(&b, len);
}

static void field(char *dst, size_t cap, const char *src, size_t n)
{
    n = n < cap ? n : cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* labels.tsv: file, group, culprit, type, sdk, message */
static int load(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/labels.tsv", dir);
    size_t len;
    char *labels = read_file(path, &len);
    if (!labels)
        return -1;
    for (char *line = strtok(labels, "\n"); line && n_samples < MAX_TRACES;
         line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        const char *f[6];
        size_t fl[6];
        const char *p = line;
        int k = 0;
        for (; k < 6; k++) {
            const char *tab = k < 5 ? strchr(p, '\t') : NULL;
            f[k] = p;
            fl[k] = tab ? (size_t)(tab - p) : strlen(p);
            if (k < 5 && !tab)
                break;
            p = tab ? tab + 1 : p;
        }
        if (k < 6)
            continue;
        struct sample *s = &samples[n_samples];
        char file[512];
        field(file, sizeof file, f[0], fl[0]);
        snprintf(path, sizeof path, "%s/%s", dir, file);
        s->text = read_file(path, &s->len);
        if (!s->text)
            continue;
        field(s->type, sizeof s->type, f[3], fl[3]);
        field(s->sdk, sizeof s->sdk, f[4], fl[4]);
        field(s->message, sizeof s->message, f[5], fl[5]);
        total_bytes += s->len;
        n_samples++;
    }
    free(labels);
    return n_samples ? 0 : -1;
}

static double bench_fingerprints(double seconds, unsigned long long *checksum)
{
    struct fingerprint_ctx *ctx = fingerprint_ctx_new();
    unsigned long long done = 0;
    double start = now(), elapsed;
    do {
        for (size_t i = 0; i < n_samples; i++) {
            struct fingerprint_input in = {
                .exception_type = samples[i].type[0] ? samples[i].type : NULL,
                .message = samples[i].message,
                .stacktrace = samples[i].text,
                .stacktrace_len = samples[i].len,
                .sdk_language = samples[i].sdk[0] ? samples[i].sdk : NULL,
            };
            struct fingerprint fp;
            fingerprint_compute(ctx, &in, &fp);
            *checksum += fp.hash;
        }
        done += n_samples;
        elapsed = now() - start;
    } while (elapsed < seconds);
    fingerprint_ctx_free(ctx);
    return (double)done / elapsed;
}

static double bench_groups(double seconds, size_t *groups)
{
    unsigned long long done = 0;
    double start = now(), elapsed;
    do {
        struct error_groups_options opt = {
            .from_ns = 0, .to_ns = 3600000000000LL, .buckets = 20, .baseline = true};
        struct error_groups *g = error_groups_new(&opt);
        for (int round = 0; round < 10; round++) {
            for (size_t i = 0; i < n_samples; i++) {
                struct error_event ev = {
                    .time_ns = (int64_t)(i * 1000003 + (size_t)round * 77777) % 3600000000000LL,
                    .service = "checkout",
                    .route = "POST /api/checkout",
                    .exception_type = samples[i].type,
                    .message = samples[i].message,
                    .stacktrace = samples[i].text,
                    .sdk_language = samples[i].sdk,
                    .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                    .span_id = "00f067aa0ba902b7",
                    .in_baseline = round % 2 == 1,
                };
                error_groups_add(g, &ev);
            }
        }
        error_groups_rows(g, ERROR_GROUPS_BY_COUNT, groups);
        error_groups_free(g);
        done += 10 * n_samples;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return (double)done / elapsed;
}

static double bench_messages(double seconds)
{
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    unsigned long long done = 0;
    double start = now(), elapsed;
    do {
        for (size_t i = 0; i < n_samples; i++) {
            et_buf_reset(&out);
            message_template(samples[i].message, strlen(samples[i].message), &out);
        }
        done += n_samples;
        elapsed = now() - start;
    } while (elapsed < seconds);
    et_buf_cleanup(&out);
    return (double)done / elapsed;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/analysis/corpus";
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    if (load(dir) != 0) {
        fprintf(stderr, "cannot read the corpus in %s\n", dir);
        return 1;
    }
    unsigned long long checksum = 0;
    size_t groups = 0;
    double fps = bench_fingerprints(seconds, &checksum);
    double eps = bench_groups(seconds, &groups);
    double mps = bench_messages(seconds);
    printf("corpus: %zu stack traces, %zu bytes (mean %zu bytes)\n", n_samples, total_bytes,
           total_bytes / n_samples);
    printf("fingerprints/s (one core):        %10.0f  (%.2f us each; target >= 100000)\n", fps,
           1e6 / fps);
    printf("error-groups events/s (one core): %10.0f  (%zu groups)\n", eps, groups);
    printf("message templates/s (one core):   %10.0f\n", mps);
    printf("checksum %016llx\n", checksum);
    return 0;
}
