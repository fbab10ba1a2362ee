/* SPDX-License-Identifier: Apache-2.0
 *
 * Readers for Tempo's jsonpb encoding (see tempo_json.h).
 */
#include "tempo/tempo_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAIN_MAX_DEPTH 16 /* nested arrayValue/kvlistValue levels rendered */

const char *tempo_json_str(const json_t *v, size_t *len)
{
    if (!json_is_string(v)) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = json_string_length(v);
    return json_string_value(v);
}

int64_t tempo_json_int64(const json_t *v, int64_t fallback)
{
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return (d >= -9.2e18 && d <= 9.2e18) ? (int64_t)d : fallback;
    }
    if (!json_is_string(v))
        return fallback;
    const char *s = json_string_value(v);
    if (!*s)
        return fallback;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno == ERANGE && *end == '\0' && *s != '-') {
        /* uint64 above INT64_MAX: clamp (no timestamp gets there before 2262) */
        return INT64_MAX;
    }
    if (errno || *end)
        return fallback;
    return (int64_t)x;
}

double tempo_json_double(const json_t *v, double fallback)
{
    if (json_is_number(v))
        return json_number_value(v);
    if (!json_is_string(v))
        return fallback;
    const char *s = json_string_value(v);
    if (strcmp(s, "NaN") == 0)
        return NAN;
    if (strcmp(s, "Infinity") == 0 || strcmp(s, "+Infinity") == 0)
        return INFINITY;
    if (strcmp(s, "-Infinity") == 0)
        return -INFINITY;
    char *end;
    double d = strtod(s, &end);
    return (*s && !*end) ? d : fallback;
}

/* The value of a hex digit, -1 for any other byte (a table: IDs are read by
 * the thousand and random digits defeat branch prediction). */
static const signed char HEX_VALUE[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  -1, -1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static inline int hex_value(char c)
{
    return HEX_VALUE[(unsigned char)c];
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static const char HEX[] = "0123456789abcdef";

static bool all_zero(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* Base64 (padding optional) of exactly `nbytes` bytes into `raw`. */
static bool b64_decode(const char *s, size_t len, size_t nbytes, unsigned char *raw)
{
    while (len > 0 && s[len - 1] == '=')
        len--;
    if (len != (nbytes * 4 + 2) / 3)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (out < nbytes)
                raw[out++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return out == nbytes && acc == 0;
}

bool tempo_json_id(const char *s, size_t len, size_t nbytes, char *out)
{
    unsigned char raw[32];
    out[0] = '\0';
    if (!s || nbytes == 0 || nbytes > sizeof raw)
        return false;
    bool hex = len == 2 * nbytes;
    int bad = 0;
    for (size_t i = 0; hex && i < nbytes; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        bad |= hi | lo; /* negative when either is not a hex digit */
        raw[i] = (unsigned char)((unsigned)hi << 4 | ((unsigned)lo & 15));
    }
    if (!hex || bad < 0) {
        if (!b64_decode(s, len, nbytes, raw))
            return false;
    }
    if (all_zero(raw, nbytes))
        return false;
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = HEX[raw[i] >> 4];
        out[2 * i + 1] = HEX[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return true;
}

bool tempo_json_hex_trace_id(const char *s, size_t len, char out[33])
{
    out[0] = '\0';
    if (!s || len == 0 || len > 32)
        return false;
    int bad = 0;
    memset(out, '0', 32 - len);
    for (size_t i = 0; i < len; i++) {
        int v = hex_value(s[i]);
        bad |= v;
        out[32 - len + i] = HEX[(unsigned)v & 15];
    }
    if (bad < 0) {
        out[0] = '\0';
        return false;
    }
    out[32] = '\0';
    return true;
}

int tempo_json_enum(const json_t *v, const char *const *names, int n)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        return (x >= 0 && x < 1000) ? (int)x : 0;
    }
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    char *end;
    long x = strtol(s, &end, 10);
    return (*s && !*end && x >= 0 && x < 1000) ? (int)x : 0;
}

/* ---- AnyValue -------------------------------------------------------------------------------- */

static void format_double(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static json_t *plain_value(const json_t *any, int depth);

static json_t *plain_list(const json_t *values, bool kv, int depth)
{
    json_t *out = kv ? json_object() : json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(values, i, item)
    {
        if (kv) {
            const char *k = tempo_json_str(json_object_get(item, "key"), NULL);
            json_object_set_new(out, k, plain_value(json_object_get(item, "value"), depth + 1));
        } else {
            json_array_append_new(out, plain_value(item, depth + 1));
        }
    }
    return out;
}

/* An AnyValue as plain JSON (for arrays and kvlists rendered as text). */
static json_t *plain_value(const json_t *any, int depth)
{
    const json_t *v;
    if (!json_is_object(any) || depth > PLAIN_MAX_DEPTH)
        return json_null();
    if ((v = json_object_get(any, "stringValue")))
        return json_string(tempo_json_str(v, NULL));
    if ((v = json_object_get(any, "intValue")))
        return json_integer(tempo_json_int64(v, 0));
    if ((v = json_object_get(any, "doubleValue"))) {
        double d = tempo_json_double(v, 0);
        return isfinite(d) ? json_real(d) : json_null();
    }
    if ((v = json_object_get(any, "boolValue")))
        return json_boolean(json_is_true(v));
    if ((v = json_object_get(any, "bytesValue")))
        return json_string(tempo_json_str(v, NULL));
    if ((v = json_object_get(any, "arrayValue")))
        return plain_list(json_object_get(v, "values"), false, depth);
    if ((v = json_object_get(any, "kvlistValue")))
        return plain_list(json_object_get(v, "values"), true, depth);
    return json_null();
}

static void set_text_from_json(struct tempo_pool *pool, struct tempo_kv *kv, json_t *plain)
{
    char *text = json_dumps(plain, JSON_COMPACT | JSON_ENCODE_ANY);
    kv->text = text ? tempo_pool_strndup(pool, text, strlen(text)) : "";
    free(text);
    json_decref(plain);
}

static enum tempo_key exception_key(const char *rest)
{
    if (strcmp(rest, "type") == 0)
        return TEMPO_KEY_EXCEPTION_TYPE;
    if (strcmp(rest, "message") == 0)
        return TEMPO_KEY_EXCEPTION_MESSAGE;
    if (strcmp(rest, "stacktrace") == 0)
        return TEMPO_KEY_EXCEPTION_STACKTRACE;
    if (strcmp(rest, "escaped") == 0)
        return TEMPO_KEY_EXCEPTION_ESCAPED;
    return TEMPO_KEY_OTHER;
}

static enum tempo_key key_if(const char *key, const char *name, enum tempo_key id)
{
    return strcmp(key, name) == 0 ? id : TEMPO_KEY_OTHER;
}

enum tempo_key tempo_key_of(const char *key)
{
    switch (key[0]) {
    case 'e':
        if (strncmp(key, "exception.", 10) == 0)
            return exception_key(key + 10);
        return key_if(key, "error.fingerprint", TEMPO_KEY_ERROR_FINGERPRINT);
    case 's':
        if (strcmp(key, "service.name") == 0)
            return TEMPO_KEY_SERVICE_NAME;
        return key_if(key, "statusMessage", TEMPO_KEY_STATUS_MESSAGE);
    case 'h':
        if (strcmp(key, "http.route") == 0)
            return TEMPO_KEY_HTTP_ROUTE;
        return key_if(key, "http.target", TEMPO_KEY_HTTP_TARGET);
    case 'u':
        return key_if(key, "url.path", TEMPO_KEY_URL_PATH);
    case 't':
        return key_if(key, "telemetry.sdk.language", TEMPO_KEY_SDK_LANGUAGE);
    case 'g':
        return key_if(key, "grouping.fingerprint", TEMPO_KEY_GROUPING_FINGERPRINT);
    default:
        return TEMPO_KEY_OTHER;
    }
}

void tempo_json_kv(struct tempo_pool *pool, const json_t *obj, struct tempo_kv *kv)
{
    size_t len;
    const char *key = tempo_json_str(json_object_get(obj, "key"), &len);
    const json_t *any = json_object_get(obj, "value"), *v;
    char num[40];
    kv->key = tempo_pool_strndup(pool, key, len);
    kv->key_id = (uint8_t)tempo_key_of(kv->key);
    kv->text = "";
    kv->type = TEMPO_VALUE_EMPTY;
    kv->i = 0;
    kv->d = 0;
    if (!json_is_object(any))
        return;
    if ((v = json_object_get(any, "stringValue"))) {
        const char *s = tempo_json_str(v, &len);
        kv->type = TEMPO_VALUE_STRING;
        kv->text = tempo_pool_strndup(pool, s, len);
    } else if ((v = json_object_get(any, "intValue"))) {
        kv->type = TEMPO_VALUE_INT;
        kv->i = tempo_json_int64(v, 0);
        kv->d = (double)kv->i;
        snprintf(num, sizeof num, "%lld", (long long)kv->i);
        kv->text = tempo_pool_strndup(pool, num, strlen(num));
    } else if ((v = json_object_get(any, "doubleValue"))) {
        kv->type = TEMPO_VALUE_DOUBLE;
        kv->d = tempo_json_double(v, 0);
        format_double(kv->d, num, sizeof num);
        kv->text = tempo_pool_strndup(pool, num, strlen(num));
    } else if ((v = json_object_get(any, "boolValue"))) {
        kv->type = TEMPO_VALUE_BOOL;
        kv->i = json_is_true(v) || (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
        kv->text = kv->i ? "true" : "false";
    } else if ((v = json_object_get(any, "bytesValue"))) {
        const char *s = tempo_json_str(v, &len);
        kv->type = TEMPO_VALUE_BYTES;
        kv->text = tempo_pool_strndup(pool, s, len);
    } else if ((v = json_object_get(any, "arrayValue"))) {
        kv->type = TEMPO_VALUE_ARRAY;
        set_text_from_json(pool, kv, plain_list(json_object_get(v, "values"), false, 0));
    } else if ((v = json_object_get(any, "kvlistValue"))) {
        kv->type = TEMPO_VALUE_KVLIST;
        set_text_from_json(pool, kv, plain_list(json_object_get(v, "values"), true, 0));
    }
}

uint32_t tempo_json_kv_list(struct tempo_pool *pool, const json_t *arr, size_t max,
                            struct tempo_kv **out)
{
    *out = NULL;
    size_t n = json_array_size(arr);
    if (n > max)
        n = max;
    if (n == 0)
        return 0;
    struct tempo_kv *kvs = tempo_pool_array(pool, n, sizeof *kvs);
    for (size_t i = 0; i < n; i++)
        tempo_json_kv(pool, json_array_get(arr, i), &kvs[i]);
    *out = kvs;
    return (uint32_t)n;
}

const struct tempo_kv *tempo_kv_find(const struct tempo_kv *kvs, uint32_t n, const char *key)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(kvs[i].key, key) == 0)
            return &kvs[i];
    return NULL;
}

const char *tempo_kv_text(const struct tempo_kv *kv)
{
    return kv && kv->type == TEMPO_VALUE_STRING && kv->text[0] ? kv->text : NULL;
}

const char *tempo_kv_string(const struct tempo_kv *kvs, uint32_t n, const char *key)
{
    return tempo_kv_text(tempo_kv_find(kvs, n, key));
}

const struct tempo_kv *tempo_kv_find_id(const struct tempo_kv *kvs, uint32_t n, enum tempo_key id)
{
    for (uint32_t i = 0; i < n; i++)
        if (kvs[i].key_id == id)
            return &kvs[i];
    return NULL;
}
