/* SPDX-License-Identifier: Apache-2.0
 *
 * Frames for people in a terminal (see print.h).
 */
#include "cli/print.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/timespec.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/strlist.h"

static const char *const bars[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                                   "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};

void print_sparkline(const double *values, size_t n, size_t width, char *out)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) {
            lo = values[i] < lo ? values[i] : lo;
            hi = values[i] > hi ? values[i] : hi;
        }
    char *p = out;
    if (n == 0 || width == 0) {
        *p = '\0';
        return;
    }
    if (lo > 0)
        lo = 0; /* bars grow from zero so a flat non-zero series is not at the floor */
    for (size_t c = 0; c < width; c++) {
        size_t a = c * n / width, b = (c + 1) * n / width;
        if (b <= a)
            b = a + 1;
        double m = NAN;
        for (size_t i = a; i < b && i < n; i++) /* max of the bucket keeps spikes visible */
            if (isfinite(values[i]) && (isnan(m) || values[i] > m))
                m = values[i];
        if (isnan(m)) {
            *p++ = ' ';
            continue;
        }
        int level = hi > lo ? (int)floor((m - lo) / (hi - lo) * 7.999) : 0;
        level = level < 0 ? 0 : level > 7 ? 7 : level;
        memcpy(p, bars[level], 3);
        p += 3;
    }
    *p = '\0';
}

/* ---- value formatting ------------------------------------------------------------------ */

static void format_number(struct et_buf *b, double v, const char *unit)
{
    if (!isfinite(v)) {
        et_buf_append_str(b, isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (unit && strcmp(unit, "percentunit") == 0) {
        et_buf_printf(b, "%.2f%%", v * 100);
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15)
        et_buf_printf(b, "%.0f", v);
    else if (fabs(v) >= 100)
        et_buf_printf(b, "%.1f", v);
    else
        et_buf_printf(b, "%.4g", v);
    if (unit && strcmp(unit, "reqps") == 0)
        et_buf_append_str(b, "/s");
}

static void format_cell(struct et_buf *b, const struct frame_field *f, size_t row,
                        const struct print_options *opt)
{
    if (frame_field_is_null(f, row)) {
        et_buf_putc(b, '-');
        return;
    }
    switch (frame_field_type(f)) {
    case FRAME_TIME: {
        char t[40];
        timespec_format(frame_field_get_int(f, row) / 1000000, t, sizeof t);
        et_buf_append_str(b, t);
        return;
    }
    case FRAME_BOOL:
        et_buf_append_str(b, frame_field_get_bool(f, row) ? "yes" : "no");
        return;
    case FRAME_STRING:
    case FRAME_JSON: {
        size_t len;
        const char *s = frame_field_get_string(f, row, &len);
        size_t cut = len;
        if (!opt->wide) {
            const char *nl = memchr(s, '\n', len);
            if (nl)
                cut = (size_t)(nl - s);
        }
        et_buf_append(b, s, cut);
        if (cut < len)
            et_buf_append_str(b, " \xe2\x80\xa6"); /* … */
        return;
    }
    case FRAME_FLOAT32:
    case FRAME_FLOAT64:
        format_number(b, frame_field_get_float(f, row), frame_field_unit(f));
        return;
    case FRAME_UINT8:
    case FRAME_UINT16:
    case FRAME_UINT32:
    case FRAME_UINT64:
    case FRAME_ENUM:
        et_buf_printf(b, "%llu", (unsigned long long)frame_field_get_uint(f, row));
        return;
    default:
        et_buf_printf(b, "%lld", (long long)frame_field_get_int(f, row));
        return;
    }
}

/* Display width of UTF-8 text (code points; good enough for terminals). */
static size_t text_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* Cut to `max` code points, ending with an ellipsis. */
static void clip(struct et_buf *cell, size_t max)
{
    if (!cell->data)
        return;
    if (text_width(cell->data ? cell->data : "", cell->len) <= max)
        return;
    size_t w = 0, i = 0;
    for (; i < cell->len; i++) {
        if (((unsigned char)cell->data[i] & 0xC0) != 0x80) {
            if (w == max - 1)
                break;
            w++;
        }
    }
    cell->len = i;
    cell->data[i] = '\0';
    et_buf_append_str(cell, "\xe2\x80\xa6");
}

static void print_notices(FILE *out, const struct frame *f, const struct print_options *opt)
{
    for (size_t i = 0; i < frame_meta_notice_count(f); i++) {
        enum frame_notice_severity s = frame_meta_notice_severity(f, i);
        fprintf(out, "  %s %s\n",
                s == FRAME_NOTICE_ERROR     ? "error:"
                : s == FRAME_NOTICE_WARNING ? "warning:"
                                            : "note:",
                frame_meta_notice_text(f, i));
    }
    const char *q = frame_meta_executed_query(f);
    if (opt->verbose && q)
        fprintf(out, "  query:\n    %s\n", q);
}

static void print_table(FILE *out, const struct frame *f, const struct print_options *opt)
{
    size_t nf = frame_field_count(f), rows = frame_row_count(f);
    int max_cell = opt->max_cell > 0 ? opt->max_cell : 60;
    struct et_buf *cells = et_xcalloc((rows + 1) * nf + 1, sizeof *cells);
    size_t *width = et_xcalloc(nf + 1, sizeof *width);
    for (size_t c = 0; c < nf; c++) {
        struct et_buf *h = &cells[c];
        et_buf_init(h, ET_BUF_UNLIMITED);
        et_buf_append_str(h, frame_field_name(frame_field_at(f, c)));
        width[c] = text_width(et_buf_cstr(h), h->len);
        for (size_t r = 0; r < rows; r++) {
            struct et_buf *cell = &cells[(r + 1) * nf + c];
            et_buf_init(cell, ET_BUF_UNLIMITED);
            format_cell(cell, frame_field_at(f, c), r, opt);
            if (!opt->wide)
                clip(cell, (size_t)max_cell);
            size_t w = text_width(et_buf_cstr(cell), cell->len);
            width[c] = w > width[c] ? w : width[c];
        }
    }
    for (size_t r = 0; r <= rows; r++) {
        fputs("  ", out);
        for (size_t c = 0; c < nf; c++) {
            struct et_buf *cell = &cells[r * nf + c];
            size_t w = text_width(et_buf_cstr(cell), cell->len);
            fputs(et_buf_cstr(cell), out);
            if (c + 1 < nf)
                for (size_t k = w; k < width[c] + 2; k++)
                    fputc(' ', out);
        }
        fputc('\n', out);
        if (r == 0) {
            fputs("  ", out);
            for (size_t c = 0; c < nf; c++)
                for (size_t k = 0; k < width[c] + (c + 1 < nf ? 2 : 0); k++)
                    fputs(k < width[c] ? "\xe2\x94\x80" : " ", out);
            fputc('\n', out);
        }
    }
    for (size_t i = 0; i < (rows + 1) * nf; i++)
        et_buf_cleanup(&cells[i]);
    free(cells);
    free(width);
}

static bool is_series(const struct frame *f)
{
    const char *type = frame_meta_type(f);
    return type && strncmp(type, "timeseries", 10) == 0 && frame_field_count(f) == 2 &&
           frame_field_type(frame_field_at(f, 0)) == FRAME_TIME;
}

static void print_series(FILE *out, const struct frame *f, size_t name_width)
{
    const struct frame_field *t = frame_field_at(f, 0), *v = frame_field_at(f, 1);
    size_t n = frame_field_len(v);
    double *vals = et_xmalloc((n + 1) * sizeof *vals);
    double peak = -INFINITY, last = NAN;
    size_t peak_i = 0;
    for (size_t i = 0; i < n; i++) {
        vals[i] = frame_field_is_null(v, i) ? NAN : frame_field_get_float(v, i);
        if (isfinite(vals[i])) {
            last = vals[i];
            if (vals[i] > peak) {
                peak = vals[i];
                peak_i = i;
            }
        }
    }
    const char *unit = frame_field_unit(v);
    const char *name = frame_field_display_name_from_ds(v);
    if (!name || !*name)
        name = frame_name(f);
    char spark[40 * 3 + 1], when[40];
    print_sparkline(vals, n, 40, spark);
    struct et_buf line;
    et_buf_init(&line, ET_BUF_UNLIMITED);
    et_buf_printf(&line, "  %s", name);
    for (size_t k = text_width(name, strlen(name)); k < name_width + 2; k++)
        et_buf_putc(&line, ' ');
    et_buf_append_str(&line, "peak ");
    if (isfinite(peak)) {
        format_number(&line, peak, unit);
        timespec_format(frame_field_get_int(t, peak_i) / 1000000, when, sizeof when);
        et_buf_printf(&line, " at %s", when + 11);
    } else {
        et_buf_putc(&line, '-');
    }
    et_buf_append_str(&line, "  last ");
    if (isfinite(last))
        format_number(&line, last, unit);
    else
        et_buf_putc(&line, '-');
    et_buf_printf(&line, "  %s", spark);
    fprintf(out, "%s\n", et_buf_cstr(&line));
    et_buf_cleanup(&line);
    free(vals);
}

/* Notices of a block of series frames, each distinct text once, in order. */
static void print_series_notices(FILE *out, const struct frame_list *frames, size_t from, size_t to,
                                 const struct print_options *opt)
{
    struct et_strlist seen;
    et_strlist_init(&seen);
    for (size_t i = from; i < to; i++) {
        const struct frame *f = frames->items[i];
        for (size_t k = 0; k < frame_meta_notice_count(f); k++) {
            const char *text = frame_meta_notice_text(f, k);
            if (!et_strlist_push_unique(&seen, text))
                continue;
            enum frame_notice_severity sev = frame_meta_notice_severity(f, k);
            fprintf(out, "  %s %s\n",
                    sev == FRAME_NOTICE_ERROR     ? "error:"
                    : sev == FRAME_NOTICE_WARNING ? "warning:"
                                                  : "note:",
                    text);
        }
    }
    const char *q = from < to ? frame_meta_executed_query(frames->items[from]) : NULL;
    if (opt->verbose && q)
        fprintf(out, "  query:\n    %s\n", q);
    et_strlist_cleanup(&seen);
}

void print_frames(FILE *out, const struct frame_list *frames, const struct print_options *opt)
{
    size_t name_width = 0;
    for (size_t i = 0; i < frames->n; i++)
        if (is_series(frames->items[i])) {
            const char *name =
                frame_field_display_name_from_ds(frame_field_at(frames->items[i], 1));
            if (!name || !*name)
                name = frame_name(frames->items[i]);
            size_t w = text_width(name, strlen(name));
            name_width = w > name_width ? w : name_width;
        }
    size_t i = 0;
    while (i < frames->n) {
        const struct frame *f = frames->items[i];
        if (is_series(f)) {
            size_t block = i;
            while (i < frames->n && is_series(frames->items[i]))
                print_series(out, frames->items[i++], name_width);
            print_series_notices(out, frames, block, i, opt);
        } else {
            if (frame_field_count(f) == 0)
                fprintf(out, "  (no data)\n");
            else if (frame_row_count(f) == 0)
                fprintf(out, "  %s: no rows\n", frame_name(f)[0] ? frame_name(f) : "result");
            else
                print_table(out, f, opt);
            print_notices(out, f, opt);
            i++;
        }
        if (i < frames->n)
            fputc('\n', out);
    }
}
