/* SPDX-License-Identifier: Apache-2.0
 *
 * Language detection from the text of a stack trace.
 *
 * Each of the first lines votes for the languages whose markers it carries
 * (anchors.md section d: "Traceback (most recent call last):", "\tat
 * x(File.java:1)", "goroutine 1 [running]:", ":in 'x'", "#0 f.php(1): ..."),
 * with weights by how distinctive the marker is; the best total wins.
 * Detection reads at most DETECT_MAX_LINES lines and DETECT_MAX_BYTES bytes
 * and stops early once a language is certain.
 */
#include <string.h>

#include "analysis/stacktrace.h"
#include "analysis/stacktrace_int.h"

#define DETECT_MAX_LINES 200
#define DETECT_MAX_BYTES (64u * 1024u)
#define DETECT_CERTAIN   24 /* score after which reading more lines changes nothing */
#define DETECT_MINIMUM   3  /* below this nothing was recognised */

/* Does s[0..n) end with ":<digits>:<digits>"? (a V8 location) */
static bool ends_line_col(const char *s, size_t n)
{
    size_t i = n, d = 0;
    while (i > 0 && sv_is_digit(s[i - 1]))
        i--, d++;
    if (!d || i == 0 || s[i - 1] != ':')
        return false;
    i--;
    d = 0;
    while (i > 0 && sv_is_digit(s[i - 1]))
        i--, d++;
    return d && i > 0 && s[i - 1] == ':';
}

/* For "at X(...)" lines: the text inside the last parentheses. */
static bool paren_content(const char *t, size_t n, const char **c, size_t *cn)
{
    while (n && t[n - 1] != ')' &&
           (t[n - 1] == ']' || t[n - 1] == ' ' || t[n - 1] == '~' || t[n - 1] == '.' ||
            t[n - 1] == ':' || t[n - 1] == '-' || t[n - 1] == '[' || sv_is_digit(t[n - 1]) ||
            (t[n - 1] >= 'a' && t[n - 1] <= 'z') || (t[n - 1] >= 'A' && t[n - 1] <= 'Z')))
        n--; /* a log framework's " ~[spring-web-6.1.2.jar:6.1.2]" */
    if (!n || t[n - 1] != ')')
        return false;
    long open = sv_rfind_char(t, n - 1, '(');
    if (open < 0)
        return false;
    *c = t + open + 1;
    *cn = n - 1 - (size_t)open - 1;
    return true;
}

static void score_at_line(const char *t, size_t n, int *score)
{
    const char *c;
    size_t cn;
    if (sv_find(t, n, ") in ") >= 0 && sv_find(t, n, ":line ") >= 0) {
        score[STACK_LANG_DOTNET] += 5;
        return;
    }
    if (paren_content(t, n, &c, &cn)) {
        if (sv_find(c, cn, ".java:") >= 0 || sv_find(c, cn, ".kt:") >= 0 ||
            sv_find(c, cn, ".scala:") >= 0 || sv_find(c, cn, ".groovy:") >= 0 ||
            (cn == 13 && memcmp(c, "Native Method", 13) == 0) ||
            (cn == 14 && memcmp(c, "Unknown Source", 14) == 0) ||
            (cn == 11 && memcmp(c, "<generated>", 11) == 0) || sv_ends(c, cn, ".java")) {
            score[STACK_LANG_JVM] += 4;
            return;
        }
        if (sv_find(c, cn, ".php:") >= 0 || sv_ends(c, cn, ".php")) {
            score[STACK_LANG_PHP] += 4;
            return;
        }
        if (ends_line_col(c, cn) || sv_starts(c, cn, "node:") || sv_starts(c, cn, "index ") ||
            (cn == 11 && memcmp(c, "<anonymous>", 11) == 0) ||
            (cn == 6 && memcmp(c, "native", 6) == 0)) {
            score[STACK_LANG_NODE] += 4;
            return;
        }
        if (memchr(c, ':', cn) == NULL && (cn == 0 || memchr(c, ' ', cn) != NULL))
            score[STACK_LANG_DOTNET] += 2;
        return;
    }
    if (ends_line_col(t, n))
        score[STACK_LANG_NODE] += 4;
}

static void score_line(const char *s, size_t n, int *score)
{
    const char *t = s;
    size_t tn = n;
    sv_trim(&t, &tn);
    if (!tn)
        return;
    if ((sv_starts(t, tn, "thread '") && sv_find(t, tn, "' panicked at ") > 0) ||
        sv_starts(t, tn, "stack backtrace:")) {
        score[STACK_LANG_UNKNOWN] += 10; /* Rust: no grammar of ours, keep V8 off it */
    } else if (sv_starts(t, tn, "Traceback (most recent call last):") ||
               sv_starts(t, tn, "+ Exception Group Traceback")) {
        score[STACK_LANG_PYTHON] += 10;
    } else if (sv_starts(t, tn, "File \"") && sv_find(t, tn, "\", line ") >= 0) {
        score[STACK_LANG_PYTHON] += 4;
    } else if (sv_starts(t, tn, "During handling of the above exception") ||
               sv_starts(t, tn, "The above exception was the direct cause")) {
        score[STACK_LANG_PYTHON] += 5;
    } else if (sv_starts(t, tn, "goroutine ") && sv_find(t, tn, " [") > 0) {
        score[STACK_LANG_GO] += 10;
    } else if (s[0] == '\t' && sv_find(t, tn, ".go:") > 0) {
        score[STACK_LANG_GO] += 4;
    } else if (sv_starts(s, n, "panic: ") || sv_starts(t, tn, "created by ")) {
        score[STACK_LANG_GO] += 3;
    } else if (sv_find(t, tn, ":in `") > 0 || sv_find(t, tn, ":in '") > 0) {
        score[STACK_LANG_RUBY] += 4;
    } else if (t[0] == '#' && tn > 2 && sv_is_digit(t[1]) &&
               (sv_find(t, tn, ".php(") > 0 || sv_find(t, tn, "[internal function]") > 0 ||
                sv_find(t, tn, "{main}") > 0)) {
        score[STACK_LANG_PHP] += 5;
    } else if (sv_starts(t, tn, "PHP Fatal error:") || sv_starts(t, tn, "Stack trace:") ||
               (sv_starts(t, tn, "thrown in ") && sv_find(t, tn, " on line ") > 0)) {
        score[STACK_LANG_PHP] += 3;
    } else if (sv_starts(t, tn, "--- End of inner exception stack trace ---") ||
               sv_starts(t, tn, "--- End of stack trace from previous location")) {
        score[STACK_LANG_DOTNET] += 6;
    } else if (sv_starts(t, tn, "---> ")) {
        score[STACK_LANG_DOTNET] += 3;
    } else if (sv_starts(t, tn, "at ")) {
        score_at_line(t, tn, score);
    } else if (sv_starts(t, tn, "Caused by: ") || sv_starts(t, tn, "Suppressed: ") ||
               (sv_starts(t, tn, "... ") && sv_ends(t, tn, " more"))) {
        score[STACK_LANG_JVM] += 2;
    } else if (memchr(t, '@', tn) && ends_line_col(t, tn) && !memchr(t, ' ', tn)) {
        score[STACK_LANG_NODE] += 3; /* fn@https://host/app.js:1:2 */
    }
}

enum stack_language stack_language_detect(const char *text, size_t len)
{
    int score[STACK_LANG_COUNT] = {0};
    if (!text)
        return STACK_LANG_UNKNOWN;
    if (len > DETECT_MAX_BYTES)
        len = DETECT_MAX_BYTES;
    size_t pos = 0;
    for (int lines = 0; pos < len && lines < DETECT_MAX_LINES; lines++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t raw = nl ? (size_t)(nl - (text + pos)) : len - pos;
        size_t n = raw;
        if (n && text[pos + n - 1] == '\r')
            n--;
        if (n)
            score_line(text + pos, n, score);
        pos += raw + 1;
        int best = 0;
        for (int l = 1; l < STACK_LANG_COUNT; l++)
            best = score[l] > best ? score[l] : best;
        if (best >= DETECT_CERTAIN)
            break;
    }
    enum stack_language best = STACK_LANG_UNKNOWN;
    int best_score = score[STACK_LANG_UNKNOWN] > DETECT_MINIMUM - 1 ? score[STACK_LANG_UNKNOWN]
                                                                    : DETECT_MINIMUM - 1;
    for (int l = 1; l < STACK_LANG_COUNT; l++) {
        if (score[l] > best_score) {
            best_score = score[l];
            best = (enum stack_language)l;
        }
    }
    /* PHP's OTel text is JVM-shaped; any PHP frame settles it */
    if (best == STACK_LANG_JVM && score[STACK_LANG_PHP] > 0)
        best = STACK_LANG_PHP;
    return best;
}
