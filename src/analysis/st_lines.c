/* SPDX-License-Identifier: Apache-2.0
 *
 * The fallback for stack traces in no known format (C++ backtraces, Rust,
 * Elixir, Swift, a log line...): the first non-empty line is the exception
 * (`<Type>: <message>` when it starts with a name followed by ": ", else
 * only a message), every further non-empty line is a frame whose function
 * is the trimmed line. The fingerprint normalises these lines like messages,
 * so numbers, addresses and ids in them do not matter. Nothing is marked as
 * application code: grouping uses them only when nothing better exists.
 */
#include "analysis/stacktrace_int.h"

#define LINES_MAX_FRAMES 64 /* lines of an unknown format worth keeping */

void st_parse_lines(struct st_parser *p)
{
    int e = -1;
    size_t frames = 0;
    struct st_line l;
    while (st_next_line(p, &l) && frames < LINES_MAX_FRAMES) {
        const char *t = l.p;
        size_t tn = l.len;
        sv_trim(&t, &tn);
        if (!tn)
            continue;
        if (e < 0) {
            size_t i = 0;
            while (i < tn && t[i] != ' ' && t[i] != ':')
                i++;
            bool named = i > 0 && i + 1 < tn && t[i] == ':' && t[i + 1] == ' ';
            size_t msg = named ? i + 1 : 0;
            e = st_add_exception(p, t, named ? i : 0, (size_t)(t + msg - p->text), l.offset + l.len,
                                 STACK_REL_REPORTED, 0);
            continue;
        }
        struct stack_frame *f = st_add_frame(p, e, &l);
        if (!f)
            break;
        f->function = st_strdup(p, t, tn);
        frames++;
    }
}
