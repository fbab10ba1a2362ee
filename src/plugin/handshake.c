/* SPDX-License-Identifier: Apache-2.0
 *
 * go-plugin handshake values (see handshake.h). The announcement goes
 * straight to fd 1 with write(2), never through stdio: a FILE buffer on a
 * pipe would hold the line back (go-plugin then waits for its start timeout),
 * and nothing else in the process uses stdout.
 */
#include "plugin/handshake.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int handshake_check_cookie(const char *value, struct et_error *err)
{
    if (value && strcmp(value, HANDSHAKE_COOKIE_VALUE) == 0)
        return 0;
    return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                        "this is a Grafana datasource plugin, but it was started with "
                        "%s=\"%.40s\" (expected \"%s\")",
                        HANDSHAKE_COOKIE_KEY, value ? value : "", HANDSHAKE_COOKIE_VALUE);
}

int handshake_check_protocol(const char *versions, struct et_error *err)
{
    if (!versions || !*versions)
        return 0;
    const char *p = versions;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 1 && *p == '0' + HANDSHAKE_PLUGIN_PROTOCOL)
            return 0;
        if (!end)
            break;
        p = end + 1;
    }
    return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                        "the host offers plugin protocol version(s) \"%.60s\" "
                        "(PLUGIN_PROTOCOL_VERSIONS), but this plugin speaks version %d "
                        "(Grafana 7 and later)",
                        versions, HANDSHAKE_PLUGIN_PROTOCOL);
}

int handshake_socket_path(const char *socket_dir, const char *tmpdir, long pid, char *out,
                          size_t size, struct et_error *err)
{
    const char *dir = socket_dir && *socket_dir ? socket_dir : tmpdir && *tmpdir ? tmpdir : "/tmp";
    if (dir[0] != '/')
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "the socket directory must be an absolute path: \"%.200s\"", dir);
    size_t dir_len = strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    int n = snprintf(out, size, "%.*s/gpx_errortriage-%ld.sock", (int)dir_len, dir, pid);
    if (n < 0 || (size_t)n >= size || n > HANDSHAKE_SOCKET_PATH_MAX)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "the unix socket path in \"%.200s\" would be longer than %d bytes; "
                            "set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter directory",
                            dir, HANDSHAKE_SOCKET_PATH_MAX);
    return 0;
}

static int parse_port(const char *name, const char *s, int *out, struct et_error *err)
{
    if (!s || !*s) {
        *out = 0;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < 0 || v > 65535)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN, "%s=\"%.20s\" is not a port number", name,
                            s);
    *out = (int)v;
    return 0;
}

int handshake_port_range(const char *min_port, const char *max_port, int *lo, int *hi,
                         struct et_error *err)
{
    if (parse_port("PLUGIN_MIN_PORT", min_port, lo, err) < 0 ||
        parse_port("PLUGIN_MAX_PORT", max_port, hi, err) < 0)
        return -1;
    if (*lo == 0 || *hi == 0) { /* an open range: let the kernel pick */
        *lo = *hi = 0;
        return 0;
    }
    if (*lo > *hi)
        return et_error_set(err, 400, ET_SOURCE_PLUGIN,
                            "PLUGIN_MIN_PORT (%d) is above PLUGIN_MAX_PORT (%d)", *lo, *hi);
    return 0;
}

bool handshake_tcp_port_is_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free_port = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return free_port;
}

int handshake_format_line(char *out, size_t size, const char *network, const char *address)
{
    int n = snprintf(out, size, "%d|%d|%s|%s|grpc\n", HANDSHAKE_CORE_PROTOCOL,
                     HANDSHAKE_PLUGIN_PROTOCOL, network, address);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int handshake_announce(const char *line)
{
    size_t len = strlen(line), done = 0;
    while (done < len) {
        ssize_t w = write(STDOUT_FILENO, line + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}
