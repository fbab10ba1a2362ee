/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame encoder benchmark: prints throughput (MB/s of encoded output and
 * rows/s) for
 *   - numeric: 1M rows, a time field and a float64 field (the time series
 *     shape), built with the bulk appends, encoded as Arrow and as JSON;
 *   - numeric with nulls: the same with a nullable value field (1% nulls);
 *   - mixed: 1M rows of time, service and route strings, an int64 count and a
 *     nullable float64 (the error table shape), encoded as Arrow and JSON;
 * plus the cost of building each frame. Each figure is the best of several
 * runs; Arrow is timed into a reused buffer (the encoder's own cost) and into
 * a new buffer each time (what a response pays, page faults included). Target (issue 2): >= 1 GB/s
 * for Arrow on numeric columns.
 *
 *   bench_frame [rows]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/buf.h"
#include "frame/encode.h"
#include "frame/frame.h"

#define RUNS 7

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct frame *build_numeric(size_t rows, bool with_nulls)
{
    struct frame *f = frame_new("");
    frame_set_ref_id(f, "A");
    frame_meta_set_type(f, "timeseries-multi", 0, 1);
    struct frame_field *t = frame_add_field(f, "Time", FRAME_TIME, false);
    struct frame_field *v = frame_add_field(f, "Value", FRAME_FLOAT64, with_nulls);
    frame_field_set_label(v, "service", "checkout");
    enum { CHUNK = 4096 };
    int64_t ts[CHUNK];
    double vs[CHUNK];
    for (size_t done = 0; done < rows;) {
        size_t n = rows - done < CHUNK ? rows - done : CHUNK;
        for (size_t i = 0; i < n; i++) {
            ts[i] = 1700000000000000000LL + (int64_t)(done + i) * 15000000000LL;
            vs[i] = (double)((done + i) % 1000) * 0.125;
        }
        frame_field_append_times_ns(t, ts, n);
        if (!with_nulls) {
            frame_field_append_floats(v, vs, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                if ((done + i) % 100 == 7)
                    frame_field_append_null(v);
                else
                    frame_field_append_float(v, vs[i]);
            }
        }
        done += n;
    }
    return f;
}

static struct frame *build_mixed(size_t rows)
{
    static const char *const services[] = {"checkout", "cart", "payment", "frontend", "email"};
    static const char *const routes[] = {"/api/checkout", "/api/cart/items", "/pay", "/",
                                         "/api/users/{id}/orders"};
    struct frame *f = frame_new("recent-errors");
    frame_set_ref_id(f, "A");
    frame_meta_set_preferred_visualisation(f, "table");
    struct frame_field *t = frame_add_field(f, "time", FRAME_TIME, false);
    struct frame_field *s = frame_add_field(f, "service", FRAME_STRING, false);
    struct frame_field *r = frame_add_field(f, "route", FRAME_STRING, false);
    struct frame_field *c = frame_add_field(f, "count", FRAME_INT64, false);
    struct frame_field *d = frame_add_field(f, "duration", FRAME_FLOAT64, true);
    for (size_t i = 0; i < rows; i++) {
        frame_field_append_time_ns(t, 1700000000000000000LL + (int64_t)i * 1000);
        frame_field_append_cstring(s, services[i % 5]);
        frame_field_append_cstring(r, routes[(i / 5) % 5]);
        frame_field_append_int(c, (int64_t)(i % 97));
        if (i % 50 == 0)
            frame_field_append_null(d);
        else
            frame_field_append_float(d, (double)(i % 3000) * 0.01);
    }
    return f;
}

/* Best time of RUNS encodings. `fresh`: each into a new buffer, as a query
 * response is (allocation and page faults counted); otherwise into one reused
 * buffer (the encoder alone). *bytes gets the encoded size. */
static double best_encode(const struct frame *f, enum frame_format format, bool fresh,
                          size_t *bytes)
{
    double best = 1e30;
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    for (int run = 0; run < RUNS; run++) {
        struct et_error err;
        et_error_clear(&err);
        if (fresh)
            et_buf_cleanup(&out);
        else
            et_buf_reset(&out);
        double start = now_seconds();
        if (frame_write(f, format, &out, &err) != 0) {
            fprintf(stderr, "encode failed: %s\n", err.message);
            exit(1);
        }
        double took = now_seconds() - start;
        if (took < best)
            best = took;
        *bytes = out.len;
    }
    et_buf_cleanup(&out);
    return best;
}

static void report(const char *what, const struct frame *f, size_t rows)
{
    static const struct {
        enum frame_format format;
        bool fresh;
        const char *name;
    } modes[] = {{FRAME_FORMAT_ARROW, false, "arrow"},
                 {FRAME_FORMAT_ARROW, true, "arrow (new buffer)"},
                 {FRAME_FORMAT_JSON, false, "json"}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        size_t bytes;
        double s = best_encode(f, modes[i].format, modes[i].fresh, &bytes);
        printf("frame_encode %-14s %-18s rows=%zu bytes=%zu  %9.1f MB/s  %11.0f rows/s  "
               "(%.2f ms)\n",
               what, modes[i].name, rows, bytes, (double)bytes / s / 1e6, (double)rows / s,
               s * 1e3);
    }
}

static struct frame *timed_build(const char *what, struct frame *(*build)(size_t, bool),
                                 size_t rows, bool nulls)
{
    double best = 1e30;
    struct frame *keep = NULL;
    for (int run = 0; run < 3; run++) {
        double start = now_seconds();
        struct frame *f = build(rows, nulls);
        double took = now_seconds() - start;
        if (took < best)
            best = took;
        frame_free(keep);
        keep = f;
    }
    printf("frame_build  %-14s %-18s rows=%zu  %11.0f rows/s  (%.2f ms)\n", what, "", rows,
           (double)rows / best, best * 1e3);
    return keep;
}

static struct frame *build_mixed_adapter(size_t rows, bool unused)
{
    (void)unused;
    return build_mixed(rows);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    frame_free(build_numeric(rows, false)); /* warm-up: the allocator's first large blocks */
    struct frame *numeric = timed_build("numeric", build_numeric, rows, false);
    report("numeric", numeric, rows);
    frame_free(numeric);
    struct frame *gaps = timed_build("numeric+nulls", build_numeric, rows, true);
    report("numeric+nulls", gaps, rows);
    frame_free(gaps);
    struct frame *mixed = timed_build("mixed+strings", build_mixed_adapter, rows, false);
    report("mixed+strings", mixed, rows);
    frame_free(mixed);
    return 0;
}
