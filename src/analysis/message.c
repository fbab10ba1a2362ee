/* SPDX-License-Identifier: Apache-2.0
 *
 * Message templates (see message.h for the placeholders and their order).
 *
 * A hand-written scanner rather than a set of regular expressions: one pass
 * over at most MESSAGE_TEMPLATE_MAX_INPUT bytes, where at every token start
 * each recognizer looks ahead a bounded distance (URLs excepted, which are
 * consumed whole when they match). Worst-case work is therefore linear in the
 * input times a small constant, whatever the message, and no allocation
 * happens until the finished template is appended to the caller's buffer.
 */
#include "analysis/message.h"

#include <stdbool.h>
#include <string.h>

#include "analysis/message_scan.h"

#define MORE_LOOKAHEAD     4096
#define EPHEMERAL_PORT_MIN 32768 /* Linux's default ephemeral port range starts here */

struct tpl_out {
    char text[MESSAGE_TEMPLATE_MAX];
    size_t len;
    bool full;
};

/* ---- output ------------------------------------------------------------- */

static void out_put(struct tpl_out *o, const char *s, size_t n)
{
    if (o->full)
        return;
    size_t room = sizeof o->text - o->len;
    if (n > room) {
        n = room;
        /* never cut a UTF-8 sequence: back off to a lead byte */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        o->full = true;
    }
    memcpy(o->text + o->len, s, n);
    o->len += n;
}

/* Append " ..." (the message goes on), making room at a UTF-8 boundary. */
static void out_ellipsis(struct tpl_out *o)
{
    size_t max = sizeof o->text - 4;
    if (o->len > max) {
        o->len = max;
        while (o->len > 0 && ((unsigned char)o->text[o->len] & 0xC0) == 0x80)
            o->len--;
    }
    while (o->len && o->text[o->len - 1] == ' ')
        o->len--;
    memcpy(o->text + o->len, " ...", 4);
    o->len += 4;
}

static void out_str(struct tpl_out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* ---- driver ------------------------------------------------------------- */

/* The part of the message read: the first MESSAGE_TEMPLATE_MAX_LINES
 * non-empty lines within MESSAGE_TEMPLATE_MAX_INPUT bytes. */
static size_t readable_end(const char *s, size_t len, bool *more)
{
    size_t limit = len < MESSAGE_TEMPLATE_MAX_INPUT ? len : MESSAGE_TEMPLATE_MAX_INPUT;
    size_t end = limit;
    int lines = 0;
    bool line_has_text = false;
    for (size_t i = 0; i < limit; i++) {
        if (s[i] == '\n') {
            if (line_has_text && ++lines == MESSAGE_TEMPLATE_MAX_LINES) {
                end = i;
                break;
            }
            line_has_text = false;
        } else if (!is_space((unsigned char)s[i])) {
            line_has_text = true;
        }
    }
    *more = false;
    size_t stop = end + MORE_LOOKAHEAD < len ? end + MORE_LOOKAHEAD : len;
    for (size_t i = end; i < stop && !*more; i++)
        *more = !is_space((unsigned char)s[i]);
    if (stop < len)
        *more = true;
    return end;
}

static bool token_start(const char *s, size_t i)
{
    return i == 0 || !is_word((unsigned char)s[i - 1]);
}

/* After an address: ":<port>" kept as written when the port is below the
 * ephemeral range (it names the service: 5432, 6379, 8443), replaced by
 * ":<num>" otherwise (a client's ephemeral port changes every connection).
 * Returns the bytes consumed. */
static size_t keep_service_port(const char *s, size_t n, size_t j, struct tpl_out *o)
{
    if (at(s, n, j) != ':')
        return 0;
    size_t d = count_digits(s, n, j + 1, 6);
    if (d < 1 || d > 5 || !ends_token(s, n, j + 1 + d))
        return 0;
    unsigned long port = 0;
    for (size_t k = 0; k < d; k++)
        port = port * 10 + (unsigned long)(s[j + 1 + k] - '0');
    if (port < EPHEMERAL_PORT_MIN)
        out_put(o, s + j, 1 + d);
    else
        out_str(o, ":<num>");
    return 1 + d;
}

/* Try every recognizer at token start i; on a match write the placeholder
 * and return the bytes consumed. */
static size_t replace_token(const char *s, size_t n, size_t i, struct tpl_out *o)
{
    unsigned char c = (unsigned char)s[i];
    size_t m;
    if (is_alpha(c)) {
        if ((m = msg_match_url(s, n, i)) != 0) {
            out_str(o, "<url>");
            return m;
        }
    }
    if (is_alnum(c)) {
        if ((m = msg_match_email(s, n, i)) != 0) {
            out_str(o, "<email>");
            return m;
        }
        if ((m = msg_match_uuid(s, n, i)) != 0) {
            out_str(o, "<uuid>");
            return m;
        }
    }
    if (is_digit(c)) {
        enum num_kind kind;
        if ((m = msg_match_number(s, n, i, &kind)) != 0 && kind != NUM_PLAIN) {
            out_str(o, kind == NUM_DURATION ? "<duration>" : "<size>");
            return m; /* before <id>: "1m30s" is a duration */
        }
        if ((m = msg_match_iso_date(s, n, i)) != 0) {
            out_str(o, "<date>");
            return m;
        }
    }
    if ((c >= 'A' && c <= 'Z') || is_digit(c)) {
        if ((m = msg_match_text_date(s, n, i)) != 0) {
            out_str(o, "<date>");
            return m;
        }
    }
    if (is_digit(c)) {
        if ((m = msg_match_time(s, n, i)) != 0) {
            out_str(o, "<time>");
            return m;
        }
        if ((m = msg_match_ipv4(s, n, i)) != 0) {
            out_str(o, "<ip>");
            return m + keep_service_port(s, n, i + m, o);
        }
    }
    if (is_hex(c) || c == ':') {
        if ((m = msg_match_ipv6(s, n, i)) != 0) {
            out_str(o, "<ip>");
            return m;
        }
    }
    if (is_alnum(c)) {
        if ((m = msg_match_host(s, n, i)) != 0) {
            out_str(o, "<host>");
            return m + keep_service_port(s, n, i + m, o);
        }
        if ((m = msg_match_hex_literal(s, n, i)) != 0) {
            out_str(o, "<hex>");
            return m;
        }
        if ((m = msg_match_id(s, n, i)) != 0) {
            out_str(o, "<id>");
            return m;
        }
    }
    if (is_digit(c) || ((c == '-' || c == '+') && is_digit(at(s, n, i + 1)))) {
        enum num_kind kind;
        if ((m = msg_match_number(s, n, i, &kind)) != 0) {
            out_str(o, kind == NUM_DURATION ? "<duration>" : kind == NUM_SIZE ? "<size>" : "<num>");
            return m;
        }
    }
    return 0;
}

int message_template(const char *msg, size_t len, struct et_buf *out)
{
    struct tpl_out o = {.len = 0, .full = false};
    bool more = false;
    size_t n = msg ? readable_end(msg, len, &more) : 0;
    const char *s = msg;
    size_t i = 0;
    while (i < n && !o.full) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            if (o.len && o.text[o.len - 1] != ' ')
                out_put(&o, " ", 1);
            i++;
            continue;
        }
        if ((c == '\'' || c == '"' || c == '`') && token_start(s, i)) {
            bool ident;
            size_t m = msg_match_quoted(s, n, i, &ident);
            if (m) {
                if (ident)
                    out_put(&o, s + i, m);
                else
                    out_str(&o, "<quoted>");
                i += m;
                continue;
            }
        }
        if (c == '=' && msg_key_is_id(s, i)) {
            size_t v = msg_id_value_len(s, n, i + 1);
            if (v) {
                out_str(&o, "=<id>");
                i += 1 + v;
                continue;
            }
        }
        if (token_start(s, i)) {
            size_t m = replace_token(s, n, i, &o);
            if (m) {
                i += m;
                continue;
            }
        }
        /* copy a whole word at once: its inner bytes are never token starts */
        size_t j = i + 1;
        if (is_word(c))
            while (j < n && is_word((unsigned char)s[j]))
                j++;
        out_put(&o, s + i, j - i);
        i = j;
    }
    while (o.len && o.text[o.len - 1] == ' ')
        o.len--;
    if (more || i < n)
        out_ellipsis(&o);
    return et_buf_append(out, o.text, o.len);
}
