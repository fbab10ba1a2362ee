/* SPDX-License-Identifier: Apache-2.0
 *
 * Go-exact shortest float formatting (see float_format.h).
 *
 * DESIGN: "%.*e" gives the correctly rounded decimal of v with a chosen number
 * of significant digits. Two different decimals of at most DIG digits (15 for
 * float64, 6 for float32) are further apart than one binary ulp, so at most
 * one of them reads back as v, and if any does, the correctly rounded DIG-digit
 * decimal does too (it is the closest). Hence: DIG digits round-trip -> strip
 * trailing zeros, that is the shortest; otherwise try one more digit at a
 * time up to 17 (float32: 9), which always round-trips. Subnormals have fewer
 * significant bits, so there the search starts at one digit. Go's shortest formatter picks the same
 * digits (the correctly rounded decimal of the shortest length).
 */
#include "frame/float_format.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct decimal {
    char digits[24]; /* significant digits, no leading/trailing zeros */
    int count;       /* number of digits */
    int exp10;       /* v = d.ddd x 10^exp10 */
    bool negative;
};

/* Parse "%.*e" output ("-d.ddde+XX") into `d`, keeping every digit. */
static void parse_e(const char *text, struct decimal *d)
{
    const char *p = text;
    d->negative = *p == '-';
    if (d->negative)
        p++;
    d->count = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            d->digits[d->count++] = *p;
    if (d->count == 0) /* "%e" always prints a digit; keep digits[0] defined anyway */
        d->digits[d->count++] = '0';
    d->exp10 = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
}

static void strip_trailing_zeros(struct decimal *d)
{
    while (d->count > 1 && d->digits[d->count - 1] == '0')
        d->count--;
}

static bool reads_back(const struct decimal *d, double v, bool single)
{
    char text[48];
    snprintf(text, sizeof text, "%s%c.%.*se%d", d->negative ? "-" : "", d->digits[0], d->count - 1,
             d->digits + 1, d->exp10);
    return single ? strtof(text, NULL) == (float)v : strtod(text, NULL) == v;
}

/* The next decimal of the same length away from zero (last digit + 1). */
static void next_up(struct decimal *d)
{
    int i = d->count - 1;
    while (i >= 0 && d->digits[i] == '9')
        d->digits[i--] = '0';
    if (i >= 0) {
        d->digits[i]++;
        return;
    }
    d->digits[0] = '1'; /* 9.99 -> 10.0: one digit more in front, same length */
    d->exp10++;
}

/* An exact power of two has a rounding interval twice as wide above it as
 * below, so the correctly rounded decimal may miss it while the next one up
 * still reads back (Go then prints that one: 2^-24 is 5.960464477539063e-8). */
static bool is_power_of_two(double v, bool single)
{
    int exp;
    double m = frexp(fabs(single ? (double)(float)v : v), &exp);
    return m == 0.5;
}

/* Subnormals carry fewer significant bits, so short decimals are not unique
 * there: search from one digit up (rare, so the slow way is fine). */
static void shortest_decimal(double v, bool single, struct decimal *d)
{
    int max = single ? 9 : 17; /* FLT_DECIMAL_DIG, DBL_DECIMAL_DIG: always exact */
    bool subnormal = single ? fabsf((float)v) < FLT_MIN : fabs(v) < DBL_MIN;
    bool power_of_two = !subnormal && is_power_of_two(v, single);
    int first = subnormal ? 1 : single ? 6 : 15;
    char text[48];
    /* first <= max, so `d` is always filled; the loop ends at max at the latest */
    for (int digits = first;; digits++) {
        snprintf(text, sizeof text, "%.*e", digits - 1, v);
        parse_e(text, d);
        if (digits >= max || reads_back(d, v, single))
            break;
        if (power_of_two) {
            struct decimal up = *d;
            next_up(&up);
            if (reads_back(&up, v, single)) {
                *d = up;
                break;
            }
        }
    }
    strip_trailing_zeros(d);
}

static size_t put_exponent(char *out, int exp10, int min_digits)
{
    size_t n = 0;
    out[n++] = 'e';
    out[n++] = exp10 < 0 ? '-' : '+';
    int a = abs(exp10);
    char tmp[8];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    while (k < min_digits)
        tmp[k++] = '0';
    while (k)
        out[n++] = tmp[--k];
    return n;
}

static size_t layout_exponent(char *out, const struct decimal *d, int min_exp_digits)
{
    size_t n = 0;
    out[n++] = d->digits[0];
    if (d->count > 1) {
        out[n++] = '.';
        memcpy(out + n, d->digits + 1, (size_t)d->count - 1);
        n += (size_t)d->count - 1;
    }
    return n + put_exponent(out + n, d->exp10, min_exp_digits);
}

static size_t layout_fixed(char *out, const struct decimal *d)
{
    size_t n = 0;
    if (d->exp10 < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = 0; i < -d->exp10 - 1; i++)
            out[n++] = '0';
        memcpy(out + n, d->digits, (size_t)d->count);
        return n + (size_t)d->count;
    }
    int int_digits = d->exp10 + 1;
    for (int i = 0; i < int_digits; i++)
        out[n++] = i < d->count ? d->digits[i] : '0';
    if (d->count > int_digits) {
        out[n++] = '.';
        memcpy(out + n, d->digits + int_digits, (size_t)(d->count - int_digits));
        n += (size_t)(d->count - int_digits);
    }
    return n;
}

size_t float_format(char *buf, double v, enum float_style style)
{
    if (isnan(v) || isinf(v)) {
        buf[0] = '\0';
        return 0;
    }
    size_t n = 0;
    if (v == 0) {
        if (signbit(v))
            buf[n++] = '-';
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    bool single = style == FLOAT_STYLE_JSON32;
    struct decimal d;
    shortest_decimal(v, single, &d);
    if (d.negative)
        buf[n++] = '-';
    bool exponent;
    if (style == FLOAT_STYLE_FMT_V) {
        exponent = d.exp10 < -4 || d.exp10 >= 6;
    } else if (single) {
        float a = fabsf((float)v);
        exponent = a < 1e-6f || a >= 1e21f;
    } else {
        double a = fabs(v);
        exponent = a < 1e-6 || a >= 1e21;
    }
    if (exponent)
        n += layout_exponent(buf + n, &d, style == FLOAT_STYLE_FMT_V ? 2 : 1);
    else
        n += layout_fixed(buf + n, &d);
    buf[n] = '\0';
    return n;
}
