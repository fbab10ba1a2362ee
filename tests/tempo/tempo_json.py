"""JSON encoding exactly as Grafana Tempo writes it (gogo/protobuf jsonpb).

Used by the Tempo-compatible test server and the corpus generator.  Rules
(../shared/notes/tempo.md section 1): 64-bit integers as strings, 32-bit ones
as numbers, zero values and empty lists left out, enums as their names, bytes
(trace and span IDs inside trace bodies) as padded standard base64, doubles in
Go's shortest form with "NaN"/"Infinity" as strings, and strings escaped like
Go's encoding/json (<, > and & as \\u003c, \\u003e, \\u0026).  Objects are
built as Python dicts in proto field order and serialised by dumps().
"""

import base64
import json
import math
import re
from decimal import Decimal

from corpus import KIND_NAMES, STATUS_NAMES, ArrayValue, KvList

_NUM_MARK = "\x00\x01"
_NUM_RE = re.compile(r'"\\u0000\\u0001([^"]*)"')


def go_float_text(f):
    """Go encoding/json text of a finite float64."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    # repr() gives the shortest round-trip digits, like Go's 'g' precision -1;
    # only the layout differs.  Python switches to exponent form below 1e-4
    # and from 1e16, Go below 1e-6 and from 1e21, writing "1e-7"/"1e+21".
    a = abs(f)
    r = repr(float(f))
    if a < 1e-6 or a >= 1e21:
        mant, _, exp = r.partition("e")
        sign = "-" if exp.startswith("-") else "+"
        return "%se%s%s" % (mant, sign, exp.lstrip("+-").lstrip("0") or "0")
    if "e" in r:
        text = format(Decimal(r), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    if r.endswith(".0"):
        r = r[:-2]
    return r


def go_double(f):
    """A double field value: a marked number, or a string for NaN/Inf."""
    f = float(f)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return _NUM_MARK + go_float_text(f)


def dumps(obj, trailing_newline=False):
    """Serialise like Go: compact, HTML characters escaped, UTF-8 kept."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if _NUM_MARK[0] in s or "\\u0000" in s:
        s = _NUM_RE.sub(r"\1", s)
    s = (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
         .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return s + "\n" if trailing_newline else s


# ----------------------------------------------------------------------------
# OTLP values and trace bodies
# ----------------------------------------------------------------------------

def b64(hexid):
    return base64.b64encode(bytes.fromhex(hexid)).decode("ascii") if hexid else ""


def any_value(v):
    """Python value -> AnyValue.  The chosen oneof member is always printed,
    even when it is a zero value (jsonpb prints oneofs unconditionally)."""
    if v is None:
        return {}
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": go_double(v)}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, (bytes, bytearray)):
        return {"bytesValue": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, KvList):
        vals = key_values(v)
        return {"kvlistValue": {"values": vals} if vals else {}}
    if isinstance(v, (ArrayValue, list, tuple)):
        vals = [any_value(x) for x in v]
        return {"arrayValue": {"values": vals} if vals else {}}
    return {"stringValue": str(v)}


def key_value(k, v):
    kv = {}
    if k:
        kv["key"] = k
    kv["value"] = any_value(v)
    return kv


def key_values(pairs):
    return [key_value(k, v) for k, v in pairs]


def _put(d, key, value):
    """Set d[key] unless value is a proto zero value (omitted by jsonpb)."""
    if value in (None, "", 0, [], {}) and value is not False:
        return
    d[key] = value


# Attributes that Tempo's vParquet4 blocks keep in dedicated columns and
# append after the generic ones when a trace is read back (schema.go).
RESOURCE_DEDICATED = ["cluster", "namespace", "pod", "container", "k8s.cluster.name",
                      "k8s.namespace.name", "k8s.pod.name", "k8s.container.name"]
SPAN_DEDICATED = [("http.method", str), ("http.url", str), ("http.status_code", int)]


def _reorder_resource(attrs):
    svc = [(k, v) for k, v in attrs if k == "service.name" and isinstance(v, str)][:1]
    known = {k: (k, v) for k, v in attrs if k in RESOURCE_DEDICATED and isinstance(v, str)}
    rest = [(k, v) for k, v in attrs
            if not (k == "service.name" and isinstance(v, str)) and
            not (k in RESOURCE_DEDICATED and isinstance(v, str))]
    return rest + svc + [known[k] for k in RESOURCE_DEDICATED if k in known]


def _is_dedicated_span_attr(k, v):
    for key, typ in SPAN_DEDICATED:
        if k == key and isinstance(v, typ) and not isinstance(v, bool):
            return True
    return False


def _reorder_span(attrs):
    rest = [(k, v) for k, v in attrs if not _is_dedicated_span_attr(k, v)]
    known = {k: (k, v) for k, v in attrs if _is_dedicated_span_attr(k, v)}
    return rest + [known[k] for k, _ in SPAN_DEDICATED if k in known]


def span_json(s, tempo_order=True):
    d = {}
    _put(d, "traceId", b64(s.trace_id))
    _put(d, "spanId", b64(s.span_id))
    _put(d, "traceState", s.trace_state)
    _put(d, "parentSpanId", b64(s.parent_span_id))
    _put(d, "name", s.name)
    if s.kind:
        d["kind"] = KIND_NAMES[s.kind]
    _put(d, "startTimeUnixNano", str(s.start_ns) if s.start_ns else "")
    _put(d, "endTimeUnixNano", str(s.end_ns) if s.end_ns else "")
    attrs = _reorder_span(s.attributes) if tempo_order else s.attributes
    _put(d, "attributes", key_values(attrs))
    _put(d, "droppedAttributesCount", s.dropped_attributes_count)
    events = []
    for e in s.events:
        ev = {}
        _put(ev, "timeUnixNano", str(e.time_ns) if e.time_ns else "")
        _put(ev, "name", e.name)
        _put(ev, "attributes", key_values(e.attributes))
        _put(ev, "droppedAttributesCount", e.dropped_attributes_count)
        events.append(ev)
    _put(d, "events", events)
    _put(d, "droppedEventsCount", s.dropped_events_count)
    links = []
    for l in s.links:
        lk = {}
        _put(lk, "traceId", b64(l.trace_id))
        _put(lk, "spanId", b64(l.span_id))
        _put(lk, "traceState", l.trace_state)
        _put(lk, "attributes", key_values(l.attributes))
        _put(lk, "droppedAttributesCount", l.dropped_attributes_count)
        links.append(lk)
    _put(d, "links", links)
    _put(d, "droppedLinksCount", s.dropped_links_count)
    st = {}
    _put(st, "message", s.status_message)
    if s.status_code:
        st["code"] = STATUS_NAMES[s.status_code]
    d["status"] = st
    return d


def _span_sort_key(s):
    return (s.start_ns, bytes.fromhex(s.span_id or "00"))


def resource_spans_json(trace, legacy_ils=False, tempo_order=True):
    """The ResourceSpans list of a trace as Tempo returns it: spans sorted by
    start time (then ID), scopes and resources by their first span, attribute
    order as read back from vParquet4 blocks.  legacy_ils=True uses the
    pre-2.0 instrumentationLibrarySpans/instrumentationLibrary names."""
    batches = []
    for res, scopes in trace.by_resource():
        rjs = {}
        _put(rjs, "attributes",
             key_values(_reorder_resource(res.attributes) if tempo_order else res.attributes))
        _put(rjs, "droppedAttributesCount", res.dropped_attributes_count)
        sslist = []
        for scope, spans in scopes:
            spans = sorted(spans, key=_span_sort_key) if tempo_order else spans
            sc = {}
            _put(sc, "name", scope.name)
            _put(sc, "version", scope.version)
            _put(sc, "attributes", key_values(scope.attributes))
            _put(sc, "droppedAttributesCount", scope.dropped_attributes_count)
            ss = {"instrumentationLibrary" if legacy_ils else "scope": sc}
            _put(ss, "spans", [span_json(s, tempo_order) for s in spans])
            sslist.append((spans[0] if spans else None, ss))
        if tempo_order:
            sslist.sort(key=lambda p: _span_sort_key(p[0]) if p[0] else (0, b""))
        first = sslist[0][0] if sslist else None
        b = {"resource": rjs}
        _put(b, "instrumentationLibrarySpans" if legacy_ils else "scopeSpans", [p[1] for p in sslist])
        batches.append((first, b))
    if tempo_order:
        batches.sort(key=lambda p: _span_sort_key(p[0]) if p[0] else (0, b""))
    return [b for _, b in batches]


# ----------------------------------------------------------------------------
# OTLP/JSON as the OpenTelemetry Collector's file exporter writes it
# ----------------------------------------------------------------------------

def otlp_span_json(s):
    """A span in the Collector's pdata JSON: hex IDs, enums as integers,
    64-bit integers as strings, zero values omitted, status always present."""
    d = {}
    _put(d, "traceId", s.trace_id)
    _put(d, "spanId", s.span_id)
    _put(d, "traceState", s.trace_state)
    _put(d, "parentSpanId", s.parent_span_id)
    _put(d, "flags", s.flags)
    _put(d, "name", s.name)
    _put(d, "kind", s.kind)
    _put(d, "startTimeUnixNano", str(s.start_ns) if s.start_ns else "")
    _put(d, "endTimeUnixNano", str(s.end_ns) if s.end_ns else "")
    _put(d, "attributes", key_values(s.attributes))
    _put(d, "droppedAttributesCount", s.dropped_attributes_count)
    events = []
    for e in s.events:
        ev = {}
        _put(ev, "timeUnixNano", str(e.time_ns) if e.time_ns else "")
        _put(ev, "name", e.name)
        _put(ev, "attributes", key_values(e.attributes))
        _put(ev, "droppedAttributesCount", e.dropped_attributes_count)
        events.append(ev)
    _put(d, "events", events)
    _put(d, "droppedEventsCount", s.dropped_events_count)
    links = []
    for l in s.links:
        lk = {}
        _put(lk, "traceId", l.trace_id)
        _put(lk, "spanId", l.span_id)
        _put(lk, "traceState", l.trace_state)
        _put(lk, "attributes", key_values(l.attributes))
        _put(lk, "droppedAttributesCount", l.dropped_attributes_count)
        _put(lk, "flags", l.flags)
        links.append(lk)
    _put(d, "links", links)
    _put(d, "droppedLinksCount", s.dropped_links_count)
    st = {}
    _put(st, "message", s.status_message)
    _put(st, "code", s.status_code)
    d["status"] = st
    return d
