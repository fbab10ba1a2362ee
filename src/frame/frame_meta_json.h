/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to src/frame/: the JSON texts Grafana re-parses into Go structs,
 * written exactly as Go's encoding/json would marshal them (struct field
 * order, omitempty rules, sorted map keys, HTML-safe string escaping, Go
 * number formatting) so that Arrow files match the SDK's byte for byte.
 *
 *   FrameMeta   -> frame_meta_write_json()      (notes/frames.md §6.1)
 *   FieldConfig -> frame_config_write_json()    (§6.2, §6.3)
 *   Labels      -> frame_labels_write_json()    (sorted string map)
 *
 * All append to `out` and return 0, or -1 once `out` hit its limit (the
 * buffer's sticky `failed` flag is then set). Thread safety: pure functions
 * over a frame that is not being modified.
 */
#ifndef ET_FRAME_FRAME_META_JSON_H
#define ET_FRAME_FRAME_META_JSON_H

#include <jansson.h>

#include "core/buf.h"
#include "frame/frame_int.h"

int frame_meta_write_json(const struct frame *frame, struct et_buf *out);
int frame_config_write_json(const struct frame_field *field, struct et_buf *out);
int frame_labels_write_json(const struct frame_field *field, struct et_buf *out);

/* A jansson value the way Go marshals the same value held in an interface{}:
 * object keys sorted, strings Go-escaped, reals in encoding/json form. */
int frame_gojson_append_value(struct et_buf *out, const json_t *value);

/* A float32 as encoding/json writes it (shortest float32 digits; exponent
 * form below 1e-6 and from 1e21). NaN/Inf are written as null and return 1. */
int frame_gojson_append_float32(struct et_buf *out, float value);

/* A float64 as encoding/json writes it (shortest digits; exponent form below
 * 1e-6 and from 1e21). NaN/Inf are written as null and return 1. */
int frame_gojson_append_float64(struct et_buf *out, double value);

/* A float64 as Go's fmt "%v" prints it (ConfFloat64 min/max): shortest
 * digits, exponent form ("1e+06", "1.5e-05") when the decimal exponent is
 * < -4 or >= 6. NaN/Inf are written as null. */
int frame_gojson_append_fmt_v(struct et_buf *out, double value);

#endif
