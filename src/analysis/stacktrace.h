/* SPDX-License-Identifier: Apache-2.0
 *
 * Stack-trace parsing: the text of an OpenTelemetry `exception.stacktrace`
 * attribute turned into exceptions and frames, for Python, JVM languages
 * (Java, Kotlin, Scala), Go, Node.js/V8 (and browser `fn@url` frames), .NET,
 * Ruby and PHP (native `#0 file(line): call` text and the OTel PHP SDK's
 * Java-style text). Formats nobody recognises degrade to one frame per line.
 *
 * What comes out, whatever the language:
 *  - exceptions[0] is the exception that was reported (the outermost one;
 *    for Python the last block of the text, for native PHP the last `Next`),
 *    followed by its causes, contexts, inner and suppressed exceptions in
 *    order from outer to root cause;
 *  - each exception owns a contiguous run of frames, innermost (throw site)
 *    first, whatever order the language prints them in;
 *  - each frame has module (class / package / module path), function, file
 *    and line, a guess whether it is application code (`in_app`) and whether
 *    it is machinery to ignore (`noise`: the OTel SDK's recording frames,
 *    reflection and proxy frames, coroutine boundary markers, Go's
 *    panic/recover frames).
 *
 * Names are as written, apart from these cleanups done here: argument lists,
 * line/column numbers, `+0x..` offsets and JVM module/class-loader prefixes
 * are split off; JS `async `/`new `/`[as x]` dropped and `file://` /
 * `webpack-internal:///` prefixes removed from JS files; PHP's OTel
 * `App.Billing.X` restored to `App\Billing\X`; PHP native frames carry the
 * location where the function was executing (the previous line's file), not
 * its call site. Modules that come from paths (Python, JS, old Ruby labels)
 * are the last path names without extension, ids, versions, query strings
 * and bundle hashes (`main.3f9a1c.js` gives `.../main`). The further
 * normalisation used for grouping (lambdas, closures, generated classes) is
 * frame_name.c's job.
 *
 * Truncation: strings cut by attribute limits (Go's 2,048-byte runtime.Stack
 * buffer, Tempo's 2 KB max_attribute_bytes) are expected. A final line that
 * does not end in a newline and does not match its grammar completely is
 * ignored, `truncated` is set and the exception being read is marked
 * incomplete (`complete = false`).
 *
 * Bounded work: at most STACKTRACE_MAX_SCAN_BYTES of input and
 * STACKTRACE_MAX_LINES lines are read, at most STACKTRACE_MAX_FRAMES frames
 * and STACKTRACE_MAX_EXCEPTIONS exceptions are kept; reaching a limit sets
 * `truncated`. Parsing a 1 MB input therefore costs the same as parsing its
 * first 256 KiB.
 *
 * Ownership: a `struct stacktrace` owns all its strings and arrays;
 * stacktrace_parse() reuses them (pointers from the previous parse become
 * invalid), stacktrace_cleanup() frees them. The input is only read, and may
 * be freed after the call. Never fails: garbage in gives zero frames.
 * Thread safety: one stacktrace per thread; the functions keep no state.
 */
#ifndef ET_ANALYSIS_STACKTRACE_H
#define ET_ANALYSIS_STACKTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/arena.h"

#define STACKTRACE_MAX_SCAN_BYTES (256u * 1024u)
#define STACKTRACE_MAX_LINES      4096
#define STACKTRACE_MAX_FRAMES     512
#define STACKTRACE_MAX_EXCEPTIONS 32
#define STACKTRACE_MAX_MESSAGE    2048 /* bytes of each exception message kept */

enum stack_language {
    STACK_LANG_UNKNOWN = 0, /* no grammar matched: line-based frames */
    STACK_LANG_PYTHON,
    STACK_LANG_JVM, /* Java, Kotlin, Scala */
    STACK_LANG_GO,
    STACK_LANG_NODE, /* V8 (Node.js, Chromium) and SpiderMonkey/JSC `fn@url` */
    STACK_LANG_DOTNET,
    STACK_LANG_RUBY,
    STACK_LANG_PHP,
    STACK_LANG_COUNT,
};

/* How an exception relates to the one before it in `exceptions`. */
enum stack_relation {
    STACK_REL_REPORTED = 0, /* exceptions[0] */
    STACK_REL_CAUSE,        /* Java/PHP "Caused by", Python "direct cause", .NET inner,
                               Ruby cause, PHP native "Next" (reversed) */
    STACK_REL_CONTEXT,      /* Python "During handling of the above exception" */
    STACK_REL_SUPPRESSED,   /* Java "Suppressed:" (owner in `parent`) */
    STACK_REL_MEMBER,       /* a sub-exception of a Python ExceptionGroup (group in `parent`) */
};

struct stack_frame {
    const char *module;   /* class, module or package ("" when unknown) */
    const char *function; /* function or method ("" when unknown) */
    const char *file;     /* path as written, "" when unknown */
    uint32_t line;        /* 1-based, 0 when unknown */
    uint32_t column;      /* 1-based, 0 when unknown */
    uint32_t text_offset; /* the frame's text in the input (for display) */
    uint32_t text_length; /* may span two lines (Go) */
    uint16_t exception;   /* index into `exceptions` */
    bool in_app;          /* application code rather than library/runtime code */
    bool noise;           /* machinery never used for grouping */
};

struct stack_exception {
    const char *type;    /* as written ("" when the text names none) */
    const char *message; /* first STACKTRACE_MAX_MESSAGE bytes, lines joined by '\n' */
    enum stack_relation relation;
    uint16_t parent;      /* the exception this one belongs to (0 for exceptions[0]) */
    uint32_t first_frame; /* its frames: frames[first_frame .. first_frame+n_frames) */
    uint32_t n_frames;
    uint32_t omitted_frames; /* "... N more" / elided frames not repeated */
    bool complete;           /* false when the text was cut inside this exception */
};

struct stacktrace {
    enum stack_language language;
    struct stack_exception *exceptions; /* n_exceptions entries, reported one first */
    size_t n_exceptions;
    struct stack_frame *frames; /* n_frames entries, grouped by exception */
    size_t n_frames;
    bool truncated; /* the text was cut, or a limit was reached */

    /* private: storage reused across parses */
    size_t exceptions_cap;
    size_t frames_cap;
    struct arena strings;
};

void stacktrace_init(struct stacktrace *st);
void stacktrace_cleanup(struct stacktrace *st);

/* Parse text[0..len). `hint` is the language when known (from the resource
 * attribute telemetry.sdk.language, see stack_language_from_sdk()), or
 * STACK_LANG_UNKNOWN to detect it from the text. A wrong hint is survivable:
 * when its grammar finds no frame, the text is sniffed. */
void stacktrace_parse(struct stacktrace *st, const char *text, size_t len,
                      enum stack_language hint);

/* The language whose markers dominate the first lines of text[0..len), or
 * STACK_LANG_UNKNOWN. */
enum stack_language stack_language_detect(const char *text, size_t len);

/* telemetry.sdk.language values ("python", "java", "go", "nodejs", "webjs",
 * "dotnet", "ruby", "php"; case-insensitive) to a language; anything else
 * (NULL, "cpp", "rust" ...) is STACK_LANG_UNKNOWN. */
enum stack_language stack_language_from_sdk(const char *sdk_language);

/* "python", "java", "go", "nodejs", "dotnet", "ruby", "php" or "unknown"
 * (telemetry.sdk.language spelling; "java" covers every JVM language). */
const char *stack_language_name(enum stack_language lang);

#endif
