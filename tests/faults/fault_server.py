#!/usr/bin/env python3
"""A misbehaving Prometheus or Tempo, for the fault matrix (issue 8).

One process serves every fault at once: the fault and the backend it imitates
are the first two path segments, so a datasource URL

    http://127.0.0.1:PORT/<mode>/<backend>          backend: prometheus | tempo

makes the plugin's requests (`…/api/v1/query_range`, `…/api/search`, …) land
on that fault. Python 3 standard library only; large bodies are generated on
the fly and streamed, never held in memory.

Build info (`/api/v1/status/buildinfo`, `/api/status/buildinfo`) always
answers like a healthy backend (Prometheus 2.53, Tempo 2.9), so the plugin
gets past capability detection and meets the fault on the request that
matters. For the body faults (everything that answers 200 with a bad body),
Prometheus' span-metrics discovery (`label/__name__/values` and the route-label
check, i.e. label values whose match[] has no selector braces) answers
healthily too, so error-rate/hotspots/top-types reach the query parsers and
variable reaches the label-values parser. Transport and status faults hit
every other route.

Modes
  timeout        read the request, never answer (until the client hangs up)
  drip           200 with a valid body, one byte per second
  401 403 404 429 500 502 503
                 that status with the body the backend would send: Prometheus'
                 JSON envelope {"status":"error","errorType","error"} (502 is
                 an nginx HTML page, as a proxy in front would send), Tempo's
                 plain text; the 500 message is 6 kB long with trailing blank
                 lines (it must come back trimmed and cut)
  truncated      a valid body cut in the middle (Content-Length matches the cut)
  disconnect     announce the full length, send half, close the connection
  nonjson        200 with an HTML sign-in page
  wrongshape     200, valid JSON with the right envelope and wrong types inside
  jsonarray      200, valid JSON but an array where an object belongs
  empty          200 with an empty body
  big            200, a 100 MB valid-JSON body (Content-Length, streamed)
  million        200, 10^6 series (query, query_range), 10^6 label values,
                 10^6 traces (Tempo search), 10^6 spans (trace by ID), 10^6
                 tag values (chunked, generated on the fly)
  gzipbomb       200, Content-Encoding: gzip, 2 MB on the wire inflating to
                 2 GiB (the plugin asks for gzip: CURLOPT_ACCEPT_ENCODING "")
  badgzip        200, Content-Encoding: gzip, but the body is not gzip

Every request is counted per mode; GET /__stats returns the counts and the
longest time any connection was held.

Start:  fault_server.py [--port 0]   prints "listening on 127.0.0.1:PORT"
        (--parent-pid PID: exit when that process exits)
"""

import argparse
import json
import os
import select
import socket
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATUS_MODES = {"401", "403", "404", "429", "500", "502", "503"}
BODY_MODES = {"truncated", "disconnect", "nonjson", "wrongshape", "jsonarray", "empty", "big",
              "million", "gzipbomb", "badgzip", "drip"}
MODES = STATUS_MODES | BODY_MODES | {"timeout"}
BACKENDS = {"prometheus", "tempo"}

BIG_BYTES = 100 * 1000 * 1000
MILLION = 1000000
BOMB_CHUNK = 1 << 20          # one MiB of spaces per repeated deflate block
BOMB_CHUNKS = 2048            # 2 GiB inflated
HOLD_MAX_S = 120              # a timeout connection is dropped after this anyway
T0 = 1741770000               # inside the example data's hour (2025-03-12 09:00 UTC)

LONG_MESSAGE = ("query processing failed: " + "the storage layer reported an internal "
                "inconsistency in block 01HV; " * 90)

PROM_ERROR = {
    401: ("unauthorized", "authentication required: invalid bearer token"),
    403: ("forbidden", "access denied: tenant may not read this data"),
    404: ("not_found", "the requested API path was not found"),
    429: ("too_many_requests", "the query rate limit for this tenant was exceeded (40/s)"),
    500: ("internal", LONG_MESSAGE),
    503: ("unavailable", "the query engine is shutting down"),
}
TEMPO_ERROR = {
    401: "no org id\n",
    403: "access denied to tenant\n",
    404: "404 page not found\n",
    429: "job queue full\n",
    500: LONG_MESSAGE + "\n\n  \n",
    503: "unable to process request in the configured timeout\n",
}
NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
             "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
             "</body>\r\n</html>\r\n")
HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><form "
             "method=\"post\" action=\"/oauth2/sign_in\"><input name=\"user\"></form></body>"
             "</html>\n")

STATS = {"requests": {}, "max_hold_s": 0.0}
STATS_LOCK = threading.Lock()


def count(mode):
    with STATS_LOCK:
        STATS["requests"][mode] = STATS["requests"].get(mode, 0) + 1


# ---- healthy and route-shaped bodies ----------------------------------------------------

def route_of(backend, path):
    """A short route name for the backend API path (after the /<mode>/<backend> prefix)."""
    if backend == "prometheus":
        if path.endswith("/status/buildinfo"):
            return "buildinfo"
        if path.startswith("/api/v1/label/"):
            return "labels"
        if path == "/api/v1/query_range":
            return "query_range"
        if path == "/api/v1/query":
            return "query"
        return "other"
    if path == "/api/status/buildinfo":
        return "buildinfo"
    if path == "/api/echo":
        return "echo"
    if path.startswith("/api/search/tag") or path.startswith("/api/v2/search/tag"):
        return "tags"
    if path == "/api/search":
        return "search"
    if path.startswith("/api/traces/") or path.startswith("/api/v2/traces/"):
        return "trace"
    return "other"


def buildinfo(backend):
    if backend == "prometheus":
        return json.dumps({"status": "success", "data": {
            "version": "2.53.0", "revision": "fault", "branch": "HEAD", "buildUser": "x",
            "buildDate": "20240101", "goVersion": "go1.22"}})
    return json.dumps({"version": "2.9.0", "revision": "fault", "branch": "HEAD",
                       "buildUser": "x", "buildDate": "2025-01-01", "goVersion": "go1.23"})


def discovery(path, params):
    """Healthy answers to Prometheus' span-metrics discovery, or None."""
    if not path.startswith("/api/v1/label/"):
        return None
    label = urllib.parse.unquote(path[len("/api/v1/label/"):-len("/values")])
    matches = params.get("match[]", [])
    if label == "__name__":
        return json.dumps({"status": "success", "data": [
            "traces_span_metrics_calls_total", "traces_span_metrics_events_total"]})
    if matches and all("{" not in m for m in matches):
        return json.dumps({"status": "success", "data": ["/api/checkout"]})
    return None


def sample_body(backend, route):
    """A small valid body of the route's shape (truncated / disconnect / drip cut it)."""
    if backend == "prometheus":
        if route == "labels":
            return json.dumps({"status": "success", "data": ["checkout", "payment", "shipping"]})
        series = [{"metric": {"service_name": s, "http_route": "/api/x"},
                   "values": [[T0 + 15 * i, str(i)] for i in range(20)]}
                  for s in ("checkout", "payment")]
        if route == "query":
            series = [{"metric": s["metric"], "value": [T0, "3"]} for s in series]
            return json.dumps({"status": "success", "data": {"resultType": "vector",
                                                             "result": series}})
        return json.dumps({"status": "success", "data": {"resultType": "matrix",
                                                         "result": series}})
    if route == "tags":
        return json.dumps({"tagValues": [{"type": "string", "value": v}
                                         for v in ("checkout", "payment", "shipping")]})
    if route == "trace":
        return json.dumps({"batches": [{"resource": {"attributes": [
            {"key": "service.name", "value": {"stringValue": "checkout"}}]},
            "scopeSpans": [{"spans": [{"traceId": "AAAAAAAAAAAAAAAAAAAAAQ==",
                                       "spanId": "AAAAAAAAAAE=", "name": "GET /api/x",
                                       "startTimeUnixNano": str(T0 * 10**9),
                                       "endTimeUnixNano": str(T0 * 10**9 + 1000),
                                       "status": {"code": "STATUS_CODE_ERROR"}}]}]}]})
    traces = [{"traceID": "%x" % (i + 1), "rootServiceName": "checkout",
               "rootTraceName": "GET /api/x", "startTimeUnixNano": str((T0 + i) * 10**9),
               "durationMs": 12,
               "spanSets": [{"spans": [{"spanID": "%016x" % (i + 1),
                                        "startTimeUnixNano": str((T0 + i) * 10**9),
                                        "durationNanos": "12000000", "attributes": [
                                            {"key": "status", "value": {"stringValue": "error"}}]}],
                             "matched": 1}]} for i in range(20)]
    return json.dumps({"traces": traces, "metrics": {"inspectedBytes": "1000"}})


def wrongshape_body(backend, route):
    """Valid JSON, right envelope, wrong types inside."""
    if backend == "prometheus":
        if route == "labels":
            return json.dumps({"status": "success", "data": {"values": ["a", "b"]}})
        return json.dumps({"status": "success", "data": {"resultType": "matrix",
                                                         "result": {"series": "many"}}})
    if route == "tags":
        return json.dumps({"tagValues": "checkout,payment"})
    if route == "trace":
        return json.dumps({"batches": {"resource": "checkout"}, "trace": 7})
    return json.dumps({"traces": {"traceID": "1"}, "metrics": "none"})


# ---- generated bodies (never held whole in memory) --------------------------------------

def big_parts(backend, route):
    """(head, unit, tail, repeats) making a ~100 MB valid JSON body of the route's shape."""
    if backend == "prometheus":
        if route == "labels":
            head, unit, tail = '{"status":"success","data":["', 'v0123456789abcdef","', 'v"]}'
        else:
            head = ('{"status":"success","data":{"resultType":"matrix","result":[{"metric":'
                    '{"service_name":"checkout","http_route":"/api/x"},"values":[')
            unit = '[%d,"1"],' % T0
            tail = '[%d,"1"]]}]}}' % T0
    elif route == "tags":
        head, unit, tail = '{"tagValues":[', '{"type":"string","value":"v0123456789"},', \
            '{"type":"string","value":"v"}]}'
    elif route == "trace":
        head = ('{"batches":[{"resource":{"attributes":[{"key":"service.name","value":'
                '{"stringValue":"checkout"}}]},"scopeSpans":[{"spans":[')
        unit = ('{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE=","name":"x",'
                '"startTimeUnixNano":"%d","endTimeUnixNano":"%d"},' % (T0 * 10**9, T0 * 10**9))
        tail = unit[:-1] + ']}]}]}'
    else:
        head = '{"traces":['
        unit = ('{"traceID":"1","rootServiceName":"checkout","startTimeUnixNano":"%d",'
                '"spanSets":[{"spans":[{"spanID":"0000000000000001","durationNanos":"1"}]}]},'
                % (T0 * 10**9))
        tail = unit[:-1] + ']}'
    repeats = (BIG_BYTES - len(head) - len(tail)) // len(unit)
    return head, unit, tail, repeats


def million_chunks(backend, route):
    """Yield the 10^6-item body of the route's shape in ~1 MB pieces."""
    if backend == "prometheus":
        if route == "labels":
            head, item, sep, tail = '{"status":"success","data":[', '"v%07d"', ",", "]}"
        elif route == "query":
            head = '{"status":"success","data":{"resultType":"vector","result":['
            item = '{"metric":{"service_name":"s%d"},"value":[' + str(T0) + ',"1"]}'
            sep, tail = ",", "]}}"
        else:
            head = '{"status":"success","data":{"resultType":"matrix","result":['
            item = '{"metric":{"service_name":"s%d"},"values":[[' + str(T0) + ',"1"]]}'
            sep, tail = ",", "]}}"
    elif route == "tags":
        head, item, sep, tail = '{"tagValues":[', '{"type":"string","value":"v%d"}', ",", "]}"
    elif route == "trace":
        head = ('{"batches":[{"resource":{"attributes":[{"key":"service.name","value":'
                '{"stringValue":"checkout"}}]},"scopeSpans":[{"spans":[')
        item = '{"spanId":"%016x","name":"x"}'
        sep, tail = ",", "]}]}]}"
    else:
        head, item, sep, tail = '{"traces":[', '{"traceID":"%x","startTimeUnixNano":"1"}', ",", \
            "]}"
    yield head.encode()
    for start in range(0, MILLION, 20000):
        items = sep.join(item % (i + 1) for i in range(start, min(start + 20000, MILLION)))
        yield ((sep if start else "") + items).encode()
    yield tail.encode()


_BOMB = None


def bomb_parts():
    """(first, repeat, trailer): gzip header + first MiB, a block that inflates to the next
    MiB (repeated), and the last block with the gzip trailer."""
    global _BOMB
    if _BOMB is None:
        spaces = b" " * BOMB_CHUNK
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        first = c.compress(b"[" + spaces[1:]) + c.flush(zlib.Z_FULL_FLUSH)
        repeat = c.compress(spaces) + c.flush(zlib.Z_FULL_FLUSH)
        last = c.compress(b"]") + c.flush(zlib.Z_FINISH)
        # the trailer's CRC and size must cover every repetition: recompute them
        crc = zlib.crc32(b"[" + spaces[1:])
        for _ in range(BOMB_CHUNKS - 1):
            crc = zlib.crc32(spaces, crc)
        crc = zlib.crc32(b"]", crc)
        size = (BOMB_CHUNK * BOMB_CHUNKS + 1) & 0xFFFFFFFF
        # `last` ends with the 8-byte trailer of the short stream; replace it
        last = last[:-8] + crc.to_bytes(4, "little") + size.to_bytes(4, "little")
        _BOMB = (first, repeat, last)
    return _BOMB


# ---- the handler --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault"

    def log_message(self, fmt, *args):  # quiet
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/__stats":
            with STATS_LOCK:
                return self.send_text(200, json.dumps(STATS), "application/json")
        parts = url.path.split("/", 3)
        if len(parts) < 4 or parts[1] not in MODES or parts[2] not in BACKENDS:
            return self.send_text(404, "unknown fault path %s\n" % url.path)
        mode, backend, path = parts[1], parts[2], "/" + parts[3]
        params = urllib.parse.parse_qs(url.query)
        for k, v in urllib.parse.parse_qs(form).items():
            params.setdefault(k, []).extend(v)
        route = route_of(backend, path)
        count(mode)
        if route == "buildinfo":
            return self.send_text(200, buildinfo(backend), "application/json")
        if backend == "prometheus" and mode in BODY_MODES:
            healthy = discovery(path, params)
            if healthy is not None:
                return self.send_text(200, healthy, "application/json")
        getattr(self, "mode_" + (mode if mode not in STATUS_MODES else "status"))(
            mode, backend, route)

    # -- plain answers
    def send_head(self, status, ctype, length=None, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def send_text(self, status, text, ctype="text/plain; charset=utf-8"):
        body = text.encode()
        self.send_head(status, ctype, len(body))
        self.wfile.write(body)

    # -- transport faults
    def mode_timeout(self, mode, backend, route):
        self.hold(HOLD_MAX_S)
        self.close_connection = True

    def hold(self, seconds):
        """Wait without answering until the client hangs up (or `seconds` pass)."""
        started = time.monotonic()
        sock = self.connection
        while time.monotonic() - started < seconds:
            r, _, _ = select.select([sock], [], [], 0.2)
            if r:
                try:
                    if not sock.recv(4096):
                        break
                except OSError:
                    break
        held = time.monotonic() - started
        with STATS_LOCK:
            STATS["max_hold_s"] = max(STATS["max_hold_s"], held)

    def mode_drip(self, mode, backend, route):
        body = sample_body(backend, route).encode()
        self.send_head(200, "application/json", len(body))
        self.wfile.flush()
        started = time.monotonic()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            pass
        with STATS_LOCK:
            STATS["max_hold_s"] = max(STATS["max_hold_s"], time.monotonic() - started)
        self.close_connection = True

    def mode_disconnect(self, mode, backend, route):
        body = sample_body(backend, route).encode()
        self.send_head(200, "application/json", len(body))
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    # -- statuses
    def mode_status(self, mode, backend, route):
        code = int(mode)
        if code == 502:
            return self.send_text(502, NGINX_502, "text/html")
        if backend == "prometheus":
            etype, msg = PROM_ERROR[code]
            body = json.dumps({"status": "error", "errorType": etype, "error": msg})
            return self.send_text(code, body, "application/json")
        return self.send_text(code, TEMPO_ERROR[code])

    # -- bad bodies
    def mode_truncated(self, mode, backend, route):
        body = sample_body(backend, route)
        self.send_text(200, body[:len(body) // 2], "application/json")

    def mode_nonjson(self, mode, backend, route):
        self.send_text(200, HTML_PAGE, "text/html; charset=utf-8")

    def mode_wrongshape(self, mode, backend, route):
        self.send_text(200, wrongshape_body(backend, route), "application/json")

    def mode_jsonarray(self, mode, backend, route):
        self.send_text(200, '[{"status":"success"},{"data":[]}]', "application/json")

    def mode_empty(self, mode, backend, route):
        self.send_text(200, "", "application/json")

    def mode_big(self, mode, backend, route):
        head, unit, tail, repeats = big_parts(backend, route)
        length = len(head) + len(unit) * repeats + len(tail)
        self.send_head(200, "application/json", length)
        block = (unit * (65536 // len(unit) + 1)).encode()
        per_block = 65536 // len(unit) + 1
        try:
            self.wfile.write(head.encode())
            left = repeats
            while left >= per_block:
                self.wfile.write(block)
                left -= per_block
            self.wfile.write((unit * left + tail).encode())
        except OSError:
            self.close_connection = True

    def mode_million(self, mode, backend, route):
        self.send_head(200, "application/json", extra={"Transfer-Encoding": "chunked"})
        try:
            for chunk in million_chunks(backend, route):
                self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    def mode_gzipbomb(self, mode, backend, route):
        first, repeat, last = bomb_parts()
        length = len(first) + len(repeat) * (BOMB_CHUNKS - 1) + len(last)
        self.send_head(200, "application/json", length, {"Content-Encoding": "gzip"})
        try:
            self.wfile.write(first)
            for _ in range(BOMB_CHUNKS - 1):
                self.wfile.write(repeat)
            self.wfile.write(last)
        except OSError:
            self.close_connection = True

    def mode_badgzip(self, mode, backend, route):
        body = sample_body(backend, route).encode()
        self.send_head(200, "application/json", len(body), {"Content-Encoding": "gzip"})
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def watch_parent(pid):
    while True:
        try:
            os.kill(pid, 0)
        except OSError:
            os._exit(0)
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--parent-pid", type=int)
    args = ap.parse_args()
    bomb_parts()  # compute once before serving
    srv = Server((args.host, args.port), Handler)
    if args.parent_pid:
        threading.Thread(target=watch_parent, args=(args.parent_pid,), daemon=True).start()
    print("listening on %s:%d" % srv.server_address[:2], flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
