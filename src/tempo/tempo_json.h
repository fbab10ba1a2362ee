/* SPDX-License-Identifier: Apache-2.0
 *
 * Reading Tempo's JSON encoding (gogo jsonpb, notes/tempo.md §1) from
 * jansson values: 64-bit integers as strings or numbers, IDs as base64
 * (trace bodies) or hex (search results, OTLP/JSON files), OTLP AnyValue
 * attributes, enums as names or numbers. Every reader is lenient about
 * missing fields (zero values are omitted on the wire) and never fails on a
 * wrong type: it yields the zero value, so one odd field cannot sink a trace.
 *
 * Thread safety: pure functions.
 */
#ifndef ET_TEMPO_TEMPO_JSON_H
#define ET_TEMPO_TEMPO_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tempo/tempo_pool.h"

/* The type of an attribute value (OTLP AnyValue oneof). */
enum tempo_value_type {
    TEMPO_VALUE_EMPTY = 0, /* no value set */
    TEMPO_VALUE_STRING,
    TEMPO_VALUE_INT,
    TEMPO_VALUE_DOUBLE,
    TEMPO_VALUE_BOOL,
    TEMPO_VALUE_BYTES,  /* text is the base64 as received */
    TEMPO_VALUE_ARRAY,  /* text is compact JSON of the plain values */
    TEMPO_VALUE_KVLIST, /* text is a compact JSON object */
};

/* The attribute keys the error panels read, recognised once while parsing
 * so that readers need not compare key strings. */
enum tempo_key {
    TEMPO_KEY_OTHER = 0,
    TEMPO_KEY_SERVICE_NAME,
    TEMPO_KEY_HTTP_ROUTE,
    TEMPO_KEY_URL_PATH,
    TEMPO_KEY_HTTP_TARGET,
    TEMPO_KEY_EXCEPTION_TYPE,
    TEMPO_KEY_EXCEPTION_MESSAGE,
    TEMPO_KEY_EXCEPTION_STACKTRACE,
    TEMPO_KEY_EXCEPTION_ESCAPED,
    TEMPO_KEY_SDK_LANGUAGE,
    TEMPO_KEY_ERROR_FINGERPRINT,
    TEMPO_KEY_GROUPING_FINGERPRINT,
    TEMPO_KEY_STATUS_MESSAGE,
    TEMPO_KEY_COUNT
};

/* The tempo_key of a NUL-terminated attribute key; TEMPO_KEY_OTHER when it
 * is none of them. */
enum tempo_key tempo_key_of(const char *key);

/* One attribute. `text` is always set: the string itself, the decimal
 * integer, the shortest double ("NaN", "Infinity" for non-finite), "true" or
 * "false", base64 bytes, or JSON text for arrays and key/value lists. */
struct tempo_kv {
    const char *key;  /* pool-owned */
    const char *text; /* pool-owned */
    enum tempo_value_type type;
    uint8_t key_id; /* enum tempo_key: tempo_key_of(key), set by every parser */
    int64_t i;      /* TEMPO_VALUE_INT, TEMPO_VALUE_BOOL (0/1) */
    double d;       /* TEMPO_VALUE_DOUBLE and TEMPO_VALUE_INT */
};

/* A 64-bit integer given as a JSON string ("1700000000000000000") or number;
 * `fallback` when absent or malformed. */
int64_t tempo_json_int64(const json_t *v, int64_t fallback);
/* A double given as a number or as "NaN"/"Infinity"/"-Infinity"/decimal text. */
double tempo_json_double(const json_t *v, double fallback);
/* The string value, or "" (never NULL). `len` gets its length when not NULL. */
const char *tempo_json_str(const json_t *v, size_t *len);

/* Decode an ID of `nbytes` bytes (16 trace, 8 span) given as hex (2*nbytes
 * digits, any case) or standard/URL-safe base64 (padding optional) into
 * lower-case hex in `out` (2*nbytes+1 bytes). Returns false, with `out` = "",
 * for anything else or an all-zero ID. */
bool tempo_json_id(const char *s, size_t len, size_t nbytes, char *out);

/* A hex trace ID from a search result (leading zeros stripped by Tempo):
 * 1..32 hex digits → 32 lower-case digits. False (out = "") otherwise. */
bool tempo_json_hex_trace_id(const char *s, size_t len, char out[33]);

/* Enum given as its name or number: index of the name in `names` (n
 * entries), else the number itself; 0 when absent or unknown. */
int tempo_json_enum(const json_t *v, const char *const *names, int n);

/* Fill `kv` from an OTLP KeyValue object {"key":..,"value":{AnyValue}}. */
void tempo_json_kv(struct tempo_pool *pool, const json_t *obj, struct tempo_kv *kv);
/* Parse an attribute list (JSON array of KeyValue) into a pool array.
 * Returns the count (0 and *out = NULL when absent or empty). Keeps at most
 * `max` entries. */
uint32_t tempo_json_kv_list(struct tempo_pool *pool, const json_t *arr, size_t max,
                            struct tempo_kv **out);

/* The value of attribute `key` in a list, or NULL. */
const struct tempo_kv *tempo_kv_find(const struct tempo_kv *kvs, uint32_t n, const char *key);
/* Its text when it is a non-empty string, else NULL. */
const char *tempo_kv_string(const struct tempo_kv *kvs, uint32_t n, const char *key);
/* tempo_kv_find() by key id (`id` other than TEMPO_KEY_OTHER). */
const struct tempo_kv *tempo_kv_find_id(const struct tempo_kv *kvs, uint32_t n, enum tempo_key id);
/* The text of `kv` when it is a non-empty string, else NULL (NULL kv too). */
const char *tempo_kv_text(const struct tempo_kv *kv);

#endif
