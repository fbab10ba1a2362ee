/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame encoders: Arrow IPC file (Grafana's default) and the SDK's JSON frame.
 *
 * frame_write_arrow() writes one complete Arrow IPC *file* per frame, exactly
 * as grafana-plugin-sdk-go's Frame.MarshalArrow (arrow-go v18) does: magic,
 * schema message, one record batch (none for zero rows), end-of-stream marker,
 * footer, trailing magic (notes/frames.md §2). frame_write_json() writes the
 * SDK's JSON frame (`{"schema":...,"data":{"values":...}}`, notes/frames.md §5).
 *
 * Both append to `out` and return 0, or -1 with `err` set (500 for a frame
 * that fails frame_validate(), 413 when `out`'s limit was reached).
 *
 * Thread safety: encoding only reads the frame; several threads may encode the
 * same finished frame at once.
 */
#ifndef ET_FRAME_ENCODE_H
#define ET_FRAME_ENCODE_H

#include "core/buf.h"
#include "core/error.h"
#include "frame/frame.h"

enum frame_format {
    FRAME_FORMAT_ARROW = 0, /* DataFrameFormat.ARROW, proto value 0 */
    FRAME_FORMAT_JSON = 1,  /* DataFrameFormat.JSON, proto value 1 */
};

int frame_write_arrow(const struct frame *frame, struct et_buf *out, struct et_error *err);
int frame_write_json(const struct frame *frame, struct et_buf *out, struct et_error *err);
int frame_write(const struct frame *frame, enum frame_format format, struct et_buf *out,
                struct et_error *err);

#endif
