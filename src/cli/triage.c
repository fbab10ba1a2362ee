/* SPDX-License-Identifier: Apache-2.0
 *
 * `gpx_errortriage triage FILE...` (see triage.h): offline error summary and
 * error groups from OTLP JSON trace files.
 *
 * Flow: every file is read one document at a time (otlp_file.h); each
 * trace's error events go to a disk spool (triage_events.h) while the
 * files' time span is measured; then the range and its baseline are decided
 * (options, or the files' own span) and the spool is replayed once into the
 * analysis module's aggregators, whose rows become the `error-summary` and
 * `error-groups` frames (triage_frames.h), printed as `query` prints frames.
 * Memory is bounded by one document plus the aggregators, never by the
 * number of traces.
 */
#include "cli/triage.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/otlp_file.h"
#include "cli/print.h"
#include "cli/timespec.h"
#include "cli/triage_events.h"
#include "cli/triage_frames.h"
#include "core/buf.h"
#include "core/cancel.h"
#include "core/log.h"
#include "frame/encode.h"

#define EXIT_INPUT       1
#define EXIT_USAGE       2
#define TREND_BUCKETS    20
#define NS_PER_MS        1000000LL
#define TRIAGE_REF_ID    "A"
#define TRIAGE_LIMIT_MAX 100000

static const char USAGE[] =
    "usage: gpx_errortriage triage [options] FILE...\n"
    "\n"
    "Error summary and error groups (by stack-trace fingerprint) from OTLP JSON trace files,\n"
    "without any server. FILE is the OpenTelemetry Collector's file exporter output (one\n"
    "{\"resourceSpans\":...} per line) or a Tempo trace-by-ID answer ({\"batches\":...} or\n"
    "{\"trace\":...}, pretty-printed or not); '-' reads standard input. The shape is detected\n"
    "per file.\n"
    "\n"
    "options:\n"
    "  --from TIME, --to TIME  the range to triage (now-1h, unix s/ms, RFC 3339); default: the\n"
    "                          files' whole span. With a range, the previous range of equal\n"
    "                          length (where the files cover it) is the baseline for 'new'\n"
    "  --baseline FILE         errors known before (repeatable): groups seen there are not new\n"
    "  --service S             only this service (repeatable)\n"
    "  --sort count|new        order of the groups (default count)\n"
    "  --limit N               at most N rows per table\n"
    "  --format F              table (default) | json | arrow\n"
    "  --output DIR            with --format arrow: write frame0.arrow, frame1.arrow there\n"
    "  --wide                  do not cut long cells (stack traces)\n"
    "  -h, --help              this text\n"
    "\n"
    "exit status: 0 done, 1 unreadable or malformed input (FILE:LINE: message), 2 bad arguments\n";

struct triage_opts {
    const char *format;
    const char *output;
    const char *from_text, *to_text;
    int64_t from_ns, to_ns; /* 0 when not given */
    enum error_groups_sort sort;
    size_t limit; /* 0: all */
    bool wide;
    struct et_strlist services;
    struct et_strlist baseline_files;
    struct et_strlist files;
};

/* What reading the files found. */
struct reading {
    struct triage_spool *spool;
    const struct et_strlist *services;
    bool baseline_file; /* the file being read is a --baseline file */
    bool any_span;      /* of the main files */
    int64_t min_ns;     /* earliest and latest span start of the main files */
    int64_t max_ns;
};

/* The range shown and its baseline. */
struct window {
    int64_t from_ns, to_ns; /* inclusive */
    bool given;             /* --from or --to */
    bool baseline;          /* a baseline is known: groups can be new */
    int64_t base_from_ns;   /* with `given`: start of the previous range */
};

struct analysis {
    const struct window *w;
    struct error_summary *summary;
    struct error_groups *groups;
    size_t current, previous;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gpx_errortriage triage: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun 'gpx_errortriage triage --help' for usage.\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* ---- options ----------------------------------------------------------------------------- */

enum {
    OPT_FROM = 1000,
    OPT_TO,
    OPT_BASELINE,
    OPT_SERVICE,
    OPT_SORT,
    OPT_LIMIT,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_WIDE,
};

static const struct option long_options[] = {
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"sort", required_argument, NULL, OPT_SORT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"wide", no_argument, NULL, OPT_WIDE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int set_option(struct triage_opts *o, int c, const char *arg)
{
    char *end;
    long v;
    switch (c) {
    case OPT_FROM:
        o->from_text = arg;
        return 0;
    case OPT_TO:
        o->to_text = arg;
        return 0;
    case OPT_BASELINE:
        et_strlist_push(&o->baseline_files, arg);
        return 0;
    case OPT_SERVICE:
        et_strlist_push(&o->services, arg);
        return 0;
    case OPT_SORT:
        if (strcmp(arg, "count") != 0 && strcmp(arg, "new") != 0)
            return usage_error("--sort must be count or new, not '%s'", arg);
        o->sort = arg[0] == 'n' ? ERROR_GROUPS_BY_NEW : ERROR_GROUPS_BY_COUNT;
        return 0;
    case OPT_LIMIT:
        v = strtol(arg, &end, 10);
        if (!*arg || *end || v < 1 || v > TRIAGE_LIMIT_MAX)
            return usage_error("--limit must be a number from 1 to %d, not '%s'", TRIAGE_LIMIT_MAX,
                               arg);
        o->limit = (size_t)v;
        return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "table") != 0 && strcmp(arg, "json") != 0 && strcmp(arg, "arrow") != 0)
            return usage_error("--format must be table, json or arrow, not '%s'", arg);
        o->format = arg;
        return 0;
    case OPT_OUTPUT:
        o->output = arg;
        return 0;
    case OPT_WIDE:
        o->wide = true;
        return 0;
    default:
        return usage_error("unknown option");
    }
}

static int parse_times(struct triage_opts *o)
{
    int64_t now = et_now_wall_ms(), ms;
    if (o->from_text) {
        if (timespec_parse(o->from_text, now, &ms) < 0)
            return usage_error("--from: cannot read time '%s'", o->from_text);
        o->from_ns = ms * NS_PER_MS;
    }
    if (o->to_text) {
        if (timespec_parse(o->to_text, now, &ms) < 0)
            return usage_error("--to: cannot read time '%s'", o->to_text);
        o->to_ns = ms * NS_PER_MS;
    }
    if (o->from_text && o->to_text && o->to_ns <= o->from_ns)
        return usage_error("--to (%s) must be after --from (%s)", o->to_text, o->from_text);
    return 0;
}

static int check_files(const struct triage_opts *o)
{
    int stdin_uses = 0;
    for (size_t i = 0; i < o->files.n; i++)
        stdin_uses += strcmp(o->files.items[i], "-") == 0;
    for (size_t i = 0; i < o->baseline_files.n; i++)
        stdin_uses += strcmp(o->baseline_files.items[i], "-") == 0;
    if (o->files.n == 0)
        return usage_error("%s", "no trace file given (use '-' for standard input)");
    if (stdin_uses > 1)
        return usage_error("%s", "'-' (standard input) may be given only once");
    if (o->output && strcmp(o->format, "arrow") != 0)
        return usage_error("%s", "--output goes with --format arrow");
    if (strcmp(o->format, "arrow") == 0 && !o->output)
        return usage_error("%s", "--format arrow writes two frames: give --output DIR");
    return 0;
}

/* 0: go on, 1: help was printed, 2: usage error (printed). */
static int parse_options(int argc, char **argv, struct triage_opts *o)
{
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(USAGE, stdout);
            return 1;
        }
        if (c == ':')
            return usage_error("option %s needs a value", argv[optind - 1]);
        if (c == '?')
            return usage_error("unknown option '%s'", argv[optind - 1]);
        if (set_option(o, c, optarg) != 0)
            return EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++)
        et_strlist_push(&o->files, argv[i]);
    int rc = parse_times(o);
    return rc ? rc : check_files(o);
}

/* ---- reading ----------------------------------------------------------------------------- */

static int on_event(void *ctx, const struct error_event *ev, struct et_error *err)
{
    struct reading *rd = ctx;
    struct error_event e = *ev;
    e.in_baseline = rd->baseline_file;
    return triage_spool_add(rd->spool, &e, err);
}

static int on_trace(void *ctx, const struct tempo_trace *t, long line, struct et_error *err)
{
    (void)line;
    struct reading *rd = ctx;
    for (size_t i = 0; i < t->n_spans && !rd->baseline_file; i++) {
        int64_t s = t->spans[i].start_ns;
        if (s <= 0)
            continue; /* no start time: says nothing about the files' span */
        if (!rd->any_span || s < rd->min_ns)
            rd->min_ns = s;
        if (!rd->any_span || s > rd->max_ns)
            rd->max_ns = s;
        rd->any_span = true;
    }
    return triage_events_of_trace(t, rd->services, on_event, rd, err);
}

static int read_file(struct reading *rd, const char *path, struct et_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "%s: cannot open: %s", path,
                            strerror(errno));
    int rc = otlp_file_read(f, is_stdin ? "<stdin>" : path, on_trace, rd, NULL, err);
    if (!is_stdin)
        fclose(f);
    return rc;
}

static int read_inputs(const struct triage_opts *o, struct reading *rd, struct et_error *err)
{
    for (size_t i = 0; i < o->files.n; i++)
        if (read_file(rd, o->files.items[i], err) < 0)
            return -1;
    rd->baseline_file = true;
    for (size_t i = 0; i < o->baseline_files.n; i++)
        if (read_file(rd, o->baseline_files.items[i], err) < 0)
            return -1;
    return 0;
}

/* ---- range and analysis ------------------------------------------------------------------ */

static int decide_window(const struct triage_opts *o, const struct reading *rd, struct window *w)
{
    memset(w, 0, sizeof *w);
    w->given = o->from_text || o->to_text;
    w->from_ns = o->from_text ? o->from_ns : rd->min_ns;
    w->to_ns = o->to_text ? o->to_ns : rd->max_ns;
    if (w->given && w->to_ns <= w->from_ns)
        return usage_error("the range is empty: the files end before --from or start after --to "
                           "(give both --from and --to)");
    if (w->to_ns <= w->from_ns)
        w->to_ns = w->from_ns + 1;
    w->base_from_ns = w->from_ns - (w->to_ns - w->from_ns);
    w->baseline = o->baseline_files.n > 0 || (w->given && rd->any_span && rd->min_ns < w->from_ns);
    return 0;
}

static int on_replay(void *ctx, const struct error_event *ev, struct et_error *err)
{
    (void)err;
    struct analysis *a = ctx;
    const struct window *w = a->w;
    struct error_event e = *ev;
    if (!ev->in_baseline && ev->time_ns >= w->from_ns && ev->time_ns <= w->to_ns)
        e.in_baseline = false;
    else if (ev->in_baseline || (w->given && w->baseline && ev->time_ns >= w->base_from_ns &&
                                 ev->time_ns < w->from_ns))
        e.in_baseline = true;
    else
        return 0;
    if (e.in_baseline)
        a->previous++;
    else
        a->current++;
    error_summary_add(a->summary, &e);
    error_groups_add(a->groups, &e);
    return 0;
}

static void format_ns(int64_t ns, char *out, size_t size)
{
    timespec_format(ns / NS_PER_MS, out, size);
}

static void add_range_notices(struct frame *groups, const struct analysis *a,
                              const struct triage_opts *o, const struct reading *rd)
{
    const struct window *w = a->w;
    char from[32], to[32], note[600];
    format_ns(w->from_ns, from, sizeof from);
    format_ns(w->to_ns, to, sizeof to);
    if (!w->baseline) {
        snprintf(note, sizeof note,
                 "Grouped %zu error spans of %s to %s (UTC) by stack-trace fingerprint. No "
                 "baseline, so no group is marked new: give --from/--to (the previous range of "
                 "equal length in the files is the baseline) or --baseline FILE.",
                 a->current, from, to);
        frame_meta_add_notice(groups, FRAME_NOTICE_INFO, note);
        return;
    }
    snprintf(note, sizeof note,
             "Grouped %zu error spans of %s to %s (UTC) by stack-trace fingerprint (%zu in the "
             "baseline: %s).",
             a->current, from, to, a->previous,
             o->baseline_files.n && !w->given ? "the --baseline files"
             : o->baseline_files.n            ? "the previous range and the --baseline files"
                                              : "the previous range of equal length");
    frame_meta_add_notice(groups, FRAME_NOTICE_INFO, note);
    if (w->given && rd->min_ns > w->base_from_ns && o->baseline_files.n == 0) {
        format_ns(rd->min_ns, from, sizeof from);
        snprintf(note, sizeof note,
                 "The files cover only part of the previous range (from %s): 'new' means not "
                 "seen in that part.",
                 from);
        frame_meta_add_notice(groups, FRAME_NOTICE_WARNING, note);
    }
}

static int analyse(const struct triage_opts *o, const struct reading *rd, const struct window *w,
                   struct frame_list *out, struct et_error *err)
{
    struct error_groups_options gopt = {
        .from_ns = w->from_ns,
        .to_ns = w->to_ns,
        .buckets = TREND_BUCKETS,
        .baseline = w->baseline,
        .list_resolved = w->baseline,
    };
    struct analysis a = {w, error_summary_new(), error_groups_new(&gopt), 0, 0};
    int rc = triage_spool_replay(rd->spool, on_replay, &a, err);
    if (rc == 0) {
        frame_list_push(out, triage_summary_frame(TRIAGE_REF_ID, a.summary, o->limit));
        struct frame *g =
            triage_groups_frame(TRIAGE_REF_ID, a.groups, o->sort, w->baseline, o->limit);
        add_range_notices(g, &a, o, rd);
        frame_list_push(out, g);
    }
    error_summary_free(a.summary);
    error_groups_free(a.groups);
    return rc;
}

/* ---- output ------------------------------------------------------------------------------ */

/* The same envelope as `query --format json`. */
static int write_json(const struct frame_list *frames, struct et_error *err)
{
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    et_buf_append_str(&out, "{\"results\":{\"" TRIAGE_REF_ID "\":{\"status\":200,\"frames\":[");
    int rc = 0;
    for (size_t i = 0; i < frames->n && rc == 0; i++) {
        if (i)
            et_buf_putc(&out, ',');
        rc = frame_write_json(frames->items[i], &out, err);
    }
    et_buf_append_str(&out, "]}}}\n");
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    et_buf_cleanup(&out);
    return rc;
}

static int write_arrow(const struct frame_list *frames, const char *dir, struct et_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < frames->n && rc == 0; i++) {
        struct et_buf b;
        et_buf_init(&b, ET_BUF_UNLIMITED);
        rc = frame_write_arrow(frames->items[i], &b, err);
        char path[4096];
        snprintf(path, sizeof path, "%s/frame%zu.arrow", dir, i);
        FILE *f = rc == 0 ? fopen(path, "wb") : NULL;
        if (rc == 0 && (!f || fwrite(b.data, 1, b.len, f) != b.len))
            rc = et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot write %s", path);
        if (f && fclose(f) != 0 && rc == 0)
            rc = et_error_set(err, 500, ET_SOURCE_PLUGIN, "cannot write %s", path);
        et_buf_cleanup(&b);
    }
    return rc;
}

static int write_frames(const struct triage_opts *o, const struct frame_list *frames,
                        struct et_error *err)
{
    if (strcmp(o->format, "json") == 0)
        return write_json(frames, err);
    if (strcmp(o->format, "arrow") == 0)
        return write_arrow(frames, o->output, err);
    struct print_options po = {o->wide, false, 60};
    print_frames(stdout, frames, &po);
    return 0;
}

/* ---- command ----------------------------------------------------------------------------- */

static int run(const struct triage_opts *o)
{
    struct et_error err;
    et_error_clear(&err);
    struct reading rd = {0};
    rd.services = &o->services;
    if (!(rd.spool = triage_spool_new(&err))) {
        fprintf(stderr, "gpx_errortriage triage: %s\n", err.message);
        return EXIT_INPUT;
    }
    struct window w;
    struct frame_list frames;
    frame_list_init(&frames);
    int rc = read_inputs(o, &rd, &err) < 0 ? EXIT_INPUT : decide_window(o, &rd, &w);
    if (rc == 0 && (analyse(o, &rd, &w, &frames, &err) < 0 || write_frames(o, &frames, &err) < 0))
        rc = EXIT_INPUT;
    if (rc == EXIT_INPUT)
        fprintf(stderr, "gpx_errortriage triage: %s\n", err.message);
    frame_list_cleanup(&frames);
    triage_spool_free(rd.spool);
    return rc;
}

int triage_main(int argc, char **argv)
{
    struct triage_opts o;
    memset(&o, 0, sizeof o);
    o.format = "table";
    et_strlist_init(&o.services);
    et_strlist_init(&o.baseline_files);
    et_strlist_init(&o.files);
    int rc = parse_options(argc, argv, &o);
    if (rc == 1) {
        rc = 0; /* --help */
    } else if (rc == 0) {
        et_log_set_level(ET_LOG_OFF);
        rc = run(&o);
    }
    et_strlist_cleanup(&o.services);
    et_strlist_cleanup(&o.baseline_files);
    et_strlist_cleanup(&o.files);
    return rc;
}
