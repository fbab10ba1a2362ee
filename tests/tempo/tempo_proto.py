"""Protobuf encoding of trace-by-ID answers, for clients that send
Accept: application/protobuf (as Grafana's Tempo datasource does).

/api/traces/<id> answers a tempopb.Trace, whose field 1 is the repeated
ResourceSpans: wire-compatible with OTLP TracesData.  /api/v2/traces/<id>
answers a tempopb.TraceByIDResponse {trace = 1, metrics = 2 {inspectedBytes =
1}, status = 3, message = 4}.  Field numbers are those of
opentelemetry/proto/trace/v1/trace.proto and common.proto.  Only what the
corpus holds is encoded; zero values are left out as proto3 does.
"""

import struct

from corpus import ArrayValue, KvList


def _varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field, wire):
    return _varint(field << 3 | wire)


def _len(field, payload):
    return _key(field, 2) + _varint(len(payload)) + payload


def _str(field, s):
    return _len(field, s.encode("utf-8")) if s else b""


def _bytes(field, b):
    return _len(field, b) if b else b""


def _uint(field, n):
    return _key(field, 0) + _varint(n) if n else b""


def _fixed64(field, n):
    return _key(field, 1) + struct.pack("<Q", n) if n else b""


def any_value(v):
    if v is None:
        return b""
    if isinstance(v, bool):
        return _key(2, 0) + _varint(1 if v else 0)
    if isinstance(v, int):
        return _key(3, 0) + _varint(v)
    if isinstance(v, float):
        return _key(4, 1) + struct.pack("<d", v)
    if isinstance(v, str):
        return _len(1, v.encode("utf-8"))
    if isinstance(v, (bytes, bytearray)):
        return _len(7, bytes(v))
    if isinstance(v, KvList):
        return _len(6, b"".join(_len(1, key_value(k, x)) for k, x in v))
    if isinstance(v, (ArrayValue, list, tuple)):
        return _len(5, b"".join(_len(1, any_value(x)) for x in v))
    return _len(1, str(v).encode("utf-8"))


def key_value(k, v):
    return _str(1, k) + _len(2, any_value(v))


def _attrs(field, pairs):
    return b"".join(_len(field, key_value(k, v)) for k, v in pairs)


def span(s):
    status = _str(2, s.status_message) + _uint(3, s.status_code)
    out = [_bytes(1, bytes.fromhex(s.trace_id)), _bytes(2, bytes.fromhex(s.span_id)),
           _str(3, s.trace_state),
           _bytes(4, bytes.fromhex(s.parent_span_id) if s.parent_span_id else b""),
           _str(5, s.name), _uint(6, s.kind), _fixed64(7, s.start_ns), _fixed64(8, s.end_ns),
           _attrs(9, s.attributes), _uint(10, s.dropped_attributes_count)]
    for e in s.events:
        out.append(_len(11, _fixed64(1, e.time_ns) + _str(2, e.name) + _attrs(3, e.attributes) +
                        _uint(4, e.dropped_attributes_count)))
    out.append(_uint(12, s.dropped_events_count))
    for l in s.links:
        out.append(_len(13, _bytes(1, bytes.fromhex(l.trace_id)) + _bytes(2, bytes.fromhex(l.span_id)) +
                        _str(3, l.trace_state) + _attrs(4, l.attributes) +
                        _uint(5, l.dropped_attributes_count)))
    out.append(_uint(14, s.dropped_links_count))
    out.append(_len(15, status))
    return b"".join(out)


def trace(t):
    """tempopb.Trace: repeated ResourceSpans = 1, grouped as the JSON body is."""
    out = []
    for res, scopes in t.by_resource():
        body = _len(1, _attrs(1, res.attributes) + _uint(2, res.dropped_attributes_count))
        for scope, spans in scopes:
            sc = _str(1, scope.name) + _str(2, scope.version) + _attrs(3, scope.attributes) + \
                _uint(4, scope.dropped_attributes_count)
            ss = _len(1, sc) + b"".join(
                _len(2, span(s)) for s in sorted(spans, key=lambda x: (x.start_ns, x.span_id)))
            body += _len(2, ss)
        out.append(_len(1, body))
    return b"".join(out)


def trace_by_id_response(t, inspected_bytes, partial_message=""):
    """tempopb.TraceByIDResponse; t None gives an empty trace."""
    body = _len(1, trace(t) if t is not None else b"")
    body += _len(2, _uint(1, inspected_bytes))
    if partial_message:
        body += _uint(3, 1) + _str(4, partial_message)
    return body
