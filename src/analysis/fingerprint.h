/* SPDX-License-Identifier: Apache-2.0
 *
 * Error fingerprints: which errors are "the same bug".
 *
 * The fingerprint of an error event is a 64-bit hash of its *components*,
 * chosen in this order of preference (Sentry's precedence, with anchors.md
 * b.10's additions):
 *
 *  1. app frames: the exception type, then for each exception of the chain
 *     (reported one first; suppressed exceptions left out; repeats of an
 *     identical exception, as in groups of equal failures, counted once; at
 *     most FINGERPRINT_MAX_CHAIN) its type and its top FINGERPRINT_MAX_FRAMES
 *     application frames as normalised `module|function` (frame_name.h: no
 *     line numbers, generated and anonymous names replaced, consecutive
 *     repeats from recursion counted once);
 *  2. all frames: the same with library/runtime frames, plus the message
 *     template, when the trace has no application frame at all (such a
 *     stack only says which library call failed, e.g. a socket connect:
 *     the message tells which dependency);
 *  3. message: the type and the message template (message.h), when there is
 *     no usable stack trace.
 *
 * Go gets the message template in case 1 too when its type says
 * nothing (*errors.errorString, *fmt.wrapError ...) or when the stack is the
 * OTel SDK's record of where RecordError was called rather than where the
 * error arose: otherwise every error recorded by one handler would merge.
 *
 * Truncation (Go's 2,048-byte stacks, Tempo's 2 KB attribute limit) moves
 * with the length of the message, so an exception the text was cut inside
 * takes no part when another exception of the chain has frames, and
 * otherwise only contributes the frames printed before the cut. Line moves,
 * ids, hosts and timestamps never change a fingerprint.
 *
 * An application can decide for itself: a non-empty `custom_key` (Datadog's
 * `error.fingerprint`, Uptrace's `grouping.fingerprint`) replaces all of the
 * above; culprit, template and stack top are still computed for display.
 *
 * The exception type is the `exception.type` attribute when present (Python
 * types reduced to their class name, PHP's dots turned back to backslashes),
 * else the type named by the text.
 *
 * Ownership: a fingerprint_ctx holds reusable buffers; the strings of the
 * `struct fingerprint` it fills are borrowed from it and stay valid until the
 * next fingerprint_compute() with the same ctx, or fingerprint_ctx_free().
 * Thread safety: one ctx per thread; contexts share nothing.
 */
#ifndef ET_ANALYSIS_FINGERPRINT_H
#define ET_ANALYSIS_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/stacktrace.h"

#define FINGERPRINT_MAX_FRAMES  5   /* frames per exception in the hash */
#define FINGERPRINT_MAX_CHAIN   8   /* exceptions of a chain in the hash */
#define FINGERPRINT_ID_LEN      12  /* hex digits of the short id */
#define FINGERPRINT_CULPRIT_MAX 300 /* bytes of culprit and stack_top */

enum fingerprint_basis {
    FINGERPRINT_APP_FRAMES = 0, /* types + application frames */
    FINGERPRINT_ALL_FRAMES,     /* types + any frames (no application frame found) */
    FINGERPRINT_MESSAGE,        /* type + message template (no usable frame) */
    FINGERPRINT_CUSTOM,         /* the event's own grouping key (custom_key) */
};

/* One error event's exception attributes. Every field may be NULL. */
struct fingerprint_input {
    const char *exception_type; /* exception.type */
    const char *message;        /* exception.message */
    const char *stacktrace;     /* exception.stacktrace, stacktrace_len bytes */
    size_t stacktrace_len;
    const char *sdk_language; /* telemetry.sdk.language, a hint for the parser */
    const char *custom_key;   /* a grouping key set by the application (attribute
                                 error.fingerprint or grouping.fingerprint): when
                                 not empty it alone decides the group */
};

struct fingerprint {
    uint64_t hash;                   /* the group key */
    char id[FINGERPRINT_ID_LEN + 1]; /* its first 12 hex digits, for display */
    enum fingerprint_basis basis;
    enum stack_language language; /* detected (or hinted) language */
    const char *exception_type;   /* normalised type ("" when none) */
    const char *message_template; /* template of the message ("" when none) */
    const char *culprit;          /* top application frame as "module.function",
                                     else the top frame; "" without frames or when
                                     the format is unknown (no module/function) */
    const char *stack_top;        /* that frame's text as written, else the first
                                     non-empty line of the trace; "" without trace */
    const char *components;       /* the hashed text, one component per line: why
                                     these events are grouped together */
    size_t frames_used;           /* frames that went into the hash */
    bool truncated;               /* the stack trace was cut or limited */
};

struct fingerprint_ctx;

/* Never NULL (aborts on out-of-memory). Free with fingerprint_ctx_free(). */
struct fingerprint_ctx *fingerprint_ctx_new(void);
void fingerprint_ctx_free(struct fingerprint_ctx *ctx);

/* Fingerprint one event into `out` (strings borrowed from ctx, see above).
 * Never fails: any input, including empty or binary, gives a fingerprint. */
void fingerprint_compute(struct fingerprint_ctx *ctx, const struct fingerprint_input *in,
                         struct fingerprint *out);

/* The trace parsed by the last fingerprint_compute() (borrowed likewise),
 * for callers that also display frames. */
const struct stacktrace *fingerprint_ctx_trace(const struct fingerprint_ctx *ctx);

/* Write the 12-hex-digit id of `hash` into out[FINGERPRINT_ID_LEN + 1]. */
void fingerprint_format_id(uint64_t hash, char *out);

#endif
