/* SPDX-License-Identifier: Apache-2.0
 *
 * Property test generator: random frames, encoded by our C encoders, with the
 * expected content written independently.
 *
 *   property_gen <out dir> <count> <seed>
 *
 * For frame i it writes p<i>.arrow and p<i>.json (our encodings) and
 * p<i>.expect.json: the canonical form (frame_spec.h) computed from the random
 * values as they were drawn -- never read back from the frame. The checks
 * (property_arrow.mjs with apache-arrow, property_json.py) decode our bytes
 * and compare them with that.
 *
 * Frames mix every field type, nullable or not, with no/some/all nulls;
 * 0, 1, 33, 1000 or a random 2..70 rows; frames without fields; integer
 * extremes; NaN (with payloads), +-Inf, -0 and subnormal floats; empty,
 * unicode, control-character and HTML-special strings; JSON values; times
 * over the whole int64 range; labels, config and meta. The PRNG is seeded, so
 * a failure is reproducible from the seed and the frame number printed.
 */
#include <float.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "frame/encode.h"
#include "frame/frame.h"

/* ---- PRNG (splitmix64) ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

/* ---- expected-value encodings (canonical form) ---------------------------------- */

static json_t *decimal_signed(int64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "%" PRId64, v);
    return json_string(s);
}

static json_t *decimal_unsigned(uint64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "%" PRIu64, v);
    return json_string(s);
}

static json_t *hex_bits(uint64_t bits, int digits)
{
    char s[32];
    snprintf(s, sizeof s, "%0*" PRIx64, digits, bits);
    return json_string(s);
}

static json_t *hex_bytes(const char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[(unsigned char)data[i] >> 4];
        s[2 * i + 1] = digits[(unsigned char)data[i] & 15];
    }
    s[2 * len] = '\0';
    json_t *v = json_string(s);
    free(s);
    return v;
}

/* ---- random values ------------------------------------------------------------------ */

static const char *const text_pieces[] = {
    "",
    "a",
    "Error",
    " ",
    "é",
    "€",
    "😤",
    "🦥",
    "日本",
    "\n",
    "\t",
    "\x01",
    "\x1f",
    "\"",
    "\\",
    "<",
    ">",
    "&",
    "\u2028",
    "\u2029",
    "NaN",
    "null",
    "0",
    "{}",
    "tempo",
    "GET /api",
    "ключ",
    "\u00a0",
    "x\x7fy",
    "💥 boom 💥",
    "${__value.raw}",
};

/* A random valid UTF-8 string (0..8 pieces) into buf; returns its length. */
static size_t random_text(char *buf, size_t cap)
{
    size_t len = 0, pieces = below(9);
    for (size_t i = 0; i < pieces; i++) {
        const char *p = text_pieces[below(sizeof text_pieces / sizeof text_pieces[0])];
        size_t n = strlen(p);
        if (len + n >= cap)
            break;
        memcpy(buf + len, p, n);
        len += n;
    }
    buf[len] = '\0';
    return len;
}

static const char *const json_pool[] = {
    "null",
    "true",
    "false",
    "0",
    "-1",
    "123456789",
    "\"x\"",
    "\"é😤\"",
    "[]",
    "{}",
    "[1,2,3]",
    "{\"a\":1}",
    "{\"key\":\"host\",\"value\":\"a\"}",
    "[{\"c\":3},{\"d\":4}]",
    "{\"e\":{\"f\":[true,null,\"<&>\"]}}",
    "\"line\\nbreak\"",
};

static int64_t random_signed(int bits)
{
    static const int64_t edges[] = {0, 1, -1, INT64_MIN, INT64_MAX};
    int64_t v;
    if (below(3) == 0) {
        v = edges[below(5)];
    } else {
        v = (int64_t)rnd();
    }
    if (bits == 64)
        return v;
    /* sign-extend the low `bits` bits, as a C cast to intN_t does */
    uint64_t mask = (1ULL << bits) - 1, u = (uint64_t)v & mask;
    if (u >> (bits - 1))
        return (int64_t)(u | ~mask);
    return (int64_t)u;
}

static uint64_t random_unsigned(int bits)
{
    uint64_t v = below(3) == 0 ? (uint64_t[]){0, 1, UINT64_MAX}[below(3)] : rnd();
    return bits == 64 ? v : v & ((1ULL << bits) - 1);
}

static uint64_t random_double_bits(void)
{
    static const uint64_t edges[] = {
        0x0000000000000000ULL, /* 0 */
        0x8000000000000000ULL, /* -0 */
        0x3FF8000000000000ULL, /* 1.5 */
        0x7FEFFFFFFFFFFFFFULL, /* DBL_MAX */
        0x0000000000000001ULL, /* smallest subnormal */
        0x0010000000000000ULL, /* DBL_MIN */
        0x7FF0000000000000ULL, /* +Inf */
        0xFFF0000000000000ULL, /* -Inf */
        0x7FF8000000000001ULL, /* Go's NaN */
        0xFFF8000000000000ULL, /* negative quiet NaN */
        0x7FF0000000000001ULL, /* signalling NaN */
        0x3FB999999999999AULL, /* 0.1 */
        0x4341C37937E08000ULL, /* 1e16 */
        0x3EB0C6F7A0B5ED8DULL, /* 1e-6 */
    };
    if (below(2) == 0)
        return edges[below(sizeof edges / sizeof edges[0])];
    if (below(2) == 0) { /* an ordinary number with few digits */
        double d = (double)(int64_t)(rnd() % 2000001) / 1000.0 - 1000.0;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return bits;
    }
    return rnd();
}

/* float32 values travel as double through frame_field_append_float(), which
 * keeps every float exactly except that a signalling NaN becomes quiet: draw
 * quiet NaNs only. */
static uint32_t random_float_bits(void)
{
    static const uint32_t edges[] = {0x00000000, 0x80000000, 0x3FC00000, 0x7F7FFFFF,
                                     0x00000001, 0x7F800000, 0xFF800000, 0x7FC00000,
                                     0xFFC00001, 0x3DCCCCCD, 0x358637BD};
    uint32_t bits = below(2) == 0 ? edges[below(sizeof edges / sizeof edges[0])] : (uint32_t)rnd();
    if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x007FFFFF))
        bits |= 0x00400000;
    return bits;
}

static int64_t random_time(void)
{
    static const int64_t edges[] = {0,
                                    -1,
                                    1,
                                    INT64_MIN,
                                    INT64_MAX,
                                    999999,
                                    -999999,
                                    1700000000000000000LL,
                                    1700000000123456789LL};
    if (below(2) == 0)
        return edges[below(sizeof edges / sizeof edges[0])];
    return (int64_t)rnd();
}

/* ---- one field ------------------------------------------------------------------------ */

static const struct {
    enum frame_type type;
    const char *canon;
    const char *tstype;
    int bits;
} field_types[] = {
    {FRAME_INT8, "int8", "number", 8},        {FRAME_INT16, "int16", "number", 16},
    {FRAME_INT32, "int32", "number", 32},     {FRAME_INT64, "int64", "number", 64},
    {FRAME_UINT8, "uint8", "number", 8},      {FRAME_UINT16, "uint16", "number", 16},
    {FRAME_UINT32, "uint32", "number", 32},   {FRAME_UINT64, "uint64", "number", 64},
    {FRAME_FLOAT32, "float32", "number", 32}, {FRAME_FLOAT64, "float64", "number", 64},
    {FRAME_BOOL, "bool", "boolean", 1},       {FRAME_STRING, "utf8", "string", 0},
    {FRAME_TIME, "timestamp:3:", "time", 64}, {FRAME_JSON, "binary", "other", 0},
    {FRAME_ENUM, "uint16", "enum", 16},
};

/* Append one random non-null value to `f` and return its expected encoding. */
static json_t *append_random_value(struct frame_field *f, size_t kind)
{
    int bits = field_types[kind].bits;
    switch (field_types[kind].type) {
    case FRAME_INT8:
    case FRAME_INT16:
    case FRAME_INT32:
    case FRAME_INT64: {
        int64_t v = random_signed(bits);
        frame_field_append_int(f, v);
        return decimal_signed(v);
    }
    case FRAME_UINT8:
    case FRAME_UINT16:
    case FRAME_UINT32:
    case FRAME_UINT64:
    case FRAME_ENUM: {
        uint64_t v = random_unsigned(bits);
        frame_field_append_uint(f, v);
        return decimal_unsigned(v);
    }
    case FRAME_FLOAT32: {
        uint32_t b = random_float_bits();
        float v;
        memcpy(&v, &b, 4);
        frame_field_append_float(f, v);
        return hex_bits(b, 8);
    }
    case FRAME_FLOAT64: {
        uint64_t b = random_double_bits();
        double v;
        memcpy(&v, &b, 8);
        frame_field_append_float(f, v);
        return hex_bits(b, 16);
    }
    case FRAME_BOOL: {
        bool v = below(2);
        frame_field_append_bool(f, v);
        return json_boolean(v);
    }
    case FRAME_STRING: {
        char text[256];
        size_t len = random_text(text, sizeof text);
        frame_field_append_string(f, text, len);
        return hex_bytes(text, len);
    }
    case FRAME_TIME: {
        int64_t v = random_time();
        frame_field_append_time_ns(f, v);
        return decimal_signed(v);
    }
    case FRAME_JSON: {
        const char *v = json_pool[below(sizeof json_pool / sizeof json_pool[0])];
        frame_field_append_json(f, v, strlen(v));
        return hex_bytes(v, strlen(v));
    }
    }
    return json_null();
}

static json_t *random_labels(struct frame_field *f)
{
    json_t *labels = json_object();
    size_t n = below(4);
    for (size_t i = 0; i < n; i++) {
        char key[64], value[256];
        random_text(key, sizeof key);
        random_text(value, sizeof value);
        frame_field_set_label(f, key, value);
        json_object_set_new(labels, key, json_string(value));
    }
    if (n == 0)
        frame_field_set_empty_labels(f);
    return labels;
}

static json_t *config_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *random_config(struct frame_field *f)
{
    json_t *config = json_object();
    char text[256];
    if (below(2) && random_text(text, sizeof text) > 0) {
        frame_field_set_unit(f, text);
        json_object_set_new(config, "unit", json_string(text));
    }
    if (below(2) && random_text(text, sizeof text) > 0) {
        frame_field_set_display_name_from_ds(f, text);
        json_object_set_new(config, "displayNameFromDS", json_string(text));
    }
    if (below(3) == 0) {
        unsigned d = (unsigned)below(20);
        frame_field_set_decimals(f, d);
        json_object_set_new(config, "decimals", json_integer(d));
    }
    if (below(3) == 0) {
        uint64_t b = random_double_bits();
        double v;
        memcpy(&v, &b, 8);
        frame_field_set_min(f, v);
        json_object_set_new(config, "min", config_number(v));
    }
    if (below(3) == 0) {
        double v = (double)below(100000) / 8.0;
        frame_field_set_max(f, v);
        json_object_set_new(config, "max", config_number(v));
    }
    if (json_object_size(config) == 0)
        frame_field_set_empty_config(f);
    return config;
}

static json_t *random_field(struct frame *frame, size_t rows)
{
    size_t kind = below(sizeof field_types / sizeof field_types[0]);
    bool nullable = below(2);
    static const unsigned null_percent[] = {0, 10, 50, 100};
    unsigned p = nullable ? null_percent[below(4)] : 0;
    char name[64];
    random_text(name, sizeof name);
    struct frame_field *f = frame_add_field(frame, name, field_types[kind].type, nullable);

    json_t *metadata = json_pack("{s:s}", "tstype", field_types[kind].tstype);
    if (below(3) == 0)
        json_object_set_new(metadata, "labels", random_labels(f));
    if (below(3) == 0)
        json_object_set_new(metadata, "config", random_config(f));
    if (field_types[kind].type == FRAME_ENUM && below(2)) {
        const char *const texts[] = {"", "ONE", "TWO"};
        frame_field_set_enum_text(f, texts, 3);
        json_t *config = json_object_get(metadata, "config");
        if (!config) {
            config = json_object();
            json_object_set_new(metadata, "config", config);
        }
        json_object_set_new(config, "type",
                            json_pack("{s:{s:[s,s,s]}}", "enum", "text", "", "ONE", "TWO"));
    }

    json_t *values = json_array();
    size_t nulls = 0;
    for (size_t r = 0; r < rows; r++) {
        if (nullable && below(100) < p) {
            frame_field_append_null(f);
            json_array_append_new(values, json_null());
            nulls++;
        } else {
            json_array_append_new(values, append_random_value(f, kind));
        }
    }
    return json_pack("{s:s, s:s, s:b, s:I, s:o, s:o}", "name", name, "type",
                     field_types[kind].canon, "nullable", nullable, "nullCount", (json_int_t)nulls,
                     "metadata", metadata, "values", values);
}

/* ---- one frame ------------------------------------------------------------------------ */

static json_t *random_meta(struct frame *frame)
{
    json_t *meta = json_object();
    char text[256];
    unsigned major = 0, minor = 0;
    if (below(2)) {
        static const char *const types[] = {"timeseries-multi", "table", "numeric-wide"};
        const char *type = types[below(3)];
        major = (unsigned)below(3);
        minor = (unsigned)below(3);
        frame_meta_set_type(frame, type, major, minor);
        json_object_set_new(meta, "type", json_string(type));
    }
    json_object_set_new(meta, "typeVersion", json_pack("[i,i]", major, minor));
    if (below(2) && random_text(text, sizeof text) > 0) {
        frame_meta_set_executed_query(frame, text);
        json_object_set_new(meta, "executedQueryString", json_string(text));
    }
    if (below(2)) {
        static const char *const severities[] = {"info", "warning", "error"};
        size_t s = below(3);
        random_text(text, sizeof text);
        frame_meta_add_notice(frame, (enum frame_notice_severity)s, text);
        json_object_set_new(meta, "notices",
                            json_pack("[{s:s,s:s}]", "severity", severities[s], "text", text));
    }
    if (below(3) == 0) {
        frame_meta_set_preferred_visualisation(frame, "table");
        json_object_set_new(meta, "preferredVisualisationType", json_string("table"));
    }
    if (json_object_size(meta) == 1 && below(2) == 0) /* only typeVersion */
        frame_meta_set_type(frame, NULL, 0, 0);
    return meta;
}

/* 0 and 1 rows 15% each, 33 rows 25%, 1000 rows 10%, else 2..70. */
static size_t random_rows(void)
{
    size_t pick = below(100);
    if (pick < 15)
        return 0;
    if (pick < 30)
        return 1;
    if (pick < 55)
        return 33;
    if (pick < 65)
        return 1000;
    return 2 + below(69);
}

static json_t *random_frame(struct frame **out)
{
    char name[64], ref[16];
    random_text(name, sizeof name);
    snprintf(ref, sizeof ref, "%c", (char)('A' + below(26)));
    struct frame *frame = frame_new(name);
    frame_set_ref_id(frame, ref);
    json_t *metadata = json_pack("{s:s, s:s}", "name", name, "refId", ref);
    if (below(2)) {
        json_t *meta = random_meta(frame);
        if (frame_has_meta(frame))
            json_object_set_new(metadata, "meta", meta);
        else
            json_decref(meta);
    }
    size_t field_count = below(10) == 0 ? 0 : 1 + below(6);
    size_t rows = field_count ? random_rows() : 0;
    json_t *fields = json_array();
    for (size_t i = 0; i < field_count; i++)
        json_array_append_new(fields, random_field(frame, rows));
    *out = frame;
    return json_pack("{s:I, s:i, s:o, s:o}", "rows", (json_int_t)rows, "batches", rows ? 1 : 0,
                     "metadata", metadata, "fields", fields);
}

static int write_encoding(const struct frame *f, enum frame_format format, const char *path)
{
    struct et_buf b;
    struct et_error err;
    et_buf_init(&b, ET_BUF_UNLIMITED);
    et_error_clear(&err);
    int rc = frame_write(f, format, &b, &err);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", path, err.message);
    } else {
        FILE *fp = fopen(path, "wb");
        if (!fp || fwrite(b.data, 1, b.len, fp) != b.len) {
            fprintf(stderr, "%s: cannot write\n", path);
            rc = -1;
        }
        if (fp && fclose(fp) != 0)
            rc = -1;
    }
    et_buf_cleanup(&b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s <out dir> <count> <seed>\n", argv[0]);
        return 2;
    }
    mkdir(argv[1], 0755);
    long count = strtol(argv[2], NULL, 10);
    rng_state = strtoull(argv[3], NULL, 10);
    int rc = 0;
    for (long i = 0; i < count && rc == 0; i++) {
        struct frame *frame;
        json_t *expect = random_frame(&frame);
        char path[4096];
        snprintf(path, sizeof path, "%s/p%ld.arrow", argv[1], i);
        rc |= write_encoding(frame, FRAME_FORMAT_ARROW, path);
        snprintf(path, sizeof path, "%s/p%ld.json", argv[1], i);
        rc |= write_encoding(frame, FRAME_FORMAT_JSON, path);
        snprintf(path, sizeof path, "%s/p%ld.expect.json", argv[1], i);
        rc |= json_dump_file(expect, path, JSON_COMPACT);
        json_decref(expect);
        frame_free(frame);
    }
    printf("%ld random frames written to %s (seed %s)\n", count, argv[1], argv[3]);
    return rc ? 1 : 0;
}
