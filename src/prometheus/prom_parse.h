/* SPDX-License-Identifier: Apache-2.0
 *
 * Prometheus HTTP API responses → typed series.
 *
 * The envelope is {"status","data":{"resultType","result"},"errorType",
 * "error","warnings","infos"} (notes/metrics.md §4.2). Results are read by a
 * small streaming scanner straight into compact arrays (16 bytes per sample),
 * without building a JSON tree: a 30 MB matrix costs about as much memory as
 * its samples, not ten times the text. Limits on series and samples turn a
 * runaway answer into a clear error. Sample values are strings ("NaN", "+Inf"
 * included) parsed with strtod; native-histogram samples are skipped.
 *
 * Errors: a JSON error envelope becomes the backend's message with a status
 * derived from errorType (bad_data 400, execution 422, timeout/canceled/
 * unavailable 503, internal 500, not_found 404), source downstream; a
 * non-JSON body (plain-text 404/405, HTML from a proxy) becomes an error that
 * quotes a short excerpt; malformed JSON is 502.
 *
 * Ownership: prom_result_cleanup() frees everything in a result.
 * Thread safety: pure.
 */
#ifndef ET_PROMETHEUS_PROM_PARSE_H
#define ET_PROMETHEUS_PROM_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strlist.h"

#define PROM_MAX_SERIES  20000
#define PROM_MAX_SAMPLES 4000000 /* over all series: 64 MB of samples */

struct prom_sample {
    double t; /* seconds since the epoch (may have decimals) */
    double v; /* NaN/±Inf allowed */
};

struct prom_label {
    char *name;
    char *value;
};

struct prom_series {
    struct prom_label *labels; /* sorted by name */
    size_t n_labels;
    struct prom_sample *samples;
    size_t n_samples;
    size_t cap_samples;
};

enum prom_result_type {
    PROM_RESULT_NONE,
    PROM_RESULT_VECTOR,
    PROM_RESULT_MATRIX,
    PROM_RESULT_SCALAR,
    PROM_RESULT_STRING,
    PROM_RESULT_LABELS, /* /api/v1/labels, /label/x/values: data is a list of strings */
};

struct prom_result {
    enum prom_result_type type;
    struct prom_series *series; /* vector/matrix (a scalar is one series, no labels) */
    size_t n_series;
    size_t cap_series;
    struct et_strlist strings;  /* PROM_RESULT_LABELS values */
    struct et_strlist warnings; /* "warnings" and "infos" */
};

void prom_result_init(struct prom_result *r);
void prom_result_cleanup(struct prom_result *r);

/* Parse a response body received with HTTP status `http_status`. Returns 0 on
 * "status":"success" (warnings kept), -1 with `err` otherwise. */
int prom_parse_response(const char *body, size_t len, long http_status, struct prom_result *out,
                        struct et_error *err);

/* Move the values of a label-values (or label-names) answer into `out`,
 * skipping those already there and duplicates, in O(n log n) (a hostile or
 * huge answer may hold up to a million values). Returns -1 with a 502
 * downstream error when the answer's data is not a list of strings. */
int prom_result_take_labels(struct prom_result *r, struct et_strlist *out, struct et_error *err);

/* The value of label `name` in a series ("" when absent). */
const char *prom_series_label(const struct prom_series *s, const char *name);

#endif
