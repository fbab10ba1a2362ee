/* SPDX-License-Identifier: Apache-2.0
 *
 * Structured logging in go-plugin's hclog JSON shape (see log.h).
 *
 * The only mutable state is the level and the fd, written once at start-up
 * and read with relaxed atomics afterwards.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json_escape.h"

#define LOG_VALUE_MAX 8192

static _Atomic int log_level = ET_LOG_INFO;
static _Atomic int log_fd = 2;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error", "off"};

void et_log_set_level(enum et_log_level level)
{
    atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

enum et_log_level et_log_get_level(void)
{
    return (enum et_log_level)atomic_load_explicit(&log_level, memory_order_relaxed);
}

int et_log_level_parse(const char *name)
{
    for (int i = 0; i <= ET_LOG_OFF; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    if (strcasecmp(name, "warning") == 0)
        return ET_LOG_WARN;
    return -1;
}

void et_log_set_fd(int fd)
{
    atomic_store_explicit(&log_fd, fd, memory_order_relaxed);
}

void et_log_timestamp(char *out, unsigned long size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[24]; /* "YYYY-MM-DDTHH:MM:SS": 19 characters up to year 9999 */
    if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        base[0] = '\0';
    /* The microseconds bounded to 6 digits in the type too, so GCC's -O3
     * format-truncation check sees the output fits 40 bytes. */
    unsigned long usec = (unsigned long)ts.tv_nsec / 1000u % 1000000u;
    snprintf(out, size, "%s.%06luZ", base, usec);
}

static void append_value(struct et_buf *line, const char *v)
{
    if (!v) {
        et_buf_append_str(line, "null");
        return;
    }
    size_t n = strlen(v);
    if (n > LOG_VALUE_MAX)
        n = LOG_VALUE_MAX;
    et_json_append_string(line, v, n);
}

static void emit(enum et_log_level level, const char *module, const char *message, va_list kv)
{
    struct et_buf line;
    et_buf_init(&line, 60 * 1024);
    char ts[40];
    et_log_timestamp(ts, sizeof ts);
    et_buf_append_str(&line, "{\"@level\":\"");
    et_buf_append_str(&line, level_names[level]);
    et_buf_append_str(&line, "\",\"@message\":");
    append_value(&line, message);
    et_buf_append_str(&line, ",\"@module\":");
    append_value(&line, module ? module : "errortriage");
    et_buf_append_str(&line, ",\"@timestamp\":\"");
    et_buf_append_str(&line, ts);
    et_buf_putc(&line, '"');
    if (kv) {
        for (;;) {
            const char *k = va_arg(kv, const char *);
            if (!k)
                break;
            const char *v = va_arg(kv, const char *);
            et_buf_putc(&line, ',');
            append_value(&line, k);
            et_buf_putc(&line, ':');
            append_value(&line, v);
        }
    }
    et_buf_append_str(&line, "}\n");
    if (line.failed) { /* over the cap: keep the line valid JSON by sending the header only */
        et_buf_reset(&line);
        et_buf_printf(
            &line, "{\"@level\":\"%s\",\"@message\":\"log line too long\",\"@timestamp\":\"%s\"}\n",
            level_names[level], ts);
    }
    int fd = atomic_load_explicit(&log_fd, memory_order_relaxed);
    const char *p = line.data;
    size_t left = line.len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    et_buf_cleanup(&line);
}

void et_log(enum et_log_level level, const char *module, const char *message, ...)
{
    if ((int)level < atomic_load_explicit(&log_level, memory_order_relaxed) || level >= ET_LOG_OFF)
        return;
    va_list ap;
    va_start(ap, message);
    emit(level, module, message, ap);
    va_end(ap);
}

static void emit_plain(enum et_log_level level, const char *module, const char *message, ...)
{
    va_list ap;
    va_start(ap, message);
    emit(level, module, message, ap);
    va_end(ap);
}

void et_logf(enum et_log_level level, const char *module, const char *fmt, ...)
{
    if ((int)level < atomic_load_explicit(&log_level, memory_order_relaxed) || level >= ET_LOG_OFF)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit_plain(level, module, msg, (const char *)NULL);
}
