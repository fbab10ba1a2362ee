#!/usr/bin/env python3
"""A Grafana Tempo-compatible HTTP server over a trace corpus, for tests.

Answers like Tempo (2.0 .. 3.0, chosen with --version) on the routes the
errortriage plugin uses: /api/echo, /ready, /api/status/buildinfo,
/api/search (TraceQL subset, see traceql.py), /api/search/tags,
/api/v2/search/tags, /api/search/tag/<tag>/values,
/api/v2/search/tag/<ident>/values, /api/traces/<id>, /api/v2/traces/<id>,
/api/metrics/query_range and /api/metrics/query (rate / count_over_time,
optionally by attributes).  Bodies are encoded the way Tempo's gogo jsonpb
encodes them; errors are plain text with Tempo's wording.

Faults (status codes, failing trace fetches, truncated or non-JSON bodies,
slow drip, oversized bodies, dropped connections, delays) can be set with
--fault at start and changed at run time through the control endpoint:

  GET  /__control              state, counters (requests per route, in-flight
                               high-water mark), corpus summary
  POST /__control  {"faults": [RULE...]}          replace the fault rules
                   {"add_fault": RULE}            append one rule
                   {"clear_faults": true}         remove all rules
                   {"latency_ms": N}              delay every API request
                   {"version": "2.5"}             switch the emulated version
                   {"multitenant": true|false}
                   {"reset_stats": true}          zero the counters and log
  GET  /__control/requests     the last 2000 requests (method, path, query,
                               status, tenant, bytes, ms)

A RULE is a JSON object:
  route       "search", "search_tags", "search_tags_v2", "tag_values",
              "tag_values_v2", "trace" (v1 and v2), "trace_v1", "trace_v2",
              "buildinfo", "echo", "ready", "metrics", or "*"; a list is allowed
  path_prefix apply only to request paths starting with this
  trace_ids   apply only to trace-by-ID requests for these IDs (hex, any
              number of leading zeros)
  kind        "status"     answer `status` (default 500) with `body` (default:
                           Tempo's text for that status)
              "truncate"   cut the real body at `fraction` (0.5) or `bytes`;
                           Content-Length matches the cut body
              "disconnect" announce the full length, send part, close
              "nonjson"    200 (or `status`) with an HTML page
              "drip"       send the real body `chunk` bytes (64) every
                           `interval_ms` (50)
              "oversize"   a valid body padded with a long attribute to
                           `bytes` (33554432)
              "delay"      wait `ms` before answering normally
              "reset"      close the connection without answering
  every       apply to every Nth matching request only (2 = half of them)
  rate        apply with this probability (seeded, see --seed)
  after       skip the first N matching requests
  count       apply at most N times, then the rule expires

Short --fault forms: "search=503", "trace=500/2" (every 2nd), "trace=500@0.5"
(half, random); anything starting with "{" is a JSON RULE.

Start:  tempo_server.py --corpus DIR --port 0 [--version 2.9] ...
It prints "listening on 127.0.0.1:PORT" on stdout, then serves until killed
(or until the process given by --parent-pid exits).  ServerProcess below
starts one from Python tests.
"""

import argparse
import gzip
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus as corpus_mod  # noqa: E402
import tempo_json as tj  # noqa: E402
import tempo_proto  # noqa: E402
import traceql  # noqa: E402

DEFAULT_VERSION = "2.9.0"
MAX_LIMIT = 262144
MAX_SEARCH_DURATION_S = 168 * 3600
MAX_QUERY_BYTES = 128 * 1024
GZIP_MIN_SIZE = 1400        # NYTimes gziphandler default used by Tempo

DEFAULT_BODIES = {
    400: "bad request",
    401: "no org id\n",
    404: "404 page not found\n",
    422: "trace exceeds max size",
    429: "job queue full",
    499: "context canceled",
    500: "internal error",
    502: ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
          "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
          "</body>\r\n</html>\r\n"),
    503: "unable to process request in the configured timeout",
    504: "context deadline exceeded",
}
NONJSON_BODY = ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><form "
                "method=\"post\" action=\"/oauth2/sign_in\"><input name=\"user\"></form></body>"
                "</html>\n")

ROUTES = [
    ("echo", re.compile(r"^/api/echo$")),
    ("ready", re.compile(r"^/ready$")),
    ("buildinfo", re.compile(r"^/api/status/buildinfo$")),
    ("search", re.compile(r"^/api/search$")),
    ("search_tags", re.compile(r"^/api/search/tags$")),
    ("search_tags_v2", re.compile(r"^/api/v2/search/tags$")),
    ("tag_values", re.compile(r"^/api/search/tag/(?P<tag>[^/]*)/values$")),
    ("tag_values_v2", re.compile(r"^/api/v2/search/tag/(?P<tag>[^/]*)/values$")),
    ("trace_v1", re.compile(r"^/api/traces/(?P<id>[^/]*)$")),
    ("trace_v2", re.compile(r"^/api/v2/traces/(?P<id>[^/]*)$")),
    ("metrics_range", re.compile(r"^/api/metrics/query_range$")),
    ("metrics_instant", re.compile(r"^/api/metrics/query$")),
]
NO_TENANT_ROUTES = ("echo", "ready", "buildinfo")


class RawJSON(str):
    """A body already encoded as JSON."""


class Answer:
    """A cached answer: what Handler._route returned (the body keeps its type,
    faults such as `oversize` measure it), its bytes, and its gzip encoding,
    made on first use with the mtime field (bytes 4..7) rewritten per request
    so that it is byte for byte what gzip.compress() gives at that moment."""
    __slots__ = ("status", "body", "ctype", "data", "gz", "size")

    def __init__(self, status, body, ctype):
        self.status, self.body, self.ctype = status, body, ctype
        self.data = body.encode("utf-8") if isinstance(body, str) else body
        self.gz = None
        self.size = 2 * len(self.data) + 200

    def gzipped(self):
        gz = self.gz
        if gz is None:
            gz = self.gz = gzip.compress(self.data, 6)
        return gz[:4] + struct.pack("<L", int(time.time()) & 0xFFFFFFFF) + gz[8:]


class HTTPError(Exception):
    def __init__(self, status, body, ctype="text/plain; charset=utf-8"):
        super().__init__(body)
        self.status, self.body, self.ctype = status, body, ctype


def bad(msg):
    return HTTPError(400, msg)


# ----------------------------------------------------------------------------
# Go-compatible parameter parsing
# ----------------------------------------------------------------------------

def go_query(raw_query):
    """url.Values as Go parses them: pairs containing ';' are dropped, '+'
    is a space, first value wins in Get()."""
    vals = {}
    for pair in raw_query.split("&"):
        if not pair or ";" in pair:
            continue
        k, _, v = pair.partition("=")
        try:
            k = urllib.parse.unquote_plus(k, errors="strict")
            v = urllib.parse.unquote_plus(v, errors="strict")
        except UnicodeDecodeError:
            continue
        vals.setdefault(k, []).append(v)
    return vals


def qparam(vals, name):
    """extractQueryParam: the first value; absent when empty."""
    v = vals.get(name, [""])[0]
    return v, v != ""


def go_quote(s):
    return json.dumps(s, ensure_ascii=False)


def parse_int(s, bits, fn="ParseInt"):
    """strconv.ParseInt(s, 10, bits) with Go's error text."""
    if not re.match(r"^[+-]?[0-9]+$", s):
        raise ValueError("strconv.%s: parsing %s: invalid syntax" % (fn, go_quote(s)))
    v = int(s)
    lim = 1 << (bits - 1)
    if v < -lim or v >= lim:
        raise ValueError("strconv.%s: parsing %s: value out of range" % (fn, go_quote(s)))
    return v


def atoi(s):
    return parse_int(s, 64, "Atoi")


_GO_DUR_RE = re.compile(r"^[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$")


def go_parse_duration_ns(s):
    """time.ParseDuration -> ns, or ValueError with Go's message."""
    if s == "0":
        return 0
    if not _GO_DUR_RE.match(s):
        raise ValueError("time: invalid duration " + go_quote(s))
    sign = -1 if s.startswith("-") else 1
    total = 0.0
    for num, _, unit in re.findall(r"([0-9]*\.?[0-9]*)()(ns|us|µs|μs|ms|s|m|h)", s.lstrip("+-")):
        total += float(num) * {"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9,
                               "m": 60e9, "h": 3600e9}[unit]
    return sign * int(total)


go_duration_text = traceql.go_duration_text


def hex_to_trace_id(tid):
    """util.HexStringToTraceID with Tempo's messages -> 32 hex digits."""
    for i, c in enumerate(tid):
        if not (c in "0123456789abcdefABCDEF"):
            raise bad("trace IDs can only contain hex characters: invalid character '%s' at "
                      "position %d" % (c, len(tid[:i].encode()) + 1))
    if len(tid) % 2 == 1:
        tid = "0" + tid
    if len(tid) > 32:
        raise bad("trace IDs can't be larger than 128 bits")
    return tid.lower().rjust(32, "0")


# ----------------------------------------------------------------------------
# Fault rules
# ----------------------------------------------------------------------------

FAULT_KINDS = ("status", "truncate", "disconnect", "nonjson", "drip", "oversize", "delay", "reset")


def parse_fault(spec):
    """A RULE dict from JSON or a short form ("trace=500/2")."""
    if isinstance(spec, dict):
        rule = dict(spec)
    elif spec.strip().startswith("{"):
        rule = json.loads(spec)
    else:
        m = re.match(r"^([\w*]+)=(\d{3})(?:/(\d+)|@([0-9.]+))?$", spec.strip())
        if not m:
            raise ValueError("bad fault spec %r (want ROUTE=STATUS[/EVERY|@RATE] or JSON)" % spec)
        rule = {"route": m.group(1), "kind": "status", "status": int(m.group(2))}
        if m.group(3):
            rule["every"] = int(m.group(3))
        if m.group(4):
            rule["rate"] = float(m.group(4))
    rule.setdefault("kind", "status")
    rule.setdefault("route", "*")
    if rule["kind"] not in FAULT_KINDS:
        raise ValueError("unknown fault kind %r" % rule["kind"])
    if "trace_ids" in rule:
        rule["trace_ids"] = [corpus_mod.normalize_trace_id(t) for t in rule["trace_ids"]]
    rule["_seen"] = 0
    rule["_applied"] = 0
    return rule


def public_rule(rule):
    return {k: v for k, v in rule.items() if not k.startswith("_")} | {
        "seen": rule["_seen"], "applied": rule["_applied"]}


def _route_matches(rule_route, route):
    routes = rule_route if isinstance(rule_route, list) else [rule_route]
    for r in routes:
        if r in ("*", route):
            return True
        if r == "trace" and route in ("trace_v1", "trace_v2"):
            return True
        if r == "metrics" and route in ("metrics_range", "metrics_instant"):
            return True
    return False


# ----------------------------------------------------------------------------
# Server state
# ----------------------------------------------------------------------------

class State:
    def __init__(self, corp, version, args):
        self.corpus = corp
        self.lock = threading.Lock()
        self.set_version(version)
        self.latency_ms = args.latency_ms
        self.multitenant = args.multitenant
        self.tenants = args.tenant or []
        self.max_trace_bytes = args.max_trace_bytes
        self.limit_order = args.limit_order
        self.prefix = args.prefix.rstrip("/")
        self.rng = random.Random(args.seed)
        self.faults = [parse_fault(f) for f in (args.fault or [])]
        self.empty = corpus_mod.Corpus()
        self.reset_stats()
        self._trace_cache = {}
        self.cache_enabled = not getattr(args, "no_cache", False)
        self.cache_limit = int(getattr(args, "cache_mb", 512)) * 1024 * 1024
        self.answers = {}           # response cache, see Handler._cache_key
        self.answers_bytes = 0
        self.gen = 0                # bumped whenever an answer may change
        self.cache_hits = self.cache_misses = 0
        self._index()

    def set_version(self, version):
        self.version_text = version if str(version).count(".") >= 2 else str(version) + ".0"
        self.version = traceql.parse_version(version)

    def invalidate(self):
        """The answers depend on state that just changed (version, tenancy,
        size limit): forget every cached answer.  Call with the lock held."""
        self.gen += 1
        self.answers = {}
        self.answers_bytes = 0
        self._trace_cache.clear()

    def cache_put(self, key, status, body, ctype):
        entry = Answer(status, body, ctype)
        with self.lock:
            if key[0] == self.gen and self.answers_bytes + entry.size <= self.cache_limit:
                self.answers[key] = entry
                self.answers_bytes += entry.size
        return entry

    def reset_stats(self):
        self.requests = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.log = deque(maxlen=2000)

    def _index(self):
        """Precompute per-trace data used by every search."""
        c = self.corpus
        self.sorted_traces = sorted(c.traces.values(), key=lambda t: (-t.start_ns, t.trace_id))
        self.trace_bytes = {}
        total = 0
        for t in c.traces.values():
            n = sum(120 + sum(len(str(k)) + len(str(v)) for k, v in s.attributes) +
                    sum(40 + sum(len(str(k)) + len(str(v)) for k, v in e.attributes)
                        for e in s.events) for s in t.spans)
            self.trace_bytes[t.trace_id] = n
            total += n
        self.total_bytes = total
        self.total_spans = sum(len(t.spans) for t in c.traces.values())

    def corpus_for(self, tenant):
        if not self.multitenant or not self.tenants:
            return self.corpus
        if any(t in self.tenants for t in (tenant or "").split("|")):
            return self.corpus
        return self.empty

    def traces_for(self, tenant):
        return self.sorted_traces if self.corpus_for(tenant) is self.corpus else []


# ----------------------------------------------------------------------------
# Handlers
# ----------------------------------------------------------------------------

def _tempo_time_range(vals, bits=32):
    start = end = 0
    s, ok = qparam(vals, "start")
    if ok:
        try:
            start = parse_int(s, bits)
        except ValueError as e:
            raise bad("invalid start: %s" % e)
    s, ok = qparam(vals, "end")
    if ok:
        try:
            end = parse_int(s, bits)
        except ValueError as e:
            raise bad("invalid end: %s" % e)
    return start, end


def _overlaps(t, start, end):
    if start == 0 and end == 0:
        return True
    return t.end_ns >= start * 10**9 and t.start_ns <= end * 10**9


def _search_metrics(st, inspected, spans, nbytes):
    if st.version < (2, 2):
        m = {}
        tj._put(m, "inspectedTraces", inspected)
        tj._put(m, "inspectedBytes", str(nbytes) if nbytes else "")
        m["inspectedBlocks"] = 1
        tj._put(m, "totalBlockBytes", str(st.total_bytes) if st.total_bytes else "")
        return m
    m = {}
    tj._put(m, "inspectedTraces", inspected)
    tj._put(m, "inspectedBytes", str(nbytes) if nbytes else "")
    m["totalBlocks"] = 1
    m["completedJobs"] = 1
    m["totalJobs"] = 1
    tj._put(m, "totalBlockBytes", str(st.total_bytes) if st.total_bytes else "")
    if st.version >= (2, 4):
        tj._put(m, "inspectedSpans", str(spans) if spans else "")
    return m


def _kv_list(pairs):
    return [tj.key_value(k, v) for k, v in pairs]


def _static_py(s):
    """traceql.Static -> Python value for an AnyValue."""
    if s.type == "status":
        return ["unset", "ok", "error"][s.value]
    if s.type == "kind":
        return ["unspecified", "internal", "server", "client", "producer", "consumer"][s.value]
    if s.type == "duration":
        return int(s.value)
    return s.value


def trace_metadata(st, t, spansets=None, q=None, spss=3):
    root = t.root
    md = {"traceID": t.trace_id.lstrip("0")}
    if root is not None:
        svc = root.resource.get("service.name") if root.resource else None
        md["rootServiceName"] = svc if isinstance(svc, str) and svc else "<root span not yet received>"
        tj._put(md, "rootTraceName", root.name)
    else:
        md["rootServiceName"] = "<root span not yet received>"
    md["startTimeUnixNano"] = str(t.start_ns)
    tj._put(md, "durationMs", (t.end_ns - t.start_ns) // 10**6)
    if spansets is not None:
        out = []
        for ss in spansets:
            spans = []
            for m in ss.matches[:spss] if spss else ss.matches:
                s = m.span
                sp = {"spanID": s.span_id}
                if q.uses_name:
                    tj._put(sp, "name", s.name)
                tj._put(sp, "startTimeUnixNano", str(s.start_ns) if s.start_ns else "")
                tj._put(sp, "durationNanos", str(s.duration_ns) if s.duration_ns else "")
                tj._put(sp, "attributes", _kv_list(traceql.result_attributes(q, m, t)))
                spans.append(sp)
            sset = {}
            tj._put(sset, "spans", spans)
            tj._put(sset, "matched", len(ss.matches))
            tj._put(sset, "attributes", _kv_list([(k, _static_py(v)) for k, v in ss.attributes]))
            out.append(sset)
        if out:
            md["spanSet"] = out[0]
            if st.version >= (2, 2):
                md["spanSets"] = out
    if st.version >= (2, 5) and spansets is not None:
        stats = {}
        for s in t.spans:
            svc = corpus_mod.service(s)
            e = stats.setdefault(svc, {"spanCount": 0, "errorCount": 0})
            e["spanCount"] += 1
            e["errorCount"] += 1 if s.is_error else 0
        md["serviceStats"] = {k: {kk: vv for kk, vv in stats[k].items() if vv}
                              for k in sorted(stats)}
    return md


def _parse_logfmt(s):
    """go-logfmt key=value pairs (values may be quoted)."""
    out = {}
    i = 0
    while i < len(s):
        while i < len(s) and s[i] == " ":
            i += 1
        if i >= len(s):
            break
        j = i
        while j < len(s) and s[j] not in "= ":
            j += 1
        key = s[i:j]
        if not key:
            raise bad("invalid tags: unexpected '=' at pos %d" % (j + 1))
        val = ""
        if j < len(s) and s[j] == "=":
            j += 1
            if j < len(s) and s[j] == '"':
                k = j + 1
                buf = []
                while k < len(s) and s[k] != '"':
                    if s[k] == "\\" and k + 1 < len(s):
                        k += 1
                    buf.append(s[k])
                    k += 1
                if k >= len(s):
                    raise bad("invalid tags: unterminated quoted value at pos %d" % (k + 1))
                val = "".join(buf)
                j = k + 1
            else:
                k = j
                while k < len(s) and s[k] != " ":
                    k += 1
                val = s[j:k]
                j = k
        if key in out:
            raise bad("invalid tags: tag %s has been set twice" % key)
        out[key] = val
        i = j
    return out


def handle_search(st, vals, tenant):
    q_text, has_q = qparam(vals, "q")
    q = None
    if has_q and st.version >= (2, 0):
        if len(q_text) > MAX_QUERY_BYTES:
            raise bad("TraceQL expression exceeds the configured maximum size of %d bytes, reduce "
                      "the query expression size or contact your system administrator"
                      % MAX_QUERY_BYTES)
        try:
            q = traceql.parse(q_text, st.version)
        except traceql.NotImplementedByServer as e:
            raise HTTPError(501, "tempo test server: %s" % e)
        except traceql.TraceQLError as e:
            raise bad("invalid TraceQL query: %s" % e)
        if q.metrics is not None:
            raise bad("invalid TraceQL query: metrics queries are not supported by search: %s"
                      % q_text)
    start, end = _tempo_time_range(vals)
    tags_text, has_tags = qparam(vals, "tags")
    tags = {}
    if has_tags:
        if has_q:
            raise bad("invalid request: can't specify tags and q in the same query")
        tags = _parse_logfmt(tags_text)
    elif not has_q and start == 0 and end == 0:
        reserved = ("q", "tags", "minDuration", "maxDuration", "limit", "spss", "start", "end")
        tags = {k: v[0] for k, v in vals.items() if k not in reserved and v and v[0]}
    min_ms = max_ms = 0
    s, ok = qparam(vals, "minDuration")
    if ok:
        try:
            min_ms = go_parse_duration_ns(s) // 10**6
        except ValueError as e:
            raise bad("invalid minDuration: %s" % e)
    s, ok = qparam(vals, "maxDuration")
    if ok:
        try:
            max_ms = go_parse_duration_ns(s) // 10**6
        except ValueError as e:
            raise bad("invalid maxDuration: %s" % e)
        if min_ms and min_ms > max_ms:
            raise bad("invalid maxDuration: must be greater than minDuration")
    limit = 20
    s, ok = qparam(vals, "limit")
    if ok:
        try:
            limit = atoi(s)
        except ValueError as e:
            raise bad("invalid limit: %s" % e)
        if limit <= 0:
            raise bad("invalid limit: must be a positive number")
    spss = 3
    s, ok = qparam(vals, "spss")
    if ok and st.version >= (2, 2):
        try:
            spss = atoi(s)
        except ValueError as e:
            raise bad("invalid spss: %s" % e)
        if spss <= 0 and not (spss == 0 and st.version >= (2, 10)):
            raise bad("invalid spss: must be a positive number")
    if (start or end) and end <= start:
        raise bad("http parameter start must be before end. received start=%d end=%d"
                  % (start, end))
    if limit > MAX_LIMIT:
        raise bad("limit %d exceeds max limit %d" % (limit, MAX_LIMIT))
    if (end - start) > MAX_SEARCH_DURATION_S:
        raise bad("range specified by start and end exceeds 168h0m0s. received start=%d end=%d"
                  % (start, end))
    if st.version >= (2, 7) and spss > 100:
        raise bad("spans per span set exceeds 100. received %d" % spss)

    ctx = traceql.EvalContext(st.version)
    most_recent = bool(q and q.hint("most_recent", False) is True and st.version >= (2, 8))
    candidates = st.traces_for(tenant)        # newest first
    if st.limit_order == "oldest" and not most_recent:
        candidates = list(reversed(candidates))
    found = []
    inspected = spans_seen = nbytes = 0
    for t in candidates:
        if not _overlaps(t, start, end):
            continue
        inspected += 1
        spans_seen += len(t.spans)
        nbytes += st.trace_bytes[t.trace_id]
        dur_ms = (t.end_ns - t.start_ns) // 10**6
        if q is not None:
            sets = traceql.run_pipeline(q.pipeline, t, ctx)
            if not sets:
                continue
            found.append((t, sets))
        else:
            if min_ms and dur_ms < min_ms or max_ms and dur_ms > max_ms:
                continue
            if tags and not _tags_match(t, tags):
                continue
            found.append((t, None))
        if len(found) >= limit:
            break
    found.sort(key=lambda p: (-p[0].start_ns, p[0].trace_id))
    resp = {}
    tj._put(resp, "traces", [trace_metadata(st, t, sets, q, spss) for t, sets in found])
    resp["metrics"] = _search_metrics(st, inspected, spans_seen, nbytes)
    return resp


def _tags_match(t, tags):
    for k, v in tags.items():
        v = v.lower()
        ok = False
        for s in t.spans:
            if k == "name" and v in s.name.lower():
                ok = True
            for kk, vv in list(s.attributes) + list(s.resource.attributes if s.resource else []):
                if kk == k and v in str(vv).lower():
                    ok = True
            if ok:
                break
        if not ok:
            return False
    return True


INTRINSIC_TAGS = [
    ("duration", (2, 0)), ("event:name", (2, 6)), ("event:timeSinceStart", (2, 6)),
    ("instrumentation:name", (2, 7)), ("instrumentation:version", (2, 7)), ("kind", (2, 1)),
    ("name", (2, 0)), ("rootName", (2, 2)), ("rootServiceName", (2, 2)),
    ("span:duration", (2, 5)), ("span:kind", (2, 5)), ("span:name", (2, 5)),
    ("span:status", (2, 5)), ("span:statusMessage", (2, 5)), ("status", (2, 0)),
    ("statusMessage", (2, 3)), ("trace:duration", (2, 5)), ("trace:rootName", (2, 5)),
    ("trace:rootService", (2, 5)), ("traceDuration", (2, 2)),
]


def _scopes_for(st):
    s = ["resource", "span", "intrinsic"]
    if st.version >= (2, 6):
        s += ["event", "link"]
    if st.version >= (2, 7):
        s += ["instrumentation"]
    return s


def _check_scope(st, vals):
    scope, _ = qparam(vals, "scope")
    valid = ["", "none", "resource", "span", "intrinsic"]
    if st.version >= (2, 6):
        valid += ["event", "link"]
    if st.version >= (2, 7):
        valid += ["instrumentation"]
    if scope not in valid:
        raise bad("invalid scope: %s" % scope)
    return scope if scope not in ("", "none") else None


def _spans_for_tags(st, vals, tenant, with_q):
    start, end = _tempo_time_range(vals)
    if (start or end) and end <= start:
        raise bad("http parameter start must be before end. received start=%d end=%d"
                  % (start, end))
    q = None
    q_text, has_q = qparam(vals, "q")
    if with_q and has_q:
        try:
            q = traceql.parse(q_text, st.version)
        except traceql.TraceQLError:
            q = None            # Tempo ignores an invalid q on tag routes
    ctx = traceql.EvalContext(st.version)
    for t in st.traces_for(tenant):
        if not _overlaps(t, start, end):
            continue
        if q is not None:
            for ss in traceql.run_pipeline(q.pipeline, t, ctx):
                for m in ss.matches:
                    yield m.span
        else:
            yield from t.spans


def _tags_by_scope(st, spans):
    out = {"resource": set(), "span": set(), "event": set(), "link": set(),
           "instrumentation": set()}
    for s in spans:
        out["span"].update(k for k, _ in s.attributes)
        if s.resource:
            out["resource"].update(k for k, _ in s.resource.attributes)
        for e in s.events:
            out["event"].update(k for k, _ in e.attributes)
        for l in s.links:
            out["link"].update(k for k, _ in l.attributes)
        if s.scope:
            out["instrumentation"].update(k for k, _ in s.scope.attributes)
    return out


def _metadata_metrics(st, nbytes):
    if st.version < (2, 7):
        return None
    return {"inspectedBytes": str(max(nbytes, 1))}


def handle_search_tags(st, vals, tenant, v2):
    scope = _check_scope(st, vals)
    spans = list(_spans_for_tags(st, vals, tenant, with_q=v2 and st.version >= (2, 6)))
    by_scope = _tags_by_scope(st, spans)
    nbytes = sum(150 for _ in spans)
    intrinsic = sorted(n for n, since in INTRINSIC_TAGS if st.version >= since)
    if v2:
        scopes = []
        for name in _scopes_for(st):
            if scope and name != scope:
                continue
            tags = intrinsic if name == "intrinsic" else sorted(by_scope[name])
            if tags:
                scopes.append({"name": name, "tags": tags})
        resp = {}
        tj._put(resp, "scopes", scopes)
    else:
        if scope == "intrinsic":
            names = intrinsic
        elif scope:
            names = sorted(by_scope[scope])
        else:
            names = set()
            for name in _scopes_for(st):
                if name != "intrinsic":
                    names |= by_scope[name]
            names = sorted(names)
        resp = {}
        tj._put(resp, "tagNames", names)
    m = _metadata_metrics(st, nbytes)
    if m:
        resp["metrics"] = m
    return resp


def _typed_value(v):
    if isinstance(v, bool):
        return ("bool", "true" if v else "false")
    if isinstance(v, int):
        return ("int", str(v))
    if isinstance(v, float):
        return ("float", repr(v) if v != int(v) else str(int(v)))
    if isinstance(v, str):
        return ("string", v)
    return None


def _identifier_error(st, name):
    if st.version >= (2, 9):
        return bad("please provide a valid tagName: tag name is not valid intrinsic or scoped "
                   "attribute: %s" % name)
    first = re.split(r"[.:]", name, 1)[0] or name
    return bad("please provide a valid tagName: failed to parse identifier %s: parse error at "
               "line 1, col 2: unknown identifier: %s" % (name, first))


def handle_tag_values(st, vals, tenant, tag, v2):
    try:
        tag = urllib.parse.unquote(tag, errors="strict")
    except UnicodeDecodeError:
        raise bad("error in unescaping tagName")
    if tag == "":
        raise bad("please provide a non-empty tagName")
    attr = None
    if v2:
        try:
            attr = traceql.parse_identifier(tag, st.version)
        except traceql.TraceQLError:
            raise _identifier_error(st, tag)
        if attr.scope is None and not attr.intrinsic and not tag.startswith("."):
            raise _identifier_error(st, tag)
    spans = list(_spans_for_tags(st, vals, tenant, with_q=v2 and st.version >= (2, 2)))
    values = {}
    nbytes = 150 * len(spans)
    if v2 and attr.intrinsic:
        i = attr.intrinsic
        if i == "status":
            typed = [("keyword", v) for v in ("error", "ok", "unset")]
        elif i == "kind":
            typed = [("keyword", v) for v in ("client", "consumer", "internal", "producer",
                                              "server", "unspecified")]
        elif i in ("name", "statusMessage", "rootName", "rootServiceName", "event:name"):
            seen = set()
            for s in spans:
                if i == "name":
                    seen.add(s.name)
                elif i == "statusMessage" and s.status_message:
                    seen.add(s.status_message)
                elif i == "event:name":
                    seen.update(e.name for e in s.events if e.name)
            typed = [("string", v) for v in sorted(seen)]
        else:
            typed = []
    else:
        name = attr.name if v2 else tag
        for s in spans:
            sources = []
            if not v2 or attr.scope in (None, "span"):
                sources.append(s.attributes)
            if not v2 or attr.scope in (None, "resource"):
                sources.append(s.resource.attributes if s.resource else [])
            if (not v2 and st.version >= (2, 6)) or (v2 and attr.scope == "event"):
                for e in s.events:
                    sources.append(e.attributes)
            if v2 and attr.scope == "link":
                for l in s.links:
                    sources.append(l.attributes)
            for src in sources:
                for k, v in src:
                    if k == name:
                        tv = _typed_value(v)
                        if tv and (v2 or tv[0] == "string"):
                            values[tv] = True
        typed = sorted(values)
    resp = {}
    if v2:
        tj._put(resp, "tagValues", [{"type": t, "value": v} for t, v in typed])
    else:
        tj._put(resp, "tagValues", [v for _, v in typed])
    m = _metadata_metrics(st, nbytes)
    if m:
        resp["metrics"] = m
    return resp


def _trace_body(st, t, v2):
    """Encoded trace JSON, cached per (trace, shape)."""
    key = (t.trace_id, st.version < (2, 0))
    rs = st._trace_cache.get(key)
    if rs is None:
        rs = tj.resource_spans_json(t, legacy_ils=st.version < (2, 0))
        st._trace_cache[key] = rs
    return rs


def _truncate_trace(rs, max_bytes):
    """Drop spans from the end until the encoded trace fits."""
    rs = json.loads(json.dumps(rs))
    while len(tj.dumps(rs)) > max_bytes:
        for b in reversed(rs):
            key = "scopeSpans" if "scopeSpans" in b else "instrumentationLibrarySpans"
            lst = b.get(key, [])
            while lst and not lst[-1].get("spans"):
                lst.pop()
            if lst:
                lst[-1]["spans"].pop()
                if not lst[-1]["spans"]:
                    lst.pop()
                break
        else:
            break
        rs = [b for b in rs if b.get("scopeSpans") or b.get("instrumentationLibrarySpans")]
        if not rs:
            break
    return rs


def _partial(t, max_bytes):
    """A copy of trace t keeping the earliest spans whose protobuf fits."""
    keep = []
    for sp in t.spans_by_start:
        if len(tempo_proto.trace(corpus_mod.Trace.from_spans(t.trace_id, keep + [sp]))) > max_bytes:
            break
        keep.append(sp)
    return corpus_mod.Trace.from_spans(t.trace_id, keep)


def _find_trace(st, vals, tenant, raw_id):
    """Validate a trace-by-ID request like Tempo; the trace or None."""
    tid = hex_to_trace_id(raw_id)
    start, end = _tempo_time_range(vals, bits=64)
    if start and end and end <= start:
        raise bad("http parameter start must be before end. received start=%d end=%d"
                  % (start, end))
    t = st.corpus_for(tenant).traces.get(tid)
    if t is not None and (start or end):
        lo = start * 10**9 if start else 0
        hi = end * 10**9 if end else 2**63
        if t.end_ns < lo or t.start_ns > hi:
            t = None
    return t


def _not_found(st):
    return 404, ("trace not found" if st.version < (2, 5) else "")


def handle_trace_proto(st, vals, tenant, raw_id, v2):
    """Accept: application/protobuf: tempopb.Trace (v1) or TraceByIDResponse (v2)."""
    t = _find_trace(st, vals, tenant, raw_id)
    if t is None:
        if v2:
            return 200, tempo_proto.trace_by_id_response(None, 1024)
        return _not_found(st)
    data = tempo_proto.trace(t)
    nbytes = st.trace_bytes[t.trace_id]
    if st.max_trace_bytes and len(data) > st.max_trace_bytes:
        if st.version < (2, 7):
            raise HTTPError(500, "trace exceeds max size")
        if not v2:
            raise HTTPError(422, "trace exceeds max size")
        return 200, tempo_proto.trace_by_id_response(
            _partial(t, st.max_trace_bytes), nbytes,
            "Trace exceeds maximum size of %d bytes, a partial trace is returned" % st.max_trace_bytes)
    if v2:
        return 200, tempo_proto.trace_by_id_response(t, nbytes)
    return 200, data


def handle_trace(st, vals, tenant, raw_id, v2):
    t = _find_trace(st, vals, tenant, raw_id)
    if t is None:
        if v2:
            return 200, {"trace": {}, "metrics": {"inspectedBytes": "1024"}}
        return _not_found(st)
    rs = _trace_body(st, t, v2)
    nbytes = st.trace_bytes[t.trace_id]
    if not st.max_trace_bytes:
        # the common case: the encoded body is cached per trace and shape
        key = (t.trace_id, st.version < (2, 0), "text")
        text = st._trace_cache.get(key)
        if text is None:
            text = st._trace_cache[key] = tj.dumps(rs)
        if v2:
            return 200, RawJSON('{"trace":{"resourceSpans":%s},"metrics":{"inspectedBytes":"%d"}}'
                                % (text, nbytes))
        return 200, RawJSON('{"batches":%s}' % text)
    if v2:
        body = {"trace": {"resourceSpans": rs}, "metrics": {"inspectedBytes": str(nbytes)}}
        if st.max_trace_bytes and len(tj.dumps(rs)) > st.max_trace_bytes:
            if st.version >= (2, 7):
                body["trace"] = {"resourceSpans": _truncate_trace(rs, st.max_trace_bytes)}
                body["status"] = "PARTIAL"
                body["message"] = ("Trace exceeds maximum size of %d bytes, a partial trace is "
                                   "returned" % st.max_trace_bytes)
            else:
                raise HTTPError(500, "trace exceeds max size")
        return 200, body
    if st.max_trace_bytes and len(tj.dumps(rs)) > st.max_trace_bytes:
        if st.version >= (2, 7):
            raise HTTPError(422, "trace exceeds max size")
        raise HTTPError(500, "trace exceeds max size")
    return 200, {"batches": rs}


# -- TraceQL metrics ----------------------------------------------------------

def _parse_metrics_time(value, default_ns):
    if value == "":
        return default_ns
    if "." in value:
        try:
            f = float(value)
            return int(round(f * 1000)) * 10**6
        except ValueError:
            pass
    if re.match(r"^[+-]?[0-9]+$", value):
        n = int(value)
        return n * 10**9 if len(value) <= 10 else n
    try:
        from datetime import datetime
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 10**9)
    except ValueError:
        raise bad("could not parse time %s" % go_quote(value))


def _prom_duration_ns(s):
    ns = traceql.parse_duration_ns(s)
    if ns is None:
        raise ValueError("not a valid duration string: %s" % go_quote(s))
    return ns


def _step_ns(value, start, end):
    if value == "":
        delta = end - start
        baseline = delta // 240
        interval = baseline // (5 * 10**9) * (5 * 10**9)
        if interval < 5 * 10**9:
            interval = baseline // 10**9 * 10**9
        return max(interval, 10**9)
    try:
        f = float(value)
        return int(f * 10**9)
    except ValueError:
        pass
    try:
        return _prom_duration_ns(value)
    except ValueError:
        try:
            return go_parse_duration_ns(value)
        except ValueError:
            raise bad("cannot parse %s to a valid duration" % go_quote(value))


def _metrics_query(st, vals, prefix):
    text, ok = qparam(vals, "query")
    if st.version >= (2, 5):
        t2, ok2 = qparam(vals, "q")
        if ok2:
            text, ok = t2, ok2
    if not ok:
        raise bad("%sparse error : syntax error: unexpected $end" % prefix)
    try:
        q = traceql.parse(text, st.version)
    except traceql.NotImplementedByServer as e:
        raise HTTPError(501, "tempo test server: %s" % e)
    except traceql.TraceQLError as e:
        raise bad(prefix + str(e))
    if q.metrics is None:
        raise bad("not a metrics query")
    if q.metrics.fn not in ("rate", "count_over_time"):
        raise HTTPError(501, "tempo test server: only rate() and count_over_time() are "
                             "implemented, not %s()" % q.metrics.fn)
    return q


def _bounds(vals):
    now = time.time_ns()
    start_s, _ = qparam(vals, "start")
    end_s, _ = qparam(vals, "end")
    since_s, _ = qparam(vals, "since")
    end = _parse_metrics_time(end_s, now)
    if start_s == "":
        since = 3600 * 10**9
        if since_s:
            try:
                since = _prom_duration_ns(since_s)
            except ValueError as e:
                raise bad("could not parse 'since' parameter: %s" % e)
        start = end - since
    else:
        start = _parse_metrics_time(start_s, 0)
    return start, end


def _series_key(q, m, trace, ctx):
    labels = []
    for a in q.metrics.by:
        ev = None
        if a.uses_events:
            evs = m.events if m.events else m.span.events
            ev = evs[-1] if evs else None
        v = traceql.attr_value(a, m.span, ev, trace)
        labels.append((a.text(), v))
    return tuple(labels)


def _series_labels(q, key):
    if not q.metrics.by:
        return [("__name__", q.metrics.fn)]
    labels = [(k, _static_py(v)) for k, v in key if v.type != "nil"]
    if not labels:
        labels = [(q.metrics.by[0].text(), "nil")]
    return labels


def _prom_labels(labels):
    return "{" + ", ".join('%s="%s"' % (k, str(v).replace("\\", "\\\\").replace('"', '\\"'))
                           for k, v in labels) + "}"


def _matching_spans(st, q, tenant, start, end):
    ctx = traceql.EvalContext(st.version)
    for t in st.traces_for(tenant):
        if t.end_ns < start or t.start_ns > end:
            continue
        for ss in traceql.run_pipeline(q.pipeline, t, ctx):
            for m in ss.matches:
                yield t, m, ctx


def _metrics_metrics(st):
    """SearchMetrics of a metrics answer, in proto field order."""
    return {"inspectedBytes": str(st.total_bytes or 1), "totalBlocks": 1, "completedJobs": 1,
            "totalJobs": 1}


def handle_metrics_range(st, vals, tenant):
    q = _metrics_query(st, vals, "")
    start, end = _bounds(vals)
    step = _step_ns(qparam(vals, "step")[0], start, end)
    if step <= 0:
        raise bad("step must be positive")
    if end <= start:
        raise bad("end must be greater than start")
    max_dur = (24 if st.version >= (3, 0) else 3) * 3600 * 10**9
    if end - start > max_dur:
        raise bad("metrics query time range exceeds the maximum allowed duration of %s"
                  % go_duration_text(max_dur))
    if (end - start) // step > 10000:
        raise bad("step of %s is too small, minimum step for given range is %s"
                  % (go_duration_text(step), go_duration_text((end - start) // 10000)))
    right_closed = st.version >= (2, 9)
    a_start = start - start % step
    a_end = end if end % step == 0 else end + (step - end % step)
    if right_closed and a_start > step:
        a_start -= step
    n = (a_end - a_start) // step
    series = {}
    for t, m, ctx in _matching_spans(st, q, tenant, a_start, a_end):
        ts = m.span.start_ns
        if right_closed:
            if ts <= a_start or ts > a_end:
                continue
            off = ts - a_start
            i = off // step - (1 if off % step == 0 else 0)
        else:
            if ts < a_start or ts >= a_end:
                continue
            i = (ts - a_start) // step
        if not 0 <= i < n:
            continue
        key = _series_key(q, m, t, ctx)
        series.setdefault(key, [0] * n)[i] += 1
    c = st.corpus_for(tenant)
    data_lo = c.start_ns if c.traces else 0
    data_hi = c.end_ns if c.traces else 0
    out = []
    for key in sorted(series, key=lambda k: [(a, str(v.value)) for a, v in k]):
        counts = series[key]
        samples = []
        for i, cnt in enumerate(counts):
            lo = a_start + i * step
            hi = lo + step
            if cnt == 0 and (hi < data_lo or lo > data_hi):
                continue        # no block covers this bucket: NaN, left out
            ts_ns = hi if right_closed else lo
            val = cnt / (step / 1e9) if q.metrics.fn == "rate" else float(cnt)
            smp = {"timestampMs": str(ts_ns // 10**6)}
            if val:
                smp["value"] = tj.go_double(val)
            samples.append(smp)
        if not samples:
            continue
        labels = _series_labels(q, key)
        s = {"labels": _kv_list(labels), "samples": samples}
        if (2, 4) <= st.version < (2, 9):
            s["promLabels"] = _prom_labels(labels)
        out.append(s)
    resp = {}
    tj._put(resp, "series", out)
    resp["metrics"] = _metrics_metrics(st)
    return resp


def handle_metrics_instant(st, vals, tenant):
    q = _metrics_query(st, vals, "compiling query: ")
    start, end = _bounds(vals)
    if end <= start:
        raise bad("end must be greater than start")
    counts = {}
    for t, m, ctx in _matching_spans(st, q, tenant, start, end):
        if not start <= m.span.start_ns <= end:
            continue
        key = _series_key(q, m, t, ctx)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for key in sorted(counts, key=lambda k: [(a, str(v.value)) for a, v in k]):
        cnt = counts[key]
        val = cnt / ((end - start) / 1e9) if q.metrics.fn == "rate" else float(cnt)
        labels = _series_labels(q, key)
        s = {"labels": _kv_list(labels)}
        if val:
            s["value"] = tj.go_double(val)
        if (2, 6) <= st.version < (2, 9):
            s["promLabels"] = _prom_labels(labels)
        out.append(s)
    resp = {}
    tj._put(resp, "series", out)
    resp["metrics"] = _metrics_metrics(st)
    return resp


def go_version_for(v):
    if v >= (2, 9):
        return "go1.24.4"
    if v >= (2, 7):
        return "go1.23.4"
    if v >= (2, 5):
        return "go1.22.5"
    if v >= (2, 3):
        return "go1.21.3"
    return "go1.19.5"


# ----------------------------------------------------------------------------
# HTTP plumbing
# ----------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tempo-test-server"
    sys_version = ""

    def log_message(self, fmt, *args):       # quiet; the control log has it all
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self):
        st = self.server.state
        t0 = time.monotonic()
        raw_path, _, raw_query = self.path.partition("?")
        path = raw_path
        if path.startswith("/__control"):
            return self._control(path, raw_query)
        if st.prefix and path.startswith(st.prefix + "/"):
            path = path[len(st.prefix):]
        route, groups = None, {}
        for name, rx in ROUTES:
            m = rx.match(path)
            if m:
                route, groups = name, m.groupdict()
                break
        # The request is logged on arrival (status and size filled in when served):
        # a client that has read the answer must find its request in the log.
        entry = {"method": self.command, "path": raw_path, "query": raw_query, "route": route,
                 "status": 0, "bytes": 0, "tenant": self.headers.get("X-Scope-OrgID"), "ms": 0}
        with st.lock:
            st.requests[route or "unknown"] = st.requests.get(route or "unknown", 0) + 1
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            st.log.append(entry)
        status, nbytes = 0, 0
        try:
            if st.latency_ms:
                time.sleep(st.latency_ms / 1000.0)
            status, nbytes = self._serve(st, route, groups, path, raw_query)
        finally:
            with st.lock:
                st.in_flight -= 1
                entry.update(status=status, bytes=nbytes,
                             ms=round((time.monotonic() - t0) * 1000, 3))

    def _serve(self, st, route, groups, path, raw_query):
        vals = go_query(raw_query)
        tenant = self.headers.get("X-Scope-OrgID")
        fault = self._pick_fault(st, route, path, groups)
        if fault is not None and fault["kind"] == "reset":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return 0, 0
        if fault is not None and fault["kind"] == "delay":
            time.sleep(fault.get("ms", 1000) / 1000.0)
            fault = None
        if fault is not None and fault["kind"] == "status":
            code = int(fault.get("status", 500))
            default = DEFAULT_BODIES.get(code, "error")
            if route == "ready" and code == 503:
                default = ("Query Frontend not ready: not ready: number of queriers connected to "
                           "query-frontend is 0")
            body = fault.get("body", default)
            ctype = "text/html" if body.lstrip().startswith("<") else "text/plain; charset=utf-8"
            return self._send(code, body, ctype)
        if fault is not None and fault["kind"] == "nonjson":
            return self._send(int(fault.get("status", 200)), fault.get("body", NONJSON_BODY),
                              "text/html; charset=utf-8")
        key = self._cache_key(st, route, path, raw_query, vals, tenant)
        entry = st.answers.get(key) if key is not None else None
        if entry is not None:
            st.cache_hits += 1
            status, body, ctype = entry.status, entry.body, entry.ctype
        else:
            st.cache_misses += 1
            try:
                if route is None or self.command not in ("GET", "HEAD"):
                    raise HTTPError(404, "404 page not found\n")
                if (st.multitenant and route not in NO_TENANT_ROUTES and not tenant):
                    raise HTTPError(401, "no org id\n")
                status, body, ctype = self._route(st, route, groups, vals, tenant)
            except HTTPError as e:
                status, body, ctype = e.status, e.body, e.ctype
            except Exception:                       # a bug here: say so, keep serving
                import traceback
                traceback.print_exc()
                status, body, ctype = 500, "tempo test server bug: %s" % (
                    traceback.format_exc().strip().splitlines()[-1]), "text/plain; charset=utf-8"
                key = None
            if key is not None:
                entry = st.cache_put(key, status, body, ctype)
        if fault is not None:
            return self._send_faulty(fault, status, body, ctype)
        return self._send(status, body, ctype, entry=entry)

    def _cache_key(self, st, route, path, raw_query, vals, tenant):
        """The key of a cacheable answer, or None.  With the corpus fixed at
        start (--time-shift is applied once, at load), an answer is a pure
        function of the request and of the state that only the control
        endpoint changes (st.gen is bumped then): method class, path, raw
        query, the Accept header (trace routes answer protobuf on it) and the
        tenant.  Metrics without `end` default it to now: not cached.  Faults,
        latency and gzip are applied to the answer afterwards, per request."""
        if not st.cache_enabled:
            return None
        if route in ("metrics_range", "metrics_instant") and not qparam(vals, "end")[1]:
            return None
        return (st.gen, self.command in ("GET", "HEAD"), path, raw_query,
                self.headers.get("Accept"), tenant)

    def _route(self, st, route, groups, vals, tenant):
        v = st.version
        json_ct = "application/json"
        if route == "echo":
            return 200, "echo\n", "text/plain; charset=utf-8"
        if route == "ready":
            return 200, "ready\n", "text/plain; charset=utf-8"
        if route == "buildinfo":
            if v < (2, 3):
                raise HTTPError(404, "404 page not found\n")
            info = {"version": st.version_text, "revision": "ad33aa8f", "branch": "HEAD",
                    "buildUser": "", "buildDate": "", "goVersion": go_version_for(v)}
            return 200, json.dumps(info, separators=(",", ":")) + "\n", json_ct
        if route == "search":
            return 200, tj.dumps(handle_search(st, vals, tenant)), json_ct
        if route == "search_tags":
            return 200, tj.dumps(handle_search_tags(st, vals, tenant, v2=False)), json_ct
        if route == "search_tags_v2":
            if v < (2, 2):
                raise HTTPError(404, "404 page not found\n")
            return 200, tj.dumps(handle_search_tags(st, vals, tenant, v2=True)), json_ct
        if route == "tag_values":
            return 200, tj.dumps(handle_tag_values(st, vals, tenant, groups["tag"], False)), json_ct
        if route == "tag_values_v2":
            if v < (2, 0):
                raise HTTPError(404, "404 page not found\n")
            return 200, tj.dumps(handle_tag_values(st, vals, tenant, groups["tag"], True)), json_ct
        if route in ("trace_v1", "trace_v2"):
            v2 = route == "trace_v2"
            if v2 and v < (2, 6):
                raise HTTPError(404, "404 page not found\n")
            if "application/protobuf" in (self.headers.get("Accept") or ""):
                status, body = handle_trace_proto(st, vals, tenant, groups["id"], v2)
                if isinstance(body, str):
                    return status, body, "text/plain; charset=utf-8"
                return status, body, "application/protobuf"
            status, body = handle_trace(st, vals, tenant, groups["id"], v2)
            if isinstance(body, RawJSON):
                return status, str(body), json_ct
            if isinstance(body, str):
                return status, body, "text/plain; charset=utf-8"
            return status, tj.dumps(body), json_ct
        if route == "metrics_range":
            if v < (2, 4):
                raise HTTPError(404, "404 page not found\n")
            return 200, tj.dumps(handle_metrics_range(st, vals, tenant)), json_ct
        if route == "metrics_instant":
            if v < (2, 6):
                raise HTTPError(404, "404 page not found\n")
            return 200, tj.dumps(handle_metrics_instant(st, vals, tenant)), json_ct
        raise HTTPError(404, "404 page not found\n")

    # -- faults
    def _pick_fault(self, st, route, path, groups):
        if not st.faults or route is None:
            return None
        with st.lock:
            for rule in list(st.faults):
                if not _route_matches(rule.get("route", "*"), route):
                    continue
                if rule.get("path_prefix") and not path.startswith(rule["path_prefix"]):
                    continue
                if rule.get("trace_ids"):
                    if route not in ("trace_v1", "trace_v2"):
                        continue
                    try:
                        tid = corpus_mod.normalize_trace_id(groups.get("id", ""))
                    except Exception:
                        continue
                    if tid not in rule["trace_ids"]:
                        continue
                rule["_seen"] += 1
                n = rule["_seen"]
                if n <= rule.get("after", 0):
                    continue
                n -= rule.get("after", 0)
                if rule.get("every") and n % int(rule["every"]) != 0:
                    continue
                if "rate" in rule and st.rng.random() >= float(rule["rate"]):
                    continue
                rule["_applied"] += 1
                if rule.get("count") and rule["_applied"] >= int(rule["count"]):
                    st.faults.remove(rule)
                return rule
        return None

    def _send_faulty(self, rule, status, body, ctype):
        data = body.encode("utf-8") if isinstance(body, str) else body
        kind = rule["kind"]
        if kind == "truncate":
            n = int(rule["bytes"]) if "bytes" in rule else int(len(data) * float(rule.get("fraction", 0.5)))
            return self._send(status, data[:n], ctype, allow_gzip=False)
        if kind == "oversize":
            size = int(rule.get("bytes", 32 * 1024 * 1024))
            return self._send(status, _inflate(body, size), ctype, allow_gzip=False)
        if kind == "disconnect":
            n = int(rule["bytes"]) if "bytes" in rule else len(data) // 2
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data[:n])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close_connection = True
            return status, n
        if kind == "drip":
            chunk = int(rule.get("chunk", 64))
            interval = float(rule.get("interval_ms", 50)) / 1000.0
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            sent = 0
            try:
                for i in range(0, len(data), chunk):
                    self.wfile.write(data[i:i + chunk])
                    self.wfile.flush()
                    sent += len(data[i:i + chunk])
                    if i + chunk < len(data):
                        time.sleep(interval)
            except OSError:
                self.close_connection = True
            return status, sent
        return self._send(status, data, ctype)

    def _send(self, status, body, ctype, allow_gzip=True, entry=None):
        data = entry.data if entry is not None else (
            body.encode("utf-8") if isinstance(body, str) else body)
        gz = (allow_gzip and len(data) >= GZIP_MIN_SIZE and
              "gzip" in (self.headers.get("Accept-Encoding") or ""))
        if gz:
            data = entry.gzipped() if entry is not None else gzip.compress(data, 6)
        try:
            self.send_response(status)
            if status != 204:
                self.send_header("Content-Type", ctype)
            if ctype.startswith("text/plain"):
                self.send_header("X-Content-Type-Options", "nosniff")
            if gz:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(data)))
            if not hasattr(self, "_headers_buffer"):    # HTTP/0.9: no headers
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            else:   # headers and body in one write (one segment for small answers)
                self._headers_buffer.append(b"\r\n")
                if self.command != "HEAD":
                    self._headers_buffer.append(data)
                self.flush_headers()
        except OSError:
            self.close_connection = True
        return status, len(data)

    # -- control endpoint
    def _control(self, path, raw_query):
        st = self.server.state
        if path == "/__control/requests":
            # Answers already read by a client may still be finishing their bookkeeping
            # (status, size): give them a moment, but never wait on a request that hangs.
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                with st.lock:
                    if st.in_flight == 0:
                        break
                time.sleep(0.005)
            with st.lock:
                log = [dict(e) for e in st.log]
                if "clear=1" in raw_query:
                    st.log.clear()
            return self._send(200, json.dumps(log), "application/json")
        if path != "/__control":
            return self._send(404, "404 page not found\n", "text/plain; charset=utf-8")
        if self.command == "POST":
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b"{}"
            try:
                req = json.loads(raw or b"{}")
                with st.lock:
                    if "faults" in req:
                        st.faults = [parse_fault(f) for f in req["faults"]]
                    if "add_fault" in req:
                        st.faults.append(parse_fault(req["add_fault"]))
                    if req.get("clear_faults"):
                        st.faults = []
                    if "latency_ms" in req:
                        st.latency_ms = float(req["latency_ms"])
                    if "version" in req:
                        st.set_version(str(req["version"]))
                        st.invalidate()
                    if "multitenant" in req:
                        st.multitenant = bool(req["multitenant"])
                        st.invalidate()
                    if "max_trace_bytes" in req:
                        st.max_trace_bytes = int(req["max_trace_bytes"])
                        st.invalidate()
                    if req.get("clear_cache"):
                        st.invalidate()
                    if req.get("reset_stats"):
                        st.reset_stats()
            except (ValueError, TypeError, KeyError) as e:
                return self._send(400, "bad control request: %s\n" % e, "text/plain; charset=utf-8")
        with st.lock:
            state = {
                "version": st.version_text, "latency_ms": st.latency_ms,
                "multitenant": st.multitenant, "tenants": st.tenants,
                "faults": [public_rule(r) for r in st.faults],
                "requests": dict(st.requests), "in_flight": st.in_flight - 0,
                "max_in_flight": st.max_in_flight,
                "cache": {"enabled": st.cache_enabled, "answers": len(st.answers),
                          "bytes": st.answers_bytes, "hits": st.cache_hits,
                          "misses": st.cache_misses},
                "corpus": {"traces": len(st.corpus.traces), "spans": st.total_spans,
                           "start_ns": st.corpus.start_ns if st.corpus.traces else 0,
                           "end_ns": st.corpus.end_ns if st.corpus.traces else 0,
                           "time_shift_ns": st.time_shift_ns},
            }
        return self._send(200, json.dumps(state), "application/json")


def _inflate(body, size):
    """A valid JSON body of about `size` bytes: a long attribute is added to
    the first attributes list (or a padding key to the top-level object)."""
    try:
        obj = json.loads(body)
    except (ValueError, TypeError):
        return (body if isinstance(body, str) else body.decode()) + " " * size
    pad = "x" * max(0, size - len(body))

    def visit(o):
        if isinstance(o, dict):
            if isinstance(o.get("attributes"), list):
                o["attributes"].append({"key": "padding", "value": {"stringValue": pad}})
                return True
            return any(visit(v) for v in o.values())
        if isinstance(o, list):
            return any(visit(v) for v in o)
        return False

    if not visit(obj) and isinstance(obj, dict):
        if isinstance(obj.get("tagNames"), list):
            obj["tagNames"].append(pad)
        elif isinstance(obj.get("tagValues"), list):
            obj["tagValues"].append(pad if not obj["tagValues"] or isinstance(obj["tagValues"][0], str)
                                    else {"type": "string", "value": pad})
        else:
            return tj.dumps(obj)[:-1] + " " * len(pad) + "}"
    return tj.dumps(obj)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def get_request(self):
        conn, addr = super().get_request()
        try:    # as Go's net/http: no Nagle delay between an answer's segments
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        return conn, addr


def build_arg_parser():
    ap = argparse.ArgumentParser(description="Tempo-compatible test server over a trace corpus.",
                                 epilog="See the module docstring for fault rules.")
    ap.add_argument("--corpus", action="append",
                    help="corpus directory or file (repeatable; default tests/tempo/corpus)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    ap.add_argument("--version", default=DEFAULT_VERSION,
                    help="Tempo version to behave like, 1.5 .. 3.0 (default %s)" % DEFAULT_VERSION)
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay before every API answer")
    ap.add_argument("--multitenant", action="store_true",
                    help="require X-Scope-OrgID on query routes (401 'no org id')")
    ap.add_argument("--tenant", action="append",
                    help="with --multitenant: tenants that own the corpus (others see none)")
    ap.add_argument("--time-shift", nargs="?", const="now", default=None,
                    help="move the corpus in time: 'now' (default when given) makes it end at "
                         "the current time; an integer moves it by that many seconds")
    ap.add_argument("--fault", action="append", help="fault rule (JSON or ROUTE=STATUS[/N|@P])")
    ap.add_argument("--seed", type=int, default=1, help="seed of the fault 'rate' choices")
    ap.add_argument("--max-trace-bytes", type=int, default=0,
                    help="traces larger than this: v1 422 (2.7+), v2 partial")
    ap.add_argument("--limit-order", choices=["newest", "oldest"], default="newest",
                    help="which traces a search keeps when more than `limit` match and the query "
                         "has no with(most_recent=true): newest (default) or oldest")
    ap.add_argument("--prefix", default="", help="http_api_prefix, e.g. /tempo")
    ap.add_argument("--parent-pid", type=int, default=0, help="exit when this process exits")
    ap.add_argument("--no-cache", action="store_true",
                    help="compute every answer anew (default: answers are cached per method, "
                         "path, query, Accept and tenant; the corpus is fixed at start)")
    ap.add_argument("--cache-mb", type=int, default=512,
                    help="stop caching answers beyond this many MB (default 512)")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    return ap


def make_server(args):
    shift = 0
    corp = corpus_mod.load(args.corpus)
    if args.time_shift:
        if args.time_shift == "now":
            if corp.traces:
                shift = (time.time_ns() // 10**9 - (corp.end_ns + 10**9 - 1) // 10**9) * 10**9
        else:
            shift = int(args.time_shift) * 10**9
        corp.shift(shift)
    st = State(corp, args.version, args)
    st.time_shift_ns = shift
    srv = Server((args.host, args.port), Handler)
    srv.state = st
    srv.verbose = args.verbose
    return srv


def main(argv=None):
    args = build_arg_parser().parse_args(argv)
    try:
        srv = make_server(args)
    except (corpus_mod.CorpusError, OSError, ValueError) as e:
        print("tempo_server: %s" % e, file=sys.stderr)
        return 2
    host, port = srv.server_address[:2]
    print("listening on %s:%d" % (host, port), flush=True)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.parent_pid:
        def watch():
            while True:
                time.sleep(0.5)
                try:
                    os.kill(args.parent_pid, 0)
                except OSError:
                    stop()
                    return
        threading.Thread(target=watch, daemon=True).start()
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    return 0


# ----------------------------------------------------------------------------
# Helper for Python tests: start a server process and talk to it
# ----------------------------------------------------------------------------

class ServerProcess:
    """Start tempo_server.py in a subprocess on a free port.

        with ServerProcess(version="2.5", args=["--latency-ms", "1"]) as srv:
            status, headers, body = srv.get("/api/search", q="{ status = error }")
            srv.control(faults=[{"route": "trace", "status": 500, "every": 2}])
    """

    def __init__(self, corpus=None, version=None, args=None, timeout=30):
        cmd = [sys.executable, os.path.join(HERE, "tempo_server.py"), "--port", "0",
               "--parent-pid", str(os.getpid())]
        for c in ([corpus] if isinstance(corpus, str) else (corpus or [])):
            cmd += ["--corpus", c]
        if version:
            cmd += ["--version", str(version)]
        cmd += list(args or [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self._read_line(timeout)
        m = re.match(r"^listening on ([\d.]+):(\d+)$", line.strip())
        if not m:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError("tempo_server did not start: %r %s" % (line, err))
        self.host, self.port = m.group(1), int(m.group(2))
        self.url = "http://%s:%d" % (self.host, self.port)

    def _read_line(self, timeout):
        result = []
        t = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        return result[0] if result else ""

    def get(self, path, headers=None, timeout=30, raw_query=None, **params):
        url = self.url + path
        if raw_query is not None:
            url += "?" + raw_query
        elif params:
            url += "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        return http_get(url, headers, timeout)

    def control(self, **req):
        data = json.dumps(req).encode()
        r = urllib.request.Request(self.url + "/__control", data=data, method="POST",
                                   headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(r, timeout=30) as resp:
            return json.loads(resp.read())

    def state(self):
        return json.loads(http_get(self.url + "/__control")[2])

    def requests(self, clear=False):
        return json.loads(http_get(self.url + "/__control/requests" + ("?clear=1" if clear else ""))[2])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def http_get(url, headers=None, timeout=30):
    """(status, headers dict, body text) without raising on HTTP errors."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace")
        return e.code, dict(e.headers), body


if __name__ == "__main__":
    sys.exit(main())
