/* SPDX-License-Identifier: Apache-2.0
 *
 * Test tool: encode frames described as canonical JSON (frame_spec.h).
 *
 *   spec_encode <spec.json> <out prefix>
 *
 * <spec.json> is {"frames": [spec, ...]}. For frame i it writes
 * <out prefix>.<i>.arrow and <out prefix>.<i>.json (our Arrow and JSON
 * encodings). The Node and Python checks compare those with the goldens the
 * specs were taken from. Exit status 0, or 1 with a message on stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "frame/encode.h"
#include "frame_spec.h"

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
        if (!fp || fwrite(b.data, 1, b.len, fp) != b.len)
            rc = -1;
        if (fp && fclose(fp) != 0)
            rc = -1;
    }
    et_buf_cleanup(&b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <spec.json> <out prefix>\n", argv[0]);
        return 2;
    }
    json_error_t jerr;
    json_t *doc = json_load_file(argv[1], 0, &jerr);
    if (!doc) {
        fprintf(stderr, "%s: %s\n", argv[1], jerr.text);
        return 1;
    }
    int rc = 0;
    json_t *frames = json_object_get(doc, "frames");
    for (size_t i = 0; i < json_array_size(frames) && rc == 0; i++) {
        char why[256] = "", path[4096];
        struct frame *f = frame_spec_build(json_array_get(frames, i), why, sizeof why);
        if (!f) {
            fprintf(stderr, "%s frame %zu: %s\n", argv[1], i, why);
            rc = 1;
            break;
        }
        snprintf(path, sizeof path, "%s.%zu.arrow", argv[2], i);
        if (write_encoding(f, FRAME_FORMAT_ARROW, path) != 0)
            rc = 1;
        snprintf(path, sizeof path, "%s.%zu.json", argv[2], i);
        if (write_encoding(f, FRAME_FORMAT_JSON, path) != 0)
            rc = 1;
        frame_free(f);
    }
    json_decref(doc);
    return rc;
}
