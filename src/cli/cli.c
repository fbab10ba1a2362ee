/* SPDX-License-Identifier: Apache-2.0
 *
 * The command line of gpx_errortriage (see cli.h): argument parsing, settings
 * from flags or a datasource file, and the query/health commands. Queries go
 * through exec_run_query, the same function Data.QueryData calls.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/dsfile.h"
#include "cli/print.h"
#include "cli/timespec.h"
#include "cli/triage.h"
#include "config/instance.h"
#include "core/buf.h"
#include "core/json_escape.h"
#include "core/log.h"
#include "core/mem.h"
#include "frame/encode.h"
#include "http/http.h"
#include "query/exec.h"
#include "query/health.h"

#define EXIT_USAGE 2

static const char USAGE[] =
    "usage: gpx_errortriage <command> [options]\n"
    "\n"
    "Error triage from OpenTelemetry span metrics (Prometheus) and traces (Tempo).\n"
    "This executable is also the Grafana backend plugin; run by hand it is a CLI.\n"
    "\n"
    "commands:\n"
    "  query    run one panel query and print the answer\n"
    "  health   check the Prometheus and Tempo connections\n"
    "  triage   summarise and group the errors in OTLP JSON trace files (no server)\n"
    "  help     this text\n"
    "  version  the version\n"
    "\n"
    "settings (query, health):\n"
    "  --datasource FILE         provisioning YAML or JSON with jsonData/secureJsonData\n"
    "  --prometheus URL          Prometheus (or Mimir/Thanos/VictoriaMetrics) base URL\n"
    "  --tempo URL               Tempo base URL\n"
    "  --tempo-datasource-uid U  Grafana Tempo datasource for trace links\n"
    "  --metrics-schema S        auto | otel | otel-legacy | tempo\n"
    "  --tenant ID               X-Scope-OrgID for both backends\n"
    "  --timeout SECONDS         per backend request (default 30)\n"
    "\n"
    "query options:\n"
    "  --type, -t TYPE           error-rate | hotspots | top-types | variable | recent-errors |\n"
    "                            error-summary | trace-exceptions | error-groups\n"
    "  --from TIME, --to TIME    now-1h, now, unix seconds/ms or RFC 3339 (default now-1h..now)\n"
    "  --service S               filter (repeatable); also --route, --exception-type, "
    "--environment\n"
    "  --limit N, --trace-id ID, --group-by G, --mode M, --sort S, --compare previous-range,\n"
    "  --variable V              the query's fields (see docs/queries.md)\n"
    "  --json JSON               the query model as JSON; flags above are added to it\n"
    "  --interval SECONDS        step hint (default: range / 1000)\n"
    "  --format F                table (default) | json | arrow\n"
    "  --output DIR              with --format arrow: write one .arrow file per frame there\n"
    "  --wide                    do not cut long cells (stack traces)\n"
    "  --verbose, -v             show the executed queries and debug logs\n"
    "\n"
    "triage options (gpx_errortriage triage --help for all):\n"
    "  gpx_errortriage triage [--from T --to T] [--baseline FILE] [--service S] [--format F]\n"
    "                         FILE...\n"
    "    FILE: the OpenTelemetry Collector's file exporter output (one {\"resourceSpans\":...}\n"
    "    per line) or Tempo trace responses; '-' reads standard input.\n";

bool cli_is_command(const char *arg)
{
    static const char *const commands[] = {"query",   "health", "triage", "help",
                                           "version", "--help", "-h",     "--version"};
    for (size_t i = 0; arg && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(arg, commands[i]) == 0)
            return true;
    return false;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gpx_errortriage: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun 'gpx_errortriage help' for usage.\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* ---- options ----------------------------------------------------------------------------- */

struct cli_opts {
    const char *datasource, *prometheus, *tempo, *tempo_uid, *schema, *tenant;
    const char *type, *from, *to, *json, *format, *output;
    const char *limit, *trace_id, *group_by, *mode, *sort, *compare, *variable;
    long timeout, interval;
    struct et_strlist services, routes, exception_types, environment;
    bool wide, verbose;
};

enum {
    OPT_DATASOURCE = 1000,
    OPT_PROMETHEUS,
    OPT_TEMPO,
    OPT_TEMPO_UID,
    OPT_SCHEMA,
    OPT_TENANT,
    OPT_TIMEOUT,
    OPT_FROM,
    OPT_TO,
    OPT_SERVICE,
    OPT_ROUTE,
    OPT_EXCEPTION,
    OPT_ENVIRONMENT,
    OPT_LIMIT,
    OPT_TRACE_ID,
    OPT_GROUP_BY,
    OPT_MODE,
    OPT_SORT,
    OPT_COMPARE,
    OPT_VARIABLE,
    OPT_JSON,
    OPT_INTERVAL,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_WIDE,
};

static const struct option long_options[] = {
    {"datasource", required_argument, NULL, OPT_DATASOURCE},
    {"prometheus", required_argument, NULL, OPT_PROMETHEUS},
    {"tempo", required_argument, NULL, OPT_TEMPO},
    {"tempo-datasource-uid", required_argument, NULL, OPT_TEMPO_UID},
    {"metrics-schema", required_argument, NULL, OPT_SCHEMA},
    {"tenant", required_argument, NULL, OPT_TENANT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"type", required_argument, NULL, 't'},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"route", required_argument, NULL, OPT_ROUTE},
    {"exception-type", required_argument, NULL, OPT_EXCEPTION},
    {"environment", required_argument, NULL, OPT_ENVIRONMENT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"trace-id", required_argument, NULL, OPT_TRACE_ID},
    {"group-by", required_argument, NULL, OPT_GROUP_BY},
    {"mode", required_argument, NULL, OPT_MODE},
    {"sort", required_argument, NULL, OPT_SORT},
    {"compare", required_argument, NULL, OPT_COMPARE},
    {"variable", required_argument, NULL, OPT_VARIABLE},
    {"json", required_argument, NULL, OPT_JSON},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"wide", no_argument, NULL, OPT_WIDE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static long parse_long(const char *s, long min, long max, bool *ok)
{
    char *end;
    long v = strtol(s, &end, 10);
    *ok = *s && !*end && v >= min && v <= max;
    return v;
}

static const char **string_slot(struct cli_opts *o, int c)
{
    switch (c) {
    case OPT_DATASOURCE:
        return &o->datasource;
    case OPT_PROMETHEUS:
        return &o->prometheus;
    case OPT_TEMPO:
        return &o->tempo;
    case OPT_TEMPO_UID:
        return &o->tempo_uid;
    case OPT_SCHEMA:
        return &o->schema;
    case OPT_TENANT:
        return &o->tenant;
    case OPT_FROM:
        return &o->from;
    case OPT_TO:
        return &o->to;
    case OPT_LIMIT:
        return &o->limit;
    case OPT_TRACE_ID:
        return &o->trace_id;
    case OPT_GROUP_BY:
        return &o->group_by;
    case OPT_MODE:
        return &o->mode;
    case OPT_SORT:
        return &o->sort;
    case OPT_COMPARE:
        return &o->compare;
    case OPT_VARIABLE:
        return &o->variable;
    case OPT_JSON:
        return &o->json;
    case OPT_FORMAT:
        return &o->format;
    case OPT_OUTPUT:
        return &o->output;
    default:
        return NULL;
    }
}

static int set_string_option(struct cli_opts *o, int c, const char *arg)
{
    const char **slot = string_slot(o, c);
    if (!slot)
        return -1;
    *slot = arg;
    return 0;
}

static int parse_options(int argc, char **argv, struct cli_opts *o)
{
    bool ok;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":t:vh", long_options, NULL)) != -1) {
        switch (c) {
        case 't':
            o->type = optarg;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return 1;
        case OPT_WIDE:
            o->wide = true;
            break;
        case OPT_SERVICE:
            et_strlist_push(&o->services, optarg);
            break;
        case OPT_ROUTE:
            et_strlist_push(&o->routes, optarg);
            break;
        case OPT_EXCEPTION:
            et_strlist_push(&o->exception_types, optarg);
            break;
        case OPT_ENVIRONMENT:
            et_strlist_push(&o->environment, optarg);
            break;
        case OPT_TIMEOUT:
            o->timeout = parse_long(optarg, 1, 600, &ok);
            if (!ok)
                return usage_error("--timeout must be 1..600 seconds, not '%s'", optarg);
            break;
        case OPT_INTERVAL:
            o->interval = parse_long(optarg, 1, 86400 * 30, &ok);
            if (!ok)
                return usage_error("--interval must be a number of seconds, not '%s'", optarg);
            break;
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        case '?':
            return usage_error("unknown option '%s'", argv[optind - 1]);
        default:
            if (set_string_option(o, c, optarg) < 0)
                return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return 0;
}

/* ---- settings ----------------------------------------------------------------------------- */

static int build_instance(const struct cli_opts *o, struct instance **out)
{
    struct dsfile ds;
    struct et_error err;
    et_error_clear(&err);
    memset(&ds, 0, sizeof ds);
    if (o->datasource && dsfile_load(o->datasource, &ds, &err) < 0) {
        fprintf(stderr, "gpx_errortriage: %s\n", err.message);
        return EXIT_USAGE;
    }
    json_t *jd = json_loads(ds.json_data ? ds.json_data : "{}", 0, NULL);
    if (!jd)
        jd = json_object();
    if (o->prometheus)
        json_object_set_new(jd, "prometheusUrl", json_string(o->prometheus));
    if (o->tempo)
        json_object_set_new(jd, "tempoUrl", json_string(o->tempo));
    if (o->tempo_uid)
        json_object_set_new(jd, "tempoDatasourceUid", json_string(o->tempo_uid));
    if (o->schema)
        json_object_set_new(jd, "metricsSchema", json_string(o->schema));
    if (o->tenant)
        json_object_set_new(jd, "tenantId", json_string(o->tenant));
    if (o->timeout)
        json_object_set_new(jd, "timeoutSeconds", json_integer(o->timeout));
    char *text = json_dumps(jd, JSON_COMPACT);
    json_decref(jd);
    struct settings s;
    int rc = settings_parse(ds.uid ? ds.uid : "cli", ds.name ? ds.name : "errortriage", 0, text,
                            strlen(text), ds.secrets, ds.n_secrets, &s, &err);
    free(text);
    dsfile_cleanup(&ds);
    if (rc < 0) {
        fprintf(stderr, "gpx_errortriage: %s\n", err.message);
        return EXIT_USAGE;
    }
    if (!s.prometheus_url[0] && !s.tempo_url[0]) {
        settings_cleanup(&s);
        fprintf(stderr, "gpx_errortriage: no backend: give --prometheus URL and/or --tempo URL "
                        "(or --datasource FILE)\nRun 'gpx_errortriage help' for usage.\n");
        return EXIT_USAGE;
    }
    *out = instance_new(&s, NULL);
    return 0;
}

/* ---- query -------------------------------------------------------------------------------- */

static void set_list(json_t *q, const char *key, const struct et_strlist *l)
{
    if (l->n == 0)
        return;
    json_t *arr = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, json_string(l->items[i]));
    json_object_set_new(q, key, arr);
}

static int build_query_json(const struct cli_opts *o, char **out)
{
    json_t *q;
    if (o->json) {
        json_error_t jerr;
        q = json_loads(o->json, 0, &jerr);
        if (!q || !json_is_object(q)) {
            json_decref(q);
            return usage_error("--json is not a JSON object: %s",
                               q ? "(not an object)" : jerr.text);
        }
    } else {
        q = json_object();
    }
    if (o->type)
        json_object_set_new(q, "queryType", json_string(o->type));
    set_list(q, "services", &o->services);
    set_list(q, "routes", &o->routes);
    set_list(q, "exceptionTypes", &o->exception_types);
    set_list(q, "environment", &o->environment);
    const struct {
        const char *key;
        const char *value;
    } strs[] = {{"traceId", o->trace_id}, {"groupBy", o->group_by},  {"mode", o->mode},
                {"sort", o->sort},        {"compareTo", o->compare}, {"variable", o->variable}};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i].value)
            json_object_set_new(q, strs[i].key, json_string(strs[i].value));
    if (o->limit) {
        bool ok;
        long v = parse_long(o->limit, 1, 100000, &ok);
        if (!ok) {
            json_decref(q);
            return usage_error("--limit must be a positive number, not '%s'", o->limit);
        }
        json_object_set_new(q, "limit", json_integer(v));
    }
    if (!json_object_get(q, "queryType")) {
        json_decref(q);
        return usage_error("%s", "query needs --type (or queryType in --json)");
    }
    *out = json_dumps(q, JSON_COMPACT);
    json_decref(q);
    return 0;
}

static int write_json(const struct exec_result *r, const char *ref_id)
{
    struct et_buf out;
    et_buf_init(&out, ET_BUF_UNLIMITED);
    et_buf_append_str(&out, "{\"results\":{");
    et_json_append_cstring(&out, ref_id);
    et_buf_printf(&out, ":{\"status\":%d", et_error_is_set(&r->err) ? r->err.status : 200);
    if (et_error_is_set(&r->err)) {
        et_buf_append_str(&out, ",\"error\":");
        et_json_append_cstring(&out, r->err.message);
        et_buf_append_str(&out, ",\"errorSource\":");
        et_json_append_cstring(&out, et_error_source_name(r->err.source));
    }
    et_buf_append_str(&out, ",\"frames\":[");
    struct et_error err;
    for (size_t i = 0; i < r->frames.n; i++) {
        if (i)
            et_buf_putc(&out, ',');
        if (frame_write_json(r->frames.items[i], &out, &err) < 0) {
            fprintf(stderr, "gpx_errortriage: %s\n", err.message);
            et_buf_cleanup(&out);
            return 1;
        }
    }
    et_buf_append_str(&out, "]}}}\n");
    fwrite(out.data, 1, out.len, stdout);
    et_buf_cleanup(&out);
    return et_error_is_set(&r->err) ? 1 : 0;
}

static int write_arrow(const struct exec_result *r, const char *dir)
{
    if (!dir && r->frames.n != 1) {
        fprintf(stderr, "gpx_errortriage: %zu frames: use --output DIR to write Arrow files\n",
                r->frames.n);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < r->frames.n; i++) {
        struct et_buf b;
        struct et_error err;
        et_buf_init(&b, ET_BUF_UNLIMITED);
        if (frame_write_arrow(r->frames.items[i], &b, &err) < 0) {
            fprintf(stderr, "gpx_errortriage: %s\n", err.message);
            et_buf_cleanup(&b);
            return 1;
        }
        if (dir) {
            char path[4096];
            snprintf(path, sizeof path, "%s/frame%zu.arrow", dir, i);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(b.data, 1, b.len, f) != b.len) {
                fprintf(stderr, "gpx_errortriage: cannot write %s\n", path);
                if (f)
                    fclose(f);
                et_buf_cleanup(&b);
                return 1;
            }
            fclose(f);
        } else {
            fwrite(b.data, 1, b.len, stdout);
        }
        et_buf_cleanup(&b);
    }
    return 0;
}

static int run_query(const struct cli_opts *o)
{
    const char *format = o->format ? o->format : "table";
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0 && strcmp(format, "arrow") != 0)
        return usage_error("--format must be table, json or arrow, not '%s'", format);
    int64_t now = et_now_wall_ms(), from, to;
    if (timespec_parse(o->from ? o->from : "now-1h", now, &from) < 0)
        return usage_error("--from: cannot read time '%s'", o->from);
    if (timespec_parse(o->to ? o->to : "now", now, &to) < 0)
        return usage_error("--to: cannot read time '%s'", o->to);
    char *qjson = NULL;
    int rc = build_query_json(o, &qjson);
    if (rc)
        return rc;
    struct instance *inst = NULL;
    if ((rc = build_instance(o, &inst)) != 0) {
        free(qjson);
        return rc;
    }
    struct exec_query q = {"A", NULL, qjson, strlen(qjson), from, to, o->interval * 1000, 0};
    struct exec_result r;
    exec_result_init(&r);
    exec_run_query(inst, &q, NULL, &r);
    if (strcmp(format, "json") == 0) {
        rc = write_json(&r, "A");
    } else if (strcmp(format, "arrow") == 0) {
        rc = et_error_is_set(&r.err) ? 1 : write_arrow(&r, o->output);
        if (et_error_is_set(&r.err))
            fprintf(stderr, "gpx_errortriage: query failed (status %d, %s): %s\n", r.err.status,
                    et_error_source_name(r.err.source), r.err.message);
    } else if (et_error_is_set(&r.err)) {
        fprintf(stderr, "gpx_errortriage: query failed (status %d, %s): %s\n", r.err.status,
                et_error_source_name(r.err.source), r.err.message);
        rc = 1;
    } else {
        struct print_options po = {o->wide, o->verbose, 60};
        print_frames(stdout, &r.frames, &po);
        rc = 0;
    }
    /* A query the model refused (unknown type, bad field) is the caller's mistake: exit 2. */
    if (rc != 0 && et_error_is_set(&r.err) && r.err.status == 400 &&
        r.err.source == ET_SOURCE_PLUGIN)
        rc = 2;
    exec_result_cleanup(&r);
    instance_unref(inst);
    free(qjson);
    return rc;
}

static int run_health(const struct cli_opts *o)
{
    struct instance *inst = NULL;
    int rc = build_instance(o, &inst);
    if (rc)
        return rc;
    char *message = NULL;
    json_t *details = NULL;
    enum health_status st = health_check(inst, NULL, &message, &details);
    if (o->format && strcmp(o->format, "json") == 0) {
        json_t *out = json_object();
        json_object_set_new(out, "status", json_string(st == HEALTH_OK ? "OK" : "ERROR"));
        json_object_set_new(out, "message", json_string(message));
        json_object_set_new(out, "details", details);
        char *text = json_dumps(out, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
        json_decref(out);
    } else {
        printf("%s: %s\n", st == HEALTH_OK ? "OK" : "ERROR", message);
        json_decref(details);
    }
    free(message);
    instance_unref(inst);
    return st == HEALTH_OK ? 0 : 1;
}

static void opts_cleanup(struct cli_opts *o)
{
    et_strlist_cleanup(&o->services);
    et_strlist_cleanup(&o->routes);
    et_strlist_cleanup(&o->exception_types);
    et_strlist_cleanup(&o->environment);
}

int cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("gpx_errortriage %s\n", ERRORTRIAGE_VERSION);
        return 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "triage") == 0)
        return triage_main(argc - 1, argv + 1);
    if (strcmp(cmd, "query") != 0 && strcmp(cmd, "health") != 0)
        return usage_error("unknown command '%s'", cmd);

    struct cli_opts o;
    memset(&o, 0, sizeof o);
    et_strlist_init(&o.services);
    et_strlist_init(&o.routes);
    et_strlist_init(&o.exception_types);
    et_strlist_init(&o.environment);
    int rc = parse_options(argc - 1, argv + 1, &o);
    if (rc != 0) {
        opts_cleanup(&o);
        return rc == 1 ? 0 : rc;
    }
    et_log_set_level(o.verbose ? ET_LOG_DEBUG : ET_LOG_OFF);
    http_global_init();
    rc = strcmp(cmd, "query") == 0 ? run_query(&o) : run_health(&o);
    http_global_cleanup();
    opts_cleanup(&o);
    return rc;
}
