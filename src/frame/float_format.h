/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to src/frame/: fast, Go-exact text for floating-point numbers.
 *
 * Go prints the *shortest* decimal that reads back as the same number (and,
 * among those, the closest). Any decimal of at most DIG significant digits
 * (15 for float64, 6 for float32) maps to a distinct binary value, so the
 * shortest form is found in at most three (float32: four) correctly rounded
 * conversions: DIG digits with trailing zeros stripped if they read back,
 * else one digit more at a time (17, or 9 for float32, is always exact). The digits are then laid
 * out in the style asked for:
 *
 *   FLOAT_STYLE_JSON64  encoding/json float64: fixed notation, exponent form
 *                       ("1e-7", "1e+21") below 1e-6 and from 1e21
 *   FLOAT_STYLE_JSON32  encoding/json float32: the same cut-offs, float32 digits
 *   FLOAT_STYLE_FMT_V   fmt's %v (FieldConfig min/max): exponent form when the
 *                       decimal exponent is < -4 or >= 6, with at least two
 *                       exponent digits ("1e+06", "1.5e-05")
 *
 * Thread safety: pure functions.
 */
#ifndef ET_FRAME_FLOAT_FORMAT_H
#define ET_FRAME_FLOAT_FORMAT_H

#include <stddef.h>

enum float_style {
    FLOAT_STYLE_JSON64,
    FLOAT_STYLE_JSON32,
    FLOAT_STYLE_FMT_V,
};

/* Room for the longest output ("-2.2250738585072014e-308" and the like). */
#define FLOAT_FORMAT_MAX 40

/* Write `v` (finite; for JSON32 a value exactly representable as float) into
 * buf (FLOAT_FORMAT_MAX bytes), NUL-terminated. Returns the length, or 0 for
 * NaN/Inf, which have no JSON form (callers write null). */
size_t float_format(char *buf, double v, enum float_style style);

#endif
