/* SPDX-License-Identifier: Apache-2.0
 *
 * Message templates: an exception message with its parameters replaced by
 * placeholders, so "Order 8812 not found" and "Order 9921 not found" become
 * the same "Order <num> not found".
 *
 * Used as the grouping key when an event has no usable stack trace, as the
 * messageTemplate column of error groups, and to normalise lines of stack
 * traces in formats we cannot parse. Placeholders, tried in this order at
 * the start of every token (a token starts where the previous byte is not a
 * letter, digit or `_`, like a regex \b):
 *
 *   <url>       scheme://... up to white space or a closing quote/bracket
 *   <email>     local@domain.tld
 *   <uuid>      8-4-4-4-12 hex digits
 *   <date>      ISO dates with optional time and zone (2024-05-01T10:22:31.123Z,
 *               2024/05/01 10:22), and textual dates (Mon, 01 May 2024 10:22:31 GMT,
 *               Wed May 01 2024 10:22:31 GMT+0000 (UTC), May 1, 2024)
 *   <time>      clock times hh:mm:ss[.fff] [AM|PM]
 *   <ip>        IPv4 (each part <= 255) and IPv6 (with "::" or eight groups,
 *               at least one digit, so Class::method is left alone)
 *   <host>      dotted host names whose last label is a common or cluster TLD
 *               (db-7.internal.example.com, orders.shop.svc.cluster.local)
 *               A port after <ip> or <host> stays when below 32768, since it
 *               names the service (<ip>:5432 is not <ip>:6379); ephemeral
 *               ports become <num> (tcp 10.0.0.3:53122->10.0.0.9:5432 gives
 *               tcp <ip>:<num>-><ip>:5432)
 *   <hex>       0x followed by hex digits
 *   <id>        opaque identifiers: 8+ hex digits with a digit, 8+ decimal
 *               digits, or tokens of 4+ letters/digits/_/- with two digits that
 *               switch between letters and digits at least twice (ch_9Xk2, 7d1e,
 *               pod-7d9f8b-xk2p9)
 *   <duration>  a number with a time unit: 250ms, 1.5s, 1m30s, 2000 ms, 5 seconds
 *   <size>      a number with a size unit: 5MB, 512 bytes, 2GiB
 *   <num>       other numbers: -12, 3.14, 1.2.3 (a number glued to a letter,
 *               as in "user42" or "sha256", is part of a word and stays)
 *   <quoted>    "..." and `...` always (Go's %q, JSON: data); '...' unless
 *               the content is an identifier (letters, `_`, `.`, `-`, no
 *               digits, at most 40 bytes): single-quoted code names such as
 *               JS's (reading 'sku') or Python's KeyError: 'sku' stay, because
 *               they tell bugs apart, while 'cart:991' is replaced
 *   key=<id>    the value after an id key: id, order_id, order-id, order.id,
 *               orderId, orderID (not "paid" or "uuid")
 *
 * White space runs become one space. Only the first two non-empty lines and
 * the first MESSAGE_TEMPLATE_MAX_INPUT bytes are read; when more follows,
 * " ..." is appended. The template is at most MESSAGE_TEMPLATE_MAX bytes and
 * never cuts a UTF-8 sequence. Invalid UTF-8 is copied as it is.
 *
 * Thread safety: pure function.
 */
#ifndef ET_ANALYSIS_MESSAGE_H
#define ET_ANALYSIS_MESSAGE_H

#include <stddef.h>

#include "core/buf.h"

#define MESSAGE_TEMPLATE_MAX       512  /* bytes of template written */
#define MESSAGE_TEMPLATE_MAX_INPUT 2048 /* bytes of message read */
#define MESSAGE_TEMPLATE_MAX_LINES 2    /* non-empty lines read */

/* Append the template of msg[0..len) to `out` (NULL msg = empty message).
 * Returns 0, or -1 when `out` hit its own limit (its `failed` flag is set). */
int message_template(const char *msg, size_t len, struct et_buf *out);

#endif
