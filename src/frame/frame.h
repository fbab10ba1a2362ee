/* SPDX-License-Identifier: Apache-2.0
 *
 * Grafana data frames, independent of the wire format.
 *
 * A frame is what every panel query returns: a name, a refId, optional meta
 * (dataplane type, notices, executed query ...) and typed columns ("fields")
 * of equal length. Fields carry labels and a display config (unit, links ...).
 * The encoders in encode.h turn a frame into the bytes Grafana reads: Arrow
 * IPC *file* (the default) or the SDK's JSON frame form.
 *
 * Values are appended row by row (or in bulk) into growable typed arrays, so
 * building a frame does no per-value allocation beyond amortised growth.
 *
 * Misuse (appending a value of the wrong type, a null into a non-nullable
 * field, a second encoding of a broken frame) does not crash: the frame
 * records the first such mistake and the encoders refuse it with status 500,
 * naming the field. Fields of unequal length are refused the same way.
 *
 * Ownership: frame_new() returns a frame the caller frees with frame_free().
 * Fields belong to their frame (never freed separately); field pointers stay
 * valid until the frame is freed. Strings passed in are copied. json_t
 * arguments are *stolen* (the jansson `_new` convention): the frame takes the
 * caller's reference.
 *
 * Thread safety: a frame is built by one thread; a finished frame may be read
 * (encoded) from several threads at once.
 */
#ifndef ET_FRAME_FRAME_H
#define ET_FRAME_FRAME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* Field types: the Go SDK's field types. Arrow mapping in notes/frames.md §2.8. */
enum frame_type {
    FRAME_INT8,
    FRAME_INT16,
    FRAME_INT32,
    FRAME_INT64,
    FRAME_UINT8,
    FRAME_UINT16,
    FRAME_UINT32,
    FRAME_UINT64,
    FRAME_FLOAT32,
    FRAME_FLOAT64,
    FRAME_BOOL,
    FRAME_STRING,
    FRAME_TIME, /* nanoseconds since the Unix epoch (Arrow Timestamp ns) */
    FRAME_JSON, /* raw JSON text (Arrow Binary); must be valid JSON */
    FRAME_ENUM, /* uint16 index into config.type.enum.text */
};

enum frame_notice_severity {
    FRAME_NOTICE_INFO,
    FRAME_NOTICE_WARNING,
    FRAME_NOTICE_ERROR,
};

struct frame;
struct frame_field;

/* ---- frames ---------------------------------------------------------------- */

/* New empty frame called `name` ("" allowed) with refId "" and no meta. */
struct frame *frame_new(const char *name);
void frame_free(struct frame *frame);

void frame_set_name(struct frame *frame, const char *name);
void frame_set_ref_id(struct frame *frame, const char *ref_id);
const char *frame_name(const struct frame *frame);
const char *frame_ref_id(const struct frame *frame);

/* Meta. The frame has meta (written as the `meta` key) as soon as any of these
 * is called. typeVersion is always written ([0,0] when no type is set). */
void frame_meta_set_type(struct frame *frame, const char *type, unsigned major, unsigned minor);
void frame_meta_set_preferred_visualisation(struct frame *frame, const char *vis);
void frame_meta_set_executed_query(struct frame *frame, const char *text);
/* Appends to executedQueryString on a new line (for queries that ran several backend calls). */
void frame_meta_append_executed_query(struct frame *frame, const char *text);
void frame_meta_add_notice(struct frame *frame, enum frame_notice_severity severity,
                           const char *text);
void frame_meta_set_custom(struct frame *frame, json_t *custom); /* steals `custom` */
/* Indices of the fields that identify a row (meta.uniqueRowIdFields). */
void frame_meta_set_unique_row_id_fields(struct frame *frame, const int *indices, size_t n);
/* Use this exact JSON text as the meta (golden tests need byte-exact metadata);
 * overrides everything set through the typed setters. NULL removes it. */
void frame_meta_set_raw(struct frame *frame, const char *json);
bool frame_has_meta(const struct frame *frame);
/* Read back (for the CLI and tests). Borrowed; NULL when unset. */
const char *frame_meta_type(const struct frame *frame);
const char *frame_meta_executed_query(const struct frame *frame);
size_t frame_meta_notice_count(const struct frame *frame);
const char *frame_meta_notice_text(const struct frame *frame, size_t i);
enum frame_notice_severity frame_meta_notice_severity(const struct frame *frame, size_t i);

/* Add a column. `nullable` is the Go pointer flavour (*float64 ...). */
struct frame_field *frame_add_field(struct frame *frame, const char *name, enum frame_type type,
                                    bool nullable);
size_t frame_field_count(const struct frame *frame);
struct frame_field *frame_field_at(const struct frame *frame, size_t index);
/* NULL when no field has that name. */
struct frame_field *frame_field_by_name(const struct frame *frame, const char *name);
/* Rows of the first field (0 for a frame without fields). */
size_t frame_row_count(const struct frame *frame);

/* ---- field description ------------------------------------------------------- */

const char *frame_field_name(const struct frame_field *field);
enum frame_type frame_field_type(const struct frame_field *field);
bool frame_field_is_nullable(const struct frame_field *field);
size_t frame_field_len(const struct frame_field *field);

/* Labels: a string map kept sorted by key; setting a key again replaces it. A
 * field has labels (written as `labels`) once this is called. */
void frame_field_set_label(struct frame_field *field, const char *key, const char *value);
/* Mark the field as having an (empty) label set: written as `labels: {}`. */
void frame_field_set_empty_labels(struct frame_field *field);
size_t frame_field_label_count(const struct frame_field *field);
const char *frame_field_label_key(const struct frame_field *field, size_t i);
const char *frame_field_label_value(const struct frame_field *field, size_t i);

/* Config (FieldConfig, notes/frames.md §6.2). A field has config once any of
 * these is called; frame_field_set_empty_config() writes `{}`. */
void frame_field_set_empty_config(struct frame_field *field);
void frame_field_set_display_name(struct frame_field *field, const char *name);
void frame_field_set_display_name_from_ds(struct frame_field *field, const char *name);
void frame_field_set_description(struct frame_field *field, const char *text);
/* config.filterable: whether the data can be filtered by further queries (ad hoc filters). */
void frame_field_set_filterable(struct frame_field *field, bool filterable);
void frame_field_set_unit(struct frame_field *field, const char *unit);
void frame_field_set_decimals(struct frame_field *field, unsigned decimals);
void frame_field_set_min(struct frame_field *field, double min);
void frame_field_set_max(struct frame_field *field, double max);
void frame_field_set_interval(struct frame_field *field, double interval_ms);
void frame_field_set_no_value(struct frame_field *field, const char *text);
/* A data link that opens `query` (stolen) in the datasource `datasource_uid`
 * (Explore), e.g. a Tempo trace: query {"query":"${__value.raw}","queryType":"traceql"}. */
void frame_field_add_internal_link(struct frame_field *field, const char *title,
                                   const char *datasource_uid, const char *datasource_name,
                                   json_t *query);
void frame_field_add_url_link(struct frame_field *field, const char *title, const char *url,
                              bool target_blank);
/* Enum value names (config.type.enum.text) for FRAME_ENUM fields. */
void frame_field_set_enum_text(struct frame_field *field, const char *const *texts, size_t n);
/* Panel-specific config.custom (stolen), e.g. {"width":200} or {"cellOptions":{...}}. */
void frame_field_set_config_custom(struct frame_field *field, json_t *custom);
/* Use this exact JSON text as the config (golden tests); NULL removes it. */
void frame_field_set_config_raw(struct frame_field *field, const char *json);
bool frame_field_has_config(const struct frame_field *field);
/* Read back (CLI, tests). Borrowed; NULL when unset. */
const char *frame_field_unit(const struct frame_field *field);
const char *frame_field_display_name_from_ds(const struct frame_field *field);

/* ---- values -------------------------------------------------------------------- */

/* Append one row. The function must match the field type:
 *   int:    FRAME_INT8..FRAME_INT64       uint:  FRAME_UINT8..FRAME_UINT64, FRAME_ENUM
 *   float:  FRAME_FLOAT32, FRAME_FLOAT64  bool:  FRAME_BOOL
 *   time:   FRAME_TIME (ns since epoch)   string/json: FRAME_STRING / FRAME_JSON
 * Values out of the field's range are truncated as a C cast would. */
void frame_field_append_null(struct frame_field *field);
void frame_field_append_int(struct frame_field *field, int64_t v);
void frame_field_append_uint(struct frame_field *field, uint64_t v);
void frame_field_append_float(struct frame_field *field, double v);
void frame_field_append_bool(struct frame_field *field, bool v);
void frame_field_append_time_ns(struct frame_field *field, int64_t ns);
void frame_field_append_time_ms(struct frame_field *field, int64_t ms);
void frame_field_append_string(struct frame_field *field, const char *s, size_t len);
/* NUL-terminated string; NULL appends null (nullable fields) or "" (others). */
void frame_field_append_cstring(struct frame_field *field, const char *s);
void frame_field_append_json(struct frame_field *field, const char *json, size_t len);
/* Bulk appends for hot paths (same type rules). */
void frame_field_append_floats(struct frame_field *field, const double *v, size_t n);
void frame_field_append_ints(struct frame_field *field, const int64_t *v, size_t n);
void frame_field_append_times_ns(struct frame_field *field, const int64_t *ns, size_t n);

/* Read back (CLI, tests, sorting). Out-of-range rows read as null/zero. */
bool frame_field_is_null(const struct frame_field *field, size_t row);
int64_t frame_field_get_int(const struct frame_field *field, size_t row);   /* int types, time */
uint64_t frame_field_get_uint(const struct frame_field *field, size_t row); /* uint types, enum */
double frame_field_get_float(const struct frame_field *field, size_t row);  /* any numeric */
bool frame_field_get_bool(const struct frame_field *field, size_t row);
/* String and JSON fields: the row's bytes and, in *len, their count. The bytes
 * are NOT NUL-terminated (rows are stored back to back, as Arrow needs them):
 * always use *len (`len` may be NULL only to test for null). NULL for a null
 * row, a non-string field or a row out of range. Borrowed until the next append. */
const char *frame_field_get_string(const struct frame_field *field, size_t row, size_t *len);

/* ---- checks and encoders ----------------------------------------------------------- */

/* 0 when the frame can be encoded; otherwise -1 with a 500 error naming the
 * first misuse (wrong-type append, null in non-nullable field, unequal lengths). */
int frame_validate(const struct frame *frame, struct et_error *err);

/* A list of frames, as one query's answer. Owns its frames. */
struct frame_list {
    struct frame **items;
    size_t n;
    size_t cap;
};
void frame_list_init(struct frame_list *list);
/* Takes ownership of `frame`. */
void frame_list_push(struct frame_list *list, struct frame *frame);
/* Frees every frame. */
void frame_list_cleanup(struct frame_list *list);

#endif
