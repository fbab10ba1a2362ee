/* SPDX-License-Identifier: Apache-2.0
 *
 * Private layout of frames and fields, shared by the files of src/frame/ only
 * (frame.c, frame_config.c, frame_meta_json.c, arrow_ipc.c, frame_json.c).
 *
 * A column keeps its values exactly as the Arrow body needs them: fixed-width
 * values packed little-endian at their native width (null slots hold zero),
 * bools as an LSB-first bitmap, strings and JSON as int32 offsets plus bytes.
 * The validity bitmap is allocated only at the first null, so the common
 * all-valid column costs nothing and the encoder memcpy()s whole columns.
 *
 * Misuse (wrong-type append, null into a non-nullable field, overflow) is
 * recorded once per frame in `frame->misuse` and refused by frame_validate().
 */
#ifndef ET_FRAME_FRAME_INT_H
#define ET_FRAME_FRAME_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "frame/frame.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "src/frame assumes a little-endian host (Arrow buffers are little-endian)"
#endif

/* Largest byte count of one string/JSON column (Arrow Utf8/Binary offsets are int32). */
#define FRAME_VARWIDTH_MAX_BYTES ((size_t)INT32_MAX)

struct frame_column {
    size_t len;              /* rows appended */
    size_t null_count;       /* rows that are null */
    size_t width;            /* bytes per value for fixed-width types; 0 for bool/string/json */
    unsigned char *values;   /* fixed-width values, bool bitmap, or string bytes */
    size_t values_len;       /* bytes of `values` in use */
    size_t values_cap;       /* bytes allocated */
    int32_t *offsets;        /* string/json only: len + 1 entries, offsets[0] = 0 */
    size_t offsets_cap;      /* entries allocated */
    unsigned char *validity; /* NULL until the first null; then bit i = row i is valid */
    size_t validity_cap;     /* bytes allocated (zero-filled beyond the rows) */
};

struct frame_label {
    char *key;   /* owned */
    char *value; /* owned */
};

struct frame_link {
    char *title;           /* owned, may be NULL */
    char *url;             /* owned, may be NULL */
    bool target_blank;     /* */
    bool internal;         /* has an `internal` object */
    char *datasource_uid;  /* owned, may be NULL */
    char *datasource_name; /* owned, may be NULL */
    json_t *query;         /* owned reference, may be NULL */
};

struct frame_field_config {
    bool present;               /* written at all (even when empty: `{}`) */
    char *display_name;         /* owned or NULL; each string below likewise */
    char *display_name_from_ds; /* */
    char *description;          /* */
    char *unit;                 /* */
    char *no_value;             /* */
    bool has_filterable;        /* Go *bool: written even when false */
    bool filterable;            /* */
    bool has_decimals;          /* */
    unsigned decimals;          /* 0..65535 (Go *uint16) */
    bool has_min;               /* */
    double min;                 /* NaN/Inf written as null, like Go's ConfFloat64 */
    bool has_max;               /* */
    double max;                 /* */
    double interval;            /* ms; 0 = unset (Go omitempty) */
    struct frame_link *links;   /* owned array */
    size_t link_count;          /* */
    size_t link_cap;            /* */
    char **enum_text;           /* owned array of owned strings, NULL when unset */
    size_t enum_count;          /* */
    bool has_enum;              /* */
    json_t *custom;             /* owned object reference or NULL */
    char *raw;                  /* owned exact JSON text overriding all of the above, or NULL */
};

struct frame_notice {
    enum frame_notice_severity severity;
    char *text; /* owned */
};

struct frame_meta {
    bool present;                 /* the frame has meta */
    char *type;                   /* owned or NULL */
    unsigned type_version[2];     /* major, minor */
    char *preferred_vis;          /* owned or NULL */
    char *executed_query;         /* owned or NULL */
    struct frame_notice *notices; /* owned array */
    size_t notice_count;          /* */
    size_t notice_cap;            /* */
    json_t *custom;               /* owned reference or NULL */
    int *unique_row_id_fields;    /* owned array or NULL */
    size_t unique_row_id_count;   /* */
    bool has_unique_row_ids;      /* */
    char *raw;                    /* owned exact JSON text overriding the above, or NULL */
};

struct frame_field {
    struct frame *frame;              /* owner; misuse is recorded there */
    char *name;                       /* owned */
    enum frame_type type;             /* */
    bool nullable;                    /* Go pointer flavour */
    struct frame_column col;          /* values */
    bool has_labels;                  /* written as `labels` (possibly `{}`) */
    struct frame_label *labels;       /* sorted by key (strcmp), owned */
    size_t label_count;               /* */
    size_t label_cap;                 /* */
    struct frame_field_config config; /* */
};

struct frame {
    char *name;                  /* owned */
    char *ref_id;                /* owned */
    struct frame_meta meta;      /* */
    struct frame_field **fields; /* owned array of owned fields */
    size_t field_count;          /* */
    size_t field_cap;            /* */
    struct et_error misuse;      /* first misuse, status 0 when none */
};

/* Record a misuse on the field's frame (first one wins). */
void frame_record_misuse(struct frame *frame, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Free what a config / meta owns (the structs themselves are embedded). */
void frame_field_config_cleanup(struct frame_field_config *config);
void frame_meta_cleanup(struct frame_meta *meta);

/* Per-type facts. */
const char *frame_type_tstype(enum frame_type type);    /* Arrow `tstype` / JSON `type` */
const char *frame_type_item_name(enum frame_type type); /* JSON typeInfo.frame */
size_t frame_type_width(enum frame_type type);          /* 0 for bool/string/json */
bool frame_type_is_varwidth(enum frame_type type);      /* string and json */

static inline bool frame_type_is_signed_int(enum frame_type t)
{
    return t == FRAME_INT8 || t == FRAME_INT16 || t == FRAME_INT32 || t == FRAME_INT64;
}

static inline bool frame_type_is_unsigned_int(enum frame_type t)
{
    return t == FRAME_UINT8 || t == FRAME_UINT16 || t == FRAME_UINT32 || t == FRAME_UINT64 ||
           t == FRAME_ENUM;
}

/* Record misuse of `field` (500, naming the frame and the field). */
void frame_field_misuse(struct frame_field *field, const char *what);

/* Column storage (column.c). Each push appends one row (or a run) at col->len. */
void frame_column_cleanup(struct frame_column *col);
void frame_column_push_fixed(struct frame_column *col, uint64_t bits, bool valid);
void frame_column_push_bool(struct frame_column *col, bool v, bool valid);
/* false (nothing appended) when the column would pass FRAME_VARWIDTH_MAX_BYTES */
bool frame_column_push_bytes(struct frame_column *col, const char *s, size_t n, bool valid);
void frame_column_push_run8(struct frame_column *col, const void *values, size_t n);

/* Is row `row` of a column valid (not null)? */
static inline bool frame_column_is_valid(const struct frame_column *col, size_t row)
{
    return !col->validity || (col->validity[row >> 3] >> (row & 7)) & 1;
}

#endif
