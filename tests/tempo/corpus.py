#!/usr/bin/env python3
"""Trace corpus loader and expected-row helpers for the Tempo test suite.

This module reads the OTLP trace corpus of tests/tempo/corpus/ (or any other
directory of the same kind) into plain Python records, without using any of
the plugin's code, so that tests can compute the rows a query *should* return
and compare them with what the plugin returned.  The Tempo-compatible test
server (tempo_server.py) loads its data through the same loader.

Accepted input files (*.json, *.jsonl, *.ndjson, recursively):
  - JSON lines, one OTLP ``{"resourceSpans": [...]}`` object per line, as the
    OpenTelemetry Collector's file exporter writes them (hex IDs);
  - whole Tempo trace bodies: v1 ``{"batches": [...]}`` and v2
    ``{"trace": {"resourceSpans": [...]}}`` (base64 IDs);
  - both ``scopeSpans``/``scope`` and the pre-OTLP-0.18
    ``instrumentationLibrarySpans``/``instrumentationLibrary`` shapes.
Spans of one trace spread over several lines or files are merged, as Tempo
merges them.

Library API (everything takes and returns plain values):
  load(paths, time_shift_ns=0)         -> Corpus
  Corpus.traces / .trace(id) / .spans() / .in_range(start_s, end_s)
  service(span), route(span), environment(span), http_method(span)
  exception_events(span), chosen_exception(span)
  error_traces(corpus, start_s, end_s, limit)     -> [Trace], newest first
  error_occurrences(corpus, start_s, end_s, ...)  -> [Occurrence]
  recent_errors(corpus, start_s, end_s, limit=50, ...)
  error_summary(corpus, start_s, end_s, ...)       -> [SummaryRow]
  trace_exceptions(corpus, trace_id)               -> [Occurrence]

CLI (for debugging):
  corpus.py summary   [--corpus DIR] [--start S --end S] [--per span|event]
  corpus.py recent    [--corpus DIR] [--start S --end S] [--limit N]
  corpus.py trace     [--corpus DIR] TRACE_ID
  corpus.py stats     [--corpus DIR]
"""

import argparse
import base64
import binascii
import functools
import json
import math
import os
import signal
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "corpus")

# OTLP enums (proto numbers) and their JSON names.
KIND_NAMES = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
              "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
STATUS_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2
KIND_UNSPECIFIED, KIND_INTERNAL, KIND_SERVER, KIND_CLIENT, KIND_PRODUCER, KIND_CONSUMER = range(6)

NO_EXCEPTION = "(no exception)"


class ArrayValue(list):
    """An OTLP arrayValue: a list of attribute values."""


class KvList(list):
    """An OTLP kvlistValue: a list of (key, value) pairs."""


@dataclass
class Resource:
    attributes: list            # [(key, value)] in file order
    dropped_attributes_count: int = 0

    def get(self, key, default=None):
        for k, v in self.attributes:
            if k == key:
                return v
        return default


@dataclass
class Scope:
    name: str = ""
    version: str = ""
    attributes: list = field(default_factory=list)
    dropped_attributes_count: int = 0


@dataclass
class Event:
    time_ns: int
    name: str
    attributes: list            # [(key, value)]
    dropped_attributes_count: int = 0

    def get(self, key, default=None):
        for k, v in self.attributes:
            if k == key:
                return v
        return default


@dataclass
class Link:
    trace_id: str
    span_id: str
    trace_state: str = ""
    attributes: list = field(default_factory=list)
    dropped_attributes_count: int = 0
    flags: int = 0


@dataclass
class Span:
    trace_id: str               # 32 lower-case hex digits
    span_id: str                # 16 lower-case hex digits
    parent_span_id: str         # "" for a root span
    name: str
    kind: int
    start_ns: int
    end_ns: int
    attributes: list            # [(key, value)]
    events: list                # [Event]
    status_code: int = STATUS_UNSET
    status_message: str = ""
    trace_state: str = ""
    flags: int = 0
    links: list = field(default_factory=list)
    dropped_attributes_count: int = 0
    dropped_events_count: int = 0
    dropped_links_count: int = 0
    resource: Resource = None
    scope: Scope = None

    def get(self, key, default=None):
        for k, v in self.attributes:
            if k == key:
                return v
        return default

    @property
    def duration_ns(self):
        return max(0, self.end_ns - self.start_ns)

    @property
    def is_error(self):
        return self.status_code == STATUS_ERROR


@dataclass
class Trace:
    trace_id: str
    groups: list                # [(Resource, Scope, [Span])] in first-seen order
    source: str = ""            # first file the trace was read from
    span_keys: set = field(default_factory=set, repr=False, compare=False)

    # Derived values are cached; Corpus clears them when spans or times change.
    @functools.cached_property
    def spans(self):
        return [s for _, _, spans in self.groups for s in spans]

    @functools.cached_property
    def start_ns(self):
        return min(s.start_ns for s in self.spans)

    @functools.cached_property
    def end_ns(self):
        return max(s.end_ns for s in self.spans)

    @functools.cached_property
    def root(self):
        """The first span without a parent, or None (root not received)."""
        for s in self.spans:
            if not s.parent_span_id:
                return s
        return None

    @functools.cached_property
    def spans_by_start(self):
        """Spans ordered by start time, then span ID."""
        return sorted(self.spans, key=lambda s: (s.start_ns, s.span_id))

    @classmethod
    def from_spans(cls, trace_id, spans):
        """A trace holding `spans`, grouped by their (identical) resource and
        scope objects in first-seen order."""
        t = cls(trace_id, [])
        for sp in spans:
            for res, sc, lst in t.groups:
                if res is sp.resource and sc is sp.scope:
                    lst.append(sp)
                    break
            else:
                t.groups.append((sp.resource, sp.scope, [sp]))
        return t

    def by_resource(self):
        """[(Resource, [(Scope, [Span])])]: scopes grouped under equal resources,
        the nesting of OTLP ResourceSpans/ScopeSpans."""
        out = []
        for res, scope, spans in self.groups:
            for r, lst in out:
                if r == res:
                    lst.append((scope, spans))
                    break
            else:
                out.append((res, [(scope, spans)]))
        return out

    def invalidate(self):
        for name in ("spans", "start_ns", "end_ns", "root", "spans_by_start"):
            self.__dict__.pop(name, None)


class CorpusError(Exception):
    pass


# ----------------------------------------------------------------------------
# Decoding
# ----------------------------------------------------------------------------

def decode_id(value, nbytes):
    """An OTLP ID as lower-case hex: accepts hex (OTLP/JSON) or base64
    (gogo jsonpb, as Tempo writes it).  Empty -> ""."""
    if value is None or value == "":
        return ""
    if len(value) == 2 * nbytes:        # base64 of 8 or 16 bytes is 12 or 24 long
        try:
            bytes.fromhex(value)
            return value.lower()
        except ValueError:
            pass
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CorpusError("bad ID %r" % value)
    if len(raw) == 0:
        return ""
    if len(raw) != nbytes:
        raise CorpusError("bad ID %r (%d bytes, want %d)" % (value, len(raw), nbytes))
    if raw == b"\0" * nbytes:
        return ""
    return raw.hex()


def _int(v, default=0):
    if v is None:
        return default
    return int(v)


def decode_value(av):
    """OTLP AnyValue (JSON) -> Python value (str, bool, int, float, bytes,
    ArrayValue, KvList or None)."""
    if not isinstance(av, dict) or not av:
        return None
    if "stringValue" in av:
        return av["stringValue"]
    if "boolValue" in av:
        return bool(av["boolValue"])
    if "intValue" in av:
        return int(av["intValue"])
    if "doubleValue" in av:
        d = av["doubleValue"]
        if isinstance(d, str):
            return float({"Infinity": "inf", "-Infinity": "-inf"}.get(d, d))
        return float(d)
    if "bytesValue" in av:
        return base64.b64decode(av["bytesValue"])
    if "arrayValue" in av:
        return ArrayValue(decode_value(x) for x in (av["arrayValue"] or {}).get("values", []))
    if "kvlistValue" in av:
        return KvList((kv.get("key", ""), decode_value(kv.get("value")))
                      for kv in (av["kvlistValue"] or {}).get("values", []))
    return None


def decode_attrs(lst):
    return [(kv.get("key", ""), decode_value(kv.get("value"))) for kv in (lst or [])]


def _enum(v, names):
    if v is None:
        return 0
    if isinstance(v, str):
        if v in names:
            return names.index(v)
        return int(v)
    return int(v)


def decode_span(js, resource, scope):
    st = js.get("status") or {}
    return Span(
        trace_id=decode_id(js.get("traceId"), 16),
        span_id=decode_id(js.get("spanId"), 8),
        parent_span_id=decode_id(js.get("parentSpanId"), 8),
        name=js.get("name", ""),
        kind=_enum(js.get("kind"), KIND_NAMES),
        start_ns=_int(js.get("startTimeUnixNano")),
        end_ns=_int(js.get("endTimeUnixNano")),
        attributes=decode_attrs(js.get("attributes")),
        events=[Event(time_ns=_int(e.get("timeUnixNano")), name=e.get("name", ""),
                      attributes=decode_attrs(e.get("attributes")),
                      dropped_attributes_count=_int(e.get("droppedAttributesCount")))
                for e in js.get("events") or []],
        status_code=_enum(st.get("code"), STATUS_NAMES),
        status_message=st.get("message", ""),
        trace_state=js.get("traceState", ""),
        flags=_int(js.get("flags")),
        links=[Link(trace_id=decode_id(l.get("traceId"), 16), span_id=decode_id(l.get("spanId"), 8),
                    trace_state=l.get("traceState", ""), attributes=decode_attrs(l.get("attributes")),
                    dropped_attributes_count=_int(l.get("droppedAttributesCount")),
                    flags=_int(l.get("flags")))
               for l in js.get("links") or []],
        dropped_attributes_count=_int(js.get("droppedAttributesCount")),
        dropped_events_count=_int(js.get("droppedEventsCount")),
        dropped_links_count=_int(js.get("droppedLinksCount")),
        resource=resource,
        scope=scope,
    )


def iter_resource_spans(obj):
    """The ResourceSpans list of any accepted top-level object."""
    if not isinstance(obj, dict):
        raise CorpusError("top-level value is not an object")
    if "resourceSpans" in obj:
        return obj["resourceSpans"] or []
    if "batches" in obj:
        return obj["batches"] or []
    if "trace" in obj:
        return (obj["trace"] or {}).get("resourceSpans") or []
    raise CorpusError("no resourceSpans, batches or trace key")


def decode_document(obj):
    """Yield (Resource, Scope, Span) for every span of one JSON document."""
    for rs in iter_resource_spans(obj):
        r = rs.get("resource") or {}
        resource = Resource(decode_attrs(r.get("attributes")), _int(r.get("droppedAttributesCount")))
        scoped = rs.get("scopeSpans")
        if scoped is None:
            scoped = rs.get("instrumentationLibrarySpans") or []
        for ss in scoped:
            sc = ss.get("scope")
            if sc is None:
                sc = ss.get("instrumentationLibrary") or {}
            scope = Scope(sc.get("name", ""), sc.get("version", ""), decode_attrs(sc.get("attributes")),
                          _int(sc.get("droppedAttributesCount")))
            for sp in ss.get("spans") or []:
                yield resource, scope, decode_span(sp, resource, scope)


# ----------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------

class Corpus:
    """All traces of a corpus, merged by trace ID, in first-seen order."""

    def __init__(self):
        self.traces = {}        # trace_id -> Trace, insertion ordered
        self.files = []

    def trace(self, trace_id):
        return self.traces.get(normalize_trace_id(trace_id))

    def spans(self):
        for t in self.traces.values():
            yield from t.spans

    def in_range(self, start_s=None, end_s=None):
        """Traces whose [start, end] overlaps [start_s, end_s] (unix seconds,
        both inclusive), the way Tempo's search selects traces."""
        out = []
        lo = None if start_s is None else int(start_s) * 10**9
        hi = None if end_s is None else int(end_s) * 10**9
        for t in self.traces.values():
            if lo is not None and t.end_ns < lo:
                continue
            if hi is not None and t.start_ns > hi:
                continue
            out.append(t)
        return out

    @property
    def start_ns(self):
        return min(t.start_ns for t in self.traces.values())

    @property
    def end_ns(self):
        return max(t.end_ns for t in self.traces.values())

    def add_document(self, obj, source=""):
        for resource, scope, span in decode_document(obj):
            if not span.trace_id:
                raise CorpusError("%s: span %r without trace ID" % (source, span.name))
            t = self.traces.get(span.trace_id)
            if t is None:
                t = self.traces[span.trace_id] = Trace(span.trace_id, [], source)
            # Tempo keeps one copy of a span received twice (same ID and kind)
            if (span.span_id, span.kind) in t.span_keys:
                continue
            t.span_keys.add((span.span_id, span.kind))
            for gres, gscope, gspans in t.groups:
                if gres == resource and gscope == scope:
                    span.resource, span.scope = gres, gscope
                    gspans.append(span)
                    break
            else:
                t.groups.append((resource, scope, [span]))
            t.invalidate()

    def shift(self, delta_ns):
        """Move every timestamp by delta_ns (used by --time-shift)."""
        if not delta_ns:
            return
        for s in self.spans():
            s.start_ns += delta_ns
            s.end_ns += delta_ns
            for e in s.events:
                e.time_ns += delta_ns
        for t in self.traces.values():
            t.invalidate()


def corpus_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith((".json", ".jsonl", ".ndjson")):
                        out.append(os.path.join(root, f))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise CorpusError("no such corpus path: %s" % p)
    return out


def load(paths=None, time_shift_ns=0):
    """Load corpus files (directories are searched recursively)."""
    if paths is None:
        paths = [DEFAULT_CORPUS]
    if isinstance(paths, str):
        paths = [paths]
    c = Corpus()
    for path in corpus_files(paths):
        c.files.append(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        stripped = text.strip()
        if not stripped:
            continue
        docs = None
        if path.endswith(".json"):
            try:
                docs = [json.loads(stripped)]
            except json.JSONDecodeError:
                docs = None
        if docs is None:
            docs = []
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        docs.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise CorpusError("%s:%d: %s" % (path, n, e))
        for d in docs:
            c.add_document(d, os.path.relpath(path, HERE))
    c.shift(time_shift_ns)
    return c


def normalize_trace_id(tid):
    """Hex trace ID of any length (Tempo strips leading zeros) -> 32 digits."""
    tid = tid.strip().lower()
    return tid.rjust(32, "0")


# ----------------------------------------------------------------------------
# Semantic-convention helpers (old and new OTel HTTP/deployment conventions)
# ----------------------------------------------------------------------------

def _str_attr(span, key):
    v = span.get(key)
    return v if isinstance(v, str) and v != "" else None


def service(span):
    v = span.resource.get("service.name") if span.resource else None
    return v if isinstance(v, str) and v else "unknown_service"


def route(span, keys=("http.route", "url.path", "http.target")):
    """http.route, else url.path, else http.target without its query string,
    else the span name."""
    for k in keys:
        v = _str_attr(span, k)
        if v is not None:
            return v.split("?", 1)[0] if k == "http.target" else v
    return span.name


def http_method(span):
    return _str_attr(span, "http.request.method") or _str_attr(span, "http.method")


def environment(span):
    """deployment.environment.name (semconv >= 1.27), else the older
    deployment.environment; resource attributes first, then span ones."""
    for key in ("deployment.environment.name", "deployment.environment"):
        v = span.resource.get(key) if span.resource else None
        if isinstance(v, str) and v:
            return v
    for key in ("deployment.environment.name", "deployment.environment"):
        v = _str_attr(span, key)
        if v:
            return v
    return None


def exception_events(span):
    """Events named "exception", in recorded order."""
    return [e for e in span.events if e.name == "exception"]


def chosen_exception(span):
    """The exception that represents the span when only one can be shown: the
    LAST exception event.  Tempo's search answers a select(event.*) with one
    value per attribute, the last fetched event's (a map is filled in event
    order), and the test server does the same; the last event is also the
    final failure when a span records retries.  None when there is none."""
    ev = exception_events(span)
    return ev[-1] if ev else None


@dataclass
class Occurrence:
    """One error: an exception event of an ERROR span, or an ERROR span
    without exception events (exception_type == "(no exception)")."""
    time_ns: int                # span start
    event_time_ns: int          # exception event time (span start if none)
    trace_id: str
    span_id: str
    service: str
    route: str
    span_name: str
    exception_type: str
    message: str
    stacktrace: str
    escaped: object
    duration_ns: int
    environment: object
    span: Span = field(repr=False, default=None)


def _occurrence(span, ev):
    if ev is None:
        etype, msg, stack, escaped, etime = NO_EXCEPTION, span.status_message, "", None, span.start_ns
    else:
        t = ev.get("exception.type")
        etype = t if isinstance(t, str) and t else "(unknown)"
        m = ev.get("exception.message")
        msg = m if isinstance(m, str) else ("" if m is None else str(m))
        st = ev.get("exception.stacktrace")
        stack = st if isinstance(st, str) else ""
        escaped = ev.get("exception.escaped")
        etime = ev.time_ns
    return Occurrence(time_ns=span.start_ns, event_time_ns=etime, trace_id=span.trace_id,
                      span_id=span.span_id, service=service(span), route=route(span),
                      span_name=span.name, exception_type=etype, message=msg, stacktrace=stack,
                      escaped=escaped, duration_ns=span.duration_ns,
                      environment=environment(span), span=span)


def _matches(value, wanted):
    return not wanted or value in wanted


def error_traces(corpus, start_s=None, end_s=None, limit=None):
    """Traces with at least one ERROR span overlapping the range, newest
    (latest start) first, at most `limit`: what `{ status = error }` with
    that search limit returns."""
    ts = [t for t in corpus.in_range(start_s, end_s) if any(s.is_error for s in t.spans)]
    ts.sort(key=lambda t: (-t.start_ns, t.trace_id))
    return ts[:limit] if limit else ts


def error_occurrences(corpus, start_s=None, end_s=None, per="span", window="trace",
                      services=None, routes=None, exception_types=None, environments=None,
                      trace_limit=None):
    """Errors in a range.

    per="span"  : one occurrence per ERROR span (its last exception event, or
                  "(no exception)");
    per="event" : one per exception event of every ERROR span (and one
                  "(no exception)" for ERROR spans without events).
    window="trace": spans of every trace overlapping [start_s, end_s] count
                  (what a Tempo search returns); window="span": only spans
                  whose start lies in [start_s, end_s].
    trace_limit: only the newest `trace_limit` traces with errors, as a
                  search with that limit samples them.
    Filters are exact-match sets (None or empty = no filter)."""
    lo = None if start_s is None else int(start_s) * 10**9
    hi = None if end_s is None else int(end_s) * 10**9
    out = []
    traces = corpus.in_range(start_s, end_s)
    if trace_limit:
        keep = {t.trace_id for t in error_traces(corpus, start_s, end_s, trace_limit)}
        traces = [t for t in traces if t.trace_id in keep]
    for t in traces:
        for s in t.spans:
            if not s.is_error:
                continue
            if window == "span" and ((lo is not None and s.start_ns < lo) or
                                     (hi is not None and s.start_ns > hi)):
                continue
            if per == "event":
                evs = exception_events(s) or [None]
            else:
                evs = [chosen_exception(s)]
            for ev in evs:
                o = _occurrence(s, ev)
                if (_matches(o.service, services) and _matches(o.route, routes) and
                        _matches(o.exception_type, exception_types) and
                        _matches(o.environment, environments)):
                    out.append(o)
    return out


def recent_errors(corpus, start_s=None, end_s=None, limit=50, **kw):
    """Newest error spans first (span start time descending, then trace and
    span ID for a stable order), at most `limit`."""
    occ = error_occurrences(corpus, start_s, end_s, per="span", **kw)
    occ.sort(key=lambda o: (-o.time_ns, o.trace_id, o.span_id))
    return occ[:limit] if limit else occ


@dataclass
class SummaryRow:
    service: str
    exception_type: str
    count: int
    first_seen_ns: int
    last_seen_ns: int
    example: Occurrence


def error_summary(corpus, start_s=None, end_s=None, per="span", example="newest", **kw):
    """Errors grouped by (service, exception type): count, first and last
    span start seen, one example (the newest occurrence unless
    example="oldest").  Sorted by count descending, then service, type."""
    groups = {}
    for o in error_occurrences(corpus, start_s, end_s, per=per, **kw):
        groups.setdefault((o.service, o.exception_type), []).append(o)
    rows = []
    for (svc, etype), occ in groups.items():
        occ.sort(key=lambda o: (o.time_ns, o.trace_id, o.span_id))
        ex = occ[-1] if example == "newest" else occ[0]
        rows.append(SummaryRow(svc, etype, len(occ), occ[0].time_ns, occ[-1].time_ns, ex))
    rows.sort(key=lambda r: (-r.count, r.service, r.exception_type))
    return rows


def trace_exceptions(corpus, trace_id):
    """Every exception event of every span of one trace (whatever the span
    status), in span order then event order."""
    t = corpus.trace(trace_id)
    if t is None:
        return []
    return [_occurrence(s, ev) for s in t.spans for ev in exception_events(s)]


# ----------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------

def _fmt_ns(ns):
    import time as _t
    return _t.strftime("%Y-%m-%dT%H:%M:%S", _t.gmtime(ns // 10**9)) + ".%03dZ" % (ns // 10**6 % 1000)


def _first_line(s):
    return (s or "").split("\n", 1)[0][:100]


def main(argv=None):
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # quiet under `| head`
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", action="append",
                        help="corpus dir or file (default: tests/tempo/corpus)")
    common.add_argument("--start", type=int, help="range start, unix seconds")
    common.add_argument("--end", type=int, help="range end, unix seconds")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("summary", parents=[common], help="expected error-summary rows")
    p.add_argument("--per", choices=["span", "event"], default="span")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("recent", parents=[common], help="expected recent-errors rows")
    p.add_argument("--limit", type=int, default=50)
    p = sub.add_parser("trace", parents=[common], help="exceptions of one trace")
    p.add_argument("trace_id")
    sub.add_parser("stats", parents=[common], help="corpus statistics")
    a = ap.parse_args(argv)
    c = load(a.corpus)
    if a.cmd == "summary":
        rows = error_summary(c, a.start, a.end, per=a.per)
        if a.json:
            print(json.dumps([{"service": r.service, "exceptionType": r.exception_type,
                               "count": r.count, "firstSeen": r.first_seen_ns,
                               "lastSeen": r.last_seen_ns, "traceID": r.example.trace_id,
                               "message": r.example.message} for r in rows], indent=1))
            return 0
        print("%-14s %-58s %5s  %-24s %-24s %s" % ("service", "exceptionType", "count",
                                                   "firstSeen", "lastSeen", "example"))
        for r in rows:
            print("%-14s %-58s %5d  %-24s %-24s %s" % (r.service, r.exception_type[:58], r.count,
                                                       _fmt_ns(r.first_seen_ns),
                                                       _fmt_ns(r.last_seen_ns), r.example.trace_id))
        print("total %d" % sum(r.count for r in rows))
    elif a.cmd == "recent":
        for o in recent_errors(c, a.start, a.end, a.limit):
            print("%s %s %s %-12s %-28s %-40s %s" % (_fmt_ns(o.time_ns), o.trace_id, o.span_id,
                                                     o.service, o.route[:28],
                                                     o.exception_type[:40], _first_line(o.message)))
    elif a.cmd == "trace":
        occ = trace_exceptions(c, a.trace_id)
        if c.trace(a.trace_id) is None:
            print("trace not found", file=sys.stderr)
            return 1
        for o in occ:
            print("%s span %s %s %s: %s" % (_fmt_ns(o.event_time_ns), o.span_id, o.service,
                                            o.exception_type, _first_line(o.message)))
            print("    " + (o.stacktrace or "(no stack trace)").replace("\n", "\n    "))
    elif a.cmd == "stats":
        spans = list(c.spans())
        err = [s for s in spans if s.is_error]
        print("files:       %d" % len(c.files))
        print("traces:      %d" % len(c.traces))
        print("spans:       %d (%d ERROR, %d with exception events)" % (
            len(spans), len(err), sum(1 for s in spans if exception_events(s))))
        print("error traces: %d" % sum(1 for t in c.traces.values() if any(s.is_error for s in t.spans)))
        print("time range:  %s .. %s (%d .. %d s)" % (_fmt_ns(c.start_ns), _fmt_ns(c.end_ns),
                                                      c.start_ns // 10**9, -(-c.end_ns // 10**9)))
        svcs = {}
        for s in spans:
            svcs.setdefault(service(s), [0, 0])
            svcs[service(s)][0] += 1
            svcs[service(s)][1] += s.is_error
        for k in sorted(svcs):
            print("  %-16s %5d spans %4d errors" % (k, svcs[k][0], svcs[k][1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
