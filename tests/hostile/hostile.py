"""Shared pieces of the hostile-input and secrets suites (issue 8).

- StandIn: a recording stand-in for Prometheus or Tempo (Python stdlib,
  threaded). Every request is recorded (method, raw and decoded path, decoded
  query parameters, decoded form body, headers); the answer is a valid,
  nearly empty body of the right shape, or — when `fail_status` is set — that
  status with a body that echoes every request header back (the way a
  careless proxy or gateway does).
- Driver: the Node process (driver.mjs) that plays Grafana over gRPC.
- A PromQL / TraceQL tokenizer written here from the languages' lexical rules
  (Go string literals: strconv.Unquote), independent of the plugin's C code,
  so the tests can read a query back and compare its structure.
"""

import base64
import json
import os
import select
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# A fixed panel range (ms), so that start/end/step parameters are the same for
# every query and only the values under test differ.
FROM_MS = 1_700_000_000_000
TO_MS = FROM_MS + 3600 * 1000

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


# ---- stand-in backends -----------------------------------------------------------------------

def _prom_ok(path, method):
    if path.endswith("/api/v1/status/buildinfo"):
        return {"status": "success", "data": {"version": "2.53.0", "revision": "x"}}
    if "/api/v1/label/__name__/values" in path:
        return {"status": "success",
                "data": ["traces_span_metrics_calls_total", "traces_span_metrics_events_total"]}
    if "/api/v1/label/" in path:
        return {"status": "success", "data": ["/a"]}
    if path.endswith("/api/v1/query_range"):
        return {"status": "success", "data": {"resultType": "matrix", "result": []}}
    if path.endswith("/api/v1/query"):
        return {"status": "success", "data": {"resultType": "vector", "result": []}}
    return None


def _tempo_trace(trace_id):
    b64 = lambda h: base64.b64encode(bytes.fromhex(h)).decode()  # noqa: E731
    now = FROM_MS * 1_000_000 + 60 * 10**9
    return {"trace": {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
        "scopeSpans": [{"spans": [{
            "traceId": b64(trace_id), "spanId": b64("00f067aa0ba902b7"), "name": "GET /a",
            "kind": "SPAN_KIND_SERVER", "startTimeUnixNano": str(now),
            "endTimeUnixNano": str(now + 5_000_000), "status": {"code": "STATUS_CODE_ERROR"},
            "events": [{"name": "exception", "timeUnixNano": str(now + 1_000_000), "attributes": [
                {"key": "exception.type", "value": {"stringValue": "java.lang.IllegalStateException"}},
                {"key": "exception.message", "value": {"stringValue": "boom"}},
                {"key": "exception.stacktrace", "value": {"stringValue":
                    "java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)"}}]}],
        }]}],
    }]}}


def _tempo_ok(path, method):
    if path.endswith("/api/status/buildinfo"):
        return {"version": "2.9.0", "revision": "x", "branch": "main"}
    if path.endswith("/api/echo"):
        return "echo"
    if path.endswith("/api/search"):
        return {"traces": [], "metrics": {"inspectedTraces": 0, "inspectedBytes": "0"}}
    if "/search/tag/" in path and path.endswith("/values"):
        return {"tagValues": []}
    if "/search/tags" in path:
        return {"scopes": []} if "/v2/" in path else {"tagNames": []}
    if "/traces/" in path:
        tid = path.rsplit("/", 1)[1]
        if len(tid) == 32 and all(c in "0123456789abcdef" for c in tid):
            return _tempo_trace(tid)
        return None
    return None


class StandIn:
    """A recording stand-in backend. kind: "prometheus" or "tempo"."""

    def __init__(self, kind, fail_status=None, tls=None):
        self.kind = kind
        self.fail_status = fail_status
        self.lock = threading.Lock()
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                raw_path, _, raw_query = self.path.partition("?")
                form = {}
                if body and "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    form = urllib.parse.parse_qs(body.decode("latin-1"), keep_blank_values=True,
                                                 encoding="utf-8", errors="surrogateescape")
                rec = {
                    "method": self.command, "raw_path": raw_path,
                    "path": urllib.parse.unquote(raw_path, errors="surrogateescape"),
                    "raw_query": raw_query,
                    "query": urllib.parse.parse_qs(raw_query, keep_blank_values=True,
                                                   errors="surrogateescape"),
                    "form": form, "body": body,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "peer_cert": (self.connection.getpeercert()
                                  if hasattr(self.connection, "getpeercert") else None),
                }
                with outer.lock:
                    outer.requests.append(rec)
                status, ctype, payload = outer.answer(rec)
                data = payload if isinstance(payload, bytes) else payload.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = handle_any
            do_POST = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:  # an ssl.SSLContext (server side)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, rec):
        if self.fail_status:
            # A gateway that echoes the request back: every header, verbatim.
            echo = "; ".join("%s: %s" % (k, v) for k, v in rec["headers"].items())
            if self.kind == "prometheus":
                body = json.dumps({"status": "error", "errorType": "unauthorized",
                                   "error": "denied, request headers were: " + echo})
                return self.fail_status, "application/json", body
            return self.fail_status, "text/plain", "denied, request headers were: " + echo
        fn = _prom_ok if self.kind == "prometheus" else _tempo_ok
        body = fn(rec["path"], rec["method"])
        if body is None:
            return 404, "text/plain", "404 page not found"
        if isinstance(body, str):
            return 200, "text/plain", body
        return 200, "application/json", json.dumps(body)

    def take(self):
        with self.lock:
            out, self.requests = self.requests, []
        return out

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---- the Grafana side: driver.mjs ---------------------------------------------------------------

def dist_binary():
    return os.environ.get("ET_DIST_BINARY") or os.path.join(ROOT, "dist", "gpx_errortriage_linux_amd64")


class Driver:
    def __init__(self, binary=None, env=None):
        self.proc = subprocess.Popen(
            ["node", os.path.join(HERE, "driver.mjs"), "--plugin", binary or dist_binary(),
             "--proto", os.path.join(ROOT, "proto")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=HERE)
        self.pid = self.call({"op": "launch", "env": env or {}})["pid"]

    def call(self, cmd, timeout=120):
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("driver: no answer to %s" % cmd.get("op"))
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("driver exited: %s" % self.proc.stderr.read().decode())
        return json.loads(line)

    def query(self, ctx, model, ref="A", **kw):
        q = {"refId": ref, "model": model, "from": kw.get("from_ms", FROM_MS),
             "to": kw.get("to_ms", TO_MS)}
        return self.call({"op": "query", "ctx": ctx, "queries": [q], "format": kw.get("fmt", "ARROW")})

    def close(self):
        try:
            out = self.call({"op": "shutdown"}, timeout=15)
        except Exception:  # noqa: BLE001
            out = None
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return out


# ---- PromQL / TraceQL lexing (independent of the plugin) ---------------------------------------

class LexError(Exception):
    pass


_SIMPLE_ESC = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def unquote_go(text, quote):
    """Decode the body of a Go-style quoted string (between the quotes) into bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == quote:
            raise LexError("unescaped quote inside a literal")
        if c == "\n":
            raise LexError("raw newline inside a literal")
        if c != "\\":
            out += c.encode("utf-8", "surrogateescape")
            i += 1
            continue
        i += 1
        if i >= len(text):
            raise LexError("dangling backslash")
        e = text[i]
        if e in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[e]); i += 1
        elif e == quote:
            out += e.encode(); i += 1
        elif e == "x":
            h = text[i + 1:i + 3]
            if len(h) != 2 or not all(ch in "0123456789abcdefABCDEF" for ch in h):
                raise LexError("bad \\x escape")
            out.append(int(h, 16)); i += 3
        elif e in "01234567":
            o = text[i:i + 3]
            if len(o) != 3 or not all(ch in "01234567" for ch in o) or int(o, 8) > 255:
                raise LexError("bad octal escape")
            out.append(int(o, 8)); i += 3
        elif e in "uU":
            n = 4 if e == "u" else 8
            h = text[i + 1:i + 1 + n]
            if len(h) != n or not all(ch in "0123456789abcdefABCDEF" for ch in h):
                raise LexError("bad \\u escape")
            cp = int(h, 16)
            if 0xD800 <= cp < 0xE000 or cp > 0x10FFFF:
                raise LexError("invalid code point")
            out += chr(cp).encode(); i += 1 + n
        else:
            raise LexError("unknown escape \\%s" % e)
    return bytes(out)


_OPS = ["&&", "||", "!=", "=~", "!~", ">=", "<=", "==", "=", "<", ">", "{", "}", "(", ")", "[", "]",
        ",", "|", "+", "-", "*", "/", "%", "^", "!", ":", "@"]


def tokenize(q):
    """Tokens of a PromQL or TraceQL query: ("str", bytes) for string literals,
    ("word", text) for identifiers/numbers/durations, ("op", text) else.
    Comments (#… to end of line) are tokens too, so a smuggled comment shows."""
    toks = []
    i = 0
    n = len(q)
    while i < n:
        c = q[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c in "\"'`":
            j = i + 1
            if c == "`":
                j = q.find("`", i + 1)
                if j < 0:
                    raise LexError("unterminated raw string")
                toks.append(("str", q[i + 1:j].encode("utf-8", "surrogateescape")))
                i = j + 1
                continue
            while j < n and q[j] != c:
                if q[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                raise LexError("unterminated string literal at %d" % i)
            toks.append(("str", unquote_go(q[i + 1:j], c)))
            i = j + 1
            continue
        if c == "#":
            j = q.find("\n", i)
            j = n if j < 0 else j
            toks.append(("comment", q[i:j]))
            i = j
            continue
        if c.isalnum() or c in "_.":
            j = i
            while j < n and (q[j].isalnum() or q[j] in "_.:"):
                j += 1
            toks.append(("word", q[i:j]))
            i = j
            continue
        for op in _OPS:
            if q.startswith(op, i):
                toks.append(("op", op))
                i += len(op)
                break
        else:
            raise LexError("unexpected character %r at %d" % (c, i))
    return toks


RE2_META = set("\\.+*?()|[]{}^$")


def regex_unescape(b):
    """The literal text a regex matches when it is a plain escaped literal:
    every metacharacter must be backslash-escaped. Returns bytes, or None when
    the regex is not a pure literal."""
    out = bytearray()
    i = 0
    while i < len(b):
        ch = chr(b[i])
        if ch == "\\":
            if i + 1 >= len(b):
                return None
            nxt = chr(b[i + 1])
            if nxt.isalnum():
                return None  # \d, \w ... are classes, not literals
            out.append(b[i + 1])
            i += 2
            continue
        if ch in RE2_META:
            return None
        out.append(b[i])
        i += 1
    return bytes(out)


def split_alternation(b):
    """A regex a|b|c split on top-level unescaped bars."""
    parts, cur, i = [], bytearray(), 0
    while i < len(b):
        if b[i] == 0x5C and i + 1 < len(b):
            cur += b[i:i + 2]
            i += 2
            continue
        if b[i] == 0x7C:
            parts.append(bytes(cur))
            cur = bytearray()
        else:
            cur.append(b[i])
        i += 1
    parts.append(bytes(cur))
    return parts


def literal_matches(baseline, hostile, placeholder, value, regex_ctx, user_regex=False):
    """Does the literal `hostile` equal `baseline` with `placeholder` replaced
    by `value`? In a regex context (=~, !~) the value must appear as an
    escaped regex literal (every metacharacter backslash-escaped), unless the
    user wrote the regex (`user_regex`: labelFilter =~), which is kept as it is."""
    if placeholder not in baseline:
        return hostile == baseline
    pre, _, post = baseline.partition(placeholder)
    if placeholder in post:
        raise AssertionError("placeholder twice in one literal: %r" % baseline)
    if not (hostile.startswith(pre) and hostile.endswith(post) and len(hostile) >= len(pre) + len(post)):
        return False
    middle = hostile[len(pre):len(hostile) - len(post)]
    if regex_ctx and not user_regex:
        return regex_unescape(middle) == value
    return middle == value


def same_structure(baseline_q, hostile_q, value, placeholder="abc", user_regex=False):
    """Compare a query built for `value` with the one built for "abc": the
    same tokens outside string literals, literals equal except where the
    baseline had the placeholder, and there the hostile literal decodes to the
    value (escaped as a regex where the operator is =~ / !~). Returns None or
    a message."""
    try:
        tb = tokenize(baseline_q)
    except LexError as e:
        return "baseline does not lex (%s): %r" % (e, baseline_q)
    try:
        th = tokenize(hostile_q)
    except LexError as e:
        return "query does not lex (%s): %r" % (e, hostile_q)
    if len(tb) != len(th):
        return "token count %d != %d:\n  %r\n  %r" % (len(th), len(tb), hostile_q, baseline_q)
    vb = value.encode("utf-8", "surrogateescape")
    pb = placeholder.encode()
    found = 0
    for k, (b, h) in enumerate(zip(tb, th)):
        if b[0] != h[0]:
            return "token %d kind %s != %s in %r" % (k, h, b, hostile_q)
        if b[0] != "str":
            if b != h:
                return "token %d %r != %r in %r" % (k, h[1], b[1], hostile_q)
            continue
        regex_ctx = k > 0 and th[k - 1] in (("op", "=~"), ("op", "!~"))
        if pb in b[1]:
            found += 1
            if regex_ctx and b"|" in b[1]:
                pb_parts, ph_parts = split_alternation(b[1]), split_alternation(h[1])
                ok = len(pb_parts) == len(ph_parts) and all(
                    literal_matches(x, y, pb, vb, True, user_regex) for x, y in zip(pb_parts, ph_parts))
            else:
                ok = literal_matches(b[1], h[1], pb, vb, regex_ctx, user_regex)
            if not ok:
                return "literal %d %r does not hold the value %r (baseline %r) in %r" % (
                    k, h[1], value, b[1], hostile_q)
        elif b != h:
            return "literal %d %r != %r in %r" % (k, h[1], b[1], hostile_q)
    if found == 0:
        return "the value is in no literal of %r" % baseline_q
    return None
