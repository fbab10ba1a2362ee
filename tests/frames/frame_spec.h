/* SPDX-License-Identifier: Apache-2.0
 *
 * Test support: the "canonical frame" JSON shared by the C and Node sides of
 * the frame tests, and a builder that turns one into a frame through the
 * public API (frame.h). The format is exact for every value:
 *
 *   {"rows": N, "batches": 0|1,
 *    "metadata": {"name": str, "refId": str, "meta": <object>},
 *    "fields": [{"name": str, "type": "int8".."int64" | "uint8".."uint64" |
 *                "float32" | "float64" | "bool" | "utf8" | "binary" |
 *                "timestamp:3:",
 *                "nullable": bool, "nullCount": n,
 *                "metadata": {"tstype": str, "labels": {...}, "config": {...}},
 *                "values": [null | value, ...]}]}
 *
 * Values: integers and timestamps (ns) as decimal strings, floats as the hex
 * digits of their IEEE bits ("3ff0000000000000"), bools as JSON booleans,
 * utf8/binary as hex of their bytes. A uint16 field whose tstype is "enum" is
 * a FRAME_ENUM field. Keys the builder cannot express (e.g. legacy field
 * metadata) are ignored by the builder; the comparison decides about them.
 */
#ifndef ET_TESTS_FRAME_SPEC_H
#define ET_TESTS_FRAME_SPEC_H

#include <jansson.h>

#include "frame/frame.h"

/* Build the frame `spec` describes; NULL with a message in `why` (size n)
 * when the spec is malformed. The caller frees the frame. */
struct frame *frame_spec_build(const json_t *spec, char *why, size_t n);

#endif
