/* SPDX-License-Identifier: Apache-2.0
 *
 * go-plugin's start-up contract, as Grafana's host expects it.
 *
 * Grafana starts the executable with the magic cookie
 * grafana_plugin_type=datasource, the protocol versions it speaks in
 * PLUGIN_PROTOCOL_VERSIONS (we speak 2), a port range for TCP and, in its
 * newer runner mode, PLUGIN_UNIX_SOCKET_DIR. The plugin answers with one line
 * on stdout, `1|2|unix|/path/to.sock|grpc` (core protocol 1, app protocol 2,
 * network, address, protocol), flushed at once; nothing else may ever be
 * written to stdout (notes/grpc-plugin.md P7).
 *
 * These functions only check values and build strings, so they are unit
 * tested without a process; main.c feeds them from the environment.
 *
 * Thread safety: pure, except handshake_tcp_port_is_free() (a socket) and
 * handshake_announce() (writes fd 1).
 */
#ifndef ET_PLUGIN_HANDSHAKE_H
#define ET_PLUGIN_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define HANDSHAKE_COOKIE_KEY      "grafana_plugin_type"
#define HANDSHAKE_COOKIE_VALUE    "datasource"
#define HANDSHAKE_CORE_PROTOCOL   1
#define HANDSHAKE_PLUGIN_PROTOCOL 2
/* sun_path holds 108 bytes with the NUL. */
#define HANDSHAKE_SOCKET_PATH_MAX 107

/* The cookie's value: must be exactly "datasource". */
int handshake_check_cookie(const char *value, struct et_error *err);

/* PLUGIN_PROTOCOL_VERSIONS ("2", "1,2" ...) must offer version 2. NULL or ""
 * means the host did not say, and go-plugin servers then use their own
 * version: accepted. */
int handshake_check_protocol(const char *versions, struct et_error *err);

/* The unix socket path: <dir>/gpx_errortriage-<pid>.sock where dir is
 * PLUGIN_UNIX_SOCKET_DIR, else TMPDIR, else /tmp (either may be NULL/"").
 * Fails when the path does not fit sun_path or the directory is relative. */
int handshake_socket_path(const char *socket_dir, const char *tmpdir, long pid, char *out,
                          size_t size, struct et_error *err);

/* PLUGIN_MIN_PORT / PLUGIN_MAX_PORT (NULL/"": 0 = any free port). */
int handshake_port_range(const char *min_port, const char *max_port, int *lo, int *hi,
                         struct et_error *err);

/* True when nothing listens on 127.0.0.1:port (a bind test). */
bool handshake_tcp_port_is_free(int port);

/* The handshake line with its newline; network is "unix" or "tcp", address a
 * path or "127.0.0.1:port". Returns the length, or -1 when it does not fit. */
int handshake_format_line(char *out, size_t size, const char *network, const char *address);

/* Write the line to fd 1 in one go (retrying short writes); -1 on failure. */
int handshake_announce(const char *line);

#endif
