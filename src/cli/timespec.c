/* SPDX-License-Identifier: Apache-2.0
 *
 * Time arguments of the command line (see timespec.h).
 */
#include "cli/timespec.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int duration_ms(const char *s, int64_t *out)
{
    char *end;
    long long n = strtoll(s, &end, 10);
    if (end == s || n < 0 || n > 100000000)
        return -1;
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"ms", 1},      {"s", 1000},     {"m", 60000},
                 {"h", 3600000}, {"d", 86400000}, {"w", 604800000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            *out = (int64_t)n * units[i].ms;
            return 0;
        }
    return -1;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* `n` decimal digits at *p as a number (advances *p), or -1. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

static bool expect_char(const char **p, const char *allowed)
{
    if (**p && strchr(allowed, **p)) {
        (*p)++;
        return true;
    }
    return false;
}

static int parse_rfc3339(const char *s, int64_t *out)
{
    const char *p = s;
    int y = digits(&p, 4);
    if (y < 0 || !expect_char(&p, "-"))
        return -1;
    int mo = digits(&p, 2);
    if (mo < 0 || !expect_char(&p, "-"))
        return -1;
    int d = digits(&p, 2);
    if (d < 0 || !expect_char(&p, "Tt "))
        return -1;
    int h = digits(&p, 2);
    if (h < 0 || !expect_char(&p, ":"))
        return -1;
    int mi = digits(&p, 2);
    if (mi < 0 || !expect_char(&p, ":"))
        return -1;
    int sec = digits(&p, 2);
    if (sec < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    int64_t frac_ms = 0;
    if (*p == '.') {
        int64_t scale = 100;
        for (p++; isdigit((unsigned char)*p); p++) {
            frac_ms += (*p - '0') * scale;
            scale /= 10;
        }
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '+' ? 1 : -1;
        int oh = digits(&p, 2);
        if (oh < 0 || !expect_char(&p, ":"))
            return -1;
        int om = digits(&p, 2);
        if (om < 0)
            return -1;
        offset = (oh * 60 + om) * 60000LL * sign;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = ((days * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + frac_ms - offset;
    return 0;
}

int timespec_parse(const char *text, int64_t now_ms, int64_t *out_ms)
{
    if (!text || !*text)
        return -1;
    if (strncmp(text, "now", 3) == 0) {
        const char *p = text + 3;
        if (*p == '\0') {
            *out_ms = now_ms;
            return 0;
        }
        int64_t d;
        if ((*p != '-' && *p != '+') || duration_ms(p + 1, &d) < 0)
            return -1;
        *out_ms = *p == '-' ? now_ms - d : now_ms + d;
        return 0;
    }
    bool all_digits = true;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p))
            all_digits = false;
    if (all_digits) {
        size_t len = strlen(text);
        if (len > 16)
            return -1;
        long long v = strtoll(text, NULL, 10);
        *out_ms = len >= 13 ? v : v * 1000;
        return 0;
    }
    return parse_rfc3339(text, out_ms);
}

void timespec_format(int64_t ms, char *out, unsigned long size)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int rem = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%d %H:%M:%S", &tm);
    if (rem)
        snprintf(out, size, "%s.%03d", base, rem);
    else
        snprintf(out, size, "%s", base);
}
