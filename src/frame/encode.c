/* SPDX-License-Identifier: Apache-2.0
 *
 * frame_write(): picks the Arrow or JSON encoder by DataFrameFormat. The
 * encoders themselves live in arrow_ipc.c and frame_json.c.
 */
#include "frame/encode.h"

int frame_write(const struct frame *frame, enum frame_format format, struct et_buf *out,
                struct et_error *err)
{
    switch (format) {
    case FRAME_FORMAT_ARROW:
        return frame_write_arrow(frame, out, err);
    case FRAME_FORMAT_JSON:
        return frame_write_json(frame, out, err);
    }
    return et_error_set(err, 500, ET_SOURCE_PLUGIN, "unknown frame format %d", (int)format);
}
