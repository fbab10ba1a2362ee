/* SPDX-License-Identifier: Apache-2.0
 *
 * The recognizers behind message templates (message_scan.h): URLs, emails,
 * UUIDs, dates and times, IP addresses, host names, hex literals, opaque ids,
 * numbers with units and quoted values. Hand-written scanners with bounded
 * lookahead instead of regular expressions, so the template of any message
 * costs time linear in its length.
 */
#include "analysis/message_scan.h"

#include <string.h>

/* s[0..n) equals the lower-case `word`, ignoring ASCII case. */
static bool lower_equal(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i]) /* also stops at word's end */
            return false;
    }
    return word[i] == '\0';
}

size_t msg_match_url(const char *s, size_t n, size_t i)
{
    size_t j = i;
    if (!is_alpha(at(s, n, j)))
        return 0;
    while (j - i < 16 && (is_alnum(at(s, n, j)) || at(s, n, j) == '+' || at(s, n, j) == '.' ||
                          at(s, n, j) == '-'))
        j++;
    if (at(s, n, j) != ':' || at(s, n, j + 1) != '/' || at(s, n, j + 2) != '/')
        return 0;
    j += 3;
    size_t body = j;
    int depth = 0;
    while (j < n) {
        unsigned char c = (unsigned char)s[j];
        if (is_space(c) || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c < 0x20)
            break;
        if (c == '(' || c == '[')
            depth++;
        if (c == ')' || c == ']') {
            if (depth == 0)
                break;
            depth--;
        }
        j++;
    }
    while (j > body && strchr(".,;:!?", s[j - 1]))
        j--;
    return j > body ? j - i : 0;
}

static size_t match_domain(const char *s, size_t n, size_t j, size_t *labels_out,
                           size_t *last_label_start)
{
    size_t start = j, labels = 0, label_start = j;
    while (j - start < 253) {
        size_t k = j;
        while (k - j < 63 && (is_alnum(at(s, n, k)) || (k > j && at(s, n, k) == '-')))
            k++;
        if (k == j)
            break;
        labels++;
        label_start = j;
        j = k;
        if (at(s, n, j) == '.' && is_alnum(at(s, n, j + 1)))
            j++;
        else
            break;
    }
    *labels_out = labels;
    *last_label_start = label_start;
    return j - start;
}

size_t msg_match_email(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j - i < 64 && (is_alnum(at(s, n, j)) || strchr("._%+-", at(s, n, j)) != NULL) &&
           at(s, n, j) != 0)
        j++;
    if (j == i || at(s, n, j) != '@')
        return 0;
    j++;
    size_t labels, last;
    size_t dl = match_domain(s, n, j, &labels, &last);
    if (labels < 2)
        return 0;
    size_t end = j + dl;
    size_t tld = end - last;
    for (size_t k = last; k < end; k++)
        if (!is_alpha(at(s, n, k)))
            return 0;
    if (tld < 2 || !ends_token(s, n, end))
        return 0;
    return end - i;
}

static bool hex_run(const char *s, size_t n, size_t i, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (!is_hex(at(s, n, i + k)))
            return false;
    return true;
}

size_t msg_match_uuid(const char *s, size_t n, size_t i)
{
    static const size_t groups[5] = {8, 4, 4, 4, 12};
    size_t j = i;
    for (int g = 0; g < 5; g++) {
        if (!hex_run(s, n, j, groups[g]))
            return 0;
        j += groups[g];
        if (g < 4) {
            if (at(s, n, j) != '-')
                return 0;
            j++;
        }
    }
    return ends_token(s, n, j) ? j - i : 0;
}

/* hh:mm[:ss[.fff]] at i; `need_seconds` demands the seconds part. */
static size_t match_clock(const char *s, size_t n, size_t i, bool need_seconds)
{
    size_t h = count_digits(s, n, i, 3);
    if (h < 1 || h > 2 || at(s, n, i + h) != ':')
        return 0;
    size_t j = i + h + 1;
    if (count_digits(s, n, j, 3) != 2)
        return 0;
    j += 2;
    if (at(s, n, j) == ':' && count_digits(s, n, j + 1, 3) == 2) {
        j += 3;
        if ((at(s, n, j) == '.' || at(s, n, j) == ',') && is_digit(at(s, n, j + 1))) {
            j++;
            while (j - i < 32 && is_digit(at(s, n, j)))
                j++;
        }
    } else if (need_seconds) {
        return 0;
    }
    return j - i;
}

/* Z, +hh, +hh:mm, +hhmm right after a time. */
static size_t match_zone_suffix(const char *s, size_t n, size_t j)
{
    if (at(s, n, j) == 'Z')
        return ends_token(s, n, j + 1) ? 1 : 0;
    if (at(s, n, j) == '+' || at(s, n, j) == '-') {
        size_t d = count_digits(s, n, j + 1, 5);
        if (d == 2 && at(s, n, j + 3) == ':' && count_digits(s, n, j + 4, 3) == 2)
            return 6;
        if (d == 2 || d == 4)
            return 1 + d;
    }
    return 0;
}

size_t msg_match_iso_date(const char *s, size_t n, size_t i)
{
    if (count_digits(s, n, i, 5) != 4)
        return 0;
    size_t j = i + 4;
    unsigned char sep = at(s, n, j);
    if (sep != '-' && sep != '/')
        return 0;
    size_t d = count_digits(s, n, j + 1, 3);
    if (d < 1 || d > 2 || at(s, n, j + 1 + d) != sep)
        return 0;
    j += 1 + d + 1;
    d = count_digits(s, n, j, 3);
    if (d < 1 || d > 2)
        return 0;
    j += d;
    if ((at(s, n, j) == 'T' || at(s, n, j) == ' ') && is_digit(at(s, n, j + 1))) {
        size_t t = match_clock(s, n, j + 1, false);
        if (t) {
            j += 1 + t;
            j += match_zone_suffix(s, n, j);
        }
    }
    return ends_token(s, n, j) ? j - i : 0;
}

size_t msg_match_time(const char *s, size_t n, size_t i)
{
    size_t t = match_clock(s, n, i, true);
    if (!t)
        return 0;
    size_t j = i + t;
    j += match_zone_suffix(s, n, j);
    if (at(s, n, j) == ':' && is_digit(at(s, n, j + 1)))
        return 0; /* more colon groups: not a clock (maybe IPv6) */
    if (!ends_token(s, n, j))
        return 0;
    if (at(s, n, j) == ' ' && (at(s, n, j + 1) == 'A' || at(s, n, j + 1) == 'P' ||
                               at(s, n, j + 1) == 'a' || at(s, n, j + 1) == 'p')) {
        unsigned char m = at(s, n, j + 2);
        if ((m == 'M' || m == 'm') && ends_token(s, n, j + 3))
            j += 3;
    }
    return j - i;
}

static const char *const month_names[] = {
    "jan",  "feb",    "mar",       "apr",     "may",      "jun",      "jul",   "aug",   "sep",
    "sept", "oct",    "nov",       "dec",     "january",  "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december", NULL,
};
static const char *const weekday_names[] = {
    "mon",     "tue",       "wed",      "thu",    "fri",      "sat",    "sun", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL,
};

static bool word_in(const char *s, size_t len, const char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        if (lower_equal(s, len, list[k]))
            return true;
    return false;
}

enum date_token { DT_NONE, DT_WEEKDAY, DT_MONTH, DT_DAY, DT_YEAR, DT_TIME, DT_ZONE };

static enum date_token date_token_at(const char *s, size_t n, size_t j, size_t *len,
                                     bool after_time)
{
    unsigned char c = at(s, n, j);
    if (is_alpha(c)) {
        if (!after_time && !(c >= 'A' && c <= 'Z'))
            return DT_NONE; /* dates name months and days with a capital */
        size_t k = j;
        while (k - j < 10 && is_alpha(at(s, n, k)))
            k++;
        if (!ends_token(s, n, k) && !(at(s, n, k) == '+' || at(s, n, k) == '-'))
            return DT_NONE;
        size_t wl = k - j;
        if (after_time && (lower_equal(s + j, wl, "gmt") || lower_equal(s + j, wl, "utc") ||
                           lower_equal(s + j, wl, "z"))) {
            size_t z = match_zone_suffix(s, n, k);
            if (at(s, n, k) == 'Z')
                z = 0;
            *len = wl + z;
            return DT_ZONE;
        }
        if (!ends_token(s, n, k))
            return DT_NONE;
        *len = wl;
        if (word_in(s + j, wl, month_names))
            return DT_MONTH;
        if (word_in(s + j, wl, weekday_names))
            return DT_WEEKDAY;
        return DT_NONE;
    }
    if (c == '(' && after_time) { /* JS: "(Coordinated Universal Time)" */
        size_t k = j + 1;
        while (k - j < 64 && k < n && s[k] != ')' && s[k] != '\n')
            k++;
        if (at(s, n, k) != ')')
            return DT_NONE;
        *len = k + 1 - j;
        return DT_ZONE;
    }
    if ((c == '+' || c == '-') && after_time) {
        size_t z = match_zone_suffix(s, n, j);
        *len = z;
        return z ? DT_ZONE : DT_NONE;
    }
    if (!is_digit(c))
        return DT_NONE;
    size_t t = msg_match_time(s, n, j);
    if (t) {
        *len = t;
        return DT_TIME;
    }
    size_t d = count_digits(s, n, j, 5);
    if (!ends_token(s, n, j + d))
        return DT_NONE;
    *len = d;
    if (d == 4)
        return DT_YEAR;
    if (d <= 2)
        return DT_DAY;
    return DT_NONE;
}

/* Textual dates: a run of weekday/month names, day and year numbers, a time
 * and a zone, with at least a month and (a year or a time) in three tokens. */
size_t msg_match_text_date(const char *s, size_t n, size_t i)
{
    size_t j = i, best = 0;
    int tokens = 0, months = 0, years = 0, times = 0;
    while (tokens < 9) {
        size_t len = 0;
        enum date_token t = date_token_at(s, n, j, &len, times > 0);
        if (t == DT_NONE || len == 0)
            break;
        tokens++;
        months += t == DT_MONTH;
        years += t == DT_YEAR;
        times += t == DT_TIME;
        j += len;
        if (months && (years || times) && tokens >= 3)
            best = j;
        if (at(s, n, j) == ',' && at(s, n, j + 1) == ' ')
            j += 2;
        else if (at(s, n, j) == ' ' || at(s, n, j) == ',')
            j += 1;
        else
            break;
    }
    return best ? best - i : 0;
}

size_t msg_match_ipv4(const char *s, size_t n, size_t i)
{
    size_t j = i;
    for (int part = 0; part < 4; part++) {
        size_t d = count_digits(s, n, j, 4);
        if (d < 1 || d > 3)
            return 0;
        int v = 0;
        for (size_t k = 0; k < d; k++)
            v = v * 10 + (s[j + k] - '0');
        if (v > 255)
            return 0;
        j += d;
        if (part < 3) {
            if (at(s, n, j) != '.')
                return 0;
            j++;
        }
    }
    if (at(s, n, j) == '.' && is_digit(at(s, n, j + 1)))
        return 0; /* 1.2.3.4.5: a version, not an address */
    if (at(s, n, j) == '/') {
        size_t d = count_digits(s, n, j + 1, 3);
        if (d >= 1 && d <= 2 && ends_token(s, n, j + 1 + d))
            j += 1 + d;
    }
    return ends_token(s, n, j) ? j - i : 0;
}

size_t msg_match_ipv6(const char *s, size_t n, size_t i)
{
    size_t j = i, colons = 0, group = 0, double_colons = 0;
    bool digit = false;
    while (j - i < 45 && (is_hex(at(s, n, j)) || at(s, n, j) == ':')) {
        if (s[j] == ':') {
            colons++;
            if (at(s, n, j + 1) == ':') {
                if (at(s, n, j + 2) == ':')
                    return 0;
                double_colons++;
            }
            group = 0;
        } else {
            if (++group > 4)
                return 0;
            digit |= is_digit((unsigned char)s[j]);
        }
        j++;
    }
    if (double_colons > 1 || colons < 2 || (!double_colons && colons != 7) || !digit)
        return 0;
    if (s[j - 1] == ':' && !(j >= i + 2 && s[j - 2] == ':'))
        return 0; /* a single trailing colon belongs to the text */
    if (at(s, n, j) == '.') {
        /* ::ffff:10.0.0.1 — the last group is a dotted IPv4 */
        size_t start = j;
        while (start > i && s[start - 1] != ':')
            start--;
        size_t v4 = msg_match_ipv4(s, n, start);
        if (!v4)
            return 0;
        j = start + v4;
    }
    return ends_token(s, n, j) ? j - i : 0;
}

static const char *const host_tlds[] = {
    "com", "net",         "org",  "io",  "dev", "cloud", "internal", "local",     "lan",
    "svc", "localdomain", "corp", "edu", "gov", "info",  "biz",      "co",        "uk",
    "de",  "eu",          "us",   "fr",  "nl",  "ch",    "jp",       "cn",        "br",
    "au",  "ca",          "se",   "es",  "pl",  "ru",    "arpa",     "amazonaws", NULL,
};

size_t msg_match_host(const char *s, size_t n, size_t i)
{
    size_t labels, last;
    size_t len = match_domain(s, n, i, &labels, &last);
    if (labels < 2)
        return 0;
    size_t end = i + len;
    if (!ends_token(s, n, end) || (at(s, n, end) == '.' && is_word(at(s, n, end + 1))) ||
        at(s, n, end) == '(' || at(s, n, end) == '@')
        return 0;
    if (!word_in(s + last, end - last, host_tlds))
        return 0;
    return len;
}

size_t msg_match_hex_literal(const char *s, size_t n, size_t i)
{
    if (at(s, n, i) != '0' || (at(s, n, i + 1) != 'x' && at(s, n, i + 1) != 'X'))
        return 0;
    size_t j = i + 2;
    while (j - i < 130 && is_hex(at(s, n, j)))
        j++;
    return j > i + 2 && ends_token(s, n, j) ? j - i : 0;
}

/* Opaque identifiers (see message.h). */
size_t msg_match_id(const char *s, size_t n, size_t i)
{
    /* 8+ hex digits with a digit, or 8+ decimal digits, as one word */
    size_t j = i;
    bool digit = false, nonhex = false;
    while (j - i <= TOKEN_MAX_SCAN && (is_alnum(at(s, n, j)) || at(s, n, j) == '_')) {
        digit |= is_digit((unsigned char)s[j]);
        nonhex |= !is_hex((unsigned char)s[j]);
        j++;
    }
    if (j - i > TOKEN_MAX_SCAN)
        return 0;
    if (j - i >= 8 && digit && !nonhex && ends_token(s, n, j) && at(s, n, j) != '-')
        return j - i;
    /* mixed tokens: letters and digits alternating at least twice */
    j = i;
    int transitions = 0, digits = 0, letters = 0, last_class = 0;
    while (j - i <= TOKEN_MAX_SCAN &&
           (is_alnum(at(s, n, j)) || at(s, n, j) == '_' || at(s, n, j) == '-')) {
        unsigned char c = (unsigned char)s[j];
        int cls = is_digit(c) ? 1 : is_alpha(c) ? 2 : 0;
        if (cls) {
            if (last_class && cls != last_class)
                transitions++;
            last_class = cls;
            digits += cls == 1;
            letters += cls == 2;
        }
        j++;
    }
    while (j > i && (s[j - 1] == '-' || s[j - 1] == '_'))
        j--;
    if (j - i > TOKEN_MAX_SCAN || j - i < 4 || !ends_token(s, n, j))
        return 0;
    return transitions >= 2 && digits >= 2 && letters >= 1 ? j - i : 0;
}

static const char *const duration_units[] = {
    "ns",   "us",     "\xc2\xb5s", "\xce\xbcs",    "ms",           "s",           "m",
    "h",    "d",      "sec",       "secs",         "second",       "seconds",     "min",
    "mins", "minute", "minutes",   "hr",           "hrs",          "hour",        "hours",
    "day",  "days",   "millis",    "milliseconds", "microseconds", "nanoseconds", NULL,
};
/* units accepted after a space ("2000 ms"); no single letters */
static const char *const spaced_duration_units[] = {
    "ns",   "ms",     "sec",          "secs",         "second",      "seconds",
    "min",  "mins",   "minute",       "minutes",      "hour",        "hours",
    "days", "millis", "milliseconds", "microseconds", "nanoseconds", NULL,
};
static const char *const size_units[] = {
    "B",  "KB", "kB", "MB", "GB",  "TB",  "KiB", "MiB",   "GiB",  "TiB",
    "kb", "mb", "gb", "tb", "kib", "mib", "gib", "bytes", "byte", NULL,
};

/* Length of the unit word at j (ASCII letters or the micro sign). */
static size_t unit_word(const char *s, size_t n, size_t j)
{
    size_t k = j;
    while (k - j < 16) {
        unsigned char c = at(s, n, k);
        if (is_alpha(c)) {
            k++;
        } else if ((c == 0xC2 && at(s, n, k + 1) == 0xB5) ||
                   (c == 0xCE && at(s, n, k + 1) == 0xBC)) {
            k += 2;
        } else {
            break;
        }
    }
    return k - j;
}

static bool unit_in(const char *s, size_t len, const char *const *list, bool exact_case)
{
    for (size_t k = 0; list[k]; k++) {
        if (exact_case ? (strncmp(s, list[k], len) == 0 && list[k][len] == '\0')
                       : lower_equal(s, len, list[k]))
            return true;
    }
    return false;
}

static size_t number_at(const char *s, size_t n, size_t i)
{
    size_t j = i;
    if (at(s, n, j) == '-' || at(s, n, j) == '+')
        j++;
    size_t d = count_digits(s, n, j, n);
    if (!d)
        return 0;
    j += d;
    while ((at(s, n, j) == '.' || at(s, n, j) == ',') && is_digit(at(s, n, j + 1)) &&
           (s[j] == '.' || count_digits(s, n, j + 1, 4) == 3)) {
        j++;
        j += count_digits(s, n, j, n);
    }
    return j - i;
}

/* A number, possibly with a unit; 0 when the digits run into a word. */
size_t msg_match_number(const char *s, size_t n, size_t i, enum num_kind *kind)
{
    size_t len = number_at(s, n, i);
    if (!len)
        return 0;
    size_t j = i + len;
    *kind = NUM_PLAIN;
    if (ends_token(s, n, j)) {
        /* "2000 ms", "512 bytes" */
        if (at(s, n, j) == ' ') {
            size_t w = unit_word(s, n, j + 1);
            if (w && ends_token(s, n, j + 1 + w)) {
                if (unit_in(s + j + 1, w, spaced_duration_units, false)) {
                    *kind = NUM_DURATION;
                    return j + 1 + w - i;
                }
                if (unit_in(s + j + 1, w, size_units, true)) {
                    *kind = NUM_SIZE;
                    return j + 1 + w - i;
                }
            }
        }
        return len;
    }
    size_t w = unit_word(s, n, j);
    if (!w)
        return 0;
    if (unit_in(s + j, w, size_units, true) && ends_token(s, n, j + w)) {
        *kind = NUM_SIZE;
        return j + w - i;
    }
    /* durations, possibly compound as Go writes them: 1h2m3.5s */
    size_t end = j;
    for (int parts = 0; parts < 6; parts++) {
        /* the unit word may run into the next number ("1m30s"): cut at digits */
        size_t uw = 0;
        while (uw < 16 && end + uw < n && !is_digit((unsigned char)s[end + uw]) &&
               is_word((unsigned char)s[end + uw]))
            uw++;
        if (!uw || !unit_in(s + end, uw, duration_units, false))
            return 0;
        end += uw;
        if (ends_token(s, n, end)) {
            *kind = NUM_DURATION;
            return end - i;
        }
        size_t more = number_at(s, n, end);
        if (!more || s[end] == '-' || s[end] == '+')
            return 0;
        end += more;
    }
    return 0;
}

/* `'...'`, `"..."`, `` `...` `` closing on the same line within
 * QUOTED_MAX_SCAN bytes and followed by a non-word byte. Returns the length
 * including both quotes; `*ident` says whether the content is a code name. */
size_t msg_match_quoted(const char *s, size_t n, size_t i, bool *ident)
{
    char q = s[i];
    size_t j = i + 1;
    while (j < n && j - i <= QUOTED_MAX_SCAN && s[j] != q && s[j] != '\n')
        j++;
    if (j >= n || s[j] != q || j - i > QUOTED_MAX_SCAN || !ends_token(s, n, j + 1))
        return 0;
    size_t content = j - i - 1;
    *ident = q == '\'' && content <= QUOTED_IDENT_MAX;
    for (size_t k = i + 1; k < j && *ident; k++) {
        unsigned char c = (unsigned char)s[k];
        if (!(is_alpha(c) || c == '_' || c == '.' || c == '-' || c >= 0x80))
            *ident = false;
    }
    return j + 1 - i;
}

/* After "...id=" : the value, quoted or up to a separator. */
size_t msg_id_value_len(const char *s, size_t n, size_t j)
{
    if (at(s, n, j) == '"' || at(s, n, j) == '\'') {
        bool ident;
        return msg_match_quoted(s, n, j, &ident);
    }
    if (at(s, n, j) == '<') { /* a placeholder already: <id>, <num> */
        const char *gt = memchr(s + j, '>', n - j < 16 ? n - j : 16);
        if (gt)
            return (size_t)(gt - (s + j)) + 1;
    }
    size_t k = j;
    while (k < n && k - j < TOKEN_MAX_SCAN && !is_space((unsigned char)s[k]) &&
           !strchr(",;&)]}>", s[k]))
        k++;
    return k - j;
}

/* Is the key right before input position `eq` (an '=') an id: "id",
 * "order_id", "order-id", "order.id", "orderId", "orderID"? ("paid" is not.) */
bool msg_key_is_id(const char *s, size_t eq)
{
    size_t k = eq;
    while (k > 0 && (is_alnum((unsigned char)s[k - 1]) || s[k - 1] == '_' || s[k - 1] == '-' ||
                     s[k - 1] == '.'))
        k--;
    size_t len = eq - k;
    if (len < 2 || !lower_equal(s + eq - 2, 2, "id"))
        return false;
    if (len == 2)
        return true;
    char before = s[eq - 3];
    if (before == '_' || before == '-' || before == '.')
        return true;
    return s[eq - 2] == 'I' && before >= 'a' && before <= 'z'; /* camelCase */
}
