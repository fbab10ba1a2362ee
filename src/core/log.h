/* SPDX-License-Identifier: Apache-2.0
 *
 * Structured logging in go-plugin's hclog JSON shape, one object per line.
 *
 * Grafana reads a plugin's stderr through go-plugin, which parses each line as
 * JSON with `@level`, `@message`, `@timestamp` (layout
 * 2006-01-02T15:04:05.000000Z07:00, six fractional digits) and `@module`, and
 * logs it at that level with the other keys as fields. Each line is written
 * with a single write(2) so threads never interleave, and is kept well under
 * go-plugin's 64 KiB line buffer.
 *
 * Never pass secrets as values: nothing here can tell them apart.
 *
 * Thread safety: et_log*() may be called from any thread. et_log_set_level()
 * and et_log_set_fd() are meant to be called once at start-up, before threads.
 */
#ifndef ET_CORE_LOG_H
#define ET_CORE_LOG_H

enum et_log_level {
    ET_LOG_TRACE = 0,
    ET_LOG_DEBUG = 1,
    ET_LOG_INFO = 2,
    ET_LOG_WARN = 3,
    ET_LOG_ERROR = 4,
    ET_LOG_OFF = 5,
};

/* Minimum level written (default INFO). */
void et_log_set_level(enum et_log_level level);
enum et_log_level et_log_get_level(void);
/* Parse "trace|debug|info|warn|error|off" (case-insensitive); returns -1 if unknown. */
int et_log_level_parse(const char *name);
/* Where lines go (default 2 = stderr). */
void et_log_set_fd(int fd);

/* Log `message` with key/value string pairs, terminated by a NULL key:
 *   et_log(ET_LOG_INFO, "query", "query finished", "refId", "A", "status", "200", NULL);
 * A NULL value is written as JSON null. Long values are cut at 8 KiB. */
void et_log(enum et_log_level level, const char *module, const char *message, ...)
    __attribute__((sentinel));

/* printf-style message, no extra fields. */
void et_logf(enum et_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format the current time the way hclog does ("2026-11-24T10:22:33.123456Z"). `out`
 * must hold 40 bytes. Exposed for tests. */
void et_log_timestamp(char *out, unsigned long size);

#endif
